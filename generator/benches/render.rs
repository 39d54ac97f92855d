//! Criterion benchmark of rendering over the repository's templates: sampling a world,
//! rendering its files, and the whole `render_scenario` (sample, render, parse back).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn bench_render(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates");
    let templates = generator::load_templates(&dir).expect("templates load");
    let mix = generator::parse_mix(&templates, "").expect("default mix");
    let worlds: Vec<_> = (0..256)
        .map(|i| {
            generator::sample_world(&templates, &mix, 42, i, &format!("{i:05}")).expect("samples")
        })
        .collect();
    let mut group = c.benchmark_group("render");
    group.throughput(Throughput::Elements(1));
    let mut i = 0u64;
    group.bench_function("sample_world", |b| {
        b.iter(|| {
            i += 1;
            black_box(
                generator::sample_world(&templates, &mix, 42, i % 10_000, "00000")
                    .expect("samples"),
            )
        });
    });
    let mut j = 0usize;
    group.bench_function("render_world", |b| {
        b.iter(|| {
            j += 1;
            black_box(
                generator::render::render_world(
                    &templates,
                    &worlds[j % worlds.len()],
                    generator::Profile::Both,
                )
                .expect("renders"),
            )
        });
    });
    let mut k = 0u64;
    group.bench_function("render_scenario", |b| {
        b.iter(|| {
            k += 1;
            black_box(
                generator::render_scenario(
                    &templates,
                    &mix,
                    42,
                    k % 10_000,
                    10_000,
                    generator::Profile::Both,
                )
                .expect("renders"),
            )
        });
    });
    group.finish();
}

criterion_group!(benches, bench_render);
criterion_main!(benches);

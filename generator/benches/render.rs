//! Criterion benchmark of rendering: one scenario (sample the world, render every file, parse
//! it back), over the repository's templates.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn bench_render(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates");
    let templates = generator::load_templates(&dir).expect("templates load");
    let mix = generator::parse_mix(&templates, "").expect("default mix");
    let mut group = c.benchmark_group("render");
    group.throughput(Throughput::Elements(1));
    let mut i = 0u64;
    group.bench_function("render_scenario", |b| {
        b.iter(|| {
            i += 1;
            black_box(
                generator::render_scenario(&templates, &mix, 42, i % 10_000, 10_000)
                    .expect("renders"),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench_render);
criterion_main!(benches);

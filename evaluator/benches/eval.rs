//! Throughput benches of the evaluator: loading one scenario directory (with its base), and the
//! whole `evaluate` of the rule baseline over a 200-scenario synthetic corpus on 1 and 2 threads,
//! plus scoring its predictions and writing the Parquet reports.
//!
//! Run with `cargo bench -p evaluator --bench eval`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Scenarios in the synthetic corpus of the whole-eval bench.
const CORPUS: usize = 200;

fn load_scenario(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/canonical");
    let mut group = c.benchmark_group("load");
    group.throughput(Throughput::Elements(1));
    // 002 inherits from 000-healthy: the child's files and the base's are both read.
    group.bench_function("one scenario (canonical 002-oom-killed)", |b| {
        b.iter(|| black_box(scenario::load(&root.join("002-oom-killed")).unwrap()));
    });
    let dir = tempfile::tempdir().unwrap();
    common::write_corpus(dir.path(), CORPUS);
    group.throughput(Throughput::Elements(CORPUS as u64));
    group.sample_size(20);
    group.bench_function("synthetic corpus of 200", |b| {
        b.iter(|| black_box(common::load(dir.path())));
    });
    group.finish();
}

fn whole_eval(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    common::write_corpus(dir.path(), CORPUS);
    let suite = common::load(dir.path());
    let rules = classifier::RULES;
    let mut group = c.benchmark_group("eval");
    group.throughput(Throughput::Elements(CORPUS as u64));
    group.sample_size(20);
    for threads in [1, 2] {
        let config = evaluator::EvalConfig {
            run_id: Some("bench".into()),
            threads,
            trials: 1,
            classifier_spec: "rules".into(),
            corpus: common::corpus("bench"),
            skipped: Vec::new(),
            ablate: Vec::new(),
            ablate_as: scenario::ablation::AblateAs::Absent,
            shard: None,
        };
        group.bench_function(
            format!("rules over 200 scenarios, {threads} thread(s)"),
            |b| b.iter(|| black_box(evaluator::evaluate(&suite, &rules, &config, &|| {}).unwrap())),
        );
    }
    let config = evaluator::EvalConfig {
        run_id: Some("bench".into()),
        threads: 1,
        trials: 1,
        classifier_spec: "rules".into(),
        corpus: common::corpus("bench"),
        skipped: Vec::new(),
        ablate: Vec::new(),
        ablate_as: scenario::ablation::AblateAs::Absent,
        shard: None,
    };
    let run = evaluator::evaluate(&suite, &rules, &config, &|| {}).unwrap();
    group.bench_function("score 200 predictions", |b| {
        b.iter(|| black_box(evaluator::score(&run.predictions)));
    });
    let scores = evaluator::score(&run.predictions);
    group.bench_function("write the run reports (Parquet + run.json)", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().unwrap(),
            |out| {
                black_box(evaluator::report::write_run(out.path(), &run, &scores).unwrap());
            },
        );
    });
    group.finish();
}

criterion_group!(benches, load_scenario, whole_eval);
criterion_main!(benches);

//! The rule baseline's cost per case: each canonical scenario, and a crowded namespace (40 pods
//! of several workloads, 200 events, 500 Datadog log lines) where workload selection and log
//! scanning dominate.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use scenario::{Case, Source};

fn canonical() -> Vec<(String, Case)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/canonical");
    let suite = scenario::load(&root).expect("canonical corpus");
    suite
        .scenarios()
        .iter()
        .map(|s| (s.dir_name().to_owned(), s.case().clone()))
        .collect()
}

/// The crash-loop scenario in a busy namespace.
fn crowded(base: &Case) -> Case {
    let mut case = base.clone();
    if let Some(Source::Available(pods)) = case.evidence.eks_pods.as_mut() {
        let template = pods.pods[0].clone();
        for i in 0..40 {
            let mut p = template.clone();
            p.name = format!(
                "{}-{i}-6b7c9d8f5-zz{i:03}",
                ["ledger", "checkout", "payments-api-worker"][i % 3]
            );
            pods.pods.push(p);
        }
    }
    if let Some(Source::Available(events)) = case.evidence.eks_events.as_mut()
        && let Some(e) = events.warning_events.first().cloned()
    {
        for i in 0..200 {
            let mut e = e.clone();
            e.involved_object = format!("Pod/ledger-{i}-6b7c9d8f5-zz{i:03}");
            events.warning_events.push(e);
        }
    }
    if let Some(Source::Available(logs)) = case.evidence.datadog_logs.as_mut()
        && let Some(l) = logs.logs.first().cloned()
    {
        for i in 0..500 {
            let mut l = l.clone();
            l.message = format!("GET /v1/ledger/{i} 200 12ms request_id={i:08x}");
            logs.logs.push(l);
        }
    }
    case
}

fn bench(c: &mut Criterion) {
    let cases = canonical();
    let mut group = c.benchmark_group("rules");
    for (name, case) in &cases {
        group.bench_function(name.as_str(), |b| {
            b.iter(|| classifier::rules::classify(black_box(case)));
        });
    }
    let busy = crowded(&cases[1].1);
    group.bench_function("crowded-namespace", |b| {
        b.iter(|| classifier::rules::classify(black_box(&busy)));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

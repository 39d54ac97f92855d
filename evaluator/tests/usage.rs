//! Cost and effort end to end: usage a classifier reports through `scenario::usage` lands in
//! the prediction rows, survives `predictions.parquet` (and a file written before the usage
//! columns existed reads back with them null), becomes the `cost` rows of the metrics and
//! the summary section, and `compare --max-cost-increase` gates on it.

mod common;

use std::sync::Arc;

use classifier::{CallError, Classifier};
use common::{Fake, Fault, config, load, write_corpus};
use evaluator::compare::{CompareError, CompareOptions, VERDICT_OK, VERDICT_WORSE, compare};
use evaluator::report::{read_predictions, read_run, write_predictions, write_run};
use evaluator::{evaluate, score};
use scenario::{Case, Level, Prediction, Usage};

/// [`Fake`] (always right, except as told) that reports `cost` dollars and 1000 + 100 tokens
/// per call, and 2 tool calls; nothing at all on every tenth case.
#[derive(Debug)]
struct Metered {
    inner: Fake,
    cost: f64,
}

impl Classifier for Metered {
    fn name(&self) -> String {
        "metered".into()
    }
    fn version(&self) -> String {
        "1".into()
    }
    fn classify(&self, case: &Case, trial: u32) -> Result<Prediction, CallError> {
        let p = self.inner.classify(case, trial)?;
        let silent = case.context.workload_name.ends_with('0');
        if !silent {
            scenario::usage::report(Some(Usage {
                input_tokens: Some(1000),
                output_tokens: Some(100),
                cost_usd: Some(self.cost),
                tool_calls: Some(2),
            }));
        }
        Ok(p)
    }
}

fn run(
    corpus: &std::path::Path,
    reports: &std::path::Path,
    id: &str,
    cost: f64,
) -> evaluator::report::RunReport {
    let suite = load(corpus);
    let c = Metered {
        inner: Fake::new(&suite, Fault::OomFifth),
        cost,
    };
    let run = evaluate(&suite, &c, &config(corpus, id, 2, 1), &|| {}).unwrap();
    let dir = write_run(reports, &run, &score(&run.predictions)).unwrap();
    read_run(&dir).unwrap()
}

#[test]
fn reported_usage_is_in_the_rows_the_metrics_and_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, reports) = (dir.path().join("corpus"), dir.path().join("reports"));
    write_corpus(&corpus, 100);
    let base = run(&corpus, &reports, "base", 0.01);

    // 100 calls, the ten with a workload name ending in 0 silent.
    let with: Vec<_> = base
        .predictions
        .iter()
        .filter(|r| r.cost_usd.is_some())
        .collect();
    assert_eq!(with.len(), 90);
    assert!(with.iter().all(|r| r.input_tokens == Some(1000)
        && r.output_tokens == Some(100)
        && r.tool_calls == Some(2)));
    assert!(
        base.predictions
            .iter()
            .filter(|r| r.cost_usd.is_none())
            .all(|r| r.input_tokens.is_none() && r.tool_calls.is_none())
    );

    // The cost row: $0.01 a call; per right answer the spend over the right ones among the 90.
    let scores = score(&base.predictions);
    let fm = scores.cost(Level::FailureMode).unwrap();
    let right = with.iter().filter(|r| r.correct_failure_mode).count() as f64;
    assert!(right < 90.0, "the fake errs on some OOM cases");
    assert_eq!(fm.support, 90);
    assert!((fm.cost_per_case.unwrap() - 0.01).abs() < 1e-12);
    assert!((fm.cost_usd_total.unwrap() - 0.9).abs() < 1e-9);
    assert!((fm.cost_per_correct.unwrap() - 0.9 / right).abs() < 1e-12);
    assert_eq!(
        (fm.tokens_per_case, fm.tool_calls_per_case),
        (Some(1100.0), Some(2.0))
    );
    // Read back from metrics.parquet, and shown in the summary.
    assert!(
        base.metrics
            .iter()
            .any(|m| m.kind == "cost" && m.level == Level::FailureMode)
    );
    let summary = evaluator::summary::render(
        &evaluator::Run {
            info: base.info.clone(),
            predictions: base.predictions.clone(),
        },
        &scores,
    );
    assert!(
        summary.contains("cost (USD)") && summary.contains("0.010000"),
        "{summary}"
    );

    // The gate: 20% dearer fails a 10% allowance, passes a 25% one.
    let dear = run(&corpus, &reports, "dear", 0.012);
    let gate = |f: f64| CompareOptions {
        max_cost_increase: Some(f),
        ..CompareOptions::default()
    };
    let c = compare(&base, &dear, &gate(0.1)).unwrap();
    assert_eq!(c.verdict, VERDICT_WORSE);
    let cost = c.cost.as_ref().unwrap();
    assert!(cost.exceeded && (cost.ratio.unwrap() - 1.2).abs() < 1e-9);
    assert!(
        c.reasons.iter().any(|r| r.starts_with("cost:")),
        "{:?}",
        c.reasons
    );
    assert!(
        evaluator::compare::render_markdown(&c)
            .contains("Cost: cost per case $0.010000 -> $0.012000")
    );
    assert_eq!(
        compare(&base, &dear, &gate(0.25)).unwrap().verdict,
        VERDICT_OK
    );
    // Off by default, but the figures are there.
    let c = compare(&base, &dear, &CompareOptions::default()).unwrap();
    assert!(c.verdict == VERDICT_OK && !c.cost.unwrap().exceeded);

    // A run without usage cannot be gated on cost: refused, naming the side.
    let suite = load(&corpus);
    let plain = evaluate(
        &suite,
        &Fake::new(&suite, Fault::OomFifth),
        &config(&corpus, "plain", 2, 1),
        &|| {},
    )
    .unwrap();
    let plain_dir = write_run(&reports, &plain, &score(&plain.predictions)).unwrap();
    let plain = read_run(&plain_dir).unwrap();
    assert!(plain.predictions.iter().all(|r| r.cost_usd.is_none()));
    assert!(score(&plain.predictions).cost(Level::FailureMode).is_none());
    match compare(&plain, &dear, &gate(0.1)) {
        Err(CompareError::Option(m)) => {
            assert!(m.contains("base run reported no usage.cost_usd"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    assert!(compare(&base, &dear, &gate(-0.5)).is_err());
}

#[test]
fn a_predictions_file_without_the_usage_columns_reads_them_as_null() {
    use parquet::arrow::ArrowWriter;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let dir = tempfile::tempdir().unwrap();
    let mut rows = vec![
        common::row("s1", 0, "healthy", "healthy"),
        common::row("s2", 0, "oom_killed", "crashloop_backoff"),
    ];
    rows[0].cost_usd = Some(0.5);
    rows[0].input_tokens = Some(7);
    rows[1].tool_calls = Some(4);
    let path = dir.path().join("predictions.parquet");
    write_predictions(&path, &rows).unwrap();
    assert_eq!(read_predictions(&path).unwrap(), rows);

    // The same file as a run made before usage existed: the four columns dropped.
    let file = std::fs::File::open(&path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<_> = reader.map(Result::unwrap).collect();
    let schema = batches[0].schema();
    let keep: Vec<usize> = (0..schema.fields().len())
        .filter(|&i| {
            !["input_tokens", "output_tokens", "cost_usd", "tool_calls"]
                .contains(&schema.field(i).name().as_str())
        })
        .collect();
    assert_eq!(keep.len() + 4, schema.fields().len());
    let old_path = dir.path().join("old.parquet");
    let projected: Vec<_> = batches.iter().map(|b| b.project(&keep).unwrap()).collect();
    let mut w = ArrowWriter::try_new(
        std::fs::File::create(&old_path).unwrap(),
        Arc::new(schema.project(&keep).unwrap()),
        None,
    )
    .unwrap();
    for b in &projected {
        w.write(b).unwrap();
    }
    w.close().unwrap();
    let old = read_predictions(&old_path).unwrap();
    for (o, r) in old.iter().zip(&rows) {
        assert_eq!(
            (o.cost_usd, o.input_tokens, o.tool_calls, o.output_tokens),
            (None, None, None, None)
        );
        assert_eq!(o.scenario_id, r.scenario_id);
    }
}

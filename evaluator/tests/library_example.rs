//! The library example (`examples/library.rs`) works: a corpus generated in memory is
//! evaluated through the pipeline, its reports and history are written and read back, and its
//! corpus hash is the hash of the same corpus written to disk by `triagebench generate`.

#[path = "../examples/library.rs"]
mod example;

use evaluator::history::HISTORY_FILE;
use evaluator::pipeline::{Corpus, EvalRequest, NoProgress, PipelineError, run};

#[test]
fn generate_and_evaluate_in_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let reports = tmp.path().join("reports");
    let outcome = example::generate_and_evaluate(40, 7, &reports).expect("example runs");
    assert_eq!(outcome.run.predictions.len(), 40);
    assert_eq!(outcome.run.info.corpus_id, "memory-7-40");
    assert_eq!(outcome.history, Some(reports.join(HISTORY_FILE)));
    let back = evaluator::report::read_run(&outcome.dir).expect("run reads back");
    assert_eq!(back.predictions, outcome.run.predictions);
    assert_eq!(evaluator::score(&back.predictions), outcome.scores);

    // The same corpus on disk hashes the same.
    let templates = generator::builtin_templates().unwrap();
    let out = tmp.path().join("corpus");
    let config =
        generator::Config::new(&templates, 40, 7, out.clone(), None, Some(2), false).unwrap();
    let summary = generator::generate(&config, &templates, &generator::NoProgress).unwrap();
    assert_eq!(summary.manifest.content_hash, outcome.run.info.corpus_hash);

    // And a directory request over it scores the same predictions.
    let mut request = EvalRequest::new(Corpus::dir(&out), &reports);
    request.run_id = Some("from-disk".into());
    request.threads = 2;
    let disk = run(&request, &classifier::RULES, &NoProgress).unwrap();
    assert_eq!(disk.scores, outcome.scores);

    // Errors name request fields.
    let err = run(&request, &classifier::RULES, &NoProgress).unwrap_err();
    assert!(matches!(err, PipelineError::RunExists { .. }), "{err}");
    request.threads = 0;
    let err = run(&request, &classifier::RULES, &NoProgress).unwrap_err();
    assert_eq!(err.to_string(), "threads: must be at least 1");
}

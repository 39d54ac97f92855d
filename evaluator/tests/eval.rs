//! `evaluate` and the run directory end to end on a synthetic corpus: 1 thread and N threads give
//! identical reports, every scenario appears once per trial, confusion totals equal scenarios x
//! trials, failed and panicking calls become exact `error` rows, and the Parquet files read back
//! give the same rows and the same numbers as the in-memory scores.

mod common;

use scenario::Level;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use classifier::{CallError, Classifier};
use common::{Fake, Fault, config, load, write_corpus};
use evaluator::report::{CONFUSION_FILE, METRICS_FILE, SLICES_FILE, read_run, write_run};
use evaluator::tables::{ERROR_LABEL, PredictionRow};
use evaluator::{CorpusError, Run, evaluate, score};
use scenario::{Case, Prediction};

fn run(corpus: &std::path::Path, classifier: &dyn Classifier, threads: usize, trials: u32) -> Run {
    let suite = load(corpus);
    let ticks = AtomicU64::new(0);
    let run = evaluate(
        &suite,
        classifier,
        &config(corpus, "run-a", threads, trials),
        &|| {
            ticks.fetch_add(1, Ordering::Relaxed);
        },
    )
    .unwrap();
    assert_eq!(
        ticks.load(Ordering::Relaxed),
        suite.scenarios().len() as u64 * u64::from(trials)
    );
    run
}

/// The rows without the fields that legitimately vary between runs (wall-clock latency).
fn stable(rows: &[PredictionRow]) -> Vec<PredictionRow> {
    rows.iter()
        .cloned()
        .map(|r| PredictionRow {
            latency_ms: 0.0,
            ..r
        })
        .collect()
}

#[test]
fn one_thread_and_many_threads_give_identical_reports() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    write_corpus(&corpus, 120);
    let suite = load(&corpus);
    let fake = Fake::new(&suite, Fault::ErrorEvery(9));
    let one = run(&corpus, &fake, 1, 2);
    let many = run(&corpus, &fake, 4, 2);
    assert_eq!(one.info.threads, 1);
    assert_eq!(many.info.threads, 4);
    assert_eq!(stable(&one.predictions), stable(&many.predictions));
    let (s1, s4) = (score(&one.predictions), score(&many.predictions));
    assert_eq!(s1, s4);

    // The derived Parquet files are byte-identical.
    let (r1, r4) = (dir.path().join("reports1"), dir.path().join("reports4"));
    let d1 = write_run(&r1, &one, &s1).unwrap();
    let d4 = write_run(&r4, &many, &s4).unwrap();
    for file in [CONFUSION_FILE, METRICS_FILE, SLICES_FILE] {
        assert_eq!(
            std::fs::read(d1.join(file)).unwrap(),
            std::fs::read(d4.join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn every_scenario_once_per_trial_and_confusion_totals_match() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(dir.path(), 40);
    let suite = load(dir.path());
    let fake = Fake::new(&suite, Fault::FlakyOddTrials);
    let trials = 3;
    let run = run(dir.path(), &fake, 2, trials);
    assert_eq!(run.predictions.len(), 40 * 3);
    let mut seen: BTreeMap<(String, u32), u32> = BTreeMap::new();
    for r in &run.predictions {
        *seen.entry((r.scenario_id.clone(), r.trial)).or_default() += 1;
    }
    assert_eq!(seen.len(), 120);
    assert!(seen.values().all(|&n| n == 1));
    for s in suite.scenarios() {
        for t in 0..trials {
            assert_eq!(
                seen.get(&(s.id().to_owned(), t)),
                Some(&1),
                "{} trial {t}",
                s.id()
            );
        }
    }
    // Sorted by (scenario_id, trial).
    let keys: Vec<_> = run
        .predictions
        .iter()
        .map(|r| (r.scenario_id.clone(), r.trial))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);

    let scores = score(&run.predictions);
    for &level in Level::LABELED {
        let total: u64 = scores
            .confusion
            .iter()
            .filter(|c| c.level == level)
            .map(|c| c.count)
            .sum();
        assert_eq!(total, 120, "{level}");
    }
    // Flaky in odd trials on every third scenario (i % 3 == 0), answering `healthy`: the healthy
    // ones among them (i % 4 == 0) do not flip.
    let fm = scores.overall(Level::FailureMode).unwrap();
    let flips = (0..40).filter(|i| i % 3 == 0 && i % 4 != 0).count() as f64 / 40.0;
    assert!((fm.flip_rate.unwrap() - flips).abs() < 1e-12, "{fm:?}");
    // Healthy ones answered healthy do not flip; others fail trial 1 only: majority still right.
    assert!(fm.majority_accuracy.unwrap() > fm.pass_k.unwrap());
    assert_eq!(run.info.predictions, 120);
    assert_eq!(run.info.trials, 3);
}

#[test]
fn failed_calls_are_error_rows_at_every_level() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(dir.path(), 30);
    let suite = load(dir.path());
    let fake = Fake::new(&suite, Fault::ErrorEvery(10));
    let run = run(dir.path(), &fake, 2, 1);
    let errors: Vec<_> = run
        .predictions
        .iter()
        .filter(|r| r.error.is_some())
        .collect();
    assert_eq!(errors.len(), 3);
    assert_eq!(run.info.errors, 3);
    for r in errors {
        assert_eq!(r.predicted_failure_mode, ERROR_LABEL);
        assert_eq!(r.predicted_category, ERROR_LABEL);
        assert_eq!(r.predicted_root_cause, ERROR_LABEL);
        assert!(r.error.as_deref().unwrap().starts_with("timeout after 5s"));
        assert!(!r.correct_failure_mode && !r.correct_category);
        assert_eq!(r.correct_root_cause, Some(false));
        assert!(r.correct_localization.is_none_or(|c| !c));
        assert_eq!((r.predicted_pod.as_deref(), r.confidence), (None, None));
    }
    // Everything else is right: 27 of 30.
    let fm = score(&run.predictions);
    assert!((fm.overall(Level::FailureMode).unwrap().accuracy.unwrap() - 0.9).abs() < 1e-12);
}

#[derive(Debug)]
struct Panicky;

impl Classifier for Panicky {
    fn name(&self) -> String {
        "panicky".into()
    }
    fn version(&self) -> String {
        "0".into()
    }
    fn classify(&self, case: &Case, _trial: u32) -> Result<Prediction, CallError> {
        if case.context.workload_name.ends_with('3') {
            panic!("boom on {}", case.context.workload_name);
        }
        let mut p = Prediction::unknown("abstains");
        if case.context.workload_name.ends_with('5') {
            p.confidence = Some(7.0);
        }
        Ok(p)
    }
    fn concurrency(&self) -> Option<usize> {
        Some(1)
    }
    fn finish(&self) -> Vec<String> {
        vec!["finished".into()]
    }
}

#[test]
fn panics_and_invalid_predictions_are_error_rows_and_concurrency_caps_threads() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(dir.path(), 20);
    let run = run(dir.path(), &Panicky, 4, 1);
    assert_eq!(run.info.threads, 1, "concurrency() = 1 caps the pool");
    assert_eq!(run.info.classifier_notes, ["finished"]);
    let by_workload = |n: &str| {
        run.predictions
            .iter()
            .find(|r| {
                r.scenario_id
                    .starts_with(&format!("{:04}", n.parse::<usize>().unwrap()))
            })
            .unwrap()
    };
    assert_eq!(
        by_workload("13").error.as_deref(),
        Some("classifier panicked: boom on api-13")
    );
    assert!(
        by_workload("15")
            .error
            .as_deref()
            .unwrap()
            .starts_with("invalid prediction: confidence")
    );
    assert_eq!(by_workload("4").predicted_failure_mode, "unknown");
    assert_eq!(run.predictions.len(), 20);
}

#[test]
fn localization_needs_the_right_pod() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(dir.path(), 16);
    let suite = load(dir.path());
    let run = run(dir.path(), &Fake::new(&suite, Fault::WrongPod), 2, 1);
    for r in &run.predictions {
        match r.family.as_str() {
            "healthy" => assert_eq!(r.correct_localization, None),
            "image_pull_backoff" => {
                assert!(r.correct_failure_mode);
                assert_eq!(r.correct_localization, Some(false));
            }
            _ => assert_eq!(r.correct_localization, Some(true)),
        }
    }
    let scores = score(&run.predictions);
    // 12 rows with a pod, 4 of them image pull on the wrong pod.
    let loc = scores.overall(Level::Localization).unwrap();
    assert_eq!(loc.support, 12);
    assert!((loc.accuracy.unwrap() - 8.0 / 12.0).abs() < 1e-12);
}

#[test]
fn parquet_read_back_gives_the_same_rows_and_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    write_corpus(&corpus, 60);
    let suite = load(&corpus);
    let run = run(&corpus, &Fake::new(&suite, Fault::ErrorEvery(11)), 2, 2);
    let scores = score(&run.predictions);
    let reports = dir.path().join("reports");
    let run_dir = write_run(&reports, &run, &scores).unwrap();
    assert_eq!(run_dir, reports.join("run-a"));
    // Nothing but the run directory is left behind.
    let names: Vec<_> = std::fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["run-a"]);

    let back = read_run(&run_dir).unwrap();
    // run.json holds exactly what serde_json writes (its float parsing may differ in the last ulp).
    let json: evaluator::tables::RunInfo =
        serde_json::from_str(&serde_json::to_string(&run.info).unwrap()).unwrap();
    // ... plus the SHA-256 of each table, added as the run is written.
    let mut info = back.info.clone();
    assert_eq!(
        info.file_sha256
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        [
            "confusion.parquet",
            "metrics.parquet",
            "predictions.parquet",
            "slices.parquet"
        ]
    );
    info.file_sha256.clear();
    assert_eq!(info, json);
    assert_eq!(back.predictions, run.predictions);
    assert_eq!(back.confusion, scores.confusion);
    assert_eq!(back.metrics, scores.metrics);
    assert_eq!(back.slices, scores.slices);
    // Scoring the rows read back reproduces every number.
    assert_eq!(score(&back.predictions), scores);
    for &level in Level::ALL {
        assert_eq!(
            back.metrics.iter().filter(|m| m.level == level).count(),
            scores.metrics.iter().filter(|m| m.level == level).count()
        );
    }

    // A second write of the same run id is refused and changes nothing.
    let err = write_run(&reports, &run, &scores).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(read_run(&run_dir).unwrap(), back);
}

#[test]
fn a_corpus_changed_since_its_manifest_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(dir.path(), 4);
    let (hash, files, bytes) = scenario::manifest::content_hash(dir.path()).unwrap();
    let manifest = scenario::manifest::Manifest {
        schema_version: "1".into(),
        corpus_id: "gen-s7-n4".into(),
        seed: 7,
        count: 4,
        generator_version: "triagebench 0.1.0".into(),
        profile: "opensre".into(),
        templates_hash: "t".into(),
        split: None,
        twins: None,
        shard: None,
        counts: std::collections::BTreeMap::default(),
        files,
        bytes,
        content_hash: hash.clone(),
        derived: None,
    };
    std::fs::write(
        dir.path().join("manifest.json"),
        serde_json::to_string(&manifest).unwrap(),
    )
    .unwrap();
    let info = evaluator::corpus_info(dir.path(), false).unwrap();
    assert_eq!(
        (
            info.id.as_str(),
            info.hash.as_str(),
            info.seed,
            info.manifest
        ),
        ("gen-s7-n4", hash.as_str(), Some(7), true)
    );

    std::fs::write(
        dir.path().join("0001-crashloop-backoff/eks_events.json"),
        r#"{"warning_events": [ ]}"#,
    )
    .unwrap();
    let err = evaluator::corpus_info(dir.path(), false).unwrap_err();
    let CorpusError::Modified {
        manifest,
        recorded,
        actual,
    } = &err
    else {
        panic!("{err}")
    };
    assert!(manifest.ends_with("manifest.json"));
    assert_eq!(recorded, &hash);
    assert_ne!(actual, &hash);
    let msg = err.to_string();
    assert!(
        msg.contains("manifest.json") && msg.contains(&hash) && msg.contains(actual.as_str()),
        "{msg}"
    );
    // Allowed: the current hash is recorded.
    let info = evaluator::corpus_info(dir.path(), true).unwrap();
    assert_eq!(&info.hash, actual);
}

#[test]
fn summary_names_the_essentials() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(dir.path(), 24);
    let suite = load(dir.path());
    let run = run(dir.path(), &Fake::new(&suite, Fault::ErrorEvery(8)), 2, 2);
    let text = evaluator::summary::render(&run, &score(&run.predictions));
    for needle in [
        "run run-a",
        "scenarios/s",
        "failure_mode confusion",
        "(1) healthy",
        "95% CI",
        "pass^k",
        "accuracy by difficulty",
        "weakest adversarial signals (each at its weakest level)",
        "errors: 6 of 48 calls",
        "timeout after 5s",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

#[test]
fn concurrent_writers_of_one_run_id_leave_one_complete_directory() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    write_corpus(&corpus, 8);
    let suite = load(&corpus);
    let run = run(&corpus, &Fake::new(&suite, Fault::None), 1, 1);
    let scores = score(&run.predictions);
    let reports = dir.path().join("reports");
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| write_run(&reports, &run, &scores)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(r.to_string().contains("already exists"), "{r}");
    }
    assert_eq!(
        read_run(&reports.join("run-a")).unwrap().predictions,
        run.predictions
    );
    let names: Vec<_> = std::fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["run-a"], "no temp directory is left behind");
}

/// Always answers `registry_auth` (an image-pull cause the canonical 003 does not name).
#[derive(Debug)]
struct SaysRegistryAuth;

impl Classifier for SaysRegistryAuth {
    fn name(&self) -> String {
        "says-registry-auth".into()
    }
    fn version(&self) -> String {
        "1".into()
    }
    fn classify(&self, _case: &Case, _trial: u32) -> Result<Prediction, CallError> {
        Ok(Prediction {
            failure_mode: scenario::FailureMode::ImagePullBackoff,
            root_cause_category: scenario::Category::ConfigurationError,
            root_cause: scenario::RootCause::RegistryAuth,
            exit_code: None,
            affected_pod: None,
            affected_container: None,
            confidence: None,
            explanation: String::new(),
        })
    }
}

#[test]
fn an_acceptable_root_cause_is_right_and_the_confusion_keeps_the_primary_label() {
    let tmp = tempfile::tempdir().unwrap();
    let canonical = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/canonical");
    copy_dir(&canonical, tmp.path());
    let answer = tmp.path().join("003-image-pull-backoff/answer.yml");
    let text = std::fs::read_to_string(&answer).unwrap();
    std::fs::write(
        &answer,
        format!("{text}acceptable_root_causes: [registry_auth]\n"),
    )
    .unwrap();
    let suite = load(tmp.path());
    let cfg = evaluator::EvalConfig {
        run_id: Some("acceptable".into()),
        threads: 1,
        trials: 1,
        classifier_spec: "test".into(),
        corpus: evaluator::corpus_info(tmp.path(), true).unwrap(),
        skipped: Vec::new(),
        ablate: Vec::new(),
        ablate_as: scenario::ablation::AblateAs::Absent,
        shard: None,
    };
    let run = evaluate(&suite, &SaysRegistryAuth, &cfg, &|| {}).unwrap();
    let row = run
        .predictions
        .iter()
        .find(|r| r.expected_root_cause.as_deref() == Some("image_not_found"))
        .unwrap();
    assert!(
        row.correct_root_cause == Some(true) && row.correct_category && row.correct_failure_mode
    );
    assert_eq!(
        row.expected_root_cause.as_deref(),
        Some("image_not_found"),
        "the primary label is kept"
    );
    let scores = score(&run.predictions);
    let cell = scores
        .confusion
        .iter()
        .find(|c| {
            c.level == scenario::Level::RootCause
                && c.expected == "image_not_found"
                && c.predicted == "registry_auth"
        })
        .unwrap();
    assert_eq!(cell.count, 1, "off the diagonal of the confusion matrix");
    // Of the 4 canonical scenarios only 003 is right at the cause level.
    let acc = scores
        .metrics
        .iter()
        .find(|m| m.level == scenario::Level::RootCause && m.kind == "overall")
        .and_then(|m| m.accuracy)
        .unwrap();
    assert!((acc - 0.25).abs() < 1e-9, "{acc}");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

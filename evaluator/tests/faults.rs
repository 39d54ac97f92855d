//! The evaluator's side of issue 14 (faults and hostile inputs): reports that would land inside
//! the corpus or at a filesystem root are refused, manifest fields are checked against the
//! corpus, a flipped bit in a report table is caught by the digest in `run.json`, a corrupt
//! history can be rebuilt from the run directories, and the dashboard names every run file it
//! cannot read and picks the latest run by time.

mod common;

use std::path::Path;

use evaluator::pipeline::{Corpus, EvalRequest, NoProgress, PipelineError, run};
use evaluator::report::{self, ReportError};
use scenario::manifest::{MANIFEST_FILE, Manifest, content_hash};

fn request(corpus: &Path, reports: &Path, run_id: &str) -> EvalRequest {
    let mut r = EvalRequest::new(Corpus::dir(corpus), reports);
    r.run_id = Some(run_id.to_owned());
    r.threads = 2;
    r
}

fn config_field(err: &PipelineError) -> Option<&'static str> {
    match err {
        PipelineError::Config { field, .. } => Some(field),
        _ => None,
    }
}

/// Writes a manifest that matches `dir` (as the generator would), with `edit` applied.
fn write_manifest(dir: &Path, edit: impl FnOnce(&mut Manifest)) {
    let (hash, files, bytes) = content_hash(dir).unwrap();
    let suite = scenario::load(dir).unwrap();
    let mut counts = scenario::load::label_counts(suite.scenarios());
    counts.retain(|k, _| k == "failure_mode" || k == "root_cause");
    let mut m = Manifest {
        schema_version: "1.0".into(),
        corpus_id: "abc123".into(),
        seed: 1,
        count: suite.scenarios().len() as u64,
        generator_version: "triagebench 0.1.0".into(),
        profile: "opensre".into(),
        templates_hash: "t".into(),
        split: None,
        twins: None,
        shard: None,
        counts,
        files,
        bytes,
        content_hash: hash,
        derived: None,
    };
    edit(&mut m);
    std::fs::write(dir.join(MANIFEST_FILE), serde_json::to_string(&m).unwrap()).unwrap();
}

#[test]
fn reports_inside_the_corpus_are_refused_naming_both() {
    // Item 3.
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    common::write_corpus(&corpus, 4);
    let reports = corpus.join("reports");
    let err = run(
        &request(&corpus, &reports, "r1"),
        &classifier::RULES,
        &NoProgress,
    )
    .unwrap_err();
    assert_eq!(config_field(&err), Some("reports"), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("is inside the corpus"), "{msg}");
    assert!(
        msg.contains(&reports.display().to_string()) && msg.contains(&corpus.display().to_string()),
        "{msg}"
    );
    assert!(!reports.exists(), "nothing written");
}

#[test]
fn a_filesystem_root_or_home_without_our_history_is_refused() {
    // Item 4: checked before anything is read or written.
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    common::write_corpus(&corpus, 4);
    let err = request(&corpus, Path::new("/"), "r1").check().unwrap_err();
    assert!(err.to_string().contains("a filesystem root"), "{err}");
    if let Some(home) = std::env::var_os("HOME").filter(|h| Path::new(h).is_dir())
        && !Path::new(&home).join("history.parquet").exists()
    {
        let err = request(&corpus, Path::new(&home), "r1")
            .check()
            .unwrap_err();
        assert!(err.to_string().contains("the home directory"), "{err}");
    }
    // A directory below them is fine.
    request(&corpus, &tmp.path().join("reports"), "r1")
        .check()
        .unwrap();
}

#[test]
fn manifest_fields_are_checked_against_the_corpus() {
    // Item 8: the manifest is not covered by the content hash, so its fields are checked.
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    common::write_corpus(&corpus, 8);
    let reports = tmp.path().join("reports");
    write_manifest(&corpus, |_| {});
    run(
        &request(&corpus, &reports, "ok"),
        &classifier::RULES,
        &NoProgress,
    )
    .expect("consistent");
    for (edit, field) in [
        (
            Box::new(|m: &mut Manifest| m.count = 999_999) as Box<dyn Fn(&mut Manifest)>,
            "count",
        ),
        (Box::new(|m: &mut Manifest| m.files += 1), "files"),
        (Box::new(|m: &mut Manifest| m.bytes = 1), "bytes"),
        (
            Box::new(|m: &mut Manifest| m.profile = "xml".into()),
            "profile",
        ),
        (
            Box::new(|m: &mut Manifest| {
                *m.counts
                    .get_mut("failure_mode")
                    .unwrap()
                    .get_mut("healthy")
                    .unwrap() += 5;
            }),
            "counts.failure_mode.healthy",
        ),
    ] {
        write_manifest(&corpus, edit);
        let err = run(
            &request(
                &corpus,
                &reports,
                &format!("bad-{}", field.replace('.', "-")),
            ),
            &classifier::RULES,
            &NoProgress,
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("manifest.json") && msg.contains(&format!(": {field}: ")),
            "{field}: {msg}"
        );
    }
}

#[test]
fn a_flipped_bit_in_a_report_table_is_caught() {
    // Item 9: every byte of every table is covered by the SHA-256 in run.json.
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    common::write_corpus(&corpus, 8);
    let reports = tmp.path().join("reports");
    let out = run(
        &request(&corpus, &reports, "r1"),
        &classifier::RULES,
        &NoProgress,
    )
    .unwrap();
    let clean = report::read_run(&out.dir).expect("reads back");
    assert_eq!(clean.info.file_sha256.len(), report::TABLE_FILES.len());
    let path = out.dir.join(report::PREDICTIONS_FILE);
    let original = std::fs::read(&path).unwrap();
    for at in [original.len() / 3, original.len() / 2, original.len() - 9] {
        let mut bytes = original.clone();
        bytes[at] ^= 0x04;
        std::fs::write(&path, &bytes).unwrap();
        let err = report::read_run(&out.dir).unwrap_err();
        assert!(
            matches!(err, ReportError::Digest { .. }),
            "byte {at}: {err}"
        );
        assert!(err.to_string().contains("predictions.parquet"), "{err}");
    }
    std::fs::write(&path, &original).unwrap();
    assert_eq!(report::read_run(&out.dir).unwrap(), clean);
}

#[test]
fn a_corrupt_history_is_rebuilt_from_the_run_directories() {
    // Item 16: the run is written even when the history cannot be read, and the history is
    // derived data: rebuilt, it holds exactly the rows eval appended.
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    common::write_corpus(&corpus, 8);
    let reports = tmp.path().join("reports");
    run(
        &request(&corpus, &reports, "r1"),
        &classifier::RULES,
        &NoProgress,
    )
    .unwrap();
    run(
        &request(&corpus, &reports, "r2"),
        &classifier::STATUS_ONLY,
        &NoProgress,
    )
    .unwrap();
    let history_path = reports.join(evaluator::history::HISTORY_FILE);
    let rows = evaluator::history::read(&history_path).unwrap();
    std::fs::write(&history_path, b"PAR1 this is not parquet PAR1").unwrap();
    let err = run(
        &request(&corpus, &reports, "r3"),
        &classifier::RULES,
        &NoProgress,
    )
    .unwrap_err();
    let PipelineError::History { dir, .. } = &err else {
        panic!("{err}")
    };
    assert!(
        dir.join(report::RUN_FILE).is_file(),
        "the run itself is written"
    );
    let done = evaluator::history::rebuild(&reports).unwrap();
    assert_eq!(done.runs.len(), 3, "{done:?}");
    assert!(done.skipped.is_empty(), "{done:?}");
    assert!(done.kept_old.as_ref().is_some_and(|p| p.is_file()));
    let rebuilt = evaluator::history::read(&history_path).unwrap();
    // Run-level figures come back from run.json, which serde_json parses to within one ulp
    // (without its float_roundtrip feature); every other field is exact.
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs());
    for id in ["r1", "r2"] {
        let before: Vec<_> = rows.iter().filter(|r| r.run_id == id).collect();
        let after: Vec<_> = rebuilt.iter().filter(|r| r.run_id == id).collect();
        assert_eq!(before.len(), after.len(), "{id}");
        for (b, a) in before.iter().zip(&after) {
            assert!(
                close(b.scenarios_per_second, a.scenarios_per_second),
                "{id}"
            );
            assert!(close(b.latency_p95_ms, a.latency_p95_ms), "{id}");
            match (
                b.end_to_end_scenarios_per_second,
                a.end_to_end_scenarios_per_second,
            ) {
                (Some(x), Some(y)) => assert!(close(x, y), "{id}"),
                (x, y) => assert_eq!(x, y, "{id}"),
            }
            let mut a = (*a).clone();
            a.scenarios_per_second = b.scenarios_per_second;
            a.end_to_end_scenarios_per_second = b.end_to_end_scenarios_per_second;
            a.latency_p50_ms = b.latency_p50_ms;
            a.latency_p95_ms = b.latency_p95_ms;
            a.latency_p99_ms = b.latency_p99_ms;
            assert_eq!(**b, a, "{id}");
        }
    }
    assert!(rebuilt.iter().any(|r| r.run_id == "r3"));
}

#[test]
fn the_dashboard_picks_the_latest_run_by_time_and_names_every_skipped_one() {
    // Item 17.
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    common::write_corpus(&corpus, 8);
    let reports = tmp.path().join("reports");
    let mut rows = Vec::new();
    // Run ids in the opposite order of their start times.
    for (id, at) in [
        ("zzz-old", "2026-01-01T00:00:00Z"),
        ("aaa-new", "2026-06-01T00:00:00Z"),
    ] {
        let mut r = request(&corpus, &reports, id);
        r.history = false;
        let out = run(&r, &classifier::RULES, &NoProgress).unwrap();
        let mut info = out.run.info.clone();
        info.started_at = at.to_owned();
        rows.extend(evaluator::history::rows_of(&info, &out.scores));
    }
    evaluator::history::append(&reports.join(evaluator::history::HISTORY_FILE), &rows).unwrap();
    let data = evaluator::dashboard::load(&reports).unwrap();
    assert_eq!(data.latest.as_ref().unwrap().info.run_id, "aaa-new");
    assert!(data.warnings.is_empty(), "{:?}", data.warnings);

    let metrics = reports.join("aaa-new").join(report::METRICS_FILE);
    let mut bytes = std::fs::read(&metrics).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x10;
    std::fs::write(&metrics, bytes).unwrap();
    let data = evaluator::dashboard::load(&reports).unwrap();
    assert_eq!(data.latest.as_ref().unwrap().info.run_id, "zzz-old");
    assert_eq!(data.warnings.len(), 1, "{:?}", data.warnings);
    assert!(
        data.warnings[0].contains("metrics.parquet"),
        "{:?}",
        data.warnings
    );

    std::fs::remove_dir_all(reports.join("zzz-old")).unwrap();
    let data = evaluator::dashboard::load(&reports).unwrap();
    assert!(data.latest.is_none());
    assert_eq!(data.warnings.len(), 2, "{:?}", data.warnings);
}

//! Issue 13 item 3: the shard runs of a corpus merge into the unsharded run. For random shard
//! counts, `eval --shard i/n` of every shard (through the pipeline, written to disk) merged by
//! `merge` gives confusion, metrics and slices files byte-identical to the unsharded run's,
//! and the same prediction rows but for `run_id` and the measured `latency_ms`; the merged
//! `run.json` adds the shards' times and counts. Also the refusals of `merge`, with nothing
//! written.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use evaluator::merge::{MergeError, merge, merge_runs};
use evaluator::pipeline::{Corpus, EvalRequest, NoProgress, PipelineError, run};
use evaluator::report::{CONFUSION_FILE, METRICS_FILE, SLICES_FILE, read_run};
use evaluator::tables::PredictionRow;
use proptest::prelude::*;
use scenario::shard::Shard;

/// A generated corpus of 37 scenarios (twins on, so pair slices cross shard boundaries), made
/// once for the whole test binary.
fn corpus() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let templates = generator::builtin_templates().unwrap();
        let out = tmp.path().join("corpus");
        let config = generator::Config::new(&templates, 37, 5, out.clone(), None, Some(1), false)
            .unwrap()
            .with_twins(0.5)
            .unwrap();
        generator::generate(&config, &templates, &generator::NoProgress).unwrap();
        (tmp, out)
    });
    path
}

fn eval(reports: &Path, id: &str, shard: Option<Shard>) -> Result<PathBuf, PipelineError> {
    let request = EvalRequest {
        run_id: Some(id.to_owned()),
        threads: 2,
        shard,
        ..EvalRequest::new(Corpus::dir(corpus()), reports)
    };
    run(&request, &classifier::RULES, &NoProgress).map(|o| o.dir)
}

fn normalized(rows: &[PredictionRow]) -> Vec<PredictionRow> {
    rows.iter()
        .cloned()
        .map(|mut r| {
            r.run_id = String::new();
            r.latency_ms = 0.0;
            r
        })
        .collect()
}

fn digest(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn merged_shards_equal_the_unsharded_run(count in 1u64..=9, order_seed in 0u64..1000) {
        let tmp = tempfile::tempdir().unwrap();
        let reports = tmp.path().join("reports");
        let whole = eval(&reports, "whole", None).unwrap();
        let mut dirs: Vec<PathBuf> = (0..count)
            .map(|i| eval(&reports, &format!("s{i}"), Some(Shard::new(i, count).unwrap())).unwrap())
            .collect();
        // Any order of the shard runs merges the same.
        dirs.rotate_left((order_seed % count) as usize);
        let (dir, merged, _) = merge(&dirs, &reports, Some("merged")).unwrap();
        let (a, b) = (read_run(&whole).unwrap(), read_run(&dir).unwrap());
        for file in [CONFUSION_FILE, METRICS_FILE, SLICES_FILE] {
            prop_assert!(digest(&whole.join(file)) == digest(&dir.join(file)), "{file} differs");
        }
        prop_assert_eq!(normalized(&a.predictions), normalized(&b.predictions));
        prop_assert!(b.predictions.iter().all(|r| r.run_id == "merged"));
        let i = &b.info;
        prop_assert_eq!((i.scenarios, i.predictions, i.errors), (37, 37, a.info.errors));
        prop_assert_eq!((&i.corpus_id, &i.corpus_hash), (&a.info.corpus_id, &a.info.corpus_hash));
        prop_assert!(i.shard.is_none());
        prop_assert_eq!(i.merged_from.len() as u64, count);
        prop_assert_eq!(&i.merged_from[0], "s0");
        let shards: Vec<_> = dirs.iter().map(|d| read_run(d).unwrap().info).collect();
        let wall: f64 = shards.iter().map(|s| s.wall_seconds).sum();
        let e2e: f64 = shards.iter().map(|s| s.end_to_end_seconds.unwrap()).sum();
        prop_assert!((i.wall_seconds - wall).abs() < 1e-9);
        prop_assert!((i.end_to_end_seconds.unwrap() - e2e).abs() < 1e-9);
        prop_assert_eq!(merged.info.run_id.as_str(), "merged");
        // The shard runs are not in the history; the whole run and the merged one are.
        let history = evaluator::history::trend(
            &evaluator::history::read(&reports.join(evaluator::history::HISTORY_FILE)).unwrap(),
        );
        let ids: Vec<&str> = history.iter().map(|r| r.run_id.as_str()).collect();
        prop_assert_eq!(ids.len(), 1, "merge() writes no history; eval of a shard does not either");
        prop_assert_eq!(ids[0], "whole");
    }
}

#[test]
fn each_shard_run_is_marked_and_end_to_end_is_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let reports = tmp.path().join("reports");
    let dir = eval(&reports, "s1", Some(Shard::new(1, 3).unwrap())).unwrap();
    let info = read_run(&dir).unwrap().info;
    let shard = info.shard.unwrap();
    assert_eq!(
        (shard.index, shard.count, shard.corpus_scenarios),
        (1, 3, 37)
    );
    assert!(!shard.shard_corpus);
    // Block 1 of 3 of 37: positions 12..24.
    assert_eq!(info.scenarios, 12);
    let e2e = info.end_to_end_seconds.unwrap();
    // End to end covers classification and more; both rates are rows over their times.
    assert!(e2e >= info.wall_seconds, "{e2e} < {}", info.wall_seconds);
    let rate = info.end_to_end_scenarios_per_second.unwrap();
    assert!((rate - 12.0 / e2e).abs() < 1e-6 * rate.max(1.0));
    assert!(!reports.join(evaluator::history::HISTORY_FILE).exists());
}

#[test]
fn a_shard_beyond_the_corpus_and_skip_invalid_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let reports = tmp.path().join("reports");
    let err = eval(&reports, "empty", Some(Shard::new(0, 50).unwrap())).unwrap_err();
    assert!(
        matches!(err, PipelineError::Config { field: "shard", .. }),
        "{err}"
    );
    assert!(err.to_string().contains("empty"), "{err}");
    let request = EvalRequest {
        shard: Some(Shard::new(0, 2).unwrap()),
        skip_invalid: true,
        ..EvalRequest::new(Corpus::dir(corpus()), &reports)
    };
    let err = run(&request, &classifier::RULES, &NoProgress).unwrap_err();
    assert!(
        matches!(err, PipelineError::Config { field: "shard", .. }),
        "{err}"
    );
    assert!(!reports.exists(), "nothing written");
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn merge_refuses_what_is_not_one_whole_run() {
    let tmp = tempfile::tempdir().unwrap();
    let reports = tmp.path().join("reports");
    let s = |i, n| Some(Shard::new(i, n).unwrap());
    let a0 = eval(&reports, "a0", s(0, 3)).unwrap();
    let a1 = eval(&reports, "a1", s(1, 3)).unwrap();
    let a2 = eval(&reports, "a2", s(2, 3)).unwrap();
    let b1 = eval(&reports, "b1", s(1, 2)).unwrap();
    let whole = eval(&reports, "whole", None).unwrap();
    let before = listing(&reports);
    let refused = |dirs: &[PathBuf], id: Option<&str>| {
        let e = merge(dirs, &reports, id).unwrap_err();
        assert_eq!(listing(&reports), before, "nothing written for: {e}");
        e.to_string()
    };
    // A missing shard is named.
    let e = refused(&[a0.clone(), a2.clone()], Some("m"));
    assert!(e.contains("missing shard 1/3"), "{e}");
    // The same shard twice.
    let e = refused(&[a0.clone(), a1.clone(), a1.clone(), a2.clone()], Some("m"));
    assert!(e.contains("shard 1/3 given twice"), "{e}");
    // Shards of another split.
    let e = refused(&[a0.clone(), b1.clone(), a2.clone()], Some("m"));
    assert!(e.contains("shard.count"), "{e}");
    // A run that is not a shard run.
    let e = refused(&[a0.clone(), whole.clone()], Some("m"));
    assert!(e.contains("not a shard run"), "{e}");
    // An existing run id.
    let e = refused(&[a0.clone(), a1.clone(), a2.clone()], Some("whole"));
    assert!(e.contains("already exists"), "{e}");
    assert!(matches!(
        merge(
            &[a0.clone(), a1.clone(), a2.clone()],
            &reports,
            Some("bad/id")
        )
        .unwrap_err(),
        MergeError::RunId(_)
    ));
    // Shards of a different corpus: the same shard run with another corpus hash in run.json.
    let other = tmp.path().join("other");
    copy_run(&a1, &other);
    edit_info(&other, |i| i.corpus_hash = "0000".into());
    let e = merge_runs(&[a0.clone(), other, a2.clone()], None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("corpus_hash") && e.contains("different corpora"),
        "{e}"
    );
    assert!(merge_runs(&[], None).is_err());
    // All three: merged, with a fresh run id when none is given.
    let (run, _) = merge_runs(&[a2, a0, a1], None).unwrap();
    assert!(run.info.run_id.contains("rules"), "{}", run.info.run_id);
    assert_eq!(run.info.merged_from, ["a0", "a1", "a2"]);
}

fn copy_run(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn edit_info(dir: &Path, f: impl FnOnce(&mut evaluator::tables::RunInfo)) {
    let mut info = evaluator::report::read_info(dir).unwrap();
    f(&mut info);
    std::fs::write(
        dir.join("run.json"),
        serde_json::to_vec_pretty(&info).unwrap(),
    )
    .unwrap();
}

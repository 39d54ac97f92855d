//! `reports/history.parquet` appends: concurrent writers never lose a row, a leftover temp file
//! or lock file from an interrupted writer changes nothing, a held lock makes a writer wait (and
//! time out cleanly), and an unreadable history is never overwritten.

use scenario::Level;
use std::fs::File;
use std::path::Path;
use std::time::Duration;

use evaluator::history::{append, append_with_timeout, read};
use evaluator::tables::HistoryRow;

fn rows(run: &str, n: usize) -> Vec<HistoryRow> {
    (0..n)
        .map(|i| HistoryRow {
            run_id: run.into(),
            started_at: "2026-11-21T08:15:00Z".into(),
            classifier: "rules".into(),
            classifier_version: "0.1.0".into(),
            corpus_id: "c".into(),
            corpus_hash: "h".into(),
            level: Level::FailureMode,
            class: (i > 0).then(|| format!("class-{i}")),
            accuracy: (i == 0).then_some(0.9),
            macro_f1: (i == 0).then_some(0.8),
            recall: (i > 0).then_some(0.7),
            scenarios_per_second: 1000.0,
            end_to_end_scenarios_per_second: (i % 2 == 0).then_some(400.0),
            latency_p50_ms: 0.1,
            latency_p95_ms: 0.2,
            latency_p99_ms: 0.3,
            errors: 1,
            scenarios: 10,
            trials: 1,
        })
        .collect()
}

fn run_ids(path: &Path) -> Vec<String> {
    read(path).unwrap().into_iter().map(|r| r.run_id).collect()
}

#[test]
fn concurrent_appends_keep_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.parquet");
    append(&path, &rows("seed", 2)).unwrap();
    std::thread::scope(|s| {
        for w in 0..8 {
            let path = &path;
            s.spawn(move || {
                for k in 0..5 {
                    append(path, &rows(&format!("w{w}-{k}"), 3)).unwrap();
                }
            });
        }
    });
    let ids = run_ids(&path);
    assert_eq!(ids.len(), 2 + 8 * 5 * 3);
    assert_eq!(ids.iter().filter(|id| *id == "seed").count(), 2);
    for w in 0..8 {
        for k in 0..5 {
            assert_eq!(
                ids.iter().filter(|id| **id == format!("w{w}-{k}")).count(),
                3,
                "w{w}-{k}"
            );
        }
    }
    // Only the history and its lock file remain.
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["history.parquet", "history.parquet.lock"]);
}

#[test]
fn an_interrupted_writer_leaves_the_old_rows_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.parquet");
    append(&path, &rows("r1", 3)).unwrap();
    let before = read(&path).unwrap();
    // A writer that died mid-write: a torn temp file and its lock file are left behind.
    std::fs::write(
        dir.path().join(".history.parquet.tmp-99999-0"),
        b"PAR1 torn",
    )
    .unwrap();
    std::fs::write(dir.path().join("history.parquet.lock"), b"99999").unwrap();
    assert_eq!(
        read(&path).unwrap(),
        before,
        "readers never see the temp file"
    );
    append(&path, &rows("r2", 2)).unwrap();
    let after = read(&path).unwrap();
    assert_eq!(&after[..3], &before[..]);
    assert_eq!(after.len(), 5);
    assert!(
        !dir.path().join(".history.parquet.tmp-99999-0").exists(),
        "the next append cleans up"
    );
}

#[test]
fn a_held_lock_makes_writers_wait_and_time_out_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.parquet");
    append(&path, &rows("r1", 1)).unwrap();
    let lock = File::create(dir.path().join("history.parquet.lock")).unwrap();
    lock.lock().unwrap();
    let err = append_with_timeout(&path, &rows("r2", 1), Duration::from_millis(100)).unwrap_err();
    assert!(err.to_string().contains("history.parquet.lock"), "{err}");
    assert_eq!(run_ids(&path), ["r1"]);
    // Released while a writer waits: it goes ahead.
    std::thread::scope(|s| {
        let waiter =
            s.spawn(|| append_with_timeout(&path, &rows("r3", 1), Duration::from_secs(10)));
        std::thread::sleep(Duration::from_millis(50));
        lock.unlock().unwrap();
        waiter.join().unwrap().unwrap();
    });
    assert_eq!(run_ids(&path), ["r1", "r3"]);
}

#[test]
fn an_unreadable_history_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.parquet");
    std::fs::write(&path, b"not parquet").unwrap();
    let err = append(&path, &rows("r1", 1)).unwrap_err();
    assert!(err.to_string().contains("history.parquet"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"not parquet");
    // A missing history reads as empty.
    assert!(read(&dir.path().join("none.parquet")).unwrap().is_empty());
}

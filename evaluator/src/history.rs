//! `reports/history.parquet`: the headline rows of every run, appended so that earlier rows are
//! never lost. An append takes an exclusive lock, reads the old file, writes old + new rows to a
//! temp file in the same directory, fsyncs it and renames it over the old one: a crash at any
//! point leaves either the old file or the new one, never a torn one.
//!
//! The lock is an OS advisory lock (`flock`, via `std::fs::File::try_lock`) on
//! `history.parquet.lock`, retried with backoff. The kernel drops it when its holder exits, so a
//! crashed writer can never leave a stale lock behind: a leftover lock file is simply reused.
//! The lock file is never deleted (deleting it would let two writers lock different inodes).
//! Temp files left by an interrupted writer are removed by the next append, under the lock.
//!
//! The history is derived data: [`rebuild`] recomputes it from the run directories (what
//! `triagebench history rebuild` does when the file is corrupt).

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

use scenario::Level;

use crate::columns::{BatchBuilder, Columns, read_parquet};
use crate::metrics::Scores;
use crate::report::{ReportError, dir_and_name, replace_file, temp_prefix};
use crate::tables::{HistoryRow, RunInfo};

/// `history.parquet`
pub const HISTORY_FILE: &str = "history.parquet";

/// How long an append waits for the lock before giving up.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// The history rows of one run: per level a headline row (`class` null: accuracy, macro F1),
/// then per class that occurs (`recall`).
pub fn rows_of(info: &RunInfo, scores: &Scores) -> Vec<HistoryRow> {
    let base = |level: Level, class: Option<String>| HistoryRow {
        run_id: info.run_id.clone(),
        started_at: info.started_at.clone(),
        classifier: info.classifier.clone(),
        classifier_version: info.classifier_version.clone(),
        corpus_id: info.corpus_id.clone(),
        corpus_hash: info.corpus_hash.clone(),
        level,
        class,
        accuracy: None,
        macro_f1: None,
        recall: None,
        scenarios_per_second: info.scenarios_per_second,
        end_to_end_scenarios_per_second: info.end_to_end_scenarios_per_second,
        latency_p50_ms: info.latency_p50_ms,
        latency_p95_ms: info.latency_p95_ms,
        latency_p99_ms: info.latency_p99_ms,
        errors: info.errors,
        scenarios: info.scenarios,
        trials: info.trials,
    };
    let mut out = Vec::new();
    for &level in Level::ALL {
        let Some(overall) = scores.overall(level) else {
            continue;
        };
        out.push(HistoryRow {
            accuracy: overall.accuracy,
            macro_f1: overall.macro_f1,
            ..base(level, None)
        });
        for class in scores.classes(level).filter(|c| c.support > 0) {
            out.push(HistoryRow {
                recall: class.recall,
                ..base(level, class.class.clone())
            });
        }
    }
    out
}

/// Appends `rows` to the history file at `path` (created if missing), under the lock.
pub fn append(path: &Path, rows: &[HistoryRow]) -> Result<(), ReportError> {
    append_with_timeout(path, rows, LOCK_TIMEOUT)
}

/// [`append`] with an explicit lock timeout.
pub fn append_with_timeout(
    path: &Path,
    rows: &[HistoryRow],
    timeout: Duration,
) -> Result<(), ReportError> {
    let (dir, name) = dir_and_name(path)?;
    let _lock = Lock::acquire(&dir.join(format!("{name}.lock")), timeout)?;

    remove_leftover_temps(&dir, &temp_prefix(&name))?;
    let mut all = if path.exists() {
        read(path)?
    } else {
        Vec::new()
    };
    all.extend_from_slice(rows);
    replace_file(path, |tmp| write_rows(tmp, &all))
}

fn remove_leftover_temps(dir: &Path, prefix: &str) -> Result<(), ReportError> {
    for entry in std::fs::read_dir(dir).map_err(ReportError::io(dir))? {
        let entry = entry.map_err(ReportError::io(dir))?;
        if entry.file_name().to_string_lossy().starts_with(prefix) {
            let p = entry.path();
            std::fs::remove_file(&p).map_err(ReportError::io(&p))?;
        }
    }
    Ok(())
}

/// An exclusive advisory lock on a lock file, released on drop (or by the kernel on exit).
#[derive(Debug)]
struct Lock {
    file: File,
}

impl Lock {
    fn acquire(path: &Path, timeout: Duration) -> Result<Lock, ReportError> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(ReportError::io(path))?;
        let start = Instant::now();
        let mut wait = Duration::from_millis(2);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Lock { file }),
                Err(TryLockError::WouldBlock) if start.elapsed() < timeout => {
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(Duration::from_millis(100));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(ReportError::Lock {
                        path: path.to_path_buf(),
                        message: format!("held by another writer for over {timeout:.0?}"),
                    });
                }
                Err(TryLockError::Error(source)) => {
                    return Err(ReportError::Io {
                        path: path.to_path_buf(),
                        source,
                    });
                }
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// Reads the history file; a missing file is an empty history.
pub fn read(path: &Path) -> Result<Vec<HistoryRow>, ReportError> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    read_parquet(path, |c: &Columns<'_>| {
        let s = |n: &str| c.str(n);
        let (run_id, started_at, classifier, version) = (
            s("run_id")?,
            s("started_at")?,
            s("classifier")?,
            s("classifier_version")?,
        );
        let (corpus_id, corpus_hash, level, class) = (
            s("corpus_id")?,
            s("corpus_hash")?,
            c.level("level")?,
            c.opt_str("class")?,
        );
        let (accuracy, macro_f1, recall) = (
            c.opt_f64("accuracy")?,
            c.opt_f64("macro_f1")?,
            c.opt_f64("recall")?,
        );
        let (sps, p50, p95, p99) = (
            c.f64("scenarios_per_second")?,
            c.f64("latency_p50_ms")?,
            c.f64("latency_p95_ms")?,
            c.f64("latency_p99_ms")?,
        );
        let (errors, scenarios, trials) = (c.u64("errors")?, c.u64("scenarios")?, c.i32("trials")?);
        // Added with the end-to-end figure: null in older history files.
        let e2e = c.added_f64("end_to_end_scenarios_per_second")?;
        Ok((0..run_id.len())
            .map(|i| HistoryRow {
                run_id: run_id[i].clone(),
                started_at: started_at[i].clone(),
                classifier: classifier[i].clone(),
                classifier_version: version[i].clone(),
                corpus_id: corpus_id[i].clone(),
                corpus_hash: corpus_hash[i].clone(),
                level: level[i],
                class: class[i].clone(),
                accuracy: accuracy[i],
                macro_f1: macro_f1[i],
                recall: recall[i],
                scenarios_per_second: sps[i],
                end_to_end_scenarios_per_second: e2e[i],
                latency_p50_ms: p50[i],
                latency_p95_ms: p95[i],
                latency_p99_ms: p99[i],
                errors: errors[i],
                scenarios: scenarios[i],
                trials: u32::try_from(trials[i]).unwrap_or(0),
            })
            .collect())
    })
}

fn write_rows(path: &Path, rows: &[HistoryRow]) -> Result<(), ReportError> {
    BatchBuilder::default()
        .str("run_id", rows.iter().map(|r| r.run_id.as_str()))
        .str("started_at", rows.iter().map(|r| r.started_at.as_str()))
        .str("classifier", rows.iter().map(|r| r.classifier.as_str()))
        .str(
            "classifier_version",
            rows.iter().map(|r| r.classifier_version.as_str()),
        )
        .str("corpus_id", rows.iter().map(|r| r.corpus_id.as_str()))
        .str("corpus_hash", rows.iter().map(|r| r.corpus_hash.as_str()))
        .str("level", rows.iter().map(|r| r.level.as_str()))
        .opt_str("class", rows.iter().map(|r| r.class.as_deref()))
        .opt_f64("accuracy", rows.iter().map(|r| r.accuracy))
        .opt_f64("macro_f1", rows.iter().map(|r| r.macro_f1))
        .opt_f64("recall", rows.iter().map(|r| r.recall))
        .f64(
            "scenarios_per_second",
            rows.iter().map(|r| r.scenarios_per_second),
        )
        .opt_f64(
            "end_to_end_scenarios_per_second",
            rows.iter().map(|r| r.end_to_end_scenarios_per_second),
        )
        .f64("latency_p50_ms", rows.iter().map(|r| r.latency_p50_ms))
        .f64("latency_p95_ms", rows.iter().map(|r| r.latency_p95_ms))
        .f64("latency_p99_ms", rows.iter().map(|r| r.latency_p99_ms))
        .u64("errors", rows.iter().map(|r| r.errors))
        .u64("scenarios", rows.iter().map(|r| r.scenarios))
        .i32(
            "trials",
            rows.iter()
                .map(|r| i32::try_from(r.trials).unwrap_or(i32::MAX)),
        )
        .write(path)
}

/// What [`rebuild`] did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rebuilt {
    /// Runs whose rows are in the new history, oldest first.
    pub runs: Vec<String>,
    /// Run directories that could not be read (each with why); their rows are not in it.
    pub skipped: Vec<(std::path::PathBuf, String)>,
    /// Where the old history file was kept, if there was one.
    pub kept_old: Option<std::path::PathBuf>,
}

/// The hint every unreadable history carries: how to get a readable one back.
pub fn recovery_hint(reports: &Path) -> String {
    format!(
        "every run directory holds its own tables: rebuild the history from them with \
         `triagebench history rebuild --reports {}`",
        reports.display()
    )
}

/// Rebuilds `<reports>/history.parquet` from the run directories under `reports`: each run's
/// rows are recomputed from its `predictions.parquet` (verified against `run.json`) as `eval`
/// appended them (the run-level throughput and latency figures come from `run.json`, to within
/// one ulp of the appended ones). The old file, readable or not, is kept as `history.parquet.old`; rows
/// of runs whose directories are gone are only in that copy. Takes the history lock.
pub fn rebuild(reports: &Path) -> Result<Rebuilt, ReportError> {
    let path = reports.join(HISTORY_FILE);
    let (dir, name) = dir_and_name(&path)?;
    let _lock = Lock::acquire(&dir.join(format!("{name}.lock")), LOCK_TIMEOUT)?;
    remove_leftover_temps(&dir, &temp_prefix(&name))?;
    let mut out = Rebuilt::default();
    let mut runs = Vec::new();
    for run_dir in crate::report::list_runs(reports)? {
        match crate::report::read_run(&run_dir) {
            // A shard run is in the history through its merged run only, as `eval` left it.
            Ok(r) if r.info.shard.is_some() => {}
            Ok(r) => runs.push(r),
            Err(e) => out.skipped.push((run_dir, e.to_string())),
        }
    }
    runs.sort_by(|a, b| {
        (&a.info.started_at, &a.info.run_id).cmp(&(&b.info.started_at, &b.info.run_id))
    });
    let mut rows = Vec::new();
    for r in &runs {
        rows.extend(rows_of(&r.info, &crate::metrics::score(&r.predictions)));
        out.runs.push(r.info.run_id.clone());
    }
    if path.exists() {
        let old = dir.join(format!("{name}.old"));
        std::fs::copy(&path, &old).map_err(ReportError::io(&old))?;
        out.kept_old = Some(old);
    }
    replace_file(&path, |tmp| write_rows(tmp, &rows))?;
    Ok(out)
}

/// One run of the history with its rows folded together (what `triagebench history` prints).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunTrend {
    #[expect(missing_docs, reason = "history columns")]
    pub run_id: String,
    #[expect(missing_docs, reason = "history columns")]
    pub started_at: String,
    #[expect(missing_docs, reason = "history columns")]
    pub classifier: String,
    #[expect(missing_docs, reason = "history columns")]
    pub classifier_version: String,
    #[expect(missing_docs, reason = "history columns")]
    pub corpus_id: String,
    #[expect(missing_docs, reason = "history columns")]
    pub corpus_hash: String,
    /// Level -> accuracy (from the headline rows).
    pub accuracy: BTreeMap<Level, f64>,
    /// Level -> macro F1.
    pub macro_f1: BTreeMap<Level, f64>,
    /// Classification-only rows per second.
    pub scenarios_per_second: f64,
    /// End-to-end rows per second (load, hash, classify, write); `None` for older runs.
    #[serde(default)]
    pub end_to_end_scenarios_per_second: Option<f64>,
    #[expect(missing_docs, reason = "history columns")]
    pub latency_p50_ms: f64,
    #[expect(missing_docs, reason = "history columns")]
    pub latency_p95_ms: f64,
    #[expect(missing_docs, reason = "history columns")]
    pub latency_p99_ms: f64,
    #[expect(missing_docs, reason = "history columns")]
    pub errors: u64,
    #[expect(missing_docs, reason = "history columns")]
    pub scenarios: u64,
    #[expect(missing_docs, reason = "history columns")]
    pub trials: u32,
}

/// Folds history rows into one [`RunTrend`] per run, oldest first (by start time, then id).
pub fn trend(rows: &[HistoryRow]) -> Vec<RunTrend> {
    let mut runs: Vec<RunTrend> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for r in rows {
        let i = *index.entry(&r.run_id).or_insert_with(|| {
            runs.push(RunTrend {
                run_id: r.run_id.clone(),
                started_at: r.started_at.clone(),
                classifier: r.classifier.clone(),
                classifier_version: r.classifier_version.clone(),
                corpus_id: r.corpus_id.clone(),
                corpus_hash: r.corpus_hash.clone(),
                accuracy: BTreeMap::default(),
                macro_f1: BTreeMap::default(),
                scenarios_per_second: r.scenarios_per_second,
                end_to_end_scenarios_per_second: r.end_to_end_scenarios_per_second,
                latency_p50_ms: r.latency_p50_ms,
                latency_p95_ms: r.latency_p95_ms,
                latency_p99_ms: r.latency_p99_ms,
                errors: r.errors,
                scenarios: r.scenarios,
                trials: r.trials,
            });
            runs.len() - 1
        });
        if r.class.is_none() {
            if let Some(a) = r.accuracy {
                runs[i].accuracy.insert(r.level, a);
            }
            if let Some(f) = r.macro_f1 {
                runs[i].macro_f1.insert(r.level, f);
            }
        }
    }
    runs.sort_by(|a, b| (&a.started_at, &a.run_id).cmp(&(&b.started_at, &b.run_id)));
    runs
}

//! The run directory `reports/<run-id>/`: writing it (every file into a temp directory, fsynced,
//! then one rename, so a reader never sees half a run) and reading every table back into the
//! row types of `tables`. Also the small atomic-file helper the other writers share.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::columns::{BatchBuilder, Columns, read_parquet};
use crate::eval::Run;
use crate::metrics::Scores;
use crate::tables::{ConfusionRow, MetricRow, PredictionRow, RunInfo, SliceRow};

/// `predictions.parquet`
pub const PREDICTIONS_FILE: &str = "predictions.parquet";
/// `confusion.parquet`
pub const CONFUSION_FILE: &str = "confusion.parquet";
/// `metrics.parquet`
pub const METRICS_FILE: &str = "metrics.parquet";
/// `slices.parquet`
pub const SLICES_FILE: &str = "slices.parquet";
/// `run.json`
pub const RUN_FILE: &str = "run.json";

/// Why a report could not be written or read. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// File system error.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Parquet or Arrow encoding/decoding error.
    #[error("{path}: {message}")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// What the parquet crate said.
        message: String,
    },
    /// A column is missing or has the wrong type.
    #[error("{path}: column {column}: {message}")]
    Column {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// `run.json` (or another JSON file) is malformed.
    #[error("{path}: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// What serde said, with the field.
        message: String,
    },
    /// The run directory already exists.
    #[error("{path}: already exists (pick another run id, or remove it)")]
    Exists {
        /// The directory.
        path: PathBuf,
    },
    /// A report file does not match the SHA-256 its `run.json` records.
    #[error(
        "{path}: SHA-256 is {actual} but run.json records {expected}: the file is corrupt or was \
         changed after the run was written"
    )]
    Digest {
        /// The file.
        path: PathBuf,
        /// The digest in `run.json`.
        expected: String,
        /// The digest of the file now.
        actual: String,
    },
    /// The history lock could not be taken.
    #[error("{path}: {message}")]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

impl ReportError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
        move |source| ReportError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// A run read back from its directory.
#[derive(Clone, Debug, PartialEq)]
pub struct RunReport {
    /// The run directory.
    pub dir: PathBuf,
    /// `run.json`.
    pub info: RunInfo,
    /// `predictions.parquet`.
    pub predictions: Vec<PredictionRow>,
    /// `confusion.parquet`.
    pub confusion: Vec<ConfusionRow>,
    /// `metrics.parquet`.
    pub metrics: Vec<MetricRow>,
    /// `slices.parquet`.
    pub slices: Vec<SliceRow>,
}

/// Writes `reports/<run-id>/` with every table and `run.json`, atomically: into
/// `reports/.tmp-<pid>-<run-id>-<random>/` (the writer's process id, so a later run can tell a
/// leftover of a killed writer from one in progress), each file fsynced, then renamed into
/// place. Refuses an existing run directory. Returns the run directory.
pub fn write_run(reports: &Path, run: &Run, scores: &Scores) -> Result<PathBuf, ReportError> {
    write_run_info(reports, run, scores, None).map(|(dir, _)| dir)
}

/// [`write_run`] for a run whose end-to-end time started at `started` (before the corpus was
/// loaded): `end_to_end_seconds` and `end_to_end_scenarios_per_second` are measured once the
/// tables are written, just before `run.json`. Returns the directory and the `run.json` written.
pub fn write_run_timed(
    reports: &Path,
    run: &Run,
    scores: &Scores,
    started: std::time::Instant,
) -> Result<(PathBuf, RunInfo), ReportError> {
    write_run_info(reports, run, scores, Some(started))
}

fn write_run_info(
    reports: &Path,
    run: &Run,
    scores: &Scores,
    started: Option<std::time::Instant>,
) -> Result<(PathBuf, RunInfo), ReportError> {
    std::fs::create_dir_all(reports).map_err(ReportError::io(reports))?;
    let dir = reports.join(&run.info.run_id);
    if dir.exists() {
        return Err(ReportError::Exists { path: dir });
    }
    // Removed on drop unless it was renamed into place.
    let tmp = temp_builder(
        &format!(".tmp-{}-{}-", std::process::id(), run.info.run_id),
        0o777,
    )
    .tempdir_in(reports)
    .map_err(ReportError::io(reports))?;
    let t = tmp.path();
    write_predictions(&t.join(PREDICTIONS_FILE), &run.predictions)?;
    write_confusion(&t.join(CONFUSION_FILE), &scores.confusion)?;
    write_metrics(&t.join(METRICS_FILE), &scores.metrics)?;
    write_slices(&t.join(SLICES_FILE), &scores.slices)?;
    let mut info = run.info.clone();
    for file in TABLE_FILES {
        let path = t.join(file);
        info.file_sha256
            .insert((*file).to_owned(), sha256_of(&path)?);
    }
    if let Some(started) = started {
        let seconds = started.elapsed().as_secs_f64();
        info.end_to_end_seconds = Some(seconds);
        info.end_to_end_scenarios_per_second =
            Some(crate::eval::per_second(info.predictions, seconds));
    }
    let mut json = serde_json::to_vec_pretty(&info).map_err(|e| ReportError::Json {
        path: t.join(RUN_FILE),
        message: e.to_string(),
    })?;
    json.push(b'\n');
    write_synced(&t.join(RUN_FILE), &json)?;
    sync_dir(t)?;
    if dir.exists() {
        return Err(ReportError::Exists { path: dir });
    }
    // A concurrent writer of the same run id may have won the race: its directory stays.
    std::fs::rename(t, &dir).map_err(|source| {
        if dir.exists() {
            ReportError::Exists { path: dir.clone() }
        } else {
            ReportError::Io {
                path: dir.clone(),
                source,
            }
        }
    })?;
    let _ = tmp.keep(); // renamed into place: nothing to remove
    sync_dir(reports)?;
    Ok((dir, info))
}

/// The table files of a run directory, each with its SHA-256 in `run.json`.
pub const TABLE_FILES: &[&str] = &[PREDICTIONS_FILE, CONFUSION_FILE, METRICS_FILE, SLICES_FILE];

/// Reads a run directory back, verifying every table against its SHA-256 in `run.json`.
pub fn read_run(dir: &Path) -> Result<RunReport, ReportError> {
    let info = read_info(dir)?;
    for file in TABLE_FILES {
        verify(dir, &info, file)?;
    }
    Ok(RunReport {
        dir: dir.to_path_buf(),
        predictions: read_predictions(&dir.join(PREDICTIONS_FILE))?,
        confusion: read_confusion(&dir.join(CONFUSION_FILE))?,
        metrics: read_metrics(&dir.join(METRICS_FILE))?,
        slices: read_slices(&dir.join(SLICES_FILE))?,
        info,
    })
}

/// Checks `dir/file` against the SHA-256 `run.json` records for it (a run written before the
/// digests existed records none, and is read as it is).
pub fn verify(dir: &Path, info: &RunInfo, file: &str) -> Result<(), ReportError> {
    let Some(expected) = info.file_sha256.get(file) else {
        return Ok(());
    };
    let path = dir.join(file);
    let actual = sha256_of(&path)?;
    if &actual == expected {
        Ok(())
    } else {
        Err(ReportError::Digest {
            path,
            expected: expected.clone(),
            actual,
        })
    }
}

fn sha256_of(path: &Path) -> Result<String, ReportError> {
    use sha2::Digest;
    let bytes = std::fs::read(path).map_err(ReportError::io(path))?;
    Ok(scenario::manifest::hex(&sha2::Sha256::digest(&bytes)))
}

/// Reads `run.json` of a run directory.
pub fn read_info(dir: &Path) -> Result<RunInfo, ReportError> {
    let path = dir.join(RUN_FILE);
    let text = std::fs::read_to_string(&path).map_err(ReportError::io(&path))?;
    let mut de = serde_json::Deserializer::from_str(&text);
    serde::Deserialize::deserialize(&mut de).map_err(|e: serde_json::Error| ReportError::Json {
        path,
        message: e.to_string(),
    })
}

/// Finds a run given as a directory (containing `run.json`) or as a run id under `reports`.
pub fn resolve_run(reports: &Path, run: &str) -> Option<PathBuf> {
    let as_dir = PathBuf::from(run);
    if as_dir.join(RUN_FILE).is_file() {
        return Some(as_dir);
    }
    let under = reports.join(run);
    (crate::eval::check_run_id(run).is_ok() && under.join(RUN_FILE).is_file()).then_some(under)
}

/// Run directories under `reports` (those with a `run.json`), sorted by run id (= start time).
pub fn list_runs(reports: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(reports) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(source) => {
            return Err(ReportError::Io {
                path: reports.to_path_buf(),
                source,
            });
        }
    };
    for entry in entries {
        let entry = entry.map_err(ReportError::io(reports))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') && entry.path().join(RUN_FILE).is_file() {
            out.push(entry.path());
        }
    }
    out.sort();
    Ok(out)
}

/// Writes `bytes` to `path` atomically: a temp file in the same directory, fsynced, renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    replace_file(path, |tmp| write_synced(tmp, bytes))
}

/// Replaces `path` with what `write` puts into a fresh temp file beside it
/// (`.<name>.tmp-<pid>-<random>`, from `tempfile`), renamed over `path`, then fsyncs the
/// directory.
/// If anything fails the temp file is removed and `path` is untouched: a reader sees the old
/// file or the new one, never a torn one. The one temp-then-rename write of the reports.
pub(crate) fn replace_file(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    let (parent, name) = dir_and_name(path)?;
    let tmp = temp_builder(
        &format!("{}{}-", temp_prefix(&name), std::process::id()),
        0o666,
    )
    .tempfile_in(&parent)
    .map_err(ReportError::io(&parent))?;
    write(tmp.path())?;
    tmp.persist(path)
        .map_err(|e| ReportError::io(path)(e.error))?;
    sync_dir(&parent)
}

/// A `tempfile` builder for a temp file or directory that becomes a user's output: created with
/// `mode` less the umask, as `File::create` and `create_dir` would, not tempfile's private 0600
/// and 0700.
pub(crate) fn temp_builder(prefix: &str, mode: u32) -> tempfile::Builder<'_, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    b
}

/// The directory of `path` (created if missing; `.` for a bare name) and its file name.
pub(crate) fn dir_and_name(path: &Path) -> Result<(PathBuf, String), ReportError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(ReportError::io(&dir))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((dir, name))
}

/// The name prefix of [`replace_file`]'s temp files for a file called `name` (the writer's
/// process id follows it).
pub(crate) fn temp_prefix(name: &str) -> String {
    format!(".{name}.tmp-")
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let mut f = std::fs::File::create(path).map_err(ReportError::io(path))?;
    f.write_all(bytes).map_err(ReportError::io(path))?;
    f.sync_all().map_err(ReportError::io(path))
}

/// fsyncs a directory so a rename in it is durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), ReportError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(ReportError::io(dir))
}

/// Writes `predictions.parquet`.
pub fn write_predictions(path: &Path, rows: &[PredictionRow]) -> Result<(), ReportError> {
    BatchBuilder::default()
        .str("run_id", rows.iter().map(|r| r.run_id.as_str()))
        .str("scenario_id", rows.iter().map(|r| r.scenario_id.as_str()))
        .str("case_id", rows.iter().map(|r| r.case_id.as_str()))
        .i32("trial", rows.iter().map(|r| r.trial as i32))
        .str("family", rows.iter().map(|r| r.family.as_str()))
        .i32("difficulty", rows.iter().map(|r| i32::from(r.difficulty)))
        .list_str(
            "adversarial_signals",
            rows.iter().map(|r| r.adversarial_signals.as_slice()),
        )
        .list_str(
            "evidence_available",
            rows.iter().map(|r| r.evidence_available.as_slice()),
        )
        .opt_str("twin_of", rows.iter().map(|r| r.twin_of.as_deref()))
        .opt_str("twin_kind", rows.iter().map(|r| r.twin_kind.as_deref()))
        .list_str(
            "evidence_unavailable",
            rows.iter().map(|r| r.evidence_unavailable.as_slice()),
        )
        .str(
            "expected_failure_mode",
            rows.iter().map(|r| r.expected_failure_mode.as_str()),
        )
        .str(
            "predicted_failure_mode",
            rows.iter().map(|r| r.predicted_failure_mode.as_str()),
        )
        .str(
            "expected_category",
            rows.iter().map(|r| r.expected_category.as_str()),
        )
        .str(
            "predicted_category",
            rows.iter().map(|r| r.predicted_category.as_str()),
        )
        .opt_str(
            "expected_root_cause",
            rows.iter().map(|r| r.expected_root_cause.as_deref()),
        )
        .str(
            "predicted_root_cause",
            rows.iter().map(|r| r.predicted_root_cause.as_str()),
        )
        .opt_str(
            "expected_pod",
            rows.iter().map(|r| r.expected_pod.as_deref()),
        )
        .opt_str(
            "predicted_pod",
            rows.iter().map(|r| r.predicted_pod.as_deref()),
        )
        .opt_str(
            "expected_container",
            rows.iter().map(|r| r.expected_container.as_deref()),
        )
        .opt_str(
            "predicted_container",
            rows.iter().map(|r| r.predicted_container.as_deref()),
        )
        .bool(
            "correct_failure_mode",
            rows.iter().map(|r| r.correct_failure_mode),
        )
        .bool("correct_category", rows.iter().map(|r| r.correct_category))
        .opt_bool(
            "correct_root_cause",
            rows.iter().map(|r| r.correct_root_cause),
        )
        .opt_bool(
            "correct_localization",
            rows.iter().map(|r| r.correct_localization),
        )
        .opt_f64("confidence", rows.iter().map(|r| r.confidence))
        .f64("latency_ms", rows.iter().map(|r| r.latency_ms))
        .opt_u64("input_tokens", rows.iter().map(|r| r.input_tokens))
        .opt_u64("output_tokens", rows.iter().map(|r| r.output_tokens))
        .opt_f64("cost_usd", rows.iter().map(|r| r.cost_usd))
        .opt_u64("tool_calls", rows.iter().map(|r| r.tool_calls))
        .opt_str("error", rows.iter().map(|r| r.error.as_deref()))
        .str("explanation", rows.iter().map(|r| r.explanation.as_str()))
        .opt_bool("opensre_pass", rows.iter().map(|r| r.opensre_pass))
        .opt_str(
            "opensre_reason",
            rows.iter().map(|r| r.opensre_reason.as_deref()),
        )
        .opt_u64("calls", rows.iter().map(|r| r.trajectory.calls))
        .opt_u64("refused", rows.iter().map(|r| r.trajectory.refused))
        .opt_u64("bytes_read", rows.iter().map(|r| r.trajectory.bytes_read))
        .opt_u64(
            "sources_touched",
            rows.iter().map(|r| r.trajectory.sources_touched),
        )
        .opt_bool(
            "required_sources_gathered",
            rows.iter().map(|r| r.trajectory.required_sources_gathered),
        )
        .opt_bool(
            "trajectory_set_ok",
            rows.iter().map(|r| r.trajectory.trajectory_set_ok),
        )
        .opt_f64(
            "trajectory_order",
            rows.iter().map(|r| r.trajectory.trajectory_order),
        )
        .opt_u64("loops", rows.iter().map(|r| r.trajectory.loops))
        .opt_bool("loops_ok", rows.iter().map(|r| r.trajectory.loops_ok))
        .opt_bool("queries_ok", rows.iter().map(|r| r.trajectory.queries_ok))
        .write(path)
}

/// Reads `predictions.parquet`.
pub fn read_predictions(path: &Path) -> Result<Vec<PredictionRow>, ReportError> {
    read_parquet(path, |c: &Columns<'_>| {
        let (run_id, scenario_id, case_id, trial) = (
            c.str("run_id")?,
            c.str("scenario_id")?,
            c.str("case_id")?,
            c.i32("trial")?,
        );
        let (family, difficulty) = (c.str("family")?, c.i32("difficulty")?);
        let (signals, available, unavailable) = (
            c.list_str("adversarial_signals")?,
            c.list_str("evidence_available")?,
            c.list_str("evidence_unavailable")?,
        );
        let (efm, pfm) = (
            c.str("expected_failure_mode")?,
            c.str("predicted_failure_mode")?,
        );
        let (ecat, pcat) = (c.str("expected_category")?, c.str("predicted_category")?);
        let (erc, prc) = (
            c.opt_str("expected_root_cause")?,
            c.str("predicted_root_cause")?,
        );
        let (epod, ppod) = (c.opt_str("expected_pod")?, c.opt_str("predicted_pod")?);
        let (ecnt, pcnt) = (
            c.opt_str("expected_container")?,
            c.opt_str("predicted_container")?,
        );
        let (cfm, ccat) = (c.bool("correct_failure_mode")?, c.bool("correct_category")?);
        let (crc, cloc) = (
            c.opt_bool("correct_root_cause")?,
            c.opt_bool("correct_localization")?,
        );
        let (conf, lat) = (c.opt_f64("confidence")?, c.f64("latency_ms")?);
        let (error, expl) = (c.opt_str("error")?, c.str("explanation")?);
        let (twin_of, twin_kind) = (
            c.opt_str_or_null("twin_of", run_id.len())?,
            c.opt_str_or_null("twin_kind", run_id.len())?,
        );
        let (input_tokens, output_tokens, cost_usd, tool_calls) = (
            c.added_u64("input_tokens")?,
            c.added_u64("output_tokens")?,
            c.added_f64("cost_usd")?,
            c.added_u64("tool_calls")?,
        );
        let n = run_id.len();
        let (opensre_pass, opensre_reason) = (
            c.added_bool("opensre_pass", n)?,
            c.opt_str_or_null("opensre_reason", n)?,
        );
        let (calls, refused, bytes_read, sources_touched, loops) = (
            c.added_u64("calls")?,
            c.added_u64("refused")?,
            c.added_u64("bytes_read")?,
            c.added_u64("sources_touched")?,
            c.added_u64("loops")?,
        );
        let (gathered, set_ok, loops_ok, queries_ok) = (
            c.added_bool("required_sources_gathered", n)?,
            c.added_bool("trajectory_set_ok", n)?,
            c.added_bool("loops_ok", n)?,
            c.added_bool("queries_ok", n)?,
        );
        let order = c.added_f64("trajectory_order")?;
        let mut rows = Vec::with_capacity(run_id.len());
        for i in 0..run_id.len() {
            rows.push(PredictionRow {
                opensre_pass: opensre_pass[i],
                opensre_reason: opensre_reason[i].clone(),
                trajectory: crate::trajectory::TrajectoryMetrics {
                    calls: calls[i],
                    refused: refused[i],
                    bytes_read: bytes_read[i],
                    sources_touched: sources_touched[i],
                    required_sources_gathered: gathered[i],
                    trajectory_set_ok: set_ok[i],
                    trajectory_order: order[i],
                    loops: loops[i],
                    loops_ok: loops_ok[i],
                    queries_ok: queries_ok[i],
                },
                input_tokens: input_tokens[i],
                output_tokens: output_tokens[i],
                cost_usd: cost_usd[i],
                tool_calls: tool_calls[i],
                run_id: run_id[i].clone(),
                scenario_id: scenario_id[i].clone(),
                case_id: case_id[i].clone(),
                trial: u32::try_from(trial[i]).map_err(|_| column_err(c, "trial", trial[i]))?,
                family: family[i].clone(),
                difficulty: u8::try_from(difficulty[i])
                    .map_err(|_| column_err(c, "difficulty", difficulty[i]))?,
                adversarial_signals: signals[i].clone(),
                evidence_available: available[i].clone(),
                evidence_unavailable: unavailable[i].clone(),
                twin_of: twin_of[i].clone(),
                twin_kind: twin_kind[i].clone(),
                expected_failure_mode: efm[i].clone(),
                predicted_failure_mode: pfm[i].clone(),
                expected_category: ecat[i].clone(),
                predicted_category: pcat[i].clone(),
                expected_root_cause: erc[i].clone(),
                predicted_root_cause: prc[i].clone(),
                expected_pod: epod[i].clone(),
                predicted_pod: ppod[i].clone(),
                expected_container: ecnt[i].clone(),
                predicted_container: pcnt[i].clone(),
                correct_failure_mode: cfm[i],
                correct_category: ccat[i],
                correct_root_cause: crc[i],
                correct_localization: cloc[i],
                confidence: conf[i],
                latency_ms: lat[i],
                error: error[i].clone(),
                explanation: expl[i].clone(),
            });
        }
        Ok(rows)
    })
}

fn column_err(c: &Columns<'_>, column: &str, value: i32) -> ReportError {
    ReportError::Column {
        path: c.file.to_path_buf(),
        column: column.into(),
        message: format!("out of range: {value}"),
    }
}

/// Writes `confusion.parquet`.
pub fn write_confusion(path: &Path, rows: &[ConfusionRow]) -> Result<(), ReportError> {
    BatchBuilder::default()
        .str("level", rows.iter().map(|r| r.level.as_str()))
        .str("expected", rows.iter().map(|r| r.expected.as_str()))
        .str("predicted", rows.iter().map(|r| r.predicted.as_str()))
        .u64("count", rows.iter().map(|r| r.count))
        .write(path)
}

/// Reads `confusion.parquet`.
pub fn read_confusion(path: &Path) -> Result<Vec<ConfusionRow>, ReportError> {
    read_parquet(path, |c: &Columns<'_>| {
        let (level, expected, predicted, count) = (
            c.level("level")?,
            c.str("expected")?,
            c.str("predicted")?,
            c.u64("count")?,
        );
        Ok((0..level.len())
            .map(|i| ConfusionRow {
                level: level[i],
                expected: expected[i].clone(),
                predicted: predicted[i].clone(),
                count: count[i],
            })
            .collect())
    })
}

/// Writes `metrics.parquet`.
pub fn write_metrics(path: &Path, rows: &[MetricRow]) -> Result<(), ReportError> {
    BatchBuilder::default()
        .str("level", rows.iter().map(|r| r.level.as_str()))
        .str("kind", rows.iter().map(|r| r.kind.as_str()))
        .opt_str("class", rows.iter().map(|r| r.class.as_deref()))
        .u64("support", rows.iter().map(|r| r.support))
        .opt_f64("precision", rows.iter().map(|r| r.precision))
        .opt_f64("recall", rows.iter().map(|r| r.recall))
        .opt_f64("f1", rows.iter().map(|r| r.f1))
        .opt_f64("accuracy", rows.iter().map(|r| r.accuracy))
        .opt_f64("accuracy_ci_low", rows.iter().map(|r| r.accuracy_ci_low))
        .opt_f64("accuracy_ci_high", rows.iter().map(|r| r.accuracy_ci_high))
        .opt_f64("macro_f1", rows.iter().map(|r| r.macro_f1))
        .opt_f64("weighted_f1", rows.iter().map(|r| r.weighted_f1))
        .opt_f64("kappa", rows.iter().map(|r| r.kappa))
        .opt_f64("flip_rate", rows.iter().map(|r| r.flip_rate))
        .opt_f64("pass_k", rows.iter().map(|r| r.pass_k))
        .opt_f64(
            "majority_accuracy",
            rows.iter().map(|r| r.majority_accuracy),
        )
        .opt_f64("ece_equal_width", rows.iter().map(|r| r.ece_equal_width))
        .opt_f64("ece_equal_mass", rows.iter().map(|r| r.ece_equal_mass))
        .opt_f64("brier", rows.iter().map(|r| r.brier))
        .opt_f64(
            "selective_accuracy_50",
            rows.iter().map(|r| r.selective_accuracy_50),
        )
        .opt_f64(
            "selective_accuracy_80",
            rows.iter().map(|r| r.selective_accuracy_80),
        )
        .opt_f64(
            "selective_accuracy_100",
            rows.iter().map(|r| r.selective_accuracy_100),
        )
        .opt_f64("mean_confidence", rows.iter().map(|r| r.mean_confidence))
        .opt_f64("bin_low", rows.iter().map(|r| r.bin_low))
        .opt_f64("bin_high", rows.iter().map(|r| r.bin_high))
        .opt_f64("cost_usd_total", rows.iter().map(|r| r.cost_usd_total))
        .opt_f64("cost_per_case", rows.iter().map(|r| r.cost_per_case))
        .opt_f64("cost_per_correct", rows.iter().map(|r| r.cost_per_correct))
        .opt_f64("tokens_per_case", rows.iter().map(|r| r.tokens_per_case))
        .opt_f64(
            "tool_calls_per_case",
            rows.iter().map(|r| r.tool_calls_per_case),
        )
        .write(path)
}

/// Reads `metrics.parquet`.
pub fn read_metrics(path: &Path) -> Result<Vec<MetricRow>, ReportError> {
    read_parquet(path, |c: &Columns<'_>| {
        let (level, kind, class, support) = (
            c.level("level")?,
            c.str("kind")?,
            c.opt_str("class")?,
            c.u64("support")?,
        );
        let f = |name: &str| c.opt_f64(name);
        let (precision, recall, f1) = (f("precision")?, f("recall")?, f("f1")?);
        let (acc, lo, hi) = (
            f("accuracy")?,
            f("accuracy_ci_low")?,
            f("accuracy_ci_high")?,
        );
        let (macro_f1, weighted_f1, kappa) = (f("macro_f1")?, f("weighted_f1")?, f("kappa")?);
        let (flip, pass, majority) = (f("flip_rate")?, f("pass_k")?, f("majority_accuracy")?);
        // Columns of report schema 2 (calibration); null in a run written by schema 1.
        let g = |name: &str| c.added_f64(name);
        let (ece_w, ece_m, brier) = (g("ece_equal_width")?, g("ece_equal_mass")?, g("brier")?);
        let (sel50, sel80, sel100) = (
            g("selective_accuracy_50")?,
            g("selective_accuracy_80")?,
            g("selective_accuracy_100")?,
        );
        let (mean_conf, bin_low, bin_high) = (g("mean_confidence")?, g("bin_low")?, g("bin_high")?);
        // Columns of report schema 3 (cost); null in older runs.
        let (cost_total, cost_case, cost_correct) = (
            g("cost_usd_total")?,
            g("cost_per_case")?,
            g("cost_per_correct")?,
        );
        let (tokens_case, tools_case) = (g("tokens_per_case")?, g("tool_calls_per_case")?);
        Ok((0..level.len())
            .map(|i| MetricRow {
                level: level[i],
                kind: kind[i].clone(),
                class: class[i].clone(),
                support: support[i],
                precision: precision[i],
                recall: recall[i],
                f1: f1[i],
                accuracy: acc[i],
                accuracy_ci_low: lo[i],
                accuracy_ci_high: hi[i],
                macro_f1: macro_f1[i],
                weighted_f1: weighted_f1[i],
                kappa: kappa[i],
                flip_rate: flip[i],
                pass_k: pass[i],
                majority_accuracy: majority[i],
                ece_equal_width: ece_w[i],
                ece_equal_mass: ece_m[i],
                brier: brier[i],
                selective_accuracy_50: sel50[i],
                selective_accuracy_80: sel80[i],
                selective_accuracy_100: sel100[i],
                mean_confidence: mean_conf[i],
                bin_low: bin_low[i],
                bin_high: bin_high[i],
                cost_usd_total: cost_total[i],
                cost_per_case: cost_case[i],
                cost_per_correct: cost_correct[i],
                tokens_per_case: tokens_case[i],
                tool_calls_per_case: tools_case[i],
            })
            .collect())
    })
}

/// Writes a dependence table (`triagebench ablate`) atomically: a temp file beside `path`,
/// renamed into place.
pub fn write_dependence(
    path: &Path,
    rows: &[crate::dependence::DependenceRow],
) -> Result<(), ReportError> {
    replace_file(path, |tmp| {
        BatchBuilder::default()
            .str("source", rows.iter().map(|r| r.source.as_str()))
            .str("ablated_as", rows.iter().map(|r| r.ablated_as.as_str()))
            .str("level", rows.iter().map(|r| r.level.as_str()))
            .u64("n", rows.iter().map(|r| r.n))
            .u64("with_source", rows.iter().map(|r| r.with_source))
            .f64("base_accuracy", rows.iter().map(|r| r.base_accuracy))
            .f64("ablated_accuracy", rows.iter().map(|r| r.ablated_accuracy))
            .f64("delta", rows.iter().map(|r| r.delta))
            .u64("newly_wrong", rows.iter().map(|r| r.newly_wrong))
            .u64("newly_right", rows.iter().map(|r| r.newly_right))
            .f64("p_value", rows.iter().map(|r| r.p_value))
            .write(tmp)
    })
}

/// Reads a dependence table.
pub fn read_dependence(path: &Path) -> Result<Vec<crate::dependence::DependenceRow>, ReportError> {
    read_parquet(path, |c: &Columns<'_>| {
        let (source, how, level) = (c.str("source")?, c.str("ablated_as")?, c.level("level")?);
        let (n, with) = (c.u64("n")?, c.u64("with_source")?);
        let (base, abl, delta) = (
            c.f64("base_accuracy")?,
            c.f64("ablated_accuracy")?,
            c.f64("delta")?,
        );
        let (wrong, right, p) = (
            c.u64("newly_wrong")?,
            c.u64("newly_right")?,
            c.f64("p_value")?,
        );
        Ok((0..level.len())
            .map(|i| crate::dependence::DependenceRow {
                source: source[i].clone(),
                ablated_as: how[i].clone(),
                level: level[i],
                n: n[i],
                with_source: with[i],
                base_accuracy: base[i],
                ablated_accuracy: abl[i],
                delta: delta[i],
                newly_wrong: wrong[i],
                newly_right: right[i],
                p_value: p[i],
            })
            .collect())
    })
}

/// Writes `slices.parquet`.
pub fn write_slices(path: &Path, rows: &[SliceRow]) -> Result<(), ReportError> {
    BatchBuilder::default()
        .str("dimension", rows.iter().map(|r| r.dimension.as_str()))
        .str("value", rows.iter().map(|r| r.value.as_str()))
        .str("level", rows.iter().map(|r| r.level.as_str()))
        .u64("n", rows.iter().map(|r| r.n))
        .u64("correct", rows.iter().map(|r| r.correct))
        .f64("accuracy", rows.iter().map(|r| r.accuracy))
        .f64("ci_low", rows.iter().map(|r| r.ci_low))
        .f64("ci_high", rows.iter().map(|r| r.ci_high))
        .write(path)
}

/// Reads `slices.parquet`.
pub fn read_slices(path: &Path) -> Result<Vec<SliceRow>, ReportError> {
    read_parquet(path, |c: &Columns<'_>| {
        let (dimension, value, level) = (c.str("dimension")?, c.str("value")?, c.level("level")?);
        let (n, correct) = (c.u64("n")?, c.u64("correct")?);
        let (acc, lo, hi) = (c.f64("accuracy")?, c.f64("ci_low")?, c.f64("ci_high")?);
        Ok((0..level.len())
            .map(|i| SliceRow {
                dimension: dimension[i].clone(),
                value: value[i].clone(),
                level: level[i],
                n: n[i],
                correct: correct[i],
                accuracy: acc[i],
                ci_low: lo[i],
                ci_high: hi[i],
            })
            .collect())
    })
}

/// Writes a report directory `dir` holding one table (written by `write_table` to the path it
/// is given, `<dir>/<table>`) and a text summary (`<dir>/<summary_file>`), atomically: both go
/// into a temp directory beside `dir` (fsynced), which is then renamed to `dir`. An existing
/// `dir` is refused ([`ReportError::Exists`]) before and after the work. The audit and the
/// consistency reports are written through it.
pub fn write_table_dir(
    dir: &Path,
    table: &str,
    write_table: impl FnOnce(&Path) -> Result<(), ReportError>,
    summary_file: &str,
    summary: &str,
) -> Result<(), ReportError> {
    if dir.exists() {
        return Err(ReportError::Exists {
            path: dir.to_path_buf(),
        });
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(ReportError::io(&parent))?;
    let name = dir
        .file_name()
        .map_or_else(|| table.to_owned(), |n| n.to_string_lossy().into_owned());
    // Removed on drop unless it was renamed into place.
    let tmp = temp_builder(&format!(".tmp-{name}-"), 0o777)
        .tempdir_in(&parent)
        .map_err(ReportError::io(&parent))?;
    let t = tmp.path();
    write_table(&t.join(table))?;
    let summary_path = t.join(summary_file);
    std::fs::write(&summary_path, summary)
        .and_then(|()| std::fs::File::open(&summary_path)?.sync_all())
        .map_err(ReportError::io(&summary_path))?;
    sync_dir(t)?;
    if dir.exists() {
        return Err(ReportError::Exists {
            path: dir.to_path_buf(),
        });
    }
    std::fs::rename(t, dir).map_err(ReportError::io(dir))?;
    let _ = tmp.keep(); // renamed into place: nothing to remove
    sync_dir(&parent)
}

/// The newest report directory under `<reports>/<kind>/`: the greatest name holding a
/// `table` file (default report ids start with their UTC time), if any.
pub fn latest_table_dir(
    reports: &Path,
    kind: &str,
    table: &str,
) -> Result<Option<PathBuf>, ReportError> {
    let root = reports.join(kind);
    let entries = match std::fs::read_dir(&root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(ReportError::Io { path: root, source }),
    };
    let mut best: Option<(String, PathBuf)> = None;
    for entry in entries {
        let entry = entry.map_err(ReportError::io(&root))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !entry.path().join(table).is_file() {
            continue;
        }
        if best.as_ref().is_none_or(|(b, _)| name > *b) {
            best = Some((name, entry.path()));
        }
    }
    Ok(best.map(|(_, p)| p))
}

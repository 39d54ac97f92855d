//! The accuracy dashboard: one self-contained HTML file (inline CSS and inline SVG, no script, no
//! network) drawn from the report tables (`docs/CONTRACT.md` section 5).
//!
//! [`render`] is a pure function of [`DashboardData`]: accuracy and macro F1 over runs per
//! classifier, the latest run's confusion matrices, per-class recall, calibration (a
//! reliability diagram), accuracy by difficulty,
//! adversarial signal and missing evidence with Wilson intervals, throughput and errors over runs,
//! repeated-trial figures, the latest `compare` result and the newest shortcut audit. [`load`]
//! fills a [`DashboardData`] from a reports directory. Every chart carries a stable `data-chart` attribute (see [`CHARTS`]) that
//! the browser check in `tests/browser/` looks for; a chart without data renders a "no data yet"
//! panel with `data-empty="true"` instead.

mod fmt;
mod sections;
mod svg;

use std::path::{Path, PathBuf};

use scenario::Level;

use crate::compare::Comparison;
use crate::report::{self, ReportError};
use crate::tables::{ConfusionRow, HistoryRow, MetricRow, RunInfo, SliceRow};

/// The file `triagebench compare` leaves in the reports directory.
pub const COMPARE_LATEST_FILE: &str = "compare-latest.json";

/// The dashboard's file name in the reports directory.
pub const DASHBOARD_FILE: &str = "dashboard.html";

/// The `data-chart` names the dashboard always emits (as a chart or as an empty panel).
/// `confusion-<level>` is emitted for every level but `localization`.
pub const CHARTS: &[&str] = &[
    "accuracy-trend",
    "macro-f1-trend",
    "confusion-failure_mode",
    "confusion-root_cause_category",
    "confusion-root_cause",
    "recall-bars",
    "reliability",
    "difficulty-slices",
    "signal-slices",
    "evidence-slices",
    "throughput-trend",
    "errors-trend",
    "trials",
    "compare",
    "audit-baselines",
    "audit-fingerprints",
    "consistency",
];

/// Everything the dashboard shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DashboardData {
    /// Rows of `reports/history.parquet`, any order.
    pub history: Vec<HistoryRow>,
    /// The newest run's own tables, when its directory could be read.
    pub latest: Option<LatestRun>,
    /// The last `triagebench compare` result (`reports/compare-latest.json`), if any.
    pub compare: Option<CompareSummary>,
    /// Every run directory [`load`] could not use (missing, unreadable, failing its digest),
    /// one line each; not shown on the page (`triagebench dashboard` prints them).
    pub warnings: Vec<String>,
    /// The newest shortcut audit under `reports/audits/`, if any.
    pub audit: Option<AuditSummary>,
    /// The newest consistency report under `reports/consistency/`, if any.
    pub consistency: Option<ConsistencySummary>,
}

/// The newest `triagebench consistency`: its directory name and the rows of its
/// `consistency.parquet`.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsistencySummary {
    /// The report directory's name (its id).
    pub id: String,
    /// Rows of `consistency.parquet`.
    pub rows: Vec<crate::consistency::ConsistencyRow>,
}

/// The newest `triagebench audit`: its directory name and the rows of its `audit.parquet`.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditSummary {
    /// The audit directory's name (its id).
    pub id: String,
    /// Rows of `audit.parquet`.
    pub rows: Vec<crate::audit::AuditRow>,
}

/// The newest run: its `run.json` facts and its metric, confusion and slice tables.
#[derive(Clone, Debug, PartialEq)]
pub struct LatestRun {
    /// The run's `run.json`.
    pub info: RunInfo,
    /// Rows of `metrics.parquet`.
    pub metrics: Vec<MetricRow>,
    /// Rows of `confusion.parquet`.
    pub confusion: Vec<ConfusionRow>,
    /// Rows of `slices.parquet`.
    pub slices: Vec<SliceRow>,
    /// The trajectory table of an interactive run ([`crate::trajectory::trajectory_table`]);
    /// empty for any other run.
    pub trajectory: Vec<(String, Vec<String>)>,
}

/// The latest `triagebench compare` result, as the dashboard shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareSummary {
    /// Base run id.
    pub base_run: String,
    /// Candidate run id.
    pub candidate_run: String,
    /// Whether the gate passed (exit code 0).
    pub passed: bool,
    /// Why the gate failed (empty when it passed).
    pub reasons: Vec<String>,
    /// Per-level accuracy comparison, in [`Level::ALL`] order.
    pub levels: Vec<CompareLevel>,
    /// Classes whose recall dropped, worst first.
    pub regressed_classes: Vec<ClassDelta>,
    /// Throughput of the base run, scenarios per second.
    pub base_scenarios_per_second: Option<f64>,
    /// Throughput of the candidate run, scenarios per second.
    pub candidate_scenarios_per_second: Option<f64>,
}

/// One level of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareLevel {
    /// The level.
    pub level: Level,
    /// Accuracy of the base run.
    pub base_accuracy: f64,
    /// Accuracy of the candidate run.
    pub candidate_accuracy: f64,
    /// McNemar's exact two-sided p-value on the discordant pairs.
    pub p_value: Option<f64>,
    /// Pairs right in the base and wrong in the candidate.
    pub newly_wrong: u64,
    /// Pairs wrong in the base and right in the candidate.
    pub newly_right: u64,
    /// Whether this level failed the gate.
    pub regressed: bool,
}

/// A per-class metric that changed between base and candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassDelta {
    /// The level.
    pub level: Level,
    /// The class.
    pub class: String,
    /// Which metric (`recall`, `precision`, `f1`).
    pub metric: String,
    /// Base value.
    pub base: f64,
    /// Candidate value.
    pub candidate: f64,
}

/// Renders the dashboard as one self-contained HTML document.
pub fn render(data: &DashboardData) -> String {
    sections::page(data)
}

impl From<&Comparison> for CompareSummary {
    fn from(c: &Comparison) -> CompareSummary {
        let mut regressed_classes: Vec<(f64, ClassDelta)> = c
            .levels
            .iter()
            .flat_map(|l| {
                l.classes
                    .iter()
                    .filter(|k| k.regressed)
                    .map(move |k| (l, k))
            })
            .map(|(l, k)| {
                let base = k.base_recall.unwrap_or(f64::NAN);
                let candidate = k.candidate_recall.unwrap_or(f64::NAN);
                let delta = k.recall_delta.unwrap_or(candidate - base);
                let row = ClassDelta {
                    level: l.level,
                    class: k.class.clone(),
                    metric: "recall".to_owned(),
                    base,
                    candidate,
                };
                (delta, row)
            })
            .collect();
        regressed_classes.sort_by(|a, b| a.0.total_cmp(&b.0));
        CompareSummary {
            base_run: c.base.run_id.clone(),
            candidate_run: c.candidate.run_id.clone(),
            passed: !c.is_worse(),
            reasons: c.reasons.clone(),
            levels: c
                .levels
                .iter()
                .map(|l| CompareLevel {
                    level: l.level,
                    base_accuracy: l.base_accuracy,
                    candidate_accuracy: l.candidate_accuracy,
                    p_value: Some(l.p_value),
                    newly_wrong: l.newly_wrong,
                    newly_right: l.newly_right,
                    regressed: l.is_worse(),
                })
                .collect(),
            regressed_classes: regressed_classes.into_iter().map(|(_, r)| r).collect(),
            base_scenarios_per_second: Some(c.throughput.base),
            candidate_scenarios_per_second: Some(c.throughput.candidate),
        }
    }
}

/// Why the dashboard's data could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// `history.parquet` is missing or holds no run.
    #[error("{}: no history yet; run `triagebench eval` first", .0.display())]
    NoHistory(PathBuf),
    /// `history.parquet` cannot be read.
    #[error("{source}\nhint: {hint}")]
    History {
        /// Why.
        source: ReportError,
        /// How to recover ([`crate::history::recovery_hint`]).
        hint: String,
    },
    /// A report table or `run.json` could not be read.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// `compare-latest.json` is malformed.
    #[error("{path}: {message}")]
    Compare {
        /// The file.
        path: PathBuf,
        /// What serde said, with the field.
        message: String,
    },
}

/// Reads everything the dashboard shows from a reports directory: `history.parquet`, the newest
/// run's directory (by start time in the history; a newer run whose directory is missing or
/// does not read is skipped with a warning, and the next newest is shown),
/// `compare-latest.json` when present and the newest audit under `audits/` when there is one.
pub fn load(reports: &Path) -> Result<DashboardData, DashboardError> {
    let history_path = reports.join(crate::history::HISTORY_FILE);
    let history =
        crate::history::read(&history_path).map_err(|source| DashboardError::History {
            source,
            hint: crate::history::recovery_hint(reports),
        })?;
    // Runs newest first by start time (then id): the latest is the newest whose directory
    // reads; every run directory that does not read is named in a warning.
    let mut runs: Vec<(&str, &str)> = history
        .iter()
        .map(|r| (r.started_at.as_str(), r.run_id.as_str()))
        .collect();
    runs.sort_unstable();
    runs.dedup();
    if runs.is_empty() {
        return Err(DashboardError::NoHistory(history_path));
    }
    let mut warnings = Vec::new();
    let mut latest = None;
    for (_, run_id) in runs.iter().rev() {
        let dir = reports.join(run_id);
        if !dir.join(report::RUN_FILE).is_file() {
            warnings.push(format!(
                "{}: run directory missing ({} is in the history)",
                dir.display(),
                run_id
            ));
            continue;
        }
        match read_latest(&dir) {
            Ok(run) => {
                latest = Some(run);
                break;
            }
            Err(e) => warnings.push(format!("{e} (run skipped)")),
        }
    }
    let compare_path = reports.join(COMPARE_LATEST_FILE);
    let compare = match std::fs::read_to_string(&compare_path) {
        Ok(text) => {
            let c: Comparison =
                serde_json::from_str(&text).map_err(|e| DashboardError::Compare {
                    path: compare_path.clone(),
                    message: e.to_string(),
                })?;
            Some(CompareSummary::from(&c))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(ReportError::Io {
                path: compare_path,
                source,
            }
            .into());
        }
    };
    let audit = match crate::audit::latest_audit(reports)? {
        Some(dir) => Some(AuditSummary {
            id: dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            rows: crate::audit::read_audit_table(&dir.join(crate::audit::AUDIT_FILE))?,
        }),
        None => None,
    };
    let consistency = match crate::consistency::latest_consistency(reports)? {
        Some(dir) => Some(ConsistencySummary {
            id: dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            rows: crate::consistency::read_consistency_table(
                &dir.join(crate::consistency::CONSISTENCY_FILE),
            )?,
        }),
        None => None,
    };
    Ok(DashboardData {
        history,
        latest,
        compare,
        warnings,
        audit,
        consistency,
    })
}

/// The tables of one run directory the dashboard shows, each verified against `run.json`.
fn read_latest(dir: &Path) -> Result<LatestRun, ReportError> {
    let info = report::read_info(dir)?;
    for file in [
        report::METRICS_FILE,
        report::CONFUSION_FILE,
        report::SLICES_FILE,
    ] {
        report::verify(dir, &info, file)?;
    }
    Ok(LatestRun {
        info,
        metrics: report::read_metrics(&dir.join(report::METRICS_FILE))?,
        confusion: report::read_confusion(&dir.join(report::CONFUSION_FILE))?,
        slices: report::read_slices(&dir.join(report::SLICES_FILE))?,
        trajectory: if dir.join(crate::trajectory::TRAJECTORIES_FILE).is_file() {
            crate::trajectory::trajectory_table(&report::read_predictions(
                &dir.join(report::PREDICTIONS_FILE),
            )?)
        } else {
            Vec::new()
        },
    })
}

//! The accuracy dashboard: one self-contained HTML file (inline CSS and inline SVG, no script, no
//! network) drawn from the report tables of SPEC section 6.
//!
//! [`render`] is a pure function of [`DashboardData`]: accuracy and macro F1 over runs per
//! classifier, the latest run's confusion matrices, per-class recall, accuracy by difficulty,
//! adversarial signal and missing evidence with Wilson intervals, throughput and errors over runs,
//! repeated-trial figures and the latest `compare` result. [`load`] fills a [`DashboardData`] from
//! a reports directory. Every chart carries a stable `data-chart` attribute (see [`CHARTS`]) that
//! the browser check in `tests/browser/` looks for; a chart without data renders a "no data yet"
//! panel with `data-empty="true"` instead.

mod fmt;
mod sections;
mod svg;

use crate::tables::{ConfusionRow, HistoryRow, MetricRow, RunInfo, SliceRow};

/// The `data-chart` names the dashboard always emits (as a chart or as an empty panel).
/// `confusion-<level>` is emitted for every level but `localization`.
pub const CHARTS: &[&str] = &[
    "accuracy-trend",
    "macro-f1-trend",
    "confusion-failure_mode",
    "confusion-root_cause_category",
    "confusion-root_cause",
    "recall-bars",
    "difficulty-slices",
    "signal-slices",
    "evidence-slices",
    "throughput-trend",
    "errors-trend",
    "trials",
    "compare",
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
    /// Per-level accuracy comparison, in [`crate::tables::LEVELS`] order.
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
    /// One of [`crate::tables::LEVELS`].
    pub level: String,
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
    /// One of [`crate::tables::LEVELS`].
    pub level: String,
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

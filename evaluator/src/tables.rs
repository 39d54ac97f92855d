//! Row types of the report tables (`docs/CONTRACT.md` section 5). These are the contract between the code that
//! writes reports (`report`), the code that reads them back (`compare`, `history`, `dashboard`)
//! and outside readers (DuckDB, pandas, Spark, Grafana): one struct per Parquet table, one field
//! per column, same names. Change them only with a version bump of `REPORT_SCHEMA_VERSION`.

use scenario::Level;
use serde::{Deserialize, Serialize};

/// Version of the report tables; recorded in `run.json`.
pub const REPORT_SCHEMA_VERSION: &str = "3";

/// The label written for a classifier call that failed.
pub const ERROR_LABEL: &str = "error";

/// `predictions.parquet`: one row per scenario and trial.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PredictionRow {
    /// Run this row belongs to.
    pub run_id: String,
    /// `scenario_id` of the scenario.
    pub scenario_id: String,
    /// Opaque id the classifier saw.
    pub case_id: String,
    /// 0-based trial number.
    pub trial: u32,
    /// Ground-truth failure mode (the scenario's family).
    pub family: String,
    /// 0..3.
    pub difficulty: u8,
    /// Adversarial signals of the scenario (list column).
    pub adversarial_signals: Vec<String>,
    /// Evidence kinds listed and answered by their tool (list column).
    pub evidence_available: Vec<String>,
    /// The other scenario of this one's counterfactual pair (`generate --twins`), if any.
    pub twin_of: Option<String>,
    /// The pair's kind (`pull_error`, `oom_scope`, ...).
    pub twin_kind: Option<String>,
    /// Evidence kinds listed but reported unavailable (list column).
    pub evidence_unavailable: Vec<String>,
    /// Expected / predicted failure mode (`error` when the call failed).
    pub expected_failure_mode: String,
    #[expect(missing_docs, reason = "see expected_failure_mode")]
    pub predicted_failure_mode: String,
    /// Expected / predicted category.
    pub expected_category: String,
    #[expect(missing_docs, reason = "see expected_category")]
    pub predicted_category: String,
    /// Expected root cause; null where the answer names none.
    pub expected_root_cause: Option<String>,
    #[expect(missing_docs, reason = "see expected_root_cause")]
    pub predicted_root_cause: String,
    /// Expected `namespace/pod`; null where there is none.
    pub expected_pod: Option<String>,
    #[expect(missing_docs, reason = "see expected_pod")]
    pub predicted_pod: Option<String>,
    /// Expected container.
    pub expected_container: Option<String>,
    #[expect(missing_docs, reason = "see expected_container")]
    pub predicted_container: Option<String>,
    /// Correct at level 1.
    pub correct_failure_mode: bool,
    /// Correct at level 2.
    pub correct_category: bool,
    /// Correct at level 3; null where the answer names no root cause.
    pub correct_root_cause: Option<bool>,
    /// Right mode for the right pod (and container, where expected); null where no pod is expected.
    pub correct_localization: Option<bool>,
    /// Classifier confidence 0..1.
    pub confidence: Option<f64>,
    /// Wall time of the classifier call, milliseconds.
    pub latency_ms: f64,
    /// Usage the classifier reported for the call (wire `usage`); null where it did not.
    pub input_tokens: Option<u64>,
    #[expect(missing_docs, reason = "see input_tokens")]
    pub output_tokens: Option<u64>,
    /// US dollars; see `input_tokens`.
    pub cost_usd: Option<f64>,
    #[expect(missing_docs, reason = "see input_tokens")]
    pub tool_calls: Option<u64>,
    /// Why the call failed; null on success.
    pub error: Option<String>,
    /// The classifier's explanation.
    pub explanation: String,
    /// OpenSRE's pass/fail of the case ([`crate::opensre_score`]); null in runs written
    /// before it existed.
    #[serde(default)]
    pub opensre_pass: Option<bool>,
    /// OpenSRE's failure reason (`missing required keywords: [...]`), empty on a pass; null
    /// where `opensre_pass` is.
    #[serde(default)]
    pub opensre_reason: Option<String>,
    /// The trajectory columns of an interactive run (all null otherwise).
    #[serde(flatten)]
    pub trajectory: crate::trajectory::TrajectoryMetrics,
}

/// `confusion.parquet`: long form, zero cells included.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionRow {
    /// A labeled level ([`Level::LABELED`]: not `localization`).
    pub level: Level,
    #[expect(missing_docs, reason = "expected label")]
    pub expected: String,
    #[expect(missing_docs, reason = "predicted label")]
    pub predicted: String,
    /// Number of (scenario, trial) pairs.
    pub count: u64,
}

/// `metrics.parquet`: per level, the overall row (`kind = "overall"`), one row per class
/// (`kind = "class"`), and where the classifier gave confidences the calibration row (`kind =
/// "calibration"`) and the reliability bins (`kind = "reliability_width"`, ten equal-width
/// bins, and `"reliability_mass"`, up to ten equal-mass bins, in bin order); see
/// [`crate::calibration`] for the definitions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricRow {
    /// The level scored.
    pub level: Level,
    /// `overall`, `class`, `calibration`, `reliability_width` or `reliability_mass`.
    pub kind: String,
    /// The class, for `kind = "class"`; null for overall rows.
    pub class: Option<String>,
    /// Rows scored (class rows: support = expected count; calibration and bin rows: the rows
    /// with a confidence, in the bin).
    pub support: u64,
    #[expect(missing_docs, reason = "class metric")]
    pub precision: Option<f64>,
    #[expect(missing_docs, reason = "class metric")]
    pub recall: Option<f64>,
    #[expect(missing_docs, reason = "class metric")]
    pub f1: Option<f64>,
    /// Overall rows: accuracy and its Wilson 95% interval (calibration and bin rows: the
    /// accuracy of their rows, no interval).
    pub accuracy: Option<f64>,
    #[expect(missing_docs, reason = "Wilson 95% lower bound")]
    pub accuracy_ci_low: Option<f64>,
    #[expect(missing_docs, reason = "Wilson 95% upper bound")]
    pub accuracy_ci_high: Option<f64>,
    #[expect(missing_docs, reason = "overall metric")]
    pub macro_f1: Option<f64>,
    #[expect(missing_docs, reason = "overall metric")]
    pub weighted_f1: Option<f64>,
    /// Cohen's kappa.
    pub kappa: Option<f64>,
    /// With trials > 1: share of scenarios whose k answers are not all equal.
    pub flip_rate: Option<f64>,
    /// With trials > 1: share of scenarios right in all k trials.
    pub pass_k: Option<f64>,
    /// With trials > 1: accuracy of the per-scenario majority answer.
    pub majority_accuracy: Option<f64>,
    /// Calibration rows: expected calibration error over ten equal-width bins.
    pub ece_equal_width: Option<f64>,
    /// Calibration rows: expected calibration error over ten equal-mass bins.
    pub ece_equal_mass: Option<f64>,
    /// Calibration rows: Brier score.
    pub brier: Option<f64>,
    /// Calibration rows: accuracy of the 50% most confident rows.
    pub selective_accuracy_50: Option<f64>,
    /// Calibration rows: accuracy of the 80% most confident rows.
    pub selective_accuracy_80: Option<f64>,
    /// Calibration rows: accuracy of all rows ranked by confidence (the calibration row's
    /// accuracy).
    pub selective_accuracy_100: Option<f64>,
    /// Calibration and bin rows: mean confidence.
    pub mean_confidence: Option<f64>,
    /// Bin rows: lowest confidence of the bin (equal width: its lower edge).
    pub bin_low: Option<f64>,
    /// Bin rows: highest confidence of the bin (equal width: its upper edge).
    pub bin_high: Option<f64>,
    /// Cost rows (`kind = "cost"`, report schema 3): sum of `cost_usd` ([`crate::cost`]).
    pub cost_usd_total: Option<f64>,
    /// Cost rows: mean `cost_usd` per call.
    pub cost_per_case: Option<f64>,
    /// Cost rows: total cost over the right answers at the level.
    pub cost_per_correct: Option<f64>,
    /// Cost rows: mean input plus output tokens per call.
    pub tokens_per_case: Option<f64>,
    /// Cost rows: mean tool calls per call.
    pub tool_calls_per_case: Option<f64>,
}

impl MetricRow {
    /// A per-class row (`kind = "class"`): precision, recall, F1 and support; every
    /// overall-only column is null.
    pub fn class_row(
        level: Level,
        class: &str,
        support: u64,
        precision: Option<f64>,
        recall: Option<f64>,
        f1: Option<f64>,
    ) -> Self {
        MetricRow {
            class: Some(class.to_owned()),
            support,
            precision,
            recall,
            f1,
            ..MetricRow::empty(level, "class")
        }
    }

    /// A row of `kind` at `level` with every other column null (support 0).
    pub fn empty(level: Level, kind: &str) -> Self {
        MetricRow {
            level,
            kind: kind.to_owned(),
            class: None,
            support: 0,
            precision: None,
            recall: None,
            f1: None,
            accuracy: None,
            accuracy_ci_low: None,
            accuracy_ci_high: None,
            macro_f1: None,
            weighted_f1: None,
            kappa: None,
            flip_rate: None,
            pass_k: None,
            majority_accuracy: None,
            ece_equal_width: None,
            ece_equal_mass: None,
            brier: None,
            selective_accuracy_50: None,
            selective_accuracy_80: None,
            selective_accuracy_100: None,
            mean_confidence: None,
            bin_low: None,
            bin_high: None,
            cost_usd_total: None,
            cost_per_case: None,
            cost_per_correct: None,
            tokens_per_case: None,
            tool_calls_per_case: None,
        }
    }
}

/// `slices.parquet`: accuracy of a subset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SliceRow {
    /// `difficulty`, `adversarial_signal`, `evidence_missing`, `family`.
    pub dimension: String,
    /// The value of the dimension (`2`, `healthy_siblings`, `datadog_logs`, ...).
    pub value: String,
    /// The level scored.
    pub level: Level,
    /// Rows in the slice that are scored at this level.
    pub n: u64,
    /// Of which correct.
    pub correct: u64,
    #[expect(missing_docs, reason = "correct / n")]
    pub accuracy: f64,
    #[expect(missing_docs, reason = "Wilson 95% lower bound")]
    pub ci_low: f64,
    #[expect(missing_docs, reason = "Wilson 95% upper bound")]
    pub ci_high: f64,
}

/// `history.parquet`: per run, one headline row per level (`class` null) and one per class
/// (recall only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryRow {
    #[expect(missing_docs, reason = "run id")]
    pub run_id: String,
    /// RFC 3339 UTC start time.
    pub started_at: String,
    #[expect(missing_docs, reason = "classifier name")]
    pub classifier: String,
    #[expect(missing_docs, reason = "classifier version")]
    pub classifier_version: String,
    #[expect(missing_docs, reason = "corpus id from the manifest")]
    pub corpus_id: String,
    #[expect(missing_docs, reason = "corpus content hash")]
    pub corpus_hash: String,
    /// The level scored.
    pub level: Level,
    /// Null for the level's headline row.
    pub class: Option<String>,
    #[expect(missing_docs, reason = "headline rows")]
    pub accuracy: Option<f64>,
    #[expect(missing_docs, reason = "headline rows")]
    pub macro_f1: Option<f64>,
    /// Class rows.
    pub recall: Option<f64>,
    #[expect(missing_docs, reason = "run throughput")]
    pub scenarios_per_second: f64,
    /// End-to-end rows per second of the run (`run.json`'s
    /// `end_to_end_scenarios_per_second`: load, hash, classify, write); null in rows written
    /// before the column existed and for runs without the figure.
    pub end_to_end_scenarios_per_second: Option<f64>,
    #[expect(missing_docs, reason = "latency percentiles, ms")]
    pub latency_p50_ms: f64,
    #[expect(missing_docs, reason = "latency percentiles, ms")]
    pub latency_p95_ms: f64,
    #[expect(missing_docs, reason = "latency percentiles, ms")]
    pub latency_p99_ms: f64,
    #[expect(missing_docs, reason = "error rows in the run")]
    pub errors: u64,
    #[expect(missing_docs, reason = "scenarios in the corpus")]
    pub scenarios: u64,
    #[expect(missing_docs, reason = "trials per scenario")]
    pub trials: u32,
}

/// `run.json`: what was run, on what, how fast. One per run directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// Sortable, unique: `20261121T081500Z-rules-1a2b3c`.
    pub run_id: String,
    /// RFC 3339 UTC start time.
    pub started_at: String,
    /// Classifier name (`Classifier::name`).
    pub classifier: String,
    /// Classifier version (`Classifier::version`).
    pub classifier_version: String,
    /// The `--classifier` spec it was built from.
    pub classifier_spec: String,
    /// Corpus id from the manifest; the corpus directory name when it has none.
    pub corpus_id: String,
    /// Content hash of the corpus (the manifest's, or computed when there is no manifest).
    pub corpus_hash: String,
    /// Corpus directory as given.
    pub corpus_path: String,
    /// Generator seed from the manifest; null without one.
    pub corpus_seed: Option<u64>,
    /// Whether the corpus had a `manifest.json`.
    pub corpus_manifest: bool,
    /// Threads that classified (the pool size, capped by the classifier's concurrency).
    pub threads: u32,
    /// Trials per scenario.
    pub trials: u32,
    /// Scenarios in the corpus.
    pub scenarios: u64,
    /// Prediction rows (scenarios x trials).
    pub predictions: u64,
    /// Rows whose classifier call failed.
    pub errors: u64,
    /// Wall time of the classification passes, seconds.
    pub wall_seconds: f64,
    /// Prediction rows per second of `wall_seconds`: classification alone (the classifier's
    /// speed), not what a user waits for; see `end_to_end_scenarios_per_second`.
    pub scenarios_per_second: f64,
    /// Wall time of the whole evaluation, seconds: loading and hashing the corpus, classifying,
    /// scoring and writing the tables (everything but writing `run.json` itself and the history
    /// append). A merged run: the sum over its shards. Null in runs written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_to_end_seconds: Option<f64>,
    /// Prediction rows per second of `end_to_end_seconds`: what a user of `eval` gets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_to_end_scenarios_per_second: Option<f64>,
    /// Latency percentiles of the classifier calls (nearest rank), milliseconds.
    pub latency_p50_ms: f64,
    #[expect(missing_docs, reason = "see latency_p50_ms")]
    pub latency_p95_ms: f64,
    #[expect(missing_docs, reason = "see latency_p50_ms")]
    pub latency_p99_ms: f64,
    /// Peak resident set size of the process (`VmHWM`), bytes; null where unknown.
    pub peak_rss_bytes: Option<u64>,
    /// Version of the evaluator that wrote the run.
    pub triagebench_version: String,
    /// [`REPORT_SCHEMA_VERSION`] of the tables.
    pub report_schema_version: String,
    /// Notes the classifier returned when it finished (replay: ids nobody asked for, ...).
    #[serde(default)]
    pub classifier_notes: Vec<String>,
    /// How many scenarios of the corpus `--skip-invalid` left out (they did not load).
    #[serde(default)]
    pub skipped: u64,
    /// The scenarios `--skip-invalid` left out, each with its load problems.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_scenarios: Vec<SkippedScenario>,
    /// SHA-256 (hex) of each table file of the run directory, by file name, written with the
    /// run and verified on every read (Parquet pages carry no checksum in the parquet crate we
    /// pin, so a flipped bit would otherwise change a result silently). Empty for runs written
    /// before it existed, and in memory before the run is written.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub file_sha256: std::collections::BTreeMap<String, String>,
    /// Evidence sources taken away from every case (`eval --ablate`); absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ablated: Vec<String>,
    /// How they were taken away (`absent` or `unavailable`); absent when nothing was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ablated_as: Option<String>,
    /// The shard of the corpus this run evaluated (`eval --shard`, or a shard corpus); absent
    /// for a whole corpus and for a merged run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<RunShard>,
    /// The shard runs a merged run was made of (`triagebench merge`), in shard order; absent
    /// for a run that was evaluated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<String>,
}

/// `run.json`'s `shard`: which part of which corpus a shard run evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunShard {
    /// 0-based shard index.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
    /// Scenarios in the whole corpus.
    pub corpus_scenarios: u64,
    /// Whether the run read a shard corpus (`generate --shard`; its `corpus_hash` is then the
    /// shard's content hash) rather than its shard of the whole corpus.
    pub shard_corpus: bool,
}

/// A scenario directory left out of a run because it did not load (`eval --skip-invalid`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedScenario {
    /// Directory name.
    pub scenario: String,
    /// Its load problems, `file: field: message`.
    pub problems: Vec<String>,
}

//! Comparing two runs, the regression gate: predictions paired by `(scenario_id, trial)`, per
//! level the accuracy of each on the paired rows, McNemar's exact test on the discordant pairs,
//! per-class recall / precision / F1 deltas (with the same test per class), the scenarios that
//! flipped, and a verdict. The candidate is `worse` when, at any level, it is significantly worse
//! (`p < alpha` and more newly-wrong than newly-right pairs), or its accuracy drops by more than
//! `max_drop`, or its throughput falls by more than `max_slowdown`, or its cost per case
//! (reported `usage`, [`crate::cost`]) rises by more than `max_cost_increase`.
//!
//! Beside the tests, a paired bootstrap interval of the accuracy difference per level and per
//! slice value (scenarios resampled with their base and candidate answers together,
//! [`crate::stats::paired_bootstrap`]), and Holm's correction of the p-values tested together:
//! the levels as one family, the classes of each level as another; each class says whether its
//! regression survives it.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use scenario::Level;
use serde::{Deserialize, Serialize};

use crate::metrics::{SLICE_DIMENSIONS, correct_at, labels_at, score, slice_values};
use crate::report::RunReport;
use crate::stats::{PairedUnit, holm, mcnemar_exact, paired_bootstrap};
use crate::tables::{PredictionRow, RunInfo};

/// Version of the compare JSON document.
pub const COMPARE_SCHEMA_VERSION: &str = "2";

/// The file `triagebench compare` writes into the reports directory (the dashboard shows it).
pub const LATEST_FILE: &str = "compare-latest.json";

/// Verdict string of a candidate that passes the gate.
pub const VERDICT_OK: &str = "ok";
/// Verdict string of a candidate that fails the gate.
pub const VERDICT_WORSE: &str = "worse";

/// Gate thresholds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareOptions {
    /// Significance level of McNemar's test.
    pub alpha: f64,
    /// Largest allowed absolute accuracy drop at any level (e.g. 0.02); `None`: not checked.
    pub max_drop: Option<f64>,
    /// Largest allowed throughput loss as a fraction of the base (0.2 = 20% slower); `None`: off.
    pub max_slowdown: Option<f64>,
    /// Compare runs on corpora with different content hashes.
    pub allow_different_corpus: bool,
    /// Largest allowed rise of the cost per case as a fraction of the base's (0.1 = 10% more);
    /// `None`: not checked. Both runs must have reported `cost_usd`.
    #[serde(default)]
    pub max_cost_increase: Option<f64>,
    /// Resamples of the paired bootstrap intervals (0: no intervals).
    #[serde(default = "default_resamples")]
    pub bootstrap_resamples: u32,
    /// Seed of the bootstrap's generator: the same runs and seed give the same intervals.
    #[serde(default)]
    pub seed: u64,
}

/// Resamples of the paired bootstrap unless told otherwise.
pub const DEFAULT_BOOTSTRAP_RESAMPLES: u32 = 2000;

fn default_resamples() -> u32 {
    DEFAULT_BOOTSTRAP_RESAMPLES
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            alpha: 0.05,
            max_drop: None,
            max_slowdown: None,
            allow_different_corpus: false,
            max_cost_increase: None,
            bootstrap_resamples: DEFAULT_BOOTSTRAP_RESAMPLES,
            seed: 0,
        }
    }
}

/// Why two runs cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// The runs were made on different corpora.
    #[error(
        "the runs were made on different corpora: base {base}, candidate {candidate} \
         (pass --allow-different-corpus to compare anyway)"
    )]
    DifferentCorpus {
        /// `run <id> (corpus <id>, content hash <hash>)` of the base.
        base: String,
        /// The same for the candidate.
        candidate: String,
    },
    /// No (scenario, trial) pair is in both runs.
    #[error("no (scenario_id, trial) pair is in both {base} and {candidate}")]
    NoPairs {
        #[expect(missing_docs, reason = "run id")]
        base: String,
        #[expect(missing_docs, reason = "run id")]
        candidate: String,
    },
    /// An option is out of range.
    #[error("{0}")]
    Option(String),
}

/// The identity and headline figures of one side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Side {
    #[expect(missing_docs, reason = "from run.json")]
    pub run_id: String,
    #[expect(missing_docs, reason = "from run.json")]
    pub started_at: String,
    #[expect(missing_docs, reason = "from run.json")]
    pub classifier: String,
    #[expect(missing_docs, reason = "from run.json")]
    pub classifier_version: String,
    #[expect(missing_docs, reason = "from run.json")]
    pub corpus_id: String,
    #[expect(missing_docs, reason = "from run.json")]
    pub corpus_hash: String,
    #[expect(missing_docs, reason = "from run.json")]
    pub predictions: u64,
    #[expect(missing_docs, reason = "from run.json")]
    pub errors: u64,
    #[expect(missing_docs, reason = "from run.json")]
    pub scenarios_per_second: f64,
}

impl Side {
    fn of(info: &RunInfo) -> Side {
        Side {
            run_id: info.run_id.clone(),
            started_at: info.started_at.clone(),
            classifier: info.classifier.clone(),
            classifier_version: info.classifier_version.clone(),
            corpus_id: info.corpus_id.clone(),
            corpus_hash: info.corpus_hash.clone(),
            predictions: info.predictions,
            errors: info.errors,
            scenarios_per_second: info.scenarios_per_second,
        }
    }
}

/// One scenario (and trial) whose correctness changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flip {
    #[expect(missing_docs, reason = "prediction row field")]
    pub scenario_id: String,
    #[expect(missing_docs, reason = "prediction row field")]
    pub trial: u32,
    #[expect(missing_docs, reason = "prediction row field")]
    pub difficulty: u8,
    #[expect(missing_docs, reason = "prediction row field")]
    pub family: String,
    /// Expected label at this level.
    pub expected: String,
    /// What the base predicted.
    pub base_predicted: String,
    /// What the candidate predicted.
    pub candidate_predicted: String,
}

/// Per-class change at one level, on the paired rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassDelta {
    #[expect(missing_docs, reason = "label")]
    pub class: String,
    /// Paired rows expected to be this class.
    pub support: u64,
    #[expect(
        missing_docs,
        reason = "metric of each side and the difference (candidate - base)"
    )]
    pub base_recall: Option<f64>,
    #[expect(missing_docs, reason = "see base_recall")]
    pub candidate_recall: Option<f64>,
    #[expect(missing_docs, reason = "see base_recall")]
    pub recall_delta: Option<f64>,
    #[expect(missing_docs, reason = "see base_recall")]
    pub base_precision: Option<f64>,
    #[expect(missing_docs, reason = "see base_recall")]
    pub candidate_precision: Option<f64>,
    #[expect(missing_docs, reason = "see base_recall")]
    pub precision_delta: Option<f64>,
    #[expect(missing_docs, reason = "see base_recall")]
    pub base_f1: Option<f64>,
    #[expect(missing_docs, reason = "see base_recall")]
    pub candidate_f1: Option<f64>,
    #[expect(missing_docs, reason = "see base_recall")]
    pub f1_delta: Option<f64>,
    /// Rows of this class right in the base and wrong in the candidate.
    pub newly_wrong: u64,
    /// Rows of this class wrong in the base and right in the candidate.
    pub newly_right: u64,
    /// McNemar's exact p on this class's rows.
    pub p_value: f64,
    /// `newly_wrong > newly_right` and `p_value < alpha`.
    pub regressed: bool,
    /// `p_value` after Holm's correction over the classes of this level that have a discordant
    /// pair (a class without one cannot be tested: 1).
    #[serde(default = "one")]
    pub p_holm: f64,
    /// `regressed`, and still significant after Holm's correction (`p_holm < alpha`).
    #[serde(default)]
    pub regressed_holm: bool,
}

fn one() -> f64 {
    1.0
}

/// The comparison at one level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LevelDelta {
    /// The level compared.
    pub level: Level,
    /// Paired rows scored at this level.
    pub n: u64,
    #[expect(missing_docs, reason = "accuracy on the paired rows")]
    pub base_accuracy: f64,
    #[expect(missing_docs, reason = "accuracy on the paired rows")]
    pub candidate_accuracy: f64,
    /// candidate - base.
    pub delta: f64,
    /// Discordant pairs: right in the base, wrong in the candidate (McNemar's b).
    pub newly_wrong: u64,
    /// Discordant pairs: wrong in the base, right in the candidate (McNemar's c).
    pub newly_right: u64,
    /// McNemar's exact two-sided p-value.
    pub p_value: f64,
    /// `p_value` after Holm's correction over the levels compared (those with a discordant pair).
    #[serde(default = "one")]
    pub p_holm: f64,
    /// Paired bootstrap interval of `delta` at `1 - alpha` (null without resamples).
    #[serde(default)]
    pub delta_ci_low: Option<f64>,
    #[expect(missing_docs, reason = "see delta_ci_low")]
    #[serde(default)]
    pub delta_ci_high: Option<f64>,
    /// `p_value < alpha` and `newly_wrong > newly_right`.
    pub significantly_worse: bool,
    /// `p_value < alpha` and `newly_right > newly_wrong`.
    pub significantly_better: bool,
    /// The accuracy dropped by more than `max_drop`.
    pub drop_exceeded: bool,
    /// Per class, in label order.
    pub classes: Vec<ClassDelta>,
    /// Newly wrong rows, easiest first (a regression on an easy case is the worst kind).
    pub flipped_wrong: Vec<Flip>,
    /// Newly right rows, easiest first.
    pub flipped_right: Vec<Flip>,
}

impl LevelDelta {
    /// Significantly worse, or the accuracy dropped by more than allowed.
    pub(crate) fn is_worse(&self) -> bool {
        self.significantly_worse || self.drop_exceeded
    }

    /// `worse` for a worse level, `better` for a significantly better one, else nothing.
    fn flag(&self, worse: &'static str, better: &'static str) -> &'static str {
        if self.is_worse() {
            worse
        } else if self.significantly_better {
            better
        } else {
            ""
        }
    }

    /// The classes worth showing: some row flipped, or the precision moved.
    fn changed_classes(&self) -> Vec<&ClassDelta> {
        self.classes
            .iter()
            .filter(|d| {
                d.newly_wrong + d.newly_right > 0
                    || d.precision_delta.is_some_and(|x| x.abs() > 1e-9)
            })
            .collect()
    }
}

/// The accuracy difference on one slice value at one level, with its paired bootstrap interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SliceDelta {
    /// A slice dimension of `slices.parquet` (`difficulty`, `adversarial_signal`,
    /// `evidence_missing`, `family`).
    pub dimension: String,
    /// Its value (`none`: no signal, nothing missing).
    pub value: String,
    #[expect(missing_docs, reason = "the level")]
    pub level: Level,
    /// Paired rows of the slice scored at the level.
    pub n: u64,
    /// Scenarios among them (the bootstrap's resampling units).
    pub scenarios: u64,
    #[expect(missing_docs, reason = "accuracy on the slice's paired rows")]
    pub base_accuracy: f64,
    #[expect(missing_docs, reason = "accuracy on the slice's paired rows")]
    pub candidate_accuracy: f64,
    /// candidate - base.
    pub delta: f64,
    /// Paired bootstrap interval of `delta` at `1 - alpha` (null without resamples).
    pub ci_low: Option<f64>,
    #[expect(missing_docs, reason = "see ci_low")]
    pub ci_high: Option<f64>,
}

/// Throughput of both sides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Throughput {
    #[expect(missing_docs, reason = "scenarios per second")]
    pub base: f64,
    #[expect(missing_docs, reason = "scenarios per second")]
    pub candidate: f64,
    /// candidate / base.
    pub ratio: f64,
    /// The candidate is slower than `max_slowdown` allows.
    pub exceeded: bool,
}

/// Cost of both sides on the paired rows (failure-mode level for the cost per right answer).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostDelta {
    /// Mean `cost_usd` per paired call (null where the side reported none).
    pub base_cost_per_case: Option<f64>,
    #[expect(missing_docs, reason = "see base_cost_per_case")]
    pub candidate_cost_per_case: Option<f64>,
    /// candidate / base cost per case (null unless both are known and the base's is > 0).
    pub ratio: Option<f64>,
    /// Total cost over right failure-mode answers.
    pub base_cost_per_correct: Option<f64>,
    #[expect(missing_docs, reason = "see base_cost_per_correct")]
    pub candidate_cost_per_correct: Option<f64>,
    /// Mean input plus output tokens per call.
    pub base_tokens_per_case: Option<f64>,
    #[expect(missing_docs, reason = "see base_tokens_per_case")]
    pub candidate_tokens_per_case: Option<f64>,
    /// The cost per case rose by more than `max_cost_increase`.
    pub exceeded: bool,
}

/// The whole comparison: the `--format json` document and `reports/compare-latest.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// [`COMPARE_SCHEMA_VERSION`].
    pub schema_version: String,
    #[expect(missing_docs, reason = "the base run")]
    pub base: Side,
    #[expect(missing_docs, reason = "the candidate run")]
    pub candidate: Side,
    /// The thresholds used.
    pub options: CompareOptions,
    /// Both runs are on the same corpus content.
    pub same_corpus: bool,
    /// (scenario, trial) pairs in both runs.
    pub paired: u64,
    /// Rows only in the base / only in the candidate (not compared).
    pub only_in_base: u64,
    #[expect(missing_docs, reason = "see only_in_base")]
    pub only_in_candidate: u64,
    /// Per level, in [`Level::ALL`] order.
    pub levels: Vec<LevelDelta>,
    /// Per slice dimension, value and level (dimensions in `slices.parquet` order, values
    /// sorted, levels in [`Level::ALL`] order).
    #[serde(default)]
    pub slices: Vec<SliceDelta>,
    #[expect(missing_docs, reason = "scenarios per second of each side")]
    pub throughput: Throughput,
    /// Cost on the paired rows; null when neither run reported usage.
    #[serde(default)]
    pub cost: Option<CostDelta>,
    /// [`VERDICT_OK`] or [`VERDICT_WORSE`].
    pub verdict: String,
    /// Why the verdict is `worse`, one sentence per failed check, naming the classes.
    pub reasons: Vec<String>,
    /// `level:class` of every class that regressed significantly.
    pub regressed_classes: Vec<String>,
    /// Those of `regressed_classes` that survive Holm's correction.
    #[serde(default)]
    pub regressed_classes_holm: Vec<String>,
    /// OpenSRE's pass rate of each side on the paired rows that both scored (reported, not
    /// gated); null when either run predates the column.
    #[serde(default)]
    pub opensre: Option<OpensreDelta>,
}

/// OpenSRE's pass/fail rate of both sides (`opensre_pass`), on the same paired rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpensreDelta {
    /// Paired rows where both sides have `opensre_pass`.
    pub n: u64,
    #[expect(missing_docs, reason = "pass rate of each side")]
    pub base: f64,
    #[expect(missing_docs, reason = "see base")]
    pub candidate: f64,
}

fn opensre_delta(pairs: &[(&PredictionRow, &PredictionRow)]) -> Option<OpensreDelta> {
    let both: Vec<(bool, bool)> = pairs
        .iter()
        .filter_map(|(b, c)| Some((b.opensre_pass?, c.opensre_pass?)))
        .collect();
    if both.is_empty() {
        return None;
    }
    let n = both.len() as f64;
    let rate = |f: fn(&(bool, bool)) -> bool| both.iter().filter(|p| f(p)).count() as f64 / n;
    Some(OpensreDelta {
        n: both.len() as u64,
        base: rate(|p| p.0),
        candidate: rate(|p| p.1),
    })
}

fn opensre_line(c: &Comparison) -> String {
    c.opensre.as_ref().map_or_else(String::new, |o| {
        format!(
            "OpenSRE pass rate (run_suite.score_result, not gated): {:.3} -> {:.3} ({:+.3}) on {} paired rows\n",
            o.base,
            o.candidate,
            o.candidate - o.base,
            o.n
        )
    })
}

impl Comparison {
    /// Whether the gate failed.
    pub fn is_worse(&self) -> bool {
        self.verdict == VERDICT_WORSE
    }
}

/// Compares `candidate` against `base`.
pub fn compare(
    base: &RunReport,
    candidate: &RunReport,
    options: &CompareOptions,
) -> Result<Comparison, CompareError> {
    if !(options.alpha > 0.0 && options.alpha < 1.0) {
        return Err(CompareError::Option(format!(
            "--alpha: expected a number in (0, 1), got {}",
            options.alpha
        )));
    }
    if let Some(d) = options.max_drop.filter(|d| !(0.0..=1.0).contains(d)) {
        return Err(CompareError::Option(format!(
            "--max-drop: expected a number in 0..1, got {d}"
        )));
    }
    if let Some(s) = options.max_slowdown.filter(|s| !(0.0..1.0).contains(s)) {
        return Err(CompareError::Option(format!(
            "--max-slowdown: expected a number in 0..1, got {s}"
        )));
    }
    if let Some(f) = options
        .max_cost_increase
        .filter(|f| !(f.is_finite() && *f >= 0.0))
    {
        return Err(CompareError::Option(format!(
            "--max-cost-increase: expected a fraction of at least 0, got {f}"
        )));
    }
    let same_corpus = base.info.corpus_hash == candidate.info.corpus_hash;
    if !same_corpus && !options.allow_different_corpus {
        let describe = |i: &RunInfo| {
            format!(
                "run {} (corpus {}, content hash {})",
                i.run_id, i.corpus_id, i.corpus_hash
            )
        };
        return Err(CompareError::DifferentCorpus {
            base: describe(&base.info),
            candidate: describe(&candidate.info),
        });
    }

    let key = |r: &PredictionRow| (r.scenario_id.clone(), r.trial);
    let cand_by_key: HashMap<(String, u32), &PredictionRow> =
        candidate.predictions.iter().map(|r| (key(r), r)).collect();
    let mut pairs: Vec<(&PredictionRow, &PredictionRow)> = base
        .predictions
        .iter()
        .filter_map(|b| cand_by_key.get(&key(b)).map(|c| (b, *c)))
        .collect();
    pairs.sort_by(|a, b| {
        (a.0.scenario_id.as_str(), a.0.trial).cmp(&(b.0.scenario_id.as_str(), b.0.trial))
    });
    if pairs.is_empty() {
        return Err(CompareError::NoPairs {
            base: base.info.run_id.clone(),
            candidate: candidate.info.run_id.clone(),
        });
    }
    let paired = pairs.len() as u64;
    let base_rows: Vec<PredictionRow> = pairs.iter().map(|p| p.0.clone()).collect();
    let cand_rows: Vec<PredictionRow> = pairs.iter().map(|p| p.1.clone()).collect();
    let (base_scores, cand_scores) = (score(&base_rows), score(&cand_rows));

    let mut levels: Vec<LevelDelta> = Level::ALL
        .iter()
        .filter_map(|&level| level_delta(level, &pairs, (&base_scores, &cand_scores), options))
        .collect();
    let tested: Vec<f64> = levels
        .iter()
        .filter(|l| l.newly_wrong + l.newly_right > 0)
        .map(|l| l.p_value)
        .collect();
    let mut adjusted = holm(&tested).into_iter();
    for l in levels
        .iter_mut()
        .filter(|l| l.newly_wrong + l.newly_right > 0)
    {
        l.p_holm = adjusted.next().unwrap_or(1.0);
    }
    let mut reasons = Vec::new();
    let mut regressed_classes = Vec::new();
    let mut regressed_classes_holm = Vec::new();
    for l in &levels {
        reasons.extend(regression_reason(l, options));
        for c in l.classes.iter().filter(|c| c.regressed) {
            regressed_classes.push(format!("{}:{}", l.level, c.class));
            if c.regressed_holm {
                regressed_classes_holm.push(format!("{}:{}", l.level, c.class));
            }
        }
    }
    let slices = slice_deltas(&pairs, options);

    let (bs, cs) = (
        base.info.scenarios_per_second,
        candidate.info.scenarios_per_second,
    );
    let ratio = if bs > 0.0 { cs / bs } else { 1.0 };
    let exceeded = options
        .max_slowdown
        .is_some_and(|s| bs > 0.0 && cs < bs * (1.0 - s));
    if exceeded {
        reasons.push(format!(
            "throughput: {cs:.1} scenarios/s vs {bs:.1} ({:.1}% slower, more than --max-slowdown {:.0}%)",
            (1.0 - ratio) * 100.0,
            options.max_slowdown.unwrap_or(0.0) * 100.0
        ));
    }
    let cost = cost_delta(&pairs, options)?;
    if let Some(c) = cost.as_ref().filter(|c| c.exceeded) {
        reasons.push(format!(
            "cost: ${:.6} -> ${:.6} per case ({:+.1}%, more than --max-cost-increase {:.0}%)",
            c.base_cost_per_case.unwrap_or(0.0),
            c.candidate_cost_per_case.unwrap_or(0.0),
            (c.ratio.unwrap_or(1.0) - 1.0) * 100.0,
            options.max_cost_increase.unwrap_or(0.0) * 100.0
        ));
    }
    let only_in_base = base.predictions.len() as u64 - paired;
    let only_in_candidate = candidate.predictions.len() as u64 - paired;
    Ok(Comparison {
        schema_version: COMPARE_SCHEMA_VERSION.into(),
        base: Side::of(&base.info),
        candidate: Side::of(&candidate.info),
        options: options.clone(),
        same_corpus,
        paired,
        only_in_base,
        only_in_candidate,
        levels,
        slices,
        cost,
        throughput: Throughput {
            base: bs,
            candidate: cs,
            ratio,
            exceeded,
        },
        verdict: if reasons.is_empty() {
            VERDICT_OK
        } else {
            VERDICT_WORSE
        }
        .into(),
        reasons,
        regressed_classes,
        regressed_classes_holm,
        opensre: opensre_delta(&pairs),
    })
}

/// The cost of each side on the paired rows, and the `max_cost_increase` check: refused (an
/// option error) when the check is asked for and a side reported no `cost_usd`.
fn cost_delta(
    pairs: &[(&PredictionRow, &PredictionRow)],
    options: &CompareOptions,
) -> Result<Option<CostDelta>, CompareError> {
    let level = Level::FailureMode;
    let side = |candidate: bool| {
        crate::cost::figures(pairs.iter().map(move |p| {
            let r = if candidate { p.1 } else { p.0 };
            (r, correct_at(r, level).unwrap_or(false))
        }))
    };
    let (b, c) = (side(false), side(true));
    let per_case = |f: &Option<crate::cost::CostFigures>| f.as_ref().and_then(|f| f.cost_per_case);
    let (bc, cc) = (per_case(&b), per_case(&c));
    if options.max_cost_increase.is_some() {
        for (which, v) in [("base", bc), ("candidate", cc)] {
            if v.is_none() {
                return Err(CompareError::Option(format!(
                    "--max-cost-increase: the {which} run reported no usage.cost_usd on the paired predictions"
                )));
            }
        }
    }
    if b.is_none() && c.is_none() {
        return Ok(None);
    }
    let ratio = bc.zip(cc).filter(|(b, _)| *b > 0.0).map(|(b, c)| c / b);
    let exceeded = match (options.max_cost_increase, bc, cc) {
        (Some(f), Some(b), Some(c)) => c > b * (1.0 + f) + 1e-12,
        _ => false,
    };
    let get = |f: &Option<crate::cost::CostFigures>,
               g: fn(&crate::cost::CostFigures) -> Option<f64>| {
        f.as_ref().and_then(g)
    };
    Ok(Some(CostDelta {
        base_cost_per_case: bc,
        candidate_cost_per_case: cc,
        ratio,
        base_cost_per_correct: get(&b, |f| f.cost_per_correct),
        candidate_cost_per_correct: get(&c, |f| f.cost_per_correct),
        base_tokens_per_case: get(&b, |f| f.tokens_per_case),
        candidate_tokens_per_case: get(&c, |f| f.tokens_per_case),
        exceeded,
    }))
}

/// One line on the cost of both sides, `-` for what a side did not report.
fn cost_line(c: &CostDelta) -> String {
    let money = |v: Option<f64>| v.map_or_else(|| "-".into(), |v| format!("${v:.6}"));
    let tokens = |v: Option<f64>| v.map_or_else(|| "-".into(), |v| format!("{v:.0}"));
    format!(
        "cost per case {} -> {}{}; per right failure-mode answer {} -> {}; tokens per case {} -> {}",
        money(c.base_cost_per_case),
        money(c.candidate_cost_per_case),
        c.ratio
            .map_or_else(String::new, |r| format!(" ({:+.1}%)", (r - 1.0) * 100.0)),
        money(c.base_cost_per_correct),
        money(c.candidate_cost_per_correct),
        tokens(c.base_tokens_per_case),
        tokens(c.candidate_tokens_per_case),
    )
}

/// The bootstrap units of `pairs` at `level`: one per scenario, its trials together, in
/// scenario order (`pairs` is sorted by scenario), with the pairs whose index `keep` accepts.
fn units_at(
    pairs: &[(&PredictionRow, &PredictionRow)],
    level: Level,
    keep: impl Fn(usize) -> bool,
) -> Vec<PairedUnit> {
    let mut units: Vec<PairedUnit> = Vec::new();
    let mut last: Option<&str> = None;
    for (i, (br, cr)) in pairs.iter().enumerate() {
        if !keep(i) {
            continue;
        }
        let (Some(bok), Some(cok)) = (correct_at(br, level), correct_at(cr, level)) else {
            continue;
        };
        let diff = i64::from(cok) - i64::from(bok);
        match units.last_mut() {
            Some(u) if last == Some(br.scenario_id.as_str()) => {
                u.n += 1;
                u.diff += diff;
            }
            _ => units.push(PairedUnit { n: 1, diff }),
        }
        last = Some(br.scenario_id.as_str());
    }
    units
}

/// The interval of one set of units at the options' confidence, `(None, None)` without any.
fn interval(units: &[PairedUnit], options: &CompareOptions) -> (Option<f64>, Option<f64>) {
    paired_bootstrap(
        units,
        options.bootstrap_resamples,
        options.seed,
        1.0 - options.alpha,
    )
    .map_or((None, None), |(lo, hi)| (Some(lo), Some(hi)))
}

/// Per slice value and level: the paired accuracies, their difference and its interval.
fn slice_deltas(
    pairs: &[(&PredictionRow, &PredictionRow)],
    options: &CompareOptions,
) -> Vec<SliceDelta> {
    // (dimension index, value) in sorted order; a row has one value per dimension except the
    // adversarial signals and the missing sources, of which it may have several.
    let row_values: Vec<[Vec<String>; 4]> = pairs.iter().map(|p| slice_values(p.0)).collect();
    let mut values: BTreeMap<(usize, &str), ()> = BTreeMap::new();
    for vals in &row_values {
        for (di, vs) in vals.iter().enumerate() {
            for v in vs {
                values.insert((di, v.as_str()), ());
            }
        }
    }
    let mut out = Vec::new();
    for (di, value) in values.into_keys() {
        let inside = |i: usize| row_values[i][di].iter().any(|v| v == value);
        for &level in Level::ALL {
            let units = units_at(pairs, level, inside);
            let n: u64 = units.iter().map(|u| u.n).sum();
            if n == 0 {
                continue;
            }
            let (mut base_right, mut cand_right) = (0u64, 0u64);
            for (i, (br, cr)) in pairs.iter().enumerate() {
                if let (Some(b), Some(c)) = (correct_at(br, level), correct_at(cr, level))
                    && inside(i)
                {
                    base_right += u64::from(b);
                    cand_right += u64::from(c);
                }
            }
            let (ci_low, ci_high) = interval(&units, options);
            let (base_accuracy, candidate_accuracy) =
                (base_right as f64 / n as f64, cand_right as f64 / n as f64);
            out.push(SliceDelta {
                dimension: SLICE_DIMENSIONS[di].to_owned(),
                value: value.to_owned(),
                level,
                n,
                scenarios: units.len() as u64,
                base_accuracy,
                candidate_accuracy,
                delta: candidate_accuracy - base_accuracy,
                ci_low,
                ci_high,
            });
        }
    }
    out
}

/// The comparison at one level of the paired rows; `None` where no pair is scored there.
fn level_delta(
    level: Level,
    pairs: &[(&PredictionRow, &PredictionRow)],
    (base_scores, cand_scores): (&crate::metrics::Scores, &crate::metrics::Scores),
    options: &CompareOptions,
) -> Option<LevelDelta> {
    let mut n = 0u64;
    let (mut base_right, mut cand_right, mut b, mut c) = (0u64, 0u64, 0u64, 0u64);
    let mut per_class: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let (mut flipped_wrong, mut flipped_right) = (Vec::new(), Vec::new());
    for (br, cr) in pairs {
        let (Some(bok), Some(cok)) = (correct_at(br, level), correct_at(cr, level)) else {
            continue;
        };
        n += 1;
        base_right += u64::from(bok);
        cand_right += u64::from(cok);
        if bok == cok {
            continue;
        }
        let (expected, base_pred) = labels_at(br, level).unwrap_or(("", ""));
        let cand_pred = labels_at(cr, level).map_or("", |l| l.1);
        let flip = Flip {
            scenario_id: br.scenario_id.clone(),
            trial: br.trial,
            difficulty: br.difficulty,
            family: br.family.clone(),
            expected: expected.to_owned(),
            base_predicted: base_pred.to_owned(),
            candidate_predicted: cand_pred.to_owned(),
        };
        let entry = per_class.entry(expected.to_owned()).or_default();
        if bok {
            b += 1;
            entry.0 += 1;
            flipped_wrong.push(flip);
        } else {
            c += 1;
            entry.1 += 1;
            flipped_right.push(flip);
        }
    }
    if n == 0 {
        return None;
    }
    let order = |f: &Flip| (f.difficulty, f.scenario_id.clone(), f.trial);
    flipped_wrong.sort_by_key(order);
    flipped_right.sort_by_key(order);
    let base_accuracy = base_right as f64 / n as f64;
    let candidate_accuracy = cand_right as f64 / n as f64;
    let p_value = mcnemar_exact(b, c);
    let significantly_worse = b > c && p_value < options.alpha;
    let significantly_better = c > b && p_value < options.alpha;
    let drop = base_accuracy - candidate_accuracy;
    let drop_exceeded = options.max_drop.is_some_and(|d| drop > d + 1e-12);

    let classes = class_deltas(level, &per_class, base_scores, cand_scores, options.alpha);
    let (delta_ci_low, delta_ci_high) = interval(&units_at(pairs, level, |_| true), options);
    Some(LevelDelta {
        level,
        n,
        base_accuracy,
        candidate_accuracy,
        delta: candidate_accuracy - base_accuracy,
        newly_wrong: b,
        newly_right: c,
        p_value,
        p_holm: p_value,
        delta_ci_low,
        delta_ci_high,
        significantly_worse,
        significantly_better,
        drop_exceeded,
        classes,
        flipped_wrong,
        flipped_right,
    })
}

/// Per-class recall, precision and F1 of both sides at a level, with the class's flips
/// (`per_class`: label -> (newly wrong, newly right)) and McNemar's test on them.
fn class_deltas(
    level: Level,
    per_class: &BTreeMap<String, (u64, u64)>,
    base_scores: &crate::metrics::Scores,
    cand_scores: &crate::metrics::Scores,
    alpha: f64,
) -> Vec<ClassDelta> {
    let base_classes: HashMap<&str, _> = base_scores
        .classes(level)
        .filter_map(|m| m.class.as_deref().map(|c| (c, m)))
        .collect();
    let cand_classes: HashMap<&str, _> = cand_scores
        .classes(level)
        .filter_map(|m| m.class.as_deref().map(|c| (c, m)))
        .collect();
    let mut labels: Vec<&str> = base_classes
        .keys()
        .chain(cand_classes.keys())
        .copied()
        .collect();
    labels.sort_by_key(|l| crate::metrics::label_order(level, l));
    labels.dedup();
    let diff = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| b - a);
    let mut out: Vec<ClassDelta> = labels
        .iter()
        .map(|label| {
            let bm = base_classes.get(label);
            let cm = cand_classes.get(label);
            let (kb, kc) = per_class.get(*label).copied().unwrap_or((0, 0));
            let p = mcnemar_exact(kb, kc);
            let get = |m: Option<&&crate::tables::MetricRow>,
                       f: fn(&crate::tables::MetricRow) -> Option<f64>| {
                m.and_then(|m| f(m))
            };
            let (br, cr) = (get(bm, |m| m.recall), get(cm, |m| m.recall));
            let (bp, cp) = (get(bm, |m| m.precision), get(cm, |m| m.precision));
            let (bf, cf) = (get(bm, |m| m.f1), get(cm, |m| m.f1));
            ClassDelta {
                class: (*label).to_owned(),
                support: bm.or(cm).map_or(0, |m| m.support),
                base_recall: br,
                candidate_recall: cr,
                recall_delta: diff(br, cr),
                base_precision: bp,
                candidate_precision: cp,
                precision_delta: diff(bp, cp),
                base_f1: bf,
                candidate_f1: cf,
                f1_delta: diff(bf, cf),
                newly_wrong: kb,
                newly_right: kc,
                p_value: p,
                regressed: kb > kc && p < alpha,
                p_holm: 1.0,
                regressed_holm: false,
            }
        })
        .collect();
    // Holm over the classes that were tested: a class with no discordant pair cannot be.
    let tested = |d: &ClassDelta| d.newly_wrong + d.newly_right > 0;
    let p: Vec<f64> = out
        .iter()
        .filter(|d| tested(d))
        .map(|d| d.p_value)
        .collect();
    let mut adjusted = holm(&p).into_iter();
    for d in out.iter_mut().filter(|d| tested(d)) {
        d.p_holm = adjusted.next().unwrap_or(1.0);
        d.regressed_holm = d.regressed && d.p_holm < alpha;
    }
    out
}

/// Why a level fails the gate (significantly worse, or a drop past `max_drop`), naming the
/// classes that regressed; `None` when it passes.
fn regression_reason(l: &LevelDelta, options: &CompareOptions) -> Option<String> {
    if !(l.significantly_worse || l.drop_exceeded) {
        return None;
    }
    let mut named: Vec<&ClassDelta> = l.classes.iter().filter(|c| c.regressed).collect();
    if named.is_empty() {
        // No single class is significant on its own: name those that lost the most.
        let mut losers: Vec<&ClassDelta> = l
            .classes
            .iter()
            .filter(|c| c.newly_wrong > c.newly_right)
            .collect();
        losers.sort_by_key(|c| std::cmp::Reverse(c.newly_wrong - c.newly_right));
        named = losers.into_iter().take(3).collect();
    }
    let names: Vec<String> = named
        .iter()
        .map(|c| {
            format!(
                "{} (recall {} -> {}, {} newly wrong, Holm p = {}{})",
                c.class,
                fmt_opt(c.base_recall),
                fmt_opt(c.candidate_recall),
                c.newly_wrong,
                fmt_p(c.p_holm),
                if c.regressed && !c.regressed_holm {
                    ": not after Holm"
                } else {
                    ""
                }
            )
        })
        .collect();
    let why = match (l.significantly_worse, l.drop_exceeded) {
        (true, true) => format!(
            "significantly worse (McNemar p = {} < {}) and dropped more than {:.3}",
            fmt_p(l.p_value),
            options.alpha,
            options.max_drop.unwrap_or(0.0)
        ),
        (true, false) => format!(
            "significantly worse (McNemar p = {} < {})",
            fmt_p(l.p_value),
            options.alpha
        ),
        _ => format!(
            "dropped more than --max-drop {:.3} (McNemar p = {})",
            options.max_drop.unwrap_or(0.0),
            fmt_p(l.p_value)
        ),
    };
    Some(format!(
        "{}: accuracy {:.4} -> {:.4} ({:+.4}), {} newly wrong vs {} newly right: {why}; regressed: {}",
        l.level,
        l.base_accuracy,
        l.candidate_accuracy,
        l.candidate_accuracy - l.base_accuracy,
        l.newly_wrong,
        l.newly_right,
        if names.is_empty() {
            "no single class".to_owned()
        } else {
            names.join(", ")
        }
    ))
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.3}"))
}

/// A p-value with four decimals, or in scientific notation when smaller than that shows.
pub fn fmt_p(p: f64) -> String {
    if p > 0.0 && p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

fn fmt_delta(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:+.3}"))
}

/// A column of the comparison tables, laid out once for both renders: its Markdown header,
/// and its text header and width (`None`: the text form leaves it out). The first column is
/// left-aligned, the others right-aligned, in both forms.
#[derive(Debug)]
struct Column {
    md: &'static str,
    text: Option<(&'static str, usize)>,
}

const fn col(md: &'static str, text: &'static str, width: usize) -> Column {
    Column {
        md,
        text: Some((text, width)),
    }
}

/// The per-level table: one row per level.
const LEVEL_COLUMNS: [Column; 9] = [
    col("level", "level", 20),
    col("base", "base", 8),
    col("candidate", "candidate", 9),
    col("Δ", "delta", 8),
    col("Δ interval", "interval", 18),
    col("newly wrong", "b", 6),
    col("newly right", "c", 6),
    col("McNemar p", "p", 9),
    col("Holm p", "Holm p", 9),
];

/// The per-class table of a level: one row per class that changed.
const CLASS_COLUMNS: [Column; 9] = [
    col("class", "class", 26),
    col("support", "support", 7),
    col("recall Δ", "recall d", 9),
    col("precision Δ", "prec d", 9),
    col("F1 Δ", "F1 d", 8),
    col("newly wrong", "b", 5),
    col("newly right", "c", 5),
    Column {
        md: "p",
        text: None,
    },
    col("Holm p", "Holm p", 9),
];

/// `[low, high]` of an interval, `-` without one.
fn fmt_interval(low: Option<f64>, high: Option<f64>, digits: usize) -> String {
    match (low, high) {
        (Some(lo), Some(hi)) => format!("[{lo:+.digits$}, {hi:+.digits$}]"),
        _ => "-".into(),
    }
}

/// How the intervals and Holm p-values were made, one sentence for both renders.
fn method_note(c: &Comparison) -> String {
    let holm = "Holm p: adjusted over the levels (per class: over the classes of the level) with a discordant pair";
    if c.options.bootstrap_resamples == 0 {
        return format!("Intervals: off (--bootstrap 0). {holm}.");
    }
    format!(
        "Intervals: {:.0}% paired bootstrap of the difference, {} resamples of scenarios, seed {}. {holm}.",
        (1.0 - c.options.alpha) * 100.0,
        c.options.bootstrap_resamples,
        c.options.seed
    )
}

/// The slice table: one row per (dimension, value), one cell per level compared (`Δ [low,
/// high]`, `-` where the slice has no row at the level); `flag` marks a cell whose interval is
/// wholly below zero.
fn slice_table(c: &Comparison, flag: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let levels: Vec<Level> = c.levels.iter().map(|l| l.level).collect();
    let mut header = vec!["dimension".to_owned(), "value".to_owned(), "n".to_owned()];
    header.extend(levels.iter().map(ToString::to_string));
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut keys: Vec<(&str, &str)> = Vec::new();
    for d in &c.slices {
        let key = (d.dimension.as_str(), d.value.as_str());
        if keys.last() != Some(&key) {
            keys.push(key);
            let mut row = vec![d.dimension.clone(), d.value.clone(), d.n.to_string()];
            row.extend(levels.iter().map(|_| "-".to_owned()));
            rows.push(row);
        }
        let row = rows.last_mut().expect("pushed above");
        if let Some(i) = levels.iter().position(|&l| l == d.level) {
            let below = d.ci_high.is_some_and(|h| h < 0.0);
            row[3 + i] = format!(
                "{:+.3} {}{}",
                d.delta,
                fmt_interval(d.ci_low, d.ci_high, 3),
                if below { flag } else { "" }
            );
        }
    }
    (header, rows)
}

fn level_cells(l: &LevelDelta) -> Vec<String> {
    vec![
        l.level.to_string(),
        format!("{:.4}", l.base_accuracy),
        format!("{:.4}", l.candidate_accuracy),
        format!("{:+.4}", l.delta),
        fmt_interval(l.delta_ci_low, l.delta_ci_high, 4),
        l.newly_wrong.to_string(),
        l.newly_right.to_string(),
        fmt_p(l.p_value),
        fmt_p(l.p_holm),
    ]
}

fn class_cells(d: &ClassDelta) -> Vec<String> {
    vec![
        d.class.clone(),
        d.support.to_string(),
        fmt_delta(d.recall_delta),
        fmt_delta(d.precision_delta),
        fmt_delta(d.f1_delta),
        d.newly_wrong.to_string(),
        d.newly_right.to_string(),
        fmt_p(d.p_value),
        fmt_p(d.p_holm),
    ]
}

/// `survives` for a class whose regression survives Holm's correction, `raw_only` for one
/// significant only before it, else nothing.
fn class_flag(d: &ClassDelta, survives: &'static str, raw_only: &'static str) -> &'static str {
    match (d.regressed, d.regressed_holm) {
        (true, true) => survives,
        (true, false) => raw_only,
        _ => "",
    }
}

/// `| a | b |` and the alignment row.
fn md_header(columns: &[Column]) -> String {
    let names: Vec<&str> = columns.iter().map(|c| c.md).collect();
    let align: Vec<&str> = (0..columns.len())
        .map(|i| if i == 0 { "---" } else { "---:" })
        .collect();
    format!("| {} |\n|{}|\n", names.join(" | "), align.join("|"))
}

/// A Markdown row; `flag` follows the first cell.
fn md_row(mut cells: Vec<String>, flag: &str) -> String {
    cells[0].push_str(flag);
    format!("| {} |\n", cells.join(" | "))
}

/// The text header: the text columns' names, padded to their widths.
fn text_header(columns: &[Column], indent: &str) -> String {
    let names = columns
        .iter()
        .map(|c| c.text.map_or_else(String::new, |(name, _)| name.to_owned()));
    text_row(columns, indent, names.collect(), "")
}

/// A text row: the text columns' cells, padded to their widths; `flag` ends the line.
fn text_row(columns: &[Column], indent: &str, cells: Vec<String>, flag: &str) -> String {
    let padded: Vec<String> = columns
        .iter()
        .zip(cells)
        .enumerate()
        .filter_map(|(i, (c, cell))| {
            let (_, w) = c.text?;
            Some(if i == 0 {
                format!("{cell:<w$}")
            } else {
                format!("{cell:>w$}")
            })
        })
        .collect();
    format!("{indent}{}{flag}\n", padded.join(" "))
}

/// How many flipped scenarios the text and Markdown forms list per level and direction.
pub const FLIPS_SHOWN: usize = 15;

/// How many flipped scenarios the text form lists per level and direction.
pub const TEXT_FLIPS_SHOWN: usize = 8;

/// Markdown for a pull-request comment.
pub fn render_markdown(c: &Comparison) -> String {
    let mut s = String::new();
    let mark = if c.is_worse() { "❌ worse" } else { "✅ ok" };
    let _ = writeln!(s, "### triagebench compare: {mark}\n");
    let _ = writeln!(
        s,
        "base `{}` ({} {}) vs candidate `{}` ({} {}), {} paired predictions on corpus `{}`{}\n",
        c.base.run_id,
        c.base.classifier,
        c.base.classifier_version,
        c.candidate.run_id,
        c.candidate.classifier,
        c.candidate.classifier_version,
        c.paired,
        c.candidate.corpus_id,
        if c.same_corpus {
            ""
        } else {
            " (**different corpora**)"
        }
    );
    for r in &c.reasons {
        let _ = writeln!(s, "- **{r}**");
    }
    if !c.reasons.is_empty() {
        s.push('\n');
    }
    s.push_str(&md_header(&LEVEL_COLUMNS));
    for l in &c.levels {
        s.push_str(&md_row(level_cells(l), l.flag(" ⚠️", " ⬆️")));
    }
    let _ = writeln!(
        s,
        "\nThroughput: {:.1} → {:.1} scenarios/s ({:+.1}%){}\n",
        c.throughput.base,
        c.throughput.candidate,
        (c.throughput.ratio - 1.0) * 100.0,
        if c.throughput.exceeded { " ⚠️" } else { "" }
    );
    if let Some(cost) = &c.cost {
        let _ = writeln!(
            s,
            "Cost: {}{}\n",
            cost_line(cost),
            if cost.exceeded { " ⚠️" } else { "" }
        );
    }
    let _ = writeln!(s, "{}\n", method_note(c));
    let o = opensre_line(c);
    if !o.is_empty() {
        let _ = writeln!(s, "{o}");
    }
    if !c.slices.is_empty() {
        let (header, rows) = slice_table(c, " ⚠️");
        let _ = writeln!(
            s,
            "<details><summary>Slices: accuracy Δ and its interval per level (⚠️: wholly below 0)</summary>\n"
        );
        let _ = writeln!(s, "| {} |", header.join(" | "));
        let align: Vec<&str> = (0..header.len())
            .map(|i| if i < 2 { "---" } else { "---:" })
            .collect();
        let _ = writeln!(s, "|{}|", align.join("|"));
        for r in rows {
            let _ = writeln!(s, "| {} |", r.join(" | "));
        }
        let _ = writeln!(s, "\n</details>\n");
    }
    for l in &c.levels {
        let changed = l.changed_classes();
        if changed.is_empty() && l.flipped_wrong.is_empty() && l.flipped_right.is_empty() {
            continue;
        }
        let _ = writeln!(
            s,
            "<details><summary>{}: {} newly wrong, {} newly right</summary>\n",
            l.level, l.newly_wrong, l.newly_right
        );
        if !changed.is_empty() {
            s.push_str(&md_header(&CLASS_COLUMNS));
            for d in changed {
                s.push_str(&md_row(
                    class_cells(d),
                    class_flag(d, " ⚠️", " (⚠️ not after Holm)"),
                ));
            }
            s.push('\n');
        }
        for (title, flips) in [
            ("Newly wrong", &l.flipped_wrong),
            ("Newly right", &l.flipped_right),
        ] {
            if flips.is_empty() {
                continue;
            }
            let _ = writeln!(s, "{title} (easiest first):\n");
            for f in flips.iter().take(FLIPS_SHOWN) {
                let _ = writeln!(
                    s,
                    "- `{}` trial {} (difficulty {}): expected `{}`, base `{}`, candidate `{}`",
                    f.scenario_id,
                    f.trial,
                    f.difficulty,
                    f.expected,
                    f.base_predicted,
                    f.candidate_predicted
                );
            }
            if flips.len() > FLIPS_SHOWN {
                let _ = writeln!(s, "- … and {} more", flips.len() - FLIPS_SHOWN);
            }
            s.push('\n');
        }
        let _ = writeln!(s, "</details>\n");
    }
    s
}

/// Plain text for a terminal.
pub fn render_text(c: &Comparison) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "compare: {}: base {} ({} {}) vs candidate {} ({} {})",
        c.verdict.to_uppercase(),
        c.base.run_id,
        c.base.classifier,
        c.base.classifier_version,
        c.candidate.run_id,
        c.candidate.classifier,
        c.candidate.classifier_version
    );
    let _ = writeln!(
        s,
        "{} paired predictions on corpus {}{}; {} only in base, {} only in candidate\n",
        c.paired,
        c.candidate.corpus_id,
        if c.same_corpus {
            ""
        } else {
            " (DIFFERENT CORPORA)"
        },
        c.only_in_base,
        c.only_in_candidate
    );
    s.push_str(&text_header(&LEVEL_COLUMNS, ""));
    for l in &c.levels {
        s.push_str(&text_row(
            &LEVEL_COLUMNS,
            "",
            level_cells(l),
            l.flag("  WORSE", "  better"),
        ));
    }
    let _ = writeln!(
        s,
        "(b = newly wrong, c = newly right, p = McNemar exact two-sided)\n{}",
        method_note(c)
    );
    s.push_str(&opensre_line(c));
    if !c.slices.is_empty() {
        let (header, rows) = slice_table(c, " !");
        let widths: Vec<usize> = (0..header.len())
            .map(|i| {
                rows.iter()
                    .map(|r| r[i].chars().count())
                    .chain([header[i].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (cell, &w))| {
                    if i < 2 {
                        format!("{cell:<w$}")
                    } else {
                        format!("{cell:>w$}")
                    }
                })
                .collect();
            format!("  {}\n", padded.join("  ").trim_end())
        };
        let _ = writeln!(
            s,
            "\nslices: accuracy delta [interval] per level (!: wholly below 0)"
        );
        s.push_str(&line(&header));
        for r in &rows {
            s.push_str(&line(r));
        }
    }
    let _ = writeln!(
        s,
        "\nthroughput {:.1} -> {:.1} scenarios/s ({:+.1}%)",
        c.throughput.base,
        c.throughput.candidate,
        (c.throughput.ratio - 1.0) * 100.0
    );
    if let Some(cost) = &c.cost {
        let _ = writeln!(
            s,
            "{}{}",
            cost_line(cost),
            if cost.exceeded { "  EXCEEDED" } else { "" }
        );
    }
    for l in &c.levels {
        let changed = l.changed_classes();
        if changed.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{}: per class", l.level);
        s.push_str(&text_header(&CLASS_COLUMNS, "  "));
        for d in changed {
            let flag = class_flag(d, "  REGRESSED", "  regressed (not after Holm)");
            s.push_str(&text_row(&CLASS_COLUMNS, "  ", class_cells(d), flag));
        }
        for (title, flips) in [
            ("newly wrong", &l.flipped_wrong),
            ("newly right", &l.flipped_right),
        ] {
            if flips.is_empty() {
                continue;
            }
            let _ = writeln!(s, "  {title} ({}, easiest first):", flips.len());
            for f in flips.iter().take(TEXT_FLIPS_SHOWN) {
                let _ = writeln!(
                    s,
                    "    {} #{} d{}: expected {}, base {}, candidate {}",
                    f.scenario_id,
                    f.trial,
                    f.difficulty,
                    f.expected,
                    f.base_predicted,
                    f.candidate_predicted
                );
            }
            if flips.len() > TEXT_FLIPS_SHOWN {
                let _ = writeln!(
                    s,
                    "    ... and {} more (all of them: --format json)",
                    flips.len() - TEXT_FLIPS_SHOWN
                );
            }
        }
    }
    let _ = writeln!(s, "\nverdict: {}", c.verdict.to_uppercase());
    for r in &c.reasons {
        let _ = writeln!(s, "  - {r}");
    }
    s
}

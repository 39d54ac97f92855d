//! Scores of a run, computed from its prediction rows alone (so a run read back from Parquet
//! scores exactly as it did in memory): the long-form confusion matrix with zero cells, per
//! level and class precision / recall / F1 / support, accuracy with a Wilson 95% interval, macro
//! and weighted F1, Cohen's kappa, trial consistency (flip rate, pass^k, majority accuracy), and
//! accuracy slices.
//!
//! Definitions (all on the rows scored at a level; `error` rows count as wrong answers):
//! * precision = tp / predicted (null if the class was never predicted); recall = tp / support
//!   (null if the class never occurs); F1 = 2tp / (2tp + fp + fn), defined whenever either is,
//!   and 0 when tp = 0.
//! * macro F1 = mean F1 over the classes that occur (support > 0); weighted F1 weights by support.
//! * kappa = (p_o - p_e) / (1 - p_e), p_e = sum over labels of (expected share x predicted share);
//!   null when p_e = 1.
//! * localization: the expected label is the expected failure mode; the predicted label is that
//!   mode when the row is localized correctly, `wrong_target` for the right mode on the wrong pod
//!   or container, else the predicted mode. Rows without an expected pod are not scored.
//! * calibration (see [`crate::calibration`]): Brier score, ECE over equal-width and
//!   equal-mass bins, the reliability bins, selective accuracy at 50/80/100% coverage, over
//!   the rows with a confidence (a failed call counts as confidence 0).
//! * trials > 1, per scenario: it *flips* if its k predicted labels are not all equal; it
//!   *passes* if all k are right; its *majority* answer is right if the expected label is the one
//!   most frequent predicted label (a tie is wrong).

use std::collections::{BTreeMap, HashMap};

use scenario::{Category, EvidenceKind, FailureMode, Level, RootCause};

use crate::calibration::calibrate;
use crate::eval::WRONG_TARGET_LABEL;
use crate::stats::wilson;
use crate::tables::{ConfusionRow, ERROR_LABEL, MetricRow, PredictionRow, SliceRow};

/// Slice dimensions in display order.
pub const SLICE_DIMENSIONS: &[&str] = &[
    "difficulty",
    "adversarial_signal",
    "evidence_missing",
    "family",
];

/// The slice dimension of counterfactual pair accuracy: per twin kind, the share of pairs (per
/// trial) whose two scenarios are both right at the level.
pub const TWIN_PAIR_DIMENSION: &str = "twin_pair";
/// `kind` of a level's cost row in `metrics.parquet` (where any row reported usage).
pub const COST_KIND: &str = "cost";

/// `kind` of a level's calibration row in `metrics.parquet`.
pub const CALIBRATION_KIND: &str = "calibration";
/// `kind` of an equal-width reliability bin.
pub const RELIABILITY_WIDTH_KIND: &str = "reliability_width";
/// `kind` of an equal-mass reliability bin.
pub const RELIABILITY_MASS_KIND: &str = "reliability_mass";

/// The value a slice dimension takes for rows that have none of it (no signal, nothing missing).
pub const NONE_VALUE: &str = "none";

/// Everything derived from a run's predictions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scores {
    /// `confusion.parquet`: per level (not localization), every expected x predicted pair.
    pub confusion: Vec<ConfusionRow>,
    /// `metrics.parquet`: per level, the overall row then one row per class.
    pub metrics: Vec<MetricRow>,
    /// `slices.parquet`.
    pub slices: Vec<SliceRow>,
}

impl Scores {
    /// The overall metric row of a level.
    pub fn overall(&self, level: Level) -> Option<&MetricRow> {
        self.metrics
            .iter()
            .find(|m| m.level == level && m.kind == "overall")
    }

    /// The cost row of a level (none when the classifier reported no usage).
    pub fn cost(&self, level: Level) -> Option<&MetricRow> {
        self.metrics
            .iter()
            .find(|m| m.level == level && m.kind == COST_KIND)
    }

    /// The calibration row of a level (none when the classifier gave no confidence).
    pub fn calibration(&self, level: Level) -> Option<&MetricRow> {
        self.metrics
            .iter()
            .find(|m| m.level == level && m.kind == CALIBRATION_KIND)
    }

    /// The reliability bins of a level of one kind ([`RELIABILITY_WIDTH_KIND`] or
    /// [`RELIABILITY_MASS_KIND`]), in bin order.
    pub fn reliability<'a>(
        &'a self,
        level: Level,
        kind: &'a str,
    ) -> impl Iterator<Item = &'a MetricRow> {
        self.metrics
            .iter()
            .filter(move |m| m.level == level && m.kind == kind)
    }

    /// The class rows of a level, in label order.
    pub fn classes(&self, level: Level) -> impl Iterator<Item = &MetricRow> {
        self.metrics
            .iter()
            .filter(move |m| m.level == level && m.kind == "class")
    }
}

/// One scored observation at one level.
#[derive(Clone, Copy, Debug)]
struct Obs<'a> {
    scenario: &'a str,
    expected: &'a str,
    predicted: &'a str,
    /// The row's correctness flag at the level: `predicted == expected`, or a prediction in
    /// the answer's acceptable set (which the confusion matrix, keeping the primary label,
    /// shows off the diagonal).
    correct: bool,
    /// The confidence the row counts with in calibration (a failed call: 0; a prediction
    /// without one: `None`, left out).
    confidence: Option<f64>,
}

/// The (expected, predicted) labels of a row at a level; `None` where the row is not scored there.
pub fn labels_at(row: &PredictionRow, level: Level) -> Option<(&str, &str)> {
    match level {
        Level::FailureMode => Some((&row.expected_failure_mode, &row.predicted_failure_mode)),
        Level::RootCauseCategory => Some((&row.expected_category, &row.predicted_category)),
        Level::RootCause => row
            .expected_root_cause
            .as_deref()
            .map(|e| (e, row.predicted_root_cause.as_str())),
        Level::Localization => {
            row.correct_localization?;
            let expected = row.expected_failure_mode.as_str();
            let predicted = if row.error.is_some() {
                ERROR_LABEL
            } else if row.correct_localization == Some(true) {
                expected
            } else if row.predicted_failure_mode == row.expected_failure_mode {
                WRONG_TARGET_LABEL
            } else {
                row.predicted_failure_mode.as_str()
            };
            Some((expected, predicted))
        }
    }
}

/// Whether a row is right at a level; `None` where it is not scored there.
pub fn correct_at(row: &PredictionRow, level: Level) -> Option<bool> {
    match level {
        Level::FailureMode => Some(row.correct_failure_mode),
        Level::RootCauseCategory => Some(row.correct_category),
        Level::RootCause => row.correct_root_cause,
        Level::Localization => row.correct_localization,
    }
}

/// Whether `answer` accepts the label `label` (a failure mode, category or root cause string)
/// at `level`, as `eval` scores a prediction (acceptable alternatives included); `None` where
/// the answer is not scored at that level by label (no root cause; localization).
pub fn accepts_label(answer: &scenario::Answer, level: Level, label: &str) -> Option<bool> {
    match level {
        Level::FailureMode => Some(FailureMode::parse(label).is_ok_and(|m| answer.accepts_mode(m))),
        Level::RootCauseCategory => {
            Some(Category::parse(label).is_ok_and(|c| answer.accepts_category(c)))
        }
        Level::RootCause => answer
            .root_cause
            .map(|_| RootCause::parse(label).is_ok_and(|c| answer.accepts_cause(c) == Some(true))),
        Level::Localization => None,
    }
}

/// Display order of a label at a level: taxonomy order, then other labels alphabetically, then
/// `wrong_target`, then `error`.
pub fn label_order(level: Level, label: &str) -> (usize, String) {
    let pos = match level {
        Level::FailureMode | Level::Localization => {
            FailureMode::ALL.iter().position(|m| m.as_str() == label)
        }
        Level::RootCauseCategory => Category::ALL.iter().position(|c| c.as_str() == label),
        Level::RootCause => RootCause::ALL.iter().position(|c| c.as_str() == label),
    };
    match pos {
        Some(i) => (i, String::new()),
        None if label == WRONG_TARGET_LABEL => (1001, String::new()),
        None if label == ERROR_LABEL => (1002, String::new()),
        None => (1000, label.to_owned()),
    }
}

/// Scores a run's predictions. The number of trials is the number of distinct trial values.
pub fn score(predictions: &[PredictionRow]) -> Scores {
    let mut trials: Vec<u32> = predictions.iter().map(|r| r.trial).collect();
    trials.sort_unstable();
    trials.dedup();
    let multi_trial = trials.len() > 1;
    let mut out = Scores::default();
    for &level in Level::ALL {
        let obs: Vec<Obs<'_>> = predictions
            .iter()
            .filter_map(|r| {
                labels_at(r, level).map(|(e, p)| Obs {
                    scenario: &r.scenario_id,
                    expected: e,
                    predicted: p,
                    correct: correct_at(r, level).unwrap_or(e == p),
                    confidence: if r.error.is_some() {
                        Some(0.0)
                    } else {
                        r.confidence
                    },
                })
            })
            .collect();
        let (confusion, metrics) = level_scores(level, &obs, multi_trial);
        if level.is_labeled() {
            out.confusion.extend(confusion);
        }
        out.metrics.extend(metrics);
        let scored = predictions
            .iter()
            .filter_map(|r| correct_at(r, level).map(|ok| (r, ok)));
        if let Some(c) = crate::cost::figures(scored) {
            out.metrics.push(MetricRow {
                support: c.rows_with_usage,
                cost_usd_total: c.cost_usd_total,
                cost_per_case: c.cost_per_case,
                cost_per_correct: c.cost_per_correct,
                tokens_per_case: c.tokens_per_case,
                tool_calls_per_case: c.tool_calls_per_case,
                ..MetricRow::empty(level, COST_KIND)
            });
        }
    }
    out.slices = slices(predictions);
    out.slices.extend(twin_pairs(predictions));
    out
}

fn level_scores(
    level: Level,
    obs: &[Obs<'_>],
    multi_trial: bool,
) -> (Vec<ConfusionRow>, Vec<MetricRow>) {
    let mut labels: Vec<&str> = obs.iter().flat_map(|o| [o.expected, o.predicted]).collect();
    labels.sort_by_key(|l| label_order(level, l));
    labels.dedup();
    let index: HashMap<&str, usize> = labels.iter().enumerate().map(|(i, l)| (*l, i)).collect();
    let k = labels.len();
    let mut matrix = vec![vec![0u64; k]; k];
    for o in obs {
        matrix[index[o.expected]][index[o.predicted]] += 1;
    }
    let confusion = labels
        .iter()
        .enumerate()
        .flat_map(|(i, e)| {
            let row = &matrix[i];
            labels.iter().enumerate().map(move |(j, p)| ConfusionRow {
                level,
                expected: (*e).to_owned(),
                predicted: (*p).to_owned(),
                count: row[j],
            })
        })
        .collect();

    let n = obs.len() as u64;
    let expected_total: Vec<u64> = matrix.iter().map(|r| r.iter().sum()).collect();
    let predicted_total: Vec<u64> = (0..k).map(|j| matrix.iter().map(|r| r[j]).sum()).collect();
    let diagonal: u64 = (0..k).map(|i| matrix[i][i]).sum();
    let correct = obs.iter().filter(|o| o.correct).count() as u64;

    let mut class_rows = Vec::with_capacity(k);
    let (mut f1_sum, mut f1_classes, mut weighted) = (0.0, 0u64, 0.0);
    for (i, label) in labels.iter().enumerate() {
        let tp = matrix[i][i];
        let support = expected_total[i];
        let predicted = predicted_total[i];
        let precision = (predicted > 0).then(|| tp as f64 / predicted as f64);
        let recall = (support > 0).then(|| tp as f64 / support as f64);
        let f1 = (support + predicted > 0).then(|| 2.0 * tp as f64 / (support + predicted) as f64);
        if support > 0 {
            let f = f1.unwrap_or(0.0);
            f1_sum += f;
            f1_classes += 1;
            weighted += f * support as f64;
        }
        class_rows.push(MetricRow::class_row(
            level, label, support, precision, recall, f1,
        ));
    }

    let (accuracy, ci, kappa) = if n > 0 {
        let nf = n as f64;
        // Kappa is agreement with the primary labels (the matrix); accuracy counts the
        // acceptable answers too.
        let po = diagonal as f64 / nf;
        let pe: f64 = (0..k)
            .map(|i| expected_total[i] as f64 * predicted_total[i] as f64)
            .sum::<f64>()
            / (nf * nf);
        let kappa = (1.0 - pe > 1e-12).then(|| (po - pe) / (1.0 - pe));
        (Some(correct as f64 / nf), Some(wilson(correct, n)), kappa)
    } else {
        (None, None, None)
    };
    let consistency = if multi_trial {
        trial_consistency(obs)
    } else {
        None
    };
    let overall = MetricRow {
        level,
        kind: "overall".into(),
        class: None,
        support: n,
        precision: None,
        recall: None,
        f1: None,
        accuracy,
        accuracy_ci_low: ci.map(|c| c.0),
        accuracy_ci_high: ci.map(|c| c.1),
        macro_f1: (f1_classes > 0).then(|| f1_sum / f1_classes as f64),
        weighted_f1: (n > 0).then(|| weighted / n as f64),
        kappa,
        flip_rate: consistency.map(|c| c.0),
        pass_k: consistency.map(|c| c.1),
        majority_accuracy: consistency.map(|c| c.2),
        ..MetricRow::empty(level, "overall")
    };
    let mut metrics = vec![overall];
    metrics.extend(class_rows);
    metrics.extend(calibration_rows(level, obs));
    (confusion, metrics)
}

/// The calibration row and the reliability bins of a level; none when no row has a confidence.
fn calibration_rows(level: Level, obs: &[Obs<'_>]) -> Vec<MetricRow> {
    // Sorted by (confidence, scenario, correct) so bins and coverage ties do not depend on
    // the order the rows came in.
    let mut keyed: Vec<(f64, &str, bool)> = obs
        .iter()
        .filter_map(|o| o.confidence.map(|c| (c, o.scenario, o.correct)))
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)).then(a.2.cmp(&b.2)));
    let pairs: Vec<(f64, bool)> = keyed.iter().map(|k| (k.0, k.2)).collect();
    let Some(c) = calibrate(&pairs) else {
        return Vec::new();
    };
    let mut rows = vec![MetricRow {
        support: c.n,
        accuracy: Some(c.accuracy),
        ece_equal_width: Some(c.ece_equal_width),
        ece_equal_mass: Some(c.ece_equal_mass),
        brier: Some(c.brier),
        selective_accuracy_50: Some(c.selective[0]),
        selective_accuracy_80: Some(c.selective[1]),
        selective_accuracy_100: Some(c.selective[2]),
        mean_confidence: Some(c.mean_confidence),
        ..MetricRow::empty(level, CALIBRATION_KIND)
    }];
    for (kind, bins) in [
        (RELIABILITY_WIDTH_KIND, &c.width_bins),
        (RELIABILITY_MASS_KIND, &c.mass_bins),
    ] {
        rows.extend(bins.iter().map(|b| MetricRow {
            support: b.n,
            accuracy: b.accuracy,
            mean_confidence: b.mean_confidence,
            bin_low: Some(b.low),
            bin_high: Some(b.high),
            ..MetricRow::empty(level, kind)
        }));
    }
    rows
}

/// (flip rate, pass^k, majority accuracy) over the scenarios of a level.
fn trial_consistency(obs: &[Obs<'_>]) -> Option<(f64, f64, f64)> {
    let mut by_scenario: BTreeMap<&str, (&str, Vec<&str>)> = BTreeMap::new();
    for o in obs {
        by_scenario
            .entry(o.scenario)
            .or_insert_with(|| (o.expected, Vec::new()))
            .1
            .push(o.predicted);
    }
    if by_scenario.is_empty() {
        return None;
    }
    let (mut flips, mut passes, mut majority) = (0u64, 0u64, 0u64);
    for (expected, predicted) in by_scenario.values() {
        if predicted.iter().any(|p| p != &predicted[0]) {
            flips += 1;
        }
        if predicted.iter().all(|p| p == expected) {
            passes += 1;
        }
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for p in predicted {
            *counts.entry(p).or_default() += 1;
        }
        let right = counts.get(expected).copied().unwrap_or(0);
        if right > 0
            && counts
                .iter()
                .all(|(label, c)| label == expected || *c < right)
        {
            majority += 1;
        }
    }
    let s = by_scenario.len() as f64;
    Some((flips as f64 / s, passes as f64 / s, majority as f64 / s))
}

/// The slice values of a row, per dimension (in [`SLICE_DIMENSIONS`] order).
pub(crate) fn slice_values(row: &PredictionRow) -> [Vec<String>; 4] {
    let signals = if row.adversarial_signals.is_empty() {
        vec![NONE_VALUE.to_owned()]
    } else {
        let mut s = row.adversarial_signals.clone();
        s.sort();
        s.dedup();
        s
    };
    let missing: Vec<String> = EvidenceKind::ALL
        .iter()
        .map(|k| k.as_str())
        .filter(|k| !row.evidence_available.iter().any(|a| a == k))
        .map(str::to_owned)
        .collect();
    let missing = if missing.is_empty() {
        vec![NONE_VALUE.to_owned()]
    } else {
        missing
    };
    [
        vec![row.difficulty.to_string()],
        signals,
        missing,
        vec![row.family.clone()],
    ]
}

fn slices(predictions: &[PredictionRow]) -> Vec<SliceRow> {
    // (dimension index, value, level) -> (n, correct)
    let mut acc: BTreeMap<(usize, String, Level), (u64, u64)> = BTreeMap::new();
    for row in predictions {
        let values = slice_values(row);
        for &level in Level::ALL {
            let Some(ok) = correct_at(row, level) else {
                continue;
            };
            for (di, vals) in values.iter().enumerate() {
                for v in vals {
                    let e = acc.entry((di, v.clone(), level)).or_default();
                    e.0 += 1;
                    e.1 += u64::from(ok);
                }
            }
        }
    }
    acc.into_iter()
        .map(|((di, value, level), (n, correct))| {
            slice_row(SLICE_DIMENSIONS[di], value, level, n, correct)
        })
        .collect()
}

/// Pair accuracy of the counterfactual twins: a pair counts once per trial (from its
/// lower-id scenario), and is right at a level when both of its scenarios are.
fn twin_pairs(predictions: &[PredictionRow]) -> Vec<SliceRow> {
    let by_key: BTreeMap<(&str, u32), &PredictionRow> = predictions
        .iter()
        .map(|r| ((r.scenario_id.as_str(), r.trial), r))
        .collect();
    let mut acc: BTreeMap<(String, Level), (u64, u64)> = BTreeMap::new();
    for row in predictions {
        let (Some(of), Some(kind)) = (row.twin_of.as_deref(), row.twin_kind.as_deref()) else {
            continue;
        };
        if row.scenario_id.as_str() >= of {
            continue;
        }
        let Some(other) = by_key.get(&(of, row.trial)) else {
            continue;
        };
        for &level in Level::ALL {
            let (Some(a), Some(b)) = (correct_at(row, level), correct_at(other, level)) else {
                continue;
            };
            let e = acc.entry((kind.to_owned(), level)).or_default();
            e.0 += 1;
            e.1 += u64::from(a && b);
        }
    }
    acc.into_iter()
        .map(|((value, level), (n, correct))| {
            slice_row(TWIN_PAIR_DIMENSION, value, level, n, correct)
        })
        .collect()
}

/// A slice row with its accuracy and Wilson interval.
fn slice_row(dimension: &str, value: String, level: Level, n: u64, correct: u64) -> SliceRow {
    let (ci_low, ci_high) = wilson(correct, n);
    SliceRow {
        dimension: dimension.to_owned(),
        value,
        level,
        n,
        correct,
        accuracy: correct as f64 / n as f64,
        ci_low,
        ci_high,
    }
}

//! `selftest`: scores control predictions whose figures are known in advance, so a scoring bug
//! cannot hide behind a plausible accuracy.
//!
//! The controls are built here, from the answers, and scored by the same [`score_row`] and
//! [`score`] as a real run; they never go through the classifier interface (a classifier never
//! sees a label):
//!
//! * `oracle`: the answer itself (primary labels, pod and container): accuracy 1 at every level,
//!   macro F1 1.
//! * `always-healthy`: `healthy` / `healthy` / `none`: accuracy = the share of answers that
//!   accept `healthy` at the level; Cohen's kappa 0 (a constant prediction agrees by chance only).
//! * `majority-class`: the most frequent primary label of each level (ties in taxonomy order):
//!   accuracy = the share of answers that accept it; kappa 0.
//! * `uniform-random` (seeded): every level drawn uniformly from its ground-truth labels (`unknown`
//!   excluded), independently: accuracy within a binomial bound of the expected share, the mean
//!   over the scored rows of (labels the answer accepts) / k, about 1/k.
//!
//! Every control names the answer's pod and container, so the localization level checks the
//! failure mode alone on the rows that expect a pod. The expected figures are computed from the
//! [`Answer`]s directly, not from the prediction rows.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use scenario::{Answer, Category, FailureMode, Level, Prediction, RootCause, Scenario, Suite};

use crate::eval::score_row;
use crate::metrics::score;
use crate::stats::SplitMix64;

/// Standard deviations either side of the expected share that the uniform-random control may
/// land in (two-sided tail about 6e-5 for a normal approximation).
pub const RANDOM_BOUND_SD: f64 = 4.0;

/// Seed of the uniform-random control unless one is given.
pub const DEFAULT_SEED: u64 = 12;

/// Slack of the exact checks (floating point only).
const EXACT_TOLERANCE: f64 = 1e-9;

/// A control classifier of the selftest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// The answers themselves.
    Oracle,
    /// `healthy` at every level.
    AlwaysHealthy,
    /// The majority label of each level.
    Majority,
    /// Uniform draws over each level's labels.
    UniformRandom,
}

impl Control {
    /// Every control, in report order.
    pub const ALL: &'static [Control] = &[
        Control::Oracle,
        Control::AlwaysHealthy,
        Control::Majority,
        Control::UniformRandom,
    ];

    /// The name printed in the table.
    pub const fn as_str(self) -> &'static str {
        match self {
            Control::Oracle => "oracle",
            Control::AlwaysHealthy => "always-healthy",
            Control::Majority => "majority-class",
            Control::UniformRandom => "uniform-random",
        }
    }
}

/// One figure the selftest checks.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// The control scored.
    pub control: Control,
    /// The level.
    pub level: Level,
    /// `accuracy`, `macro_f1` or `kappa`.
    pub metric: &'static str,
    /// Rows scored at the level.
    pub n: u64,
    /// What the scorer reported (`None`: the metric is undefined there).
    pub actual: Option<f64>,
    /// What it must be.
    pub expected: f64,
    /// How far `actual` may be from `expected`.
    pub tolerance: f64,
}

impl Check {
    /// Whether the scorer's figure is within tolerance.
    pub fn passed(&self) -> bool {
        self.actual
            .is_some_and(|a| (a - self.expected).abs() <= self.tolerance)
    }
}

/// The checks of one corpus.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The corpus as named by the caller.
    pub corpus: String,
    /// Scenarios in it.
    pub scenarios: u64,
    /// Every check, by control then level.
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(Check::passed)
    }
}

/// The labels a level of the taxonomy can take in an answer (`unknown` excluded).
fn truth_labels(level: Level) -> Vec<&'static str> {
    match level {
        Level::FailureMode | Level::Localization => FailureMode::ALL
            .iter()
            .filter(|m| m.is_ground_truth())
            .map(|m| m.as_str())
            .collect(),
        Level::RootCauseCategory => Category::ALL
            .iter()
            .filter(|c| **c != Category::Unknown)
            .map(|c| c.as_str())
            .collect(),
        Level::RootCause => RootCause::ALL
            .iter()
            .filter(|c| **c != RootCause::Unknown)
            .map(|c| c.as_str())
            .collect(),
    }
}

/// Whether `answer` is scored at `level`.
fn scored(answer: &Answer, level: Level) -> bool {
    match level {
        Level::FailureMode | Level::RootCauseCategory => true,
        Level::RootCause => answer.root_cause.is_some(),
        Level::Localization => answer.affected_pod.is_some(),
    }
}

/// Whether `answer` accepts `label` at `level` (a scored answer; the label is a truth label).
fn accepts(answer: &Answer, level: Level, label: &str) -> bool {
    // Localization's label is the failure mode (the pod is checked apart).
    let level = if level == Level::Localization {
        Level::FailureMode
    } else {
        level
    };
    crate::metrics::accepts_label(answer, level, label).unwrap_or(false)
}

/// The primary label of `answer` at `level` (a scored answer).
fn primary(answer: &Answer, level: Level) -> &'static str {
    match level {
        Level::FailureMode | Level::Localization => answer.failure_mode.as_str(),
        Level::RootCauseCategory => answer.root_cause_category.as_str(),
        Level::RootCause => answer.root_cause.map_or("unknown", RootCause::as_str),
    }
}

/// The most frequent primary label at each labeled level (ties: the first in taxonomy order).
fn majority(answers: &[Answer]) -> BTreeMap<Level, &'static str> {
    let mut out = BTreeMap::new();
    for &level in Level::LABELED {
        let labels = truth_labels(level);
        let mut counts = vec![0u64; labels.len()];
        for a in answers.iter().filter(|a| scored(a, level)) {
            if let Some(i) = labels.iter().position(|l| *l == primary(a, level)) {
                counts[i] += 1;
            }
        }
        let best = (0..labels.len())
            .max_by_key(|i| (counts[*i], std::cmp::Reverse(*i)))
            .unwrap_or(0);
        out.insert(level, labels[best]);
    }
    out
}

/// A prediction naming the answer's pod and container with the given labels.
fn named(answer: &Answer, mode: &str, category: &str, cause: &str) -> Prediction {
    Prediction {
        failure_mode: FailureMode::parse(mode).unwrap_or(FailureMode::Unknown),
        root_cause_category: Category::parse(category).unwrap_or(Category::Unknown),
        root_cause: RootCause::parse(cause).unwrap_or(RootCause::Unknown),
        exit_code: answer.exit_code,
        affected_pod: answer.affected_pod.clone(),
        affected_container: answer.affected_container.clone(),
        confidence: None,
        explanation: String::new(),
    }
}

/// The control's prediction for every scenario.
fn predictions(control: Control, scenarios: &[Scenario], seed: u64) -> Vec<Prediction> {
    let answers: Vec<Answer> = scenarios.iter().map(Scenario::answer).collect();
    match control {
        Control::Oracle => answers
            .iter()
            .map(|a| {
                named(
                    a,
                    a.failure_mode.as_str(),
                    a.root_cause_category.as_str(),
                    a.root_cause.map_or("unknown", RootCause::as_str),
                )
            })
            .collect(),
        Control::AlwaysHealthy => answers
            .iter()
            .map(|a| named(a, "healthy", "healthy", RootCause::None.as_str()))
            .collect(),
        Control::Majority => {
            let m = majority(&answers);
            answers
                .iter()
                .map(|a| {
                    named(
                        a,
                        m[&Level::FailureMode],
                        m[&Level::RootCauseCategory],
                        m[&Level::RootCause],
                    )
                })
                .collect()
        }
        Control::UniformRandom => {
            let mut rng = SplitMix64::new(seed);
            let modes = truth_labels(Level::FailureMode);
            let cats = truth_labels(Level::RootCauseCategory);
            let causes = truth_labels(Level::RootCause);
            answers
                .iter()
                .map(|a| {
                    let mut pick = |l: &[&'static str]| l[rng.below(l.len() as u64) as usize];
                    let (m, c, r) = (pick(&modes), pick(&cats), pick(&causes));
                    named(a, m, c, r)
                })
                .collect()
        }
    }
}

/// The expected accuracy of a control at a level and its tolerance, from the answers alone.
fn expected_accuracy(
    control: Control,
    level: Level,
    answers: &[Answer],
    majority: &BTreeMap<Level, &'static str>,
) -> (f64, f64) {
    let rows: Vec<&Answer> = answers.iter().filter(|a| scored(a, level)).collect();
    let n = rows.len() as f64;
    if rows.is_empty() {
        return (0.0, EXACT_TOLERANCE);
    }
    // The label the constant controls predict at this level (localization: the mode).
    let label_level = if level == Level::Localization {
        Level::FailureMode
    } else {
        level
    };
    let share = |label: &str| rows.iter().filter(|a| accepts(a, level, label)).count() as f64 / n;
    match control {
        Control::Oracle => (1.0, EXACT_TOLERANCE),
        Control::AlwaysHealthy => {
            let label = match label_level {
                Level::RootCause => RootCause::None.as_str(),
                _ => "healthy",
            };
            (share(label), EXACT_TOLERANCE)
        }
        Control::Majority => (share(majority[&label_level]), EXACT_TOLERANCE),
        Control::UniformRandom => {
            let labels = truth_labels(level);
            let k = labels.len() as f64;
            let p: Vec<f64> = rows
                .iter()
                .map(|a| labels.iter().filter(|l| accepts(a, level, l)).count() as f64 / k)
                .collect();
            let mean = p.iter().sum::<f64>() / n;
            let var: f64 = p.iter().map(|p| p * (1.0 - p)).sum::<f64>() / (n * n);
            (mean, RANDOM_BOUND_SD * var.sqrt() + EXACT_TOLERANCE)
        }
    }
}

/// Runs every control over `suite` (the uniform-random control seeded with `seed`) and checks
/// its figures. `corpus` names the suite in the report.
pub fn run(suite: &Suite, corpus: &str, seed: u64) -> Report {
    let scenarios = suite.scenarios();
    let answers: Vec<Answer> = scenarios.iter().map(Scenario::answer).collect();
    let majority = majority(&answers);
    let mut checks = Vec::new();
    for &control in Control::ALL {
        let rows: Vec<_> = predictions(control, scenarios, seed)
            .into_iter()
            .zip(scenarios)
            .map(|(p, s)| score_row(control.as_str(), s, 0, Ok(p), 0.0))
            .collect();
        let scores = score(&rows);
        for &level in Level::ALL {
            let overall = scores.overall(level);
            let n = overall.map_or(0, |o| o.support);
            let (expected, tolerance) = expected_accuracy(control, level, &answers, &majority);
            checks.push(Check {
                control,
                level,
                metric: "accuracy",
                n,
                actual: overall.and_then(|o| o.accuracy),
                expected,
                tolerance,
            });
            if !level.is_labeled() || n == 0 {
                continue;
            }
            match control {
                Control::Oracle => checks.push(Check {
                    control,
                    level,
                    metric: "macro_f1",
                    n,
                    actual: overall.and_then(|o| o.macro_f1),
                    expected: 1.0,
                    tolerance: EXACT_TOLERANCE,
                }),
                Control::AlwaysHealthy | Control::Majority => {
                    // Kappa is undefined when every expected label is the predicted one.
                    if let Some(kappa) = overall.and_then(|o| o.kappa) {
                        checks.push(Check {
                            control,
                            level,
                            metric: "kappa",
                            n,
                            actual: Some(kappa),
                            expected: 0.0,
                            tolerance: EXACT_TOLERANCE,
                        });
                    }
                }
                Control::UniformRandom => {}
            }
        }
    }
    Report {
        corpus: corpus.to_owned(),
        scenarios: scenarios.len() as u64,
        checks,
    }
}

/// The reports as a plain-text table, one line per check, and a verdict line.
pub fn render(reports: &[Report]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<24} {:<15} {:<20} {:<9} {:>6} {:>8} {:>8} {:>8}  result",
        "corpus", "control", "level", "metric", "n", "actual", "expected", "bound"
    );
    let mut failed = 0;
    let mut total = 0;
    for r in reports {
        for c in &r.checks {
            total += 1;
            let ok = c.passed();
            failed += usize::from(!ok);
            let actual = c
                .actual
                .map_or_else(|| "-".to_owned(), |a| format!("{a:.4}"));
            let _ = writeln!(
                out,
                "{:<24} {:<15} {:<20} {:<9} {:>6} {:>8} {:>8.4} {:>8}  {}",
                r.corpus,
                c.control.as_str(),
                c.level.as_str(),
                c.metric,
                c.n,
                actual,
                c.expected,
                if c.tolerance > EXACT_TOLERANCE {
                    format!("±{:.4}", c.tolerance)
                } else {
                    "exact".to_owned()
                },
                if ok { "ok" } else { "FAILED" }
            );
        }
    }
    let _ = writeln!(
        out,
        "\nselftest: {} of {total} checks passed{}",
        total - failed,
        if failed > 0 {
            " (scoring is broken)"
        } else {
            ""
        }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical() -> Suite {
        scenario::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/canonical"),
        )
        .unwrap()
    }

    #[test]
    fn canonical_suite_passes_with_exact_figures() {
        let report = run(&canonical(), "canonical", DEFAULT_SEED);
        assert!(report.passed(), "{}", render(std::slice::from_ref(&report)));
        // The canonical suite has one scenario per core mode: healthy and majority are 1/4.
        let acc = |control, level| {
            report
                .checks
                .iter()
                .find(|c| c.control == control && c.level == level && c.metric == "accuracy")
                .and_then(|c| c.actual)
                .unwrap()
        };
        assert_eq!(acc(Control::Oracle, Level::Localization), 1.0);
        assert_eq!(acc(Control::AlwaysHealthy, Level::FailureMode), 0.25);
        assert_eq!(acc(Control::Majority, Level::FailureMode), 0.25);
    }

    #[test]
    fn a_broken_scorer_fails_the_check() {
        let mut report = run(&canonical(), "canonical", DEFAULT_SEED);
        let c = &mut report.checks[0];
        c.actual = c.actual.map(|a| a - 0.01);
        assert!(!report.passed());
        assert!(render(&[report]).contains("FAILED"));
    }

    #[test]
    fn majority_breaks_ties_in_taxonomy_order() {
        let answers: Vec<Answer> = canonical()
            .scenarios()
            .iter()
            .map(Scenario::answer)
            .collect();
        assert_eq!(majority(&answers)[&Level::FailureMode], "healthy");
    }
}

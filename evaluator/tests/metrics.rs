//! Metrics against a hand-computed oracle: a 15-row confusion matrix whose precision, recall,
//! F1, macro/weighted F1, kappa and Wilson bounds are worked out by hand in the comments; trial
//! consistency on a 4-scenario x 3-trial case; slices.

mod common;

use common::row;
use evaluator::score;
use evaluator::tables::{MetricRow, PredictionRow};
use scenario::Level;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[track_caller]
fn approx(got: Option<f64>, want: f64) {
    let got = got.expect("value should be present");
    assert!(close(got, want), "got {got}, want {want}");
}

/// Expected (rows) x predicted (columns), failure-mode level:
///
/// ```text
///            healthy  crashloop  oom  error | support
/// healthy       5        0        1     0   |   6
/// crashloop     0        2        1     1   |   4
/// oom           1        1        3     0   |   5
/// predicted     6        3        5     1   |  15
/// ```
fn oracle_rows() -> Vec<PredictionRow> {
    let mut rows = Vec::new();
    for (expected, predicted, k) in [
        ("healthy", "healthy", 5),
        ("healthy", "oom_killed", 1),
        ("oom_killed", "healthy", 1),
        ("oom_killed", "oom_killed", 3),
        ("oom_killed", "crashloop_backoff", 1),
        ("crashloop_backoff", "oom_killed", 1),
        ("crashloop_backoff", "crashloop_backoff", 2),
        ("crashloop_backoff", "error", 1),
    ] {
        for _ in 0..k {
            let id = format!("s{:02}", rows.len());
            rows.push(row(&id, 0, expected, predicted));
        }
    }
    // One OOM row with the right mode on the wrong pod: right at level 1, wrong at localization.
    let r = rows
        .iter_mut()
        .find(|r| r.expected_failure_mode == "oom_killed" && r.correct_failure_mode)
        .unwrap();
    r.predicted_pod = Some("ns/elsewhere".into());
    r.correct_localization = Some(false);
    rows
}

fn class<'a>(metrics: &'a [MetricRow], level: Level, class: &str) -> &'a MetricRow {
    metrics
        .iter()
        .find(|m| m.level == level && m.class.as_deref() == Some(class))
        .unwrap_or_else(|| panic!("no class row {level}/{class}"))
}

#[test]
fn confusion_matrix_is_long_form_with_zero_cells() {
    let scores = score(&oracle_rows());
    let fm: Vec<_> = scores
        .confusion
        .iter()
        .filter(|c| c.level == Level::FailureMode)
        .collect();
    // Labels: the union of expected and predicted, taxonomy order then `error`: 4 x 4 cells.
    assert_eq!(fm.len(), 16);
    let labels: Vec<&str> = fm.iter().take(4).map(|c| c.predicted.as_str()).collect();
    assert_eq!(
        labels,
        ["healthy", "crashloop_backoff", "oom_killed", "error"]
    );
    assert_eq!(fm.iter().map(|c| c.count).sum::<u64>(), 15);
    let cell = |e: &str, p: &str| {
        fm.iter()
            .find(|c| c.expected == e && c.predicted == p)
            .unwrap()
            .count
    };
    assert_eq!(cell("healthy", "healthy"), 5);
    assert_eq!(
        cell("healthy", "crashloop_backoff"),
        0,
        "zero cells are present"
    );
    assert_eq!(cell("oom_killed", "crashloop_backoff"), 1);
    assert_eq!(cell("crashloop_backoff", "error"), 1);
    assert_eq!(
        cell("error", "error"),
        0,
        "a predicted-only label still gets its row"
    );
    // No confusion rows for localization; three levels with 16 cells each.
    assert!(
        scores
            .confusion
            .iter()
            .all(|c| c.level != Level::Localization)
    );
    assert_eq!(scores.confusion.len(), 48);
}

#[test]
fn per_class_and_overall_metrics_match_the_hand_computation() {
    let scores = score(&oracle_rows());
    let m = &scores.metrics;

    // healthy: tp 5, predicted 6, support 6 -> P = R = 5/6; F1 = 2*5 / (6 + 6) = 0.833333.
    let h = class(m, Level::FailureMode, "healthy");
    assert_eq!(h.support, 6);
    approx(h.precision, 5.0 / 6.0);
    approx(h.recall, 5.0 / 6.0);
    approx(h.f1, 10.0 / 12.0);
    // oom_killed: tp 3, predicted 5, support 5 -> P = R = 0.6, F1 = 6 / 10 = 0.6.
    let o = class(m, Level::FailureMode, "oom_killed");
    approx(o.precision, 0.6);
    approx(o.recall, 0.6);
    approx(o.f1, 0.6);
    // crashloop: tp 2, predicted 3, support 4 -> P = 2/3, R = 1/2, F1 = 4 / 7 = 0.571429.
    let c = class(m, Level::FailureMode, "crashloop_backoff");
    approx(c.precision, 2.0 / 3.0);
    approx(c.recall, 0.5);
    approx(c.f1, 4.0 / 7.0);
    // error: never expected -> recall null; predicted once, never right -> precision 0, F1 0.
    let e = class(m, Level::FailureMode, "error");
    assert_eq!(e.support, 0);
    assert_eq!(e.recall, None);
    approx(e.precision, 0.0);
    approx(e.f1, 0.0);

    let overall = scores.overall(Level::FailureMode).unwrap();
    assert_eq!(overall.support, 15);
    // accuracy = (5 + 2 + 3) / 15 = 0.666667.
    approx(overall.accuracy, 10.0 / 15.0);
    // Wilson, z = 1.959964, z^2 = 3.841459: denominator 1 + 3.841459/15 = 1.256097;
    // center (0.666667 + 3.841459/30) / 1.256097 = 0.632686;
    // half 1.959964/1.256097 * sqrt(0.666667*0.333333/15 + 3.841459/900) = 0.215551
    // -> [0.417135, 0.848237].
    approx(overall.accuracy_ci_low, 0.417135);
    approx(overall.accuracy_ci_high, 0.848237);
    // macro F1 over the classes that occur: (0.833333 + 0.6 + 0.571429) / 3 = 0.668254.
    approx(overall.macro_f1, (10.0 / 12.0 + 0.6 + 4.0 / 7.0) / 3.0);
    // weighted F1: (6*0.833333 + 5*0.6 + 4*0.571429) / 15 = (5 + 3 + 2.285714) / 15 = 0.685714.
    approx(overall.weighted_f1, (5.0 + 3.0 + 16.0 / 7.0) / 15.0);
    // kappa: p_o = 10/15 = 150/225; p_e = (6*6 + 4*3 + 5*5 + 0*1) / 225 = 73/225;
    // (150 - 73) / (225 - 73) = 77/152 = 0.506579.
    approx(overall.kappa, 77.0 / 152.0);
    // One trial: no consistency figures.
    assert_eq!(
        (overall.flip_rate, overall.pass_k, overall.majority_accuracy),
        (None, None, None)
    );

    // Category and root cause map one to one from the mode here: same accuracy and kappa.
    for level in [Level::RootCauseCategory, Level::RootCause] {
        let o = scores.overall(level).unwrap();
        approx(o.accuracy, 10.0 / 15.0);
        approx(o.kappa, 77.0 / 152.0);
    }
}

#[test]
fn localization_scores_only_rows_with_an_expected_pod() {
    let scores = score(&oracle_rows());
    let loc = scores.overall(Level::Localization).unwrap();
    // The 9 OOM and crashloop rows; right: 3 OOM - 1 wrong pod + 2 crashloop = 4.
    assert_eq!(loc.support, 9);
    approx(loc.accuracy, 4.0 / 9.0);
    // Wilson 4/9: center (0.444444 + 3.841459/18) / 1.426829 = 0.461064, half 0.272285.
    approx(loc.accuracy_ci_low, 0.188779);
    approx(loc.accuracy_ci_high, 0.733349);
    // oom_killed at localization: 2 of 5 right; the wrong pod shows up as `wrong_target`.
    let o = class(&scores.metrics, Level::Localization, "oom_killed");
    approx(o.recall, 0.4);
    let wt = class(&scores.metrics, Level::Localization, "wrong_target");
    assert_eq!((wt.support, wt.precision), (0, Some(0.0)));
}

#[test]
fn trial_consistency_flip_rate_pass_k_and_majority() {
    // 3 trials: s1 right x3; s2 right, wrong, right; s3 the same wrong answer x3;
    // s4 three different answers, one of them right (a tie: the majority is not right).
    let mut rows = Vec::new();
    for (t, p) in ["oom_killed", "oom_killed", "oom_killed"]
        .iter()
        .enumerate()
    {
        rows.push(row("s1", t as u32, "oom_killed", p));
    }
    for (t, p) in ["oom_killed", "healthy", "oom_killed"].iter().enumerate() {
        rows.push(row("s2", t as u32, "oom_killed", p));
    }
    for (t, p) in ["healthy", "healthy", "healthy"].iter().enumerate() {
        rows.push(row("s3", t as u32, "oom_killed", p));
    }
    for (t, p) in ["healthy", "crashloop_backoff", "oom_killed"]
        .iter()
        .enumerate()
    {
        rows.push(row("s4", t as u32, "oom_killed", p));
    }
    let scores = score(&rows);
    let o = scores.overall(Level::FailureMode).unwrap();
    // flips: s2, s4 -> 2/4; pass^3: s1 -> 1/4; majority right: s1, s2 -> 2/4.
    approx(o.flip_rate, 0.5);
    approx(o.pass_k, 0.25);
    approx(o.majority_accuracy, 0.5);
    // accuracy over all 12 rows: 3 + 2 + 0 + 1 = 6/12.
    approx(o.accuracy, 0.5);
}

#[test]
fn slices_count_rows_per_value_and_level() {
    let mut rows = oracle_rows();
    for (i, r) in rows.iter_mut().enumerate() {
        r.difficulty = (i % 2) as u8;
        if r.family == "crashloop_backoff" {
            r.adversarial_signals = vec!["stale_events".into()];
            r.evidence_available = vec!["eks_pods".into(), "eks_events".into()];
        }
    }
    let scores = score(&rows);
    let get = |dim: &str, value: &str, level: Level| {
        scores
            .slices
            .iter()
            .find(|s| s.dimension == dim && s.value == value && s.level == level)
            .unwrap_or_else(|| panic!("no slice {dim}={value} {level}"))
    };
    // The four crashloop rows carry the signal: 2 of 4 right; Wilson 2/4 = [0.150039, 0.849961].
    let s = get("adversarial_signal", "stale_events", Level::FailureMode);
    assert_eq!((s.n, s.correct), (4, 2));
    assert!(
        close(s.ci_low, 0.150039) && close(s.ci_high, 0.849961),
        "{s:?}"
    );
    assert_eq!(get("adversarial_signal", "none", Level::FailureMode).n, 11);
    // Difficulty splits all 15 rows.
    let d0 = get("difficulty", "0", Level::FailureMode);
    let d1 = get("difficulty", "1", Level::FailureMode);
    assert_eq!(d0.n + d1.n, 15);
    assert_eq!(d0.correct + d1.correct, 10);
    // Evidence: every row lacks six sources except eks_pods; crashloop rows also have events.
    assert_eq!(
        get("evidence_missing", "eks_events", Level::FailureMode).n,
        11
    );
    assert_eq!(
        get("evidence_missing", "datadog_logs", Level::FailureMode).n,
        15
    );
    // Healthy rows expect no pod: no localization slice for them.
    assert!(
        !scores
            .slices
            .iter()
            .any(|s| s.value == "healthy" && s.level == Level::Localization)
    );
    assert_eq!(get("family", "healthy", Level::FailureMode).n, 6);
}

#[test]
fn twin_pairs_count_a_pair_right_only_when_both_are() {
    let twin = |r: evaluator::tables::PredictionRow, of: &str| evaluator::tables::PredictionRow {
        twin_of: Some(of.into()),
        twin_kind: Some("oom_scope".into()),
        ..r
    };
    let rows = vec![
        twin(common::row("00", 0, "oom_killed", "oom_killed"), "01"),
        twin(
            common::row("01", 0, "crashloop_backoff", "crashloop_backoff"),
            "00",
        ),
        twin(common::row("02", 0, "oom_killed", "oom_killed"), "03"),
        twin(
            common::row("03", 0, "crashloop_backoff", "oom_killed"),
            "02",
        ),
        common::row("04", 0, "healthy", "healthy"),
    ];
    let scores = evaluator::score(&rows);
    let pair = scores
        .slices
        .iter()
        .find(|s| {
            s.dimension == evaluator::metrics::TWIN_PAIR_DIMENSION
                && s.level == scenario::Level::FailureMode
        })
        .expect("a twin pair row");
    assert_eq!(
        (pair.value.as_str(), pair.n, pair.correct),
        ("oom_scope", 2, 1)
    );
    // Without twins there is no pair row.
    let plain = evaluator::score(&rows[4..]);
    assert!(
        !plain
            .slices
            .iter()
            .any(|s| s.dimension == evaluator::metrics::TWIN_PAIR_DIMENSION)
    );
}

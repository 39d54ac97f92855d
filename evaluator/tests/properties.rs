//! Property tests of the scores on random prediction rows: confusion totals equal the rows
//! scored at each level, accuracy equals the share of correct flags and lies in its Wilson
//! interval, class supports add up, row order does not matter, and the Parquet round trip is exact.

mod common;

use common::row;
use evaluator::metrics::correct_at;
use evaluator::report::{read_metrics, read_predictions, write_metrics, write_predictions};
use evaluator::score;
use evaluator::tables::PredictionRow;
use proptest::prelude::*;
use scenario::Level;

const LABELS: &[&str] = &[
    "healthy",
    "crashloop_backoff",
    "oom_killed",
    "image_pull_backoff",
    "unknown",
    "error",
];

fn rows_strategy() -> impl Strategy<Value = Vec<PredictionRow>> {
    (
        1usize..4,
        prop::collection::vec(
            (0usize..4, 0usize..LABELS.len(), any::<bool>(), 0u8..4),
            1..60,
        ),
    )
        .prop_map(|(trials, cells)| {
            let mut rows = Vec::new();
            for (i, (e, p, wrong_pod, d)) in cells.into_iter().enumerate() {
                for t in 0..trials {
                    // Vary the prediction across trials for some scenarios.
                    let p = if t % 2 == 1 && i % 3 == 0 {
                        (p + 1) % LABELS.len()
                    } else {
                        p
                    };
                    let mut r = row(&format!("s{i:03}"), t as u32, LABELS[e], LABELS[p]);
                    r.difficulty = d;
                    if i % 4 == 0 {
                        r.adversarial_signals = vec!["stale_events".into()];
                    }
                    if wrong_pod && r.correct_localization == Some(true) {
                        r.correct_localization = Some(false);
                        r.predicted_pod = Some("ns/other".into());
                    }
                    if i % 5 == 0 {
                        r.expected_root_cause = None;
                        r.correct_root_cause = None;
                    }
                    rows.push(r);
                }
            }
            rows
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn totals_accuracy_and_order_independence(rows in rows_strategy()) {
        let scores = score(&rows);
        for &level in Level::ALL {
            let scored: Vec<bool> = rows.iter().filter_map(|r| correct_at(r, level)).collect();
            let overall = scores.overall(level).unwrap();
            prop_assert_eq!(overall.support, scored.len() as u64);
            if level.is_labeled() {
                let total: u64 = scores.confusion.iter().filter(|c| c.level == level).map(|c| c.count).sum();
                prop_assert_eq!(total, scored.len() as u64);
            }
            let supports: u64 = scores.classes(level).map(|c| c.support).sum();
            prop_assert_eq!(supports, scored.len() as u64);
            if let Some(acc) = overall.accuracy {
                let want = scored.iter().filter(|c| **c).count() as f64 / scored.len() as f64;
                prop_assert!((acc - want).abs() < 1e-12);
                prop_assert!(overall.accuracy_ci_low.unwrap() <= acc + 1e-12 && acc <= overall.accuracy_ci_high.unwrap() + 1e-12);
                for v in [overall.macro_f1, overall.weighted_f1].into_iter().flatten() {
                    prop_assert!((0.0..=1.0).contains(&v));
                }
            }
        }
        let mut reversed = rows.clone();
        reversed.reverse();
        prop_assert_eq!(score(&reversed), scores);
    }

    #[test]
    fn parquet_round_trip_is_exact(rows in rows_strategy()) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("predictions.parquet");
        write_predictions(&p, &rows).unwrap();
        prop_assert_eq!(read_predictions(&p).unwrap(), rows.clone());
        let metrics = score(&rows).metrics;
        let m = dir.path().join("metrics.parquet");
        write_metrics(&m, &metrics).unwrap();
        prop_assert_eq!(read_metrics(&m).unwrap(), metrics);
    }
}

/// A perfectly calibrated synthetic classifier: confidence drawn from the ten bin centres,
/// right with exactly that probability (a seeded draw).
fn calibrated_rows(seed: u64, n: usize) -> Vec<PredictionRow> {
    let mut rng = evaluator::stats::SplitMix64::new(seed);
    (0..n)
        .map(|i| {
            let conf = (rng.below(10) as f64 + 0.5) / 10.0;
            let right = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= conf;
            let mut r = row(
                &format!("s{i:05}"),
                0,
                "crashloop_backoff",
                if right {
                    "crashloop_backoff"
                } else {
                    "oom_killed"
                },
            );
            r.confidence = Some(conf);
            r
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// ECE of a perfectly calibrated classifier is ~0 in both binnings (20,000 rows: each
    /// bin's accuracy is within about 0.011 of its confidence, one standard deviation), and
    /// its Brier score is the expected sum of p(1 - p).
    #[test]
    fn ece_of_a_calibrated_classifier_is_near_zero(seed in any::<u64>()) {
        let rows = calibrated_rows(seed, 20_000);
        let scores = score(&rows);
        let cal = scores.calibration(Level::FailureMode).unwrap();
        prop_assert_eq!(cal.support, 20_000);
        prop_assert!(cal.ece_equal_width.unwrap() < 0.025, "{:?}", cal);
        prop_assert!(cal.ece_equal_mass.unwrap() < 0.025, "{:?}", cal);
        // E[(c - y)^2] = c(1 - c) averaged over the ten centres = 0.1650.
        prop_assert!((cal.brier.unwrap() - 0.165).abs() < 0.01, "{:?}", cal);
        prop_assert_eq!(
            scores
                .reliability(Level::FailureMode, evaluator::metrics::RELIABILITY_WIDTH_KIND)
                .count(),
            10
        );
    }

    /// A classifier that says 0.9 and is right half the time has ECE 0.4.
    #[test]
    fn an_overconfident_classifier_has_a_large_ece(seed in any::<u64>()) {
        let mut rows = calibrated_rows(seed, 4_000);
        for (i, r) in rows.iter_mut().enumerate() {
            r.confidence = Some(0.9);
            let right = i % 2 == 0;
            r.predicted_failure_mode = if right { "crashloop_backoff" } else { "oom_killed" }.into();
            r.correct_failure_mode = right;
        }
        let cal = score(&rows).calibration(Level::FailureMode).cloned().unwrap();
        prop_assert!((cal.ece_equal_width.unwrap() - 0.4).abs() < 1e-9, "{:?}", cal);
        prop_assert!((cal.ece_equal_mass.unwrap() - 0.4).abs() < 1e-9, "{:?}", cal);
    }
}

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

//! The dependence table of an ablation study (`triagebench ablate`): for each evidence source
//! taken away, how the accuracy at each level changes against the plain run on the same corpus.
//!
//! Rows are paired by `(scenario_id, trial)`; per source and level: the accuracy of the plain
//! run and of the ablated one on the paired rows, the change (ablated minus plain, so a
//! negative number is how much the classifier depends on the source), the discordant pairs and
//! McNemar's exact p-value, and how many scenarios listed the source at all (ablating a source a
//! scenario does not have changes nothing there).

use std::collections::HashMap;

use scenario::Level;
use serde::{Deserialize, Serialize};

use crate::metrics::correct_at;
use crate::stats::mcnemar_exact;
use crate::tables::PredictionRow;

/// `dependence.parquet`: one row per ablated source and level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DependenceRow {
    /// The evidence source taken away (`scenario::EvidenceKind` name).
    pub source: String,
    /// How: `absent` or `unavailable`.
    pub ablated_as: String,
    /// The level.
    pub level: Level,
    /// Paired rows scored at the level.
    pub n: u64,
    /// Of those, rows whose scenario listed the source in the plain run.
    pub with_source: u64,
    /// Accuracy of the plain run on the paired rows.
    pub base_accuracy: f64,
    /// Accuracy with the source taken away.
    pub ablated_accuracy: f64,
    /// `ablated_accuracy - base_accuracy`.
    pub delta: f64,
    /// Right in the plain run, wrong without the source.
    pub newly_wrong: u64,
    /// Wrong in the plain run, right without the source.
    pub newly_right: u64,
    /// McNemar's exact two-sided p-value of the discordant pairs.
    pub p_value: f64,
}

/// The rows of one ablation against the plain run: one per level with paired rows.
pub fn dependence(
    base: &[PredictionRow],
    ablated: &[PredictionRow],
    source: &str,
    ablated_as: &str,
) -> Vec<DependenceRow> {
    let by_key: HashMap<(&str, u32), &PredictionRow> = ablated
        .iter()
        .map(|r| ((r.scenario_id.as_str(), r.trial), r))
        .collect();
    let pairs: Vec<(&PredictionRow, &PredictionRow)> = base
        .iter()
        .filter_map(|b| {
            by_key
                .get(&(b.scenario_id.as_str(), b.trial))
                .map(|a| (b, *a))
        })
        .collect();
    let mut out = Vec::new();
    for &level in Level::ALL {
        let (mut n, mut with, mut right_b, mut right_a, mut wrong, mut right) =
            (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
        for (b, a) in &pairs {
            let (Some(cb), Some(ca)) = (correct_at(b, level), correct_at(a, level)) else {
                continue;
            };
            n += 1;
            let listed = b.evidence_available.iter().any(|k| k == source)
                || b.evidence_unavailable.iter().any(|k| k == source);
            with += u64::from(listed);
            right_b += u64::from(cb);
            right_a += u64::from(ca);
            wrong += u64::from(cb && !ca);
            right += u64::from(!cb && ca);
        }
        if n == 0 {
            continue;
        }
        let (base_accuracy, ablated_accuracy) =
            (right_b as f64 / n as f64, right_a as f64 / n as f64);
        out.push(DependenceRow {
            source: source.to_owned(),
            ablated_as: ablated_as.to_owned(),
            level,
            n,
            with_source: with,
            base_accuracy,
            ablated_accuracy,
            delta: ablated_accuracy - base_accuracy,
            newly_wrong: wrong,
            newly_right: right,
            p_value: mcnemar_exact(wrong, right),
        });
    }
    out
}

/// The dependence table as text: one line per source, the change per level in points.
pub fn render(rows: &[DependenceRow]) -> String {
    use std::fmt::Write as _;
    let mut sources: Vec<&str> = Vec::new();
    for r in rows {
        if !sources.contains(&r.source.as_str()) {
            sources.push(&r.source);
        }
    }
    let mut out = String::new();
    let how = rows.first().map_or("absent", |r| r.ablated_as.as_str());
    let _ = write!(
        out,
        "dependence (accuracy change when the source is {how}; McNemar p)\n{:<18}",
        "source"
    );
    for level in Level::ALL {
        let _ = write!(out, " {:>24}", level.as_str());
    }
    let _ = writeln!(out, " {:>8}", "listed");
    for s in sources {
        let _ = write!(out, "{s:<18}");
        let mut listed = 0;
        for &level in Level::ALL {
            match rows.iter().find(|r| r.source == s && r.level == level) {
                Some(r) => {
                    listed = listed.max(r.with_source);
                    let _ = write!(
                        out,
                        " {:>24}",
                        format!("{:+.3} (p {:.3})", r.delta, r.p_value)
                    );
                }
                None => {
                    let _ = write!(out, " {:>24}", "-");
                }
            }
        }
        let _ = writeln!(out, " {listed:>8}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, ok: bool, listed: bool) -> PredictionRow {
        PredictionRow {
            run_id: "r".into(),
            scenario_id: id.into(),
            case_id: id.into(),
            trial: 0,
            family: "crashloop_backoff".into(),
            difficulty: 0,
            adversarial_signals: vec![],
            evidence_available: if listed {
                vec!["eks_events".into()]
            } else {
                vec![]
            },
            evidence_unavailable: vec![],
            expected_failure_mode: "crashloop_backoff".into(),
            predicted_failure_mode: if ok { "crashloop_backoff" } else { "healthy" }.into(),
            expected_category: "code_defect".into(),
            predicted_category: "code_defect".into(),
            expected_root_cause: None,
            predicted_root_cause: "unknown".into(),
            expected_pod: None,
            predicted_pod: None,
            expected_container: None,
            predicted_container: None,
            correct_failure_mode: ok,
            correct_category: true,
            correct_root_cause: None,
            correct_localization: None,
            confidence: None,
            latency_ms: 0.0,
            input_tokens: None,
            output_tokens: None,
            cost_usd: None,
            tool_calls: None,
            error: None,
            explanation: String::new(),
            opensre_pass: None,
            opensre_reason: None,
            trajectory: crate::trajectory::TrajectoryMetrics::default(),
            twin_of: None,
            twin_kind: None,
        }
    }

    #[test]
    fn deltas_and_pairs() {
        let base = vec![
            row("a", true, true),
            row("b", true, true),
            row("c", false, false),
        ];
        let abl = vec![
            row("a", false, false),
            row("b", true, false),
            row("c", true, false),
        ];
        let rows = dependence(&base, &abl, "eks_events", "absent");
        let fm = rows.iter().find(|r| r.level == Level::FailureMode).unwrap();
        assert_eq!(
            (fm.n, fm.with_source, fm.newly_wrong, fm.newly_right),
            (3, 2, 1, 1)
        );
        assert!((fm.delta - 0.0).abs() < 1e-12);
        let cat = rows
            .iter()
            .find(|r| r.level == Level::RootCauseCategory)
            .unwrap();
        assert_eq!(cat.delta, 0.0);
        assert_eq!(cat.p_value, 1.0);
        // Root cause and localization are not scored on these rows.
        assert_eq!(rows.len(), 2);
        assert!(render(&rows).contains("eks_events"));
    }

    #[test]
    fn the_same_rows_change_nothing() {
        let base = vec![row("a", true, true), row("b", false, true)];
        for r in dependence(&base, &base, "eks_events", "absent") {
            assert_eq!((r.delta, r.newly_wrong, r.newly_right), (0.0, 0, 0));
        }
    }
}

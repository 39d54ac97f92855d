//! Cost and effort of a run, from the `usage` classifiers report per call (the
//! `input_tokens`, `output_tokens`, `cost_usd` and `tool_calls` columns of
//! `predictions.parquet`): cost per case, cost per correct diagnosis, tokens and tool calls per
//! case. [`figures`] computes them over any set of scored rows; the metrics write one
//! `kind = cost` row per level, `compare` gates on the cost per case of the paired rows.
//!
//! Each figure is over the rows that reported its quantity (a classifier that reports cost on
//! some calls only is averaged over those): cost per case is the mean `cost_usd`, cost per
//! correct diagnosis the total `cost_usd` of those rows over how many of them were right at the
//! level (what a right answer costs, wrong answers' spend included).

use crate::tables::PredictionRow;

/// The cost figures of a set of rows at one level.
#[derive(Clone, Debug, PartialEq)]
pub struct CostFigures {
    /// Rows that reported any usage.
    pub rows_with_usage: u64,
    /// Rows that reported `cost_usd`.
    pub cost_rows: u64,
    /// Sum of `cost_usd` (null without cost rows).
    pub cost_usd_total: Option<f64>,
    /// Mean `cost_usd`.
    pub cost_per_case: Option<f64>,
    /// `cost_usd_total` over the cost rows right at the level (null when none is).
    pub cost_per_correct: Option<f64>,
    /// Mean input plus output tokens, over the rows that reported either.
    pub tokens_per_case: Option<f64>,
    /// Mean `tool_calls`, over the rows that reported it.
    pub tool_calls_per_case: Option<f64>,
}

/// Whether a row reported any usage.
pub fn has_usage(r: &PredictionRow) -> bool {
    r.input_tokens.is_some()
        || r.output_tokens.is_some()
        || r.cost_usd.is_some()
        || r.tool_calls.is_some()
}

/// Input plus output tokens of a row, where either is known.
fn tokens(r: &PredictionRow) -> Option<u64> {
    match (r.input_tokens, r.output_tokens) {
        (None, None) => None,
        (i, o) => Some(i.unwrap_or(0) + o.unwrap_or(0)),
    }
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (mut n, mut sum) = (0u64, 0.0);
    for v in values {
        n += 1;
        sum += v;
    }
    (n > 0).then(|| sum / n as f64)
}

/// The figures of `rows` (each with its correctness at the level); `None` when no row reported
/// any usage.
pub fn figures<'a>(
    rows: impl Iterator<Item = (&'a PredictionRow, bool)> + Clone,
) -> Option<CostFigures> {
    let rows_with_usage = rows.clone().filter(|(r, _)| has_usage(r)).count() as u64;
    if rows_with_usage == 0 {
        return None;
    }
    let costed = rows
        .clone()
        .filter_map(|(r, ok)| r.cost_usd.map(|c| (c, ok)));
    let cost_rows = costed.clone().count() as u64;
    let total: f64 = costed.clone().map(|(c, _)| c).sum();
    let right = costed.filter(|(_, ok)| *ok).count() as u64;
    Some(CostFigures {
        rows_with_usage,
        cost_rows,
        cost_usd_total: (cost_rows > 0).then_some(total),
        cost_per_case: (cost_rows > 0).then(|| total / cost_rows as f64),
        cost_per_correct: (right > 0).then(|| total / right as f64),
        tokens_per_case: mean(
            rows.clone()
                .filter_map(|(r, _)| tokens(r))
                .map(|t| t as f64),
        ),
        tool_calls_per_case: mean(rows.filter_map(|(r, _)| r.tool_calls).map(|t| t as f64)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        cost: Option<f64>,
        input: Option<u64>,
        output: Option<u64>,
        tools: Option<u64>,
    ) -> PredictionRow {
        let mut r: PredictionRow = serde_json::from_value(serde_json::json!({
            "run_id": "r", "scenario_id": "s", "case_id": "c", "trial": 0, "family": "healthy",
            "difficulty": 0, "adversarial_signals": [], "evidence_available": [],
            "twin_of": null, "twin_kind": null, "evidence_unavailable": [],
            "expected_failure_mode": "healthy", "predicted_failure_mode": "healthy",
            "expected_category": "healthy", "predicted_category": "healthy",
            "expected_root_cause": null, "predicted_root_cause": "none",
            "expected_pod": null, "predicted_pod": null, "expected_container": null,
            "predicted_container": null, "correct_failure_mode": true, "correct_category": true,
            "correct_root_cause": null, "correct_localization": null, "confidence": null,
            "latency_ms": 1.0, "input_tokens": null, "output_tokens": null, "cost_usd": null,
            "tool_calls": null, "error": null, "explanation": ""
        }))
        .unwrap();
        r.cost_usd = cost;
        r.input_tokens = input;
        r.output_tokens = output;
        r.tool_calls = tools;
        r
    }

    #[test]
    fn cost_per_case_and_per_correct_diagnosis() {
        // Four calls at $0.01, $0.03, $0.02, $0.02, two of them right: $0.02 per case, $0.04
        // per right answer; tokens 100+10, 200+20, 300 (no output), none; tools 1, 3.
        let rows = [
            row(Some(0.01), Some(100), Some(10), Some(1)),
            row(Some(0.03), Some(200), Some(20), Some(3)),
            row(Some(0.02), Some(300), None, None),
            row(Some(0.02), None, None, None),
        ];
        let ok = [true, false, true, false];
        let f = figures(rows.iter().zip(ok)).unwrap();
        assert_eq!((f.rows_with_usage, f.cost_rows), (4, 4));
        let close = |a: Option<f64>, b: f64| (a.unwrap() - b).abs() < 1e-12;
        assert!(close(f.cost_usd_total, 0.08));
        assert!(close(f.cost_per_case, 0.02));
        assert!(close(f.cost_per_correct, 0.04));
        assert!(close(f.tokens_per_case, 630.0 / 3.0));
        assert!(close(f.tool_calls_per_case, 2.0));
        // Nothing right: no cost per correct diagnosis; nothing reported: no figures.
        let none_right = figures(rows.iter().zip([false; 4])).unwrap();
        assert_eq!(none_right.cost_per_correct, None);
        let bare = [row(None, None, None, None)];
        assert_eq!(figures(bare.iter().zip([true])), None);
        // Tokens only: no cost figures, but tokens per case.
        let tokens_only = [row(None, Some(50), Some(5), None)];
        let f = figures(tokens_only.iter().zip([true])).unwrap();
        assert_eq!((f.cost_per_case, f.cost_rows), (None, 0));
        assert!(close(f.tokens_per_case, 55.0));
    }
}

//! The terminal summary of a run, meant to be read in ten seconds: accuracy with its interval
//! per level, the failure-mode confusion matrix, per-class precision and recall, the weakest
//! slices, errors, throughput, and trial consistency when there are several trials.

use std::fmt::Write as _;

use crate::eval::Run;
use crate::metrics::Scores;
use crate::tables::{LEVELS, SliceRow};

/// How many weakest slices and error reasons to show.
pub const SHOWN: usize = 5;

/// Renders the summary (plain text, no colour).
pub fn render(run: &Run, scores: &Scores) -> String {
    let info = &run.info;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "run {}  {} {}  corpus {} ({} scenarios x {} trial{})",
        info.run_id,
        info.classifier,
        info.classifier_version,
        info.corpus_id,
        info.scenarios,
        info.trials,
        if info.trials == 1 { "" } else { "s" }
    );
    let rss = info
        .peak_rss_bytes
        .map(|b| format!(", peak RSS {} MiB", b / (1024 * 1024)))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "{:.1} scenarios/s on {} thread{} ({:.2} s); latency p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms{rss}\n",
        info.scenarios_per_second,
        info.threads,
        if info.threads == 1 { "" } else { "s" },
        info.wall_seconds,
        info.latency_p50_ms,
        info.latency_p95_ms,
        info.latency_p99_ms
    );

    let multi = info.trials > 1;
    let _ = write!(
        s,
        "{:<20} {:>7} {:>17} {:>8} {:>6} {:>7}",
        "level", "acc", "95% CI", "macro F1", "kappa", "n"
    );
    if multi {
        let _ = write!(s, " {:>6} {:>7} {:>8}", "flip", "pass^k", "majority");
    }
    s.push('\n');
    for level in LEVELS {
        let Some(m) = scores.overall(level) else {
            continue;
        };
        let Some(acc) = m.accuracy else {
            let _ = writeln!(
                s,
                "{level:<20} {:>7} {:>17} {:>8} {:>6} {:>7}",
                "-", "-", "-", "-", 0
            );
            continue;
        };
        let _ = write!(
            s,
            "{level:<20} {acc:>7.3} {:>17} {:>8} {:>6} {:>7}",
            format!(
                "[{:.3}, {:.3}]",
                m.accuracy_ci_low.unwrap_or(0.0),
                m.accuracy_ci_high.unwrap_or(1.0)
            ),
            opt(m.macro_f1),
            opt(m.kappa),
            m.support
        );
        if multi {
            let _ = write!(
                s,
                " {:>6} {:>7} {:>8}",
                opt(m.flip_rate),
                opt(m.pass_k),
                opt(m.majority_accuracy)
            );
        }
        s.push('\n');
    }

    // Confusion matrix of the failure mode, columns numbered to keep it narrow.
    let fm: Vec<_> = scores
        .confusion
        .iter()
        .filter(|c| c.level == "failure_mode")
        .collect();
    let mut labels: Vec<&str> = Vec::new();
    for c in &fm {
        if !labels.contains(&c.expected.as_str()) {
            labels.push(&c.expected);
        }
    }
    if !labels.is_empty() {
        let width = labels.iter().map(|l| l.len()).max().unwrap_or(0) + 4;
        let _ = writeln!(
            s,
            "\nfailure_mode confusion (rows: expected, columns: predicted)"
        );
        let _ = write!(s, "{:<width$}", "");
        for i in 1..=labels.len() {
            let _ = write!(s, " {:>6}", format!("({i})"));
        }
        let _ = writeln!(s, " {:>7} {:>7} {:>7}", "recall", "prec", "n");
        for (i, exp) in labels.iter().enumerate() {
            let _ = write!(s, "{:<width$}", format!("({}) {exp}", i + 1));
            let mut n = 0;
            for pred in &labels {
                let count = fm
                    .iter()
                    .find(|c| c.expected == *exp && c.predicted == *pred)
                    .map(|c| c.count)
                    .unwrap_or(0);
                n += count;
                let cell = if count == 0 {
                    ".".to_owned()
                } else {
                    count.to_string()
                };
                let _ = write!(s, " {cell:>6}");
            }
            let class = scores
                .classes("failure_mode")
                .find(|m| m.class.as_deref() == Some(*exp));
            let _ = writeln!(
                s,
                " {:>7} {:>7} {:>7}",
                opt(class.and_then(|c| c.recall)),
                opt(class.and_then(|c| c.precision)),
                n
            );
        }
    }

    // Weakest slices at the failure-mode level.
    let mut weak: Vec<&SliceRow> = scores
        .slices
        .iter()
        .filter(|r| {
            r.level == "failure_mode"
                && matches!(r.dimension.as_str(), "difficulty" | "adversarial_signal")
        })
        .collect();
    weak.sort_by(|a, b| a.accuracy.total_cmp(&b.accuracy).then(b.n.cmp(&a.n)));
    if !weak.is_empty() {
        let _ = writeln!(s, "\nweakest slices (failure_mode accuracy)");
        for r in weak.iter().take(SHOWN) {
            let _ = writeln!(
                s,
                "  {:<40} {:>6.3} [{:.3}, {:.3}]  {}/{}",
                format!("{}={}", r.dimension, r.value),
                r.accuracy,
                r.ci_low,
                r.ci_high,
                r.correct,
                r.n
            );
        }
    }

    let errors: Vec<_> = run
        .predictions
        .iter()
        .filter_map(|r| r.error.as_deref().map(|e| (r, e)))
        .collect();
    if errors.is_empty() {
        let _ = writeln!(s, "\nerrors: none");
    } else {
        let _ = writeln!(
            s,
            "\nerrors: {} of {} calls",
            errors.len(),
            run.predictions.len()
        );
        for (r, e) in errors.iter().take(SHOWN) {
            let _ = writeln!(s, "  {} trial {}: {e}", r.scenario_id, r.trial);
        }
        if errors.len() > SHOWN {
            let _ = writeln!(
                s,
                "  ... and {} more (see predictions.parquet, column error)",
                errors.len() - SHOWN
            );
        }
    }
    for note in &info.classifier_notes {
        let _ = writeln!(s, "note: {note}");
    }
    s
}

fn opt(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.3}")).unwrap_or_else(|| "-".into())
}

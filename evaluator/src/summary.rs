//! The terminal summary of a run, meant to be read in ten seconds: accuracy with its interval
//! per level, calibration (where there are confidences), cost and effort (where the classifier
//! reported usage), the failure-mode confusion matrix,
//! per-class precision and recall, the weakest slices, errors, throughput, and trial
//! consistency when there are several trials.

use std::fmt::Write as _;

use crate::eval::Run;
use crate::metrics::Scores;
use scenario::Level;

use crate::tables::{MetricRow, RunInfo, SliceRow};

/// How many weakest slices and error reasons to show.
pub const SHOWN: usize = 5;

/// Renders the summary (plain text, no colour): one section after the other.
pub fn render(run: &Run, scores: &Scores) -> String {
    let mut s = String::new();
    header(&mut s, &run.info);
    levels(&mut s, &run.info, scores);
    calibration(&mut s, scores);
    cost(&mut s, scores);
    confusion(&mut s, scores);
    weakest_classes(&mut s, scores);
    by_difficulty(&mut s, scores);
    weakest_signals(&mut s, scores);
    twin_pairs(&mut s, scores);
    s.push_str(&crate::trajectory::opensre_summary(&run.predictions));
    s.push_str(&crate::trajectory::trajectory_summary(&run.predictions));
    skipped(&mut s, &run.info);
    errors(&mut s, run);
    s
}

/// What ran, on what, how fast.
fn header(s: &mut String, info: &RunInfo) {
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
    if let Some(sh) = info.shard {
        let _ = writeln!(
            s,
            "shard {}/{} of a corpus of {} scenarios (not in the history: `triagebench merge` \
             combines the shards)",
            sh.index, sh.count, sh.corpus_scenarios
        );
    }
    if !info.merged_from.is_empty() {
        let _ = writeln!(
            s,
            "merged from {} shard runs (times are sums over the shards: per-worker throughput)",
            info.merged_from.len()
        );
    }
    let end_to_end = match (
        info.end_to_end_scenarios_per_second,
        info.end_to_end_seconds,
    ) {
        (Some(rate), Some(secs)) => {
            format!("end to end {rate:.1} scenarios/s ({secs:.2} s: load, hash, classify, write)\n")
        }
        _ => String::new(),
    };
    let _ = writeln!(
        s,
        "{end_to_end}classification only {:.1} scenarios/s on {} thread{} ({:.2} s); latency p50 \
         {:.2} ms, p95 {:.2} ms, p99 {:.2} ms{rss}\n",
        info.scenarios_per_second,
        info.threads,
        if info.threads == 1 { "" } else { "s" },
        info.wall_seconds,
        info.latency_p50_ms,
        info.latency_p95_ms,
        info.latency_p99_ms
    );
}

/// Accuracy with its interval, macro F1, kappa and n per level (and trial consistency).
fn levels(s: &mut String, info: &RunInfo, scores: &Scores) {
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
    for &level in Level::ALL {
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
                "[{}, {}]",
                down(m.accuracy_ci_low.unwrap_or(0.0)),
                up(m.accuracy_ci_high.unwrap_or(1.0))
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
}

/// Calibration per level, where the classifier gave confidences: ECE (both binnings), Brier
/// score, selective accuracy at 50/80/100% coverage, and the distinct confidences seen.
fn calibration(s: &mut String, scores: &Scores) {
    if !Level::ALL.iter().any(|l| scores.calibration(*l).is_some()) {
        return;
    }
    let _ = writeln!(
        s,
        "\n{:<20} {:>9} {:>9} {:>7} {:>7} {:>7} {:>7} {:>7}",
        "calibration", "ECE width", "ECE mass", "Brier", "sel@50", "sel@80", "sel@100", "n"
    );
    for &level in Level::ALL {
        let Some(c) = scores.calibration(level) else {
            continue;
        };
        let _ = writeln!(
            s,
            "{level:<20} {:>9} {:>9} {:>7} {:>7} {:>7} {:>7} {:>7}",
            opt(c.ece_equal_width),
            opt(c.ece_equal_mass),
            opt(c.brier),
            opt(c.selective_accuracy_50),
            opt(c.selective_accuracy_80),
            opt(c.selective_accuracy_100),
            c.support
        );
    }
}

/// Cost and effort per level (the cost rows of `metrics.parquet`; latency is in the header).
fn cost(s: &mut String, scores: &Scores) {
    if !Level::ALL.iter().any(|l| scores.cost(*l).is_some()) {
        return;
    }
    let _ = writeln!(
        s,
        "\n{:<20} {:>11} {:>11} {:>11} {:>9} {:>7} {:>7}",
        "cost (USD)", "total", "per case", "per right", "tokens", "tools", "n"
    );
    let money = |v: Option<f64>| v.map_or_else(|| "-".into(), |v| format!("{v:.6}"));
    let count = |v: Option<f64>| v.map_or_else(|| "-".into(), |v| format!("{v:.1}"));
    for &level in Level::ALL {
        let Some(c) = scores.cost(level) else {
            continue;
        };
        let _ = writeln!(
            s,
            "{level:<20} {:>11} {:>11} {:>11} {:>9} {:>7} {:>7}",
            money(c.cost_usd_total),
            money(c.cost_per_case),
            money(c.cost_per_correct),
            count(c.tokens_per_case),
            count(c.tool_calls_per_case),
            c.support
        );
    }
    let _ = writeln!(
        s,
        "(per case: mean over the calls that reported it; per right: total over right answers; tokens, tools: per case)"
    );
}

/// The failure-mode confusion matrix, columns numbered to keep it narrow.
fn confusion(s: &mut String, scores: &Scores) {
    // Confusion matrix of the failure mode, columns numbered to keep it narrow.
    let fm: Vec<_> = scores
        .confusion
        .iter()
        .filter(|c| c.level == Level::FailureMode)
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
                    .map_or(0, |c| c.count);
                n += count;
                let cell = if count == 0 {
                    ".".to_owned()
                } else {
                    count.to_string()
                };
                let _ = write!(s, " {cell:>6}");
            }
            let class = scores
                .classes(Level::FailureMode)
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
}

/// The weakest classes below the failure-mode level (that one is in the matrix).
fn weakest_classes(s: &mut String, scores: &Scores) {
    // Weakest classes below the failure-mode level (that one is in the matrix above).
    let mut weak_classes: Vec<&MetricRow> = scores
        .metrics
        .iter()
        .filter(|m| {
            m.kind == "class"
                && m.support > 0
                && matches!(m.level, Level::RootCauseCategory | Level::RootCause)
        })
        .filter(|m| m.recall.is_some_and(|r| r < 1.0))
        .collect();
    weak_classes.sort_by(|a, b| {
        a.recall
            .unwrap_or(0.0)
            .total_cmp(&b.recall.unwrap_or(0.0))
            .then(b.support.cmp(&a.support))
    });
    if !weak_classes.is_empty() {
        let _ = writeln!(s, "\nweakest classes (category and root cause)");
        let width = weak_classes
            .iter()
            .take(SHOWN)
            .map(|m| m.level.as_str().len() + 1 + m.class.as_deref().unwrap_or("").len())
            .max()
            .unwrap_or(0);
        for m in weak_classes.iter().take(SHOWN) {
            let _ = writeln!(
                s,
                "  {:<width$}  recall {}  precision {}  n {}",
                format!("{}:{}", m.level, m.class.as_deref().unwrap_or("")),
                opt(m.recall),
                opt(m.precision),
                m.support
            );
        }
    }
}

/// Accuracy by difficulty, one line per level.
fn by_difficulty(s: &mut String, scores: &Scores) {
    // Accuracy by difficulty, one line per level.
    let by_difficulty: Vec<&SliceRow> = scores
        .slices
        .iter()
        .filter(|r| r.dimension == "difficulty")
        .collect();
    if !by_difficulty.is_empty() {
        let _ = writeln!(s, "\naccuracy by difficulty");
        for &level in Level::ALL {
            let cells: Vec<String> = by_difficulty
                .iter()
                .filter(|r| r.level == level)
                .map(|r| format!("{}: {:.3} (n {})", r.value, r.accuracy, r.n))
                .collect();
            if !cells.is_empty() {
                let _ = writeln!(s, "  {level:<20} {}", cells.join("   "));
            }
        }
    }
}

/// The weakest adversarial signals, each shown once at its weakest level.
fn weakest_signals(s: &mut String, scores: &Scores) {
    // Weakest adversarial signals, each shown once at its weakest level.
    let mut weak: Vec<&SliceRow> = scores
        .slices
        .iter()
        .filter(|r| r.dimension == "adversarial_signal")
        .collect();
    weak.sort_by(|a, b| a.accuracy.total_cmp(&b.accuracy).then(b.n.cmp(&a.n)));
    let mut seen = std::collections::HashSet::new();
    weak.retain(|r| seen.insert(r.value.as_str()));
    let below: Vec<&&SliceRow> = weak
        .iter()
        .filter(|r| r.accuracy < 1.0)
        .take(SHOWN)
        .collect();
    if below.is_empty() {
        if !weak.is_empty() {
            let _ = writeln!(
                s,
                "\nweakest adversarial signals: none (every signal slice is at 1.000)"
            );
        }
    } else {
        let _ = writeln!(
            s,
            "\nweakest adversarial signals (each at its weakest level)"
        );
        let width = below.iter().map(|r| r.value.len()).max().unwrap_or(0);
        for r in below {
            let _ = writeln!(
                s,
                "  {:<width$}  {:<20} {:.3} [{}, {}]  {}/{}",
                r.value,
                r.level,
                r.accuracy,
                down(r.ci_low),
                up(r.ci_high),
                r.correct,
                r.n
            );
        }
    }
}

/// Pair accuracy of the counterfactual twins, per kind (only when the corpus has twins).
fn twin_pairs(s: &mut String, scores: &Scores) {
    let rows: Vec<_> = scores
        .slices
        .iter()
        .filter(|r| r.dimension == crate::metrics::TWIN_PAIR_DIMENSION)
        .collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(s, "\ncounterfactual pairs (both scenarios of a pair right)");
    let mut kinds: Vec<&str> = rows.iter().map(|r| r.value.as_str()).collect();
    kinds.dedup();
    for kind in kinds {
        let _ = write!(s, "  {kind:<14}");
        for level in [Level::FailureMode, Level::RootCause] {
            if let Some(r) = rows.iter().find(|r| r.value == kind && r.level == level) {
                let _ = write!(
                    s,
                    "  {level} {:.3} ({}/{} pairs)",
                    r.accuracy, r.correct, r.n
                );
            }
        }
        let _ = writeln!(s);
    }
}

/// The scenarios `--skip-invalid` left out.
fn skipped(s: &mut String, info: &RunInfo) {
    if info.skipped > 0 {
        let _ = writeln!(
            s,
            "\nskipped: {} invalid scenario(s) left out (--skip-invalid)",
            info.skipped
        );
        for k in info.skipped_scenarios.iter().take(SHOWN) {
            let _ = writeln!(s, "  {}: {}", k.scenario, k.problems.join("; "));
        }
        if info.skipped_scenarios.len() > SHOWN {
            let _ = writeln!(s, "  ... and {} more", info.skipped_scenarios.len() - SHOWN);
        }
    }
}

/// Failed calls and the classifier's notes.
fn errors(s: &mut String, run: &Run) {
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
    for note in &run.info.classifier_notes {
        let _ = writeln!(s, "note: {note}");
    }
}

/// An interval bound at three decimals, rounded outwards so an interval never looks narrower
/// than it is (a lower bound of 0.9996 shows as 0.999, not 1.000).
fn down(v: f64) -> String {
    format!("{:.3}", (v * 1000.0).floor() / 1000.0)
}

/// An interval upper bound at three decimals, rounded up.
fn up(v: f64) -> String {
    format!("{:.3}", (v * 1000.0).ceil() / 1000.0)
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.3}"))
}

//! `triagebench history`: the accuracy and throughput trend of every run recorded in
//! `reports/history.parquet`, oldest first, as a table or JSON. The table's columns are
//! documented for DuckDB/Grafana/Superset users in `evaluator/HISTORY.md`.
//! Exit 0, or 2 when the history file is unreadable (with the hint to rebuild it:
//! `triagebench history rebuild` recomputes it from the run directories).

use std::path::PathBuf;
use std::process::ExitCode;

use evaluator::history::{HISTORY_FILE, RunTrend, read, trend};
use scenario::Level;

/// Arguments of `triagebench history`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// `rebuild`: recompute history.parquet from the run directories.
    #[command(subcommand)]
    pub action: Option<Action>,
    /// Reports directory holding history.parquet.
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
    /// Only runs of this classifier (its name, e.g. `rules`).
    #[arg(long)]
    pub classifier: Option<String>,
    /// Only the last N runs.
    #[arg(long, value_name = "N")]
    pub last: Option<usize>,
    /// Print one JSON array (one object per run) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// What `history` can do besides printing the trend.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Rebuild <REPORTS>/history.parquet from the run directories (when it is corrupt or lost):
    /// each run's rows are recomputed from its tables; the old file is kept as
    /// history.parquet.old.
    Rebuild {
        /// Reports directory holding the run directories.
        #[arg(long, default_value = "reports")]
        reports: PathBuf,
    },
}

/// A history that cannot be read: exit 2, saying how to recover.
pub fn unreadable(reports: &std::path::Path, e: &evaluator::report::ReportError) -> anyhow::Error {
    crate::exit::bad_input(format!(
        "{e}\nhint: {}",
        evaluator::history::recovery_hint(reports)
    ))
}

fn rebuild(reports: &std::path::Path) -> anyhow::Result<ExitCode> {
    if !reports.is_dir() {
        return Err(crate::exit::bad_input(format!(
            "{}: no such reports directory",
            reports.display()
        )));
    }
    let done = evaluator::history::rebuild(reports).map_err(anyhow::Error::new)?;
    for (dir, why) in &done.skipped {
        eprintln!("skipped {} (cannot be read): {why}", dir.display());
    }
    outln!(
        "rebuilt {} from {} run director{}{}",
        reports.join(HISTORY_FILE).display(),
        done.runs.len(),
        if done.runs.len() == 1 { "y" } else { "ies" },
        done.kept_old
            .as_ref()
            .map(|p| format!(" (the old file is kept as {})", p.display()))
            .unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(Action::Rebuild { reports }) = &args.action {
        return rebuild(reports);
    }
    let path = args.reports.join(HISTORY_FILE);
    let rows = read(&path).map_err(|e| unreadable(&args.reports, &e))?;
    let mut runs = trend(&rows);
    if let Some(c) = &args.classifier {
        runs.retain(|r| &r.classifier == c);
    }
    if let Some(n) = args.last {
        let skip = runs.len().saturating_sub(n);
        runs.drain(..skip);
    }
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&runs)?);
        return Ok(ExitCode::SUCCESS);
    }
    if runs.is_empty() {
        outln!(
            "no runs in {}{} (run `triagebench eval` first)",
            path.display(),
            args.classifier
                .as_deref()
                .map(|c| format!(" for classifier {c}"))
                .unwrap_or_default()
        );
        return Ok(ExitCode::SUCCESS);
    }
    out!("{}", table(&runs));
    Ok(ExitCode::SUCCESS)
}

fn table(runs: &[RunTrend]) -> String {
    let header = [
        "started (UTC)",
        "run",
        "classifier",
        "corpus",
        "mode",
        "category",
        "cause",
        "local.",
        "macro F1",
        "delta",
        "e2e/s",
        "classify/s",
        "p95 ms",
        "errors",
    ];
    let acc = |r: &RunTrend, level: Level| {
        r.accuracy
            .get(&level)
            .map_or_else(|| "-".into(), |v| format!("{v:.3}"))
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        // Change of failure-mode accuracy since the previous run of the same classifier on the same corpus.
        let prev = runs[..i]
            .iter()
            .rev()
            .find(|p| p.classifier == r.classifier && p.corpus_hash == r.corpus_hash);
        let delta = match (
            prev.and_then(|p| p.accuracy.get(&Level::FailureMode)),
            r.accuracy.get(&Level::FailureMode),
        ) {
            (Some(p), Some(c)) => format!("{:+.3}", c - p),
            _ => String::new(),
        };
        rows.push(vec![
            r.started_at
                .replace('T', " ")
                .trim_end_matches('Z')
                .to_owned(),
            r.run_id.clone(),
            format!("{} {}", r.classifier, r.classifier_version),
            r.corpus_id.clone(),
            acc(r, Level::FailureMode),
            acc(r, Level::RootCauseCategory),
            acc(r, Level::RootCause),
            acc(r, Level::Localization),
            r.macro_f1
                .get(&Level::FailureMode)
                .map_or_else(|| "-".into(), |v| format!("{v:.3}")),
            delta,
            r.end_to_end_scenarios_per_second
                .map_or_else(|| "-".into(), |v| format!("{v:.0}")),
            format!("{:.0}", r.scenarios_per_second),
            format!("{:.2}", r.latency_p95_ms),
            r.errors.to_string(),
        ]);
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<String>| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            // Text columns left, numbers right.
            if i < 4 {
                s.push_str(&format!("{c:<w$}  "));
            } else {
                s.push_str(&format!("{c:>w$}  "));
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(header.iter().map(|h| (*h).to_owned()).collect());
    for row in rows {
        line(row);
    }
    out.push_str("(accuracy per level; macro F1 and delta at the failure-mode level; delta vs the previous run of the same classifier on the same corpus)\n");
    out
}

#[cfg(test)]
mod tests {
    use evaluator::tables::HistoryRow;
    use scenario::Level;

    fn row(run: &str, at: &str, classifier: &str, level: Level, accuracy: f64) -> HistoryRow {
        HistoryRow {
            run_id: run.into(),
            started_at: at.into(),
            classifier: classifier.into(),
            classifier_version: "1".into(),
            corpus_id: "c".into(),
            corpus_hash: "h".into(),
            level,
            class: None,
            accuracy: Some(accuracy),
            macro_f1: Some(accuracy - 0.1),
            recall: None,
            scenarios_per_second: 1234.0,
            end_to_end_scenarios_per_second: None,
            latency_p50_ms: 0.1,
            latency_p95_ms: 0.5,
            latency_p99_ms: 0.9,
            errors: 2,
            scenarios: 10,
            trials: 1,
        }
    }

    #[test]
    fn trend_table_orders_runs_and_shows_the_change() {
        let rows = vec![
            row(
                "b",
                "2026-11-21T09:00:00Z",
                "rules",
                Level::FailureMode,
                0.95,
            ),
            row(
                "a",
                "2026-11-21T08:00:00Z",
                "rules",
                Level::FailureMode,
                0.90,
            ),
            row("a", "2026-11-21T08:00:00Z", "rules", Level::RootCause, 0.80),
            row(
                "x",
                "2026-11-21T08:30:00Z",
                "cmd:agent",
                Level::FailureMode,
                0.50,
            ),
        ];
        let runs = evaluator::history::trend(&rows);
        let ids: Vec<&str> = runs.iter().map(|r| r.run_id.as_str()).collect();
        assert_eq!(ids, ["a", "x", "b"]);
        let text = super::table(&runs);
        let line_b = text.lines().find(|l| l.contains("  b  ")).unwrap();
        assert!(
            line_b.contains("0.950") && line_b.contains("+0.050"),
            "{text}"
        );
        let line_a = text.lines().find(|l| l.contains("  a  ")).unwrap();
        assert!(
            line_a.contains("0.800") && line_a.contains("1234"),
            "{text}"
        );
    }
}

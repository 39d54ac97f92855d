//! `triagebench-query`: slice triagebench's Parquet reports across runs with polars lazy scans.
//!
//! A separate cargo workspace (the main one excludes `query/`), so the main job's first build
//! never waits for polars; `triagebench query ...` forwards to this binary. It depends on
//! nothing of the main workspace: it reads the report files, whose columns are documented in
//! `evaluator/REPORTS.md` and `evaluator/HISTORY.md`.
//!
//! Exit codes: 0 success; 1 any other failure (I/O, a file polars cannot read); 2 bad input or
//! usage (arguments, a `--where` that does not parse, an unknown column, level or run, a
//! missing reports directory or history).

mod expr;
mod output;
mod slice;
mod table;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::output::Format;
use crate::table::{Error, split_list};

const WHERE_HELP: &str = "Keep only the rows where every condition holds: \
`col=value`, `col!=value`, `col in (a,b)`, and for numeric columns `col<n`, `col<=n`, `col>n`, \
`col>=n`, joined by `and`. Values may be quoted ('...' or \"...\"); they are typed by the \
column (integers, floats, true/false, text). A null never matches. An unknown column is an \
error listing the columns there are (exit 2).";

/// Slice triagebench's Parquet reports across runs (polars lazy scans).
///
/// Exit codes: 0 success, 1 other failure (I/O, an unreadable Parquet file), 2 bad input or
/// usage (arguments, --where syntax, unknown column, level or run, missing reports or history).
#[derive(Debug, Parser)]
#[command(name = "triagebench-query", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Accuracy per group of prediction rows, across every run under --reports.
    ///
    /// Scans every run's predictions.parquet lazily (<reports>/<run-id>/predictions.parquet,
    /// shard and merged runs included: pick with --runs), groups the rows by the --by columns
    /// and prints per group: n (rows), per scoring level <level>_n (rows scored at the level)
    /// and <level>_accuracy (the mean of the table's own correctness flag over them), and where
    /// the runs have it opensre_n and opensre_pass_rate (OpenSRE's pass flag; a run without the
    /// column counts as not scored).
    ///
    /// Any column of predictions.parquet can be grouped on or filtered (run_id, family,
    /// difficulty, expected_root_cause, error, ...; see evaluator/REPORTS.md), plus two derived
    /// ones: `classifier` (from each run's run.json) and `signal` (one row per entry of
    /// adversarial_signals, `none` for a row without any: a row with two signals counts in
    /// both groups). Runs with different column sets work as long as each has the columns
    /// the query reads; otherwise the run and column are named (exit 2).
    ///
    /// Example: triagebench-query slice --reports reports --by classifier,difficulty,signal
    /// --where "family=crash_loop and difficulty>=1"
    Slice(SliceArgs),
    /// The accuracy history per run in time order, from <reports>/history.parquet.
    ///
    /// One row per run (the history's headline rows), its started_at, run_id and classifier,
    /// and one accuracy column per scoring level, sorted by started_at; with --by, one series
    /// per value of that history column (e.g. classifier, corpus_id, corpus_hash).
    Trend(TrendArgs),
}

#[derive(Debug, clap::Args)]
struct SliceArgs {
    /// The reports directory (what `triagebench eval --reports` wrote: one directory per run).
    #[arg(long, value_name = "DIR")]
    reports: PathBuf,
    /// Comma-separated grouping columns, e.g. `run_id,difficulty` or `classifier,signal`.
    #[arg(long, value_name = "COL[,COL...]")]
    by: String,
    /// Row filter (see above).
    #[arg(long = "where", value_name = "EXPR", long_help = WHERE_HELP)]
    where_: Option<String>,
    /// Comma-separated run ids (directory names) to read; default: every run.
    #[arg(long, value_name = "RUN[,RUN...]")]
    runs: Option<String>,
    /// Only this scoring level: failure_mode, root_cause_category, root_cause, localization.
    #[arg(long, value_name = "LEVEL")]
    level: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, clap::Args)]
struct TrendArgs {
    /// The reports directory holding history.parquet.
    #[arg(long, value_name = "DIR")]
    reports: PathBuf,
    /// A history column to keep series apart (e.g. classifier, corpus_id).
    #[arg(long, value_name = "COL")]
    by: Option<String>,
    /// Row filter on the history's columns (same language as slice's --where).
    #[arg(long = "where", value_name = "EXPR", long_help = WHERE_HELP)]
    where_: Option<String>,
    /// Only this scoring level: failure_mode, root_cause_category, root_cause, localization.
    #[arg(long, value_name = "LEVEL")]
    level: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

fn conds(expr: Option<&str>) -> Result<Vec<expr::Cond>, Error> {
    match expr {
        None => Ok(Vec::new()),
        Some(e) => expr::parse(e).map_err(|e| Error::Input(e.to_string())),
    }
}

fn run(cli: Cli) -> Result<String, Error> {
    match cli.command {
        Command::Slice(a) => {
            let q = slice::SliceQuery {
                reports: a.reports,
                by: split_list("--by", &a.by)?,
                conds: conds(a.where_.as_deref())?,
                runs: a
                    .runs
                    .as_deref()
                    .map(|r| split_list("--runs", r))
                    .transpose()?,
                level: a.level,
            };
            Ok(output::render(&slice::slice(&q)?, a.format))
        }
        Command::Trend(a) => {
            let q = slice::TrendQuery {
                reports: a.reports,
                by: a.by,
                conds: conds(a.where_.as_deref())?,
                level: a.level,
            };
            Ok(output::render(&slice::trend(&q)?, a.format))
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            // A closed stdout (`| head`) is not an error worth a panic.
            let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("triagebench-query: error: {e}");
            ExitCode::from(e.code())
        }
    }
}

#[cfg(test)]
mod tests;

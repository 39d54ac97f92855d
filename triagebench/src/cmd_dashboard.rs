//! `triagebench dashboard`: read `history.parquet`, the newest run directory and
//! `compare-latest.json` from a reports directory, and write one self-contained HTML dashboard
//! (`<reports>/dashboard.html` by default) atomically. Exit 2 when there is no history yet or a
//! report file is malformed, 4 when the output cannot be written.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use evaluator::dashboard::{self, DashboardError};
use evaluator::report::{self, ReportError};

/// Arguments of `triagebench dashboard`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Reports directory: holds history.parquet, the run directories and compare-latest.json.
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
    /// Where to write the page [default: <REPORTS>/dashboard.html].
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Checked configuration.
#[derive(Debug)]
struct Config {
    reports: PathBuf,
    out: PathBuf,
}

impl Config {
    fn from_args(args: Args) -> anyhow::Result<Config> {
        if !args.reports.is_dir() {
            return Err(crate::exit::bad_input(format!(
                "{}: no such reports directory; run `triagebench eval` first",
                args.reports.display()
            )));
        }
        let out = args
            .out
            .unwrap_or_else(|| args.reports.join(dashboard::DASHBOARD_FILE));
        if out.is_dir() {
            return Err(crate::exit::bad_input(format!(
                "--out {}: is a directory",
                out.display()
            )));
        }
        Ok(Config {
            reports: args.reports,
            out,
        })
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = Config::from_args(args)?;
    let data = dashboard::load(&config.reports).map_err(|e| match e {
        DashboardError::Report(ReportError::Io { .. }) => anyhow::Error::new(e),
        other => crate::exit::bad_input(other.to_string()),
    })?;
    for w in &data.warnings {
        eprintln!("warning: {w}");
    }
    let html = dashboard::render(&data);
    report::write_atomic(&config.out, html.as_bytes())
        .with_context(|| format!("writing {}", config.out.display()))?;
    let runs = data
        .history
        .iter()
        .map(|r| r.run_id.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let latest = data.latest.as_ref().map_or_else(
        || "the newest run directory is missing".to_owned(),
        |l| format!("latest {}", l.info.run_id),
    );
    outln!(
        "wrote {} ({runs} run{} in history, {latest}{})",
        config.out.display(),
        if runs == 1 { "" } else { "s" },
        if data.compare.is_some() {
            ", with the latest compare"
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(err: &anyhow::Error) -> Option<u8> {
        err.chain()
            .find_map(|e| e.downcast_ref::<crate::exit::Coded>())
            .map(|c| c.code)
    }

    #[test]
    fn no_reports_or_no_history_is_bad_input() {
        let dir = std::env::temp_dir().join(format!("tb-dashboard-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        let missing = Args {
            reports: dir.join("nope"),
            out: None,
        };
        let err = run(missing).expect_err("missing reports directory");
        assert_eq!(code(&err), Some(crate::exit::BAD_INPUT), "{err:#}");
        let empty = Args {
            reports: dir.clone(),
            out: None,
        };
        let err = run(empty).expect_err("no history");
        assert_eq!(code(&err), Some(crate::exit::BAD_INPUT), "{err:#}");
        assert!(
            format!("{err:#}").contains("run `triagebench eval` first"),
            "{err:#}"
        );
        assert!(
            !dir.join("dashboard.html").exists(),
            "nothing is written on bad input"
        );
        std::fs::remove_dir_all(&dir).expect("remove temp dir");
    }
}

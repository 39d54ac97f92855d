//! `triagebench merge`: combines the runs of every shard of one evaluation (`eval --shard i/n`,
//! one per pod of a Kubernetes Indexed Job) into one run directory whose tables are those of the
//! unsharded run, appends it to the history and prints its summary.
//!
//! Exit codes: 0 when merged; 2 when the shard runs do not make one whole run (a run that is not
//! a shard run or cannot be read, shards of different corpora or classifiers, a shard given
//! twice, a missing shard, named) or the `--run-id` is taken, with nothing written; 4 when
//! writing fails.

use std::path::PathBuf;
use std::process::ExitCode;

use evaluator::merge::MergeError;
use evaluator::report::resolve_run;

/// Arguments of `triagebench merge`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shard runs: run directories, or run ids under --reports (every shard once, in any
    /// order).
    #[arg(required = true, value_name = "SHARD_RUN")]
    pub runs: Vec<String>,
    /// Reports directory: shard run ids are looked up here; the merged run goes to
    /// <REPORTS>/<run-id>/ and is appended to <REPORTS>/history.parquet.
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
    /// Run id of the merged run [default: <UTC now>-<classifier>-<6 hex>]; refused (exit 2) if
    /// it exists.
    #[arg(long)]
    pub run_id: Option<String>,
    /// Do not append the merged run to the history.
    #[arg(long)]
    pub no_history: bool,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut dirs = Vec::with_capacity(args.runs.len());
    for r in &args.runs {
        let dir = resolve_run(&args.reports, r).ok_or_else(|| {
            crate::exit::bad_input(format!(
                "{r}: no run directory with a run.json (as a path, or as a run id under {})",
                args.reports.display()
            ))
        })?;
        dirs.push(dir);
    }
    let (dir, run, scores) = evaluator::merge::merge(&dirs, &args.reports, args.run_id.as_deref())
        .map_err(|e| match e {
            MergeError::Write(_) => anyhow::Error::new(e),
            other => crate::exit::bad_input(other.to_string()),
        })?;
    if !args.no_history {
        let path = args.reports.join(evaluator::history::HISTORY_FILE);
        evaluator::history::append(&path, &evaluator::history::rows_of(&run.info, &scores))
            .map_err(|e| {
                anyhow::Error::new(e).context(format!(
                    "the merged run is in {}, but appending it to the history failed",
                    dir.display()
                ))
            })?;
    }
    out!("{}", evaluator::summary::render(&run, &scores));
    outln!(
        "\nmerged {} shard runs into {}",
        run.info.merged_from.len(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

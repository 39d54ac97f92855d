//! `triagebench consistency <parent-run> <child-run>...`: the consistency report of
//! perturbations. The parent run is a run on a corpus; each child run is a run of the same
//! classifier on a corpus derived from it by `triagebench perturb` (one rewrite list per
//! child). Rows are paired by (scenario, trial); per child and level the report gives the
//! consistency rate (prediction unchanged, the pod mapped through the child's rename map),
//! the accuracy of each run and the change with McNemar's p. Written as
//! `<reports>/consistency/<id>/consistency.parquet` and `consistency.txt` (the dashboard shows
//! the newest) and printed.
//!
//! A command of its own, not part of `compare`: `compare` pairs two runs of one corpus and is
//! a regression gate (it refuses different corpora); here the corpora differ by design, the
//! pairing needs the child's manifest (its parent and rename maps) and the result is a
//! measurement over several children, not a pass or fail.
//!
//! Exit codes: 0 done; 2 bad input (a run that cannot be found or read, a child corpus that is
//! gone, not derived, changed since its run, or derived from a parent whose content hash is not
//! the one the parent run evaluated); 3 the report directory exists; 4 I/O while writing.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use evaluator::consistency::{
    CONSISTENCY_DIR, Child, ConsistencyRow, consistency, render, write_consistency_dir,
};
use evaluator::report::{read_run, resolve_run};
use scenario::manifest::Manifest;
use scenario::perturb::Rewrite;

/// Arguments of `triagebench consistency`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run on the parent corpus: a run directory, or a run id under --reports.
    pub parent: String,
    /// Runs on corpora derived from the parent's by `triagebench perturb` (one or more).
    #[arg(required = true)]
    pub children: Vec<String>,
    /// Reports directory (where run ids are looked up and the report is written).
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
    /// Write the report to this directory instead of `<reports>/consistency/<time>-<parent run>`.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let bad = crate::exit::bad_input;
    let load = |which: &str, run: &str| {
        let dir = resolve_run(&args.reports, run).ok_or_else(|| {
            bad(format!(
                "{which} run \"{run}\": no run.json in {run} or in {}",
                args.reports.join(run).display()
            ))
        })?;
        read_run(&dir).map_err(|e| bad(format!("{which} run: {e}")))
    };
    let parent = load("parent", &args.parent)?;
    let dir = args.out.clone().unwrap_or_else(|| {
        args.reports.join(CONSISTENCY_DIR).join(format!(
            "{}-{}",
            scenario::time::Utc::of(SystemTime::now()).compact(),
            parent.info.run_id
        ))
    });
    if dir.exists() {
        return Err(crate::exit::refused(format!(
            "{}: the report directory already exists (pick another --out)",
            dir.display()
        )));
    }
    let mut rows: Vec<ConsistencyRow> = Vec::new();
    for c in &args.children {
        let child = load("child", c)?;
        let corpus = PathBuf::from(&child.info.corpus_path);
        let manifest = Manifest::read(&corpus).map_err(|e| {
            bad(format!(
                "child run {}: its corpus {}: {e}",
                child.info.run_id,
                corpus.display()
            ))
        })?;
        let Some(derived) = &manifest.derived else {
            return Err(bad(format!(
                "child run {}: its corpus {} has no derived field in manifest.json: it was not \
                 made by triagebench perturb",
                child.info.run_id,
                corpus.display()
            )));
        };
        if manifest.content_hash != child.info.corpus_hash {
            return Err(bad(format!(
                "child run {}: corpus {} changed since the run (manifest.json content_hash {} \
                 but the run evaluated {})",
                child.info.run_id,
                corpus.display(),
                manifest.content_hash,
                child.info.corpus_hash
            )));
        }
        if derived.parent.content_hash != parent.info.corpus_hash {
            return Err(bad(format!(
                "{}/manifest.json: derived.parent.content_hash is {} but the parent run {} \
                 evaluated a corpus hashing to {} ({}): the parent corpus changed since the \
                 child was derived, or the child was derived from another corpus",
                corpus.display(),
                derived.parent.content_hash,
                parent.info.run_id,
                parent.info.corpus_hash,
                parent.info.corpus_path
            )));
        }
        rows.extend(consistency(
            &parent.predictions,
            &parent.info.run_id,
            Child {
                rewrite: &Rewrite::join(&derived.rewrites),
                run: &child.info.run_id,
                corpus: &child.info.corpus_id,
                rows: &child.predictions,
                records: &derived.scenarios,
            },
        ));
    }
    let text = render(&rows);
    write_consistency_dir(&dir, &rows, &text).map_err(|e| match e {
        evaluator::report::ReportError::Exists { path } => crate::exit::refused(format!(
            "{}: the report directory already exists",
            path.display()
        )),
        other => anyhow::Error::new(other),
    })?;
    out!("{text}");
    outln!("\nconsistency report: {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

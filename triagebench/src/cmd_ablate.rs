//! `triagebench ablate --corpus C --classifier X`: how much a classifier depends on each
//! evidence source. Runs the classifier once on the corpus as it is and once per evidence
//! source with that source taken away (`--ablate-as absent`, the default, or `unavailable`, the
//! tool's 403 answer), each a normal run directory under `--reports` (`run.json` records the
//! ablation; the runs are not added to the history, so the trend stays one of plain runs), and
//! writes the dependence table (accuracy change per level per source, McNemar's p) to
//! `<reports>/<plain-run-id>.dependence.parquet` and prints it.
//!
//! Exit codes: 0 done; 2 bad input (corpus, classifier spec, an unknown source); 3 a run
//! directory exists; 4 a classifier that cannot start or a report that cannot be written.

use std::path::PathBuf;
use std::process::ExitCode;

use adapters::SpecError;
use evaluator::dependence::{DependenceRow, dependence, render};
use evaluator::pipeline::{Corpus, EvalRequest, NoProgress};
use scenario::EvidenceKind;
use scenario::ablation::AblateAs;

/// Arguments of `triagebench ablate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Corpus directory.
    #[arg(long, default_value = "corpus/generated")]
    pub corpus: PathBuf,
    /// Classifier spec, as for `eval`.
    #[arg(long, default_value = "rules")]
    pub classifier: String,
    /// The sources to ablate, one run each [default: every evidence source].
    #[arg(long, value_name = "SOURCE[,SOURCE]", value_parser = crate::cmd_eval::SourceList::parse)]
    pub sources: Option<crate::cmd_eval::SourceList>,
    /// How a source is taken away: `absent` (never called) or `unavailable` (its tool failed).
    #[arg(long, default_value = "absent", value_parser = AblateAs::parse)]
    pub ablate_as: AblateAs,
    /// Reports directory: one run directory per ablation and the dependence table.
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
    /// Threads classifying in parallel [default: available cores].
    #[arg(long)]
    pub threads: Option<usize>,
    /// Worker processes (`cmd:`) or concurrent requests (`http://`).
    #[arg(long, default_value_t = 2)]
    pub workers: usize,
    /// Evaluate a corpus whose files changed since its manifest was written.
    #[arg(long)]
    pub allow_modified: bool,
    /// Evidence profile the cases carry (`opensre` or `k8s-api`).
    #[arg(long, default_value = "opensre", value_parser = scenario::Profile::parse)]
    pub profile: scenario::Profile,
}

/// The dependence table's file for a plain run.
pub fn dependence_file(reports: &std::path::Path, plain_run: &str) -> PathBuf {
    reports.join(format!("{plain_run}.dependence.parquet"))
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let sources = args
        .sources
        .clone()
        .map_or_else(|| EvidenceKind::ALL.to_vec(), |s| s.0);
    let suite = scenario::load_profile(&args.corpus, args.profile)
        .map_err(|problems| crate::exit::unloadable(&args.corpus, "the corpus", &problems))?;
    let info = evaluator::corpus_info(&args.corpus, args.allow_modified)
        .map_err(|e| crate::exit::bad_input(e.to_string()))?;
    let options = adapters::Options {
        workers: args.workers.max(1),
        ..adapters::Options::default()
    };
    let classifier = adapters::from_spec(&args.classifier, &options).map_err(|e| match e {
        SpecError::Spawn { .. } => anyhow::Error::new(e).context("--classifier"),
        other => crate::exit::bad_input(format!("--classifier: {other}")),
    })?;
    let request = |ablate: Vec<EvidenceKind>| EvalRequest {
        threads: args.threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        }),
        classifier_spec: args.classifier.clone(),
        history: false,
        profile: args.profile,
        ablate,
        ablate_as: args.ablate_as,
        ..EvalRequest::new(
            Corpus::Suite {
                suite: suite.clone(),
                info: info.clone(),
            },
            &args.reports,
        )
    };
    let run = |ablate: Vec<EvidenceKind>| {
        evaluator::pipeline::run(&request(ablate), classifier.as_ref(), &NoProgress)
            .map_err(crate::cmd_eval::cli_error)
    };
    let plain = run(Vec::new())?;
    eprintln!("plain run: {}", plain.dir.display());
    let mut rows: Vec<DependenceRow> = Vec::new();
    for kind in sources {
        let ablated = run(vec![kind])?;
        eprintln!("without {}: {}", kind.as_str(), ablated.dir.display());
        rows.extend(dependence(
            &plain.run.predictions,
            &ablated.run.predictions,
            kind.as_str(),
            args.ablate_as.as_str(),
        ));
    }
    let path = dependence_file(&args.reports, &plain.run.info.run_id);
    evaluator::report::write_dependence(&path, &rows)?;
    out!("{}", render(&rows));
    outln!("\ndependence table: {}", path.display());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_ablation_writes_the_table_and_bad_input_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let canonical =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/canonical");
        let args = |sources: Option<&str>| Args {
            corpus: canonical.clone(),
            classifier: "rules".into(),
            sources: sources.map(|s| crate::cmd_eval::SourceList::parse(s).unwrap()),
            ablate_as: AblateAs::Unavailable,
            reports: tmp.path().join("reports"),
            threads: Some(1),
            workers: 1,
            allow_modified: false,
            profile: scenario::Profile::Opensre,
        };
        assert_eq!(
            run(args(Some("eks_pods,eks_events"))).unwrap(),
            ExitCode::SUCCESS
        );
        let tables: Vec<PathBuf> = std::fs::read_dir(tmp.path().join("reports"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".dependence.parquet"))
            .collect();
        assert_eq!(tables.len(), 1);
        let rows = evaluator::report::read_dependence(&tables[0]).unwrap();
        let sources: Vec<&str> = rows.iter().map(|r| r.source.as_str()).collect();
        assert!(sources.contains(&"eks_pods") && sources.contains(&"eks_events"));
        assert!(
            rows.iter()
                .all(|r| r.ablated_as == "unavailable" && r.n > 0)
        );
        // Three run directories: plain and one per source; no history.
        let dirs = std::fs::read_dir(tmp.path().join("reports"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().is_dir())
            .count();
        assert_eq!(dirs, 3);
        assert!(!tmp.path().join("reports/history.parquet").exists());

        assert!(crate::cmd_eval::SourceList::parse("eks_pods,kubelet").is_err());
        let err = run(Args {
            corpus: tmp.path().join("missing"),
            ..args(None)
        })
        .unwrap_err();
        assert_eq!(crate::exit::code_of(&err), ExitCode::from(2));
    }
}

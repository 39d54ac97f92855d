//! `triagebench eval`: load a corpus, check it against its manifest, run a classifier over every
//! scenario (in parallel, `--trials` times), write `reports/<run-id>/`, append the run to
//! `reports/history.parquet`, and print a summary.
//!
//! Exit codes: 0 when the run completed and its reports are written, even with `error` rows
//! (calls that failed, timed out or answered garbage are scored as wrong and listed in the
//! summary); 1 when `--max-errors N` is given and more than N calls failed (the reports are still
//! written); 2 on bad input (arguments, a corpus that does not load, a corpus changed since its
//! manifest without `--allow-modified`, a bad classifier spec); 3 when the run directory exists;
//! 4 when a classifier cannot start or a report cannot be written.
//!
//! `--ablate SOURCE[,SOURCE]` takes evidence sources away from every case before it is
//! classified (`--ablate-as absent`, the default, or `unavailable`), recorded in `run.json`
//! (`ablated`, `ablated_as`); `triagebench ablate` runs one such run per source.
//!
//! `--shard i/n` (0-based; or `JOB_COMPLETION_INDEX` and `JOB_COMPLETIONS` in a Kubernetes
//! Indexed Job) evaluates one block of the corpus and marks the run as that shard; such runs
//! are not appended to the history, and `triagebench merge` combines them (`deploy/k8s/`). A bad
//! shard is exit 2 before anything is read.
//!
//! `--interactive` serves the corpus in-process (loopback, a free port) and sends each case
//! without evidence, with an `investigate` object naming the scenario's endpoints
//! (`crate::interactive`); the agent's calls go to `trajectories.parquet` and the trajectory
//! columns. It refuses (2) the classifiers that cannot investigate (`rules`, `status-only`,
//! `replay:`), and `rules-agent` needs it.
//!
//! `--skip-invalid` evaluates the scenarios that load and leaves out the ones that do not,
//! listing each with its problems (stderr, the summary and `run.json`: `skipped`,
//! `skipped_scenarios`); a suite-level problem (no scenarios, a duplicate id) still stops the
//! run with 2.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use adapters::SpecError;
use anyhow::Context;
use evaluator::CorpusError;
use evaluator::eval::EvalError;
use evaluator::pipeline::{Corpus, EvalRequest, PipelineError, Progress};
use indicatif::{ProgressBar, ProgressStyle};

/// Arguments of `triagebench eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Corpus directory (from `triagebench generate`, or a hand-written suite).
    #[arg(long, default_value = "corpus/generated")]
    pub corpus: PathBuf,
    /// Classifier: `rules`, `status-only`, `cmd:<command>`, `http://host:port/path` or `replay:<file.jsonl>`.
    #[arg(long, default_value = "rules")]
    pub classifier: String,
    /// Threads classifying in parallel [default: available cores; at most 8 x the cores, or
    /// 256 if that is more].
    #[arg(long)]
    pub threads: Option<usize>,
    /// Worker processes (`cmd:`) or concurrent requests (`http://`).
    #[arg(long, default_value_t = 2)]
    pub workers: usize,
    /// Per-case timeout of external classifiers: `30s`, `1.5s`, `500ms` (at most one day).
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// HTTP retries on 429/5xx and connection errors.
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
    /// Run every case k times (for nondeterministic classifiers): flip rate, pass^k, majority.
    #[arg(long, default_value_t = 1)]
    pub trials: u32,
    /// Reports directory: the run goes to <REPORTS>/<run-id>/, history to <REPORTS>/history.parquet.
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
    /// Evaluate a corpus whose files changed since its manifest was written.
    #[arg(long)]
    pub allow_modified: bool,
    /// Run id [default: <UTC start>-<classifier>-<6 hex>, e.g. 20261121T081500Z-rules-1a2b3c].
    #[arg(long)]
    pub run_id: Option<String>,
    /// Exit 1 when more than N classifier calls failed (the reports are written anyway).
    #[arg(long, value_name = "N")]
    pub max_errors: Option<u64>,
    /// Do not show the progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Evaluate the scenarios that load; list every one that does not, with its problems.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Evidence profile the cases carry: `opensre` (the default: what OpenSRE's harness reads
    /// and every classifier speaks) or `k8s-api` (the raw objects under `k8s-api/`; the
    /// built-in classifiers project them as OpenSRE's tools would).
    #[arg(long, default_value = "opensre", value_parser = scenario::Profile::parse)]
    pub profile: scenario::Profile,
    /// Take these evidence sources away from every case (`eks_pods`, `eks_events`,
    /// `eks_deployments`, `eks_node_health`, `eks_pod_logs`, `datadog_logs`,
    /// `datadog_monitors`), to measure what the classifier depends on; recorded in `run.json`.
    #[arg(long, value_name = "SOURCE[,SOURCE]", value_parser = SourceList::parse)]
    pub ablate: Option<SourceList>,
    /// How `--ablate` takes a source away: `absent` (the tool was never called) or
    /// `unavailable` (the tool failed: its 403 answer, as the `opensre` profile writes it).
    #[arg(long, default_value = "absent", value_parser = scenario::ablation::AblateAs::parse)]
    pub ablate_as: scenario::ablation::AblateAs,
    /// Evaluate only shard I of N of the corpus (0-based: 0/4 to 3/4; default: from
    /// JOB_COMPLETION_INDEX and JOB_COMPLETIONS when set, as in a Kubernetes Indexed Job). The
    /// run is marked as that shard and not added to the history; `triagebench merge` combines
    /// the shards' runs. A shard corpus (`generate --shard`) is evaluated whole.
    #[arg(long, value_name = "I/N", value_parser = crate::shard::parse)]
    pub shard: Option<scenario::shard::Shard>,
    /// Scenarios loaded, hashed and classified at a time (1 to 100000): eval holds one chunk
    /// of scenarios in memory, never the whole corpus.
    #[arg(long, default_value_t = evaluator::pipeline::DEFAULT_CHUNK)]
    pub chunk: usize,
    /// Interactive evaluation: serve the corpus (its `k8s-api` files) in-process on loopback
    /// and send each case without evidence, with an `investigate` object naming the
    /// scenario's API server, token, kubeconfig, context, MCP and Datadog endpoints; the
    /// agent's calls go to `trajectories.parquet` and the trajectory columns. For `cmd:`,
    /// `http://` and `rules-agent`.
    #[arg(long)]
    pub interactive: bool,
    /// Calls per case before the server answers 429 (`--interactive`; 0: no limit).
    #[arg(long, default_value_t = 100)]
    pub budget: u64,
}

/// A comma-separated list of evidence sources (`--ablate`, `ablate --sources`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceList(pub Vec<scenario::EvidenceKind>);

impl SourceList {
    /// Parses `eks_events,datadog_logs`; an unknown name is an error listing the valid ones.
    pub fn parse(s: &str) -> Result<SourceList, String> {
        scenario::ablation::parse_sources(s).map(SourceList)
    }
}

/// Parses `30s`, `1.5s`, `500ms`, or a bare number of seconds.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (number, scale) = if let Some(ms) = s.strip_suffix("ms") {
        (ms, 0.001)
    } else if let Some(secs) = s.strip_suffix('s') {
        (secs, 1.0)
    } else if let Some(mins) = s.strip_suffix('m') {
        (mins, 60.0)
    } else {
        (s, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("expected a duration like 30s or 500ms, got \"{s}\""))?;
    if !(value.is_finite() && value > 0.0) {
        return Err(format!("expected a positive duration, got \"{s}\""));
    }
    let seconds = value * scale;
    if seconds > MAX_TIMEOUT.as_secs_f64() {
        return Err(format!(
            "\"{s}\" is over the limit of {}s (one day)",
            MAX_TIMEOUT.as_secs()
        ));
    }
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("\"{s}\": {e}"))
}

/// Longest `--timeout` accepted.
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// The flag a field of [`EvalRequest`] comes from, for messages.
fn flag(field: &str) -> String {
    format!("--{}", field.replace('_', "-"))
}

/// Turns a pipeline error into the CLI's message and exit code, naming flags instead of fields.
pub(crate) fn cli_error(e: PipelineError) -> anyhow::Error {
    match e {
        PipelineError::Config { field, message } => {
            crate::exit::bad_input(format!("{}: {message}", flag(field)))
        }
        PipelineError::RunExists { path } => crate::exit::refused(format!(
            "{}: run directory already exists (pick another --run-id)",
            path.display()
        )),
        PipelineError::Load { path, problems } => {
            let n = problems.0.len();
            let mut msg = format!(
                "{}: {n} problem(s) while loading the corpus:",
                path.display()
            );
            for p in problems.0.iter().take(PROBLEMS_SHOWN) {
                msg.push_str(&format!("\n  {p}"));
            }
            if n > PROBLEMS_SHOWN {
                msg.push_str(&format!(
                    "\n  ... and {} more (run `triagebench validate {}`)",
                    n - PROBLEMS_SHOWN,
                    path.display()
                ));
            }
            crate::exit::bad_input(msg)
        }
        // A symbolic link in the corpus is bad input; any other I/O error is a runtime failure.
        PipelineError::Corpus(CorpusError::Io { path, source })
            if source.kind() == std::io::ErrorKind::InvalidData =>
        {
            crate::exit::bad_input(format!("{}: {source}", path.display()))
        }
        PipelineError::Corpus(e @ CorpusError::Io { .. }) => anyhow::Error::new(e),
        PipelineError::Corpus(CorpusError::Modified {
            manifest,
            recorded,
            actual,
        }) => crate::exit::bad_input(format!(
            "{}: content_hash is {recorded} but the corpus now hashes to {actual}: the corpus \
             changed since it was generated (regenerate it, or pass --allow-modified)",
            manifest.display()
        )),
        PipelineError::Corpus(other) => crate::exit::bad_input(other.to_string()),
        PipelineError::Eval(e @ EvalError::ThreadPool(_)) => anyhow::Error::new(e),
        PipelineError::Eval(e) => crate::exit::bad_input(e.to_string()),
        // A history that cannot be read is bad input however it is met (the run is written).
        PipelineError::History { dir, source } if history_unreadable(&source) => {
            let reports = dir.parent().unwrap_or(Path::new("."));
            crate::exit::bad_input(format!(
                "the run is in {}, but the history cannot be read to append it: {source}\nhint: {}",
                dir.display(),
                evaluator::history::recovery_hint(reports)
            ))
        }
        e @ (PipelineError::Report(_) | PipelineError::History { .. }) => anyhow::Error::new(e),
    }
}

/// Whether a history error is about reading what is there (not writing, not the lock).
fn history_unreadable(e: &evaluator::report::ReportError) -> bool {
    use evaluator::report::ReportError as E;
    matches!(
        e,
        E::Parquet { .. } | E::Column { .. } | E::Json { .. } | E::Digest { .. }
    )
}

/// How many load problems to print before summarizing the rest.
const PROBLEMS_SHOWN: usize = 40;

/// A spinner while the corpus loads, then a bar over the calls; both cleared when dropped
/// (so an error is not printed after them).
#[derive(Debug)]
struct Bars {
    spinner: ProgressBar,
    bar: ProgressBar,
}

impl Bars {
    fn new(quiet: bool) -> Bars {
        if quiet {
            return Bars {
                spinner: ProgressBar::hidden(),
                bar: ProgressBar::hidden(),
            };
        }
        let bar = ProgressBar::hidden();
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {bar:40} {pos}/{len} cases, {elapsed} elapsed, eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Bars {
            spinner: ProgressBar::new_spinner(),
            bar,
        }
    }
}

impl Progress for Bars {
    fn loading(&self, corpus: &Path) {
        self.spinner
            .set_message(format!("loading and hashing {}", corpus.display()));
        self.spinner.enable_steady_tick(Duration::from_millis(120));
    }

    fn classifying(&self, calls: u64) {
        self.spinner.finish_and_clear();
        if !self.spinner.is_hidden() {
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        self.bar.set_length(calls);
        self.bar.reset_elapsed();
    }

    fn call_done(&self) {
        self.bar.inc(1);
    }
}

impl Drop for Bars {
    fn drop(&mut self) {
        self.spinner.finish_and_clear();
        self.bar.finish_and_clear();
    }
}

/// Runs the subcommand: the request and the classifier from the arguments (checked before
/// anything is read), then [`evaluator::pipeline::run`], then the summary.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let spec = args.classifier.trim();
    if args.interactive && (classifier::builtin(spec).is_some() || spec.starts_with("replay:")) {
        return Err(crate::exit::bad_input(format!(
            "--classifier {spec} cannot investigate: --interactive needs an agent (cmd:, http:// or rules-agent)"
        )));
    }
    if spec == adapters::rules_agent::NAME && !args.interactive {
        return Err(crate::exit::bad_input(
            "--classifier rules-agent investigates through a server: pass --interactive",
        ));
    }
    if args.interactive && args.ablate.is_some() {
        return Err(crate::exit::bad_input(
            "--ablate cannot be combined with --interactive (the agent reads the served corpus)",
        ));
    }
    let request = EvalRequest {
        corpus: Corpus::Dir {
            path: args.corpus.clone(),
            allow_modified: args.allow_modified,
        },
        reports: args.reports.clone(),
        run_id: args.run_id.clone(),
        threads: args.threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        }),
        trials: args.trials,
        classifier_spec: args.classifier.clone(),
        history: true,
        profile: if args.interactive {
            scenario::Profile::K8sApi
        } else {
            args.profile
        },
        skip_invalid: args.skip_invalid,
        ablate: args.ablate.as_ref().map_or_else(Vec::new, |s| s.0.clone()),
        ablate_as: args.ablate_as,
        shard: crate::shard::resolve(args.shard)?,
        chunk: args.chunk,
    };
    request.check().map_err(cli_error)?;
    crate::cmd_clean::sweep_before_run(&args.reports);
    if args.workers == 0 {
        return Err(crate::exit::bad_input("--workers: must be at least 1"));
    }
    let options = adapters::Options {
        workers: args.workers,
        timeout: args.timeout,
        retries: args.retries,
    };
    let classifier = adapters::from_spec(&args.classifier, &options).map_err(|e| match e {
        SpecError::Spawn { .. } => anyhow::Error::new(e).context("--classifier"),
        other => crate::exit::bad_input(format!("--classifier: {other}")),
    })?;

    let bars = Bars::new(args.quiet);
    let outcome = if args.interactive {
        run_interactive(&args, &request, classifier.as_ref(), &bars)?
    } else {
        evaluator::pipeline::run(&request, classifier.as_ref(), &bars).map_err(cli_error)?
    };
    drop(bars);
    for k in &outcome.run.info.skipped_scenarios {
        eprintln!("skipped {} (does not load):", k.scenario);
        for p in &k.problems {
            eprintln!("  {p}");
        }
    }

    out!(
        "{}",
        evaluator::summary::render(&outcome.run, &outcome.scores)
    );
    outln!("\nreports: {}", outcome.dir.display());

    if let Some(max) = args.max_errors
        && outcome.run.info.errors > max
    {
        eprintln!(
            "error: {} classifier calls failed, more than --max-errors {max} (reports written to {})",
            outcome.run.info.errors,
            outcome.dir.display()
        );
        return Ok(ExitCode::from(crate::exit::GATE_FAILED));
    }
    Ok(ExitCode::SUCCESS)
}

/// The interactive pipeline: the corpus served in-process, a kubeconfig in a temporary file
/// (removed when this returns), every case investigated through the server.
fn run_interactive(
    args: &Args,
    request: &EvalRequest,
    classifier: &dyn classifier::Classifier,
    bars: &Bars,
) -> anyhow::Result<evaluator::pipeline::RunOutcome> {
    use server::{Clock, ServeOptions, Server, Store};
    let anchor = Clock::System.now();
    let store = Store::load(&args.corpus, anchor).map_err(|problems| {
        let list: Vec<String> = problems.0.iter().map(ToString::to_string).collect();
        crate::exit::bad_input(format!(
            "{} (served in the k8s-api profile for --interactive) does not load:\n  {}",
            args.corpus.display(),
            list.join("\n  ")
        ))
    })?;
    let clusters: Vec<server::store::Cluster> = store.clusters().cloned().collect();
    let server = Server::start(
        store,
        ServeOptions {
            bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            budget: (args.budget > 0).then_some(args.budget),
            clock: Clock::System,
        },
    )?;
    let mut kubeconfig = tempfile::Builder::new()
        .prefix("triagebench-kubeconfig-")
        .suffix(".yaml")
        .tempfile()
        .context("cannot write the kubeconfig")?;
    std::io::Write::write_all(
        &mut kubeconfig,
        server::kubeconfig(&clusters, &server.url()).as_bytes(),
    )
    .context("cannot write the kubeconfig")?;
    let agent = crate::interactive::Interactive {
        inner: classifier,
        server: &server,
        kubeconfig: kubeconfig.path().display().to_string(),
        calls: std::sync::Mutex::default(),
    };
    let trajectories = |id: &str, trial: u32| agent.trajectory(id, trial);
    let outcome = evaluator::pipeline::run_interactive(request, &agent, bars, Some(&trajectories))
        .map_err(cli_error);
    drop(server);
    drop(kubeconfig);
    outcome
}

#[cfg(test)]
mod tests {
    //! `eval` end to end on the hand-written canonical suite: reports and history written,
    //! exit codes for a taken run id (3), a modified corpus (2), a corpus that does not load (2),
    //! too many error rows (1), a bad classifier spec (2).

    use std::path::{Path, PathBuf};
    use std::process::ExitCode;

    use super::{Args, parse_duration, run};
    use crate::exit::code_of;
    use std::time::Duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
        // Issue 14 item 10: a huge value is a message, not a panic.
        assert!(
            parse_duration("1e300s")
                .unwrap_err()
                .contains("over the limit")
        );
        assert!(parse_duration("86401s").is_err());
        assert_eq!(parse_duration("1440m"), Ok(Duration::from_secs(86_400)));
    }

    /// A fresh scratch directory (this crate has no tempfile dev-dependency).
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "triagebench-eval-test-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }

    fn canonical() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/canonical")
    }

    fn args(corpus: &Path, reports: &Path, run_id: &str) -> Args {
        Args {
            corpus: corpus.to_path_buf(),
            classifier: "rules".into(),
            threads: Some(2),
            workers: 1,
            timeout: Duration::from_secs(5),
            retries: 0,
            trials: 1,
            reports: reports.to_path_buf(),
            allow_modified: false,
            run_id: Some(run_id.into()),
            max_errors: None,
            quiet: true,
            skip_invalid: false,
            profile: scenario::Profile::Opensre,
            ablate: None,
            ablate_as: scenario::ablation::AblateAs::Absent,
            shard: None,
            chunk: evaluator::pipeline::DEFAULT_CHUNK,
            interactive: false,
            budget: 100,
        }
    }

    #[test]
    fn eval_writes_reports_and_history_and_maps_exit_codes() {
        let dir = scratch("main");
        let reports = dir.join("reports");
        assert_eq!(
            run(args(&canonical(), &reports, "first")).unwrap(),
            ExitCode::SUCCESS
        );
        for file in [
            "predictions.parquet",
            "confusion.parquet",
            "metrics.parquet",
            "slices.parquet",
            "run.json",
        ] {
            assert!(reports.join("first").join(file).is_file(), "{file}");
        }
        let history = evaluator::history::read(&reports.join("history.parquet")).unwrap();
        assert!(history.iter().any(|r| r.run_id == "first"
            && r.class.is_none()
            && r.level == scenario::Level::FailureMode));

        // The run id is taken: refused before anything runs.
        let err = run(args(&canonical(), &reports, "first")).unwrap_err();
        assert_eq!(code_of(&err), ExitCode::from(3), "{err:#}");

        // A corpus changed since its manifest: 2, naming the manifest and both hashes.
        let corpus = dir.join("corpus");
        copy_dir(&canonical(), &corpus);
        let manifest = serde_json::json!({
            "schema_version": "1", "corpus_id": "copy", "seed": 1, "count": 4,
            "generator_version": "test", "profile": "opensre", "templates_hash": "t",
            "counts": {}, "files": 0, "bytes": 0, "content_hash": "0123abcd"
        });
        std::fs::write(corpus.join("manifest.json"), manifest.to_string()).unwrap();
        let err = run(args(&corpus, &reports, "modified")).unwrap_err();
        assert_eq!(code_of(&err), ExitCode::from(2));
        let msg = format!("{err:#}");
        assert!(
            msg.contains("manifest.json")
                && msg.contains("0123abcd")
                && msg.contains("--allow-modified"),
            "{msg}"
        );
        assert!(!reports.join("modified").exists());
        let allowed = Args {
            allow_modified: true,
            ..args(&corpus, &reports, "modified")
        };
        assert_eq!(run(allowed).unwrap(), ExitCode::SUCCESS);

        // A corpus that does not load: 2, listing the problem with its file.
        std::fs::write(
            corpus.join("001-crashloop-backoff/eks_pods.json"),
            "{not json",
        )
        .unwrap();
        let err = run(Args {
            allow_modified: true,
            ..args(&corpus, &reports, "broken")
        })
        .unwrap_err();
        assert_eq!(code_of(&err), ExitCode::from(2));
        assert!(
            format!("{err:#}").contains("001-crashloop-backoff/eks_pods.json"),
            "{err:#}"
        );
        // ... unless --skip-invalid: the three that load are evaluated, the broken one is
        // listed with its problem in run.json.
        let skipping = Args {
            allow_modified: true,
            skip_invalid: true,
            ..args(&corpus, &reports, "skipping")
        };
        assert_eq!(run(skipping).unwrap(), ExitCode::SUCCESS);
        let info = evaluator::report::read_info(&reports.join("skipping")).unwrap();
        assert_eq!((info.scenarios, info.skipped), (3, 1));
        assert_eq!(info.skipped_scenarios[0].scenario, "001-crashloop-backoff");
        assert!(
            info.skipped_scenarios[0].problems[0]
                .starts_with("001-crashloop-backoff/eks_pods.json: malformed JSON"),
            "{:?}",
            info.skipped_scenarios
        );

        // Every call fails (a replay with no lines): the run completes, 0 by default, 1 past --max-errors.
        let empty = dir.join("empty.jsonl");
        std::fs::write(&empty, "").unwrap();
        let replay = |id: &str, max_errors| Args {
            classifier: format!("replay:{}", empty.display()),
            max_errors,
            ..args(&canonical(), &reports, id)
        };
        assert_eq!(run(replay("errors-ok", None)).unwrap(), ExitCode::SUCCESS);
        assert_eq!(
            run(replay("errors-gate", Some(3))).unwrap(),
            ExitCode::from(1)
        );
        let info = evaluator::report::read_info(&reports.join("errors-gate")).unwrap();
        assert_eq!(info.errors, 4, "the reports are written anyway");

        // A classifier spec that names nothing: 2.
        let err = run(Args {
            classifier: "magic".into(),
            ..args(&canonical(), &reports, "spec")
        })
        .unwrap_err();
        assert_eq!(code_of(&err), ExitCode::from(2));
        assert!(format!("{err:#}").contains("--classifier"));

        std::fs::remove_dir_all(&dir).unwrap();
    }
}

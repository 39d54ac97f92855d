//! `triagebench import`: a real snapshot becomes a scenario directory in both profiles
//! (`scenario::import`): the raw objects under `k8s-api/` as given (after the strict check) and
//! the `opensre` files by the projection.
//!
//! Exit codes: 0 written; 2 bad input (an unknown or missing field, a wrong type, a `List` of
//! mixed kinds where one kind is expected, events of objects the snapshot lacks, logs of a pod it
//! lacks, a Datadog error body, no pods in the namespace, bad flags), each problem naming the
//! file and the field, and nothing written; 3 when the output exists (without `--force`); 4 when
//! writing fails.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use scenario::files::{
    Alert, AlertAnnotations, AlertLabels, AnswerFile, Engine, ScenarioFile, WorkloadType,
};
use scenario::import::{InputFile, Inputs, LogFile};
use scenario::{Category, FailureMode, Profile, RootCause};

/// Arguments of `triagebench import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A snapshot file: `kubectl get pods,events,deployments,statefulsets,nodes -A -o json`
    /// output (a `List`), a typed list, or one object. Repeat for separate files.
    #[arg(long = "snapshot", required = true, value_name = "FILE")]
    pub snapshots: Vec<PathBuf>,
    /// Container logs (`kubectl logs -c CONTAINER POD`): `NAMESPACE/POD/CONTAINER=FILE`.
    #[arg(long = "logs", value_name = "NS/POD/CONTAINER=FILE")]
    pub logs: Vec<String>,
    /// Logs of the previous instance (`kubectl logs --previous`): `NAMESPACE/POD/CONTAINER=FILE`.
    #[arg(long = "previous-logs", value_name = "NS/POD/CONTAINER=FILE")]
    pub previous_logs: Vec<String>,
    /// A Datadog Logs v2 search response.
    #[arg(long)]
    pub datadog_logs: Option<PathBuf>,
    /// A Datadog Monitors v1 list (the bare JSON array).
    #[arg(long)]
    pub datadog_monitors: Option<PathBuf>,
    /// The answer as an `answer.yml`; or give --mode, --category, --cause and --pod.
    #[arg(long, conflicts_with_all = ["mode", "category", "cause"])]
    pub answer: Option<PathBuf>,
    /// Failure mode of the answer.
    #[arg(long, value_parser = FailureMode::parse)]
    pub mode: Option<FailureMode>,
    /// Root cause category of the answer.
    #[arg(long, value_parser = Category::parse)]
    pub category: Option<Category>,
    /// Root cause of the answer.
    #[arg(long, value_parser = RootCause::parse)]
    pub cause: Option<RootCause>,
    /// Affected pod, `namespace/pod`.
    #[arg(long)]
    pub pod: Option<String>,
    /// Affected container.
    #[arg(long)]
    pub container: Option<String>,
    /// An `alert.json` (default: a minimal alert naming the pod).
    #[arg(long)]
    pub alert: Option<PathBuf>,
    /// Namespace of the alerted workload (the tools' `namespace`).
    #[arg(long)]
    pub namespace: String,
    /// Name of the alerted workload.
    #[arg(long)]
    pub workload: String,
    /// Kind of the alerted workload.
    #[arg(long, default_value = "deployment")]
    pub workload_type: String,
    /// Cluster name.
    #[arg(long, default_value = "imported")]
    pub cluster: String,
    /// eks, gke, aks or kubernetes.
    #[arg(long, default_value = "kubernetes")]
    pub engine: String,
    /// Cloud region.
    #[arg(long, default_value = "unknown")]
    pub region: String,
    /// Alert severity.
    #[arg(long, default_value = "critical")]
    pub severity: String,
    /// Accept events whose involved object is not in the snapshot (events of deleted pods).
    #[arg(long)]
    pub allow_orphan_events: bool,
    /// The scenario directory to write (its name is the scenario id).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an existing output directory.
    #[arg(long)]
    pub force: bool,
}

fn read(path: &Path) -> anyhow::Result<InputFile> {
    let shown = path.display().to_string();
    let text = scenario::load::read_text(path, &shown)
        .map_err(|p| crate::exit::bad_input(p.to_string()))?;
    Ok(InputFile { shown, text })
}

fn log_spec(spec: &str, previous: bool) -> anyhow::Result<LogFile> {
    let flag = if previous {
        "--previous-logs"
    } else {
        "--logs"
    };
    let bad = || {
        crate::exit::bad_input(format!(
            "{flag} {spec}: expected NAMESPACE/POD/CONTAINER=FILE"
        ))
    };
    let (target, file) = spec.split_once('=').ok_or_else(bad)?;
    let parts: Vec<&str> = target.split('/').collect();
    let [namespace, pod, container] = parts.as_slice() else {
        return Err(bad());
    };
    if [namespace, pod, container]
        .iter()
        .any(|p| p.trim().is_empty())
    {
        return Err(bad());
    }
    Ok(LogFile {
        namespace: (*namespace).to_owned(),
        pod: (*pod).to_owned(),
        container: (*container).to_owned(),
        previous,
        file: read(Path::new(file))?,
    })
}

fn parse<T: serde::de::DeserializeOwned>(v: &str, what: &str) -> anyhow::Result<T> {
    serde_json::from_value(serde_json::Value::String(v.to_owned()))
        .map_err(|e| crate::exit::bad_input(format!("{what}: {e}")))
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // Parse, then act: every flag and input is checked before anything is written.
    let name = args
        .out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            crate::exit::bad_input(format!(
                "--out {}: needs a directory name",
                args.out.display()
            ))
        })?;
    if args.out.exists() && !args.force {
        return Err(crate::exit::refused(format!(
            "{}: already exists (use --force to replace it)",
            args.out.display()
        )));
    }
    let engine: Engine = parse(&args.engine, "--engine")?;
    let workload_type: WorkloadType = parse(&args.workload_type, "--workload-type")?;
    let answer: AnswerFile = match &args.answer {
        Some(path) => {
            let f = read(path)?;
            scenario::load::parse_answer(&f.text, &f.shown).map_err(|problems| {
                let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
                crate::exit::bad_input(lines.join("\n"))
            })?
        }
        None => {
            let (Some(mode), Some(category)) = (args.mode, args.category) else {
                return Err(crate::exit::bad_input(
                    "give --answer FILE, or --mode and --category (with --cause and --pod)",
                ));
            };
            if let Some(c) = args.cause
                && (c.mode() != mode || c.category() != category)
            {
                return Err(crate::exit::bad_input(format!(
                    "--cause {c}: belongs to {} / {}, not --mode {mode} / --category {category}",
                    c.mode(),
                    c.category()
                )));
            }
            AnswerFile {
                root_cause_category: category,
                required_keywords: vec![
                    args.cause
                        .map_or_else(|| mode.to_string(), |c| c.to_string()),
                ],
                model_response: format!(
                    "ROOT_CAUSE: {}\nROOT_CAUSE_CATEGORY: {category}",
                    args.cause
                        .map_or_else(|| mode.to_string(), |c| c.to_string())
                ),
                forbidden_categories: Vec::new(),
                forbidden_keywords: Vec::new(),
                optimal_trajectory: Vec::new(),
                max_investigation_loops: None,
                ruling_out_keywords: Vec::new(),
                required_queries: Vec::new(),
                required_evidence_sources: Vec::new(),
                root_cause: args.cause,
                exit_code: None,
                affected_pod: args.pod.clone(),
                affected_container: args.container.clone(),
                acceptable_root_causes: Vec::new(),
                equivalent_root_cause_categories: Vec::new(),
            }
        }
    };
    let mode = args
        .mode
        .or_else(|| answer.root_cause.map(RootCause::mode))
        .unwrap_or(match answer.root_cause_category {
            Category::Healthy => FailureMode::Healthy,
            _ => FailureMode::Unknown,
        });
    if !mode.is_ground_truth() {
        return Err(crate::exit::bad_input(
            "the answer names no failure mode: give --mode (or a root_cause in the answer)",
        ));
    }
    let alert: Alert = match &args.alert {
        Some(path) => {
            let f = read(path)?;
            serde_json::from_str(&f.text)
                .map_err(|e| crate::exit::bad_input(format!("{}: {e}", f.shown)))?
        }
        None => Alert {
            title: format!("{} in {}", args.workload, args.namespace),
            state: "alerting".into(),
            alert_source: "import".into(),
            common_labels: AlertLabels {
                namespace: Some(args.namespace.clone()),
                workload_name: Some(args.workload.clone()),
                ..AlertLabels::default()
            },
            common_annotations: AlertAnnotations {
                kube_namespace: Some(args.namespace.clone()),
                kube_pod: answer
                    .affected_pod
                    .as_deref()
                    .map(|p| p.rsplit('/').next().unwrap_or(p).to_owned()),
                ..AlertAnnotations::default()
            },
        },
    };
    let mut logs = Vec::new();
    for s in &args.logs {
        logs.push(log_spec(s, false)?);
    }
    for s in &args.previous_logs {
        logs.push(log_spec(s, true)?);
    }
    let inputs = Inputs {
        snapshots: args
            .snapshots
            .iter()
            .map(|p| read(p))
            .collect::<anyhow::Result<_>>()?,
        logs,
        datadog_logs: args.datadog_logs.as_deref().map(read).transpose()?,
        datadog_monitors: args.datadog_monitors.as_deref().map(read).transpose()?,
        scenario: ScenarioFile {
            schema_version: scenario::files::SCHEMA_VERSION.into(),
            scenario_id: name.clone(),
            engine,
            cluster_name: args.cluster.clone(),
            namespace: args.namespace.clone(),
            workload_type,
            workload_name: args.workload.clone(),
            region: args.region.clone(),
            failure_mode: mode,
            severity: args.severity.clone(),
            scenario_difficulty: 1,
            available_evidence: Vec::new(),
            base: None,
            adversarial_signals: Vec::new(),
            depends_on: None,
            twin: None,
        },
        answer,
        alert,
        allow_orphan_events: args.allow_orphan_events,
    };
    let files = scenario::import::build(&inputs).map_err(|problems| {
        let mut msg = format!("{} problem(s); nothing written:", problems.len());
        for p in &problems {
            msg.push_str(&format!("\n  {p}"));
        }
        crate::exit::bad_input(msg)
    })?;

    // Write beside the target, check it loads in both profiles, then rename into place.
    let parent = match args.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).with_context(|| format!("creating {}", parent.display()))?;
    let tmp = parent.join(format!(".{name}.import-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let written = (|| -> anyhow::Result<()> {
        for (rel, text) in &files {
            let path = tmp.join(rel);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
        for profile in Profile::ALL {
            scenario::load_profile(&tmp, *profile).map_err(|p| {
                anyhow::anyhow!("the imported scenario does not load in profile {profile}:\n{p}")
            })?;
        }
        if args.out.exists() {
            std::fs::remove_dir_all(&args.out)
                .with_context(|| format!("replacing {}", args.out.display()))?;
        }
        std::fs::rename(&tmp, &args.out)
            .with_context(|| format!("renaming into {}", args.out.display()))?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    outln!(
        "imported {} file(s) into {}",
        files.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

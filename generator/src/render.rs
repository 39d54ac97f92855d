//! Views of a world. The raw objects the Kubernetes and Datadog APIs would return (the
//! `k8s-api` profile) are rendered by `templates/k8s-api/*.j2` and read back through the
//! strict check of `scenario::k8s_api`; the `opensre` files are computed from them by the one
//! projection of `scenario::projection` (as OpenSRE's tools compute their answers), so the two
//! profiles can never disagree. `scenario.yml`, `answer.yml` and `alert.json` come from
//! `templates/scenario/*.j2`. Every rendered scenario is parsed back through the scenario
//! model before it is written, so a template bug fails at generation time.

use minijinja::Value;
use minijinja::value::Serde;

use scenario::case::Evidence;
use scenario::files::{
    Alert, AnswerFile, DatadogLogsFile, DatadogMonitorsFile, DeploymentsFile, EventsFile,
    EvidenceKind, NodesFile, PodLogsFile, PodsFile, ScenarioFile, Source,
};
use scenario::k8s_api::{self, RawEvidence};
use scenario::load::Problem;
use scenario::projection::{PodLogsCall, ToolCalls, project};
use scenario::{Category, FailureMode, RootCause, Scenario};

use crate::GenError;
use crate::spec::{K8S_API_DIR, SCENARIO_DIR, SCENARIO_FILES, Templates, describe};
use crate::world::{self, Mix, World};

/// Which evidence profiles a corpus holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Profile {
    /// The files of OpenSRE's tools (`eks_pods.json`, ...), what OpenSRE's loader reads.
    Opensre,
    /// The raw objects of the APIs, under `k8s-api/`.
    K8sApi,
    /// Both, from the same world (the default: each consumer finds its profile).
    Both,
}

impl Profile {
    /// Every profile, as `--profile` spells them.
    pub const ALL: &'static [Profile] = &[Profile::Opensre, Profile::K8sApi, Profile::Both];

    /// The name `--profile` and the manifest use.
    pub const fn as_str(self) -> &'static str {
        match self {
            Profile::Opensre => "opensre",
            Profile::K8sApi => "k8s-api",
            Profile::Both => "both",
        }
    }

    /// Parses a profile name; an unknown one is an error listing the valid names.
    pub fn parse(s: &str) -> Result<Profile, String> {
        Profile::ALL
            .iter()
            .copied()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Profile::ALL.iter().map(|p| p.as_str()).collect();
                format!(
                    "unknown profile \"{s}\" (expected one of: {})",
                    names.join(", ")
                )
            })
    }

    fn opensre(self) -> bool {
        matches!(self, Profile::Opensre | Profile::Both)
    }

    fn k8s_api(self) -> bool {
        matches!(self, Profile::K8sApi | Profile::Both)
    }
}

/// One rendered scenario: its directory name and files, plus its labels for the summary.
#[derive(Clone, Debug)]
pub struct RenderedScenario {
    /// Directory name: the zero-padded index, nothing else.
    pub dir_name: String,
    /// `(path relative to the scenario directory, content)` in a fixed order.
    pub files: Vec<(String, String)>,
    /// Ground-truth failure mode.
    pub mode: FailureMode,
    /// Ground-truth root cause.
    pub cause: RootCause,
    /// Ground-truth category.
    pub category: Category,
    /// Difficulty tier.
    pub difficulty: u8,
    /// Adversarial signals present.
    pub signals: Vec<scenario::Signal>,
}

/// The directory name / scenario id of scenario `index` in a corpus of `count`.
pub fn scenario_id(index: u64, count: u64) -> String {
    let digits = count.saturating_sub(1).max(1).to_string().len().max(5);
    format!("{index:0digits$}")
}

/// Samples and renders scenario `index`: a pure function of templates, mix, seed and index.
pub fn render_scenario(
    t: &Templates,
    mix: &Mix,
    seed: u64,
    index: u64,
    count: u64,
    profile: Profile,
) -> Result<RenderedScenario, GenError> {
    render_scenario_twins(t, mix, seed, index, count, profile, 0.0)
}

/// [`render_scenario`] in a corpus drawn with `--twins` share `twins` (see
/// [`world::sample_world_twins`]).
pub fn render_scenario_twins(
    t: &Templates,
    mix: &Mix,
    seed: u64,
    index: u64,
    count: u64,
    profile: Profile,
    twins: f64,
) -> Result<RenderedScenario, GenError> {
    let id = scenario_id(index, count);
    let world = world::sample_world_twins(t, mix, seed, index, count, &id, twins)?;
    let files = render_world(t, &world, profile)?;
    Ok(RenderedScenario {
        dir_name: id,
        files,
        mode: world.labels.mode,
        cause: world.labels.cause,
        category: world.labels.category,
        difficulty: world.labels.difficulty,
        signals: world.labels.signals.clone(),
    })
}

/// The world's source record of an evidence kind.
fn source_of(world: &World, kind: EvidenceKind) -> &world::Source {
    let s = &world.sources;
    match kind {
        EvidenceKind::EksPods => &s.eks_pods,
        EvidenceKind::EksEvents => &s.eks_events,
        EvidenceKind::EksDeployments => &s.eks_deployments,
        EvidenceKind::EksNodeHealth => &s.eks_node_health,
        EvidenceKind::EksPodLogs => &s.eks_pod_logs,
        EvidenceKind::DatadogLogs => &s.datadog_logs,
        EvidenceKind::DatadogMonitors => &s.datadog_monitors,
    }
}

/// What the agent's tool calls name for this world (the projection's inputs besides the
/// raw objects): the cluster and namespace, the alerted container's current log, and the
/// Datadog query of the namespace.
pub fn tool_calls(world: &World) -> ToolCalls {
    ToolCalls {
        cluster_name: world.cluster.clone(),
        namespace: world.namespace.clone(),
        pod_logs: Some(PodLogsCall {
            pod: world.pod_logs.pod.clone(),
            container: Some(world.pod_logs.container.clone()),
            previous: false,
        }),
        datadog_logs_query: format!("kube_namespace:{}", world.namespace),
        datadog_monitors_query: None,
    }
}

/// Renders every file of a world for the profile: the scenario files, the raw objects (read
/// back strictly), and the projection.
pub fn render_world(
    t: &Templates,
    world: &World,
    profile: Profile,
) -> Result<Vec<(String, String)>, GenError> {
    let listed: Vec<EvidenceKind> = EvidenceKind::ALL
        .iter()
        .copied()
        .filter(|k| source_of(world, *k).listed)
        .collect();
    let names: Vec<&str> = listed.iter().map(|k| k.as_str()).collect();
    let base = Value::from(Serde(world));
    let render = |name: &str, source: Option<&world::Source>| -> Result<String, GenError> {
        let ctx = minijinja::context! {
            available => names.clone(),
            source => Value::from(Serde(source)),
            ..base.clone()
        };
        let tpl = t
            .env
            .get_template(name)
            .map_err(|e| template_error(t, world, name, &e))?;
        let mut text = tpl
            .render(ctx)
            .map_err(|e| template_error(t, world, name, &e))?;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        Ok(text)
    };

    let mut scenario_files = Vec::with_capacity(SCENARIO_FILES.len());
    for file in SCENARIO_FILES {
        let text = render(&format!("{SCENARIO_DIR}/{file}.j2"), None)?;
        scenario_files.push(((*file).to_owned(), text));
    }

    // The raw objects, one file per listed source (statefulsets only where there are some).
    let mut raw_files: Vec<(String, String)> = Vec::new();
    for kind in &listed {
        for file in k8s_api::files_of(*kind) {
            if *file == "statefulsets.json" && world.statefulsets.is_empty() {
                continue;
            }
            let text = render(
                &format!("{K8S_API_DIR}/{file}.j2"),
                Some(source_of(world, *kind)),
            )?;
            raw_files.push(((*file).to_owned(), text));
        }
    }
    let raw = read_raw(world, &raw_files)?;
    let projected = project(&raw, &tool_calls(world)).map_err(|e| GenError::Rendered {
        scenario: world.id.clone(),
        file: "opensre evidence".into(),
        template: format!("{K8S_API_DIR}/*.j2 (projection)"),
        message: e.to_string(),
    })?;
    let opensre: Vec<(String, String)> = projected
        .into_iter()
        .map(|(k, text)| (k.file_name(), text))
        .collect();
    check(world, &scenario_files, &opensre)?;

    let mut out = scenario_files;
    if profile.opensre() {
        out.extend(opensre);
    }
    if profile.k8s_api() {
        out.extend(
            raw_files
                .into_iter()
                .map(|(f, text)| (format!("{K8S_API_DIR}/{f}"), text)),
        );
    }
    Ok(out)
}

/// Reads the rendered raw objects back through the strict check of the k8s-api profile.
fn read_raw(world: &World, files: &[(String, String)]) -> Result<RawEvidence, GenError> {
    let bad = |file: &str, problems: Vec<Problem>| GenError::Rendered {
        scenario: world.id.clone(),
        file: format!("{K8S_API_DIR}/{file}"),
        template: format!("{K8S_API_DIR}/{file}.j2"),
        message: problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
    };
    let mut raw = RawEvidence::default();
    for (file, text) in files {
        let shown = format!("{K8S_API_DIR}/{file}");
        let s = shown.as_str();
        let r = match file.as_str() {
            "pods.json" => k8s_api::parse_pods(text, s).map(|v| raw.pods = Some(v)),
            "events.json" => k8s_api::parse_events(text, s).map(|v| raw.events = Some(v)),
            "deployments.json" => {
                k8s_api::parse_deployments(text, s).map(|v| raw.deployments = Some(v))
            }
            "statefulsets.json" => {
                k8s_api::parse_statefulsets(text, s).map(|v| raw.statefulsets = Some(v))
            }
            "replicasets.json" => {
                k8s_api::parse_replicasets(text, s).map(|v| raw.replicasets = Some(v))
            }
            "nodes.json" => k8s_api::parse_nodes(text, s).map(|v| raw.nodes = Some(v)),
            "pod_logs.json" => k8s_api::parse_pod_logs(text, s).map(|v| raw.pod_logs = Some(v)),
            "datadog_logs.json" => {
                k8s_api::parse_datadog_logs(text, s).map(|v| raw.datadog_logs = Some(v))
            }
            _ => k8s_api::parse_datadog_monitors(text, s).map(|v| raw.datadog_monitors = Some(v)),
        };
        r.map_err(|p| bad(file, p))?;
    }
    Ok(raw)
}

fn template_error(t: &Templates, world: &World, name: &str, e: &minijinja::Error) -> GenError {
    GenError::Rendered {
        scenario: world.id.clone(),
        file: name.trim_end_matches(".j2").to_owned(),
        template: t.dir.join(name).display().to_string(),
        message: describe(e),
    }
}

/// Parses the scenario files and the projected evidence back through the scenario model and
/// validates them as the loader would.
fn check(
    world: &World,
    scenario_files: &[(String, String)],
    opensre: &[(String, String)],
) -> Result<(), GenError> {
    let bad = |file: &str, message: String| GenError::Rendered {
        scenario: world.id.clone(),
        file: file.to_owned(),
        template: if file.ends_with(".j2") || SCENARIO_FILES.contains(&file) {
            format!("{SCENARIO_DIR}/{file}.j2")
        } else {
            format!("{K8S_API_DIR}/*.j2 (projection)")
        },
        message,
    };
    let get = |name: &str| {
        scenario_files
            .iter()
            .chain(opensre)
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.as_str())
    };
    let yaml = |name: &str| -> Result<serde_json::Value, GenError> {
        let text = get(name).ok_or_else(|| bad(name, "not rendered".into()))?;
        serde_saphyr::from_str::<serde_json::Value>(text)
            .map_err(|e| bad(name, format!("malformed YAML: {e}")))
    };
    fn typed<T: serde::de::DeserializeOwned>(
        name: &str,
        v: serde_json::Value,
        bad: &dyn Fn(&str, String) -> GenError,
    ) -> Result<T, GenError> {
        serde_path_to_error::deserialize(v)
            .map_err(|e| bad(name, format!("{}: {}", e.path(), e.inner())))
    }
    let file: ScenarioFile = typed("scenario.yml", yaml("scenario.yml")?, &bad)?;
    let answer: AnswerFile = typed("answer.yml", yaml("answer.yml")?, &bad)?;
    let json = |name: &str| -> Result<Option<serde_json::Value>, GenError> {
        match get(name) {
            None => Ok(None),
            Some(text) => serde_json::from_str(text)
                .map(Some)
                .map_err(|e| bad(name, format!("malformed JSON: {e}"))),
        }
    };
    /// An evidence file, when rendered, parsed as its tool's answer.
    fn src<T: serde::de::DeserializeOwned>(
        name: &str,
        json: &dyn Fn(&str) -> Result<Option<serde_json::Value>, GenError>,
        bad: &dyn Fn(&str, String) -> GenError,
    ) -> Result<Option<Source<T>>, GenError> {
        json(name)?
            .map(|v| serde_json::from_value::<Source<T>>(v).map_err(|e| bad(name, e.to_string())))
            .transpose()
    }
    let alert: Alert = typed(
        "alert.json",
        json("alert.json")?.ok_or_else(|| bad("alert.json", "not rendered".into()))?,
        &bad,
    )?;
    let evidence = Evidence {
        eks_pods: src::<PodsFile>("eks_pods.json", &json, &bad)?,
        eks_events: src::<EventsFile>("eks_events.json", &json, &bad)?,
        eks_deployments: src::<DeploymentsFile>("eks_deployments.json", &json, &bad)?,
        eks_node_health: src::<NodesFile>("eks_node_health.json", &json, &bad)?,
        eks_pod_logs: src::<PodLogsFile>("eks_pod_logs.json", &json, &bad)?,
        datadog_logs: src::<DatadogLogsFile>("datadog_logs.json", &json, &bad)?,
        datadog_monitors: src::<DatadogMonitorsFile>("datadog_monitors.json", &json, &bad)?,
    };
    // The labels written must be the world's labels.
    if file.failure_mode != world.labels.mode || answer.root_cause != Some(world.labels.cause) {
        return Err(bad(
            "answer.yml",
            "rendered labels disagree with the world".into(),
        ));
    }
    Scenario::from_parts(&world.id, file, answer, alert, evidence)
        .map(|_| ())
        .map_err(|p| bad("scenario", p.to_string()))
}

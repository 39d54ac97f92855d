//! Serde types of every file of a scenario directory (`docs/CONTRACT.md` sections 2 and 3, profile `opensre`).
//!
//! These are the serialized boundary of the project: the generator writes them, the loader reads
//! them, classifiers receive them. Unknown keys are ignored (OpenSRE adds keys we do not know);
//! wrong types are errors. No `flatten`/`untagged`: every shape is explicit.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::taxonomy::{Category, FailureMode, RootCause};

/// The schema version this crate reads and writes.
pub const SCHEMA_VERSION: &str = "1.0";

/// The Kubernetes flavour a scenario is set in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Amazon EKS.
    Eks,
    /// Google GKE.
    Gke,
    /// Azure AKS.
    Aks,
    /// Any other Kubernetes.
    Kubernetes,
}

/// The kind of workload the alert is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkloadType {
    /// apps/v1 Deployment.
    Deployment,
    /// apps/v1 StatefulSet.
    Statefulset,
    /// apps/v1 DaemonSet.
    Daemonset,
    /// batch/v1 Job.
    Job,
    /// batch/v1 CronJob.
    Cronjob,
    /// apps/v1 ReplicaSet.
    Replicaset,
}

/// Which profile a scenario's evidence is read in.
///
/// `opensre` (the default) is what OpenSRE's harness reads and every classifier speaks: the
/// tools' answers, one `<source>.json` per listed source. `k8s-api` is the raw Kubernetes and
/// Datadog objects under `k8s-api/` (see [`crate::k8s_api`]); the `opensre` files are their
/// projection ([`crate::projection`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Profile {
    /// `opensre`
    #[default]
    #[serde(rename = "opensre")]
    Opensre,
    /// `k8s-api`
    #[serde(rename = "k8s-api")]
    K8sApi,
}

impl Profile {
    /// Every profile.
    pub const ALL: &'static [Profile] = &[Profile::Opensre, Profile::K8sApi];

    /// The wire and command-line name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Profile::Opensre => "opensre",
            Profile::K8sApi => "k8s-api",
        }
    }

    /// Parses a wire name; an unknown one is an error listing the valid ones.
    pub fn parse(s: &str) -> Result<Profile, String> {
        Profile::ALL
            .iter()
            .copied()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| format!("unknown profile \"{s}\" (expected opensre or k8s-api)"))
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One evidence file kind, named as in `available_evidence`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// `eks_pods.json`
    EksPods,
    /// `eks_events.json`
    EksEvents,
    /// `eks_deployments.json`
    EksDeployments,
    /// `eks_node_health.json`
    EksNodeHealth,
    /// `eks_pod_logs.json`
    EksPodLogs,
    /// `datadog_logs.json`
    DatadogLogs,
    /// `datadog_monitors.json`
    DatadogMonitors,
}

impl EvidenceKind {
    /// Every kind, in file order.
    pub const ALL: &'static [EvidenceKind] = &[
        EvidenceKind::EksPods,
        EvidenceKind::EksEvents,
        EvidenceKind::EksDeployments,
        EvidenceKind::EksNodeHealth,
        EvidenceKind::EksPodLogs,
        EvidenceKind::DatadogLogs,
        EvidenceKind::DatadogMonitors,
    ];

    /// The name used in `available_evidence`.
    pub const fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::EksPods => "eks_pods",
            EvidenceKind::EksEvents => "eks_events",
            EvidenceKind::EksDeployments => "eks_deployments",
            EvidenceKind::EksNodeHealth => "eks_node_health",
            EvidenceKind::EksPodLogs => "eks_pod_logs",
            EvidenceKind::DatadogLogs => "datadog_logs",
            EvidenceKind::DatadogMonitors => "datadog_monitors",
        }
    }

    /// The file name in a scenario directory.
    pub fn file_name(self) -> String {
        format!("{}.json", self.as_str())
    }
}

/// `scenario.yml`, after the shallow merge with its base.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioFile {
    /// Always `"1.0"` for now.
    pub schema_version: String,
    /// The scenario id (OpenSRE uses the directory name).
    pub scenario_id: String,
    /// eks | gke | aks | kubernetes.
    pub engine: Engine,
    /// Cluster name.
    pub cluster_name: String,
    /// Namespace of the alerted workload.
    pub namespace: String,
    /// Kind of the alerted workload.
    pub workload_type: WorkloadType,
    /// Name of the alerted workload.
    pub workload_name: String,
    /// Cloud region.
    pub region: String,
    /// Ground truth failure mode (a label).
    pub failure_mode: FailureMode,
    /// Alert severity (free text: critical, warning, ...).
    pub severity: String,
    /// 0 (obvious) to 3 (adversarial).
    #[serde(default = "default_difficulty")]
    pub scenario_difficulty: u8,
    /// Evidence files that exist for this scenario.
    pub available_evidence: Vec<EvidenceKind>,
    /// Sibling scenario this one inherits from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// Confounders deliberately present in the evidence (a label).
    #[serde(default)]
    pub adversarial_signals: Vec<String>,
    /// OpenSRE's CI skip flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<String>,
    /// The counterfactual pair this scenario belongs to (a label: `generate --twins`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub twin: Option<TwinRef>,
}

/// A counterfactual twin: the scenario that differs from this one in one decisive fact and
/// has a different answer, and the kind of that fact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwinRef {
    /// The other scenario's id.
    pub of: String,
    /// The kind of pair (`pull_error`, `oom_scope`, ...).
    pub kind: String,
}

/// OpenSRE's loader defaults a missing `scenario_difficulty` to 1.
fn default_difficulty() -> u8 {
    1
}

/// `answer.yml`: the reference answer (labels only; a classifier never sees it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnswerFile {
    /// Ground truth category.
    pub root_cause_category: Category,
    /// Keywords a good answer must contain (non-empty).
    pub required_keywords: Vec<String>,
    /// Reference answer in OpenSRE's sectioned format.
    pub model_response: String,
    /// Categories that must not be answered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forbidden_categories: Vec<Category>,
    /// Keywords that must not appear.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forbidden_keywords: Vec<String>,
    /// Tool calls of an ideal investigation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub optimal_trajectory: Vec<String>,
    /// Acceptable investigation loops.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_investigation_loops: Option<u32>,
    /// Tokens proving alternatives were ruled out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ruling_out_keywords: Vec<String>,
    /// Queries the agent must make.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_queries: Vec<String>,
    /// Evidence sources the agent must use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_evidence_sources: Vec<String>,
    /// triagebench: the fine root cause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<RootCause>,
    /// triagebench: the exit code, where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// triagebench: `namespace/pod` of the affected pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_pod: Option<String>,
    /// triagebench: the affected container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_container: Option<String>,
    /// triagebench: other root causes the evidence cannot tell from `root_cause` (the same
    /// registry text for a missing repository and missing credentials, ...). A prediction of
    /// one of them is right at the cause level, and at the mode and category of that cause.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acceptable_root_causes: Vec<RootCause>,
    /// Other categories a right answer may give (OpenSRE's name for it; its DNS scenarios
    /// also accept `dependency_failure`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equivalent_root_cause_categories: Vec<Category>,
}

/// `alert.json`: what fired. It may be vague or misleading; it is not the truth.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Alert title.
    pub title: String,
    /// `alerting`, `firing`, ...
    pub state: String,
    /// Where it came from (`datadog`, `alertmanager`, ...).
    pub alert_source: String,
    /// Labels common to the alert group.
    #[serde(rename = "commonLabels")]
    pub common_labels: AlertLabels,
    /// Annotations common to the alert group.
    #[serde(rename = "commonAnnotations")]
    pub common_annotations: AlertAnnotations,
}

/// `alert.json` `commonLabels`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[expect(missing_docs, reason = "field names are the documented wire names")]
pub struct AlertLabels {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alertname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_name: Option<String>,
}

/// `alert.json` `commonAnnotations`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[expect(missing_docs, reason = "field names are the documented wire names")]
pub struct AlertAnnotations {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspected_symptom: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_deployment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_pod: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_node: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k8s_failure_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_sources: Option<String>,
}

/// `eks_pods.json`
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PodsFile {
    /// Pods of the namespace, as the pod tool lists them.
    pub pods: Vec<Pod>,
}

/// One pod, as the EKS pod tool summarizes it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[expect(missing_docs, reason = "field names are the documented wire names")]
pub struct Pod {
    pub name: String,
    pub namespace: String,
    pub phase: String,
    #[serde(default)]
    pub node_name: Option<String>,
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub containers: Vec<ContainerStatus>,
    #[serde(default)]
    pub conditions: Vec<PodCondition>,
}

/// A container status, `lastState` dropped as the real tool drops it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[expect(missing_docs, reason = "field names are the documented wire names")]
pub struct ContainerStatus {
    pub name: String,
    pub ready: bool,
    pub restart_count: u32,
    pub state: ContainerState,
}

/// The tool's flattened container state: one of `running`, `waiting`, `terminated` is `true`.
/// Hand-written OpenSRE fixtures also put `exit_code` inside a waiting state; that is accepted.
///
/// OpenSRE's loader accepts any object as a state; hand-written fixtures also spell a flag
/// as the Kubernetes object (`"terminated": {"reason": "Evicted", ...}`): such a flag reads
/// as `true`, and its `reason`, `message`, `exit_code`/`exitCode` and
/// `started_at`/`startedAt` fill the fields this object does not set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawContainerState")]
#[expect(missing_docs, reason = "field names are the documented wire names")]
pub struct ContainerState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminated: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
}

/// The wire form of a [`ContainerState`]: each flag a boolean or an object.
#[derive(Deserialize)]
struct RawContainerState {
    #[serde(default)]
    running: Option<Flag>,
    #[serde(default)]
    waiting: Option<Flag>,
    #[serde(default)]
    terminated: Option<Flag>,
    #[serde(default)]
    started_at: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    exit_code: Option<i32>,
}

/// A state flag: `true`/`false`, or the Kubernetes state object it stands for.
struct Flag {
    set: bool,
    detail: Option<serde_json::Map<String, serde_json::Value>>,
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Bool(set) => Ok(Flag { set, detail: None }),
            serde_json::Value::Object(m) => Ok(Flag {
                set: true,
                detail: Some(m),
            }),
            other => Err(serde::de::Error::custom(format!(
                "invalid type: {other}, expected a boolean or an object"
            ))),
        }
    }
}

impl From<RawContainerState> for ContainerState {
    fn from(raw: RawContainerState) -> Self {
        let mut state = ContainerState {
            running: raw.running.as_ref().map(|f| f.set),
            waiting: raw.waiting.as_ref().map(|f| f.set),
            terminated: raw.terminated.as_ref().map(|f| f.set),
            started_at: raw.started_at,
            reason: raw.reason,
            message: raw.message,
            exit_code: raw.exit_code,
        };
        let details = [raw.running, raw.waiting, raw.terminated]
            .into_iter()
            .flatten()
            .filter(|f| f.set)
            .filter_map(|f| f.detail);
        for d in details {
            let text = |keys: &[&str]| {
                keys.iter()
                    .find_map(|k| d.get(*k).and_then(serde_json::Value::as_str))
                    .map(str::to_owned)
            };
            state.reason = state.reason.take().or_else(|| text(&["reason"]));
            state.message = state.message.take().or_else(|| text(&["message"]));
            state.started_at = state
                .started_at
                .take()
                .or_else(|| text(&["started_at", "startedAt"]));
            state.exit_code = state.exit_code.or_else(|| {
                ["exit_code", "exitCode"]
                    .iter()
                    .find_map(|k| d.get(*k).and_then(serde_json::Value::as_i64))
                    .and_then(|c| i32::try_from(c).ok())
            });
        }
        state
    }
}

/// Which of the three states a [`ContainerState`] is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateKind {
    /// `running: true`
    Running,
    /// `waiting: true`
    Waiting,
    /// `terminated: true`
    Terminated,
    /// None of the flags set (an empty state object).
    Unknown,
}

impl ContainerState {
    /// The state this object describes.
    pub fn kind(&self) -> StateKind {
        if self.terminated == Some(true) {
            StateKind::Terminated
        } else if self.waiting == Some(true) {
            StateKind::Waiting
        } else if self.running == Some(true) {
            StateKind::Running
        } else {
            StateKind::Unknown
        }
    }

    /// How many of the three flags are `true` (a valid state has exactly one).
    pub fn flags_set(&self) -> usize {
        [self.running, self.waiting, self.terminated]
            .iter()
            .filter(|f| **f == Some(true))
            .count()
    }
}

/// A pod condition.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[expect(missing_docs, reason = "field names are the documented wire names")]
pub struct PodCondition {
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// `eks_events.json`: the events tool keeps Warning events only.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EventsFile {
    /// Warning events of the namespace.
    pub warning_events: Vec<Event>,
}

/// One event as the events tool returns it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[expect(missing_docs, reason = "field names are the documented wire names")]
pub struct Event {
    pub namespace: String,
    pub reason: String,
    pub message: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub count: Option<u32>,
    /// `Pod/<name>` or `Node/<name>`.
    pub involved_object: String,
    #[serde(default)]
    pub first_time: Option<String>,
    #[serde(default)]
    pub last_time: Option<String>,
}

/// `eks_deployments.json`
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeploymentsFile {
    /// Deployments of the namespace.
    pub deployments: Vec<Deployment>,
}

/// Replica counts of one deployment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[expect(missing_docs, reason = "field names are the documented wire names")]
pub struct Deployment {
    pub name: String,
    pub namespace: String,
    pub desired: u32,
    #[serde(default)]
    pub ready: Option<u32>,
    #[serde(default)]
    pub available: Option<u32>,
    #[serde(default)]
    pub unavailable: Option<u32>,
}

/// `eks_node_health.json`
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodesFile {
    /// Nodes of the cluster.
    pub nodes: Vec<Node>,
}

/// A Kubernetes condition status string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConditionStatus {
    /// `"True"`
    True,
    /// `"False"`
    False,
    /// `"Unknown"`
    #[default]
    Unknown,
}

/// One node's health summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[expect(missing_docs, reason = "field names are the documented wire names")]
pub struct Node {
    pub name: String,
    #[serde(default)]
    pub internal_ip: Option<String>,
    pub ready: ConditionStatus,
    /// Optional for OpenSRE's loader; `Unknown` when absent.
    #[serde(default)]
    pub memory_pressure: ConditionStatus,
    /// Optional for OpenSRE's loader; `Unknown` when absent.
    #[serde(default)]
    pub disk_pressure: ConditionStatus,
    /// Optional for OpenSRE's loader; `Unknown` when absent.
    #[serde(default)]
    pub pid_pressure: ConditionStatus,
    #[serde(default)]
    pub capacity_cpu: Option<String>,
    #[serde(default)]
    pub capacity_memory: Option<String>,
    #[serde(default)]
    pub allocatable_cpu: Option<String>,
    #[serde(default)]
    pub allocatable_memory: Option<String>,
    #[serde(default)]
    pub instance_type: Option<String>,
}

/// `eks_pod_logs.json`
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[expect(missing_docs, reason = "field names are the documented wire names")]
pub struct PodLogsFile {
    pub pod_name: String,
    pub namespace: String,
    pub logs: String,
}

/// `datadog_logs.json`
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DatadogLogsFile {
    /// Log records, newest last.
    pub logs: Vec<DatadogLog>,
}

/// One Datadog log record.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[expect(missing_docs, reason = "field names are the documented wire names")]
pub struct DatadogLog {
    pub timestamp: String,
    pub message: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Every other key of the entry, verbatim: OpenSRE's Datadog client merges each event's
    /// custom attributes (`http`, `network`, `duration`, ...) into the entry's top level. An
    /// open set of keys has no explicit shape, hence `flatten` here.
    #[serde(flatten, default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, serde_json::Value>,
}

/// `datadog_monitors.json`
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DatadogMonitorsFile {
    /// Monitors matching the query.
    pub monitors: Vec<DatadogMonitor>,
}

/// One Datadog monitor.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[expect(missing_docs, reason = "field names are the documented wire names")]
pub struct DatadogMonitor {
    /// Optional: OpenSRE's loader does not require it (its own `000-healthy` has monitors
    /// without one); every monitor the Datadog API returns has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    /// `OK`, `Alert`, `Warn`, `No Data`, ...
    pub overall_state: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

impl DatadogMonitor {
    /// The id for citations: the number, or `-` for a hand-written monitor without one.
    pub fn id_label(&self) -> String {
        self.id.map_or_else(|| "-".to_owned(), |id| id.to_string())
    }
}

/// An evidence source: its content, or the tool's report that it was unavailable.
///
/// On disk and on the wire it has the file's own shape: the tool's JSON, or
/// `{"available": false, "error": "..."}`.
#[derive(Clone, Debug, PartialEq)]
pub enum Source<T> {
    /// The tool answered.
    Available(T),
    /// The tool failed; the error text is what it reported.
    Unavailable {
        /// The tool's error.
        error: String,
    },
}

impl<T> Source<T> {
    /// The content if the tool answered.
    pub fn get(&self) -> Option<&T> {
        match self {
            Source::Available(t) => Some(t),
            Source::Unavailable { .. } => None,
        }
    }
}

/// The on-disk form of an unavailable source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnavailableFile {
    /// Always `false`.
    pub available: bool,
    /// The tool's error.
    pub error: String,
}

/// Whether a parsed JSON document is the tool's "unavailable" report.
pub fn is_unavailable(value: &serde_json::Value) -> bool {
    value.get("available") == Some(&serde_json::Value::Bool(false))
}

impl<T: Serialize> Serialize for Source<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Source::Available(t) => t.serialize(s),
            Source::Unavailable { error } => UnavailableFile {
                available: false,
                error: error.clone(),
            }
            .serialize(s),
        }
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Source<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        if is_unavailable(&value) {
            let u: UnavailableFile =
                serde_json::from_value(value).map_err(serde::de::Error::custom)?;
            Ok(Source::Unavailable { error: u.error })
        } else {
            serde_json::from_value(value)
                .map(Source::Available)
                .map_err(serde::de::Error::custom)
        }
    }
}

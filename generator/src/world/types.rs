//! The objects of a sampled world: what a small EKS cluster, its kubelets and its Datadog
//! account hold at the snapshot instant, complete (container `lastState`, both event forms,
//! every container log line), so each evidence profile is a view of the same facts.

use serde::Serialize;

use scenario::{Category, FailureMode, RootCause, Signal};

use crate::spec::Pattern;
use crate::time::{Ts, TsMicros, TsMillis};

/// The sampled world of one scenario.
#[derive(Clone, Debug, Serialize)]
#[expect(
    missing_docs,
    reason = "fields are named after the Kubernetes/Datadog objects they model"
)]
pub struct World {
    pub id: String,
    pub labels: Labels,
    pub engine: String,
    pub cluster: String,
    pub region: String,
    pub account: String,
    pub namespace: String,
    pub workload: Workload,
    pub severity: String,
    pub runtime: String,
    pub pattern: Pattern,
    pub snapshot: Ts,
    pub nodes: Vec<Node>,
    pub deployments: Vec<Deployment>,
    /// The alerted workload when it is a StatefulSet (the deployments tool does not list it).
    pub statefulsets: Vec<Deployment>,
    pub replicasets: Vec<ReplicaSet>,
    pub pods: Vec<Pod>,
    pub events: Vec<Event>,
    pub pod_logs: PodLogs,
    /// Every container log request of the capture (`kubectl logs [--previous]`).
    pub log_requests: Vec<LogRequest>,
    pub datadog_logs: Vec<DatadogLog>,
    pub monitors: Vec<Monitor>,
    pub alert: Alert,
    pub sources: Sources,
    pub answer: AnswerText,
}

/// The ground truth.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "the answer.yml / scenario.yml label fields")]
pub struct Labels {
    pub mode: FailureMode,
    pub cause: RootCause,
    pub category: Category,
    pub difficulty: u8,
    pub signals: Vec<Signal>,
    pub exit_code: Option<i32>,
    pub affected_pod: Option<String>,
    pub affected_container: Option<String>,
    /// The counterfactual pair this scenario belongs to, if any.
    pub twin: Option<TwinLabel>,
}

/// A scenario's counterfactual twin: the other scenario of the pair and the pair's kind.
#[derive(Clone, Debug, Serialize)]
pub struct TwinLabel {
    /// The other scenario's id.
    pub of: String,
    /// The kind (a key of families.yml's `twins`).
    pub kind: String,
}

/// The alerted workload.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "self-explanatory")]
pub struct Workload {
    pub kind: String,
    pub name: String,
    pub service: String,
    pub container: String,
    pub replicas: u32,
    pub language: String,
    pub image: String,
    pub tag: String,
}

/// A node with its conditions and capacity.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "Node fields")]
pub struct Node {
    pub name: String,
    pub internal_ip: String,
    pub instance_type: String,
    pub arch: String,
    pub zone: String,
    pub nodegroup: String,
    pub kubelet_version: String,
    pub provider_id: String,
    pub ready: String,
    pub memory_pressure: String,
    pub disk_pressure: String,
    pub pid_pressure: String,
    pub memory_reason: String,
    pub capacity_cpu: String,
    pub capacity_memory: String,
    pub allocatable_cpu: String,
    pub allocatable_memory: String,
    /// When the node joined the cluster.
    pub created: Ts,
    /// Whether the node carries the `node.kubernetes.io/instance-type` label (self-managed
    /// nodes of older AMIs only have the beta label).
    pub instance_type_label: bool,
    pub os_image: String,
    pub kernel_version: String,
    pub runtime_version: String,
}

/// Replica counts of a deployment.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "DeploymentStatus fields")]
pub struct Deployment {
    /// `Deployment` or `StatefulSet`.
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub desired: u32,
    pub ready: u32,
    pub available: u32,
    pub unavailable: u32,
    pub updated: u32,
    /// The pod template's container and image (the current revision's).
    pub container: String,
    pub image: String,
    pub memory_limit: Option<String>,
    /// Hash of the current ReplicaSet (Deployments) or controller revision (StatefulSets).
    pub hash: String,
    /// `deployment.kubernetes.io/revision`.
    pub revision: u32,
    pub created: Ts,
}

/// A ReplicaSet of a Deployment (one per revision that still has pods or history).
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "ReplicaSet fields")]
pub struct ReplicaSet {
    pub name: String,
    pub namespace: String,
    pub deployment: String,
    pub hash: String,
    pub revision: u32,
    pub replicas: u32,
    pub ready: u32,
    pub container: String,
    pub image: String,
    pub memory_limit: Option<String>,
    pub created: Ts,
}

/// A pod.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "Pod fields")]
pub struct Pod {
    pub name: String,
    pub namespace: String,
    pub uid: String,
    pub workload: String,
    pub phase: String,
    pub node: String,
    pub ip: String,
    pub start_time: Ts,
    pub containers: Vec<Container>,
    pub conditions: Vec<Condition>,
    /// The controller: `ReplicaSet`, `StatefulSet` or `Job` (set by the details stage).
    pub owner_kind: String,
    pub owner_name: String,
    /// `pod-template-hash` / `controller-revision-hash`.
    pub hash: String,
    /// `Always` for services, `Never` or `OnFailure` for jobs.
    pub restart_policy: String,
    /// `imagePullSecrets[0].name`, where the pod has one.
    pub pull_secret: Option<String>,
    /// The ConfigMap and Secret the app container's environment references.
    pub config_refs: Option<ConfigRefs>,
}

/// What an application container's environment references (`envFrom` a ConfigMap, one key of
/// a Secret).
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "reference names")]
pub struct ConfigRefs {
    pub config_map: String,
    pub secret: String,
    pub secret_key: String,
}

/// A container status, complete (with `lastState`).
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "ContainerStatus fields")]
pub struct Container {
    pub name: String,
    pub image: String,
    pub image_id: String,
    pub container_id: String,
    pub ready: bool,
    pub started: bool,
    pub restart_count: u32,
    pub state: State,
    pub last_state: Option<Termination>,
    pub memory_limit: Option<String>,
    /// What `kubectl logs` returns (the current or, between restarts, the last run).
    pub log: Vec<LogLine>,
    /// What `kubectl logs --previous` returns, where `lastState` names a container.
    pub previous_log: Vec<LogLine>,
    /// The kubelet's 400 answer to a log request for this container (set by the details
    /// stage), instead of `log`.
    pub log_error: Option<String>,
    /// Likewise for `--previous`.
    pub previous_error: Option<String>,
}

/// Which of the three container states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StateKind {
    /// `state.running`
    Running,
    /// `state.waiting`
    Waiting,
    /// `state.terminated`
    Terminated,
}

/// The current state of a container.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "ContainerState fields")]
pub struct State {
    pub kind: StateKind,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub exit_code: Option<i32>,
    pub started_at: Option<Ts>,
    pub finished_at: Option<Ts>,
}

/// A terminated run (the current state or `lastState`).
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "ContainerStateTerminated fields")]
pub struct Termination {
    pub exit_code: i32,
    pub reason: String,
    pub message: Option<String>,
    pub started_at: Ts,
    pub finished_at: Ts,
}

impl State {
    /// Waiting with this reason (and message).
    pub fn waiting(reason: &str, message: Option<String>) -> Self {
        State {
            kind: StateKind::Waiting,
            reason: Some(reason.into()),
            message,
            exit_code: None,
            started_at: None,
            finished_at: None,
        }
    }

    /// Running since `started_at`.
    pub fn running(started_at: i64) -> Self {
        State {
            kind: StateKind::Running,
            reason: None,
            message: None,
            exit_code: None,
            started_at: Some(Ts(started_at)),
            finished_at: None,
        }
    }

    /// Terminated as `term` says.
    pub fn terminated(term: &Termination) -> Self {
        State {
            kind: StateKind::Terminated,
            reason: Some(term.reason.clone()),
            message: term.message.clone(),
            exit_code: Some(term.exit_code),
            started_at: Some(term.started_at),
            finished_at: Some(term.finished_at),
        }
    }
}

impl Termination {
    /// A run that ended with this exit code and reason, without a message.
    pub fn exited(exit_code: i32, reason: &str, started_at: i64, finished_at: i64) -> Self {
        Termination {
            exit_code,
            reason: reason.into(),
            message: None,
            started_at: Ts(started_at),
            finished_at: Ts(finished_at),
        }
    }
}

impl Container {
    /// A container that was never created: no image or container id, not ready, no restarts.
    pub fn not_started(
        name: &str,
        image: &str,
        state: State,
        memory_limit: Option<String>,
    ) -> Self {
        Container {
            name: name.into(),
            image: image.into(),
            image_id: String::new(),
            container_id: String::new(),
            ready: false,
            started: false,
            restart_count: 0,
            state,
            last_state: None,
            memory_limit,
            log: Vec::new(),
            previous_log: Vec::new(),
            log_error: None,
            previous_error: None,
        }
    }
}

/// A pod condition.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "PodCondition fields")]
pub struct Condition {
    pub kind: String,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub last_transition: Ts,
}

/// An event, in kubelet (core/v1) or events.k8s.io/v1 form.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "Event fields")]
pub struct Event {
    pub namespace: String,
    pub object_kind: String,
    pub object_name: String,
    pub reason: String,
    pub message: String,
    pub kind: String,
    pub count: Option<u32>,
    pub first: Option<Ts>,
    pub last: Option<Ts>,
    pub event_time: Option<TsMicros>,
    pub series_count: Option<u32>,
    pub source_component: String,
    pub source_host: String,
    pub reporting_component: String,
    pub action: String,
    /// The involved object's uid (set by the details stage).
    pub object_uid: String,
    /// `involvedObject.fieldPath` of container events (set by the details stage).
    pub field_path: Option<String>,
}

impl Event {
    /// When the event was last observed (series or `lastTimestamp`, else `eventTime`), seconds.
    pub fn last_seen(&self) -> i64 {
        self.last
            .or(self.first)
            .map(|t| t.0)
            .or(self.event_time.map(|t| t.0.div_euclid(1_000_000)))
            .unwrap_or(0)
    }
}

/// One container log request of the capture and what the API answered.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "PodLogEntry fields")]
pub struct LogRequest {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub previous: bool,
    /// The logger format of the lines (the alerted workload's language, `plain` otherwise).
    pub language: String,
    /// The workload, for logger formats that print it.
    pub workload: String,
    pub lines: Vec<LogLine>,
    /// The error `Status` instead of a log: HTTP code, reason, message.
    pub status: Option<(u16, String, String)>,
}

/// Logs of the alerted pod's container.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "self-explanatory")]
pub struct PodLogs {
    pub pod: String,
    pub container: String,
    pub language: String,
    pub lines: Vec<LogLine>,
}

/// One container log line.
#[derive(Clone, Debug, Serialize)]
#[expect(
    missing_docs,
    reason = "the line in every time format a template may need"
)]
pub struct LogLine {
    pub ms: i64,
    pub iso: String,
    pub spaced: String,
    pub level: String,
    pub text: String,
    pub raw: bool,
}

/// A Datadog log record.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "Datadog log attributes")]
pub struct DatadogLog {
    pub ms: i64,
    pub timestamp: TsMillis,
    pub message: String,
    pub status: String,
    pub service: String,
    pub host: String,
    pub source: String,
    pub tags: Vec<String>,
    /// The pod the line came from (container logs).
    pub pod: Option<String>,
    /// Custom attributes Datadog's log pipeline parsed out of the message (set by the details
    /// stage): `http`, `duration`, the fields of a JSON log line, `key=value` pairs.
    pub attributes: Option<serde_json::Value>,
}

/// A Datadog monitor.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "Datadog monitor fields")]
pub struct Monitor {
    /// The world.yml rule it was rendered from.
    pub key: String,
    pub id: u64,
    pub name: String,
    pub kind: String,
    pub query: String,
    pub message: String,
    pub overall_state: String,
    pub tags: Vec<String>,
    /// When the monitor was created (`created`, ISO with microseconds).
    pub created: String,
    /// `created_at`, epoch milliseconds.
    pub created_ms: i64,
}

/// The alert that fired.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "alert.json fields")]
pub struct Alert {
    pub title: String,
    pub state: String,
    pub source: String,
    pub alertname: String,
    pub severity: String,
    pub service: String,
    pub summary: String,
    pub description: String,
    pub error: String,
    pub symptom: String,
    pub pod: String,
    pub node: String,
    pub context_sources: String,
}

/// Whether each evidence source is listed and, if so, whether its tool answered.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "one per evidence file")]
pub struct Sources {
    pub eks_pods: Source,
    pub eks_events: Source,
    pub eks_deployments: Source,
    pub eks_node_health: Source,
    pub eks_pod_logs: Source,
    pub datadog_logs: Source,
    pub datadog_monitors: Source,
}

impl Sources {
    /// Every source listed and answering.
    pub fn all_ok() -> Self {
        Sources {
            eks_pods: Source::ok(),
            eks_events: Source::ok(),
            eks_deployments: Source::ok(),
            eks_node_health: Source::ok(),
            eks_pod_logs: Source::ok(),
            datadog_logs: Source::ok(),
            datadog_monitors: Source::ok(),
        }
    }

    /// Names of listed sources, in file order.
    pub fn listed(&self) -> Vec<&'static str> {
        [
            ("eks_pods", &self.eks_pods),
            ("eks_events", &self.eks_events),
            ("eks_deployments", &self.eks_deployments),
            ("eks_node_health", &self.eks_node_health),
            ("eks_pod_logs", &self.eks_pod_logs),
            ("datadog_logs", &self.datadog_logs),
            ("datadog_monitors", &self.datadog_monitors),
        ]
        .into_iter()
        .filter(|(_, s)| s.listed)
        .map(|(n, _)| n)
        .collect()
    }
}

/// One source's availability.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Source {
    /// Listed in `available_evidence`.
    pub listed: bool,
    /// What the API answered instead of data, when the call failed.
    pub error: Option<Failure>,
}

/// A failed API call, as the API answered it.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "api", rename_all = "snake_case")]
pub enum Failure {
    /// A Kubernetes error `Status`.
    Kube {
        /// HTTP code (403, ...).
        code: u16,
        /// `Status.reason` (`Forbidden`, ...).
        reason: String,
        /// `Status.message`.
        message: String,
        /// `Status.details.kind` (the resource).
        resource: String,
    },
    /// A Datadog API error: an HTTP status with its error body, or a transport error.
    Datadog {
        /// HTTP status, when the API answered.
        http_status: Option<u16>,
        /// The body's `errors`.
        errors: Vec<String>,
        /// The client's exception text, when there was no answer.
        transport: Option<String>,
    },
}

impl Source {
    /// Listed and answering.
    pub fn ok() -> Self {
        Source {
            listed: true,
            error: None,
        }
    }
    /// Listed and answered.
    pub fn available(&self) -> bool {
        self.listed && self.error.is_none()
    }
}

/// The reference answer's text, rendered from the spec.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "model_response sections")]
pub struct AnswerText {
    pub root_cause: String,
    pub claims: Vec<String>,
    pub non_validated: Vec<String>,
    pub chain: Vec<String>,
    pub keywords: Vec<String>,
    /// Other root causes the evidence cannot be told from (`acceptable_root_causes`).
    pub acceptable_root_causes: Vec<String>,
    /// OpenSRE's `optimal_trajectory`: the SOP's tool calls for what the scenario shows.
    pub trajectory: Vec<String>,
    /// OpenSRE's `required_evidence_sources`: the trajectory's sources that answer.
    pub evidence_sources: Vec<String>,
    /// OpenSRE's `max_investigation_loops`.
    pub max_loops: u32,
}

/// The weights of root causes to draw from.
#[derive(Clone, Debug, PartialEq)]
pub struct Mix(pub Vec<(RootCause, u32)>);

//! The projection: the `opensre` profile computed from the raw `k8s-api` objects exactly as
//! OpenSRE's tools compute their answers (Tracer-Cloud/opensre `app/tools/EKS*/__init__.py`,
//! `app/tools/DataDog*/__init__.py`, `app/services/datadog/client.py`), so the two profiles
//! cannot disagree. The generator and `import` both write [`project`]'s text.
//!
//! What the tools do, and so what this does:
//!
//! * Each file is the tool's whole answer, the envelope included (`source`, `available`,
//!   `cluster_name`, `namespace`, the derived lists and counts, `error: null`), in the tool's
//!   key order, pretty-printed with two spaces and a final newline.
//! * Timestamps are Python's `str(datetime)` of what the Kubernetes client parsed:
//!   `2026-04-18 10:45:10+00:00` (`.123456` before the offset when there is a fraction); a
//!   missing one is the string `"None"` (`str(None)`).
//! * Pods: the namespaced pod list (`metadata.namespace` equal to the call's namespace, or
//!   every pod for `all`); a container's `state` only (`lastState` dropped); init containers
//!   are not listed (the tool reads `containerStatuses` only); `node_name` of an unscheduled
//!   pod is missing.
//! * Events: the namespaced event list, Warning events only; `involved_object` is
//!   `Kind/name`.
//! * Nodes: conditions by type, `internal_ip` from the `InternalIP` address, `instance_type`
//!   from the `node.kubernetes.io/instance-type` label (`null` where absent).
//! * Datadog logs: each event's custom `attributes.attributes` merged into the entry's top
//!   level, at most 50 entries (the tool asks for `page[limit]=50`).
//! * A failed call is the tool's unavailable envelope with the error text the tool reports:
//!   for Kubernetes the Python client's `ApiException` text, for Datadog the client's
//!   `HTTP <code>: <body>` or the exception text.
//!
//! Where the real answer and OpenSRE's own fixture loader (`tests/synthetic/k8s_schemas.py`)
//! disagree, the file is the smallest change of the real answer that the loader accepts; each
//! such deviation is marked `Loader deviation` next to the code that makes it.

use k8s_openapi::api::core::v1::{ContainerStatus, Event, Node, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Status, Time};
use k8s_openapi::jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::case::{Case, Evidence};
use crate::files::{EvidenceKind, Profile};
use crate::k8s_api::datadog::{DatadogAnswer, DatadogFailure, LogsSearchResponse, Monitor};
use crate::k8s_api::{ApiAnswer, EventList, NodeList, PodList, PodLogCapture, RawEvidence};

/// What the agent's tool calls name: the inputs of the projection besides the raw objects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolCalls {
    /// `cluster_name` of every EKS call.
    pub cluster_name: String,
    /// `namespace` of the pod, event and deployment calls (`all` for every namespace).
    pub namespace: String,
    /// The pod whose logs `get_eks_pod_logs` fetched, where the scenario has pod logs.
    pub pod_logs: Option<PodLogsCall>,
    /// `query` of `query_datadog_logs`.
    pub datadog_logs_query: String,
    /// `query` of `query_datadog_monitors` (`null` when the agent passes none).
    pub datadog_monitors_query: Option<String>,
}

/// The pod-log request a fixture shows: which entry of `pod_logs.json` the tool returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodLogsCall {
    /// Pod name (in [`ToolCalls::namespace`]).
    pub pod: String,
    /// Container; `None` asks for the pod's only container, as the tool does.
    pub container: Option<String>,
    /// The previous (terminated) instance of the container.
    pub previous: bool,
}

/// Why a projection could not be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProjectionError {
    /// The raw evidence has no log entry for the pod the call names.
    #[error(
        "pod_logs.json has no entry for {namespace}/{pod} container {container} (previous: {previous})"
    )]
    NoLogEntry {
        /// Namespace.
        namespace: String,
        /// Pod.
        pod: String,
        /// Container (`?` when the call names none).
        container: String,
        /// Previous instance.
        previous: bool,
    },
    /// Pod logs are listed but the call names no pod.
    #[error("the scenario has pod logs but the tool calls name no pod")]
    NoPodLogsCall,
    /// A projected file does not read back through the `opensre` model.
    #[error("the projected {kind} file does not read back: {message}")]
    Unreadable {
        /// The source.
        kind: &'static str,
        /// The parse error.
        message: String,
    },
}

impl ToolCalls {
    /// The calls an agent investigating `case` makes, as the loader assumes them for a
    /// `k8s-api` case: the case's cluster and namespace; the pod logs of the alerted pod
    /// (`kube_pod`, else the only pod the capture has), its previous instance where the
    /// capture has one (the crash logs), else the current one; Datadog logs of
    /// `service:<workload>`; monitors unfiltered.
    pub fn for_case(case: &Case) -> ToolCalls {
        let ns = case.context.namespace.clone();
        let pod_logs = case
            .k8s_api
            .as_ref()
            .and_then(|r| r.pod_logs.as_ref())
            .and_then(|c| {
                let in_ns: Vec<&crate::k8s_api::PodLogEntry> =
                    c.logs.iter().filter(|e| e.namespace == ns).collect();
                let alerted = case.alert.common_annotations.kube_pod.as_deref();
                let pod = match alerted {
                    Some(p) if in_ns.iter().any(|e| e.pod == p) => p.to_owned(),
                    _ => in_ns.first()?.pod.clone(),
                };
                let previous = in_ns.iter().any(|e| e.pod == pod && e.previous);
                Some(PodLogsCall {
                    pod,
                    container: None,
                    previous,
                })
            });
        ToolCalls {
            cluster_name: case.context.cluster_name.clone(),
            namespace: ns,
            pod_logs,
            datadog_logs_query: format!("service:{}", case.context.workload_name),
            datadog_monitors_query: None,
        }
    }
}

/// Turns a case of profile `k8s-api` into the `opensre` case the tools would have given the
/// agent: its raw objects projected with [`ToolCalls::for_case`] and read back through the
/// `opensre` model. A case of profile `opensre` comes back unchanged.
pub fn project_case(case: &Case) -> Result<Case, ProjectionError> {
    let Some(raw) = case
        .k8s_api
        .as_ref()
        .filter(|_| case.profile == Profile::K8sApi)
    else {
        return Ok(case.clone());
    };
    let files = project(raw, &ToolCalls::for_case(case))?;
    let mut evidence = Evidence::default();
    for (kind, text) in files {
        let bad = |e: serde_json::Error| ProjectionError::Unreadable {
            kind: kind.as_str(),
            message: e.to_string(),
        };
        match kind {
            EvidenceKind::EksPods => {
                evidence.eks_pods = Some(serde_json::from_str(&text).map_err(bad)?);
            }
            EvidenceKind::EksEvents => {
                evidence.eks_events = Some(serde_json::from_str(&text).map_err(bad)?);
            }
            EvidenceKind::EksDeployments => {
                evidence.eks_deployments = Some(serde_json::from_str(&text).map_err(bad)?);
            }
            EvidenceKind::EksNodeHealth => {
                evidence.eks_node_health = Some(serde_json::from_str(&text).map_err(bad)?);
            }
            EvidenceKind::EksPodLogs => {
                evidence.eks_pod_logs = Some(serde_json::from_str(&text).map_err(bad)?);
            }
            EvidenceKind::DatadogLogs => {
                evidence.datadog_logs = Some(serde_json::from_str(&text).map_err(bad)?);
            }
            EvidenceKind::DatadogMonitors => {
                evidence.datadog_monitors = Some(serde_json::from_str(&text).map_err(bad)?);
            }
        }
    }
    Ok(Case {
        evidence,
        profile: Profile::Opensre,
        k8s_api: None,
        ..case.clone()
    })
}

/// The init containers of one pod as the pods view would show them had it listed them: the
/// tool builds `containers` from `status.containerStatuses` alone, so an init container that
/// keeps a pod from starting (crash looping, failing to pull, missing its config) is seen only
/// in the raw objects. Same flattened state as [`project`] writes for a container.
#[derive(Clone, Debug, PartialEq)]
pub struct InitContainers {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod's name.
    pub pod: String,
    /// Its init container statuses, in the API's order, with whether each is a native sidecar
    /// (`restartPolicy: Always` in the pod spec: it keeps running beside the app containers).
    pub containers: Vec<(crate::files::ContainerStatus, bool)>,
}

/// The init containers of every pod of a `k8s-api` case (empty for an `opensre` case, an
/// unavailable pod list, or pods without init containers). A status whose state cannot be
/// read is skipped: this adds evidence, it never fails a case.
pub fn init_containers(case: &Case) -> Vec<InitContainers> {
    let Some(list) = case
        .k8s_api
        .as_ref()
        .filter(|_| case.profile == Profile::K8sApi)
        .and_then(|raw| raw.pods.as_ref())
        .and_then(ApiAnswer::ok)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for pod in &list.items {
        let statuses = pod
            .status
            .as_ref()
            .and_then(|s| s.init_container_statuses.as_deref())
            .unwrap_or_default();
        if statuses.is_empty() {
            continue;
        }
        let sidecar = |name: &str| {
            pod.spec.as_ref().is_some_and(|spec| {
                spec.init_containers
                    .iter()
                    .flatten()
                    .any(|c| c.name == name && c.restart_policy.as_deref() == Some("Always"))
            })
        };
        let containers = statuses
            .iter()
            .filter_map(|cs| {
                let state = state_of(cs).ok()?;
                let state = serde_json::to_value(&state).ok()?;
                let status = crate::files::ContainerStatus {
                    name: cs.name.clone(),
                    ready: cs.ready,
                    restart_count: u32::try_from(cs.restart_count).unwrap_or(0),
                    state: serde_json::from_value(state).ok()?,
                };
                Some((status, sidecar(&cs.name)))
            })
            .collect();
        out.push(InitContainers {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            pod: pod.metadata.name.clone().unwrap_or_default(),
            containers,
        });
    }
    out
}

/// Computes the text of every `opensre` evidence file the raw evidence holds, in
/// [`EvidenceKind::ALL`] order.
pub fn project(
    raw: &RawEvidence,
    calls: &ToolCalls,
) -> Result<Vec<(EvidenceKind, String)>, ProjectionError> {
    let mut out = Vec::new();
    if let Some(pods) = &raw.pods {
        out.push((EvidenceKind::EksPods, pods_answer(pods, calls)));
    }
    if let Some(events) = &raw.events {
        out.push((EvidenceKind::EksEvents, events_answer(events, calls)));
    }
    if let Some(deployments) = &raw.deployments {
        out.push((
            EvidenceKind::EksDeployments,
            deployments_answer(deployments, calls),
        ));
    }
    if let Some(nodes) = &raw.nodes {
        out.push((EvidenceKind::EksNodeHealth, nodes_answer(nodes, calls)));
    }
    if let Some(capture) = &raw.pod_logs {
        let call = calls
            .pod_logs
            .as_ref()
            .ok_or(ProjectionError::NoPodLogsCall)?;
        let pods = raw.pods.as_ref().and_then(ApiAnswer::ok);
        out.push((
            EvidenceKind::EksPodLogs,
            pod_logs_answer(capture, pods, calls, call)?,
        ));
    }
    if let Some(logs) = &raw.datadog_logs {
        out.push((
            EvidenceKind::DatadogLogs,
            datadog_logs_answer(logs, &calls.datadog_logs_query),
        ));
    }
    if let Some(monitors) = &raw.datadog_monitors {
        out.push((
            EvidenceKind::DatadogMonitors,
            datadog_monitors_answer(monitors, calls.datadog_monitors_query.as_deref()),
        ));
    }
    Ok(out)
}

/// Pretty JSON with a final newline: the one formatting of every projected file.
fn text<T: Serialize>(value: &T) -> String {
    let mut s =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// Python's `str(datetime)` of a parsed timestamp: `2026-04-18 10:45:10+00:00`, with
/// `.ffffff` when the instant has a fraction (Python keeps microseconds).
pub fn py_datetime(ts: Timestamp) -> String {
    let secs = k8s_openapi::jiff::fmt::strtime::format("%Y-%m-%d %H:%M:%S", ts)
        .unwrap_or_else(|_| ts.to_string());
    let micros = ts.subsec_microsecond();
    if micros == 0 {
        format!("{secs}+00:00")
    } else {
        format!("{secs}.{micros:06}+00:00")
    }
}

/// `str(x)` of an optional Kubernetes time: the datetime, or `"None"`.
fn py_time(t: Option<&Time>) -> String {
    t.map_or_else(|| "None".to_owned(), |t| py_datetime(t.0))
}

/// Loader deviation: OpenSRE's loader requires a non-empty string where the real tool can
/// write `null` or `""` (a pod's `name`/`namespace`/`phase`, an event's `reason`/`message`,
/// a monitor's `query`, ...). Such a value is written `"None"`, Python's `str(None)`, the
/// form the same tools already use for a missing time.
fn loader_str(s: Option<&str>) -> String {
    match s {
        Some(s) if !s.trim().is_empty() => s.to_owned(),
        _ => "None".to_owned(),
    }
}

/// The message of the `AttributeError` Python raises for `None.<attr>`: what a tool reports
/// when the API left out an object it reads without a check.
fn none_attr(attr: &str) -> String {
    format!("'NoneType' object has no attribute '{attr}'")
}

/// The HTTP reason phrase urllib3 reports for a status code.
fn reason_phrase(code: i32) -> &'static str {
    match code {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// The text of the Python client's `ApiException` for an error `Status`:
/// `(403)\nReason: Forbidden\nHTTP response body: {...}\n`, the body being the `Status` as
/// the API server encodes it (Go field order, compact). The real text also has an
/// `HTTP response headers: HTTPHeaderDict({...})` line; the capture has no headers, so that
/// line is left out.
pub fn api_exception_text(status: &Status) -> String {
    let code = status.code.unwrap_or(0);
    format!(
        "({code})\nReason: {}\nHTTP response body: {}\n",
        reason_phrase(code),
        go_status_json(status)
    )
}

/// A `Status` as the API server writes it: `kind`, `apiVersion`, `metadata`, `status`,
/// `message`, `reason`, `details`, `code`, empty fields left out.
fn go_status_json(s: &Status) -> String {
    let mut fields: Vec<String> = vec![
        "\"kind\":\"Status\"".into(),
        "\"apiVersion\":\"v1\"".into(),
        "\"metadata\":{}".into(),
    ];
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            fields.push(format!("\"{k}\":{v}"));
        }
    };
    let js = |v: &str| serde_json::to_string(v).unwrap_or_default();
    put("status", s.status.as_deref().map(js));
    put(
        "message",
        s.message.as_deref().filter(|m| !m.is_empty()).map(js),
    );
    put(
        "reason",
        s.reason.as_deref().filter(|m| !m.is_empty()).map(js),
    );
    put(
        "details",
        s.details.as_ref().map(|d| {
            let mut parts = Vec::new();
            for (k, v) in [
                ("name", &d.name),
                ("group", &d.group),
                ("kind", &d.kind),
                ("uid", &d.uid),
            ] {
                if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                    parts.push(format!("\"{k}\":{}", js(v)));
                }
            }
            if let Some(causes) = d.causes.as_ref().filter(|c| !c.is_empty()) {
                let list: Vec<String> = causes
                    .iter()
                    .map(|c| {
                        let mut f = Vec::new();
                        for (k, v) in [
                            ("reason", &c.reason),
                            ("message", &c.message),
                            ("field", &c.field),
                        ] {
                            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                                f.push(format!("\"{k}\":{}", js(v)));
                            }
                        }
                        format!("{{{}}}", f.join(","))
                    })
                    .collect();
                parts.push(format!("\"causes\":[{}]", list.join(",")));
            }
            if let Some(r) = d.retry_after_seconds {
                parts.push(format!("\"retryAfterSeconds\":{r}"));
            }
            format!("{{{}}}", parts.join(","))
        }),
    );
    put("code", s.code.map(|c| c.to_string()));
    format!("{{{}}}", fields.join(","))
}

/// The EKS tools' unavailable envelope: `{source, available: false, <key>: <value>, error}`.
#[derive(Serialize)]
struct EksUnavailable<'a, L: Serialize> {
    source: &'static str,
    available: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pod_name: Option<&'a str>,
    error: String,
    /// Loader deviation: the real envelope has no list; OpenSRE's loader requires the
    /// source's list (`pods`, `warning_events`, ...), so an empty one is added under its
    /// name.
    #[serde(flatten)]
    list: L,
}

#[derive(Serialize)]
struct Pods<T> {
    pods: Vec<T>,
}
#[derive(Serialize)]
struct WarningEvents<T> {
    warning_events: Vec<T>,
}
#[derive(Serialize)]
struct Deployments<T> {
    deployments: Vec<T>,
}
#[derive(Serialize)]
struct Nodes<T> {
    nodes: Vec<T>,
}
/// Loader deviation: the pod-log tool's unavailable envelope has `pod_name` and `error`
/// only; OpenSRE's loader requires `namespace` and a `logs` string, so `namespace` and
/// `logs: ""` are added.
#[derive(Serialize)]
struct LogsText<'a> {
    namespace: &'a str,
    logs: &'a str,
}

fn eks_unavailable<L: Serialize>(
    namespace: Option<&str>,
    cluster_name: Option<&str>,
    pod_name: Option<&str>,
    error: String,
    list: L,
) -> String {
    text(&EksUnavailable {
        source: "eks",
        available: false,
        namespace,
        cluster_name,
        pod_name,
        error,
        list,
    })
}

/// One pod as `list_eks_pods` summarizes it.
#[derive(Clone, Debug, Serialize)]
struct PodSummary {
    name: String,
    namespace: String,
    phase: String,
    /// Loader deviation: the tool writes `null` for an unscheduled pod; OpenSRE's loader
    /// requires a string, so it is written `"None"` (see [`loader_str`]).
    node_name: String,
    containers: Vec<ContainerSummary>,
    conditions: Vec<ConditionSummary>,
    start_time: String,
}

#[derive(Clone, Debug, Serialize)]
struct ContainerSummary {
    name: String,
    ready: bool,
    restart_count: i32,
    state: OrderedMap,
}

#[derive(Clone, Debug, Serialize)]
struct ConditionSummary {
    #[serde(rename = "type")]
    kind: String,
    status: String,
    reason: Option<String>,
    message: Option<String>,
}

#[derive(Serialize)]
struct PodsEnvelope<'a> {
    source: &'static str,
    available: bool,
    cluster_name: &'a str,
    namespace: &'a str,
    total_pods: usize,
    pods: Vec<PodSummary>,
    failing_pods: Vec<PodSummary>,
    high_restart_pods: Vec<PodSummary>,
    error: Option<String>,
}

fn in_namespace(ns: Option<&str>, call: &str) -> bool {
    call == "all" || ns == Some(call)
}

/// The state dict the pod tool builds: the first of running, waiting, terminated that is
/// set, keys in the tool's order.
fn state_of(cs: &ContainerStatus) -> Result<OrderedMap, String> {
    let state = cs.state.as_ref().ok_or_else(|| none_attr("running"))?;
    let opt = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
    let mut m = OrderedMap::default();
    if let Some(r) = &state.running {
        m.set("running", Value::Bool(true));
        m.set("started_at", Value::String(py_time(r.started_at.as_ref())));
    } else if let Some(w) = &state.waiting {
        m.set("waiting", Value::Bool(true));
        m.set("reason", opt(&w.reason));
        m.set("message", opt(&w.message));
    } else if let Some(t) = &state.terminated {
        m.set("terminated", Value::Bool(true));
        m.set("exit_code", Value::from(t.exit_code));
        m.set("reason", opt(&t.reason));
        m.set("message", opt(&t.message));
    }
    Ok(m)
}

fn pod_summary(pod: &Pod) -> Result<PodSummary, String> {
    let status = pod
        .status
        .as_ref()
        .ok_or_else(|| none_attr("container_statuses"))?;
    let mut containers = Vec::new();
    for cs in status.container_statuses.iter().flatten() {
        containers.push(ContainerSummary {
            name: cs.name.clone(),
            ready: cs.ready,
            restart_count: cs.restart_count,
            state: state_of(cs)?,
        });
    }
    let conditions = status
        .conditions
        .iter()
        .flatten()
        .map(|c| ConditionSummary {
            kind: c.type_.clone(),
            status: c.status.clone(),
            reason: c.reason.clone(),
            message: c.message.clone(),
        })
        .collect();
    let spec = pod.spec.as_ref().ok_or_else(|| none_attr("node_name"))?;
    Ok(PodSummary {
        name: loader_str(pod.metadata.name.as_deref()),
        namespace: loader_str(pod.metadata.namespace.as_deref()),
        phase: loader_str(status.phase.as_deref()),
        node_name: loader_str(spec.node_name.as_deref()),
        containers,
        conditions,
        start_time: py_time(status.start_time.as_ref()),
    })
}

fn pods_answer(answer: &ApiAnswer<PodList>, calls: &ToolCalls) -> String {
    let ns = calls.namespace.as_str();
    let list = match answer {
        ApiAnswer::Ok(list) => list,
        ApiAnswer::Failed(s) => {
            return eks_unavailable(
                Some(ns),
                None,
                None,
                api_exception_text(s),
                Pods::<()> { pods: vec![] },
            );
        }
    };
    let pods: Result<Vec<PodSummary>, String> = list
        .items
        .iter()
        .filter(|p| in_namespace(p.metadata.namespace.as_deref(), ns))
        .map(pod_summary)
        .collect();
    let pods = match pods {
        Ok(p) => p,
        Err(e) => return eks_unavailable(Some(ns), None, None, e, Pods::<()> { pods: vec![] }),
    };
    let failing = pods
        .iter()
        .filter(|p| p.phase != "Running" && p.phase != "Succeeded")
        .cloned()
        .collect();
    let crashing = pods
        .iter()
        .filter(|p| p.containers.iter().any(|c| c.restart_count > 3))
        .cloned()
        .collect();
    text(&PodsEnvelope {
        source: "eks",
        available: true,
        cluster_name: &calls.cluster_name,
        namespace: ns,
        total_pods: pods.len(),
        pods,
        failing_pods: failing,
        high_restart_pods: crashing,
        error: None,
    })
}

#[derive(Serialize)]
struct EventSummary {
    namespace: String,
    reason: String,
    message: String,
    #[serde(rename = "type")]
    kind: String,
    count: i32,
    involved_object: String,
    first_time: String,
    last_time: String,
}

#[derive(Serialize)]
struct EventsEnvelope<'a> {
    source: &'static str,
    available: bool,
    cluster_name: &'a str,
    namespace: &'a str,
    warning_events: Vec<EventSummary>,
    total_warning_count: usize,
    error: Option<String>,
}

fn event_summary(e: &Event) -> EventSummary {
    let o = &e.involved_object;
    EventSummary {
        namespace: loader_str(e.metadata.namespace.as_deref()),
        reason: loader_str(e.reason.as_deref()),
        message: loader_str(e.message.as_deref()),
        kind: loader_str(e.type_.as_deref()),
        // Loader deviation: events written through events.k8s.io have `count: null` (the
        // tool passes it on); OpenSRE's loader requires an integer, so the count of the
        // event's `series` is written, or 1 for a single occurrence.
        count: e
            .count
            .or_else(|| e.series.as_ref().and_then(|s| s.count))
            .unwrap_or(1),
        involved_object: format!(
            "{}/{}",
            o.kind.as_deref().unwrap_or("None"),
            o.name.as_deref().unwrap_or("None")
        ),
        first_time: py_time(e.first_timestamp.as_ref()),
        last_time: py_time(e.last_timestamp.as_ref()),
    }
}

fn events_answer(answer: &ApiAnswer<EventList>, calls: &ToolCalls) -> String {
    let ns = calls.namespace.as_str();
    let list = match answer {
        ApiAnswer::Ok(list) => list,
        ApiAnswer::Failed(s) => {
            return eks_unavailable(
                Some(ns),
                None,
                None,
                api_exception_text(s),
                WarningEvents::<()> {
                    warning_events: vec![],
                },
            );
        }
    };
    let warning_events: Vec<EventSummary> = list
        .items
        .iter()
        .filter(|e| in_namespace(e.metadata.namespace.as_deref(), ns))
        .filter(|e| e.type_.as_deref() == Some("Warning"))
        .map(event_summary)
        .collect();
    text(&EventsEnvelope {
        source: "eks",
        available: true,
        cluster_name: &calls.cluster_name,
        namespace: ns,
        total_warning_count: warning_events.len(),
        warning_events,
        error: None,
    })
}

#[derive(Clone, Serialize)]
struct DeploymentSummary {
    name: String,
    namespace: String,
    desired: i32,
    ready: i32,
    available: i32,
    unavailable: i32,
    degraded: bool,
}

#[derive(Serialize)]
struct DeploymentsEnvelope<'a> {
    source: &'static str,
    available: bool,
    cluster_name: &'a str,
    namespace: &'a str,
    total_deployments: usize,
    deployments: Vec<DeploymentSummary>,
    degraded_deployments: Vec<DeploymentSummary>,
    error: Option<String>,
}

fn deployments_answer(
    answer: &ApiAnswer<crate::k8s_api::DeploymentList>,
    calls: &ToolCalls,
) -> String {
    let ns = calls.namespace.as_str();
    let fail = |e: String| {
        eks_unavailable(
            Some(ns),
            None,
            None,
            e,
            Deployments::<()> {
                deployments: vec![],
            },
        )
    };
    let list = match answer {
        ApiAnswer::Ok(list) => list,
        ApiAnswer::Failed(s) => return fail(api_exception_text(s)),
    };
    let mut deployments = Vec::new();
    for d in list
        .items
        .iter()
        .filter(|d| in_namespace(d.metadata.namespace.as_deref(), ns))
    {
        let Some(status) = &d.status else {
            return fail(none_attr("ready_replicas"));
        };
        let Some(spec) = &d.spec else {
            return fail(none_attr("replicas"));
        };
        let desired = spec.replicas.unwrap_or(0);
        let ready = status.ready_replicas.unwrap_or(0);
        let unavailable = status.unavailable_replicas.unwrap_or(0);
        deployments.push(DeploymentSummary {
            name: loader_str(d.metadata.name.as_deref()),
            namespace: loader_str(d.metadata.namespace.as_deref()),
            desired,
            ready,
            available: status.available_replicas.unwrap_or(0),
            unavailable,
            degraded: unavailable > 0 || ready < desired,
        });
    }
    let degraded = deployments.iter().filter(|d| d.degraded).cloned().collect();
    text(&DeploymentsEnvelope {
        source: "eks",
        available: true,
        cluster_name: &calls.cluster_name,
        namespace: ns,
        total_deployments: deployments.len(),
        deployments,
        degraded_deployments: degraded,
        error: None,
    })
}

#[derive(Serialize)]
struct NodeSummary {
    name: String,
    internal_ip: Option<String>,
    /// Loader deviation: the tool writes `null` for a node without a `Ready` condition;
    /// OpenSRE's loader requires `True`, `False` or `Unknown`, so it is written `Unknown`
    /// (the Kubernetes meaning of a status nobody reported).
    ready: String,
    memory_pressure: Option<String>,
    disk_pressure: Option<String>,
    pid_pressure: Option<String>,
    capacity_cpu: Option<String>,
    capacity_memory: Option<String>,
    allocatable_cpu: Option<String>,
    allocatable_memory: Option<String>,
    instance_type: Option<String>,
}

#[derive(Serialize)]
struct NodesEnvelope<'a> {
    source: &'static str,
    available: bool,
    cluster_name: &'a str,
    nodes: Vec<NodeSummary>,
    total_nodes: usize,
    not_ready_count: usize,
    error: Option<String>,
}

fn node_summary(n: &Node) -> Result<NodeSummary, String> {
    let status = n.status.as_ref().ok_or_else(|| none_attr("conditions"))?;
    // `{c.type: c.status for c in conditions}`: a later duplicate wins.
    let cond = |t: &str| {
        status
            .conditions
            .iter()
            .flatten()
            .rev()
            .find(|c| c.type_ == t)
            .map(|c| c.status.clone())
    };
    let quantity = |m: Option<
        &std::collections::BTreeMap<
            String,
            k8s_openapi::apimachinery::pkg::api::resource::Quantity,
        >,
    >,
                    k: &str| { m.and_then(|m| m.get(k)).map(|q| q.0.clone()) };
    let ip = status
        .addresses
        .iter()
        .flatten()
        .rev()
        .find(|a| a.type_ == "InternalIP")
        .map(|a| a.address.clone());
    Ok(NodeSummary {
        name: loader_str(n.metadata.name.as_deref()),
        internal_ip: ip,
        ready: match cond("Ready").as_deref() {
            Some(s @ ("True" | "False" | "Unknown")) => s.to_owned(),
            _ => "Unknown".to_owned(),
        },
        memory_pressure: cond("MemoryPressure"),
        disk_pressure: cond("DiskPressure"),
        pid_pressure: cond("PIDPressure"),
        capacity_cpu: quantity(status.capacity.as_ref(), "cpu"),
        capacity_memory: quantity(status.capacity.as_ref(), "memory"),
        allocatable_cpu: quantity(status.allocatable.as_ref(), "cpu"),
        allocatable_memory: quantity(status.allocatable.as_ref(), "memory"),
        instance_type: n
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("node.kubernetes.io/instance-type"))
            .cloned(),
    })
}

fn nodes_answer(answer: &ApiAnswer<NodeList>, calls: &ToolCalls) -> String {
    let c = calls.cluster_name.as_str();
    let fail = |e: String| eks_unavailable(None, Some(c), None, e, Nodes::<()> { nodes: vec![] });
    let list = match answer {
        ApiAnswer::Ok(list) => list,
        ApiAnswer::Failed(s) => return fail(api_exception_text(s)),
    };
    let nodes: Result<Vec<NodeSummary>, String> = list.items.iter().map(node_summary).collect();
    let nodes = match nodes {
        Ok(n) => n,
        Err(e) => return fail(e),
    };
    let not_ready = nodes.iter().filter(|n| n.ready != "True").count();
    text(&NodesEnvelope {
        source: "eks",
        available: true,
        cluster_name: c,
        total_nodes: nodes.len(),
        nodes,
        not_ready_count: not_ready,
        error: None,
    })
}

#[derive(Serialize)]
struct PodLogsEnvelope<'a> {
    source: &'static str,
    available: bool,
    cluster_name: &'a str,
    namespace: &'a str,
    pod_name: &'a str,
    logs: String,
    error: Option<String>,
}

/// The last `n` lines of a log, as the API's `tailLines` keeps them.
fn tail_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    lines[lines.len().saturating_sub(n)..].concat()
}

/// The tool asks for `tail_lines=100`.
const POD_LOG_TAIL_LINES: usize = 100;

fn pod_logs_answer(
    capture: &PodLogCapture,
    pods: Option<&PodList>,
    calls: &ToolCalls,
    call: &PodLogsCall,
) -> Result<String, ProjectionError> {
    let ns = calls.namespace.as_str();
    let fail = |e: String| {
        eks_unavailable(
            None,
            None,
            Some(&call.pod),
            e,
            LogsText {
                namespace: ns,
                logs: "",
            },
        )
    };
    let container = match &call.container {
        Some(c) => c.clone(),
        None => {
            // Without a container the API serves the pod's only container, and answers 400
            // for a pod with several.
            let pod = pods.and_then(|l| {
                l.items.iter().find(|p| {
                    p.metadata.name.as_deref() == Some(call.pod.as_str())
                        && p.metadata.namespace.as_deref() == Some(ns)
                })
            });
            let names: Vec<String> = pod
                .and_then(|p| p.spec.as_ref())
                .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
                .unwrap_or_default();
            match names.as_slice() {
                [one] => one.clone(),
                [] => {
                    let entries: Vec<&str> = capture
                        .logs
                        .iter()
                        .filter(|e| e.namespace == ns && e.pod == call.pod)
                        .map(|e| e.container.as_str())
                        .collect();
                    match entries.as_slice() {
                        [first, rest @ ..] if rest.iter().all(|c| c == first) => {
                            (*first).to_owned()
                        }
                        _ => {
                            return Err(ProjectionError::NoLogEntry {
                                namespace: ns.to_owned(),
                                pod: call.pod.clone(),
                                container: "?".into(),
                                previous: call.previous,
                            });
                        }
                    }
                }
                many => {
                    let status = Status {
                        code: Some(400),
                        message: Some(format!(
                            "a container name must be specified for pod {}, choose one of: [{}]",
                            call.pod,
                            many.join(" ")
                        )),
                        reason: Some("BadRequest".into()),
                        status: Some("Failure".into()),
                        ..Status::default()
                    };
                    return Ok(fail(api_exception_text(&status)));
                }
            }
        }
    };
    let entry = capture
        .logs
        .iter()
        .find(|e| {
            e.namespace == ns
                && e.pod == call.pod
                && e.container == container
                && e.previous == call.previous
        })
        .ok_or_else(|| ProjectionError::NoLogEntry {
            namespace: ns.to_owned(),
            pod: call.pod.clone(),
            container: container.clone(),
            previous: call.previous,
        })?;
    Ok(match entry.answer() {
        Ok(log) => text(&PodLogsEnvelope {
            source: "eks",
            available: true,
            cluster_name: &calls.cluster_name,
            namespace: ns,
            pod_name: &call.pod,
            logs: tail_lines(log, POD_LOG_TAIL_LINES),
            error: None,
        }),
        Err(status) => fail(api_exception_text(status)),
    })
}

/// The words the Datadog logs tool counts as an error (`_ERROR_KEYWORDS`).
const DATADOG_ERROR_KEYWORDS: &[&str] = &[
    "error",
    "fail",
    "exception",
    "traceback",
    "pipeline_error",
    "critical",
    "killed",
    "oomkilled",
    "crash",
    "panic",
    "timeout",
];

/// The page size the logs tool asks for, and so the most entries it returns.
const DATADOG_LOGS_LIMIT: usize = 50;
/// `compact_logs(error_logs, limit=30)`.
const DATADOG_ERROR_LOGS_LIMIT: usize = 30;
/// The page size the monitors tool asks for.
const DATADOG_MONITORS_LIMIT: usize = 50;

/// A JSON object whose keys keep the order they were put in (a Python dict).
#[derive(Clone, Debug, Default)]
struct OrderedMap(Vec<(String, Value)>);

impl OrderedMap {
    fn set(&mut self, key: &str, value: Value) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.to_owned(), value)),
        }
    }
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl Serialize for OrderedMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// One log entry as the client builds it: the standard fields, then the custom attributes
/// merged over them (`log.update(custom)`).
fn log_entry(e: &crate::k8s_api::datadog::LogEvent) -> OrderedMap {
    let a = &e.attributes;
    let s = |v: &Option<String>| Value::String(v.clone().unwrap_or_default());
    let mut m = OrderedMap::default();
    m.set("timestamp", s(&a.timestamp));
    m.set("message", s(&a.message));
    m.set("status", s(&a.status));
    m.set("service", s(&a.service));
    m.set("host", s(&a.host));
    m.set(
        "tags",
        Value::Array(
            a.tags
                .iter()
                .flatten()
                .cloned()
                .map(Value::String)
                .collect(),
        ),
    );
    for (k, v) in a.attributes.iter().flatten() {
        m.set(k, v.clone());
    }
    // Loader deviation: OpenSRE's loader requires a non-empty string `timestamp` and
    // `message` and a list `tags`; where the API left them out (or a custom attribute of
    // the same name replaced them with another type) the entry gets the standard field's
    // text, or "None" (see `loader_str`).
    for (key, std) in [("timestamp", &a.timestamp), ("message", &a.message)] {
        let ok = matches!(m.get(key), Some(Value::String(v)) if !v.trim().is_empty());
        if !ok {
            m.set(key, Value::String(loader_str(std.as_deref())));
        }
    }
    if !matches!(m.get("tags"), Some(Value::Array(_))) {
        m.set(
            "tags",
            Value::Array(
                a.tags
                    .iter()
                    .flatten()
                    .cloned()
                    .map(Value::String)
                    .collect(),
            ),
        );
    }
    m
}

#[derive(Serialize)]
struct DatadogLogsEnvelope<'a> {
    source: &'static str,
    available: bool,
    logs: Vec<OrderedMap>,
    error_logs: Vec<OrderedMap>,
    total: usize,
    query: &'a str,
}

#[derive(Serialize)]
struct DatadogUnavailable<L: Serialize> {
    source: &'static str,
    available: bool,
    error: String,
    #[serde(flatten)]
    list: L,
}

#[derive(Serialize)]
struct LogsList {
    logs: Vec<()>,
}
#[derive(Serialize)]
struct MonitorsList {
    monitors: Vec<()>,
}

fn datadog_unavailable<L: Serialize>(source: &'static str, f: &DatadogFailure, list: L) -> String {
    text(&DatadogUnavailable {
        source,
        available: false,
        error: f.client_error_text(),
        list,
    })
}

fn datadog_logs_answer(answer: &DatadogAnswer<LogsSearchResponse>, query: &str) -> String {
    let page = match answer {
        DatadogAnswer::Ok(p) => p,
        DatadogAnswer::Failed(f) => {
            return datadog_unavailable("datadog_logs", f, LogsList { logs: vec![] });
        }
    };
    let logs: Vec<OrderedMap> = page
        .data
        .iter()
        .take(DATADOG_LOGS_LIMIT)
        .map(log_entry)
        .collect();
    let error_logs: Vec<OrderedMap> = logs
        .iter()
        .filter(|l| {
            let msg = match l.get("message") {
                Some(Value::String(s)) => s.to_lowercase(),
                _ => String::new(),
            };
            DATADOG_ERROR_KEYWORDS.iter().any(|k| msg.contains(k))
        })
        .take(DATADOG_ERROR_LOGS_LIMIT)
        .cloned()
        .collect();
    text(&DatadogLogsEnvelope {
        source: "datadog_logs",
        available: true,
        total: logs.len(),
        logs,
        error_logs,
        query,
    })
}

#[derive(Serialize)]
struct MonitorSummary {
    id: i64,
    name: String,
    #[serde(rename = "type")]
    kind: String,
    query: String,
    message: String,
    overall_state: String,
    tags: Vec<String>,
}

#[derive(Serialize)]
struct DatadogMonitorsEnvelope<'a> {
    source: &'static str,
    available: bool,
    monitors: Vec<MonitorSummary>,
    total: usize,
    query_filter: Option<&'a str>,
}

fn datadog_monitors_answer(answer: &DatadogAnswer<Vec<Monitor>>, query: Option<&str>) -> String {
    let list = match answer {
        DatadogAnswer::Ok(l) => l,
        DatadogAnswer::Failed(f) => {
            return datadog_unavailable("datadog_monitors", f, MonitorsList { monitors: vec![] });
        }
    };
    let monitors: Vec<MonitorSummary> = list
        .iter()
        .take(DATADOG_MONITORS_LIMIT)
        .map(|m| MonitorSummary {
            id: m.id,
            // Loader deviation: `name`, `type`, `query`, `overall_state` must be non-empty
            // strings for OpenSRE's loader; the client writes "" for a missing one.
            name: loader_str(m.name.as_deref()),
            kind: loader_str(Some(&m.kind)),
            query: loader_str(Some(&m.query)),
            message: m.message.clone().unwrap_or_default(),
            overall_state: loader_str(m.overall_state.as_deref()),
            tags: m.tags.clone().unwrap_or_default(),
        })
        .collect();
    text(&DatadogMonitorsEnvelope {
        source: "datadog_monitors",
        available: true,
        total: monitors.len(),
        monitors,
        query_filter: query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_str_of_datetimes() {
        let ts: Timestamp = "2026-04-18T10:45:10Z".parse().unwrap();
        assert_eq!(py_datetime(ts), "2026-04-18 10:45:10+00:00");
        let ts: Timestamp = "2026-04-18T10:45:10.123456789Z".parse().unwrap();
        assert_eq!(py_datetime(ts), "2026-04-18 10:45:10.123456+00:00");
        assert_eq!(py_time(None), "None");
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail_lines("a\nb\nc\n", 2), "b\nc\n");
        assert_eq!(tail_lines("a\nb\nc", 2), "b\nc");
        assert_eq!(tail_lines("a\n", 5), "a\n");
        assert_eq!(tail_lines("", 5), "");
    }

    #[test]
    fn api_exception_text_is_the_python_clients() {
        let s = Status {
            code: Some(403),
            message: Some("pods is forbidden".into()),
            reason: Some("Forbidden".into()),
            status: Some("Failure".into()),
            ..Status::default()
        };
        assert_eq!(
            api_exception_text(&s),
            "(403)\nReason: Forbidden\nHTTP response body: {\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"pods is forbidden\",\"reason\":\"Forbidden\",\"code\":403}\n"
        );
    }
}

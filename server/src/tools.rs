//! The tools of the MCP server ([`crate::mcp`]), as pure functions of a scenario and a call's
//! arguments: [`specs`] lists them with their input schemas, [`call`] answers one call.
//!
//! * OpenSRE's seven tools, with the names, descriptions and input schemas of OpenSRE's own
//!   tool code (Tracer-Cloud/opensre `app/tools/EKSListPodsTool`, `EKSEventsTool`,
//!   `EKSListDeploymentsTool`, `EKSNodeHealthTool`, `EKSPodLogsTool`, `DataDogLogsTool`,
//!   `DataDogMonitorsTool`, each `__init__.py`'s `@tool(input_schema=...)`). Their answers are
//!   the tools' envelopes computed from the scenario's (time-shifted) raw objects by
//!   [`scenario::projection::project`], the projection `eval --profile k8s-api` and the
//!   generator use, so with the default arguments an answer is the scenario's `opensre`
//!   evidence file, times shifted like the Kubernetes API's. Arguments are honoured where the
//!   real tool honours them: `namespace` (or `all`), `pod_name`, `tail_lines` (up to the 100
//!   lines the projection keeps), `cluster_name` (another cluster is not found), `query` and
//!   `limit` of the Datadog logs, `query` of the monitors. Credentials (`role_arn`,
//!   `external_id`, `region`, `api_key`, `app_key`, `site`) are accepted and ignored: a
//!   scenario has no AWS account. A source the scenario does not list answers the tool's
//!   unavailable envelope (the API's 403 as the Python client reports it for EKS, "Datadog
//!   integration not configured" for Datadog, the real tools' texts).
//! * The EKS MCP server's generic tools (awslabs/mcp `src/eks-mcp-server/.../k8s_handler.py`:
//!   parameter names and response fields from there), answered through the same routes as the
//!   Kubernetes API ([`crate::api::get`]): `list_k8s_resources`, `read_k8s_resource` (the
//!   CrashLoopBackOff SOP's name for `manage_k8s_resource` with `operation=read`: kind,
//!   api_version, name, namespace), `get_k8s_events`, `get_pod_logs` (plus `previous`, which
//!   the SOP uses: `get_pod_logs with previous=true`).
//!
//! Every answer carries the status the trajectory records: 200, 400 (bad arguments), 404 (no
//! such object, tool or cluster), or the API's own status for a generic tool (403 for a source
//! the scenario does not expose).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Status, StatusDetails};
use scenario::EvidenceKind;
use scenario::k8s_api::datadog::{DatadogAnswer, DatadogFailure, LogsSearchResponse, Monitor};
use scenario::k8s_api::{ApiAnswer, PodLogCapture, PodLogEntry, RawEvidence};
use scenario::projection::{self, PodLogsCall, ToolCalls};
use serde_json::{Map, Value, json};

use crate::api;
use crate::store::Cluster;

/// One tool as `tools/list` shows it.
#[derive(Clone, Debug)]
pub struct ToolSpec {
    /// The tool's name.
    pub name: &'static str,
    /// What it does (the original tool's description).
    pub description: &'static str,
    /// Its JSON Schema for the arguments.
    pub input_schema: Value,
}

/// What a tool call answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The status the trajectory records (200, 400, 403, 404).
    pub status: u16,
    /// The result text (the JSON envelope, or the error message of an error result).
    pub text: String,
    /// Whether the MCP result is a tool error (`isError: true`).
    pub is_error: bool,
}

impl Outcome {
    fn ok(text: String) -> Outcome {
        Outcome {
            status: 200,
            text,
            is_error: false,
        }
    }

    fn error(status: u16, text: String) -> Outcome {
        Outcome {
            status,
            text,
            is_error: true,
        }
    }
}

/// The name of every tool, OpenSRE's seven first.
pub const TOOL_NAMES: [&str; 11] = [
    "list_eks_pods",
    "get_eks_events",
    "list_eks_deployments",
    "get_eks_node_health",
    "get_eks_pod_logs",
    "query_datadog_logs",
    "query_datadog_monitors",
    "list_k8s_resources",
    "read_k8s_resource",
    "get_k8s_events",
    "get_pod_logs",
];

fn string() -> Value {
    json!({"type": "string"})
}

fn described(kind: &str, description: &str) -> Value {
    json!({"type": kind, "description": description})
}

fn schema(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required})
}

/// The tools with their input schemas (OpenSRE's exactly; the EKS MCP server's with its
/// parameter names and descriptions, shortened).
pub fn specs() -> Vec<ToolSpec> {
    let eks_creds = |mut p: Map<String, Value>| {
        p.insert("role_arn".into(), string());
        p.insert(
            "external_id".into(),
            json!({"type": "string", "default": ""}),
        );
        p.insert(
            "region".into(),
            json!({"type": "string", "default": "us-east-1"}),
        );
        Value::Object(p)
    };
    let with_ns = |ns_desc: &str| {
        let mut p = Map::new();
        p.insert("cluster_name".into(), string());
        p.insert("namespace".into(), described("string", ns_desc));
        eks_creds(p)
    };
    let dd_creds = |mut p: Map<String, Value>| {
        p.insert("api_key".into(), string());
        p.insert("app_key".into(), string());
        p.insert(
            "site".into(),
            json!({"type": "string", "default": "datadoghq.com"}),
        );
        Value::Object(p)
    };
    let mut nodes = Map::new();
    nodes.insert("cluster_name".into(), string());
    let mut logs = Map::new();
    logs.insert("cluster_name".into(), string());
    logs.insert("namespace".into(), string());
    logs.insert("pod_name".into(), string());
    let mut logs = match eks_creds(logs) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    logs.insert(
        "tail_lines".into(),
        json!({"type": "integer", "default": 100}),
    );
    let mut dd_logs = Map::new();
    dd_logs.insert(
        "query".into(),
        described("string", "Datadog log search query"),
    );
    dd_logs.insert(
        "time_range_minutes".into(),
        json!({"type": "integer", "default": 60}),
    );
    dd_logs.insert("limit".into(), json!({"type": "integer", "default": 50}));
    let mut dd_monitors = Map::new();
    dd_monitors.insert(
        "query".into(),
        described(
            "string",
            "Optional monitor filter (e.g., 'tag:pipeline:tracer-ai-agent')",
        ),
    );
    let cluster = described(
        "string",
        "Name of the EKS cluster (optional here: the endpoint is the scenario's cluster)",
    );
    let kind = described(
        "string",
        "Kind of the Kubernetes resource (e.g., 'Pod', 'Event', 'Node', 'Deployment')",
    );
    let api_version = described(
        "string",
        "API version of the Kubernetes resource (e.g., 'v1', 'apps/v1')",
    );
    vec![
        ToolSpec {
            name: "list_eks_pods",
            description: "List all pods in a namespace with their status, phase, restart counts, and conditions.",
            input_schema: schema(
                with_ns("Use 'all' to scan all namespaces"),
                &["cluster_name", "namespace", "role_arn"],
            ),
        },
        ToolSpec {
            name: "get_eks_events",
            description: "Get Kubernetes Warning events in a namespace.",
            input_schema: schema(
                with_ns("Use 'all' for all namespaces"),
                &["cluster_name", "namespace", "role_arn"],
            ),
        },
        ToolSpec {
            name: "list_eks_deployments",
            description: "List all deployments in a namespace with replica counts and availability status.",
            input_schema: schema(
                with_ns("Use 'all' for all namespaces"),
                &["cluster_name", "namespace", "role_arn"],
            ),
        },
        ToolSpec {
            name: "get_eks_node_health",
            description: "Get health status of all EKS nodes — conditions, capacity, allocatable, pod counts.",
            input_schema: schema(eks_creds(nodes), &["cluster_name", "role_arn"]),
        },
        ToolSpec {
            name: "get_eks_pod_logs",
            description: "Fetch logs from a specific EKS pod.",
            input_schema: schema(
                Value::Object(logs),
                &["cluster_name", "namespace", "pod_name", "role_arn"],
            ),
        },
        ToolSpec {
            name: "query_datadog_logs",
            description: "Search Datadog logs for pipeline errors, exceptions, and application events.",
            input_schema: schema(dd_creds(dd_logs), &["query"]),
        },
        ToolSpec {
            name: "query_datadog_monitors",
            description: "List Datadog monitors to understand alerting configuration and current states.",
            input_schema: schema(dd_creds(dd_monitors), &[]),
        },
        ToolSpec {
            name: "list_k8s_resources",
            description: "List Kubernetes resources of a specific kind (a summary of each: name, namespace, creation timestamp, labels, annotations).",
            input_schema: schema(
                json!({
                    "cluster_name": cluster,
                    "kind": kind,
                    "api_version": api_version,
                    "namespace": described("string", "Namespace of the resources to list; all namespaces when absent"),
                    "label_selector": described("string", "Label selector (e.g., 'app=nginx,tier=frontend'), kubectl's --selector syntax"),
                    "field_selector": described("string", "Field selector (e.g., 'metadata.name=my-pod,status.phase=Running'), kubectl's --field-selector syntax"),
                }),
                &["kind", "api_version"],
            ),
        },
        ToolSpec {
            name: "read_k8s_resource",
            description: "Read one Kubernetes resource (the EKS MCP server's manage_k8s_resource with operation=read).",
            input_schema: schema(
                json!({
                    "cluster_name": cluster,
                    "kind": kind,
                    "api_version": api_version,
                    "name": described("string", "Name of the resource"),
                    "namespace": described("string", "Namespace of the resource (not for cluster-scoped kinds such as Node)"),
                }),
                &["kind", "api_version", "name"],
            ),
        },
        ToolSpec {
            name: "get_k8s_events",
            description: "Get events related to a specific Kubernetes resource.",
            input_schema: schema(
                json!({
                    "cluster_name": cluster,
                    "kind": described("string", "Kind of the involved object (e.g., 'Pod', 'Deployment', 'Node')"),
                    "name": described("string", "Name of the involved object"),
                    "namespace": described("string", "Namespace of the involved object (not for cluster-scoped kinds)"),
                }),
                &["kind", "name"],
            ),
        },
        ToolSpec {
            name: "get_pod_logs",
            description: "Get logs from a pod in a Kubernetes cluster.",
            input_schema: schema(
                json!({
                    "cluster_name": cluster,
                    "namespace": described("string", "Kubernetes namespace where the pod is located"),
                    "pod_name": described("string", "Name of the pod"),
                    "container_name": described("string", "Container; required only if the pod has several"),
                    "previous": {"type": "boolean", "default": false, "description": "The previous (terminated) instance of the container, as kubectl logs --previous"},
                    "since_seconds": described("integer", "Accepted and ignored: a scenario is one snapshot"),
                    "tail_lines": {"type": "integer", "default": 100, "description": "Number of lines from the end of the logs"},
                    "limit_bytes": {"type": "integer", "default": 10240, "description": "Maximum number of bytes to return"},
                }),
                &["namespace", "pod_name"],
            ),
        },
    ]
}

/// A call of a tool this server does not have: a protocol error, not a tool result.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown tool: {0}")]
pub struct UnknownTool(pub String);

/// The arguments of a call, read with type checks (a wrong type is a 400).
struct Args<'a>(&'a Map<String, Value>);

impl<'a> Args<'a> {
    fn str(&self, key: &str) -> Result<Option<&'a str>, String> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(other) => Err(format!("{key}: expected a string, got {other}")),
        }
    }

    fn required(&self, key: &str) -> Result<&'a str, String> {
        match self.str(key)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(format!("{key}: required")),
        }
    }

    fn int(&self, key: &str, min: i64) -> Result<Option<i64>, String> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => match v.as_i64() {
                Some(n) if n >= min => Ok(Some(n)),
                _ => Err(format!("{key}: expected an integer >= {min}, got {v}")),
            },
        }
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, String> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(format!("{key}: expected a boolean, got {other}")),
        }
    }

    /// A name that goes into a path: refused unless the API could serve it.
    fn name(&self, key: &str) -> Result<Option<&'a str>, String> {
        match self.str(key)? {
            Some(n) if !api::valid_name(n) => Err(format!(
                "{key}: invalid name {n:?}: may not contain '/' or '..'"
            )),
            other => Ok(other),
        }
    }
}

/// The namespace and object name a call names, for the trajectory (`namespace` and
/// `pod_name` or `name` arguments; empty when absent or not strings).
pub fn call_target(args: &Map<String, Value>) -> (String, String) {
    let s = |k: &str| args.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let name = match s("pod_name") {
        p if p.is_empty() => s("name"),
        p => p,
    };
    (s("namespace"), name)
}

/// Answers one call of `name` on `cluster`; `now` is the instant (Unix seconds) the API's
/// routes compute with.
pub fn call(
    cluster: &Cluster,
    name: &str,
    args: &Map<String, Value>,
    now: i64,
) -> Result<Outcome, UnknownTool> {
    let a = Args(args);
    let answer = match name {
        "list_eks_pods"
        | "get_eks_events"
        | "list_eks_deployments"
        | "get_eks_node_health"
        | "get_eks_pod_logs" => eks_tool(cluster, name, &a),
        "query_datadog_logs" => datadog_logs(cluster, &a),
        "query_datadog_monitors" => datadog_monitors(cluster, &a),
        "list_k8s_resources" => list_k8s_resources(cluster, &a, now),
        "read_k8s_resource" => read_k8s_resource(cluster, &a, now),
        "get_k8s_events" => get_k8s_events(cluster, &a, now),
        "get_pod_logs" => get_pod_logs(cluster, &a, now),
        other => return Err(UnknownTool(other.to_owned())),
    };
    Ok(answer.unwrap_or_else(|e| Outcome::error(400, format!("invalid arguments: {e}"))))
}

/// The error `Status` the API server answers for a source the scenario does not expose
/// (the same words as the Kubernetes API of [`crate::api`]).
fn forbidden(resource: &str, group: &str) -> Status {
    Status {
        code: Some(403),
        status: Some("Failure".into()),
        reason: Some("Forbidden".into()),
        message: Some(format!(
            "{resource} is forbidden: User \"triagebench-agent\" cannot list resource \"{resource}\" in API group \"{group}\" (this scenario does not expose it)"
        )),
        details: Some(StatusDetails {
            kind: Some(resource.to_owned()),
            group: Some(group.to_owned()),
            ..StatusDetails::default()
        }),
        ..Status::default()
    }
}

fn listed_or_forbidden<T: Clone>(
    source: Option<&ApiAnswer<T>>,
    resource: &str,
    group: &str,
) -> ApiAnswer<T> {
    source
        .cloned()
        .unwrap_or_else(|| ApiAnswer::Failed(Box::new(forbidden(resource, group))))
}

/// The file of source `kind` a projection computes.
fn project_one(raw: &RawEvidence, calls: &ToolCalls, kind: EvidenceKind) -> Outcome {
    match projection::project(raw, calls) {
        Ok(files) => match files.into_iter().find(|(k, _)| *k == kind) {
            Some((_, text)) => Outcome::ok(text),
            None => Outcome::error(404, "the scenario has no such source".into()),
        },
        Err(e) => Outcome::error(404, e.to_string()),
    }
}

fn eks_tool(cluster: &Cluster, name: &str, a: &Args<'_>) -> Result<Outcome, String> {
    let cluster_name = a.str("cluster_name")?.unwrap_or(&cluster.cluster_name);
    let namespace = match a.str("namespace")? {
        Some("all") => "all",
        Some(_) => a.name("namespace")?.unwrap_or(&cluster.namespace),
        None => &cluster.namespace,
    };
    for key in ["role_arn", "external_id", "region"] {
        a.str(key)?;
    }
    if !cluster.cluster_name.is_empty() && cluster_name != cluster.cluster_name {
        // What the real tools report when `build_k8s_clients` cannot describe the cluster.
        let error = format!(
            "An error occurred (ResourceNotFoundException) when calling the DescribeCluster operation: No cluster found for name: {cluster_name}."
        );
        let mut v = json!({"source": "eks", "available": false});
        match name {
            "get_eks_node_health" => v["cluster_name"] = json!(cluster_name),
            "get_eks_pod_logs" => v["pod_name"] = json!(a.str("pod_name")?.unwrap_or("")),
            _ => v["namespace"] = json!(namespace),
        }
        v["error"] = json!(error);
        let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
        text.push('\n');
        return Ok(Outcome {
            status: 404,
            text,
            is_error: false,
        });
    }
    let mut calls = ToolCalls {
        cluster_name: cluster_name.to_owned(),
        namespace: namespace.to_owned(),
        pod_logs: None,
        datadog_logs_query: String::new(),
        datadog_monitors_query: None,
    };
    let raw = &cluster.raw;
    let (kind, one) = match name {
        "list_eks_pods" => (
            EvidenceKind::EksPods,
            RawEvidence {
                pods: Some(listed_or_forbidden(raw.pods.as_ref(), "pods", "")),
                ..RawEvidence::default()
            },
        ),
        "get_eks_events" => (
            EvidenceKind::EksEvents,
            RawEvidence {
                events: Some(listed_or_forbidden(raw.events.as_ref(), "events", "")),
                ..RawEvidence::default()
            },
        ),
        "list_eks_deployments" => (
            EvidenceKind::EksDeployments,
            RawEvidence {
                deployments: Some(listed_or_forbidden(
                    raw.deployments.as_ref(),
                    "deployments",
                    "apps",
                )),
                ..RawEvidence::default()
            },
        ),
        "get_eks_node_health" => (
            EvidenceKind::EksNodeHealth,
            RawEvidence {
                nodes: Some(listed_or_forbidden(raw.nodes.as_ref(), "nodes", "")),
                ..RawEvidence::default()
            },
        ),
        _ => return pod_logs_tool(cluster, a, calls),
    };
    calls.pod_logs = None;
    Ok(project_one(&one, &calls, kind))
}

/// `get_eks_pod_logs`: the current instance's log of the pod (the tool calls
/// `read_namespaced_pod_log` without `previous`), of its only container, or of the container
/// whose log the scenario captured when the pod has several (the real API would answer 400
/// without a container; the scenario's evidence file shows the captured one).
fn pod_logs_tool(cluster: &Cluster, a: &Args<'_>, mut calls: ToolCalls) -> Result<Outcome, String> {
    let pod = a.required("pod_name")?;
    let pod = a.name("pod_name")?.unwrap_or(pod);
    let tail = a.int("tail_lines", 0)?;
    if calls.namespace == "all" {
        return Err("namespace: a pod's namespace, not 'all'".into());
    }
    let ns = calls.namespace.clone();
    let raw = &cluster.raw;
    let entry = |container: &str, text: Option<String>, status: Option<Status>| PodLogEntry {
        namespace: ns.clone(),
        pod: pod.to_owned(),
        container: container.to_owned(),
        previous: false,
        text,
        status,
    };
    let pods = raw.pods.as_ref().and_then(ApiAnswer::ok);
    let pod_obj = pods.and_then(|l| {
        l.items.iter().find(|p| {
            p.metadata.name.as_deref() == Some(pod) && p.metadata.namespace.as_deref() == Some(&ns)
        })
    });
    let mut status = 200;
    let (capture, container) = match &raw.pod_logs {
        None => {
            let mut st = forbidden("pods/log", "");
            st.message = Some(format!(
                "pods \"{pod}\" is forbidden: User \"triagebench-agent\" cannot get resource \"pods/log\" in API group \"\" (this scenario does not expose container logs)"
            ));
            let c = PodLogCapture {
                logs: vec![entry("app", None, Some(st))],
            };
            (c, Some("app".to_owned()))
        }
        Some(capture) => {
            let captured: Vec<&PodLogEntry> = capture
                .logs
                .iter()
                .filter(|e| e.namespace == ns && e.pod == pod)
                .collect();
            if pod_obj.is_none() && captured.is_empty() {
                status = 404;
                let st = Status {
                    code: Some(404),
                    status: Some("Failure".into()),
                    reason: Some("NotFound".into()),
                    message: Some(format!("pods \"{pod}\" not found")),
                    details: Some(StatusDetails {
                        name: Some(pod.to_owned()),
                        kind: Some("pods".into()),
                        ..StatusDetails::default()
                    }),
                    ..Status::default()
                };
                let c = PodLogCapture {
                    logs: vec![entry("app", None, Some(st))],
                };
                (c, Some("app".to_owned()))
            } else {
                let names: Vec<String> = pod_obj
                    .and_then(|p| p.spec.as_ref())
                    .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
                    .unwrap_or_default();
                let container = match names.as_slice() {
                    [one] => Some(one.clone()),
                    _ => captured
                        .iter()
                        .find(|e| !e.previous)
                        .or(captured.first())
                        .map(|e| e.container.clone()),
                };
                let mut c = capture.clone();
                if let Some(name) = &container
                    && !captured.iter().any(|e| &e.container == name && !e.previous)
                {
                    // The API answers an empty log for a container nothing was captured of.
                    c.logs.push(entry(name, Some(String::new()), None));
                }
                (c, container)
            }
        }
    };
    calls.pod_logs = Some(PodLogsCall {
        pod: pod.to_owned(),
        container,
        previous: false,
    });
    let one = RawEvidence {
        pods: raw.pods.clone(),
        pod_logs: Some(capture),
        ..RawEvidence::default()
    };
    let mut out = project_one(&one, &calls, EvidenceKind::EksPodLogs);
    if out.status == 200 {
        out.status = status;
    }
    if let Some(n) = tail.and_then(|n| usize::try_from(n).ok())
        && let Ok(mut v) = serde_json::from_str::<Value>(&out.text)
        && let Some(logs) = v.get("logs").and_then(Value::as_str)
        && v.get("available") == Some(&Value::Bool(true))
    {
        let lines: Vec<&str> = logs.split_inclusive('\n').collect();
        if n < lines.len() {
            v["logs"] = json!(lines[lines.len() - n..].concat());
            out.text = serde_json::to_string_pretty(&v).unwrap_or_default();
            out.text.push('\n');
        }
    }
    Ok(out)
}

/// What a Datadog tool answers when the scenario lists no Datadog source: the real tools'
/// text when no client can be made.
fn not_configured() -> DatadogFailure {
    DatadogFailure {
        http_status: None,
        body: None,
        transport_error: Some("Datadog integration not configured".into()),
    }
}

fn datadog_logs(cluster: &Cluster, a: &Args<'_>) -> Result<Outcome, String> {
    let query = a.str("query")?.unwrap_or("");
    a.int("time_range_minutes", 1)?;
    let limit = a.int("limit", 1)?;
    for key in ["api_key", "app_key", "site"] {
        a.str(key)?;
    }
    let answer = match &cluster.raw.datadog_logs {
        None => DatadogAnswer::Failed(not_configured()),
        Some(DatadogAnswer::Failed(f)) => DatadogAnswer::Failed(f.clone()),
        Some(DatadogAnswer::Ok(page)) => {
            let mut page: LogsSearchResponse = page.clone();
            page.data.retain(|e| log_matches(query, e));
            if let Some(n) = limit.and_then(|n| usize::try_from(n).ok()) {
                page.data.truncate(n);
            }
            DatadogAnswer::Ok(page)
        }
    };
    let calls = ToolCalls {
        cluster_name: cluster.cluster_name.clone(),
        namespace: cluster.namespace.clone(),
        pod_logs: None,
        datadog_logs_query: query.to_owned(),
        datadog_monitors_query: None,
    };
    let one = RawEvidence {
        datadog_logs: Some(answer),
        ..RawEvidence::default()
    };
    Ok(project_one(&one, &calls, EvidenceKind::DatadogLogs))
}

fn datadog_monitors(cluster: &Cluster, a: &Args<'_>) -> Result<Outcome, String> {
    let query = a.str("query")?;
    for key in ["api_key", "app_key", "site"] {
        a.str(key)?;
    }
    let answer = match &cluster.raw.datadog_monitors {
        None => DatadogAnswer::Failed(not_configured()),
        Some(DatadogAnswer::Failed(f)) => DatadogAnswer::Failed(f.clone()),
        Some(DatadogAnswer::Ok(list)) => {
            let list: Vec<Monitor> = list
                .iter()
                .filter(|m| query.is_none_or(|q| monitor_matches(q, m)))
                .cloned()
                .collect();
            DatadogAnswer::Ok(list)
        }
    };
    let calls = ToolCalls {
        cluster_name: cluster.cluster_name.clone(),
        namespace: cluster.namespace.clone(),
        pod_logs: None,
        datadog_logs_query: String::new(),
        datadog_monitors_query: query.map(str::to_owned),
    };
    let one = RawEvidence {
        datadog_monitors: Some(answer),
        ..RawEvidence::default()
    };
    Ok(project_one(&one, &calls, EvidenceKind::DatadogMonitors))
}

/// The terms of a Datadog search: whitespace-separated, `AND` dropped, quotes stripped, a
/// leading `-` negating.
fn terms(query: &str) -> Vec<(bool, String)> {
    query
        .split_whitespace()
        .filter(|t| *t != "AND")
        .map(|t| match t.strip_prefix('-') {
            Some(rest) => (false, rest.trim_matches('"').to_owned()),
            None => (true, t.trim_matches('"').to_owned()),
        })
        .filter(|(_, t)| !t.is_empty() && t != "*")
        .collect()
}

/// `value` matches `pattern` (a trailing `*` is a prefix match), case-insensitively.
fn glob(pattern: &str, value: &str) -> bool {
    let (p, v) = (pattern.to_lowercase(), value.to_lowercase());
    match p.strip_suffix('*') {
        Some(prefix) => v.starts_with(prefix),
        None => v == p,
    }
}

/// A subset of Datadog's log search syntax: `service:`, `host:`, `status:`, `@attribute:`,
/// any other `key:value` as a tag, bare words in the message; all terms must hold.
fn log_matches(query: &str, e: &scenario::k8s_api::datadog::LogEvent) -> bool {
    let at = &e.attributes;
    terms(query).iter().all(|(want, term)| {
        let hit = match term.split_once(':') {
            Some(("service", v)) => at.service.as_deref().is_some_and(|s| glob(v, s)),
            Some(("host", v)) => at.host.as_deref().is_some_and(|s| glob(v, s)),
            Some(("status", v)) => at.status.as_deref().is_some_and(|s| glob(v, s)),
            Some((k, v)) if k.starts_with('@') => at
                .attributes
                .as_ref()
                .and_then(|m| m.get(&k[1..]))
                .is_some_and(|x| match x {
                    Value::String(s) => glob(v, s),
                    other => glob(v, &other.to_string()),
                }),
            Some((k, v)) => at.tags.iter().flatten().any(|t| {
                t.split_once(':')
                    .is_some_and(|(tk, tv)| tk.eq_ignore_ascii_case(k) && glob(v, tv))
            }),
            None => at
                .message
                .as_deref()
                .is_some_and(|m| m.to_lowercase().contains(&term.to_lowercase())),
        };
        hit == *want
    })
}

/// The monitors filter: `tag:X` (or `tag:"X"`) and `key:value` terms match a monitor's tags,
/// bare words its name.
fn monitor_matches(query: &str, m: &Monitor) -> bool {
    terms(query).iter().all(|(want, term)| {
        let tag = term.strip_prefix("tag:").map(|t| t.trim_matches('"'));
        let tags = m.tags.iter().flatten();
        let hit = match tag {
            Some(t) => tags.clone().any(|x| glob(t, x)),
            None if term.contains(':') => tags.clone().any(|x| glob(term, x)),
            None => m
                .name
                .as_deref()
                .is_some_and(|n| n.to_lowercase().contains(&term.to_lowercase())),
        };
        hit == *want
    })
}

/// A kind the generic tools serve: its resource, API group version, and whether it is
/// namespaced.
fn kind_route(kind: &str, api_version: Option<&str>) -> Option<(&'static str, &'static str, bool)> {
    let (res, default_gv, namespaced) = match kind.to_ascii_lowercase().as_str() {
        "pod" | "pods" => ("pods", "v1", true),
        "event" | "events" => ("events", "v1", true),
        "node" | "nodes" => ("nodes", "v1", false),
        "namespace" | "namespaces" => ("namespaces", "v1", false),
        "deployment" | "deployments" => ("deployments", "apps/v1", true),
        "statefulset" | "statefulsets" => ("statefulsets", "apps/v1", true),
        "replicaset" | "replicasets" => ("replicasets", "apps/v1", true),
        _ => return None,
    };
    let gv = match api_version.unwrap_or(default_gv) {
        "v1" => "v1",
        "apps/v1" if default_gv == "apps/v1" => "apps/v1",
        "events.k8s.io/v1" if res == "events" => "events.k8s.io/v1",
        _ => return None,
    };
    Some((res, gv, namespaced))
}

fn prefix(gv: &str) -> String {
    if gv == "v1" {
        "/api/v1".into()
    } else {
        format!("/apis/{gv}")
    }
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The API's error as the generic tools report it: the `Status` message, else the body.
fn api_error(r: &api::Response) -> String {
    serde_json::from_slice::<Value>(&r.body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(&r.body).into_owned())
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// A resource without `metadata.managedFields` and without null values, as the EKS MCP
/// server's `cleanup_resource_response` returns it.
fn cleanup(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, x)| !x.is_null() && k.as_str() != "managedFields")
                .map(|(k, x)| (k.clone(), cleanup(x)))
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().filter(|x| !x.is_null()).map(cleanup).collect())
        }
        other => other.clone(),
    }
}

/// A generic call's kind as given, its resource, group version, and whether it is namespaced.
type Route<'a> = (&'a str, &'static str, &'static str, bool);

/// Kind, API version and route of a generic call, or the 404 for a kind the server lacks.
fn resolve<'a>(a: &Args<'a>) -> Result<Result<Route<'a>, Outcome>, String> {
    let kind = a.required("kind")?;
    let api_version = a.str("api_version")?;
    a.str("cluster_name")?;
    Ok(match kind_route(kind, api_version) {
        Some((res, gv, namespaced)) => Ok((kind, res, gv, namespaced)),
        None => Err(Outcome::error(
            404,
            format!(
                "the server doesn't have a resource type \"{kind}\" in {}",
                api_version.unwrap_or("any API version")
            ),
        )),
    })
}

fn list_k8s_resources(cluster: &Cluster, a: &Args<'_>, now: i64) -> Result<Outcome, String> {
    let (kind, res, gv, namespaced) = match resolve(a)? {
        Ok(r) => r,
        Err(o) => return Ok(o),
    };
    let namespace = a.name("namespace")?.filter(|_| namespaced);
    let mut query = Vec::new();
    if let Some(l) = a.str("label_selector")? {
        query.push(format!("labelSelector={}", encode(l)));
    }
    if let Some(f) = a.str("field_selector")? {
        query.push(format!("fieldSelector={}", encode(f)));
    }
    let path = match namespace {
        Some(ns) => format!("{}/namespaces/{ns}/{res}", prefix(gv)),
        None => format!("{}/{res}", prefix(gv)),
    };
    let r = api::get(cluster, &path, &query.join("&"), now);
    if r.status != 200 {
        return Ok(Outcome::error(
            r.status,
            format!("Failed to list {kind} resources: {}", api_error(&r)),
        ));
    }
    let list: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    let items: Vec<Value> = list
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|o| {
            let m = |k: &str| o.pointer(&format!("/metadata/{k}")).cloned();
            cleanup(&json!({
                "name": m("name").unwrap_or(json!("")),
                "namespace": m("namespace"),
                "creation_timestamp": m("creationTimestamp"),
                "labels": m("labels"),
                "annotations": m("annotations"),
            }))
        })
        .collect();
    Ok(Outcome::ok(pretty(&json!({
        "kind": kind,
        "api_version": gv,
        "namespace": namespace,
        "count": items.len(),
        "items": items,
    }))))
}

fn read_k8s_resource(cluster: &Cluster, a: &Args<'_>, now: i64) -> Result<Outcome, String> {
    let (kind, res, gv, namespaced) = match resolve(a)? {
        Ok(r) => r,
        Err(o) => return Ok(o),
    };
    a.required("name")?;
    let name = a.name("name")?.unwrap_or_default();
    let namespace = a.name("namespace")?;
    let path = match namespace.filter(|_| namespaced) {
        Some(ns) => format!("{}/namespaces/{ns}/{res}/{name}", prefix(gv)),
        None if namespaced => {
            return Err("namespace: required for a namespaced kind".into());
        }
        None => format!("{}/{res}/{name}", prefix(gv)),
    };
    let r = api::get(cluster, &path, "", now);
    let shown = format!(
        "{}{name}",
        namespace.map(|n| format!("{n}/")).unwrap_or_default()
    );
    if r.status != 200 {
        return Ok(Outcome::error(
            r.status,
            format!("Failed to read {kind} {shown}: {}", api_error(&r)),
        ));
    }
    let obj: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    Ok(Outcome::ok(pretty(&json!({
        "kind": kind,
        "name": name,
        "namespace": namespace,
        "api_version": gv,
        "operation": "read",
        "resource": cleanup(&obj),
    }))))
}

fn get_k8s_events(cluster: &Cluster, a: &Args<'_>, now: i64) -> Result<Outcome, String> {
    let kind = a.required("kind")?;
    a.required("name")?;
    let name = a.name("name")?.unwrap_or_default();
    let namespace = a.name("namespace")?;
    a.str("cluster_name")?;
    let selector = format!("involvedObject.kind={kind},involvedObject.name={name}");
    let path = match namespace {
        Some(ns) => format!("/api/v1/namespaces/{ns}/events"),
        None => "/api/v1/events".into(),
    };
    let r = api::get(
        cluster,
        &path,
        &format!("fieldSelector={}", encode(&selector)),
        now,
    );
    let shown = format!(
        "{}{name}",
        namespace.map(|n| format!("{n}/")).unwrap_or_default()
    );
    if r.status != 200 {
        return Ok(Outcome::error(
            r.status,
            format!("Failed to get events for {kind} {shown}: {}", api_error(&r)),
        ));
    }
    let list: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    let events: Vec<Value> = list
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| {
            let g = |k: &str| e.get(k).cloned().unwrap_or(Value::Null);
            let reporter = e
                .get("reportingComponent")
                .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
                .or_else(|| e.pointer("/source/component"))
                .cloned()
                .unwrap_or(Value::Null);
            json!({
                "first_timestamp": g("firstTimestamp"),
                "last_timestamp": g("lastTimestamp"),
                "count": g("count"),
                "message": g("message"),
                "reason": g("reason"),
                "reporting_component": reporter,
                "type": g("type"),
            })
        })
        .collect();
    Ok(Outcome::ok(pretty(&json!({
        "involved_object_kind": kind,
        "involved_object_name": name,
        "involved_object_namespace": namespace,
        "count": events.len(),
        "events": events,
    }))))
}

fn get_pod_logs(cluster: &Cluster, a: &Args<'_>, now: i64) -> Result<Outcome, String> {
    a.required("pod_name")?;
    let pod = a.name("pod_name")?.unwrap_or_default();
    let namespace = a.name("namespace")?.unwrap_or(&cluster.namespace);
    let container = a.name("container_name")?;
    let previous = a.bool("previous")?.unwrap_or(false);
    a.int("since_seconds", 0)?;
    let tail = a.int("tail_lines", 0)?.unwrap_or(100);
    let limit = a.int("limit_bytes", 1)?.unwrap_or(10_240);
    a.str("cluster_name")?;
    let mut query = vec![format!("tailLines={tail}"), format!("limitBytes={limit}")];
    if let Some(c) = container {
        query.push(format!("container={c}"));
    }
    if previous {
        query.push("previous=true".into());
    }
    let r = api::get(
        cluster,
        &format!("/api/v1/namespaces/{namespace}/pods/{pod}/log"),
        &query.join("&"),
        now,
    );
    let info = container
        .map(|c| format!(" (container: {c})"))
        .unwrap_or_default();
    if r.status != 200 {
        return Ok(Outcome::error(
            r.status,
            format!(
                "Failed to get logs from pod {namespace}/{pod}{info}: {}",
                api_error(&r)
            ),
        ));
    }
    let text = String::from_utf8_lossy(&r.body);
    let mut lines: Vec<&str> = text.lines().collect();
    if text.ends_with('\n') {
        lines.push("");
    }
    Ok(Outcome::ok(pretty(&json!({
        "pod_name": pod,
        "namespace": namespace,
        "container_name": container,
        "log_lines": lines,
    }))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_an_object_schema_and_a_unique_name() {
        let specs = specs();
        let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
        assert_eq!(names, TOOL_NAMES);
        for s in &specs {
            assert_eq!(s.input_schema["type"], "object", "{}", s.name);
            for r in s.input_schema["required"].as_array().unwrap() {
                let r = r.as_str().unwrap();
                assert!(
                    s.input_schema["properties"].get(r).is_some(),
                    "{}: required {r} is not a property",
                    s.name
                );
            }
        }
    }

    #[test]
    fn datadog_terms_and_globs() {
        assert_eq!(
            terms("service:api AND -status:info \"oom\" *"),
            vec![
                (true, "service:api".to_owned()),
                (false, "status:info".to_owned()),
                (true, "oom".to_owned())
            ]
        );
        assert!(glob("api*", "API-server"));
        assert!(!glob("api", "api-server"));
        assert_eq!(encode("a=b, c"), "a%3Db%2C%20c");
    }
}

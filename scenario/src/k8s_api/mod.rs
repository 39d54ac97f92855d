//! The `k8s-api` profile: the raw objects the Kubernetes and Datadog APIs return, as types,
//! with a strict check, and its on-disk layout.
//!
//! # Layout
//!
//! In a scenario directory, the subdirectory `k8s-api/` holds one file per listed evidence
//! source; `available_evidence` keeps the seven source names of the `opensre` profile:
//!
//! | source | file(s) under `k8s-api/` | content |
//! |---|---|---|
//! | `eks_pods` | `pods.json` | core/v1 `PodList` of the namespace |
//! | `eks_events` | `events.json` | core/v1 `EventList` of all namespaces (Node events included; kubelet-form and events.k8s.io-written events mixed) |
//! | `eks_deployments` | `deployments.json`, optional `statefulsets.json`, `replicasets.json` | apps/v1 `DeploymentList`, `StatefulSetList`, `ReplicaSetList` |
//! | `eks_node_health` | `nodes.json` | core/v1 `NodeList` |
//! | `eks_pod_logs` | `pod_logs.json` | [`PodLogCapture`]: one entry per namespace/pod/container/previous with the log text or the API's error `Status` |
//! | `datadog_logs` | `datadog_logs.json` | Logs v2 search response ([`datadog::LogsSearchResponse`]) |
//! | `datadog_monitors` | `datadog_monitors.json` | Monitors v1 list: a bare JSON array of [`datadog::Monitor`] |
//!
//! A source whose call failed holds what the API answered: for Kubernetes a `Status` object
//! (`{"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 403, ...}`), for
//! Datadog `{"datadog_error": {"http_status": 403, "body": {"errors": [...]}}}` or
//! `{"datadog_error": {"transport_error": "timed out"}}` ([`datadog::DatadogFailureFile`]).
//! `statefulsets.json` and `replicasets.json` are optional because
//! `kubectl get pods,events,deployments,statefulsets,nodes` (what `import` reads) has no
//! ReplicaSets; the deployment tool reads Deployments only.
//!
//! # Strict check
//!
//! Every file deserializes into the `k8s-openapi` types (feature `v1_33`, the oldest EKS
//! version still supported) or the Datadog types of [`datadog`] with no unknown field and no
//! missing required field. `k8s-openapi` silently drops unknown fields and fills a missing
//! required field with its default, so each file goes through `serde_ignored` (which names
//! every dropped field) and `serde_path_to_error` (which names the field of a type error), and
//! the typed value is serialized back and compared with the input: a key the model writes
//! that the input lacks (or gave as `null`) is a missing required field. Explicit `null`s of
//! optional fields count as absent; two timestamps of the same instant are equal (at the
//! model's precision: `metav1.Time` keeps whole seconds). Every problem names the file and
//! the field path (`pods.json: items[0].status.containerStatuses[0].restartCount: ...`).

pub mod datadog;
mod strict;

use std::path::Path;

use k8s_openapi::List;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::files::EvidenceKind;
use crate::load::{Files, Problem};
use datadog::{DatadogAnswer, DatadogFailureFile, LogsSearchResponse, Monitor};
pub(crate) use strict::{at, join_path};

/// The subdirectory of a scenario that holds the k8s-api profile.
pub const DIR: &str = "k8s-api";

/// A core/v1 `PodList`.
pub type PodList = List<Pod>;
/// A core/v1 `EventList`.
pub type EventList = List<Event>;
/// A core/v1 `NodeList`.
pub type NodeList = List<Node>;
/// An apps/v1 `DeploymentList`.
pub type DeploymentList = List<Deployment>;
/// An apps/v1 `StatefulSetList`.
pub type StatefulSetList = List<StatefulSet>;
/// An apps/v1 `ReplicaSetList`.
pub type ReplicaSetList = List<ReplicaSet>;

/// What a Kubernetes API call answered: the object, or the error `Status`.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiAnswer<T> {
    /// The call succeeded.
    Ok(T),
    /// The API server answered with an error `Status` (403 Forbidden, 404 NotFound, ...).
    Failed(Box<Status>),
}

impl<T> ApiAnswer<T> {
    /// The object, if the call succeeded.
    pub fn ok(&self) -> Option<&T> {
        match self {
            ApiAnswer::Ok(t) => Some(t),
            ApiAnswer::Failed(_) => None,
        }
    }
}

/// `k8s-api/pod_logs.json`: container logs as `kubectl logs [--previous]` (the API's
/// `GET .../pods/NAME/log?container=C&previous=B`) returned them. The API answers logs as
/// plain text, so this capture format is ours: one entry per namespace/pod/container/previous.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PodLogCapture {
    /// One entry per log request.
    pub logs: Vec<PodLogEntry>,
}

/// One container log request and what the API answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PodLogEntry {
    /// Namespace of the pod.
    pub namespace: String,
    /// Pod name.
    pub pod: String,
    /// Container name.
    pub container: String,
    /// `true` for the previous (terminated) instance of the container (`--previous`).
    pub previous: bool,
    /// The log text the API returned (exactly one of `text` and `status`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The error `Status` the API returned instead (e.g. 400 `previous terminated container
    /// "api" in pod "x" not found`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
}

impl PodLogEntry {
    /// The log text, or the error status.
    pub fn answer(&self) -> Result<&str, &Status> {
        match (&self.text, &self.status) {
            (Some(t), _) => Ok(t),
            (None, Some(s)) => Err(s),
            // Excluded by the strict check; an empty log is the safe reading.
            (None, None) => Ok(""),
        }
    }
}

/// The raw evidence of a scenario, one field per file of the layout; `None` where the
/// scenario does not list the source.
///
/// On the wire (a case of profile `k8s-api`) it is an object with one key per file, each the
/// file's own JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[expect(
    missing_docs,
    reason = "one field per file of the layout, named as the file"
)]
pub struct RawEvidence {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<ApiAnswer<PodList>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<ApiAnswer<EventList>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployments: Option<ApiAnswer<DeploymentList>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statefulsets: Option<ApiAnswer<StatefulSetList>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicasets: Option<ApiAnswer<ReplicaSetList>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<ApiAnswer<NodeList>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_logs: Option<PodLogCapture>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datadog_logs: Option<DatadogAnswer<LogsSearchResponse>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datadog_monitors: Option<DatadogAnswer<Vec<Monitor>>>,
}

/// The files of the layout that hold one evidence source: the required one first, then the
/// optional ones.
pub fn files_of(kind: EvidenceKind) -> &'static [&'static str] {
    match kind {
        EvidenceKind::EksPods => &["pods.json"],
        EvidenceKind::EksEvents => &["events.json"],
        EvidenceKind::EksDeployments => {
            &["deployments.json", "statefulsets.json", "replicasets.json"]
        }
        EvidenceKind::EksNodeHealth => &["nodes.json"],
        EvidenceKind::EksPodLogs => &["pod_logs.json"],
        EvidenceKind::DatadogLogs => &["datadog_logs.json"],
        EvidenceKind::DatadogMonitors => &["datadog_monitors.json"],
    }
}

/// Any object the strict check knows, as `kubectl get -o json` or the API returns it.
#[derive(Clone, Debug, PartialEq)]
#[expect(
    missing_docs,
    reason = "one variant per Kubernetes kind, named as the kind"
)]
pub enum KubeObject {
    Pod(Box<Pod>),
    PodList(PodList),
    Event(Box<Event>),
    EventList(EventList),
    Node(Box<Node>),
    NodeList(NodeList),
    Deployment(Box<Deployment>),
    DeploymentList(DeploymentList),
    StatefulSet(Box<StatefulSet>),
    StatefulSetList(StatefulSetList),
    ReplicaSet(Box<ReplicaSet>),
    ReplicaSetList(ReplicaSetList),
    DaemonSet(Box<DaemonSet>),
    DaemonSetList(List<DaemonSet>),
    Job(Box<Job>),
    JobList(List<Job>),
    /// An error answer.
    Status(Box<Status>),
    /// A v1 `List` of objects of any kind (what `kubectl get a,b,c -o json` prints).
    List(Vec<KubeObject>),
}

/// The kinds [`parse_object`] reads.
pub const KINDS: &[&str] = &[
    "Pod",
    "PodList",
    "Event",
    "EventList",
    "Node",
    "NodeList",
    "Deployment",
    "DeploymentList",
    "StatefulSet",
    "StatefulSetList",
    "ReplicaSet",
    "ReplicaSetList",
    "DaemonSet",
    "DaemonSetList",
    "Job",
    "JobList",
    "Status",
    "List",
];

/// Parses JSON text as one Kubernetes object of any known kind, strictly.
pub fn parse_object(text: &str, shown: &str) -> Result<KubeObject, Vec<Problem>> {
    let value = parse_json(text, shown)?;
    object(&value, shown, "", true)
}

fn parse_json(text: &str, shown: &str) -> Result<Value, Vec<Problem>> {
    crate::json_check::parse(text)
        .map_err(|e| vec![Problem::file(shown, format!("malformed JSON: {e}"))])
}

fn object(value: &Value, shown: &str, prefix: &str, top: bool) -> Result<KubeObject, Vec<Problem>> {
    use strict::strict as s;
    let Some(kind) = value.get("kind").and_then(Value::as_str) else {
        let message = if value.is_object() {
            "missing required field \"kind\"".to_owned()
        } else {
            "expected a Kubernetes object".to_owned()
        };
        return Err(vec![at(shown, &join_path(prefix, "kind"), message)]);
    };
    Ok(match kind {
        "Pod" => KubeObject::Pod(Box::new(s(value, shown, prefix)?)),
        "PodList" => KubeObject::PodList(s(value, shown, prefix)?),
        "Event" => KubeObject::Event(Box::new(s(value, shown, prefix)?)),
        "EventList" => KubeObject::EventList(s(value, shown, prefix)?),
        "Node" => KubeObject::Node(Box::new(s(value, shown, prefix)?)),
        "NodeList" => KubeObject::NodeList(s(value, shown, prefix)?),
        "Deployment" => KubeObject::Deployment(Box::new(s(value, shown, prefix)?)),
        "DeploymentList" => KubeObject::DeploymentList(s(value, shown, prefix)?),
        "StatefulSet" => KubeObject::StatefulSet(Box::new(s(value, shown, prefix)?)),
        "StatefulSetList" => KubeObject::StatefulSetList(s(value, shown, prefix)?),
        "ReplicaSet" => KubeObject::ReplicaSet(Box::new(s(value, shown, prefix)?)),
        "ReplicaSetList" => KubeObject::ReplicaSetList(s(value, shown, prefix)?),
        "DaemonSet" => KubeObject::DaemonSet(Box::new(s(value, shown, prefix)?)),
        "DaemonSetList" => KubeObject::DaemonSetList(s(value, shown, prefix)?),
        "Job" => KubeObject::Job(Box::new(s(value, shown, prefix)?)),
        "JobList" => KubeObject::JobList(s(value, shown, prefix)?),
        "Status" => KubeObject::Status(Box::new(status(value, shown, prefix)?)),
        "List" if top => KubeObject::List(generic_list(value, shown, prefix)?),
        other => {
            return Err(vec![at(
                shown,
                &join_path(prefix, "kind"),
                format!(
                    "unknown kind \"{other}\" (expected one of {})",
                    KINDS.join(", ")
                ),
            )]);
        }
    })
}

/// A v1 `List`: `apiVersion`, `kind`, `metadata`, and `items` of any known kind.
fn generic_list(value: &Value, shown: &str, prefix: &str) -> Result<Vec<KubeObject>, Vec<Problem>> {
    let mut problems = Vec::new();
    let Some(map) = value.as_object() else {
        return Err(vec![at(shown, prefix, "expected an object")]);
    };
    for (key, v) in map {
        let p = join_path(prefix, key);
        match key.as_str() {
            "kind" | "items" => {}
            "apiVersion" if v == "v1" => {}
            "apiVersion" => problems.push(at(shown, &p, format!("expected \"v1\", got {v}"))),
            "metadata" if v.is_object() || v.is_null() => {}
            "metadata" => problems.push(at(shown, &p, "expected an object")),
            _ => problems.push(at(shown, &p, "unknown field (not in the API's schema)")),
        }
    }
    let mut items = Vec::new();
    match map.get("items") {
        Some(Value::Array(list)) => {
            for (i, item) in list.iter().enumerate() {
                match object(
                    item,
                    shown,
                    &join_path(prefix, &format!("items[{i}]")),
                    false,
                ) {
                    Ok(KubeObject::Status(_)) => problems.push(at(
                        shown,
                        &join_path(prefix, &format!("items[{i}].kind")),
                        "a Status is an answer, not an item of a List",
                    )),
                    Ok(o) => items.push(o),
                    Err(p) => problems.extend(p),
                }
            }
        }
        Some(_) => problems.push(at(shown, &join_path(prefix, "items"), "expected a list")),
        None => problems.push(at(
            shown,
            &join_path(prefix, "items"),
            "missing required field",
        )),
    }
    if problems.is_empty() {
        Ok(items)
    } else {
        Err(problems)
    }
}

/// A `Status` that is a failure answer: `status: Failure` and an error `code`.
fn status(value: &Value, shown: &str, prefix: &str) -> Result<Status, Vec<Problem>> {
    let st: Status = strict::strict(value, shown, prefix)?;
    let mut problems = Vec::new();
    if st.status.as_deref() != Some("Failure") {
        problems.push(at(
            shown,
            &join_path(prefix, "status"),
            "an error answer has status \"Failure\"",
        ));
    }
    match st.code {
        Some(code) if (400..600).contains(&code) => {}
        Some(code) => problems.push(at(
            shown,
            &join_path(prefix, "code"),
            format!("expected an HTTP error code 400..599, got {code}"),
        )),
        None => problems.push(at(
            shown,
            &join_path(prefix, "code"),
            "missing required field",
        )),
    }
    problems.sort();
    if problems.is_empty() {
        Ok(st)
    } else {
        Err(problems)
    }
}

/// A file that must hold one list kind or the error `Status`.
fn api_answer<T>(
    text: &str,
    shown: &str,
    want: &str,
    pick: fn(KubeObject) -> Option<T>,
) -> Result<ApiAnswer<T>, Vec<Problem>> {
    let value = parse_json(text, shown)?;
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind != want && kind != "Status" && !kind.is_empty() {
        return Err(vec![at(
            shown,
            "kind",
            format!("expected {want} (or the API's error Status), got \"{kind}\""),
        )]);
    }
    // Name the odd item of a list with mixed kinds by its kind (k8s-openapi would first
    // trip over its apiVersion).
    let item_kind = want.strip_suffix("List").unwrap_or(want);
    if let Some(items) = value.get("items").and_then(Value::as_array) {
        let odd: Vec<Problem> = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let k = item.get("kind").and_then(Value::as_str)?;
                (k != item_kind).then(|| {
                    at(
                        shown,
                        &format!("items[{i}].kind"),
                        format!("expected {item_kind}, got \"{k}\" (a {want} holds one kind)"),
                    )
                })
            })
            .collect();
        if !odd.is_empty() {
            return Err(odd);
        }
    }
    match object(&value, shown, "", false)? {
        KubeObject::Status(s) => Ok(ApiAnswer::Failed(s)),
        other => pick(other)
            .map(ApiAnswer::Ok)
            .ok_or_else(|| vec![at(shown, "kind", format!("expected {want}"))]),
    }
}

/// Parses `k8s-api/pods.json`.
pub fn parse_pods(text: &str, shown: &str) -> Result<ApiAnswer<PodList>, Vec<Problem>> {
    api_answer(text, shown, "PodList", |o| match o {
        KubeObject::PodList(l) => Some(l),
        _ => None,
    })
}

/// Parses `k8s-api/events.json`.
pub fn parse_events(text: &str, shown: &str) -> Result<ApiAnswer<EventList>, Vec<Problem>> {
    api_answer(text, shown, "EventList", |o| match o {
        KubeObject::EventList(l) => Some(l),
        _ => None,
    })
}

/// Parses `k8s-api/nodes.json`.
pub fn parse_nodes(text: &str, shown: &str) -> Result<ApiAnswer<NodeList>, Vec<Problem>> {
    api_answer(text, shown, "NodeList", |o| match o {
        KubeObject::NodeList(l) => Some(l),
        _ => None,
    })
}

/// Parses `k8s-api/deployments.json`.
pub fn parse_deployments(
    text: &str,
    shown: &str,
) -> Result<ApiAnswer<DeploymentList>, Vec<Problem>> {
    api_answer(text, shown, "DeploymentList", |o| match o {
        KubeObject::DeploymentList(l) => Some(l),
        _ => None,
    })
}

/// Parses `k8s-api/statefulsets.json`.
pub fn parse_statefulsets(
    text: &str,
    shown: &str,
) -> Result<ApiAnswer<StatefulSetList>, Vec<Problem>> {
    api_answer(text, shown, "StatefulSetList", |o| match o {
        KubeObject::StatefulSetList(l) => Some(l),
        _ => None,
    })
}

/// Parses `k8s-api/replicasets.json`.
pub fn parse_replicasets(
    text: &str,
    shown: &str,
) -> Result<ApiAnswer<ReplicaSetList>, Vec<Problem>> {
    api_answer(text, shown, "ReplicaSetList", |o| match o {
        KubeObject::ReplicaSetList(l) => Some(l),
        _ => None,
    })
}

/// Parses `k8s-api/pod_logs.json`.
pub fn parse_pod_logs(text: &str, shown: &str) -> Result<PodLogCapture, Vec<Problem>> {
    let value = parse_json(text, shown)?;
    let capture: PodLogCapture = strict::strict(&value, shown, "")?;
    let mut problems = Vec::new();
    for (i, e) in capture.logs.iter().enumerate() {
        if e.text.is_some() == e.status.is_some() {
            problems.push(at(
                shown,
                &format!("logs[{i}]"),
                "expected exactly one of text (the log) and status (the API's error)",
            ));
        }
        if let Some(v) = value.pointer(&format!("/logs/{i}/status"))
            && let Err(p) = status(v, shown, &format!("logs[{i}].status"))
        {
            problems.extend(p);
        }
        for (field, v) in [
            ("namespace", &e.namespace),
            ("pod", &e.pod),
            ("container", &e.container),
        ] {
            if v.trim().is_empty() {
                problems.push(at(
                    shown,
                    &format!("logs[{i}].{field}"),
                    "must not be empty",
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(capture)
    } else {
        Err(problems)
    }
}

/// A Datadog file: the failure form, or the success value parsed strictly.
fn datadog<T: serde::de::DeserializeOwned + Serialize>(
    value: &Value,
    shown: &str,
) -> Result<DatadogAnswer<T>, Vec<Problem>> {
    if value.get("datadog_error").is_some() {
        let f: DatadogFailureFile = strict::strict(value, shown, "")?;
        return match f.datadog_error.check() {
            None => Ok(DatadogAnswer::Failed(f.datadog_error)),
            Some((field, message)) => Err(vec![at(shown, field, message)]),
        };
    }
    strict::strict(value, shown, "").map(DatadogAnswer::Ok)
}

/// Parses `k8s-api/datadog_logs.json`.
pub fn parse_datadog_logs(
    text: &str,
    shown: &str,
) -> Result<DatadogAnswer<LogsSearchResponse>, Vec<Problem>> {
    let value = parse_json(text, shown)?;
    if value.get("errors").is_some() && value.get("data").is_none() {
        return Err(vec![at(
            shown,
            "errors",
            "a raw Datadog error body; a failed call is written {\"datadog_error\": {\"http_status\": N, \"body\": {\"errors\": [...]}}}",
        )]);
    }
    let answer: DatadogAnswer<LogsSearchResponse> = datadog(&value, shown)?;
    if let DatadogAnswer::Ok(page) = &answer {
        let bad: Vec<Problem> = page
            .data
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind != "log")
            .map(|(i, e)| {
                at(
                    shown,
                    &format!("data[{i}].type"),
                    format!("expected \"log\", got \"{}\"", e.kind),
                )
            })
            .collect();
        if !bad.is_empty() {
            return Err(bad);
        }
    }
    Ok(answer)
}

/// Parses `k8s-api/datadog_monitors.json` (a bare JSON array, or the failure form).
pub fn parse_datadog_monitors(
    text: &str,
    shown: &str,
) -> Result<DatadogAnswer<Vec<Monitor>>, Vec<Problem>> {
    let value = parse_json(text, shown)?;
    if !value.is_array() && value.get("datadog_error").is_none() {
        return Err(vec![Problem::file(
            shown,
            "expected the Monitors v1 list (a bare JSON array) or {\"datadog_error\": ...}",
        )]);
    }
    let answer: DatadogAnswer<Vec<Monitor>> = datadog(&value, shown)?;
    if let DatadogAnswer::Ok(list) = &answer {
        let bad: Vec<Problem> = list
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                let state = m.overall_state.as_deref()?;
                (!datadog::MONITOR_STATES.contains(&state)).then(|| {
                    at(
                        shown,
                        &format!("[{i}].overall_state"),
                        format!(
                            "unknown value \"{state}\" (expected one of {})",
                            datadog::MONITOR_STATES.join(", ")
                        ),
                    )
                })
            })
            .collect();
        if !bad.is_empty() {
            return Err(bad);
        }
    }
    Ok(answer)
}

/// A single Datadog object of any shape the profile reads (the realdata captures hold single
/// monitors too).
#[derive(Clone, Debug, PartialEq)]
pub enum DatadogObject {
    /// A Logs v2 response page.
    Logs(LogsSearchResponse),
    /// A Monitors v1 list.
    Monitors(Vec<Monitor>),
    /// One monitor (`GET /api/v1/monitor/{id}`).
    Monitor(Box<Monitor>),
}

/// Parses a Datadog response of any shape [`DatadogObject`] names, strictly.
pub fn parse_datadog_object(text: &str, shown: &str) -> Result<DatadogObject, Vec<Problem>> {
    let value = parse_json(text, shown)?;
    if value.is_array() {
        return strict::strict(&value, shown, "").map(DatadogObject::Monitors);
    }
    if value.get("data").is_some() {
        return strict::strict(&value, shown, "").map(DatadogObject::Logs);
    }
    strict::strict(&value, shown, "")
        .map(Box::new)
        .map(DatadogObject::Monitor)
}

/// Loads the k8s-api files of the listed sources from `dir` (a scenario's `k8s-api/`), and
/// from `base` for a file `dir` does not have. `shown` prefixes file names in problems.
pub fn load_dir(
    dir: &Path,
    shown: &str,
    base: Option<(&Path, &str)>,
    available: &[EvidenceKind],
) -> Result<RawEvidence, Vec<Problem>> {
    let own = dir.display().to_string();
    let base_path = base.map(|(p, s)| (p.display().to_string(), s));
    load_from(
        &Files::Dir(Path::new(".")),
        &own,
        shown,
        base_path.as_ref().map(|(p, s)| (p.as_str(), *s)),
        available,
    )
}

/// [`load_dir`] over the loader's files: `dir` and `base` are `(path in the corpus, shown)`.
pub(crate) fn load_from(
    files: &Files,
    dir: &str,
    shown: &str,
    base: Option<(&str, &str)>,
    available: &[EvidenceKind],
) -> Result<RawEvidence, Vec<Problem>> {
    let mut raw = RawEvidence::default();
    let mut problems = Vec::new();
    // As in the loader: something there that is not a regular file (a link, a FIFO, a
    // directory) is a problem, never a reason to use the base's file.
    let lookup = |file: &str| -> Result<Option<(String, String)>, Problem> {
        let own = format!("{dir}/{file}");
        let own_shown = format!("{shown}/{file}");
        if files.file(&own, &own_shown)? {
            return Ok(Some((own, own_shown)));
        }
        let Some((b, b_shown)) = base else {
            return Ok(None);
        };
        let inherited = format!("{b}/{file}");
        let inherited_shown = format!("{b_shown}/{file}");
        Ok(files
            .file(&inherited, &inherited_shown)?
            .then_some((inherited, inherited_shown)))
    };
    for &kind in available {
        for (n, &file) in files_of(kind).iter().enumerate() {
            let found = match lookup(file) {
                Ok(found) => found,
                Err(p) => {
                    problems.push(p);
                    continue;
                }
            };
            let Some((path, file_shown)) = found else {
                if n == 0 {
                    problems.push(Problem::file(
                        format!("{shown}/{file}"),
                        format!("missing (scenario.yml lists {})", kind.as_str()),
                    ));
                }
                continue;
            };
            let text = match files.text(&path, &file_shown) {
                Ok(t) => t,
                Err(p) => {
                    problems.push(p);
                    continue;
                }
            };
            let s = &file_shown;
            let r: Result<(), Vec<Problem>> = match file {
                "pods.json" => parse_pods(&text, s).map(|v| raw.pods = Some(v)),
                "events.json" => parse_events(&text, s).map(|v| raw.events = Some(v)),
                "deployments.json" => {
                    parse_deployments(&text, s).map(|v| raw.deployments = Some(v))
                }
                "statefulsets.json" => {
                    parse_statefulsets(&text, s).map(|v| raw.statefulsets = Some(v))
                }
                "replicasets.json" => {
                    parse_replicasets(&text, s).map(|v| raw.replicasets = Some(v))
                }
                "nodes.json" => parse_nodes(&text, s).map(|v| raw.nodes = Some(v)),
                "pod_logs.json" => parse_pod_logs(&text, s).map(|v| raw.pod_logs = Some(v)),
                "datadog_logs.json" => {
                    parse_datadog_logs(&text, s).map(|v| raw.datadog_logs = Some(v))
                }
                _ => parse_datadog_monitors(&text, s).map(|v| raw.datadog_monitors = Some(v)),
            };
            if let Err(p) = r {
                problems.extend(p);
            }
        }
    }
    if problems.is_empty() {
        Ok(raw)
    } else {
        problems.sort();
        Err(problems)
    }
}

/// On the wire (the case protocol), an answer is the file's own JSON: the list, or the
/// `Status` (told apart by `kind`).
impl<T: Serialize> Serialize for ApiAnswer<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ApiAnswer::Ok(t) => t.serialize(s),
            ApiAnswer::Failed(st) => st.serialize(s),
        }
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for ApiAnswer<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        if value.get("kind").and_then(Value::as_str) == Some("Status") {
            serde_json::from_value(value)
                .map(|s| ApiAnswer::Failed(Box::new(s)))
                .map_err(serde::de::Error::custom)
        } else {
            serde_json::from_value(value)
                .map(ApiAnswer::Ok)
                .map_err(serde::de::Error::custom)
        }
    }
}

/// On the wire, a Datadog answer is the file's own JSON: the response, or
/// `{"datadog_error": ...}`.
impl<T: Serialize> Serialize for DatadogAnswer<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            DatadogAnswer::Ok(t) => t.serialize(s),
            DatadogAnswer::Failed(f) => DatadogFailureFile {
                datadog_error: f.clone(),
            }
            .serialize(s),
        }
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for DatadogAnswer<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        if value.get("datadog_error").is_some() {
            serde_json::from_value::<DatadogFailureFile>(value)
                .map(|f| DatadogAnswer::Failed(f.datadog_error))
                .map_err(serde::de::Error::custom)
        } else {
            serde_json::from_value(value)
                .map(DatadogAnswer::Ok)
                .map_err(serde::de::Error::custom)
        }
    }
}

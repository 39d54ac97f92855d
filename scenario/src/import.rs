//! `import`: a real snapshot (`kubectl get pods,events,deployments,statefulsets,nodes -A -o json`
//! output or separate files, `kubectl logs [--previous]` files, Datadog responses) plus the
//! answer becomes a scenario directory in both profiles: the `k8s-api/` files as given (after the
//! strict check) and the `opensre` files by [`crate::projection`].
//!
//! [`build`] checks everything and returns the files to write; nothing touches the disk, so a
//! bad input leaves no partial directory (the caller writes to a temporary path and renames).

use std::collections::BTreeSet;

use k8s_openapi::List;
use serde::Serialize;

use crate::case::Case;
use crate::files::{Alert, AnswerFile, EvidenceKind, ScenarioFile};
use crate::k8s_api::datadog::{DatadogAnswer, LogsSearchResponse, Monitor};
use crate::k8s_api::{self, ApiAnswer, KubeObject, PodLogCapture, PodLogEntry, RawEvidence};
use crate::load::Problem;
use crate::projection::{ToolCalls, project};

/// One input file: its name as shown in problems, and its text.
#[derive(Clone, Debug)]
pub struct InputFile {
    /// As given on the command line.
    pub shown: String,
    /// The file's text.
    pub text: String,
}

/// One container log file (`kubectl logs [--previous] -c CONTAINER POD`).
#[derive(Clone, Debug)]
pub struct LogFile {
    /// Namespace of the pod.
    pub namespace: String,
    /// Pod name.
    pub pod: String,
    /// Container name.
    pub container: String,
    /// `--previous`.
    pub previous: bool,
    /// The file.
    pub file: InputFile,
}

/// Everything `import` reads.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// Snapshot files: a v1 `List` of any of the layout's kinds, a typed list, or one object.
    pub snapshots: Vec<InputFile>,
    /// Container logs.
    pub logs: Vec<LogFile>,
    /// A Datadog Logs v2 search response.
    pub datadog_logs: Option<InputFile>,
    /// A Datadog Monitors v1 list.
    pub datadog_monitors: Option<InputFile>,
    /// `scenario.yml` of the new scenario (its `available_evidence` is set from the inputs).
    pub scenario: ScenarioFile,
    /// `answer.yml`.
    pub answer: AnswerFile,
    /// `alert.json`.
    pub alert: Alert,
    /// Accept events whose involved object is not in the snapshot (real snapshots keep the
    /// events of deleted pods for an hour).
    pub allow_orphan_events: bool,
}

/// The files of the imported scenario, paths relative to its directory.
pub type Files = Vec<(String, String)>;

/// A list of the API's shape (`apiVersion`, `kind`, `metadata`, `items`).
fn list<T: k8s_openapi::ListableResource>(items: Vec<T>) -> List<T> {
    List {
        items,
        metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ListMeta::default(),
    }
}

/// Checks the inputs and computes every file of the scenario directory.
pub fn build(inputs: &Inputs) -> Result<Files, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut pods = Vec::new();
    let mut events = Vec::new();
    let mut nodes = Vec::new();
    let mut deployments = Vec::new();
    let mut statefulsets = Vec::new();
    let mut replicasets = Vec::new();
    // Where each event came from, for problems: (file, path).
    let mut event_origin = Vec::new();
    for f in &inputs.snapshots {
        let obj = match k8s_api::parse_object(&f.text, &f.shown) {
            Ok(o) => o,
            Err(p) => {
                problems.extend(p);
                continue;
            }
        };
        let items = match obj {
            KubeObject::List(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, o)| (format!("items[{i}]"), o))
                .collect(),
            other => vec![(String::new(), other)],
        };
        for (at, o) in items {
            let mut push_event = |e, at: String| {
                events.push(e);
                event_origin.push((f.shown.clone(), at));
            };
            match o {
                KubeObject::Pod(p) => pods.push(*p),
                KubeObject::PodList(l) => pods.extend(l.items),
                KubeObject::Event(e) => push_event(*e, at),
                KubeObject::EventList(l) => {
                    for (i, e) in l.items.into_iter().enumerate() {
                        push_event(e, format!("items[{i}]"));
                    }
                }
                KubeObject::Node(n) => nodes.push(*n),
                KubeObject::NodeList(l) => nodes.extend(l.items),
                KubeObject::Deployment(d) => deployments.push(*d),
                KubeObject::DeploymentList(l) => deployments.extend(l.items),
                KubeObject::StatefulSet(s) => statefulsets.push(*s),
                KubeObject::StatefulSetList(l) => statefulsets.extend(l.items),
                KubeObject::ReplicaSet(r) => replicasets.push(*r),
                KubeObject::ReplicaSetList(l) => replicasets.extend(l.items),
                KubeObject::Status(_) => problems.push(k8s_api::at(
                    &f.shown,
                    &k8s_api::join_path(&at, "kind"),
                    "a Status is an error answer, not part of a snapshot",
                )),
                KubeObject::DaemonSet(_)
                | KubeObject::DaemonSetList(_)
                | KubeObject::Job(_)
                | KubeObject::JobList(_)
                | KubeObject::List(_) => {
                    problems.push(k8s_api::at(
                        &f.shown,
                        &k8s_api::join_path(&at, "kind"),
                        "not a kind of the k8s-api layout (pods, events, deployments, statefulsets, replicasets, nodes)",
                    ));
                }
            }
        }
    }
    let ns = inputs.scenario.namespace.as_str();
    // Every pod of the snapshot, for the involved-object check; the pod list is the namespace's.
    let all_pods = pods.clone();
    pods.retain(|p| p.metadata.namespace.as_deref() == Some(ns));
    if pods.is_empty() && problems.is_empty() {
        let shown: Vec<&str> = inputs.snapshots.iter().map(|f| f.shown.as_str()).collect();
        problems.push(Problem::file(
            shown.join(", "),
            format!("the snapshot has no pods in namespace \"{ns}\" (a scenario needs the pods of its namespace)"),
        ));
    }
    // Events must be about objects the snapshot has.
    if !inputs.allow_orphan_events {
        let has = |kind: &str, ns: Option<&str>, name: &str| -> Option<bool> {
            let named = |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
                m.name.as_deref() == Some(name) && (ns.is_none() || m.namespace.as_deref() == ns)
            };
            Some(match kind {
                "Pod" => all_pods.iter().any(|p| named(&p.metadata)),
                "Node" => nodes
                    .iter()
                    .any(|n| n.metadata.name.as_deref() == Some(name)),
                "Deployment" => deployments.iter().any(|d| named(&d.metadata)),
                "StatefulSet" => statefulsets.iter().any(|s| named(&s.metadata)),
                "ReplicaSet" => replicasets.iter().any(|r| named(&r.metadata)),
                _ => return None,
            })
        };
        for (e, (file, at)) in events.iter().zip(&event_origin) {
            let o = &e.involved_object;
            let (Some(kind), Some(name)) = (o.kind.as_deref(), o.name.as_deref()) else {
                continue;
            };
            if has(kind, o.namespace.as_deref(), name) == Some(false) {
                problems.push(k8s_api::at(
                    file,
                    &k8s_api::join_path(at, "involvedObject.name"),
                    format!("{kind} \"{name}\" is not in the snapshot (--allow-orphan-events accepts events of deleted objects)"),
                ));
            }
        }
    }
    // Logs must be of pods the snapshot has.
    let mut capture = PodLogCapture::default();
    for l in &inputs.logs {
        let known = pods.iter().any(|p| {
            p.metadata.name.as_deref() == Some(l.pod.as_str())
                && p.metadata.namespace.as_deref() == Some(l.namespace.as_str())
        });
        if !known {
            problems.push(Problem::file(
                &l.file.shown,
                format!(
                    "logs of pod {}/{}, which is not in the snapshot",
                    l.namespace, l.pod
                ),
            ));
            continue;
        }
        capture.logs.push(PodLogEntry {
            namespace: l.namespace.clone(),
            pod: l.pod.clone(),
            container: l.container.clone(),
            previous: l.previous,
            text: Some(l.file.text.clone()),
            status: None,
        });
    }
    let datadog_logs: Option<DatadogAnswer<LogsSearchResponse>> =
        inputs.datadog_logs.as_ref().and_then(|f| {
            k8s_api::parse_datadog_logs(&f.text, &f.shown)
                .map_err(|p| problems.extend(p))
                .ok()
        });
    let datadog_monitors: Option<DatadogAnswer<Vec<Monitor>>> =
        inputs.datadog_monitors.as_ref().and_then(|f| {
            k8s_api::parse_datadog_monitors(&f.text, &f.shown)
                .map_err(|p| problems.extend(p))
                .ok()
        });
    for (f, failed) in [
        (
            &inputs.datadog_logs,
            matches!(datadog_logs, Some(DatadogAnswer::Failed(_))),
        ),
        (
            &inputs.datadog_monitors,
            matches!(datadog_monitors, Some(DatadogAnswer::Failed(_))),
        ),
    ] {
        if let (Some(f), true) = (f, failed) {
            problems.push(Problem::file(
                &f.shown,
                "a Datadog error answer, not a response to import",
            ));
        }
    }
    if !problems.is_empty() {
        problems.sort();
        problems.dedup();
        return Err(problems);
    }

    let raw = RawEvidence {
        pods: Some(ApiAnswer::Ok(list(pods))),
        events: (!events.is_empty()).then(|| ApiAnswer::Ok(list(events))),
        // The deployment source is listed with any workload list (the tool reads Deployments;
        // an empty DeploymentList is what the API returns for a namespace without one).
        deployments: (!deployments.is_empty()
            || !statefulsets.is_empty()
            || !replicasets.is_empty())
        .then(|| ApiAnswer::Ok(list(deployments))),
        statefulsets: (!statefulsets.is_empty()).then(|| ApiAnswer::Ok(list(statefulsets))),
        replicasets: (!replicasets.is_empty()).then(|| ApiAnswer::Ok(list(replicasets))),
        nodes: (!nodes.is_empty()).then(|| ApiAnswer::Ok(list(nodes))),
        pod_logs: (!capture.logs.is_empty()).then_some(capture),
        datadog_logs,
        datadog_monitors,
    };
    let mut scenario = inputs.scenario.clone();
    scenario.base = None;
    scenario.available_evidence = EvidenceKind::ALL
        .iter()
        .copied()
        .filter(|k| match k {
            EvidenceKind::EksPods => raw.pods.is_some(),
            EvidenceKind::EksEvents => raw.events.is_some(),
            EvidenceKind::EksDeployments => raw.deployments.is_some(),
            EvidenceKind::EksNodeHealth => raw.nodes.is_some(),
            EvidenceKind::EksPodLogs => raw.pod_logs.is_some(),
            EvidenceKind::DatadogLogs => raw.datadog_logs.is_some(),
            EvidenceKind::DatadogMonitors => raw.datadog_monitors.is_some(),
        })
        .collect();

    let mut files: Files = Vec::new();
    let yaml = |v: &dyn ErasedYaml| v.yaml();
    files.push(("scenario.yml".into(), yaml(&scenario)));
    files.push(("answer.yml".into(), yaml(&inputs.answer)));
    files.push(("alert.json".into(), pretty(&inputs.alert)));
    let raw_files: [(&str, Option<String>); 9] = [
        ("pods.json", raw.pods.as_ref().map(pretty)),
        ("events.json", raw.events.as_ref().map(pretty)),
        ("deployments.json", raw.deployments.as_ref().map(pretty)),
        ("statefulsets.json", raw.statefulsets.as_ref().map(pretty)),
        ("replicasets.json", raw.replicasets.as_ref().map(pretty)),
        ("nodes.json", raw.nodes.as_ref().map(pretty)),
        ("pod_logs.json", raw.pod_logs.as_ref().map(pretty)),
        ("datadog_logs.json", raw.datadog_logs.as_ref().map(pretty)),
        (
            "datadog_monitors.json",
            raw.datadog_monitors.as_ref().map(pretty),
        ),
    ];
    for (name, text) in raw_files {
        if let Some(text) = text {
            files.push((format!("{}/{name}", k8s_api::DIR), text));
        }
    }
    // The opensre files: the projection, with the calls an agent would make for this case.
    let case = Case {
        id: String::new(),
        context: crate::case::Context {
            engine: scenario.engine,
            cluster_name: scenario.cluster_name.clone(),
            namespace: scenario.namespace.clone(),
            workload_type: scenario.workload_type,
            workload_name: scenario.workload_name.clone(),
            region: scenario.region.clone(),
        },
        alert: inputs.alert.clone(),
        evidence: crate::case::Evidence::default(),
        profile: crate::files::Profile::K8sApi,
        k8s_api: Some(raw.clone()),
    };
    let mut calls = ToolCalls::for_case(&case);
    if let (Some(pod), Some(c)) = (inputs.answer.affected_pod.as_deref(), raw.pod_logs.as_ref()) {
        let name = pod.rsplit('/').next().unwrap_or(pod);
        if let Some(e) = c.logs.iter().find(|e| e.pod == name) {
            calls.pod_logs = Some(crate::projection::PodLogsCall {
                pod: e.pod.clone(),
                container: Some(
                    inputs
                        .answer
                        .affected_container
                        .clone()
                        .unwrap_or_else(|| e.container.clone()),
                ),
                previous: c.logs.iter().any(|x| x.pod == e.pod && x.previous),
            });
        }
    }
    let projected =
        project(&raw, &calls).map_err(|e| vec![Problem::file("pod logs", e.to_string())])?;
    for (kind, text) in projected {
        files.push((kind.file_name(), text));
    }
    let names: BTreeSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    debug_assert_eq!(names.len(), files.len());
    Ok(files)
}

fn pretty<T: Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// One YAML writer for two types.
trait ErasedYaml {
    fn yaml(&self) -> String;
}

impl<T: Serialize> ErasedYaml for T {
    fn yaml(&self) -> String {
        serde_saphyr::to_string(self).unwrap_or_else(|e| format!("# serialization failed: {e}\n"))
    }
}

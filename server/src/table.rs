//! Server-side printing: the `meta.k8s.io/v1` `Table` a Kubernetes API server answers when
//! kubectl asks for one (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), which decides
//! what `kubectl get` shows.
//!
//! Written from the API server's printers (`pkg/printers/internalversion/printers.go`): the
//! column definitions of pods, events, nodes, deployments, statefulsets and replicasets, the pod
//! STATUS reason (phase, then init containers `Init:N/M` / `Init:<reason>`, then the containers
//! from last to first: waiting reason, terminated reason, `Signal:N` / `ExitCode:N`, a
//! `Completed` pod with a running container back to `Running`/`NotReady`, `Terminating`), the
//! RESTARTS cell with the age of the last restart (`3 (49s ago)`) and apimachinery's
//! `HumanDuration` for every age. The API server prints with `Wide: true` and kubectl hides the
//! `priority: 1` columns unless `-o wide`.

use serde_json::{Value, json};

/// A column: name, type, and priority (1: shown with `-o wide` only).
type Column = (&'static str, &'static str, u8);

const POD_COLUMNS: &[Column] = &[
    ("Name", "string", 0),
    ("Ready", "string", 0),
    ("Status", "string", 0),
    ("Restarts", "string", 0),
    ("Age", "string", 0),
    ("IP", "string", 1),
    ("Node", "string", 1),
    ("Nominated Node", "string", 1),
    ("Readiness Gates", "string", 1),
];

const EVENT_COLUMNS: &[Column] = &[
    ("Last Seen", "string", 0),
    ("Type", "string", 0),
    ("Reason", "string", 0),
    ("Object", "string", 0),
    ("Subobject", "string", 1),
    ("Source", "string", 1),
    ("Message", "string", 0),
    ("First Seen", "string", 1),
    ("Count", "string", 1),
    ("Name", "string", 1),
];

const NODE_COLUMNS: &[Column] = &[
    ("Name", "string", 0),
    ("Status", "string", 0),
    ("Roles", "string", 0),
    ("Age", "string", 0),
    ("Version", "string", 0),
    ("Internal-IP", "string", 1),
    ("External-IP", "string", 1),
    ("OS-Image", "string", 1),
    ("Kernel-Version", "string", 1),
    ("Container-Runtime", "string", 1),
];

const DEPLOYMENT_COLUMNS: &[Column] = &[
    ("Name", "string", 0),
    ("Ready", "string", 0),
    ("Up-to-date", "string", 0),
    ("Available", "string", 0),
    ("Age", "string", 0),
    ("Containers", "string", 1),
    ("Images", "string", 1),
    ("Selector", "string", 1),
];

const STATEFULSET_COLUMNS: &[Column] = &[
    ("Name", "string", 0),
    ("Ready", "string", 0),
    ("Age", "string", 0),
    ("Containers", "string", 1),
    ("Images", "string", 1),
];

const REPLICASET_COLUMNS: &[Column] = &[
    ("Name", "string", 0),
    ("Desired", "integer", 0),
    ("Current", "integer", 0),
    ("Ready", "integer", 0),
    ("Age", "string", 0),
    ("Containers", "string", 1),
    ("Images", "string", 1),
    ("Selector", "string", 1),
];

/// The kinds of object a Table can be printed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Printer {
    /// core/v1 Pod.
    Pod,
    /// core/v1 Event (events.k8s.io/v1 events are printed from their core form).
    Event,
    /// core/v1 Node.
    Node,
    /// apps/v1 Deployment.
    Deployment,
    /// apps/v1 StatefulSet.
    StatefulSet,
    /// apps/v1 ReplicaSet.
    ReplicaSet,
}

impl Printer {
    fn columns(self) -> &'static [Column] {
        match self {
            Printer::Pod => POD_COLUMNS,
            Printer::Event => EVENT_COLUMNS,
            Printer::Node => NODE_COLUMNS,
            Printer::Deployment => DEPLOYMENT_COLUMNS,
            Printer::StatefulSet => STATEFULSET_COLUMNS,
            Printer::ReplicaSet => REPLICASET_COLUMNS,
        }
    }

    fn cells(self, obj: &Value, now: i64) -> Vec<Value> {
        match self {
            Printer::Pod => pod_cells(obj, now),
            Printer::Event => event_cells(obj, now),
            Printer::Node => node_cells(obj, now),
            Printer::Deployment => deployment_cells(obj, now),
            Printer::StatefulSet => statefulset_cells(obj, now),
            Printer::ReplicaSet => replicaset_cells(obj, now),
        }
    }
}

/// The `Table` of `objects` as the API server prints it at `now` (Unix seconds).
pub fn table(printer: Printer, objects: &[&Value], now: i64) -> Value {
    let columns: Vec<Value> = printer
        .columns()
        .iter()
        .map(|(name, kind, priority)| {
            let mut c = json!({"name": name, "type": kind, "format": "", "description": "", "priority": priority});
            if *name == "Name" && printer != Printer::Event {
                c["format"] = json!("name");
            }
            c
        })
        .collect();
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| {
            json!({
                "cells": printer.cells(o, now),
                "object": {
                    "kind": "PartialObjectMetadata",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": o.get("metadata").cloned().unwrap_or_else(|| json!({})),
                },
            })
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": "1"},
        "columnDefinitions": columns,
        "rows": rows,
    })
}

/// apimachinery's `duration.HumanDuration`: `49s`, `2m5s`, `15m`, `3h20m`, `9h`, `3d4h`, `40d`.
pub fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

fn time_of(v: Option<&Value>) -> Option<i64> {
    v.and_then(Value::as_str)
        .and_then(scenario::time::unix_seconds)
}

/// `translateTimestampSince`: the age of a timestamp, `<unknown>` when there is none.
fn since(v: Option<&Value>, now: i64) -> String {
    time_of(v).map_or_else(|| "<unknown>".into(), |t| human_duration(now - t))
}

fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn n(v: &Value, pointer: &str) -> i64 {
    v.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

fn arr<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn or_none(s: &str) -> String {
    if s.is_empty() {
        "<none>".into()
    } else {
        s.to_owned()
    }
}

fn restartable_init(spec_inits: &[Value], name: &str) -> bool {
    spec_inits
        .iter()
        .find(|c| s(c, "/name") == name)
        .is_some_and(|c| s(c, "/restartPolicy") == "Always")
}

/// The reason a terminated state prints: its reason, else `Signal:N`, else `ExitCode:N`.
fn terminated_reason(t: &Value) -> String {
    let reason = s(t, "/reason");
    if !reason.is_empty() {
        reason.to_owned()
    } else if n(t, "/signal") != 0 {
        format!("Signal:{}", n(t, "/signal"))
    } else {
        format!("ExitCode:{}", n(t, "/exitCode"))
    }
}

fn condition_true(pod: &Value, kind: &str) -> bool {
    arr(pod, "/status/conditions")
        .iter()
        .any(|c| s(c, "/type") == kind && s(c, "/status") == "True")
}

/// The cells of a pod: name, ready, status, restarts, age, IP, node, nominated node,
/// readiness gates.
fn pod_cells(pod: &Value, now: i64) -> Vec<Value> {
    let spec_inits = arr(pod, "/spec/initContainers");
    let total = arr(pod, "/spec/containers").len()
        + spec_inits
            .iter()
            .filter(|c| s(c, "/restartPolicy") == "Always")
            .count();
    let mut ready = 0;
    let mut restarts = 0;
    let mut last_restart = None::<i64>;
    let mut sidecar_restarts = 0;
    let mut sidecar_last = None::<i64>;
    let phase = s(pod, "/status/phase");
    let mut reason = match s(pod, "/status/reason") {
        "" => phase.to_owned(),
        r => r.to_owned(),
    };
    if arr(pod, "/status/conditions")
        .iter()
        .any(|c| s(c, "/type") == "PodScheduled" && s(c, "/reason") == "SchedulingGated")
    {
        reason = "SchedulingGated".into();
    }
    let later = |acc: &mut Option<i64>, t: Option<i64>| {
        if let Some(t) = t {
            *acc = Some(acc.map_or(t, |a| a.max(t)));
        }
    };
    let mut initializing = false;
    let inits = arr(pod, "/status/initContainerStatuses");
    for (i, c) in inits.iter().enumerate() {
        restarts += n(c, "/restartCount");
        let finished = time_of(c.pointer("/lastState/terminated/finishedAt"));
        later(&mut last_restart, finished);
        let sidecar = restartable_init(spec_inits, s(c, "/name"));
        if sidecar {
            sidecar_restarts += n(c, "/restartCount");
            later(&mut sidecar_last, finished);
        }
        let terminated = c.pointer("/state/terminated");
        let waiting = s(c, "/state/waiting/reason");
        if terminated.is_some_and(|t| n(t, "/exitCode") == 0) {
            continue;
        }
        if sidecar && c.get("started").and_then(Value::as_bool) == Some(true) {
            if c.get("ready").and_then(Value::as_bool) == Some(true) {
                ready += 1;
            }
            continue;
        }
        if let Some(t) = terminated {
            reason = format!("Init:{}", terminated_reason(t));
        } else if !waiting.is_empty() && waiting != "PodInitializing" {
            reason = format!("Init:{waiting}");
        } else {
            reason = format!("Init:{i}/{}", spec_inits.len());
        }
        initializing = true;
        break;
    }
    if !initializing || condition_true(pod, "Initialized") {
        restarts = sidecar_restarts;
        last_restart = sidecar_last;
        let mut has_running = false;
        for c in arr(pod, "/status/containerStatuses").iter().rev() {
            restarts += n(c, "/restartCount");
            later(
                &mut last_restart,
                time_of(c.pointer("/lastState/terminated/finishedAt")),
            );
            let waiting = s(c, "/state/waiting/reason");
            if !waiting.is_empty() {
                waiting.clone_into(&mut reason);
            } else if let Some(t) = c.pointer("/state/terminated") {
                reason = terminated_reason(t);
            } else if c.get("ready").and_then(Value::as_bool) == Some(true)
                && c.pointer("/state/running").is_some()
            {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            reason = if condition_true(pod, "Ready") {
                "Running".into()
            } else {
                "NotReady".into()
            };
        }
    }
    let deleting = pod.pointer("/metadata/deletionTimestamp").is_some();
    if deleting && s(pod, "/status/reason") == "NodeLost" {
        reason = "Unknown".into();
    } else if deleting && phase != "Succeeded" && phase != "Failed" {
        reason = "Terminating".into();
    }
    let restarts_cell = match last_restart {
        Some(t) if restarts != 0 => format!("{restarts} ({} ago)", human_duration(now - t)),
        _ => restarts.to_string(),
    };
    let ip = arr(pod, "/status/podIPs")
        .first()
        .map_or("", |p| s(p, "/ip"));
    let gates = arr(pod, "/spec/readinessGates");
    let gates_cell = if gates.is_empty() {
        "<none>".to_owned()
    } else {
        let ok = gates
            .iter()
            .filter(|g| condition_true(pod, s(g, "/conditionType")))
            .count();
        format!("{ok}/{}", gates.len())
    };
    vec![
        json!(s(pod, "/metadata/name")),
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts_cell),
        json!(since(pod.pointer("/metadata/creationTimestamp"), now)),
        json!(or_none(ip)),
        json!(or_none(s(pod, "/spec/nodeName"))),
        json!(or_none(s(pod, "/status/nominatedNodeName"))),
        json!(gates_cell),
    ]
}

/// The cells of a core/v1 event: last seen, type, reason, object, subobject, source, message,
/// first seen, count, name.
fn event_cells(ev: &Value, now: i64) -> Vec<Value> {
    let first = if time_of(ev.get("firstTimestamp")).is_some() {
        since(ev.get("firstTimestamp"), now)
    } else {
        since(ev.get("eventTime"), now)
    };
    let mut last = if time_of(ev.get("lastTimestamp")).is_some() {
        since(ev.get("lastTimestamp"), now)
    } else {
        first.clone()
    };
    let mut count = n(ev, "/count");
    if let Some(series) = ev.get("series").filter(|v| v.is_object()) {
        last = since(series.get("lastObservedTime"), now);
        count = n(series, "/count");
    } else if count == 0 {
        count = 1;
    }
    let kind = s(ev, "/involvedObject/kind").to_lowercase();
    let name = s(ev, "/involvedObject/name");
    let target = if name.is_empty() {
        kind
    } else {
        format!("{kind}/{name}")
    };
    let first_non_empty = |a: &str, b: &str| if a.is_empty() { b } else { a }.to_owned();
    let component = first_non_empty(s(ev, "/source/component"), s(ev, "/reportingComponent"));
    let instance = first_non_empty(s(ev, "/source/host"), s(ev, "/reportingInstance"));
    let source = if instance.is_empty() {
        component
    } else {
        format!("{component}, {instance}")
    };
    vec![
        json!(last),
        json!(s(ev, "/type")),
        json!(s(ev, "/reason")),
        json!(target),
        json!(s(ev, "/involvedObject/fieldPath")),
        json!(source),
        json!(s(ev, "/message").trim()),
        json!(first),
        json!(count),
        json!(s(ev, "/metadata/name")),
    ]
}

/// The cells of a node: name, status, roles, age, version, internal and external IP, OS
/// image, kernel, container runtime.
fn node_cells(node: &Value, now: i64) -> Vec<Value> {
    let mut status: Vec<String> = arr(node, "/status/conditions")
        .iter()
        .filter(|c| s(c, "/type") == "Ready")
        .take(1)
        .map(|c| {
            if s(c, "/status") == "True" {
                "Ready".to_owned()
            } else {
                "NotReady".to_owned()
            }
        })
        .collect();
    if status.is_empty() {
        status.push("Unknown".into());
    }
    if node.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
        status.push("SchedulingDisabled".into());
    }
    let mut roles: Vec<String> = node
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|labels| {
            labels
                .iter()
                .filter_map(|(k, v)| {
                    if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
                        (!role.is_empty()).then(|| role.to_owned())
                    } else if k == "kubernetes.io/role" {
                        v.as_str().filter(|r| !r.is_empty()).map(str::to_owned)
                    } else {
                        None
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    roles.sort();
    roles.dedup();
    let address = |kind: &str| {
        arr(node, "/status/addresses")
            .iter()
            .find(|a| s(a, "/type") == kind)
            .map_or_else(|| "<none>".to_owned(), |a| s(a, "/address").to_owned())
    };
    let unknown = |p: &str| match s(node, p) {
        "" => "<unknown>".to_owned(),
        v => v.to_owned(),
    };
    vec![
        json!(s(node, "/metadata/name")),
        json!(status.join(",")),
        json!(if roles.is_empty() {
            "<none>".to_owned()
        } else {
            roles.join(",")
        }),
        json!(since(node.pointer("/metadata/creationTimestamp"), now)),
        json!(s(node, "/status/nodeInfo/kubeletVersion")),
        json!(address("InternalIP")),
        json!(address("ExternalIP")),
        json!(unknown("/status/nodeInfo/osImage")),
        json!(unknown("/status/nodeInfo/kernelVersion")),
        json!(unknown("/status/nodeInfo/containerRuntimeVersion")),
    ]
}

/// Container names and images of a pod template, comma-joined.
fn containers(obj: &Value) -> (String, String) {
    let cs = arr(obj, "/spec/template/spec/containers");
    let names: Vec<&str> = cs.iter().map(|c| s(c, "/name")).collect();
    let images: Vec<&str> = cs.iter().map(|c| s(c, "/image")).collect();
    (names.join(","), images.join(","))
}

/// `metav1.FormatLabelSelector` for `matchLabels` (sorted `k=v`), `<none>` when empty.
fn selector(obj: &Value) -> String {
    let mut parts: Vec<String> = obj
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default();
    for e in arr(obj, "/spec/selector/matchExpressions") {
        let values: Vec<&str> = arr(e, "/values").iter().filter_map(Value::as_str).collect();
        let key = s(e, "/key");
        parts.push(match s(e, "/operator") {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "DoesNotExist" => format!("!{key}"),
            _ => key.to_owned(),
        });
    }
    parts.sort();
    if parts.is_empty() {
        "<none>".into()
    } else {
        parts.join(",")
    }
}

fn replicas(obj: &Value) -> i64 {
    // A missing spec.replicas defaults to 1 on the API server.
    obj.pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1)
}

fn deployment_cells(d: &Value, now: i64) -> Vec<Value> {
    let (names, images) = containers(d);
    vec![
        json!(s(d, "/metadata/name")),
        json!(format!("{}/{}", n(d, "/status/readyReplicas"), replicas(d))),
        json!(n(d, "/status/updatedReplicas")),
        json!(n(d, "/status/availableReplicas")),
        json!(since(d.pointer("/metadata/creationTimestamp"), now)),
        json!(names),
        json!(images),
        json!(selector(d)),
    ]
}

fn statefulset_cells(d: &Value, now: i64) -> Vec<Value> {
    let (names, images) = containers(d);
    vec![
        json!(s(d, "/metadata/name")),
        json!(format!("{}/{}", n(d, "/status/readyReplicas"), replicas(d))),
        json!(since(d.pointer("/metadata/creationTimestamp"), now)),
        json!(names),
        json!(images),
    ]
}

fn replicaset_cells(d: &Value, now: i64) -> Vec<Value> {
    let (names, images) = containers(d);
    vec![
        json!(s(d, "/metadata/name")),
        json!(replicas(d)),
        json!(n(d, "/status/replicas")),
        json!(n(d, "/status/readyReplicas")),
        json!(since(d.pointer("/metadata/creationTimestamp"), now)),
        json!(names),
        json!(images),
        json!(selector(d)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_duration_matches_apimachinery() {
        for (secs, want) in [
            (-5, "<invalid>"),
            (-1, "0s"),
            (0, "0s"),
            (49, "49s"),
            (119, "119s"),
            (120, "2m"),
            (125, "2m5s"),
            (600, "10m"),
            (179 * 60, "179m"),
            (3 * 3600 + 20 * 60, "3h20m"),
            (5 * 3600, "5h"),
            (9 * 3600, "9h"),
            (50 * 3600, "2d2h"),
            (72 * 3600, "3d"),
            (40 * 86_400, "40d"),
            (3 * 365 * 86_400 + 86_400, "3y1d"),
            (10 * 365 * 86_400, "10y"),
        ] {
            assert_eq!(human_duration(secs), want, "{secs}");
        }
    }

    fn pod(statuses: Value, inits: Value, phase: &str) -> Value {
        json!({
            "metadata": {"name": "p", "creationTimestamp": "2026-03-04T17:00:00Z"},
            "spec": {"containers": [{"name": "a"}, {"name": "b"}], "initContainers": [{"name": "i"}]},
            "status": {"phase": phase, "containerStatuses": statuses, "initContainerStatuses": inits,
                       "podIPs": [{"ip": "10.0.0.1"}]},
        })
    }

    #[test]
    fn pod_status_and_restarts_follow_the_printer() {
        let now = scenario::time::unix_seconds("2026-03-04T18:00:00Z").unwrap();
        let done_init = json!([{"name": "i", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}, "restartCount": 0}]);
        let crash = pod(
            json!([
                {"name": "a", "ready": true, "state": {"running": {}}, "restartCount": 0},
                {"name": "b", "ready": false, "restartCount": 3,
                 "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                 "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2026-03-04T17:59:11Z"}}},
            ]),
            done_init.clone(),
            "Running",
        );
        let cells = pod_cells(&crash, now);
        assert_eq!(cells[1], "1/2");
        assert_eq!(cells[2], "CrashLoopBackOff");
        assert_eq!(cells[3], "3 (49s ago)");
        assert_eq!(cells[4], "60m");
        assert_eq!(cells[5], "10.0.0.1");
        assert_eq!(cells[6], "<none>");

        let oom = pod(
            json!([{"name": "a", "restartCount": 0, "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}},
                   {"name": "b", "restartCount": 0, "state": {"terminated": {"exitCode": 2, "signal": 0}}}]),
            done_init.clone(),
            "Running",
        );
        // The first container is looked at last.
        assert_eq!(pod_cells(&oom, now)[2], "OOMKilled");
        let exit = pod(
            json!([{"name": "a", "restartCount": 0, "state": {"terminated": {"exitCode": 2}}}]),
            done_init,
            "Failed",
        );
        assert_eq!(pod_cells(&exit, now)[2], "ExitCode:2");

        let init_wait = pod(
            json!([{"name": "a", "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}}]),
            json!([{"name": "i", "restartCount": 4, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]),
            "Pending",
        );
        let cells = pod_cells(&init_wait, now);
        assert_eq!(cells[2], "Init:CrashLoopBackOff");
        assert_eq!(cells[3], "4");
        let init_run = pod(
            json!([]),
            json!([{"name": "i", "restartCount": 0, "state": {"running": {}}}]),
            "Pending",
        );
        assert_eq!(pod_cells(&init_run, now)[2], "Init:0/1");

        let mut gone = pod(json!([]), json!([]), "Running");
        gone["metadata"]["deletionTimestamp"] = json!("2026-03-04T17:59:00Z");
        assert_eq!(pod_cells(&gone, now)[2], "Terminating");
        let mut completed = pod(
            json!([{"name": "a", "ready": true, "restartCount": 0, "state": {"running": {}}},
                   {"name": "b", "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]),
            json!([]),
            "Running",
        );
        assert_eq!(pod_cells(&completed, now)[2], "NotReady");
        completed["status"]["conditions"] = json!([{"type": "Ready", "status": "True"}]);
        assert_eq!(pod_cells(&completed, now)[2], "Running");
    }

    #[test]
    fn event_node_and_workload_cells() {
        let now = scenario::time::unix_seconds("2026-03-04T18:00:00Z").unwrap();
        let ev = json!({
            "metadata": {"name": "e1"}, "type": "Warning", "reason": "BackOff", "message": " Back-off restarting \n",
            "involvedObject": {"kind": "Pod", "name": "p", "fieldPath": "spec.containers{a}"},
            "source": {"component": "kubelet", "host": "n1"},
            "firstTimestamp": "2026-03-04T17:00:00Z", "lastTimestamp": "2026-03-04T17:58:00Z", "count": 7,
        });
        let cells = event_cells(&ev, now);
        assert_eq!(
            cells,
            vec![
                json!("2m"),
                json!("Warning"),
                json!("BackOff"),
                json!("pod/p"),
                json!("spec.containers{a}"),
                json!("kubelet, n1"),
                json!("Back-off restarting"),
                json!("60m"),
                json!(7),
                json!("e1")
            ]
        );
        let new_form = json!({"involvedObject": {"kind": "Node"}, "eventTime": "2026-03-04T17:59:00.000000Z",
                              "reportingComponent": "kubelet", "count": 0});
        let cells = event_cells(&new_form, now);
        assert_eq!(
            (
                cells[0].clone(),
                cells[3].clone(),
                cells[5].clone(),
                cells[8].clone()
            ),
            (json!("60s"), json!("node"), json!("kubelet"), json!(1))
        );

        let node = json!({
            "metadata": {"name": "n1", "creationTimestamp": "2026-03-01T18:00:00Z",
                         "labels": {"node-role.kubernetes.io/worker": "", "kubernetes.io/role": "infra"}},
            "spec": {"unschedulable": true},
            "status": {"conditions": [{"type": "MemoryPressure", "status": "True"}, {"type": "Ready", "status": "False"}],
                       "addresses": [{"type": "InternalIP", "address": "10.0.0.9"}],
                       "nodeInfo": {"kubeletVersion": "v1.33.1", "osImage": "Amazon Linux 2023"}},
        });
        let cells = node_cells(&node, now);
        assert_eq!(cells[1], "NotReady,SchedulingDisabled");
        assert_eq!(cells[2], "infra,worker");
        assert_eq!(cells[3], "3d");
        assert_eq!(cells[5], "10.0.0.9");
        assert_eq!(cells[6], "<none>");
        assert_eq!(cells[8], "<unknown>");
        assert_eq!(node_cells(&json!({}), now)[1], "Unknown");

        let d = json!({
            "metadata": {"name": "api", "creationTimestamp": "2026-03-04T17:00:00Z"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "api"}},
                     "template": {"spec": {"containers": [{"name": "api", "image": "r/api:1"}, {"name": "s", "image": "r/s:2"}]}}},
            "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2, "replicas": 3},
        });
        assert_eq!(
            deployment_cells(&d, now),
            vec![
                json!("api"),
                json!("2/3"),
                json!(3),
                json!(2),
                json!("60m"),
                json!("api,s"),
                json!("r/api:1,r/s:2"),
                json!("app=api")
            ]
        );
        assert_eq!(statefulset_cells(&d, now)[1], "2/3");
        assert_eq!(
            replicaset_cells(&d, now)[1..4],
            [json!(3), json!(3), json!(2)]
        );
        let t = table(Printer::Deployment, &[&d], now);
        assert_eq!(t["kind"], "Table");
        assert_eq!(t["columnDefinitions"][0]["format"], "name");
        assert_eq!(t["columnDefinitions"][5]["priority"], 1);
        assert_eq!(t["rows"][0]["object"]["metadata"]["name"], "api");
    }
}

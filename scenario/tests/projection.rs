//! The projection of raw API objects into the `opensre` profile, checked on the real captures
//! of `tests/realdata/` (Apache-2.0, see its README). Every expected value here is derived by
//! hand from OpenSRE's tool code (`list_eks_pods`, `get_eks_events`, `list_eks_deployments`,
//! `get_eks_node_health`, `get_eks_pod_logs`, `query_datadog_logs`,
//! `query_datadog_monitors`), not from the projection's own output.

use std::path::PathBuf;

use scenario::EvidenceKind;
use scenario::k8s_api::{self, RawEvidence};
use scenario::projection::{PodLogsCall, ToolCalls, project};
use serde_json::{Value, json};

fn read(rel: &str) -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/realdata")
            .join(rel),
    )
    .unwrap()
}

fn obj(rel: &str) -> Value {
    serde_json::from_str(&read(rel)).unwrap()
}

fn list(kind: &str, api: &str, items: Vec<Value>) -> String {
    json!({"apiVersion": api, "kind": kind, "metadata": {"resourceVersion": "1"}, "items": items})
        .to_string()
}

fn calls(namespace: &str) -> ToolCalls {
    ToolCalls {
        cluster_name: "payments-prod-eks".into(),
        namespace: namespace.into(),
        pod_logs: None,
        datadog_logs_query: "service:payments-api".into(),
        datadog_monitors_query: None,
    }
}

/// The projected file of `kind`, parsed back.
fn projected(raw: &RawEvidence, calls: &ToolCalls, kind: EvidenceKind) -> Value {
    let files = project(raw, calls).unwrap();
    let (_, text) = files.iter().find(|(k, _)| *k == kind).unwrap();
    assert!(text.ends_with("}\n"), "one final newline: {text:?}");
    serde_json::from_str(text).unwrap()
}

#[test]
fn pods_as_list_eks_pods_summarizes_them() {
    let crash = obj("k8s/Pod__gitops-engine__pkg_health_testdata_pod-crashloop__0.json");
    let pending = obj("k8s/Pod__gitops-engine__pkg_health_testdata_pod-pending__0.json");
    let mut unscheduled = pending.clone();
    unscheduled["metadata"]["name"] = "unscheduled".into();
    unscheduled["spec"]
        .as_object_mut()
        .unwrap()
        .remove("nodeName");
    unscheduled["status"]
        .as_object_mut()
        .unwrap()
        .remove("startTime");
    let mut elsewhere = crash.clone();
    elsewhere["metadata"]["namespace"] = "kube-system".into();
    let text = list(
        "PodList",
        "v1",
        vec![crash, pending, unscheduled, elsewhere],
    );
    let raw = RawEvidence {
        pods: Some(k8s_api::parse_pods(&text, "pods.json").unwrap()),
        ..RawEvidence::default()
    };
    let got = projected(&raw, &calls("argocd"), EvidenceKind::EksPods);
    let crash_summary = json!({
        "name": "my-pod", "namespace": "argocd", "phase": "Running", "node_name": "minikube",
        "containers": [{"name": "main", "ready": false, "restart_count": 3, "state": {
            "waiting": true, "reason": "CrashLoopBackOff",
            "message": "Back-off 40s restarting failed container=main pod=my-pod_argocd(63674389-f613-11e8-a057-fe5f49266390)"}}],
        "conditions": [
            {"type": "Initialized", "status": "True", "reason": null, "message": null},
            {"type": "Ready", "status": "False", "reason": "ContainersNotReady", "message": "containers with unready status: [main]"},
            {"type": "PodScheduled", "status": "True", "reason": null, "message": null}],
        "start_time": "2018-12-02 09:19:36+00:00"
    });
    let pending_conditions = json!([
        {"type": "Initialized", "status": "True", "reason": null, "message": null},
        {"type": "Ready", "status": "False", "reason": "ContainersNotReady", "message": "containers with unready status: [main]"},
        {"type": "PodScheduled", "status": "True", "reason": null, "message": null}]);
    let pending_containers = json!([{"name": "main", "ready": false, "restart_count": 0,
        "state": {"waiting": true, "reason": "PodInitializing", "message": null}}]);
    let pending_summary = json!({
        "name": "image-pull-backoff", "namespace": "argocd", "phase": "Pending", "node_name": "minikube",
        "containers": pending_containers, "conditions": pending_conditions,
        "start_time": "2018-12-02 10:16:04+00:00"});
    // str(None) for the missing start time; the loader deviation for the missing node.
    let unscheduled_summary = json!({
        "name": "unscheduled", "namespace": "argocd", "phase": "Pending", "node_name": "None",
        "containers": pending_containers, "conditions": pending_conditions, "start_time": "None"});
    assert_eq!(
        got,
        json!({
            "source": "eks", "available": true, "cluster_name": "payments-prod-eks", "namespace": "argocd",
            "total_pods": 3,
            "pods": [crash_summary, pending_summary, unscheduled_summary],
            "failing_pods": [pending_summary, unscheduled_summary],
            "high_restart_pods": [],
            "error": null
        })
    );
    // `all` lists every namespace.
    let all = projected(&raw, &calls("all"), EvidenceKind::EksPods);
    assert_eq!(all["total_pods"], 4);
}

#[test]
fn the_pod_tool_keeps_the_current_state_and_drops_last_state() {
    // A running container with an old OOM kill in lastState, and a terminated one.
    let mut p = obj("k8s/Pod__gitops-engine__pkg_health_testdata_pod-crashloop__0.json");
    p["status"]["containerStatuses"][0]["state"] =
        json!({"running": {"startedAt": "2018-12-02T09:21:05.250Z"}});
    p["status"]["containerStatuses"][0]["restartCount"] = 7.into();
    let mut t = obj("k8s/Pod__gitops-engine__pkg_health_testdata_pod-crashloop__0.json");
    t["metadata"]["name"] = "t".into();
    t["status"]["containerStatuses"][0]["state"] = json!({"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": "2018-12-02T09:20:25Z", "finishedAt": "2018-12-02T09:21:25Z"}});
    let text = list("PodList", "v1", vec![p, t]);
    let raw = RawEvidence {
        pods: Some(k8s_api::parse_pods(&text, "pods.json").unwrap()),
        ..RawEvidence::default()
    };
    let got = projected(&raw, &calls("argocd"), EvidenceKind::EksPods);
    assert_eq!(
        got["pods"][0]["containers"][0],
        json!({"name": "main", "ready": false, "restart_count": 7,
               "state": {"running": true, "started_at": "2018-12-02 09:21:05.250000+00:00"}})
    );
    assert_eq!(
        got["pods"][1]["containers"][0]["state"],
        json!({"terminated": true, "exit_code": 137, "reason": "OOMKilled", "message": null})
    );
    assert_eq!(got["high_restart_pods"].as_array().unwrap().len(), 1);
    assert_eq!(got["high_restart_pods"][0]["name"], "my-pod");
}

#[test]
fn init_containers_are_not_listed_by_the_pod_tool() {
    let p = obj("k8s/Pod__k9s__internal_render_testdata_po_init__0.json");
    let regular: Vec<String> = p["status"]["containerStatuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(p["status"]["initContainerStatuses"].is_array());
    let ns = p["metadata"]["namespace"].as_str().unwrap().to_owned();
    let text = list("PodList", "v1", vec![p]);
    let raw = RawEvidence {
        pods: Some(k8s_api::parse_pods(&text, "pods.json").unwrap()),
        ..RawEvidence::default()
    };
    let got = projected(&raw, &calls(&ns), EvidenceKind::EksPods);
    let names: Vec<String> = got["pods"][0]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, regular);
}

#[test]
fn events_as_get_eks_events_lists_them() {
    let normal = obj("k8s/Event__k9s__internal_render_testdata_ev__0.json");
    let mut warning = normal.clone();
    warning["type"] = "Warning".into();
    warning["reason"] = "BackOff".into();
    warning["count"] = 14.into();
    warning["message"] = "Back-off restarting failed container c1 in pod hello-1567197780-mn4mv_default(c31fdeb8-cb66-11e9-990f-42010a800218)".into();
    warning["metadata"]["name"] = "hello.2".into();
    // An events.k8s.io-written event in its core/v1 view: no count, no first/last timestamps.
    let scheduler = json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": "hello.3", "namespace": "default", "creationTimestamp": "2019-08-30T20:43:01Z"},
        "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": "hello-1567197780-xyz", "namespace": "default"},
        "reason": "FailedScheduling", "message": "0/3 nodes are available: 3 Insufficient cpu.",
        "type": "Warning", "count": null, "firstTimestamp": null, "lastTimestamp": null,
        "eventTime": "2019-08-30T20:43:01.123456Z", "series": {"count": 4, "lastObservedTime": "2019-08-30T20:45:01.123456Z"},
        "action": "Scheduling", "reportingComponent": "default-scheduler", "reportingInstance": "default-scheduler-x", "source": {}
    });
    let mut node = warning.clone();
    node["metadata"]["name"] = "node.1".into();
    node["metadata"]["namespace"] = "kube-node-lease".into();
    let text = list("EventList", "v1", vec![normal, warning, scheduler, node]);
    let raw = RawEvidence {
        events: Some(k8s_api::parse_events(&text, "events.json").unwrap()),
        ..RawEvidence::default()
    };
    let got = projected(&raw, &calls("default"), EvidenceKind::EksEvents);
    assert_eq!(
        got,
        json!({
            "source": "eks", "available": true, "cluster_name": "payments-prod-eks", "namespace": "default",
            "warning_events": [
                {"namespace": "default", "reason": "BackOff",
                 "message": "Back-off restarting failed container c1 in pod hello-1567197780-mn4mv_default(c31fdeb8-cb66-11e9-990f-42010a800218)",
                 "type": "Warning", "count": 14, "involved_object": "Pod/hello-1567197780-mn4mv",
                 "first_time": "2019-08-30 20:43:05+00:00", "last_time": "2019-08-30 20:43:05+00:00"},
                // str(None) for the times; the loader deviation for the count (series count).
                {"namespace": "default", "reason": "FailedScheduling", "message": "0/3 nodes are available: 3 Insufficient cpu.",
                 "type": "Warning", "count": 4, "involved_object": "Pod/hello-1567197780-xyz",
                 "first_time": "None", "last_time": "None"}
            ],
            "total_warning_count": 2,
            "error": null
        })
    );
}

#[test]
fn deployments_as_list_eks_deployments_counts_them() {
    let mut items = Vec::new();
    let mut expected = Vec::new();
    for f in [
        "k8s/Deployment__gitops-engine__pkg_health_testdata_deployment-degraded__0.json",
        "k8s/Deployment__gitops-engine__pkg_health_testdata_deployment-progressing__0.json",
        "k8s/Deployment__k9s__internal_render_testdata_dp__0.json",
    ] {
        let mut d = obj(f);
        d["metadata"]["namespace"] = "payments".into();
        // The tool's arithmetic, from the object: `x or 0`.
        let n = |v: &Value| v.as_i64().unwrap_or(0);
        let desired = n(&d["spec"]["replicas"]);
        let ready = n(&d["status"]["readyReplicas"]);
        let unavailable = n(&d["status"]["unavailableReplicas"]);
        expected.push(json!({
            "name": d["metadata"]["name"], "namespace": "payments", "desired": desired, "ready": ready,
            "available": n(&d["status"]["availableReplicas"]), "unavailable": unavailable,
            "degraded": unavailable > 0 || ready < desired}));
        items.push(d);
    }
    let text = list("DeploymentList", "apps/v1", items);
    let raw = RawEvidence {
        deployments: Some(k8s_api::parse_deployments(&text, "deployments.json").unwrap()),
        ..RawEvidence::default()
    };
    let got = projected(&raw, &calls("payments"), EvidenceKind::EksDeployments);
    let degraded: Vec<Value> = expected
        .iter()
        .filter(|d| d["degraded"] == true)
        .cloned()
        .collect();
    assert!(!degraded.is_empty(), "the degraded capture is degraded");
    assert_eq!(
        got,
        json!({"source": "eks", "available": true, "cluster_name": "payments-prod-eks", "namespace": "payments",
               "total_deployments": 3, "deployments": expected, "degraded_deployments": degraded, "error": null})
    );
}

#[test]
fn nodes_as_get_eks_node_health_reads_them() {
    let n1 = obj("k8s/Node__k9s__internal_dao_testdata_n1__0.json");
    let mut labelled = n1.clone();
    labelled["metadata"]["name"] = "ip-10-0-1-42.us-east-1.compute.internal".into();
    labelled["metadata"]["labels"]["node.kubernetes.io/instance-type"] = "m6i.xlarge".into();
    labelled["status"]["conditions"][3]["status"] = "Unknown".into();
    let text = list("NodeList", "v1", vec![n1, labelled]);
    let raw = RawEvidence {
        nodes: Some(k8s_api::parse_nodes(&text, "nodes.json").unwrap()),
        ..RawEvidence::default()
    };
    let got = projected(&raw, &calls("payments"), EvidenceKind::EksNodeHealth);
    let node = |name: &str, ready: &str, it: Value| {
        json!({"name": name, "internal_ip": "192.168.64.6", "ready": ready, "memory_pressure": "False",
               "disk_pressure": "False", "pid_pressure": "False", "capacity_cpu": "4", "capacity_memory": "8163684Ki",
               "allocatable_cpu": "4", "allocatable_memory": "8163684Ki", "instance_type": it})
    };
    assert_eq!(
        got,
        json!({"source": "eks", "available": true, "cluster_name": "payments-prod-eks",
               "nodes": [node("minikube", "True", Value::Null),
                         node("ip-10-0-1-42.us-east-1.compute.internal", "Unknown", "m6i.xlarge".into())],
               "total_nodes": 2, "not_ready_count": 1, "error": null})
    );
}

#[test]
fn pod_logs_as_get_eks_pod_logs_returns_them() {
    let lines: String = (1..=150).map(|i| format!("line {i}\n")).collect();
    let capture = json!({"logs": [
        {"namespace": "argocd", "pod": "my-pod", "container": "main", "previous": true, "text": lines},
        {"namespace": "argocd", "pod": "my-pod", "container": "main", "previous": false, "status": {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "code": 400, "reason": "BadRequest",
            "message": "container \"main\" in pod \"my-pod\" is waiting to start: CrashLoopBackOff"}}
    ]});
    let pods = list(
        "PodList",
        "v1",
        vec![obj(
            "k8s/Pod__gitops-engine__pkg_health_testdata_pod-crashloop__0.json",
        )],
    );
    let raw = RawEvidence {
        pods: Some(k8s_api::parse_pods(&pods, "pods.json").unwrap()),
        pod_logs: Some(k8s_api::parse_pod_logs(&capture.to_string(), "pod_logs.json").unwrap()),
        ..RawEvidence::default()
    };
    let mut c = calls("argocd");
    c.pod_logs = Some(PodLogsCall {
        pod: "my-pod".into(),
        container: None,
        previous: true,
    });
    let got = projected(&raw, &c, EvidenceKind::EksPodLogs);
    let tail: String = (51..=150).map(|i| format!("line {i}\n")).collect();
    assert_eq!(
        got,
        json!({"source": "eks", "available": true, "cluster_name": "payments-prod-eks", "namespace": "argocd",
               "pod_name": "my-pod", "logs": tail, "error": null})
    );
    c.pod_logs = Some(PodLogsCall {
        pod: "my-pod".into(),
        container: Some("main".into()),
        previous: false,
    });
    let got = projected(&raw, &c, EvidenceKind::EksPodLogs);
    // The tool's except branch (str(ApiException), headers unknown) plus the loader
    // deviation (namespace and an empty logs string).
    assert_eq!(
        got,
        json!({"source": "eks", "available": false, "pod_name": "my-pod",
               "error": "(400)\nReason: Bad Request\nHTTP response body: {\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"container \\\"main\\\" in pod \\\"my-pod\\\" is waiting to start: CrashLoopBackOff\",\"reason\":\"BadRequest\",\"code\":400}\n",
               "namespace": "argocd", "logs": ""})
    );
    c.pod_logs = Some(PodLogsCall {
        pod: "other".into(),
        container: Some("main".into()),
        previous: false,
    });
    assert!(
        project(&raw, &c).is_err(),
        "logs of a pod the capture does not have"
    );
}

#[test]
fn datadog_logs_as_query_datadog_logs_merges_custom_attributes() {
    let text =
        read("datadog/logs_v2__test_search_logs_returns_ok_response_with_pagination__0.json");
    let page: Value = serde_json::from_str(&text).unwrap();
    let raw = RawEvidence {
        datadog_logs: Some(k8s_api::parse_datadog_logs(&text, "datadog_logs.json").unwrap()),
        ..RawEvidence::default()
    };
    let got = projected(&raw, &calls("payments"), EvidenceKind::DatadogLogs);
    let data = page["data"].as_array().unwrap();
    assert_eq!(got["total"], data.len());
    assert_eq!(got["query"], "service:payments-api");
    let first = &got["logs"][0];
    let a = &data[0]["attributes"];
    assert_eq!(first["timestamp"], "2022-04-11T16:29:47.000Z");
    assert_eq!(first["message"], a["message"]);
    assert_eq!(first["status"], "ok");
    assert_eq!(first["service"], "", "attrs.get(\"service\", \"\")");
    assert_eq!(first["host"], a["host"]);
    assert_eq!(first["tags"], a["tags"]);
    assert_eq!(first["http"]["status_code"], 200);
    assert_eq!(first["network"]["client"]["ip"], "169.254.0.1");
    assert_eq!(first["duration"], 2_700_000.0);
    assert_eq!(first["date_access"], 1_649_694_587_000_i64);
    assert!(
        first.get("attributes").is_none(),
        "the custom object is merged, not nested"
    );
    // No message of this page has an error keyword.
    assert_eq!(got["error_logs"], json!([]));

    // At most 50 entries, error_logs by keyword.
    let mut many = page.clone();
    let one = data[0].clone();
    let mut entries = Vec::new();
    for i in 0..60 {
        let mut e = one.clone();
        e["attributes"]["message"] = if i % 10 == 0 {
            format!("Connection TIMEOUT {i}")
        } else {
            format!("ok {i}")
        }
        .into();
        entries.push(e);
    }
    many["data"] = Value::Array(entries);
    let raw = RawEvidence {
        datadog_logs: Some(
            k8s_api::parse_datadog_logs(&many.to_string(), "datadog_logs.json").unwrap(),
        ),
        ..RawEvidence::default()
    };
    let got = projected(&raw, &calls("payments"), EvidenceKind::DatadogLogs);
    assert_eq!(got["logs"].as_array().unwrap().len(), 50);
    assert_eq!(got["total"], 50);
    let errors: Vec<&str> = got["error_logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        errors,
        [
            "Connection TIMEOUT 0",
            "Connection TIMEOUT 10",
            "Connection TIMEOUT 20",
            "Connection TIMEOUT 30",
            "Connection TIMEOUT 40"
        ]
    );

    // A failed call: the client's error text, the tool's unavailable envelope.
    let failed = json!({"datadog_error": {"http_status": 403, "body": {"errors": ["Forbidden"]}}});
    let raw = RawEvidence {
        datadog_logs: Some(
            k8s_api::parse_datadog_logs(&failed.to_string(), "datadog_logs.json").unwrap(),
        ),
        ..RawEvidence::default()
    };
    assert_eq!(
        projected(&raw, &calls("payments"), EvidenceKind::DatadogLogs),
        json!({"source": "datadog_logs", "available": false, "error": "HTTP 403: {\"errors\":[\"Forbidden\"]}", "logs": []})
    );
}

#[test]
fn datadog_monitors_as_query_datadog_monitors_lists_them() {
    let text = read(
        "datadog/monitors_v1_list__test_get_all_monitors_returns_ok_response_with_pagination__0.json",
    );
    let list: Value = serde_json::from_str(&text).unwrap();
    let raw = RawEvidence {
        datadog_monitors: Some(
            k8s_api::parse_datadog_monitors(&text, "datadog_monitors.json").unwrap(),
        ),
        ..RawEvidence::default()
    };
    let got = projected(&raw, &calls("payments"), EvidenceKind::DatadogMonitors);
    let expected: Vec<Value> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| json!({"id": m["id"], "name": m["name"], "type": m["type"], "query": m["query"],
                        "message": m["message"], "overall_state": m["overall_state"], "tags": m["tags"]}))
        .collect();
    assert_eq!(
        got,
        json!({"source": "datadog_monitors", "available": true, "monitors": expected, "total": expected.len(), "query_filter": null})
    );
    let failed = json!({"datadog_error": {"transport_error": "timed out"}});
    let raw = RawEvidence {
        datadog_monitors: Some(
            k8s_api::parse_datadog_monitors(&failed.to_string(), "m.json").unwrap(),
        ),
        ..RawEvidence::default()
    };
    assert_eq!(
        projected(&raw, &calls("payments"), EvidenceKind::DatadogMonitors),
        json!({"source": "datadog_monitors", "available": false, "error": "timed out", "monitors": []})
    );
}

#[test]
fn a_failed_kubernetes_call_is_the_tools_unavailable_envelope() {
    let forbidden = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "nodes is forbidden: User \"agent\" cannot list resource \"nodes\" in API group \"\" at the cluster scope",
        "reason": "Forbidden", "details": {"kind": "nodes"}, "code": 403});
    let raw = RawEvidence {
        pods: Some(k8s_api::parse_pods(&forbidden.to_string(), "pods.json").unwrap()),
        nodes: Some(k8s_api::parse_nodes(&forbidden.to_string(), "nodes.json").unwrap()),
        ..RawEvidence::default()
    };
    let body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"nodes is forbidden: User \\\"agent\\\" cannot list resource \\\"nodes\\\" in API group \\\"\\\" at the cluster scope\",\"reason\":\"Forbidden\",\"details\":{\"kind\":\"nodes\"},\"code\":403}";
    let error = format!("(403)\nReason: Forbidden\nHTTP response body: {body}\n");
    assert_eq!(
        projected(&raw, &calls("payments"), EvidenceKind::EksNodeHealth),
        json!({"source": "eks", "available": false, "cluster_name": "payments-prod-eks", "error": error, "nodes": []})
    );
    assert_eq!(
        projected(&raw, &calls("payments"), EvidenceKind::EksPods),
        json!({"source": "eks", "available": false, "namespace": "payments", "error": error, "pods": []})
    );
    // The text keeps the tool's key order.
    let files = project(&raw, &calls("payments")).unwrap();
    assert!(files[0].1.starts_with("{\n  \"source\": \"eks\",\n  \"available\": false,\n  \"namespace\": \"payments\",\n  \"error\": "), "{}", files[0].1);
}

#[test]
fn every_projected_file_reads_back_through_the_opensre_model() {
    use scenario::Source;
    use scenario::files::{
        DatadogLogsFile, DatadogMonitorsFile, DeploymentsFile, EventsFile, NodesFile, PodLogsFile,
        PodsFile,
    };
    let mut pods = Vec::new();
    for f in std::fs::read_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/realdata/k8s"))
        .unwrap()
    {
        let name = f.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with("Pod__") {
            let mut p = obj(&format!("k8s/{name}"));
            p["metadata"]["namespace"] = "payments".into();
            p["metadata"]["name"] = name.clone().into();
            pods.push(p);
        }
    }
    let logs = json!({"logs": [{"namespace": "payments", "pod": "p", "container": "c", "previous": false, "text": "x\n"}]});
    let raw = RawEvidence {
        pods: Some(k8s_api::parse_pods(&list("PodList", "v1", pods), "pods.json").unwrap()),
        events: Some(k8s_api::parse_events(&list("EventList", "v1", vec![obj("k8s/Event__k9s__internal_render_testdata_ev__0.json")]), "e").unwrap()),
        deployments: Some(k8s_api::parse_deployments(&list("DeploymentList", "apps/v1", vec![{
            let mut d = obj("k8s/Deployment__k9s__internal_render_testdata_dp__0.json");
            d["metadata"]["namespace"] = "payments".into();
            d
        }]), "d").unwrap()),
        nodes: Some(k8s_api::parse_nodes(&list("NodeList", "v1", vec![obj("k8s/Node__k9s__internal_render_testdata_no__0.json")]), "n").unwrap()),
        pod_logs: Some(k8s_api::parse_pod_logs(&logs.to_string(), "l").unwrap()),
        datadog_logs: Some(k8s_api::parse_datadog_logs(&read("datadog/logs_v2__test_search_logs_returns_ok_response_with_pagination__0.json"), "dl").unwrap()),
        datadog_monitors: Some(k8s_api::parse_datadog_monitors(&read("datadog/monitors_v1_list__test_get_all_monitors_returns_ok_response_with_pagination__0.json"), "dm").unwrap()),
        ..RawEvidence::default()
    };
    let mut c = calls("payments");
    c.pod_logs = Some(PodLogsCall {
        pod: "p".into(),
        container: None,
        previous: false,
    });
    let files = project(&raw, &c).unwrap();
    assert_eq!(
        files.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        EvidenceKind::ALL
    );
    for (kind, text) in &files {
        let ok = match kind {
            EvidenceKind::EksPods => {
                matches!(serde_json::from_str::<Source<PodsFile>>(text).unwrap(), Source::Available(p) if p.pods.len() == 19)
            }
            EvidenceKind::EksEvents => matches!(
                serde_json::from_str::<Source<EventsFile>>(text).unwrap(),
                Source::Available(_)
            ),
            EvidenceKind::EksDeployments => {
                matches!(serde_json::from_str::<Source<DeploymentsFile>>(text).unwrap(), Source::Available(d) if d.deployments.len() == 1)
            }
            EvidenceKind::EksNodeHealth => {
                matches!(serde_json::from_str::<Source<NodesFile>>(text).unwrap(), Source::Available(n) if n.nodes.len() == 1)
            }
            EvidenceKind::EksPodLogs => {
                matches!(serde_json::from_str::<Source<PodLogsFile>>(text).unwrap(), Source::Available(l) if l.logs == "x\n")
            }
            EvidenceKind::DatadogLogs => {
                match serde_json::from_str::<Source<DatadogLogsFile>>(text).unwrap() {
                    Source::Available(l) => l.logs[0].attributes["http"]["status_code"] == 200,
                    Source::Unavailable { .. } => false,
                }
            }
            EvidenceKind::DatadogMonitors => {
                matches!(serde_json::from_str::<Source<DatadogMonitorsFile>>(text).unwrap(), Source::Available(m) if !m.monitors.is_empty())
            }
        };
        assert!(ok, "{kind:?}: {text}");
    }
}

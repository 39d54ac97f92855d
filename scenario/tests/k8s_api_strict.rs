//! The strict check of the k8s-api profile against real API objects (`tests/realdata/`,
//! third-party captures, Apache-2.0; see `tests/realdata/README.md`) and hand-made bad ones.

use std::path::PathBuf;

use scenario::k8s_api::{self, KubeObject};

fn realdata(sub: &str) -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/realdata")
        .join(sub);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Two k9s test files are not what an API server returns, and the strict check says so: a
/// ReplicaSet under `networking.k8s.io/v1` (ReplicaSets are served by apps/v1 only) and an
/// apps/v1 DaemonSet with `spec.templateGeneration` (an extensions/v1beta1 field that
/// apps/v1 does not have, so a server cannot write it).
const NOT_FROM_A_SERVER: &[(&str, &str)] = &[
    (
        "DaemonSet__k9s__internal_render_testdata_ds__0.json",
        "DaemonSet__k9s__internal_render_testdata_ds__0.json: spec.templateGeneration: unknown field (not in the API's schema)",
    ),
    (
        "ReplicaSet__k9s__internal_render_testdata_rs__0.json",
        "ReplicaSet__k9s__internal_render_testdata_rs__0.json: apiVersion: expected apps/v1, got \"networking.k8s.io/v1\"",
    ),
];

#[test]
fn every_real_kubernetes_object_passes_the_strict_check() {
    let files = realdata("k8s");
    assert_eq!(files.len(), 43);
    let mut failures = Vec::new();
    for (name, text) in &files {
        match k8s_api::parse_object(text, name) {
            Ok(obj) => {
                let kind = name.split("__").next().unwrap();
                let got = match obj {
                    KubeObject::Pod(_) => "Pod",
                    KubeObject::Event(_) => "Event",
                    KubeObject::Node(_) => "Node",
                    KubeObject::Deployment(_) => "Deployment",
                    KubeObject::StatefulSet(_) => "StatefulSet",
                    KubeObject::ReplicaSet(_) => "ReplicaSet",
                    KubeObject::DaemonSet(_) => "DaemonSet",
                    KubeObject::Job(_) => "Job",
                    _ => "other",
                };
                assert_eq!(got, kind, "{name}");
            }
            Err(p) => {
                let got: Vec<String> = p.into_iter().map(|p| p.to_string()).collect();
                match NOT_FROM_A_SERVER.iter().find(|(n, _)| n == name) {
                    Some((_, want)) => assert_eq!(got, vec![want.to_string()], "{name}"),
                    None => failures.extend(got),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_real_datadog_response_passes_the_strict_check() {
    let files = realdata("datadog");
    assert_eq!(files.len(), 7);
    let mut failures = Vec::new();
    for (name, text) in &files {
        if let Err(p) = k8s_api::parse_datadog_object(text, name) {
            failures.extend(p.into_iter().map(|p| p.to_string()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A real pod (k9s, with init and regular containers) to mutate.
fn pod() -> serde_json::Value {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/realdata/k8s/Pod__k9s__internal_render_testdata_po__0.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn pod_list(items: Vec<serde_json::Value>) -> String {
    serde_json::json!({"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": "7"}, "items": items})
        .to_string()
}

/// The problems `pods.json` with this text gets, as the loader prints them.
fn pods_problems(text: &str) -> Vec<String> {
    match k8s_api::parse_pods(text, "k8s-api/pods.json") {
        Ok(_) => Vec::new(),
        Err(p) => p.into_iter().map(|p| p.to_string()).collect(),
    }
}

#[test]
fn a_list_of_real_pods_with_items_lacking_kind_passes() {
    let mut p = pod();
    let m = p.as_object_mut().unwrap();
    m.remove("kind");
    m.remove("apiVersion");
    assert_eq!(
        pods_problems(&pod_list(vec![p, pod()])),
        Vec::<String>::new()
    );
}

#[test]
fn an_unknown_field_is_named_with_its_path() {
    let mut p = pod();
    p["spec"]["containers"][0]["imagePullPolicyy"] = "Always".into();
    p["status"]["flavour"] = "odd".into();
    assert_eq!(
        pods_problems(&pod_list(vec![pod(), p])),
        vec![
            "k8s-api/pods.json: items[1].spec.containers[0].imagePullPolicyy: unknown field (not in the API's schema)",
            "k8s-api/pods.json: items[1].status.flavour: unknown field (not in the API's schema)",
        ]
    );
}

#[test]
fn a_missing_required_field_is_named_with_its_path() {
    let mut p = pod();
    p["spec"]["containers"][0]
        .as_object_mut()
        .unwrap()
        .remove("name");
    p["status"]["containerStatuses"][0]["restartCount"] = serde_json::Value::Null;
    assert_eq!(
        pods_problems(&pod_list(vec![p])),
        vec![
            "k8s-api/pods.json: items[0].spec.containers[0].name: missing required field",
            "k8s-api/pods.json: items[0].status.containerStatuses[0].restartCount: missing required field",
        ]
    );
    let mut no_items = serde_json::from_str::<serde_json::Value>(&pod_list(vec![])).unwrap();
    no_items.as_object_mut().unwrap().remove("items");
    assert_eq!(
        pods_problems(&no_items.to_string()),
        vec!["k8s-api/pods.json: items: missing required field"]
    );
}

#[test]
fn a_wrong_type_is_named_with_its_path() {
    let mut p = pod();
    p["status"]["containerStatuses"][0]["restartCount"] = "8".into();
    assert_eq!(
        pods_problems(&pod_list(vec![p])),
        vec![
            "k8s-api/pods.json: items[0].status.containerStatuses[0].restartCount: expected integer, got \"8\""
        ]
    );
}

#[test]
fn a_list_with_mixed_kinds_is_refused_at_the_odd_item() {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/realdata/k8s/Deployment__k9s__internal_render_testdata_dp__0.json"),
    )
    .unwrap();
    let deployment: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        pods_problems(&pod_list(vec![pod(), deployment.clone()])),
        vec![
            "k8s-api/pods.json: items[1].kind: expected Pod, got \"Deployment\" (a PodList holds one kind)"
        ]
    );
    // A DeploymentList is not a pods.json either.
    let list = serde_json::json!({"apiVersion": "apps/v1", "kind": "DeploymentList", "metadata": {}, "items": [deployment]});
    assert_eq!(
        pods_problems(&list.to_string()),
        vec![
            "k8s-api/pods.json: kind: expected PodList (or the API's error Status), got \"DeploymentList\""
        ]
    );
    // A generic v1 List may mix kinds (kubectl get pods,deployments -o json) ...
    let mixed = serde_json::json!({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": [pod(), deployment]});
    match k8s_api::parse_object(&mixed.to_string(), "snapshot.json").unwrap() {
        KubeObject::List(items) => assert_eq!(items.len(), 2),
        other => panic!("{other:?}"),
    }
    // ... but not with kinds the profile does not know.
    let odd = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Secret", "metadata": {}}]});
    let problems: Vec<String> = k8s_api::parse_object(&odd.to_string(), "snapshot.json")
        .unwrap_err()
        .into_iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].starts_with("snapshot.json: items[0].kind: unknown kind \"Secret\""),
        "{problems:?}"
    );
}

#[test]
fn an_error_status_is_an_answer_and_must_be_a_failure() {
    let forbidden = serde_json::json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "pods is forbidden: User \"agent\" cannot list resource \"pods\" in API group \"\" in the namespace \"payments\"",
        "reason": "Forbidden", "details": {"kind": "pods"}, "code": 403
    });
    match k8s_api::parse_pods(&forbidden.to_string(), "k8s-api/pods.json").unwrap() {
        k8s_api::ApiAnswer::Failed(s) => assert_eq!(s.code, Some(403)),
        k8s_api::ApiAnswer::Ok(_) => panic!("a Status is not a PodList"),
    }
    let mut ok = forbidden.clone();
    ok["status"] = "Success".into();
    ok["code"] = 200.into();
    assert_eq!(
        pods_problems(&ok.to_string()),
        vec![
            "k8s-api/pods.json: code: expected an HTTP error code 400..599, got 200",
            "k8s-api/pods.json: status: an error answer has status \"Failure\"",
        ]
    );
}

fn problems<T>(r: Result<T, Vec<scenario::Problem>>) -> Vec<String> {
    match r {
        Ok(_) => Vec::new(),
        Err(p) => p.into_iter().map(|p| p.to_string()).collect(),
    }
}

#[test]
fn datadog_answers_are_checked_as_strictly() {
    let f = "k8s-api/datadog_logs.json";
    let page = serde_json::json!({"data": [{"id": "AQ", "type": "log", "attributes": {
        "message": "GET / 200", "timestamp": "2026-04-18T10:45:10.123Z", "tags": ["env:prod"],
        "attributes": {"anything": {"goes": [1, 2]}}, "sevrity": "x"}}]});
    assert_eq!(
        problems(k8s_api::parse_datadog_logs(&page.to_string(), f)),
        vec![
            "k8s-api/datadog_logs.json: data[0].attributes.sevrity: unknown field (not in the API's schema)"
        ]
    );
    let no_id = serde_json::json!({"data": [{"type": "log", "attributes": {}}]});
    assert_eq!(
        problems(k8s_api::parse_datadog_logs(&no_id.to_string(), f)),
        vec!["k8s-api/datadog_logs.json: data[0]: missing required field \"id\""]
    );
    // A raw error body is not a response page; the failure form keeps status and body.
    let raw_error = serde_json::json!({"errors": ["Forbidden"]});
    assert_eq!(
        problems(k8s_api::parse_datadog_logs(&raw_error.to_string(), f)).len(),
        1
    );
    let failed = serde_json::json!({"datadog_error": {"http_status": 403, "body": {"errors": ["Forbidden"]}}});
    match k8s_api::parse_datadog_logs(&failed.to_string(), f).unwrap() {
        k8s_api::datadog::DatadogAnswer::Failed(e) => {
            assert_eq!(
                e.client_error_text(),
                "HTTP 403: {\"errors\":[\"Forbidden\"]}"
            );
        }
        k8s_api::datadog::DatadogAnswer::Ok(_) => panic!("an error is not a page"),
    }
    let half = serde_json::json!({"datadog_error": {"http_status": 403}});
    assert_eq!(
        problems(k8s_api::parse_datadog_logs(&half.to_string(), f)),
        vec![
            "k8s-api/datadog_logs.json: datadog_error: expected either http_status with body, or transport_error"
        ]
    );

    let m = "k8s-api/datadog_monitors.json";
    let one = serde_json::json!({"id": 1, "type": "query alert", "query": "avg(last_5m):x > 1", "overall_state": "OK"});
    assert_eq!(
        problems(k8s_api::parse_datadog_monitors(&one.to_string(), m)),
        vec![
            "k8s-api/datadog_monitors.json: expected the Monitors v1 list (a bare JSON array) or {\"datadog_error\": ...}"
        ]
    );
    let mut bad = one.clone();
    bad["overall_state"] = "ALERT".into();
    let list = serde_json::json!([one, bad]);
    let got = problems(k8s_api::parse_datadog_monitors(&list.to_string(), m));
    assert_eq!(got.len(), 1);
    assert!(
        got[0].starts_with(
            "k8s-api/datadog_monitors.json: [1].overall_state: unknown value \"ALERT\""
        ),
        "{got:?}"
    );
}

#[test]
fn pod_log_entries_hold_text_or_an_error_status() {
    let f = "k8s-api/pod_logs.json";
    let good = serde_json::json!({"logs": [
        {"namespace": "payments", "pod": "api-1", "container": "api", "previous": true, "text": "boom\n"},
        {"namespace": "payments", "pod": "api-1", "container": "api", "previous": false, "status": {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "code": 400, "reason": "BadRequest",
            "message": "container \"api\" in pod \"api-1\" is waiting to start: CrashLoopBackOff"}}
    ]});
    assert_eq!(
        problems(k8s_api::parse_pod_logs(&good.to_string(), f)),
        Vec::<String>::new()
    );
    let both = serde_json::json!({"logs": [{"namespace": "payments", "pod": "api-1", "container": "", "previous": false}]});
    assert_eq!(
        problems(k8s_api::parse_pod_logs(&both.to_string(), f)),
        vec![
            "k8s-api/pod_logs.json: logs[0]: expected exactly one of text (the log) and status (the API's error)",
            "k8s-api/pod_logs.json: logs[0].container: must not be empty",
        ]
    );
}

#[test]
fn a_k8s_api_directory_loads_with_base_fallback_and_names_missing_files() {
    use scenario::EvidenceKind;
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("000-healthy/k8s-api");
    let own = tmp.path().join("001-crash/k8s-api");
    std::fs::create_dir_all(&base).unwrap();
    std::fs::create_dir_all(&own).unwrap();
    std::fs::write(base.join("pods.json"), pod_list(vec![pod()])).unwrap();
    std::fs::write(
        own.join("nodes.json"),
        serde_json::json!({"apiVersion": "v1", "kind": "NodeList", "metadata": {}, "items": []})
            .to_string(),
    )
    .unwrap();
    let available = [EvidenceKind::EksPods, EvidenceKind::EksNodeHealth];
    let raw = k8s_api::load_dir(
        &own,
        "001-crash/k8s-api",
        Some((&base, "000-healthy/k8s-api")),
        &available,
    )
    .unwrap();
    assert!(matches!(raw.pods, Some(k8s_api::ApiAnswer::Ok(ref l)) if l.items.len() == 1));
    assert!(raw.nodes.is_some() && raw.events.is_none());
    let err = k8s_api::load_dir(
        &own,
        "001-crash/k8s-api",
        None,
        &[EvidenceKind::EksPods, EvidenceKind::EksDeployments],
    )
    .unwrap_err();
    let got: Vec<String> = err.into_iter().map(|p| p.to_string()).collect();
    assert_eq!(
        got,
        vec![
            "001-crash/k8s-api/deployments.json: missing (scenario.yml lists eks_deployments)",
            "001-crash/k8s-api/pods.json: missing (scenario.yml lists eks_pods)",
        ]
    );
}

//! The loader reads the `k8s-api` profile: a scenario whose evidence is raw API objects (here
//! real captures from `tests/realdata/`) loads strictly, its case says `profile: k8s-api` and
//! carries the objects, and `project_case` gives the `opensre` case the tools would return.

use std::fs;
use std::path::{Path, PathBuf};

use scenario::Profile;
use scenario::files::StateKind;
use scenario::projection::project_case;
use serde_json::json;

fn real(rel: &str) -> serde_json::Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/realdata")
        .join(rel);
    serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap()
}

/// A one-scenario suite: the gitops-engine crash-looping pod, a real node, a log capture.
fn write_suite(root: &Path) {
    let dir = root.join("000-crash");
    fs::create_dir_all(dir.join("k8s-api")).unwrap();
    fs::write(dir.join("scenario.yml"), "schema_version: \"1.0\"\nscenario_id: crash\nengine: kubernetes\ncluster_name: minikube\nnamespace: argocd\nworkload_type: deployment\nworkload_name: my-pod\nregion: local\nfailure_mode: crashloop_backoff\nseverity: critical\nscenario_difficulty: 1\navailable_evidence: [eks_pods, eks_node_health, eks_pod_logs]\n").unwrap();
    fs::write(dir.join("answer.yml"), "root_cause_category: code_defect\nroot_cause: app_error\nexit_code: 1\naffected_pod: argocd/my-pod\naffected_container: main\nrequired_keywords: [CrashLoopBackOff]\nmodel_response: \"ROOT_CAUSE: main exits 1\"\n").unwrap();
    fs::write(
        dir.join("alert.json"),
        json!({"title": "my-pod restarting", "state": "alerting", "alert_source": "alertmanager",
        "commonLabels": {"namespace": "argocd"}, "commonAnnotations": {"kube_pod": "my-pod"}})
        .to_string(),
    )
    .unwrap();
    let list = |kind: &str, items: Vec<serde_json::Value>| {
        json!({"apiVersion": "v1", "kind": kind, "metadata": {"resourceVersion": "1"}, "items": items}).to_string()
    };
    fs::write(
        dir.join("k8s-api/pods.json"),
        list(
            "PodList",
            vec![real(
                "k8s/Pod__gitops-engine__pkg_health_testdata_pod-crashloop__0.json",
            )],
        ),
    )
    .unwrap();
    fs::write(
        dir.join("k8s-api/nodes.json"),
        list(
            "NodeList",
            vec![real("k8s/Node__k9s__internal_dao_testdata_n1__0.json")],
        ),
    )
    .unwrap();
    fs::write(dir.join("k8s-api/pod_logs.json"), json!({"logs": [
        {"namespace": "argocd", "pod": "my-pod", "container": "main", "previous": true, "text": "starting\nError: cannot read config: exit status 1\n"}]}).to_string()).unwrap();
}

#[test]
fn a_k8s_api_scenario_loads_strictly_and_projects_to_opensre() {
    let tmp = tempfile::tempdir().unwrap();
    write_suite(tmp.path());
    let suite = scenario::load_profile(tmp.path(), Profile::K8sApi).unwrap();
    let case = suite.scenarios()[0].case();
    assert_eq!(case.profile, Profile::K8sApi);
    assert!(
        case.evidence.pods().is_none(),
        "a k8s-api case carries raw objects only"
    );
    let raw = case.k8s_api.as_ref().unwrap();
    assert!(raw.pods.is_some() && raw.nodes.is_some() && raw.pod_logs.is_some());

    // The wire form round-trips.
    let wire = serde_json::to_string(case).unwrap();
    assert!(wire.contains("\"profile\":\"k8s-api\""));
    assert_eq!(
        &serde_json::from_str::<scenario::Case>(&wire).unwrap(),
        case
    );

    let projected = project_case(case).unwrap();
    assert_eq!(projected.profile, Profile::Opensre);
    let pod = &projected.evidence.pods().unwrap().pods[0];
    assert_eq!(
        (pod.name.as_str(), pod.phase.as_str()),
        ("my-pod", "Running")
    );
    assert_eq!(
        pod.containers[0].state.reason.as_deref(),
        Some("CrashLoopBackOff")
    );
    assert_eq!(pod.containers[0].state.kind(), StateKind::Waiting);
    assert_eq!(
        projected.evidence.pod_logs().unwrap().logs,
        "starting\nError: cannot read config: exit status 1\n"
    );
    assert_eq!(
        projected.evidence.nodes().unwrap().nodes[0].instance_type,
        None
    );

    // The opensre profile of the same directory has no files: every listed one is missing.
    assert!(scenario::load(tmp.path()).is_err());
}

#[test]
fn a_bad_raw_object_is_a_load_problem_naming_file_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    write_suite(tmp.path());
    let p = tmp.path().join("000-crash/k8s-api/pods.json");
    let text = fs::read_to_string(&p)
        .unwrap()
        .replace("\"restartCount\":3", "\"restartCount\":\"3\"");
    fs::write(&p, text).unwrap();
    let problems = scenario::load_profile(tmp.path(), Profile::K8sApi).unwrap_err();
    assert_eq!(
        problems.to_string(),
        "000-crash/k8s-api/pods.json: items[0].status.containerStatuses[0].restartCount: expected integer, got \"3\""
    );
}

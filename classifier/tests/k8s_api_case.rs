//! The `rules` baseline classifies a case of profile `k8s-api` by projecting it at its entry
//! point: the same prediction as on the projected `opensre` case.

use std::fs;
use std::path::PathBuf;

use scenario::{FailureMode, Profile};
use serde_json::json;

#[test]
fn rules_classify_a_k8s_api_case_as_its_projection() {
    let real = |rel: &str| -> serde_json::Value {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../scenario/tests/realdata")
            .join(rel);
        serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap()
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("000-pull");
    fs::create_dir_all(dir.join("k8s-api")).unwrap();
    fs::write(dir.join("scenario.yml"), "schema_version: \"1.0\"\nscenario_id: pull\nengine: kubernetes\ncluster_name: minikube\nnamespace: default\nworkload_type: deployment\nworkload_name: guestbook-ui-errimagepullbackoff\nregion: local\nfailure_mode: image_pull_backoff\nseverity: critical\nscenario_difficulty: 1\navailable_evidence: [eks_pods]\n").unwrap();
    fs::write(dir.join("answer.yml"), "root_cause_category: configuration_error\nrequired_keywords: [ImagePullBackOff]\nmodel_response: \"ROOT_CAUSE: bad image\"\n").unwrap();
    fs::write(dir.join("alert.json"), json!({"title": "pod not starting", "state": "alerting", "alert_source": "alertmanager",
        "commonLabels": {}, "commonAnnotations": {"kube_pod": "guestbook-ui-errimagepullbackoff-66cfffb669-45w2j"}}).to_string()).unwrap();
    let pods = json!({"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": [
        real("k8s/Pod__gitops-engine__pkg_health_testdata_pod-imagepullbackoff__0.json")]});
    fs::write(dir.join("k8s-api/pods.json"), pods.to_string()).unwrap();
    let suite = scenario::load_profile(tmp.path(), Profile::K8sApi).unwrap();
    let case = suite.scenarios()[0].case();
    assert_eq!(case.profile, Profile::K8sApi);
    let direct = classifier::rules::classify(case);
    let projected = classifier::rules::classify(&scenario::projection::project_case(case).unwrap());
    assert_eq!(direct, projected);
    assert_eq!(
        direct.failure_mode,
        FailureMode::ImagePullBackoff,
        "{}",
        direct.explanation
    );
}

/// A real captured pod (`scenario/tests/realdata/k8s/...`).
fn real_pod(rel: &str) -> serde_json::Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../scenario/tests/realdata/k8s")
        .join(rel);
    serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap()
}

/// Loads a one-scenario suite of profile `k8s-api` whose pod list holds `pod` alone, the alert
/// naming that pod; returns the rules' prediction.
fn classify_pod(pod: serde_json::Value) -> scenario::Prediction {
    let name = pod["metadata"]["name"].as_str().unwrap().to_owned();
    let ns = pod["metadata"]["namespace"].as_str().unwrap().to_owned();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("000-init");
    fs::create_dir_all(dir.join("k8s-api")).unwrap();
    fs::write(dir.join("scenario.yml"), format!("schema_version: \"1.0\"\nscenario_id: init\nengine: kubernetes\ncluster_name: minikube\nnamespace: {ns}\nworkload_type: deployment\nworkload_name: {name}\nregion: local\nfailure_mode: healthy\nseverity: critical\nscenario_difficulty: 1\navailable_evidence: [eks_pods]\n")).unwrap();
    fs::write(
        dir.join("answer.yml"),
        "root_cause_category: healthy\nrequired_keywords: [pod]\nmodel_response: \"ROOT_CAUSE: x\"\n",
    )
    .unwrap();
    fs::write(
        dir.join("alert.json"),
        json!({"title": "pod not ready", "state": "alerting", "alert_source": "alertmanager",
        "commonLabels": {}, "commonAnnotations": {"kube_pod": name}})
        .to_string(),
    )
    .unwrap();
    let pods = json!({"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": [pod]});
    fs::write(dir.join("k8s-api/pods.json"), pods.to_string()).unwrap();
    let suite = scenario::load_profile(tmp.path(), Profile::K8sApi).unwrap();
    classifier::rules::classify(suite.scenarios()[0].case())
}

/// The real pod `hurry-up-and-wait` (its init container `init-sleep` completed, its app
/// container running) turned into one held by that init container: the pod Pending and not
/// initialised, the app container waiting in `PodInitializing`, the init container in `state`.
fn held_by_init(init_state: serde_json::Value, restarts: i64) -> serde_json::Value {
    let mut pod = real_pod("Pod__k9s__internal_xray_testdata_init__0.json");
    let status = &mut pod["status"];
    status["phase"] = json!("Pending");
    for c in status["conditions"].as_array_mut().unwrap() {
        if c["type"] != "PodScheduled" {
            c["status"] = json!("False");
        }
    }
    let init = &mut status["initContainerStatuses"][0];
    init["state"] = init_state;
    init["ready"] = json!(false);
    init["restartCount"] = json!(restarts);
    init["lastState"] = json!({"terminated": {"exitCode": 1, "reason": "Error",
        "startedAt": "2020-01-18T06:35:02Z", "finishedAt": "2020-01-18T06:35:03Z"}});
    let app = &mut status["containerStatuses"][0];
    app["ready"] = json!(false);
    app["started"] = json!(false);
    app["state"] = json!({"waiting": {"reason": "PodInitializing"}});
    pod
}

#[test]
fn real_pods_whose_init_containers_completed_or_run_are_healthy() {
    for file in [
        "Pod__k9s__internal_xray_testdata_init__0.json",
        "Pod__k9s__internal_render_testdata_po_init__0.json",
    ] {
        let p = classify_pod(real_pod(file));
        assert_eq!(
            p.failure_mode,
            FailureMode::Healthy,
            "{file}: {}",
            p.explanation
        );
    }
}

#[test]
fn an_init_container_in_a_crash_loop_is_the_failure() {
    let p = classify_pod(held_by_init(
        json!({"waiting": {"reason": "CrashLoopBackOff",
            "message": "back-off 2m40s restarting failed container=init-sleep pod=hurry-up-and-wait_default(uid)"}}),
        5,
    ));
    assert_eq!(
        p.failure_mode,
        FailureMode::CrashloopBackoff,
        "{}",
        p.explanation
    );
    assert_eq!(p.affected_container.as_deref(), Some("init-sleep"));
    assert!(
        p.explanation
            .contains("initContainerStatuses[init-sleep]: waiting reason=CrashLoopBackOff"),
        "{}",
        p.explanation
    );
}

#[test]
fn an_init_container_that_cannot_pull_its_image_is_the_failure() {
    let p = classify_pod(held_by_init(
        json!({"waiting": {"reason": "ImagePullBackOff",
            "message": "Back-off pulling image \"busybox:nonexistent\""}}),
        0,
    ));
    assert_eq!(
        p.failure_mode,
        FailureMode::ImagePullBackoff,
        "{}",
        p.explanation
    );
    assert_eq!(p.affected_container.as_deref(), Some("init-sleep"));
}

#[test]
fn an_init_container_still_running_is_not_a_failure_yet() {
    let p = classify_pod(held_by_init(
        json!({"running": {"startedAt": "2020-01-18T06:31:32Z"}}),
        0,
    ));
    assert_ne!(
        p.failure_mode,
        FailureMode::CrashloopBackoff,
        "{}",
        p.explanation
    );
    assert_ne!(
        p.affected_container.as_deref(),
        Some("init-sleep"),
        "{}",
        p.explanation
    );
}

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

//! `import` on the real captures of `tests/realdata/` (Apache-2.0): every object of a layout
//! kind round-trips (import -> write -> load in the k8s-api profile -> the same typed object),
//! and the bad inputs of the issue are refused with the file and field named.

use std::path::PathBuf;

use scenario::files::{Alert, AnswerFile, ScenarioFile};
use scenario::import::{InputFile, Inputs, LogFile, build};
use scenario::k8s_api::{self, KubeObject};
use scenario::{Category, EvidenceKind, FailureMode, Profile};

fn realdata() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/realdata/k8s");
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn input(shown: &str, text: &str) -> InputFile {
    InputFile {
        shown: shown.into(),
        text: text.into(),
    }
}

fn inputs(namespace: &str, snapshots: Vec<InputFile>) -> Inputs {
    let scenario: ScenarioFile = serde_json::from_value(serde_json::json!({
        "schema_version": "1.0", "scenario_id": "001-imported", "engine": "kubernetes", "cluster_name": "c",
        "namespace": namespace, "workload_type": "deployment", "workload_name": "w", "region": "r",
        "failure_mode": "healthy", "severity": "info", "scenario_difficulty": 1, "available_evidence": []
    }))
    .unwrap();
    Inputs {
        snapshots,
        logs: Vec::new(),
        datadog_logs: None,
        datadog_monitors: None,
        scenario,
        answer: AnswerFile {
            root_cause_category: Category::Healthy,
            required_keywords: vec!["healthy".into()],
            model_response: "ROOT_CAUSE: none".into(),
            forbidden_categories: Vec::new(),
            forbidden_keywords: Vec::new(),
            optimal_trajectory: Vec::new(),
            max_investigation_loops: None,
            ruling_out_keywords: Vec::new(),
            required_queries: Vec::new(),
            required_evidence_sources: Vec::new(),
            root_cause: None,
            exit_code: None,
            affected_pod: None,
            affected_container: None,
            acceptable_root_causes: Vec::new(),
            equivalent_root_cause_categories: Vec::new(),
        },
        alert: Alert {
            title: "t".into(),
            state: "alerting".into(),
            alert_source: "import".into(),
            ..Alert::default()
        },
        allow_orphan_events: true,
    }
}

/// Writes the imported files and loads them back in the k8s-api profile.
fn import_and_load(i: &Inputs) -> scenario::Case {
    let files = build(i).unwrap_or_else(|p| panic!("{p:?}"));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("001-imported");
    for (rel, text) in &files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    // Both profiles load.
    scenario::load(&dir).unwrap_or_else(|p| panic!("opensre: {p}"));
    let suite =
        scenario::load_profile(&dir, Profile::K8sApi).unwrap_or_else(|p| panic!("k8s-api: {p}"));
    suite.scenarios()[0].case().clone()
}

#[test]
fn every_real_object_of_a_layout_kind_round_trips() {
    let files = realdata();
    let pod_of = |ns: &str| {
        files
            .iter()
            .find(|(n, t)| {
                n.starts_with("Pod__") && t.contains(&format!("\"namespace\": \"{ns}\""))
            })
            .cloned()
    };
    let mut checked = 0;
    for (name, text) in &files {
        let Ok(obj) = k8s_api::parse_object(text, name) else {
            continue;
        }; // the two non-server files
        let ns = serde_json::from_str::<serde_json::Value>(text).unwrap()["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_owned();
        let mut snapshots = vec![input(name, text)];
        if !matches!(obj, KubeObject::Pod(_)) {
            let Some((pn, pt)) = pod_of(&ns).or_else(|| pod_of("default")) else {
                continue;
            };
            snapshots.push(input(&pn, &pt));
        }
        let ns = if matches!(obj, KubeObject::Pod(_)) || pod_of(&ns).is_some() {
            ns
        } else {
            "default".into()
        };
        let i = inputs(&ns, snapshots);
        let raw = match build(&i) {
            Ok(_) => import_and_load(&i).k8s_api.unwrap(),
            Err(p) => {
                // Jobs and DaemonSets are not part of the layout: refused by kind.
                assert!(
                    matches!(obj, KubeObject::Job(_) | KubeObject::DaemonSet(_)),
                    "{name}: {p:?}"
                );
                assert!(
                    p[0].to_string()
                        .contains("not a kind of the k8s-api layout"),
                    "{p:?}"
                );
                continue;
            }
        };
        let ok = match &obj {
            KubeObject::Pod(p) => raw.pods.unwrap().ok().unwrap().items.contains(p),
            KubeObject::Node(n) => raw.nodes.unwrap().ok().unwrap().items.contains(n),
            KubeObject::Event(e) => raw.events.unwrap().ok().unwrap().items.contains(e),
            KubeObject::Deployment(d) => raw.deployments.unwrap().ok().unwrap().items.contains(d),
            KubeObject::StatefulSet(s) => raw.statefulsets.unwrap().ok().unwrap().items.contains(s),
            KubeObject::ReplicaSet(r) => raw.replicasets.unwrap().ok().unwrap().items.contains(r),
            other => panic!("{name}: {other:?}"),
        };
        assert!(ok, "{name} did not round-trip");
        checked += 1;
    }
    // 19 pods, 8 deployments, 3 statefulsets, 1 replicaset (the other is not from a server),
    // 2 nodes, 1 event; the 5 jobs and 3 daemonsets are refused by kind.
    assert_eq!(checked, 34);
}

fn problems(i: &Inputs) -> Vec<String> {
    match build(i) {
        Ok(_) => panic!("expected problems"),
        Err(p) => p.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn bad_snapshots_are_refused_naming_file_and_field() {
    let files = realdata();
    let get = |prefix: &str| {
        files
            .iter()
            .find(|(n, _)| n.starts_with(prefix))
            .unwrap()
            .1
            .clone()
    };
    let pod = get("Pod__gitops-engine__pkg_health_testdata_pod-crashloop");
    let event = get("Event__");
    let ok = || inputs("argocd", vec![input("pods.json", &pod)]);

    // No pods in the namespace.
    let i = inputs("payments", vec![input("pods.json", &pod)]);
    assert_eq!(
        problems(&i),
        vec![
            "pods.json: the snapshot has no pods in namespace \"payments\" (a scenario needs the pods of its namespace)"
        ]
    );

    // An unknown field and a wrong type.
    let bad = pod
        .replacen("\"restartCount\": 3", "\"restartCount\": \"3\"", 1)
        .replacen("\"hostIP\"", "\"hostIPs_\"", 1);
    let mut i = ok();
    i.snapshots = vec![input("pods.json", &bad)];
    assert_eq!(
        problems(&i),
        vec!["pods.json: status.containerStatuses[0].restartCount: expected integer, got \"3\""]
    );

    // A List of mixed kinds is fine (kubectl get a,b -o json); a Secret in it is not.
    let mixed = format!(
        "{{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{pod}, {{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {{}}}}]}}"
    );
    let mut i = ok();
    i.snapshots = vec![input("snapshot.json", &mixed)];
    let got = problems(&i);
    assert!(
        got[0].starts_with("snapshot.json: items[1].kind: unknown kind \"Secret\""),
        "{got:?}"
    );

    // An event whose pod is not in the snapshot.
    let mut i = ok();
    i.snapshots.push(input("events.json", &event));
    i.allow_orphan_events = false;
    assert_eq!(
        problems(&i),
        vec![
            "events.json: involvedObject.name: Pod \"hello-1567197780-mn4mv\" is not in the snapshot (--allow-orphan-events accepts events of deleted objects)"
        ]
    );

    // Logs of a pod that does not exist.
    let mut i = ok();
    i.logs.push(LogFile {
        namespace: "argocd".into(),
        pod: "ghost".into(),
        container: "main".into(),
        previous: false,
        file: input("ghost.log", "x\n"),
    });
    assert_eq!(
        problems(&i),
        vec!["ghost.log: logs of pod argocd/ghost, which is not in the snapshot"]
    );

    // A Datadog error body.
    let mut i = ok();
    i.datadog_logs = Some(input("dd.json", "{\"errors\": [\"Forbidden\"]}"));
    let got = problems(&i);
    assert!(
        got[0].starts_with("dd.json: errors: a raw Datadog error body"),
        "{got:?}"
    );
}

#[test]
fn an_imported_scenario_has_both_profiles_and_the_logs() {
    let files = realdata();
    let pod = files
        .iter()
        .find(|(n, _)| n.starts_with("Pod__gitops-engine__pkg_health_testdata_pod-crashloop"))
        .unwrap()
        .1
        .clone();
    let mut i = inputs("argocd", vec![input("pods.json", &pod)]);
    i.scenario.failure_mode = FailureMode::CrashloopBackoff;
    i.answer.root_cause_category = Category::CodeDefect;
    i.answer.affected_pod = Some("argocd/my-pod".into());
    i.logs.push(LogFile {
        namespace: "argocd".into(),
        pod: "my-pod".into(),
        container: "main".into(),
        previous: true,
        file: input("prev.log", "boom\n"),
    });
    let written = build(&i).unwrap();
    let names: Vec<&str> = written.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "scenario.yml",
            "answer.yml",
            "alert.json",
            "k8s-api/pods.json",
            "k8s-api/pod_logs.json",
            "eks_pods.json",
            "eks_pod_logs.json"
        ]
    );
    let case = import_and_load(&i);
    assert_eq!(case.profile, Profile::K8sApi);
    let opensre = scenario::projection::project_case(&case).unwrap();
    assert!(opensre.evidence.has(EvidenceKind::EksPodLogs));
    assert_eq!(opensre.evidence.pod_logs().unwrap().logs, "boom\n");
}

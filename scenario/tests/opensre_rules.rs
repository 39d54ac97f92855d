//! OpenSRE's loader rules (`scenario::opensre_rules`) on the canonical suite and on the
//! shapes the issue found OpenSRE's loader refusing.

use std::fs;
use std::path::{Path, PathBuf};

use scenario::opensre_rules::check_suite;
use serde_json::{Value, json};

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The problems OpenSRE's loader would raise on a canonical copy after `mutate`.
fn problems(mutate: impl FnOnce(&Path)) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/canonical"),
        tmp.path(),
    );
    mutate(tmp.path());
    check_suite(tmp.path())
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn edit_json(path: &Path, f: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    f(&mut v);
    fs::write(path, v.to_string()).unwrap();
}

#[test]
fn the_canonical_suite_passes() {
    assert_eq!(problems(|_| {}), Vec::<String>::new());
}

#[test]
fn real_tool_shapes_the_loader_refuses_are_named() {
    let got = problems(|d| {
        edit_json(&d.join("001-crashloop-backoff/eks_pods.json"), |v| {
            v["pods"][0]["node_name"] = Value::Null;
            v["pods"][0]["containers"][0]["restart_count"] = json!(true); // a Python int
        });
        edit_json(&d.join("001-crashloop-backoff/eks_events.json"), |v| {
            v["warning_events"][0]["count"] = Value::Null;
            v["warning_events"][0]["first_time"] = Value::Null;
        });
        fs::write(
            d.join("003-image-pull-backoff/eks_events.json"),
            r#"{"available": false, "error": "boom"}"#,
        )
        .unwrap();
        edit_json(&d.join("000-healthy/datadog_monitors.json"), |v| {
            v["monitors"][0].as_object_mut().unwrap().remove("id");
            v["monitors"][1]["query"] = json!("  ");
        });
    });
    assert_eq!(
        got,
        vec![
            "000-healthy/datadog_monitors.json: monitors[1].query: missing or empty required string field (OpenSRE's loader)",
            "001-crashloop-backoff/eks_events.json: warning_events[0].count: must be an integer (OpenSRE's loader)",
            "001-crashloop-backoff/eks_events.json: warning_events[0].first_time: missing or empty required string field (OpenSRE's loader)",
            "001-crashloop-backoff/eks_pods.json: pods[0].node_name: missing or empty required string field (OpenSRE's loader)",
            "003-image-pull-backoff/eks_events.json: warning_events: must be a list (OpenSRE's loader)",
        ]
    );
}

#[test]
fn pod_logs_answer_and_inheritance_rules() {
    let got = problems(|d| {
        fs::write(
            d.join("001-crashloop-backoff/eks_pod_logs.json"),
            r#"{"source": "eks", "available": false, "pod_name": "api-1", "error": "(400)"}"#,
        )
        .unwrap();
        let answer = d.join("002-oom-killed/answer.yml");
        let text = fs::read_to_string(&answer).unwrap();
        let text = text.replacen(
            "optimal_trajectory:\n  - list_eks_pods",
            "optimal_trajectory:\n  - list_pods",
            1,
        );
        fs::write(&answer, format!("{text}required_queries: []\n")).unwrap();
        let s = d.join("003-image-pull-backoff/scenario.yml");
        let text = fs::read_to_string(&s).unwrap();
        fs::write(
            &s,
            text.replace("base: 000-healthy", "base: 002-oom-killed"),
        )
        .unwrap();
    });
    assert_eq!(
        got,
        vec![
            "001-crashloop-backoff/eks_pod_logs.json: logs: must be a string (OpenSRE's loader)",
            "001-crashloop-backoff/eks_pod_logs.json: namespace: missing or empty required string field (OpenSRE's loader)",
            "002-oom-killed/answer.yml: optimal_trajectory[0]: unknown action \"list_pods\" (OpenSRE's loader expects one of list_eks_pods, get_eks_events, list_eks_deployments, get_eks_node_health, get_eks_pod_logs, query_datadog_logs, query_datadog_monitors)",
            "002-oom-killed/answer.yml: required_queries: must be a non-empty list (OpenSRE's loader)",
            "003-image-pull-backoff/scenario.yml: base: chained inheritance is not supported (OpenSRE's loader)",
        ]
    );
}

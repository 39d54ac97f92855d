//! Property tests of `scenario::perturb` on generated scenarios in both profiles: every rewrite
//! keeps every label and the scenario count, the raw objects stay strictly valid and the
//! `opensre` files stay their projection; a rename undone with the inverse map (and a time
//! shift undone with the opposite offset) gives back the original bytes. Bad input: an unknown
//! rewrite, and `opensre` files edited by hand so they are no longer the projection.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use generator::{Mix, Profile, Templates, load_templates, parse_mix, render_scenario};
use proptest::prelude::*;
use scenario::perturb::{Dir, Rewrite, invert, perturb, rename_dir, text};
use scenario::projection::project;
use scenario::{Answer, Scenario};

static T: LazyLock<Templates> = LazyLock::new(|| {
    load_templates(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates"))
        .expect("templates load")
});

fn dirs(seed: u64, count: u64) -> Vec<Dir> {
    let mix: Mix = parse_mix(&T, "").expect("mix");
    (0..count)
        .map(|i| {
            let s = render_scenario(&T, &mix, seed, i, count, Profile::Both).expect("renders");
            let mut files = s.files;
            files.sort();
            Dir {
                name: s.dir_name,
                files,
            }
        })
        .collect()
}

fn scenario(d: &Dir) -> Scenario {
    Scenario::from_files(&d.name, &d.files).unwrap_or_else(|p| panic!("{}: {p:?}", d.name))
}

/// The labels a perturbation must keep (the affected pod and container are names: renamed).
fn labels(s: &Scenario) -> (String, Answer) {
    let mut a = s.answer();
    a.affected_pod = None;
    a.affected_container = None;
    (
        format!(
            "{} {} {:?} {:?} {:?}",
            s.id(),
            s.file().scenario_difficulty,
            s.file().adversarial_signals,
            s.file().available_evidence,
            s.file().failure_mode
        ),
        a,
    )
}

/// The raw objects of a directory read strictly, projected with the calls the opensre pod
/// log names; every opensre file the projection writes must be the directory's.
fn check_projection(d: &Dir) {
    let get = |f: &str| {
        d.files
            .iter()
            .find(|(p, _)| p == f)
            .map(|(_, t)| t.as_str())
    };
    let mut raw = scenario::k8s_api::RawEvidence::default();
    for (p, t) in &d.files {
        let s = format!("{}/{p}", d.name);
        let ok = match p.as_str() {
            "k8s-api/pods.json" => scenario::k8s_api::parse_pods(t, &s).map(|v| raw.pods = Some(v)),
            "k8s-api/events.json" => {
                scenario::k8s_api::parse_events(t, &s).map(|v| raw.events = Some(v))
            }
            "k8s-api/nodes.json" => {
                scenario::k8s_api::parse_nodes(t, &s).map(|v| raw.nodes = Some(v))
            }
            "k8s-api/deployments.json" => {
                scenario::k8s_api::parse_deployments(t, &s).map(|v| raw.deployments = Some(v))
            }
            "k8s-api/replicasets.json" => {
                scenario::k8s_api::parse_replicasets(t, &s).map(|v| raw.replicasets = Some(v))
            }
            "k8s-api/statefulsets.json" => {
                scenario::k8s_api::parse_statefulsets(t, &s).map(|v| raw.statefulsets = Some(v))
            }
            "k8s-api/pod_logs.json" => {
                scenario::k8s_api::parse_pod_logs(t, &s).map(|v| raw.pod_logs = Some(v))
            }
            "k8s-api/datadog_logs.json" => {
                scenario::k8s_api::parse_datadog_logs(t, &s).map(|v| raw.datadog_logs = Some(v))
            }
            "k8s-api/datadog_monitors.json" => scenario::k8s_api::parse_datadog_monitors(t, &s)
                .map(|v| raw.datadog_monitors = Some(v)),
            _ => Ok(()),
        };
        if let Err(p) = ok {
            panic!("{s}: not strictly valid: {p:?}");
        }
    }
    let yml: serde_json::Value =
        serde_saphyr::from_str(get("scenario.yml").unwrap()).expect("scenario.yml");
    let ns = yml["namespace"].as_str().unwrap().to_owned();
    let pod_logs = get("eks_pod_logs.json")
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .and_then(|v| v["pod_name"].as_str().map(str::to_owned));
    let dd = get("datadog_logs.json")
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .and_then(|v| v["query"].as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("kube_namespace:{ns}"));
    // The generator asks for the alerted container's current log.
    let container = raw.pod_logs.as_ref().and_then(|c| {
        c.logs
            .iter()
            .find(|e| Some(&e.pod) == pod_logs.as_ref() && !e.previous)
            .map(|e| e.container.clone())
    });
    let candidates: Vec<Option<String>> = raw
        .pod_logs
        .iter()
        .flat_map(|c| c.logs.iter())
        .filter(|e| Some(&e.pod) == pod_logs.as_ref())
        .map(|e| Some(e.container.clone()))
        .chain([container, None])
        .collect();
    let matches = candidates.iter().any(|c| {
        let calls = scenario::projection::ToolCalls {
            cluster_name: yml["cluster_name"].as_str().unwrap().to_owned(),
            namespace: ns.clone(),
            pod_logs: pod_logs
                .clone()
                .map(|pod| scenario::projection::PodLogsCall {
                    pod,
                    container: c.clone(),
                    previous: false,
                }),
            datadog_logs_query: dd.clone(),
            datadog_monitors_query: None,
        };
        project(&raw, &calls).is_ok_and(|files| {
            files
                .iter()
                .all(|(k, t)| get(&k.file_name()) == Some(t.as_str()))
        })
    });
    assert!(matches, "{}: opensre files are not the projection", d.name);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, .. ProptestConfig::default() })]

    /// Every rewrite (alone and all together) keeps every label and the scenario count, and
    /// keeps both profiles valid and in agreement.
    #[test]
    fn perturbations_keep_labels_and_profiles(seed in 0u64..10_000, pseed in 0u64..1000) {
        let parent = dirs(seed, 5);
        let mut lists: Vec<Vec<Rewrite>> = Rewrite::ALL.iter().map(|r| vec![*r]).collect();
        lists.push(Rewrite::ALL.to_vec());
        for list in lists {
            let child = perturb(&parent, &list, pseed).expect("perturbs");
            prop_assert_eq!(child.dirs.len(), parent.len());
            prop_assert_eq!(child.records.len(), parent.len());
            for (p, c) in parent.iter().zip(&child.dirs) {
                prop_assert_eq!(&p.name, &c.name);
                let (sp, sc) = (scenario(p), scenario(c));
                prop_assert_eq!(labels(&sp), labels(&sc), "{:?} on {}", list, p.name);
                // The affected pod is the parent's, renamed.
                let rec = &child.records[sp.id()];
                prop_assert_eq!(
                    sp.answer().affected_pod.map(|x| rec.map_ref(&x)),
                    sc.answer().affected_pod
                );
                check_projection(c);
            }
        }
    }

    /// A rename undone with the inverse map gives back the original bytes, and so does a time
    /// shift undone with the opposite offset.
    #[test]
    fn rename_and_time_shift_invert_exactly(seed in 0u64..10_000, pseed in 0u64..1000) {
        let parent = dirs(seed, 4);
        let renamed = perturb(&parent, &[Rewrite::Rename], pseed).expect("renames");
        for (p, c) in parent.iter().zip(&renamed.dirs) {
            let rec = &renamed.records[&p.name];
            prop_assert!(!rec.renames.is_empty());
            prop_assert_ne!(p, c);
            let back = rename_dir(c, &invert(&rec.renames));
            prop_assert_eq!(p, &back);
            // The map is collision-free: no two names get the same new name.
            prop_assert_eq!(invert(&rec.renames).len(), rec.renames.len());
        }
        let shifted = perturb(&parent, &[Rewrite::TimeShift], pseed).expect("shifts");
        for (p, c) in parent.iter().zip(&shifted.dirs) {
            let shift = shifted.records[&p.name].shift_seconds.expect("an offset");
            prop_assert!(shift != 0);
            prop_assert_ne!(p, c);
            for ((fp, tp), (fc, tc)) in p.files.iter().zip(&c.files) {
                prop_assert_eq!(fp, fc);
                prop_assert_eq!(&text::shift_times(tc, -shift), tp);
            }
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_child_and_another_seed_another() {
    let parent = dirs(7, 4);
    let all = Rewrite::ALL.to_vec();
    let a = perturb(&parent, &all, 1).unwrap();
    let b = perturb(&parent, &all, 1).unwrap();
    let c = perturb(&parent, &all, 2).unwrap();
    assert_eq!(a.dirs, b.dirs);
    assert_eq!(a.records, b.records);
    assert_ne!(a.dirs, c.dirs);
    // Every scenario of a generated corpus has an unrelated healthy pod to drop and unrelated
    // lines to reword somewhere.
    assert!(a.records.values().any(|r| r.dropped_pod.is_some()));
    assert!(a.records.values().map(|r| r.reworded_lines).sum::<u64>() > 0);
    assert!(a.records.values().all(|r| r.reordered_lists > 0));
}

#[test]
fn a_dropped_pod_is_gone_from_every_file_and_its_deployment_counts_one_less() {
    let parent = dirs(11, 4);
    let child = perturb(&parent, &[Rewrite::DropHealthyPod], 3).unwrap();
    for (p, c) in parent.iter().zip(&child.dirs) {
        let Some(dropped) = &child.records[&p.name].dropped_pod else {
            continue;
        };
        let pod = dropped.split_once('/').unwrap().1;
        let mentions = |d: &Dir| -> usize {
            d.files
                .iter()
                .filter(|(f, _)| f != "answer.yml" && f != "alert.json")
                .map(|(_, t)| text::tokens(t).iter().filter(|x| **x == pod).count())
                .sum()
        };
        assert!(mentions(p) > 0);
        assert_eq!(mentions(c), 0, "{}: {pod} still named", p.name);
        let total = |d: &Dir| -> u64 {
            let t = &d
                .files
                .iter()
                .find(|(f, _)| f == "eks_pods.json")
                .unwrap()
                .1;
            serde_json::from_str::<serde_json::Value>(t).unwrap()["total_pods"]
                .as_u64()
                .unwrap()
        };
        assert_eq!(total(c) + 1, total(p));
    }
}

#[test]
fn unknown_rewrites_and_hand_edited_projections_are_refused() {
    let e = Rewrite::parse_list("rename,shuffle").unwrap_err();
    assert!(
        e.contains("unknown rewrite \"shuffle\"") && e.contains("drop-healthy-pod"),
        "{e}"
    );
    assert!(
        Rewrite::parse_list("rename,rename")
            .unwrap_err()
            .contains("twice")
    );
    assert_eq!(
        Rewrite::parse_list("time-shift, reword").unwrap(),
        vec![Rewrite::TimeShift, Rewrite::Reword]
    );
    let mut parent = dirs(5, 2);
    let f = parent[1]
        .files
        .iter_mut()
        .find(|(p, _)| p == "eks_pods.json")
        .unwrap();
    f.1 = f.1.replacen("\"Running\"", "\"Pending\"", 1);
    let err = perturb(&parent, &[Rewrite::Reorder], 0)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!("{}/k8s-api", parent[1].name)) && err.contains("not the projection"),
        "{err}"
    );
}

#[test]
fn rename_keeps_json_keys_labels_and_reserved_words() {
    let parent = dirs(3, 3);
    let child = perturb(&parent, &[Rewrite::Rename], 9).unwrap();
    let mut keys: BTreeSet<String> = BTreeSet::new();
    for (p, c) in parent.iter().zip(&child.dirs) {
        let rec = &child.records[&p.name];
        for old in rec.renames.keys() {
            assert!(!scenario::perturb::RESERVED.contains(&old.as_str()));
            keys.insert(old.clone());
        }
        for ((f, tp), (_, tc)) in p.files.iter().zip(&c.files) {
            if f.ends_with(".json") {
                let (vp, vc): (serde_json::Value, serde_json::Value) = (
                    serde_json::from_str(tp).unwrap(),
                    serde_json::from_str(tc).unwrap(),
                );
                fn shape(v: &serde_json::Value) -> String {
                    match v {
                        serde_json::Value::Object(m) => m
                            .iter()
                            .map(|(k, v)| format!("{k}:{}", shape(v)))
                            .collect::<Vec<_>>()
                            .join(","),
                        serde_json::Value::Array(a) => {
                            a.iter().map(shape).collect::<Vec<_>>().join(";")
                        }
                        _ => String::new(),
                    }
                }
                assert_eq!(shape(&vp), shape(&vc), "{f}: keys changed");
            }
        }
    }
    assert!(!keys.is_empty());
}

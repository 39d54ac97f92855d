//! Properties of the rule baseline on randomly mutated canonical cases: it never panics, its
//! answer is consistent with the taxonomy (a named cause agrees with the mode and category), it
//! never blames a pod that is not in the evidence, and `healthy` never blames anything.

mod common;

use proptest::prelude::*;
use scenario::files::{ContainerState, Event};
use scenario::{Case, FailureMode, RootCause, Source};

fn canonical() -> Vec<Case> {
    let suite = scenario::load(&common::root().join("corpus/canonical")).unwrap();
    suite.scenarios().iter().map(|s| s.case().clone()).collect()
}

const REASONS: &[&str] = &[
    "CrashLoopBackOff",
    "OOMKilled",
    "Error",
    "StartError",
    "ContainerCannotRun",
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "CreateContainerConfigError",
    "ContainerCreating",
    "Completed",
    "",
];
const TEXTS: &[&str] = &[
    "Out of memory: Killed process 1 (java)",
    "Memory cgroup out of memory: Killed process 2 (x)",
    "dial tcp 10.0.0.1:5432: connect: connection refused",
    "exec /app: exec format error",
    "executable file not found in $PATH",
    "Segmentation fault (core dumped)",
    "configmap \"x\" not found",
    "429 Too Many Requests",
    "Back-off restarting failed container api in pod p_ns(uid)",
    "Liveness probe failed: timeout",
    "KeyError: 'DATABASE_URL'",
    "",
];

/// One random edit of a case.
#[derive(Clone, Debug)]
enum Edit {
    State {
        pod: usize,
        kind: u8,
        reason: usize,
        code: Option<i32>,
        text: usize,
        ready: bool,
    },
    Event {
        pod: usize,
        reason: usize,
        text: usize,
        node: bool,
    },
    Unavailable(u8),
    Missing(u8),
    Log(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (
            0..4usize,
            0..3u8,
            0..REASONS.len(),
            proptest::option::of(prop_oneof![
                Just(0),
                Just(1),
                Just(2),
                Just(126),
                Just(127),
                Just(128),
                Just(137),
                Just(139),
                Just(143),
                Just(255)
            ]),
            0..TEXTS.len(),
            any::<bool>()
        )
            .prop_map(|(pod, kind, reason, code, text, ready)| Edit::State {
                pod,
                kind,
                reason,
                code,
                text,
                ready
            }),
        (0..4usize, 0..REASONS.len(), 0..TEXTS.len(), any::<bool>()).prop_map(
            |(pod, reason, text, node)| Edit::Event {
                pod,
                reason,
                text,
                node
            }
        ),
        (0..7u8).prop_map(Edit::Unavailable),
        (0..7u8).prop_map(Edit::Missing),
        (0..TEXTS.len()).prop_map(Edit::Log),
    ]
}

fn apply(case: &mut Case, e: &Edit) {
    let ev = &mut case.evidence;
    match e {
        Edit::State {
            pod,
            kind,
            reason,
            code,
            text,
            ready,
        } => {
            if let Some(Source::Available(p)) = ev.eks_pods.as_mut() {
                let n = p.pods.len();
                if let Some(c) = p
                    .pods
                    .get_mut(pod % n.max(1))
                    .and_then(|p| p.containers.first_mut())
                {
                    c.ready = *ready;
                    c.restart_count = c.restart_count.saturating_add(3);
                    c.state = ContainerState {
                        running: (*kind == 0).then_some(true),
                        waiting: (*kind == 1).then_some(true),
                        terminated: (*kind == 2).then_some(true),
                        reason: Some(REASONS[*reason].into()),
                        message: Some(TEXTS[*text].into()),
                        exit_code: if *kind == 2 {
                            Some(code.unwrap_or(1))
                        } else {
                            *code
                        },
                        started_at: None,
                    };
                }
            }
        }
        Edit::Event {
            pod,
            reason,
            text,
            node,
        } => {
            let object = match (ev.pods(), node) {
                (_, true) => "Node/ip-10-0-2-17.us-east-1.compute.internal".to_owned(),
                (Some(p), false) if !p.pods.is_empty() => {
                    format!("Pod/{}", p.pods[pod % p.pods.len()].name)
                }
                _ => "Pod/payments-api-7f9dd8b6c4-k2m4p".to_owned(),
            };
            if let Some(Source::Available(events)) = ev.eks_events.as_mut() {
                let reason = if *node {
                    "OOMKilling"
                } else {
                    [
                        "BackOff",
                        "Failed",
                        "Unhealthy",
                        "Killing",
                        "FailedMount",
                        "Evicted",
                        "FailedScheduling",
                    ][reason % 7]
                };
                events.warning_events.push(Event {
                    namespace: "payments".into(),
                    reason: reason.into(),
                    message: TEXTS[*text].into(),
                    kind: "Warning".into(),
                    count: Some(3),
                    involved_object: object,
                    first_time: None,
                    last_time: None,
                });
            }
        }
        Edit::Unavailable(k) | Edit::Missing(k) => {
            let gone = matches!(e, Edit::Missing(_));
            macro_rules! drop_source {
                ($f:ident) => {
                    ev.$f = if gone {
                        None
                    } else {
                        Some(Source::Unavailable {
                            error: "tool failed".into(),
                        })
                    }
                };
            }
            match k {
                0 => drop_source!(eks_pods),
                1 => drop_source!(eks_events),
                2 => drop_source!(eks_deployments),
                3 => drop_source!(eks_node_health),
                4 => drop_source!(eks_pod_logs),
                5 => drop_source!(datadog_logs),
                _ => drop_source!(datadog_monitors),
            }
        }
        Edit::Log(text) => {
            if let Some(Source::Available(logs)) = ev.datadog_logs.as_mut()
                && let Some(first) = logs.logs.first().cloned()
            {
                let mut l = first;
                l.message = TEXTS[*text].into();
                logs.logs.push(l);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn answers_are_total_consistent_and_localized(which in 0..4usize, edits in proptest::collection::vec(edit(), 0..8)) {
        let mut case = canonical().swap_remove(which);
        for e in &edits {
            apply(&mut case, e);
        }
        let p = classifier::rules::classify(&case);
        prop_assert!(p.check().is_ok(), "{:?}", p.check());
        prop_assert!(!p.explanation.is_empty());
        if p.root_cause != RootCause::Unknown {
            prop_assert_eq!(p.root_cause.mode(), p.failure_mode, "{}", p.explanation);
            prop_assert_eq!(p.root_cause.category(), p.root_cause_category, "{}", p.explanation);
        }
        if p.failure_mode == FailureMode::Healthy {
            prop_assert!(p.affected_pod.is_none() && p.affected_container.is_none() && p.exit_code.is_none());
        }
        if let Some(pod) = &p.affected_pod {
            let (ns, name) = pod.split_once('/').expect("namespace/pod");
            prop_assert_eq!(ns, case.context.namespace.as_str());
            let known_pod = case.evidence.pods().is_some_and(|f| f.pods.iter().any(|p| p.name == name))
                || case.evidence.events().is_some_and(|f| f.warning_events.iter().any(|e| e.involved_object == format!("Pod/{name}")))
                || case.evidence.pod_logs().is_some_and(|l| l.pod_name == name);
            prop_assert!(known_pod, "blamed {} which is in no evidence: {}", pod, p.explanation);
        }
    }
}

//! Property tests of the sampled world (before any template): the invariants REALISM.md
//! states hold for every seed and index.

use std::sync::LazyLock;

use generator::spec::Pattern;
use generator::time::go_duration;
use generator::world::{StateKind, Streams, World, simulate_loop};
use generator::{Mix, Templates, load_templates, parse_mix, sample_world};
use proptest::prelude::*;
use scenario::{FailureMode, RootCause};

static T: LazyLock<Templates> = LazyLock::new(|| {
    load_templates(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates"))
        .expect("templates load")
});

fn world(seed: u64, index: u64, mix: &str) -> World {
    let mix: Mix = parse_mix(&T, mix).expect("mix");
    sample_world(&T, &mix, seed, index, &format!("{index:05}")).expect("world samples")
}

/// Outside node OOM, a node is under memory pressure only as the `node_pressure_elsewhere`
/// distractor, and then not the alerted pod's node when the cluster has another.
fn pressure_only_elsewhere(w: &World, target_node: &str) -> bool {
    let pressured: Vec<_> = w
        .nodes
        .iter()
        .filter(|n| n.memory_pressure != "False")
        .collect();
    if !w
        .labels
        .signals
        .contains(&scenario::Signal::NodePressureElsewhere)
    {
        return pressured.is_empty();
    }
    pressured.len() == 1 && (w.nodes.len() == 1 || pressured[0].name != target_node)
}

fn target(w: &World) -> &generator::world::Pod {
    let name = w.labels.affected_pod.as_deref().map_or_else(
        || w.pod_logs.pod.clone(),
        |p| p.split_once('/').unwrap().1.to_owned(),
    );
    w.pods
        .iter()
        .find(|p| p.name == name)
        .expect("target pod is in the world")
}

/// Timestamps are ordered: nothing after the snapshot, events first <= last, runs in order.
fn check_time(w: &World) {
    let now = w.snapshot.0;
    for p in &w.pods {
        assert!(
            p.start_time.0 <= now,
            "{}: pod starts after the snapshot",
            w.id
        );
        for c in &p.containers {
            // A container that never started (StartError) reports 1970-01-01.
            if let Some(s) = c.state.started_at.filter(|s| s.0 > 0) {
                assert!(
                    s.0 >= p.start_time.0 && s.0 <= now,
                    "{}: {} started_at",
                    w.id,
                    p.name
                );
            }
            if let Some(f) = c.state.finished_at {
                assert!(f.0 <= now);
            }
            if let Some(l) = &c.last_state {
                assert!(l.finished_at.0 <= now, "{}: lastState in the future", w.id);
                assert!(
                    l.started_at.0 == 0 || l.started_at.0 <= l.finished_at.0,
                    "{}: lastState runs backwards",
                    w.id
                );
                if let Some(s) = c.state.started_at.filter(|s| s.0 > 0) {
                    assert!(
                        l.finished_at.0 <= s.0,
                        "{}: {} restarted before its last run finished: {:?} {:?} {:?}",
                        w.id,
                        p.name,
                        l,
                        c.state,
                        w.labels
                    );
                }
            }
        }
    }
    for e in &w.events {
        if let (Some(f), Some(l)) = (e.first, e.last) {
            assert!(
                f.0 <= l.0 && l.0 <= now,
                "{}: event {} {:?}..{:?} vs {now}",
                w.id,
                e.reason,
                f,
                l
            );
            assert!(
                now - l.0 < 3600,
                "{}: an expired event is still listed",
                w.id
            );
        }
        assert!(e.count.is_none_or(|c| c >= 1));
        assert!(
            now - e.last_seen() < 3600,
            "{}: {} expired an hour ago but is listed",
            w.id,
            e.reason
        );
    }
    assert!(
        w.datadog_logs.windows(2).all(|x| x[0].ms <= x[1].ms),
        "{}: datadog logs out of order",
        w.id
    );
    assert!(w.datadog_logs.iter().all(|d| d.ms <= now * 1000));
    assert!(
        w.pod_logs.lines.windows(2).all(|x| x[0].ms <= x[1].ms),
        "{}: pod log out of order",
        w.id
    );
    assert!(w.pod_logs.lines.iter().all(|l| l.ms <= now * 1000));
}

/// The shape of the failing pod agrees with its mode and cause.
fn check_shape(w: &World) {
    let mut names: Vec<&str> = w.nodes.iter().map(|n| n.name.as_str()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(
        names.len(),
        before,
        "node names must be unique: {:?}",
        w.nodes.iter().map(|n| &n.name).collect::<Vec<_>>()
    );
    let p = target(w);
    let c = &p.containers[0];
    let backoff = T.spec.backoff;
    match w.pattern {
        Pattern::CrashLoop => {
            assert_eq!(
                p.phase, "Running",
                "{}: a crash-looping pod stays Running",
                w.id
            );
            let code = w.labels.exit_code.expect("exit code");
            match c.state.kind {
                StateKind::Waiting => {
                    assert_eq!(c.state.reason.as_deref(), Some("CrashLoopBackOff"));
                    let last = c
                        .last_state
                        .as_ref()
                        .expect("cause in lastState.terminated");
                    assert_eq!(last.exit_code, code);
                    // The back-off in the message is the one the restart count implies.
                    let msg = c.state.message.as_deref().unwrap();
                    let want = format!(
                        "ack-off {} restarting failed container={}",
                        go_duration(backoff.delay(c.restart_count)),
                        c.name
                    );
                    assert!(
                        msg.contains(&want),
                        "{}: {msg} vs restart_count {}",
                        w.id,
                        c.restart_count
                    );
                }
                StateKind::Terminated => assert_eq!(c.state.exit_code, Some(code)),
                StateKind::Running => panic!("{}: crash-loop container is running", w.id),
            }
            // Restart count agrees with the span: r restarts need at least the sum of r delays.
            let min_span: i64 = (0..c.restart_count).map(|n| backoff.delay(n)).sum();
            assert!(
                w.snapshot.0 - p.start_time.0 >= min_span,
                "{}: {} restarts in {}s",
                w.id,
                c.restart_count,
                w.snapshot.0 - p.start_time.0
            );
            // BackOff events: at least one per back-off window (restarts), all Warning.
            let bo: Vec<_> = w
                .events
                .iter()
                .filter(|e| e.reason == "BackOff" && e.object_name == p.name)
                .collect();
            for e in &bo {
                assert_eq!(e.kind, "Warning");
                assert!(
                    e.count.unwrap() >= c.restart_count,
                    "{}: BackOff x{} < {} restarts",
                    w.id,
                    e.count.unwrap(),
                    c.restart_count
                );
            }
            if c.last_state
                .as_ref()
                .is_some_and(|l| l.reason == "StartError")
            {
                assert_eq!(
                    c.last_state.as_ref().unwrap().started_at.0,
                    0,
                    "StartError starts at 1970"
                );
            }
        }
        Pattern::ImagePull | Pattern::InvalidImage => {
            assert_eq!(p.phase, "Pending", "{}: image-pull pods are Pending", w.id);
            assert_eq!(c.restart_count, 0);
            assert!(c.image_id.is_empty() && c.container_id.is_empty());
            assert!(c.last_state.is_none());
            let r = c.state.reason.as_deref().unwrap();
            assert!(
                ["ErrImagePull", "ImagePullBackOff", "InvalidImageName"].contains(&r),
                "{r}"
            );
            // The image-pull BackOff is a Normal event (the Warning-only tool drops it).
            assert!(
                w.events
                    .iter()
                    .filter(|e| e.reason == "BackOff" && e.object_name == p.name)
                    .all(|e| e.kind == "Normal")
            );
            // No application logs for a container that never started: the kubelet answers
            // the log request with its "waiting to start" error.
            let msg = c
                .log_error
                .as_deref()
                .expect("a log error for a never-started container");
            assert!(msg.contains("is waiting to start"), "{msg}");
            let req = w
                .log_requests
                .iter()
                .find(|r| r.pod == p.name && r.container == c.name && !r.previous)
                .expect("the log request is captured");
            assert!(req.status.is_some() && req.lines.is_empty());
        }
        Pattern::ConfigError => {
            assert_eq!(p.phase, "Pending");
            assert_eq!(
                c.state.reason.as_deref(),
                Some("CreateContainerConfigError")
            );
            assert_eq!(c.restart_count, 0);
        }
        Pattern::Healthy => {
            for pod in w.pods.iter().filter(|q| q.workload == w.workload.name) {
                let starting = pod.phase == "Pending"
                    && pod
                        .containers
                        .iter()
                        .all(|c| c.state.reason.as_deref() == Some("ContainerCreating"))
                    && w.snapshot.0 - pod.start_time.0 < 60;
                assert!(
                    starting || pod.phase == "Running",
                    "{}: {} is {}",
                    w.id,
                    pod.name,
                    pod.phase
                );
                assert!(
                    starting
                        || pod
                            .containers
                            .iter()
                            .all(|c| c.ready && c.state.kind == StateKind::Running)
                );
            }
            assert!(w.labels.affected_pod.is_none());
        }
    }
    match w.labels.cause {
        RootCause::NodeOom => {
            let node = w.nodes.iter().find(|n| n.name == p.node).unwrap();
            assert_eq!(
                node.memory_pressure, "True",
                "{}: node under memory pressure",
                w.id
            );
            assert_eq!(node.memory_reason, "KubeletHasInsufficientMemory");
            assert!(
                w.events.iter().any(|e| e.reason == "OOMKilling"
                    && e.object_kind == "Node"
                    && e.source_component == "kernel-monitor"
                    && e.message.starts_with("Out of memory: Killed process")),
                "{}: no OOMKilling node event",
                w.id
            );
            assert!(
                c.memory_limit.is_none(),
                "{}: node OOM victims have no memory limit",
                w.id
            );
        }
        RootCause::ContainerOom => {
            assert!(c.memory_limit.is_some());
            assert!(pressure_only_elsewhere(w, &p.node), "{}: pressure", w.id);
        }
        _ => assert!(pressure_only_elsewhere(w, &p.node), "{}: pressure", w.id),
    }
    // Pressure conditions come in their fixed reason pairs.
    for n in &w.nodes {
        let want = if n.memory_pressure == "True" {
            "KubeletHasInsufficientMemory"
        } else {
            "KubeletHasSufficientMemory"
        };
        assert_eq!(n.memory_reason, want);
    }
    if w.labels.mode != FailureMode::Healthy {
        assert_eq!(
            w.labels.affected_pod.as_deref(),
            Some(format!("{}/{}", w.namespace, p.name).as_str())
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn world_invariants_hold(seed in any::<u64>(), index in 0u64..1_000_000) {
        let w = world(seed, index, "");
        check_time(&w);
        check_shape(&w);
    }

    #[test]
    fn node_oom_worlds_have_pressure_and_a_kernel_event(seed in any::<u64>(), index in 0u64..1_000_000) {
        let w = world(seed, index, "healthy=0,crashloop_backoff=0,image_pull_backoff=0,container_oom=0");
        prop_assert_eq!(w.labels.cause, RootCause::NodeOom);
        check_time(&w);
        check_shape(&w);
    }

    #[test]
    fn back_off_schedule_is_kubelets(seed in any::<u64>(), span in 30i64..40_000, lo in 0i64..60, extra in 0i64..400, term in any::<bool>()) {
        let backoff = T.spec.backoff;
        let mut rng = Streams::new(seed, 0).stage("test");
        let lp = simulate_loop(&mut rng, 1_000, span, (lo, lo + extra), &backoff, term);
        for (i, w) in lp.runs.windows(2).enumerate() {
            // The next start waits for the doubling delay (10, 20, ... capped at 300).
            prop_assert!(w[1].0 - w[0].1 >= backoff.delay(i as u32));
            prop_assert!(w[0].0 <= w[0].1);
        }
        prop_assert!(lp.snapshot >= lp.runs.last().unwrap().1);
        prop_assert_eq!(lp.restarts() as usize, lp.runs.len() - 1);
        let (count, first, last) = lp.backoff_events(backoff.sync_seconds);
        prop_assert!(count >= lp.restarts());
        if count > 0 { prop_assert!(first <= last && last <= lp.snapshot); }
    }
}

/// Found by proptest: node 0 and node 3 of this world once got the same IP, hence the same name,
/// and the node-OOM checks looked at the wrong node.
#[test]
fn regression_nodes_with_the_same_name() {
    let w = world(
        4340514940431259474,
        154746,
        "healthy=0,crashloop_backoff=0,image_pull_backoff=0,container_oom=0",
    );
    check_time(&w);
    check_shape(&w);
}

/// Every alert rule of alerts.yml fires somewhere and every monitor rule of world.yml is on
/// some account, over a few hundred worlds: a rule whose `when` or `present` can never hold
/// (minijinja writes a boolean `True`, and a comparison with "true" once switched
/// `ContainerMemoryNearLimit`, `KubernetesNodeMemoryPressure` and the memory monitor off for
/// good) fails here, naming the rule.
#[test]
fn every_alert_and_monitor_rule_occurs() {
    let mut alerts = std::collections::BTreeSet::new();
    let mut monitors = std::collections::BTreeSet::new();
    for index in 0..600 {
        let w = world(11, index, "");
        alerts.insert(w.alert.alertname.clone());
        // A monitor that fired the alert is added to the account if it was not there; count
        // only the ones the account had on its own.
        let fired = T
            .alerts
            .rules
            .get(&w.alert.alertname)
            .and_then(|r| r.monitor.as_ref());
        monitors.extend(
            w.monitors
                .iter()
                .filter(|m| Some(&m.key) != fired)
                .map(|m| m.key.clone()),
        );
    }
    let never_fired: Vec<&String> = T
        .alerts
        .rules
        .keys()
        .filter(|r| !alerts.contains(*r))
        .collect();
    assert!(
        never_fired.is_empty(),
        "alert rules that never fired in 600 worlds: {never_fired:?}"
    );
    let never_present: Vec<&String> = T
        .text
        .monitors
        .iter()
        // A rule with no chance and no `present` is on an account only when its alert fires.
        .filter(|m| m.chance > 0.0 || m.present.is_some())
        .map(|m| &m.key)
        .filter(|k| !monitors.contains(*k))
        .collect();
    assert!(
        never_present.is_empty(),
        "monitor rules on no account in 600 worlds: {never_present:?}"
    );
}

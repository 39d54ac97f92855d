//! Stage 6, distractors: the adversarial signals that touch pods other than the failing one
//! (a healthy pod with a long restart history, a liveness kill, an old resolved warning, noisy
//! error logs of other services), then the pass that makes the namespace consistent as an API
//! server would list it (pods start before their runs, pods by name, events older than an hour
//! gone, Datadog's newest 40 records).

use minijinja::context;
use rand::RngExt;

use scenario::{FailureMode, Signal};

use crate::GenError;
use crate::spec::Templates;
use crate::time::Ts;

use super::identity::Identity;
use super::kube::{Involved, Say, log_line, push_dd, recent_ms};
use super::nodes::Nodes;
use super::others::Scene;
use super::plan::Plan;
use super::rng::{StageRng, pick};
use super::types::Termination;

/// How long the API server keeps an event after its last occurrence.
const EVENT_TTL_SECONDS: i64 = 3600;
/// How many Datadog records the logs tool returns at most.
const DATADOG_PAGE: usize = 40;

/// Applies the distractor signals of the plan to the scene.
pub fn apply(
    t: &Templates,
    plan: &Plan<'_>,
    id: &mut Identity,
    nodes: &mut Nodes,
    scene: &mut Scene,
    rng: &mut StageRng,
) -> Result<(), GenError> {
    if plan.has(Signal::HealthyPodWithRestartHistory) {
        restart_history(plan, scene, rng);
    }
    if plan.has(Signal::SigkillNotOom) || plan.has(Signal::EventsExpired) {
        liveness_kill(t, plan, id, scene, rng)?;
    }
    if plan.has(Signal::BenignOldWarningEvent) {
        benign_warning(t, id, scene, rng)?;
    }
    if plan.has(Signal::NoisyErrorLogs) {
        noisy_errors(t, id, scene, rng)?;
    }
    if plan.has(Signal::NodePressureElsewhere) {
        node_pressure(t, nodes, scene, rng)?;
    }
    finish(scene, rng);
    Ok(())
}

/// `healthy_pod_with_restart_history`: a Running, Ready pod with hundreds of restarts and an
/// old termination in `lastState` (the alerted pod itself when nothing is wrong).
fn restart_history(plan: &Plan<'_>, scene: &mut Scene, rng: &mut StageRng) {
    let snapshot = scene.snapshot;
    let target_pod = scene.target_pod.clone();
    let idx = if plan.mode == FailureMode::Healthy {
        0
    } else {
        scene
            .pods
            .iter()
            .position(|p| p.name != target_pod && p.phase == "Running" && p.containers[0].ready)
            .unwrap_or(0)
    };
    if scene.pods[idx].phase == "Running" && scene.pods[idx].containers[0].ready {
        let c = &mut scene.pods[idx].containers[0];
        c.restart_count = rng.random_range(40..720);
        let fin = snapshot - rng.random_range(2 * 3600..9 * 86_400i64);
        let (code, reason) = *pick(
            rng,
            &[
                (137, "OOMKilled"),
                (137, "OOMKilled"),
                (137, "Error"),
                (255, "Unknown"),
                (1, "Error"),
            ],
        );
        c.last_state = Some(Termination::exited(
            code,
            reason,
            fin - rng.random_range(600..86_400),
            fin,
        ));
        c.state.started_at = Some(Ts(fin + rng.random_range(1..12)));
    }
}

/// `sigkill_not_oom` / `events_expired`: a liveness kill (137, reason Error) of another pod,
/// recent with its events, or over an hour ago with its events expired.
fn liveness_kill(
    t: &Templates,
    plan: &Plan<'_>,
    id: &Identity,
    scene: &mut Scene,
    rng: &mut StageRng,
) -> Result<(), GenError> {
    let say = Say(t);
    let k = &t.text.kubelet;
    let snapshot = scene.snapshot;
    let namespace = &id.namespace;
    let target_pod = scene.target_pod.clone();
    // A liveness kill: 137 with reason Error. With events_expired it happened more than
    // an hour ago, so only the restart count is left of it in the tools' views.
    let idx = scene.pods.iter().position(|p| {
        p.name != target_pod
            && p.phase == "Running"
            && p.containers[0].ready
            && p.containers[0].last_state.is_none()
    });
    if let Some(idx) = idx {
        let kill = if plan.has(Signal::EventsExpired) {
            snapshot - rng.random_range(3_700..20_000)
        } else {
            snapshot - rng.random_range(300..2_400)
        };
        let ran = rng.random_range(600..86_400);
        let p = &mut scene.pods[idx];
        let c = &mut p.containers[0];
        c.restart_count += rng.random_range(1..4);
        c.last_state = Some(Termination::exited(137, "Error", kill - ran, kill));
        c.state.started_at = Some(Ts(kill + 1));
        let probe = say.text(&k.liveness_failed, context! { ip => &p.ip })?;
        let killing = say.text(&k.liveness_killing, context! { container => &c.name })?;
        let on_pod = Involved::pod(namespace, &p.name, &p.node);
        scene
            .events
            .push(on_pod.event("Unhealthy", &probe, "Warning", 3, kill - 30, kill - 1));
        scene
            .events
            .push(on_pod.event("Killing", &killing, "Normal", 1, kill - 1, kill - 1));
    }
    Ok(())
}

/// `benign_old_warning_event`: an old, resolved Warning event on another pod.
fn benign_warning(
    t: &Templates,
    id: &mut Identity,
    scene: &mut Scene,
    rng: &mut StageRng,
) -> Result<(), GenError> {
    let snapshot = scene.snapshot;
    let namespace = id.namespace.clone();
    let target_pod = scene.target_pod.clone();
    let ev = pick(rng, &t.spec.benign_events).clone();
    let msg = id.vars.expand(t, &ev.message)?;
    let when = snapshot - rng.random_range(2_000..3_500);
    // A start-up problem (scheduling, mounts, sandbox) belongs to a pod that started
    // around then and has run cleanly since; a probe failure to any running pod.
    let at_start = ev.reason != "Unhealthy";
    let candidates: Vec<usize> = scene
        .pods
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.name != target_pod
                && p.phase == "Running"
                && p.containers
                    .iter()
                    .all(|c| c.ready && c.restart_count == 0 && c.last_state.is_none())
        })
        .map(|(i, _)| i)
        .collect();
    let other = match candidates.get(rng.random_range(0..candidates.len().max(1))) {
        Some(&i) => {
            if at_start {
                let p = &mut scene.pods[i];
                p.start_time = Ts(when - rng.random_range(5..90));
                for c in &mut p.containers {
                    c.state.started_at = Some(Ts(when + rng.random_range(5..60)));
                }
            }
            (scene.pods[i].name.clone(), scene.pods[i].node.clone())
        }
        None => {
            let target = scene.pods.iter().find(|p| p.name == target_pod);
            (
                target_pod.clone(),
                target.map(|p| p.node.clone()).unwrap_or_default(),
            )
        }
    };
    let on_other = Involved::pod(&namespace, &other.0, &other.1);
    if ev.form == "scheduler" {
        // events.k8s.io form: no count, no first/last timestamps, eventTime + series.
        let mut e = on_other.scheduler_event(rng, &ev.reason, &msg, "Warning", when, "Scheduling");
        e.series_count = Some(rng.random_range(2..9));
        scene.events.push(e);
    } else {
        let count = rng.random_range(1..4);
        scene
            .events
            .push(on_other.event(&ev.reason, &msg, "Warning", count, when - 40, when));
    }
    Ok(())
}

/// `noisy_error_logs`: unrelated error lines of other services in Datadog.
fn noisy_errors(
    t: &Templates,
    id: &mut Identity,
    scene: &mut Scene,
    rng: &mut StageRng,
) -> Result<(), GenError> {
    let snapshot = scene.snapshot;
    for _ in 0..rng.random_range(2..6) {
        let crate::spec::Line {
            level: lvl, text, ..
        } = pick(rng, &t.spec.noise_errors).clone();
        let other = id.services[rng.random_range(1..id.services.len())].clone();
        let text = id.vars.expand_as(t, &text, &other)?;
        let line = log_line(recent_ms(rng, snapshot, 10..1500), &lvl, text);
        let from: Vec<(String, String)> = scene
            .pods
            .iter()
            .filter(|p| p.workload == other)
            .map(|p| (p.name.clone(), p.node.clone()))
            .collect();
        let Some((pod, host)) = from.get(rng.random_range(0..from.len().max(1))).cloned() else {
            continue;
        };
        let tags = id.dd_tags(&pod, &other, &other, &id.tag);
        push_dd(&mut scene.datadog, &line, &other, &host, &tags);
        scene.log_pod(&pod, line);
    }
    Ok(())
}

/// Makes the scene consistent as the API server and Datadog would return it.
fn finish(scene: &mut Scene, rng: &mut StageRng) {
    let snapshot = scene.snapshot;
    // A pod starts before any of its containers' runs (history signals move runs back).
    for p in &mut scene.pods {
        let earliest = p
            .containers
            .iter()
            .flat_map(|c| {
                [
                    c.state.started_at.map(|t| t.0),
                    c.last_state.as_ref().map(|l| l.started_at.0),
                ]
            })
            .flatten()
            .filter(|t| *t > 0)
            .min();
        if let Some(e) = earliest
            && e < p.start_time.0 + 1
        {
            p.start_time = Ts(e - 1 - rng.random_range(0..30));
        }
    }
    // The API lists a namespace's pods by name.
    scene.pods.sort_by(|a, b| a.name.cmp(&b.name));
    // Events expire an hour after their last occurrence.
    scene
        .events
        .retain(|e| snapshot - e.last_seen() < EVENT_TTL_SECONDS);
    scene.events.sort_by_key(|e| {
        (
            e.last
                .map(|l| l.0)
                .or(e.event_time.map(|et| et.0 / 1_000_000))
                .unwrap_or(0),
            e.reason.clone(),
        )
    });
    scene.datadog.retain(|d| d.ms <= snapshot * 1000);
    scene.datadog.sort_by_key(|d| d.ms);
    if scene.datadog.len() > DATADOG_PAGE {
        let cut = scene.datadog.len() - DATADOG_PAGE;
        scene.datadog.drain(..cut);
    }
}

/// `node_pressure_elsewhere`: a node (another than the alerted pod's where the cluster has one)
/// reports MemoryPressure, with the kubelet's node events, as busy clusters do whatever the
/// incident is: node pressure is evidence about that node, not about the alerted container.
fn node_pressure(
    t: &Templates,
    nodes: &mut Nodes,
    scene: &mut Scene,
    rng: &mut StageRng,
) -> Result<(), GenError> {
    let say = Say(t);
    let k = &t.text.kubelet;
    let n_nodes = nodes.nodes.len();
    let idx = if n_nodes > 1 {
        let other = rng.random_range(0..n_nodes - 1);
        if other >= nodes.target {
            other + 1
        } else {
            other
        }
    } else {
        0
    };
    let node = &mut nodes.nodes[idx];
    "True".clone_into(&mut node.memory_pressure);
    "KubeletHasInsufficientMemory".clone_into(&mut node.memory_reason);
    let name = node.name.clone();
    let on_node = Involved::node(&name);
    let snapshot = scene.snapshot;
    let since = snapshot - rng.random_range(300..3000i64);
    let m = say.text(&k.node_insufficient_memory, context! { node => &name })?;
    scene
        .events
        .push(on_node.event("NodeHasInsufficientMemory", &m, "Normal", 1, since, since));
    let count = rng.random_range(1..6);
    let m = say.text(&k.eviction_threshold, context! {})?;
    scene.events.push(on_node.event(
        "EvictionThresholdMet",
        &m,
        "Warning",
        count,
        since + 10,
        snapshot - rng.random_range(30..300i64),
    ));
    Ok(())
}

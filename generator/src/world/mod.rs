//! The world of one scenario, sampled before anything is rendered: a small EKS cluster (nodes,
//! workloads, pods with full container status including `lastState`, events in kubelet and
//! events.k8s.io form, container logs, Datadog logs and monitors), the alert that fired, and the
//! labels. Evidence files are views of it, so two profiles of the same world never disagree.
//!
//! [`sample_world`] reads as the list of its stages. Each stage is a function of a few named
//! inputs and draws from its own random stream ([`rng::Streams`]), so a change to one stage
//! leaves what the others produce unchanged. The Rust code knows a handful of world shapes
//! ([`Pattern`]) and what each adversarial signal does; everything a cause varies (exit codes,
//! reasons, messages, log lines, error texts) is in `families.yml`, and what components, tools
//! and monitors write is in `world.yml`.
//!
//! Signals and what they do to the world:
//! * `healthy_sibling_replicas`: the workload runs 2-4 replicas; only one pod (a new rollout
//!   pod, or the one on the pressured node) fails, the others are Running and Ready.
//! * `benign_old_warning_event`: an old, resolved Warning event on another pod.
//! * `healthy_pod_with_restart_history`: a Running, Ready pod with hundreds of restarts and an
//!   old `lastState.terminated` (OOMKilled, Error 137/1 or Unknown 255); for a healthy label
//!   it is the alerted pod itself.
//! * `unrelated_failing_workload`: another workload of the namespace fails for a cause of its
//!   own (any failure but the scenario's, its twin partner's and a node OOM), told by the same
//!   timeline code on another node: its status, events, logs and kernel lines are as decisive
//!   as the alerted pod's; the alert still names the right one.
//! * `misleading_alert_title`: the alert that fired names another symptom.
//! * `datadog_unavailable`, `events_unavailable`: the tool reports an error instead of data.
//! * `events_expired`: a pod was liveness-killed (137, Error) more than an hour ago; its events
//!   have expired, so only the restart count and `lastState` are left of it.
//! * `no_pod_logs`: the pod log tool returns an error (or is not listed).
//! * `noisy_error_logs`: unrelated error lines of other services in Datadog.
//! * `sigkill_not_oom`: a Running pod restarted by a liveness-probe kill (137, reason Error)
//!   with its `Unhealthy` warnings.
//! * `cgroup_oom_node_event`: a node-problem-detector `OOMKilling` event for a cgroup OOM, so a
//!   container OOM also shows a node event (the message says "Memory cgroup out of memory").
//! * `legacy_kubelet_messages`: older kubelet message wordings.
//! * `completed_job_pod`: a CronJob pod of the namespace that finished: `Succeeded`,
//!   terminated with reason Completed and exit code 0.
//! * `pod_starting`: a new replica is in `ContainerCreating` for a few seconds (scale-up or
//!   rollout); for a healthy label it belongs to the alerted workload.
//! * `create_container_config_error` (implied by a presentation): missing config shows as
//!   CreateContainerConfigError instead of a crash loop.
//! * `waiting_state_only`: the crash-loop snapshot is in back-off, so the pod tool (which
//!   drops `lastState`) shows only `CrashLoopBackOff`, never the exit code.
//! * `sidecar_container` (realism, drawn at any tier): the workload's pods carry a sidecar that
//!   runs and is ready while the application container fails.
//! * `pull_error_in_events_only`: the image-pull snapshot is `ImagePullBackOff`, whose message
//!   is `Back-off pulling image`; the runtime's error text is only in the events.

mod alert;
mod answer;
mod details;
mod distract;
mod identity;
pub mod kube;
mod monitors;
mod neighbour;
mod nodes;
mod others;
mod plan;
pub mod rng;
mod sources;
mod timeline;
mod types;

pub use kube::{Loop, simulate_loop};
pub use rng::Streams;
pub use types::*;

use scenario::FailureMode;

use crate::GenError;
use crate::spec::{Pattern, Templates};
use crate::time::Ts;

/// Samples the world of scenario `index` of a corpus with this seed and mix.
pub fn sample_world(
    t: &Templates,
    mix: &Mix,
    seed: u64,
    index: u64,
    id: &str,
) -> Result<World, GenError> {
    sample_world_twins(t, mix, seed, index, u64::MAX, id, 0.0)
}

/// Samples the world of scenario `index` of a corpus of `count` in which each pair of
/// consecutive scenarios (`2k`, `2k+1`) is, with probability `twins` and when its cause has a
/// partner in families.yml's `twins`, a counterfactual pair: `2k+1` is drawn from the streams of
/// `2k` with the partner cause, so the two share every draw but the cause's own.
pub fn sample_world_twins(
    t: &Templates,
    mix: &Mix,
    seed: u64,
    index: u64,
    count: u64,
    id: &str,
    twins: f64,
) -> Result<World, GenError> {
    let first = index - index % 2;
    if twins > 0.0 && first + 1 < count {
        let streams = Streams::new(seed, first);
        let plan = plan::draw(t, mix, &mut streams.stage("plan"))?;
        let paired = rand::RngExt::random_bool(&mut streams.stage("twins"), twins.min(1.0));
        if paired && let Some((kind, partner)) = t.twin_of(plan.cause) {
            let other =
                crate::render::scenario_id(if index == first { first + 1 } else { first }, count);
            let twin = Some(TwinLabel {
                of: other,
                kind: kind.to_owned(),
            });
            let plan = if index == first {
                plan
            } else {
                plan.twin(t, partner)?
            };
            return build(t, &streams, plan, id, twin);
        }
    }
    let streams = Streams::new(seed, index);
    let plan = plan::draw(t, mix, &mut streams.stage("plan"))?;
    build(t, &streams, plan, id, None)
}

/// Every stage after the plan.
fn build(
    t: &Templates,
    streams: &Streams,
    plan: plan::Plan<'_>,
    id: &str,
    twin: Option<TwinLabel>,
) -> Result<World, GenError> {
    let mut ids = identity::draw(t, &plan, &mut streams.stage("identity"))?;
    let mut nodes = nodes::draw(t, &mut ids, &mut streams.stage("nodes"));
    let failure = timeline::draw(
        t,
        &plan,
        &mut ids,
        &mut nodes,
        &mut streams.stage("timeline"),
        None,
    )?;
    let neighbour = neighbour::draw(
        t,
        &plan,
        &ids,
        &mut nodes,
        failure.snapshot,
        &mut streams.stage("neighbour"),
    )?;
    let mut scene = others::draw(
        t,
        &plan,
        &mut ids,
        &nodes,
        failure,
        neighbour,
        &mut streams.stage("others"),
    )?;
    distract::apply(
        t,
        &plan,
        &mut ids,
        &mut nodes,
        &mut scene,
        &mut streams.stage("distractors"),
    )?;
    let sources = sources::draw(t, &plan, &ids, &scene, &mut streams.stage("sources"))?;
    let facts = monitors::facts(&plan, &ids, &nodes, &scene);
    let mut monitors = monitors::draw(t, &facts, &mut streams.stage("monitors"))?;
    let node = nodes.target().name.clone();
    let subject = alert::Subject {
        pod: &scene.target_pod,
        node: &node,
        pods: &scene.pods,
        pressured: nodes
            .nodes
            .iter()
            .filter(|n| n.memory_pressure == "True")
            .map(|n| n.name.as_str())
            .collect(),
        replicas: scene.replicas,
    };
    let alert = alert::draw(
        t,
        &plan,
        &mut ids,
        &subject,
        &facts,
        &mut monitors,
        &mut streams.stage("alert"),
    )?;
    let answer = answer::render(t, &plan, &mut ids, &sources)?;
    let log_requests = details::fill(
        t,
        &ids,
        &mut nodes,
        &mut scene,
        &sources,
        &mut monitors,
        &mut streams.stage("details"),
    )?;

    let mut signals = plan.signals.clone();
    signals.extend(scene.signals.iter().copied());
    signals.sort();
    signals.dedup();
    let pattern = plan.presentation.pattern;
    let failing = plan.mode != FailureMode::Healthy;
    let labels = Labels {
        mode: plan.mode,
        cause: plan.cause,
        category: plan.cause.category(),
        difficulty: plan.tier,
        signals,
        exit_code: if pattern == Pattern::CrashLoop {
            scene.exit_code
        } else {
            None
        },
        affected_pod: failing.then(|| format!("{}/{}", ids.namespace, scene.target_pod)),
        affected_container: failing.then(|| ids.container.clone()),
        twin,
    };
    Ok(World {
        id: id.to_owned(),
        labels,
        engine: "eks".into(),
        cluster: ids.cluster.clone(),
        region: ids.region.name.clone(),
        account: ids.account.clone(),
        namespace: ids.namespace.clone(),
        workload: Workload {
            kind: ids.workload_kind.into(),
            name: ids.service.clone(),
            service: ids.service.clone(),
            container: ids.container.clone(),
            replicas: scene.replicas,
            language: ids.language.clone(),
            image: ids.image.clone(),
            tag: ids.tag.clone(),
        },
        severity: alert.severity.clone(),
        runtime: ids.runtime.clone(),
        pattern,
        snapshot: Ts(scene.snapshot),
        nodes: nodes.nodes,
        deployments: scene.deployments,
        statefulsets: scene.statefulsets,
        replicasets: scene.replicasets,
        pods: scene.pods,
        events: scene.events,
        pod_logs: PodLogs {
            pod: scene.target_pod,
            container: ids.container,
            language: ids.language,
            lines: scene.pod_lines,
        },
        log_requests,
        datadog_logs: scene.datadog,
        monitors,
        alert,
        sources,
        answer,
    })
}

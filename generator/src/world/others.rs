//! Stage 5, the rest of the namespace: the alerted workload's other replicas and its
//! Deployment, sidecars, the namespace's other workloads (one of them failing in an unrelated
//! way under `unrelated_failing_workload`), a replica being created (`pod_starting`) and a
//! finished CronJob pod (`completed_job_pod`), with the logs they send to Datadog.

use minijinja::context;
use rand::RngExt;

use scenario::{FailureMode, Signal};

use crate::GenError;
use crate::spec::{Pattern, Templates};
use crate::time::Ts;

use super::identity::Identity;
use super::kube::{
    Involved, PodMeta, RunningPod, Say, container_id, log_line, pod_conditions, push_dd, recent_ms,
    unready_conditions,
};
use super::neighbour::Neighbour;
use super::nodes::Nodes;
use super::plan::Plan;
use super::rng::{StageRng, hex, k8s_suffix, pick, uuid};
use super::timeline::Failure;
use super::types::{
    Container, DatadogLog, Deployment, Event, LogLine, Node, Pod, ReplicaSet, State, Termination,
};

/// The namespace at the snapshot: every pod, deployment, event and Datadog record so far.
#[derive(Clone, Debug)]
pub struct Scene {
    /// Every pod of the namespace (the alerted one first until sorted).
    pub pods: Vec<Pod>,
    /// The deployments tool's list.
    pub deployments: Vec<Deployment>,
    /// The alerted workload when it is a StatefulSet.
    pub statefulsets: Vec<Deployment>,
    /// ReplicaSets of the Deployments (filled by the details stage).
    pub replicasets: Vec<ReplicaSet>,
    /// Events.
    pub events: Vec<Event>,
    /// Datadog log records.
    pub datadog: Vec<DatadogLog>,
    /// Signals the stages imply.
    pub signals: Vec<Signal>,
    /// The alerted pod's name.
    pub target_pod: String,
    /// The snapshot instant.
    pub snapshot: i64,
    /// The alerted container's log lines.
    pub pod_lines: Vec<LogLine>,
    /// Exit code of the failing runs (crash loops).
    pub exit_code: Option<i32>,
    /// Restarts of the alerted container.
    pub restart_count: u32,
    /// Peak working set / limit of the alerted container (`None` without a limit).
    pub memory_ratio: Option<f64>,
    /// Replicas of the alerted workload.
    pub replicas: u32,
}

impl Scene {
    /// Appends a line to the log of a pod's first container.
    pub fn log_pod(&mut self, pod: &str, line: LogLine) {
        if let Some(c) = self
            .pods
            .iter_mut()
            .find(|p| p.name == pod)
            .and_then(|p| p.containers.first_mut())
        {
            c.log.push(line);
        }
    }
}

/// Builds the rest of the namespace around the failure.
pub fn draw(
    t: &Templates,
    plan: &Plan<'_>,
    id: &mut Identity,
    nodes: &Nodes,
    failure: Failure,
    neighbour: Option<Neighbour>,
    rng: &mut StageRng,
) -> Result<Scene, GenError> {
    let mut scene = Scene {
        pods: Vec::new(),
        deployments: Vec::new(),
        statefulsets: Vec::new(),
        replicasets: Vec::new(),
        events: failure.events,
        datadog: failure.datadog,
        signals: failure.signals,
        target_pod: failure.target.name.clone(),
        snapshot: failure.snapshot,
        pod_lines: failure.pod_lines,
        exit_code: failure.exit_code,
        restart_count: failure.restart_count,
        memory_ratio: failure.memory_ratio,
        replicas: failure.replicas,
    };
    let hashes = (failure.rs_hash.as_str(), failure.old_rs_hash.as_str());
    alerted_workload(t, plan, id, nodes, &mut scene, failure.target, hashes, rng)?;
    sidecars(t, id, &mut scene, rng);
    // The deployments tool lists Deployments only: a StatefulSet is kept apart.
    if id.workload_kind != "deployment"
        && let Some(i) = scene.deployments.iter().position(|d| d.name == id.service)
    {
        let mut sts = scene.deployments.remove(i);
        "StatefulSet".clone_into(&mut sts.kind);
        scene.statefulsets.push(sts);
    }
    other_workloads(t, id, nodes, &mut scene, neighbour, rng)?;
    if plan.has(Signal::PodStarting) {
        pod_starting(t, plan, id, nodes, &mut scene, rng)?;
    }
    if plan.has(Signal::CompletedJobPod) {
        completed_job(t, id, nodes, &mut scene, rng)?;
    }
    Ok(scene)
}

/// A running replica of the alerted workload.
fn workload_pod(
    id: &Identity,
    rng: &mut StageRng,
    name: &str,
    uid: &str,
    image: &str,
    node: &Node,
    start: i64,
) -> Pod {
    RunningPod {
        meta: PodMeta {
            name,
            namespace: &id.namespace,
            uid,
            workload: &id.service,
            node: &node.name,
        },
        container: &id.container,
        image,
        repo: &id.image_full_repo,
        node,
        start,
        runtime: &id.runtime,
    }
    .build(rng, id.memory_limit.clone())
}

/// The alerted workload: the failing pod, its other replicas (Running and Ready, on an older
/// image when a rollout is under way), the siblings' Datadog lines, and its Deployment.
#[expect(clippy::too_many_arguments, reason = "every earlier stage's output")]
fn alerted_workload(
    t: &Templates,
    plan: &Plan<'_>,
    id: &mut Identity,
    nodes: &Nodes,
    scene: &mut Scene,
    target: Pod,
    (rs_hash, old_rs_hash): (&str, &str),
    rng: &mut StageRng,
) -> Result<(), GenError> {
    let snapshot = scene.snapshot;
    let n_nodes = nodes.nodes.len();
    let service = id.service.clone();
    let replicas = scene.replicas;
    let pattern = plan.presentation.pattern;
    let siblings = plan.has(Signal::HealthySiblingReplicas);
    let deployment = |ready: u32, unavailable: u32, updated: u32| Deployment {
        kind: "Deployment".into(),
        container: id.container.clone(),
        image: id.image.clone(),
        memory_limit: id.memory_limit.clone(),
        hash: rs_hash.to_owned(),
        revision: 1,
        created: Ts(0),
        name: id.service.clone(),
        namespace: id.namespace.clone(),
        desired: replicas,
        ready,
        available: ready,
        unavailable,
        updated,
    };
    if plan.mode == FailureMode::Healthy {
        scene.pods.push(target);
        for i in 1..replicas {
            let n = rng.random_range(0..n_nodes);
            let name = id.pod_name(rng, &service, i, rs_hash);
            let uid = uuid(rng);
            let start = snapshot - rng.random_range(3_600..30 * 86_400i64);
            let p = workload_pod(id, rng, &name, &uid, &id.image, &nodes.nodes[n], start);
            scene.pods.push(p);
        }
        scene.deployments.push(deployment(replicas, 0, replicas));
        return Ok(());
    }
    let mut sibs = Vec::new();
    let node_pressure = plan.spec.node_pressure;
    if siblings {
        let old_image = format!("{}:{}", id.image_repo, id.old_tag);
        for i in 0..replicas {
            let n = if node_pressure {
                (nodes.target + 1 + i as usize) % n_nodes
            } else {
                rng.random_range(0..n_nodes)
            };
            let same_rs = node_pressure || id.workload_kind == "statefulset";
            let hash = if same_rs { rs_hash } else { old_rs_hash };
            let img = if pattern == Pattern::InvalidImage {
                old_image.clone()
            } else if same_rs || pattern == Pattern::CrashLoop && rng.random_bool(0.3) {
                id.image.clone()
            } else {
                old_image.clone()
            };
            let name = id.pod_name(rng, &service, i, hash);
            let uid = uuid(rng);
            let start = snapshot - rng.random_range(7_200..20 * 86_400i64);
            sibs.push(workload_pod(
                id,
                rng,
                &name,
                &uid,
                &img,
                &nodes.nodes[n],
                start,
            ));
        }
        // The Datadog stream shows the siblings serving traffic.
        for s in &mut sibs {
            for _ in 0..rng.random_range(1..3) {
                let crate::spec::Line {
                    level: lvl, text, ..
                } = pick(rng, &t.spec.steady).clone();
                let text = id.vars.expand(t, &text)?;
                let line = log_line(recent_ms(rng, snapshot, 10..900), &lvl, text);
                let tags = id.dd_tags(&s.name, &service, &id.container, &id.old_tag);
                push_dd(&mut scene.datadog, &line, &service, &s.node, &tags);
                s.containers[0].log.push(line);
            }
        }
    }
    scene.pods.push(target);
    scene.pods.extend(sibs);
    let ready = if siblings { replicas } else { 0 };
    let unavailable = if siblings && replicas == ready {
        1
    } else {
        replicas.saturating_sub(ready).max(1)
    };
    scene.deployments.push(deployment(ready, unavailable, 1));
    Ok(())
}

/// Sidecars: every pod of the workload may carry one; it runs and is ready while the
/// application container fails (the affected container is the app, not the pod).
fn sidecars(t: &Templates, id: &Identity, scene: &mut Scene, rng: &mut StageRng) {
    let vocab = &t.vocab;
    let snapshot = scene.snapshot;
    let container = &id.container;
    let service = &id.service;
    if !vocab.sidecars.is_empty() && rng.random_bool(0.3) {
        let sc = pick(rng, &vocab.sidecars).clone();
        if sc.name != *container {
            scene.signals.push(Signal::SidecarContainer);
            let repo = sc
                .image
                .rsplit_once(':')
                .map_or_else(|| sc.image.clone(), |(r, _)| r.to_owned());
            for p in scene.pods.iter_mut().filter(|p| p.workload == *service) {
                let started = p.start_time.0 + rng.random_range(1..6);
                p.containers.push(Container {
                    name: sc.name.clone(),
                    image: sc.image.clone(),
                    image_id: format!("{repo}@sha256:{}", hex(rng, 64)),
                    container_id: container_id(rng, &id.runtime),
                    ready: true,
                    started: true,
                    restart_count: 0,
                    state: State::running(started.min(snapshot)),
                    last_state: None,
                    memory_limit: Some("128Mi".into()),
                    log: Vec::new(),
                    previous_log: Vec::new(),
                    log_error: None,
                    previous_error: None,
                });
            }
        }
    }
}

/// The namespace's other workloads, their Deployments and Datadog lines; under
/// `unrelated_failing_workload` the first of them fails in an unrelated way.
fn other_workloads(
    t: &Templates,
    id: &mut Identity,
    nodes: &Nodes,
    scene: &mut Scene,
    mut neighbour: Option<Neighbour>,
    rng: &mut StageRng,
) -> Result<(), GenError> {
    let vocab = &t.vocab;
    let snapshot = scene.snapshot;
    let n_nodes = nodes.nodes.len();
    let namespace = id.namespace.clone();
    for (wi, other) in id.services.clone().iter().enumerate().skip(1) {
        let other_replicas = rng.random_range(1..=3u32);
        let other_tag = Identity::make_tag(t, rng)?;
        let mut other_image = if rng.random_bool(0.2) {
            pick(rng, &vocab.third_party_images).clone()
        } else {
            format!("{}/{other}:{other_tag}", id.image_repo_base)
        };
        let mut hash = k8s_suffix(rng, 10);
        // The neighbour (`unrelated_failing_workload`) is the first other workload: its
        // failing pod was told by the neighbour stage, with its own image and ReplicaSet.
        let failing = if wi == 1 { neighbour.take() } else { None };
        let mut memory_limit = None;
        if let Some(n) = &failing {
            other_image.clone_from(&n.image);
            hash.clone_from(&n.failure.rs_hash);
            memory_limit.clone_from(&n.memory_limit);
        }
        let mut failing = failing.map(|n| n.failure);
        let mut ready = other_replicas;
        for i in 0..other_replicas {
            let node = &nodes.nodes[rng.random_range(0..n_nodes)];
            let name = format!("{other}-{hash}-{}", k8s_suffix(rng, 5));
            let uid = uuid(rng);
            let start = snapshot - rng.random_range(3_600..25 * 86_400i64);
            let meta = PodMeta {
                name: &name,
                namespace: &namespace,
                uid: &uid,
                workload: other,
                node: &node.name,
            };
            if i == 0
                && let Some(f) = failing.take()
            {
                ready -= 1;
                scene
                    .events
                    .extend(f.events.into_iter().filter(|e| e.last_seen() <= snapshot));
                scene.datadog.extend(f.datadog);
                scene.pods.push(f.target);
                continue;
            }
            let mut p = RunningPod {
                meta,
                container: other,
                image: &other_image,
                repo: &id.image_full_repo,
                node,
                start,
                runtime: &id.runtime,
            }
            .build(rng, None);
            if p.containers[0].restart_count == 0 && rng.random_bool(0.15) {
                let c = &mut p.containers[0];
                c.restart_count = rng.random_range(1..4);
                let fin = snapshot - rng.random_range(86_400..10 * 86_400i64);
                c.last_state = Some(Termination::exited(
                    143,
                    "Error",
                    fin - rng.random_range(3_600..86_400),
                    fin,
                ));
                c.state.started_at = Some(Ts(fin + 1));
            }
            scene.pods.push(p);
        }
        scene.deployments.push(Deployment {
            kind: "Deployment".into(),
            container: other.clone(),
            image: other_image.clone(),
            memory_limit,
            hash: hash.clone(),
            revision: 1,
            created: Ts(0),
            name: other.clone(),
            namespace: namespace.clone(),
            desired: other_replicas,
            ready,
            available: ready,
            unavailable: other_replicas - ready,
            updated: other_replicas,
        });
        // Other services log too, from their running pods.
        let running: Vec<(String, String)> = scene
            .pods
            .iter()
            .filter(|p| p.workload == *other && p.containers[0].ready)
            .map(|p| (p.name.clone(), p.node.clone()))
            .collect();
        for _ in 0..rng.random_range(1..4) {
            if running.is_empty() {
                break;
            }
            let (pod, host) = running[rng.random_range(0..running.len())].clone();
            let crate::spec::Line {
                level: lvl, text, ..
            } = pick(rng, &t.spec.steady).clone();
            let text = id.vars.expand_as(t, &text, other)?;
            let line = log_line(recent_ms(rng, snapshot, 10..1800), &lvl, text);
            push_dd(
                &mut scene.datadog,
                &line,
                other,
                &host,
                &id.dd_tags(&pod, other, other, &other_tag),
            );
            scene.log_pod(&pod, line);
        }
    }

    Ok(())
}

/// A replica that is being created right now (scale-up or rollout): waiting in
/// ContainerCreating for a few seconds, which is not a failure.
fn pod_starting(
    t: &Templates,
    plan: &Plan<'_>,
    id: &Identity,
    nodes: &Nodes,
    scene: &mut Scene,
    rng: &mut StageRng,
) -> Result<(), GenError> {
    let say = Say(t);
    let snapshot = scene.snapshot;
    let n_nodes = nodes.nodes.len();
    let service = id.service.clone();
    let namespace = id.namespace.clone();
    let wl = if plan.mode == FailureMode::Healthy {
        service.clone()
    } else {
        id.services[1].clone()
    };
    let template = scene
        .pods
        .iter()
        .find(|p| p.workload == wl && p.phase == "Running")
        .cloned();
    if let Some(tpl) = template {
        let existing = scene.pods.iter().filter(|p| p.workload == wl).count();
        let name = if id.workload_kind == "statefulset" && wl == service {
            format!("{wl}-{existing}")
        } else {
            let prefix = tpl
                .name
                .rsplit_once('-')
                .map_or_else(|| wl.clone(), |(a, _)| a.to_owned());
            format!("{prefix}-{}", k8s_suffix(rng, 5))
        };
        let start = snapshot - rng.random_range(2..25);
        let node = &nodes.nodes[rng.random_range(0..n_nodes)];
        let mut p = tpl;
        p.name.clone_from(&name);
        p.uid = uuid(rng);
        p.phase = "Pending".into();
        p.start_time = Ts(start);
        p.node.clone_from(&node.name);
        p.ip = String::new();
        let names: Vec<String> = p.containers.iter().map(|c| c.name.clone()).collect();
        for c in &mut p.containers {
            c.ready = false;
            c.started = false;
            c.restart_count = 0;
            c.last_state = None;
            c.image_id = String::new();
            c.container_id = String::new();
            c.state = State::waiting("ContainerCreating", None);
        }
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        p.conditions = unready_conditions(say, start, &names, None)?;
        let on_new_pod = Involved::pod(&namespace, &name, &node.name);
        scene.events.push(on_new_pod.scheduled(say, rng, start)?);
        let pulling = say.text(
            &t.text.kubelet.pulling,
            context! { image => &p.containers[0].image },
        )?;
        scene
            .events
            .push(on_new_pod.event("Pulling", &pulling, "Normal", 1, start + 1, start + 1));
        if let Some(d) = scene.deployments.iter_mut().find(|d| d.name == wl) {
            d.desired += 1;
            d.unavailable += 1;
            d.updated += 1;
        }
        scene.pods.push(p);
    }

    Ok(())
}

/// A CronJob pod that finished its run: Succeeded, terminated with Completed/0. Normal in any
/// namespace, and not a failure.
fn completed_job(
    t: &Templates,
    id: &Identity,
    nodes: &Nodes,
    scene: &mut Scene,
    rng: &mut StageRng,
) -> Result<(), GenError> {
    let vocab = &t.vocab;
    let snapshot = scene.snapshot;
    let n_nodes = nodes.nodes.len();
    let namespace = id.namespace.clone();
    let stem = pick(rng, &vocab.service_stems).clone();
    let job = format!(
        "{stem}-{}",
        pick(rng, &["report", "reconcile", "export", "cleanup", "rollup"])
    );
    let scheduled = (snapshot - rng.random_range(120..3_000)) / 60 * 60;
    let name = format!("{job}-{}-{}", scheduled / 60, k8s_suffix(rng, 5));
    let node = &nodes.nodes[rng.random_range(0..n_nodes)];
    let run = rng.random_range(4..90);
    let tag = Identity::make_tag(t, rng)?;
    let img = format!("{}/{job}:{tag}", id.image_repo_base);
    let job_uid = uuid(rng);
    let mut p = RunningPod {
        meta: PodMeta {
            name: &name,
            namespace: &namespace,
            uid: &job_uid,
            workload: &job,
            node: &node.name,
        },
        container: &job,
        image: &img,
        repo: &id.image_full_repo,
        node,
        start: scheduled + 1,
        runtime: &id.runtime,
    }
    .build(rng, None);
    p.phase = "Succeeded".into();
    let started = p.containers[0]
        .state
        .started_at
        .map_or(scheduled + 3, |t| t.0);
    let finished = (started + run).min(snapshot);
    let c = &mut p.containers[0];
    c.ready = false;
    c.started = false;
    c.state = State::terminated(&Termination::exited(0, "Completed", started, finished));
    p.conditions = pod_conditions(scheduled + 1, Some(""), Some(finished));
    for k in &mut p.conditions {
        if k.kind == "Ready" || k.kind == "ContainersReady" {
            k.reason = Some("PodCompleted".into());
            k.message = None;
        }
        if k.kind == "PodReadyToStartContainers" {
            k.status = "False".into();
        }
    }
    scene.pods.push(p);

    Ok(())
}

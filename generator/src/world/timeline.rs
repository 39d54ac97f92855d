//! Stage 4, the failure's timeline: the alerted pod from its start to the snapshot, as the
//! presentation's pattern plays out (a crash loop with its runs and back-off, a container that
//! cannot be created, image pulls with back-off, an invalid image reference, or nothing wrong),
//! with the kubelet's events, the container's log lines, the Datadog records and kernel lines
//! they leave, and where the snapshot lands.

use minijinja::context;
use rand::RngExt;

use scenario::{FailureMode, Signal};

use crate::GenError;
use crate::spec::{InvalidImage, Pattern, PullError, Templates, Termination, Weighted};
use crate::time::{BASE_EPOCH, Ts, go_duration};

use super::identity::Identity;
use super::kube::{
    Involved, PodMeta, RunningPod, Say, container_id, log_line, pod_ip, push_dd, simulate_loop,
    simulate_pull, unready_conditions,
};
use super::nodes::Nodes;
use super::plan::Plan;
use super::rng::{StageRng, hex, k8s_suffix, pick, pick_w, uuid};
use super::types::{Container, DatadogLog, Event, LogLine, Pod, State, Termination as Term};

/// What the failure left behind, for the later stages.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The alerted pod.
    pub target: Pod,
    /// Events about it (and its node).
    pub events: Vec<Event>,
    /// The alerted container's log (its last run, or its current one).
    pub pod_lines: Vec<LogLine>,
    /// Datadog records so far.
    pub datadog: Vec<DatadogLog>,
    /// The snapshot instant.
    pub snapshot: i64,
    /// The exit code of the failing runs, for crash loops.
    pub exit_code: Option<i32>,
    /// Restarts of the alerted container.
    pub restart_count: u32,
    /// Signals the timeline implies (`waiting_state_only`, `pull_error_in_events_only`).
    pub signals: Vec<Signal>,
    /// Peak working set / memory limit of the alerted container over the last minutes
    /// (`None` without a limit).
    pub memory_ratio: Option<f64>,
    /// Replicas of the alerted workload.
    pub replicas: u32,
    /// Hash of the current ReplicaSet.
    pub rs_hash: String,
    /// Hash of the previous ReplicaSet (older siblings).
    pub old_rs_hash: String,
}

/// Plays out the plan's pattern on the alerted pod.
#[expect(
    clippy::too_many_lines,
    reason = "one match over the patterns, each a short linear story"
)]
pub fn draw(
    t: &Templates,
    plan: &Plan<'_>,
    id: &mut Identity,
    nodes: &mut Nodes,
    rng: &mut StageRng,
) -> Result<Failure, GenError> {
    let say = Say(t);
    let k = &t.text.kubelet;
    let spec = plan.spec;
    let tier = plan.tier;
    let backoff = t.spec.backoff;
    let snapshot_guess = BASE_EPOCH + rng.random_range(0..60 * 86_400i64);

    let rs_hash = k8s_suffix(rng, 10);
    let old_len = if rng.random_bool(0.5) { 9 } else { 10 };
    let old_rs_hash = k8s_suffix(rng, old_len);
    let siblings = plan.has(Signal::HealthySiblingReplicas);
    let replicas: u32 = if plan.mode == FailureMode::Healthy {
        rng.random_range(1..=4)
    } else if siblings {
        rng.random_range(2..=4)
    } else {
        1
    };
    let service = id.service.clone();
    let target_pod = id.pod_name(rng, &service, if siblings { replicas } else { 0 }, &rs_hash);
    let target_uid = uuid(rng);
    id.vars.set("pod", target_pod.clone());
    id.vars.set("uid", target_uid.clone());
    let legacy = plan.has(Signal::LegacyKubeletMessages);
    let namespace = id.namespace.clone();
    let container = id.container.clone();
    let mut image = id.image.clone();
    let node_name = nodes.target().name.clone();
    let node_ip = nodes.target().internal_ip.clone();
    let target_tags = id.dd_tags(&target_pod, &service, &container, &id.tag);
    let on_target = Involved::pod(&namespace, &target_pod, &node_name);
    let meta = PodMeta {
        name: &target_pod,
        namespace: &namespace,
        uid: &target_uid,
        workload: &service,
        node: &node_name,
    };

    let mut events: Vec<Event> = Vec::new();
    let mut pod_lines: Vec<LogLine> = Vec::new();
    let mut datadog: Vec<DatadogLog> = Vec::new();
    let mut signals = Vec::new();
    let mut exit_code = None;
    let mut reason_label = String::new();
    let mut config_message = String::new();
    let mut missing_ref = String::new();
    let mut restart_count = 0u32;
    let mut memory_ratio = id
        .memory_limit
        .as_ref()
        .map(|_| rng.random_range(0.3..0.75));
    let snapshot: i64;
    let target: Pod;

    match plan.presentation.pattern {
        Pattern::CrashLoop => {
            let term: Termination = {
                let fits: Vec<Weighted<Termination>> = spec
                    .terminations
                    .iter()
                    .filter(|w| w.value().runtime.as_ref().is_none_or(|r| *r == id.runtime))
                    .cloned()
                    .collect();
                let list = if fits.is_empty() {
                    &spec.terminations
                } else {
                    &fits
                };
                pick_w(rng, list).clone()
            };
            exit_code = Some(term.exit_code);
            reason_label.clone_from(&term.reason);
            // A kill inside the container's own memory cgroup: usage reached the limit.
            if term.reason == "OOMKilled" && id.memory_limit.is_some() {
                memory_ratio = Some(1.0);
            }
            // Waiting (in back-off) vs the brief terminated moment. Tier 0 shows the exit code.
            let mut terminated_now = if tier == 0 {
                rng.random_bool(0.7)
            } else {
                rng.random_bool(0.12)
            };
            let run = spec.run_seconds.unwrap_or((1, 30));
            // Span of the loop: minutes to hours.
            let span = *pick(rng, &[240i64, 600, 1200, 2400, 3600, 7200, 14_400, 28_800])
                + rng.random_range(0..600);
            // Missing evidence must never remove every source that carries the cause.
            let logs_carry = !term.never_started
                && spec
                    .tails
                    .iter()
                    .any(|tl| tl.when_log_only == term.log_only);
            let pod_logs_ok = !plan.has(Signal::NoPodLogs);
            let dd_ok = !plan.has(Signal::DatadogUnavailable);
            let events_ok = !plan.has(Signal::EventsUnavailable);
            let kernel_line = spec.kernel_cgroup.is_some() || spec.kernel_global.is_some();
            let node_event = spec.kernel_global.is_some()
                || (spec.kernel_cgroup.is_some() && plan.has(Signal::CgroupOomNodeEvent));
            let carried = if kernel_line {
                (dd_ok
                    && (id.kernel_collected
                        || id.memory_monitor && memory_ratio.is_some_and(|r| r > 0.9)))
                    || (node_event && events_ok)
                    || !plan.has(Signal::MisleadingAlertTitle)
            } else if term.never_started || term.message.is_some() {
                events_ok
            } else {
                logs_carry && (pod_logs_ok || dd_ok)
            };
            if !carried {
                terminated_now = true;
            }
            if !terminated_now {
                signals.push(Signal::WaitingStateOnly);
            }
            let start = snapshot_guess - span;
            let lp = simulate_loop(rng, start, span, run, &backoff, terminated_now);
            snapshot = lp.snapshot;
            restart_count = lp.restarts();
            let term_msg = match &term.message {
                Some(m) => Some(id.vars.expand(t, m)?),
                None => None,
            };
            let mk_term = |run: (i64, i64)| Term {
                exit_code: term.exit_code,
                reason: term.reason.clone(),
                message: term_msg.clone(),
                started_at: Ts(if term.never_started { 0 } else { run.0 }),
                finished_at: Ts(run.1),
            };
            let last = *lp.runs.last().unwrap_or(&(start, start));
            let (state, last_state) = if lp.terminated_now {
                let prev = (lp.runs.len() >= 2).then(|| mk_term(lp.runs[lp.runs.len() - 2]));
                (State::terminated(&mk_term(last)), prev)
            } else {
                let delay = *lp.delays.last().unwrap_or(&10);
                let msg = say.text(
                    &k.crash_backoff_waiting,
                    context! { legacy, delay => go_duration(delay), container => &container,
                    pod => &target_pod, namespace => &namespace, uid => &target_uid },
                )?;
                (
                    State::waiting("CrashLoopBackOff", Some(msg)),
                    Some(mk_term(last)),
                )
            };
            let pod_start = start - rng.random_range(3..20);
            // Events: Scheduled (events.k8s.io form), Pulled/Created/Started per run, BackOff.
            let (bo_count, bo_first, bo_last) = lp.backoff_events(backoff.sync_seconds);
            events.push(on_target.scheduled(say, rng, pod_start)?);
            let n_runs = lp.runs.len() as u32;
            let first_start = lp.runs[0].0;
            let pulled = say.text(&k.pulled, context! { image => &image })?;
            events.push(on_target.event(
                "Pulled",
                &pulled,
                "Normal",
                n_runs,
                first_start - 1,
                last.0 - 1,
            ));
            let created = say.text(&k.created, context! { container => &container })?;
            events.push(on_target.event(
                "Created",
                &created,
                "Normal",
                n_runs,
                first_start,
                last.0,
            ));
            let (reason, m, ty) = if term.never_started || term.message.is_some() {
                let m = say.text(
                    &k.failed,
                    context! { message => term_msg.clone().unwrap_or_default() },
                )?;
                ("Failed", m, "Warning")
            } else {
                let m = say.text(&k.started, context! { container => &container })?;
                ("Started", m, "Normal")
            };
            events.push(on_target.event(reason, &m, ty, n_runs, first_start, last.0));
            if bo_count > 0 {
                let m = say.text(
                    &k.crash_backoff_event,
                    context! { legacy, container => &container, pod => &target_pod,
                    namespace => &namespace, uid => &target_uid },
                )?;
                let m = if bo_count > 50 && rng.random_bool(0.3) {
                    say.text(&k.combined, context! { message => m })?
                } else {
                    m
                };
                events.push(on_target.event("BackOff", &m, "Warning", bo_count, bo_first, bo_last));
            }
            // Logs of the runs: start-up lines, steady lines for a process killed from outside,
            // then the cause's tail in the last moments before the crash.
            let tails: Vec<_> = spec
                .tails
                .iter()
                .filter(|tl| {
                    tl.when_log_only == term.log_only
                        && (tl.lang.is_empty() || tl.lang.contains(&id.language))
                })
                .collect();
            let tail = if tails.is_empty() {
                None
            } else {
                Some(tails[rng.random_range(0..tails.len())].clone())
            };
            let startup = t
                .spec
                .startup
                .get(&id.language)
                .cloned()
                .unwrap_or_default();
            let shown_runs: Vec<(i64, i64)> = lp.runs.iter().rev().take(3).rev().copied().collect();
            let timing = spec.tail_timing_ms;
            for (ri, (rs, rc)) in shown_runs.iter().enumerate() {
                if term.never_started {
                    break;
                }
                // Times never go backwards.
                let (start_ms, crash_ms) = (rs * 1000, rc * 1000);
                let mut lines: Vec<(i64, String, String)> = Vec::new();
                if !term.log_only && spec.app_starts {
                    let mut at = start_ms + rng.random_range(80..400);
                    for (lvl, text) in &startup {
                        lines.push((at, lvl.clone(), id.vars.expand(t, text)?));
                        at += rng.random_range(20..350);
                    }
                }
                if spec.steady_before_tail {
                    let n = rng.random_range(1..4i64);
                    for j in 0..n {
                        let (lvl, text) = pick(rng, &t.spec.steady).clone();
                        let text = id.vars.expand(t, &text)?;
                        let at = start_ms + (crash_ms - start_ms) * (j + 1) / (n + 2);
                        lines.push((at, lvl, text));
                    }
                }
                if let Some(tail) = &tail {
                    let n = tail.lines.len() as i64;
                    for (j, (lvl, text)) in tail.lines.iter().enumerate() {
                        let back = (n - j as i64) * timing.gap + timing.lead;
                        lines.push((crash_ms - back, lvl.clone(), id.vars.expand(t, text)?));
                    }
                }
                let mut prev = i64::MIN;
                for l in &mut lines {
                    l.0 = l.0.max(prev + 1);
                    prev = l.0;
                }
                let is_last = ri + 1 == shown_runs.len();
                for (ms, lvl, text) in lines {
                    let line = log_line(ms, &lvl, text);
                    if is_last {
                        pod_lines.push(line.clone());
                    }
                    push_dd(&mut datadog, &line, &service, &node_name, &target_tags);
                }
            }
            // Kernel lines (not in the container's own stream): Datadog, and node-problem-detector.
            let kernel = spec
                .kernel_global
                .clone()
                .or_else(|| spec.kernel_cgroup.clone());
            if let Some(kline) = kernel {
                let pid = id
                    .vars
                    .get("pid")
                    .and_then(|v| i64::try_from(v.clone()).ok())
                    .unwrap_or(1);
                for (ri, (_, rc)) in shown_runs
                    .iter()
                    .enumerate()
                    .filter(|_| id.kernel_collected)
                {
                    id.vars.set("pid", pid + ri as i64 * 131);
                    let text = id.vars.expand(t, &kline)?;
                    datadog.push(DatadogLog {
                        ms: rc * 1000 - 3,
                        timestamp: crate::time::TsMillis(rc * 1000 - 3),
                        message: text,
                        status: "error".into(),
                        service: "kernel".into(),
                        host: node_name.clone(),
                        source: "kernel".into(),
                        tags: vec![
                            format!("kube_cluster_name:{}", id.cluster),
                            format!("host:{node_name}"),
                            "source:kernel".into(),
                        ],
                    });
                }
                if node_event {
                    for (ri, (_, rc)) in shown_runs.iter().enumerate().rev().take(2) {
                        id.vars.set("pid", pid + ri as i64 * 131);
                        let text = id.vars.expand(t, &kline)?;
                        events.push(Involved::node(&node_name).event_from(
                            "kernel-monitor",
                            "OOMKilling",
                            &text,
                            "Warning",
                            *rc,
                        ));
                    }
                }
                id.vars.set("pid", pid);
            }
            if spec.node_pressure {
                let n = &mut nodes.nodes[nodes.target];
                "True".clone_into(&mut n.memory_pressure);
                "KubeletHasInsufficientMemory".clone_into(&mut n.memory_reason);
                let on_node = Involved::node(&node_name);
                let m = say.text(&k.node_insufficient_memory, context! { node => &node_name })?;
                events.push(on_node.event(
                    "NodeHasInsufficientMemory",
                    &m,
                    "Normal",
                    1,
                    start - 30,
                    start - 30,
                ));
                if rng.random_bool(0.6) {
                    let count = rng.random_range(1..6);
                    let last = snapshot - rng.random_range(30..300);
                    let m = say.text(&k.eviction_threshold, context! {})?;
                    events.push(on_node.event(
                        "EvictionThresholdMet",
                        &m,
                        "Warning",
                        count,
                        start - 20,
                        last,
                    ));
                }
            }
            let conditions = unready_conditions(say, pod_start, &[&container], Some(last.1))?;
            target = meta.pod(
                "Running",
                pod_ip(rng, &node_ip),
                pod_start,
                Container {
                    name: container.clone(),
                    image: image.clone(),
                    image_id: format!("{}@sha256:{}", id.image_full_repo, hex(rng, 64)),
                    container_id: container_id(rng, &id.runtime),
                    ready: false,
                    started: false,
                    restart_count,
                    state,
                    last_state,
                    memory_limit: id.memory_limit.clone(),
                },
                conditions,
            );
        }
        Pattern::ConfigError => {
            let src = pick_w(rng, &spec.config_errors).clone();
            let msg = id.vars.expand(t, &src)?;
            config_message.clone_from(&msg);
            missing_ref.clone_from(&msg);
            reason_label = "CreateContainerConfigError".into();
            let span = rng.random_range(300..14_400i64);
            let start = snapshot_guess - span;
            snapshot = snapshot_guess;
            let count = (span / backoff.sync_seconds).max(1) as u32;
            events.push(on_target.scheduled(say, rng, start)?);
            let pulled = say.text(&k.pulled, context! { image => &image })?;
            events.push(on_target.event(
                "Pulled",
                &pulled,
                "Normal",
                count,
                start + 2,
                snapshot - 3,
            ));
            let failed = say.text(&k.failed, context! { message => &msg })?;
            events.push(on_target.event(
                "Failed",
                &failed,
                "Warning",
                count,
                start + 2,
                snapshot - 3,
            ));
            target = meta.pending(
                say,
                pod_ip(rng, &node_ip),
                start,
                Container::not_started(
                    &container,
                    &image,
                    State::waiting("CreateContainerConfigError", Some(msg)),
                    id.memory_limit.clone(),
                ),
            )?;
        }
        Pattern::ImagePull | Pattern::InvalidImage => {
            let span =
                *pick(rng, &[300i64, 900, 1800, 3600, 7200, 21_600]) + rng.random_range(0..300);
            let start = snapshot_guess - span;
            events.push(on_target.scheduled(say, rng, start)?);
            let state;
            if plan.presentation.pattern == Pattern::InvalidImage {
                let inv: InvalidImage = pick_w(rng, &spec.invalid_images).clone();
                image = id.vars.expand(t, &inv.image)?;
                id.vars.set("image", image.clone());
                let msg = say.text(
                    &k.invalid_image,
                    context! { image => &image, suffix => &inv.suffix },
                )?;
                reason_label = "InvalidImageName".into();
                snapshot = snapshot_guess;
                let count = (span / backoff.sync_seconds).max(1) as u32;
                events.push(on_target.event(
                    "InspectFailed",
                    &msg,
                    "Warning",
                    count,
                    start + 1,
                    snapshot - 2,
                ));
                let failed = say.text(&k.invalid_image_failed, context! {})?;
                events.push(on_target.event(
                    "Failed",
                    &failed,
                    "Warning",
                    count,
                    start + 1,
                    snapshot - 2,
                ));
                state = State::waiting("InvalidImageName", Some(msg));
            } else {
                let fits: Vec<Weighted<PullError>> = spec
                    .pull_errors
                    .iter()
                    .filter(|w| w.value().runtime == id.runtime)
                    .cloned()
                    .collect();
                let list = if fits.is_empty() {
                    &spec.pull_errors
                } else {
                    &fits
                };
                let err = pick_w(rng, list).clone();
                let text = id.vars.expand(t, &err.text)?;
                let events_ok = !plan.has(Signal::EventsUnavailable);
                let err_now = !events_ok
                    || if tier == 0 {
                        rng.random_bool(0.6)
                    } else {
                        rng.random_bool(0.15)
                    };
                if !err_now {
                    signals.push(Signal::PullErrorInEventsOnly);
                }
                let pl = simulate_pull(rng, start, span, &backoff, err_now);
                snapshot = pl.snapshot;
                let n = pl.attempts.len() as u32;
                let first = pl.attempts[0];
                let last = *pl.attempts.last().unwrap_or(&first);
                let (bo, bo_last) = pl.backoff_events(backoff.sync_seconds);
                let pulling = say.text(&k.pulling, context! { image => &image })?;
                events.push(on_target.event("Pulling", &pulling, "Normal", n, first, last));
                let failed =
                    say.text(&k.pull_failed, context! { image => &image, error => &text })?;
                events.push(on_target.event("Failed", &failed, "Warning", n, first + 1, last + 1));
                let err_pull = say.text(&k.err_image_pull, context! {})?;
                events.push(on_target.event(
                    "Failed",
                    &err_pull,
                    "Warning",
                    n,
                    first + 1,
                    last + 1,
                ));
                let backoff_msg = say.text(&k.pull_backoff, context! { image => &image })?;
                if bo > 0 {
                    events.push(on_target.event(
                        "BackOff",
                        &backoff_msg,
                        "Normal",
                        bo,
                        first + 3,
                        bo_last,
                    ));
                    let m = say.text(&k.image_pull_backoff, context! {})?;
                    events.push(on_target.event("Failed", &m, "Warning", bo, first + 3, bo_last));
                }
                (reason_label, state) = if pl.err_now {
                    (
                        "ErrImagePull".into(),
                        State::waiting("ErrImagePull", Some(text)),
                    )
                } else {
                    (
                        "ImagePullBackOff".into(),
                        State::waiting("ImagePullBackOff", Some(backoff_msg)),
                    )
                };
            }
            target = meta.pending(
                say,
                pod_ip(rng, &node_ip),
                start,
                Container::not_started(&container, &image, state, id.memory_limit.clone()),
            )?;
        }
        Pattern::Healthy => {
            snapshot = snapshot_guess;
            let start = snapshot - rng.random_range(3_600..40 * 86_400i64);
            events.push(on_target.scheduled(say, rng, start)?);
            target = RunningPod {
                meta,
                container: &container,
                image: &image,
                repo: &id.image_full_repo,
                node: nodes.target(),
                start,
                runtime: &id.runtime,
            }
            .build(rng, id.memory_limit.clone());
            let startup = t
                .spec
                .startup
                .get(&id.language)
                .cloned()
                .unwrap_or_default();
            for (i, (lvl, text)) in startup.iter().enumerate() {
                let text = id.vars.expand(t, text)?;
                pod_lines.push(log_line((start + 2) * 1000 + i as i64 * 137, lvl, text));
            }
            for i in 0..rng.random_range(4..9) {
                let (lvl, text) = pick(rng, &t.spec.steady).clone();
                let text = id.vars.expand(t, &text)?;
                let ms = (snapshot - 600 + i * 61) * 1000 + rng.random_range(0..900);
                let line = log_line(ms, &lvl, text);
                push_dd(&mut datadog, &line, &service, &node_name, &target_tags);
                pod_lines.push(line);
            }
        }
    }
    let v = &mut id.vars;
    v.set("restart_count", i64::from(restart_count));
    v.set("exit_code", exit_code.map_or(0, i64::from));
    v.set("reason", reason_label);
    v.set("config_message", config_message);
    if missing_ref.is_empty() {
        // A crash-loop presentation names the variable or the file in its log tail.
        let file = format!("/etc/{service}/config.yaml");
        missing_ref = if pod_lines.iter().any(|l| l.text.contains(&file)) {
            file
        } else {
            let key = v
                .get("config_key")
                .map(ToString::to_string)
                .unwrap_or_default();
            format!("environment variable {key}")
        };
    }
    v.set("missing_ref", missing_ref);
    id.image = image;
    Ok(Failure {
        target,
        events,
        pod_lines,
        datadog,
        snapshot,
        exit_code,
        restart_count,
        signals,
        memory_ratio,
        replicas,
        rs_hash,
        old_rs_hash,
    })
}

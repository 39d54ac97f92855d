//! Stage 4, the failure's timeline: the alerted pod from its start to the snapshot, as the
//! presentation's pattern plays out (a crash loop with its runs and back-off, a container that
//! cannot be created, image pulls with back-off, an invalid image reference, or nothing wrong),
//! with the kubelet's events, the container's log lines, the Datadog records and kernel lines
//! they leave, and where the snapshot lands.

use minijinja::context;
use rand::RngExt;

use scenario::{FailureMode, Signal};

use crate::GenError;
use crate::spec::{
    InvalidImage, KubeletText, Pattern, PullError, Templates, Termination, Weighted,
};
use crate::time::{BASE_EPOCH, Ts, TsMillis, go_duration};

use super::identity::Identity;
use super::kube::{
    Involved, Loop, PodMeta, RunningPod, Say, container_id, log_line, pod_ip, push_dd,
    simulate_loop, simulate_pull, unready_conditions,
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

/// Plays out the plan's pattern on the alerted pod (on `nodes.target()`); `at`, when given,
/// is the instant the snapshot is to be near (a neighbour's failure is told up to the alerted
/// pod's snapshot).
pub fn draw(
    t: &Templates,
    plan: &Plan<'_>,
    id: &mut Identity,
    nodes: &mut Nodes,
    rng: &mut StageRng,
    at: Option<i64>,
) -> Result<Failure, GenError> {
    let drawn = BASE_EPOCH + rng.random_range(0..60 * 86_400i64);
    let snapshot_guess = at.unwrap_or(drawn);
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
    let pod = id.pod_name(rng, &service, if siblings { replicas } else { 0 }, &rs_hash);
    let uid = uuid(rng);
    id.vars.set("pod", pod.clone());
    id.vars.set("uid", uid.clone());
    let memory_ratio = id
        .memory_limit
        .as_ref()
        .map(|_| rng.random_range(0.3..0.75));
    let mut story = Story {
        t,
        k: &t.text.kubelet,
        say: Say(t),
        plan,
        tags: id.dd_tags(&pod, &service, &id.container, &id.tag),
        node: nodes.target().name.clone(),
        node_ip: nodes.target().internal_ip.clone(),
        pod,
        uid,
        image: id.image.clone(),
        id,
        nodes,
        rng,
        snapshot_guess,
        events: Vec::new(),
        pod_lines: Vec::new(),
        run_lines: Vec::new(),
        datadog: Vec::new(),
        signals: Vec::new(),
        exit_code: None,
        reason: String::new(),
        config_message: String::new(),
        missing_ref: String::new(),
        restart_count: 0,
        memory_ratio,
    };
    let (target, snapshot) = match plan.presentation.pattern {
        Pattern::CrashLoop => story.crash_loop()?,
        Pattern::ConfigError => story.config_error()?,
        Pattern::ImagePull => story.image_pull(false)?,
        Pattern::InvalidImage => story.image_pull(true)?,
        Pattern::Healthy => story.healthy()?,
    };
    story.record_vars();
    let Story {
        events,
        pod_lines,
        datadog,
        exit_code,
        restart_count,
        signals,
        memory_ratio,
        image,
        id,
        ..
    } = story;
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

/// The alerted pod's story while it is being told: what every pattern reads and writes.
struct Story<'a, 't> {
    t: &'t Templates,
    k: &'t KubeletText,
    say: Say<'t>,
    plan: &'a Plan<'t>,
    id: &'a mut Identity,
    nodes: &'a mut Nodes,
    rng: &'a mut StageRng,
    /// Instant the snapshot is near (patterns that simulate a timeline place it exactly).
    snapshot_guess: i64,
    pod: String,
    uid: String,
    node: String,
    node_ip: String,
    image: String,
    /// Datadog tags of the alerted container.
    tags: Vec<String>,
    events: Vec<Event>,
    pod_lines: Vec<LogLine>,
    /// The alerted container's lines of each of its last runs, oldest first.
    run_lines: Vec<Vec<LogLine>>,
    datadog: Vec<DatadogLog>,
    signals: Vec<Signal>,
    exit_code: Option<i32>,
    /// The container's state reason (for the answer texts).
    reason: String,
    config_message: String,
    missing_ref: String,
    restart_count: u32,
    memory_ratio: Option<f64>,
}

impl Story<'_, '_> {
    fn on_target(&self) -> Involved<'_> {
        Involved::pod(&self.id.namespace, &self.pod, &self.node)
    }

    fn meta(&self) -> PodMeta<'_> {
        PodMeta {
            name: &self.pod,
            namespace: &self.id.namespace,
            uid: &self.uid,
            workload: &self.id.service,
            node: &self.node,
        }
    }

    fn expand(&mut self, source: &str) -> Result<String, GenError> {
        self.id.vars.expand(self.t, source)
    }

    /// Pushes a kubelet event about the alerted pod.
    fn event(&mut self, reason: &str, message: &str, ty: &str, count: u32, first: i64, last: i64) {
        let e = self
            .on_target()
            .event(reason, message, ty, count, first, last);
        self.events.push(e);
    }

    /// Pushes the scheduler's `Scheduled` event of the alerted pod.
    fn scheduled(&mut self, at: i64) -> Result<(), GenError> {
        let on = Involved::pod(&self.id.namespace, &self.pod, &self.node);
        let e = on.scheduled(self.say, self.rng, at)?;
        self.events.push(e);
        Ok(())
    }

    /// The alerted container's log line, also sent to Datadog.
    fn log(&mut self, line: &LogLine, own_log: bool) {
        if own_log {
            self.pod_lines.push(line.clone());
        }
        push_dd(
            &mut self.datadog,
            line,
            &self.id.service,
            &self.node,
            &self.tags,
        );
    }

    /// The termination of every run, as the cause's spec weights them for this runtime.
    fn termination(&mut self) -> Termination {
        let spec = self.plan.spec;
        let fits: Vec<Weighted<Termination>> = spec
            .terminations
            .iter()
            .filter(|w| {
                w.value()
                    .runtime
                    .as_ref()
                    .is_none_or(|r| *r == self.id.runtime)
            })
            .cloned()
            .collect();
        let list = if fits.is_empty() {
            &spec.terminations
        } else {
            &fits
        };
        pick_w(self.rng, list).clone()
    }

    /// Whether the evidence still carries the cause when the snapshot lands in back-off (the
    /// pod tool then shows only `CrashLoopBackOff`): missing sources must never remove every
    /// source that tells it.
    fn carried_in_backoff(&self, term: &Termination) -> bool {
        let spec = self.plan.spec;
        let plan = self.plan;
        let pod_logs_ok = !plan.has(Signal::NoPodLogs);
        let dd_ok = !plan.has(Signal::DatadogUnavailable);
        let events_ok = !plan.has(Signal::EventsUnavailable);
        if spec.kernel_cgroup.is_some() || spec.kernel_global.is_some() {
            let monitor = self.id.memory_monitor && self.memory_ratio.is_some_and(|r| r > 0.9);
            // Node events (node-problem-detector's OOMKilling) live in `default`: the events
            // tool, which lists the alerted namespace, never shows them, so they carry nothing.
            // Nor does the alert: honest and misleading alerts come from the same rules, and
            // a restarts or crash-loop rule says nothing of a memory kill.
            dd_ok && (self.id.kernel_collected || monitor)
        } else if term.never_started || term.message.is_some() {
            events_ok
        } else {
            let logs_carry = !term.never_started
                && spec
                    .tails
                    .iter()
                    .any(|tl| tl.when_log_only == term.log_only);
            logs_carry && (pod_logs_ok || dd_ok)
        }
    }

    /// Whether node-problem-detector reports the kill as an `OOMKilling` Node event.
    fn node_event(&self) -> bool {
        let spec = self.plan.spec;
        spec.kernel_global.is_some()
            || (spec.kernel_cgroup.is_some() && self.plan.has(Signal::CgroupOomNodeEvent))
    }

    /// A container that terminates and is restarted with back-off.
    fn crash_loop(&mut self) -> Result<(Pod, i64), GenError> {
        let spec = self.plan.spec;
        let backoff = self.t.spec.backoff;
        let term = self.termination();
        self.exit_code = Some(term.exit_code);
        self.reason.clone_from(&term.reason);
        // A kill inside the container's own memory cgroup: usage reached the limit.
        if term.reason == "OOMKilled" && self.id.memory_limit.is_some() {
            self.memory_ratio = Some(1.0);
        }
        // Waiting (in back-off) vs the brief terminated moment. Tier 0 shows the exit code.
        let mut terminated_now = if self.plan.tier == 0 {
            self.rng.random_bool(0.7)
        } else {
            self.rng.random_bool(0.12)
        };
        let run = spec.run_seconds.unwrap_or((1, 30));
        // Span of the loop: minutes to hours.
        let span = *pick(
            self.rng,
            &[240i64, 600, 1200, 2400, 3600, 7200, 14_400, 28_800],
        ) + self.rng.random_range(0..600);
        if !self.carried_in_backoff(&term) {
            terminated_now = true;
        }
        if !terminated_now {
            self.signals.push(Signal::WaitingStateOnly);
        }
        let start = self.snapshot_guess - span;
        let lp = simulate_loop(self.rng, start, span, run, &backoff, terminated_now);
        self.restart_count = lp.restarts();
        let term_msg = match &term.message {
            Some(m) => Some(self.expand(m)?),
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
            let msg = self.say.text(
                &self.k.crash_backoff_waiting,
                context! { legacy => self.legacy(), delay => go_duration(delay),
                container => &self.id.container, pod => &self.pod,
                namespace => &self.id.namespace, uid => &self.uid },
            )?;
            (
                State::waiting("CrashLoopBackOff", Some(msg)),
                Some(mk_term(last)),
            )
        };
        let pod_start = start - self.rng.random_range(3..20);
        self.crash_events(&lp, &term, term_msg.as_deref(), pod_start)?;
        let shown_runs: Vec<(i64, i64)> = lp.runs.iter().rev().take(3).rev().copied().collect();
        self.run_logs(&term, &shown_runs)?;
        self.kernel_lines(&shown_runs)?;
        if spec.node_pressure {
            self.node_pressure(start, lp.snapshot)?;
        }
        let container = self.id.container.clone();
        let conditions = unready_conditions(self.say, pod_start, &[&container], Some(last.1))?;
        let ip = pod_ip(self.rng, &self.node_ip);
        let c = Container {
            name: container,
            image: self.image.clone(),
            image_id: format!("{}@sha256:{}", self.id.image_full_repo, hex(self.rng, 64)),
            container_id: container_id(self.rng, &self.id.runtime),
            ready: false,
            started: false,
            restart_count: self.restart_count,
            state,
            last_state,
            memory_limit: self.id.memory_limit.clone(),
            // kubelet: logs of the running or, between restarts, the last exited container;
            // --previous: the container lastState names.
            log: self.run_lines.last().cloned().unwrap_or_default(),
            previous_log: if lp.terminated_now {
                let n = self.run_lines.len();
                if n >= 2 {
                    self.run_lines[n - 2].clone()
                } else {
                    Vec::new()
                }
            } else {
                self.run_lines.last().cloned().unwrap_or_default()
            },
            log_error: None,
            previous_error: None,
        };
        Ok((
            self.meta().pod("Running", ip, pod_start, c, conditions),
            lp.snapshot,
        ))
    }

    /// One of the language's start-up sequences.
    fn startup(&mut self) -> Vec<crate::spec::Line> {
        match self.t.spec.startup.get(&self.id.language) {
            Some(sets) if !sets.is_empty() => pick(self.rng, sets).lines.clone(),
            _ => Vec::new(),
        }
    }

    fn legacy(&self) -> bool {
        self.plan.has(Signal::LegacyKubeletMessages)
    }

    /// Scheduled (events.k8s.io form), then Pulled / Created / Started (or Failed) per run and
    /// the BackOff warnings of the back-off windows.
    fn crash_events(
        &mut self,
        lp: &Loop,
        term: &Termination,
        term_msg: Option<&str>,
        pod_start: i64,
    ) -> Result<(), GenError> {
        let (say, k) = (self.say, self.k);
        let sync = self.t.spec.backoff.sync_seconds;
        let (bo_count, bo_first, bo_last) = lp.backoff_events(sync);
        self.scheduled(pod_start)?;
        let n_runs = lp.runs.len() as u32;
        let first_start = lp.runs[0].0;
        let last = *lp.runs.last().unwrap_or(&(first_start, first_start));
        let container = self.id.container.clone();
        let pulled = say.text(&k.pulled, context! { image => &self.image })?;
        self.event(
            "Pulled",
            &pulled,
            "Normal",
            n_runs,
            first_start - 1,
            last.0 - 1,
        );
        let created = say.text(&k.created, context! { container => &container })?;
        self.event("Created", &created, "Normal", n_runs, first_start, last.0);
        let (reason, m, ty) = if term.never_started || term.message.is_some() {
            let m = say.text(
                &k.failed,
                context! { message => term_msg.unwrap_or_default() },
            )?;
            ("Failed", m, "Warning")
        } else {
            (
                "Started",
                say.text(&k.started, context! { container => &container })?,
                "Normal",
            )
        };
        self.event(reason, &m, ty, n_runs, first_start, last.0);
        if bo_count > 0 {
            let m = say.text(
                &k.crash_backoff_event,
                context! { legacy => self.legacy(), container => &container, pod => &self.pod,
                namespace => &self.id.namespace, uid => &self.uid },
            )?;
            let m = if bo_count > 50 && self.rng.random_bool(0.3) {
                say.text(&k.combined, context! { message => m })?
            } else {
                m
            };
            self.event("BackOff", &m, "Warning", bo_count, bo_first, bo_last);
        }
        Ok(())
    }

    /// The log lines of the last runs: start-up lines, steady lines for a process killed from
    /// outside, then the cause's tail in the last moments before the crash.
    fn run_logs(&mut self, term: &Termination, shown_runs: &[(i64, i64)]) -> Result<(), GenError> {
        let spec = self.plan.spec;
        let t = self.t;
        let tails: Vec<_> = spec
            .tails
            .iter()
            .filter(|tl| {
                tl.when_log_only == term.log_only
                    && (tl.lang.is_empty() || tl.lang.contains(&self.id.language))
            })
            .collect();
        let tail = if tails.is_empty() {
            None
        } else {
            Some(tails[self.rng.random_range(0..tails.len())].clone())
        };
        if let Some(tail) = &tail
            && !term.never_started
        {
            self.id.note_also(&tail.also);
        }
        let startup = self.startup();
        let timing = spec.tail_timing_ms;
        for (ri, (rs, rc)) in shown_runs.iter().enumerate() {
            if term.never_started {
                break;
            }
            let (start_ms, crash_ms) = (rs * 1000, rc * 1000);
            let mut lines: Vec<(i64, String, String)> = Vec::new();
            if !term.log_only && spec.app_starts {
                let mut at = start_ms + self.rng.random_range(80..400);
                for l in &startup {
                    lines.push((at, l.level.clone(), self.expand(&l.text)?));
                    at += self.rng.random_range(20..350);
                }
            }
            if spec.steady_before_tail {
                let n = self.rng.random_range(1..4i64);
                for j in 0..n {
                    let crate::spec::Line {
                        level: lvl, text, ..
                    } = pick(self.rng, &t.spec.steady).clone();
                    let text = self.expand(&text)?;
                    let at = start_ms + (crash_ms - start_ms) * (j + 1) / (n + 2);
                    lines.push((at, lvl, text));
                }
            }
            if let Some(tail) = &tail {
                let n = tail.lines.len() as i64;
                for (j, (lvl, text)) in tail.lines.iter().enumerate() {
                    let back = (n - j as i64) * timing.gap + timing.lead;
                    lines.push((crash_ms - back, lvl.clone(), self.expand(text)?));
                }
            }
            // Times never go backwards.
            let mut prev = i64::MIN;
            for l in &mut lines {
                l.0 = l.0.max(prev + 1);
                prev = l.0;
            }
            let is_last = ri + 1 == shown_runs.len();
            let mut run = Vec::with_capacity(lines.len());
            for (ms, lvl, text) in lines {
                let line = log_line(ms, &lvl, text);
                self.log(&line, is_last);
                run.push(line);
            }
            self.run_lines.push(run);
        }
        Ok(())
    }

    /// The kernel's kill lines: not in the container's own stream, but in Datadog when the
    /// agent collects the kernel log, and as node-problem-detector `OOMKilling` Node events.
    fn kernel_lines(&mut self, shown_runs: &[(i64, i64)]) -> Result<(), GenError> {
        let spec = self.plan.spec;
        let Some(kline) = spec
            .kernel_global
            .clone()
            .or_else(|| spec.kernel_cgroup.clone())
        else {
            return Ok(());
        };
        let pid = self
            .id
            .vars
            .get("pid")
            .and_then(|v| i64::try_from(v.clone()).ok())
            .unwrap_or(1);
        if self.id.kernel_collected {
            for (ri, (_, rc)) in shown_runs.iter().enumerate() {
                self.id.vars.set("pid", pid + ri as i64 * 131);
                let text = self.expand(&kline)?;
                self.datadog.push(DatadogLog {
                    ms: rc * 1000 - 3,
                    timestamp: TsMillis(rc * 1000 - 3),
                    message: text,
                    status: "error".into(),
                    service: "kernel".into(),
                    host: self.node.clone(),
                    source: "kernel".into(),
                    tags: vec![
                        format!("kube_cluster_name:{}", self.id.cluster),
                        format!("host:{}", self.node),
                        "source:kernel".into(),
                    ],
                    pod: None,
                    attributes: None,
                });
            }
        }
        if self.node_event() {
            for (ri, (_, rc)) in shown_runs.iter().enumerate().rev().take(2) {
                self.id.vars.set("pid", pid + ri as i64 * 131);
                let text = self.expand(&kline)?;
                let e = Involved::node(&self.node).event_from(
                    "kernel-monitor",
                    "OOMKilling",
                    &text,
                    "Warning",
                    *rc,
                );
                self.events.push(e);
            }
        }
        self.id.vars.set("pid", pid);
        Ok(())
    }

    /// The alerted pod's node under memory pressure: its condition, the kubelet's node events.
    fn node_pressure(&mut self, start: i64, snapshot: i64) -> Result<(), GenError> {
        let (say, k) = (self.say, self.k);
        let n = &mut self.nodes.nodes[self.nodes.target];
        "True".clone_into(&mut n.memory_pressure);
        "KubeletHasInsufficientMemory".clone_into(&mut n.memory_reason);
        let on_node = Involved::node(&self.node);
        let m = say.text(&k.node_insufficient_memory, context! { node => &self.node })?;
        self.events.push(on_node.event(
            "NodeHasInsufficientMemory",
            &m,
            "Normal",
            1,
            start - 30,
            start - 30,
        ));
        if self.rng.random_bool(0.6) {
            let count = self.rng.random_range(1..6);
            let last = snapshot - self.rng.random_range(30..300);
            let m = say.text(&k.eviction_threshold, context! {})?;
            self.events.push(on_node.event(
                "EvictionThresholdMet",
                &m,
                "Warning",
                count,
                start - 20,
                last,
            ));
        }
        Ok(())
    }

    /// CreateContainerConfigError: the container is never created.
    fn config_error(&mut self) -> Result<(Pod, i64), GenError> {
        let (say, k) = (self.say, self.k);
        let src = pick_w(self.rng, &self.plan.spec.config_errors).clone();
        let msg = self.expand(&src)?;
        self.config_message.clone_from(&msg);
        self.missing_ref.clone_from(&msg);
        self.reason = "CreateContainerConfigError".into();
        let span = self.rng.random_range(300..14_400i64);
        let start = self.snapshot_guess - span;
        let snapshot = self.snapshot_guess;
        let count = (span / self.t.spec.backoff.sync_seconds).max(1) as u32;
        self.scheduled(start)?;
        let pulled = say.text(&k.pulled, context! { image => &self.image })?;
        self.event("Pulled", &pulled, "Normal", count, start + 2, snapshot - 3);
        let failed = say.text(&k.failed, context! { message => &msg })?;
        self.event("Failed", &failed, "Warning", count, start + 2, snapshot - 3);
        let state = State::waiting("CreateContainerConfigError", Some(msg));
        Ok((self.pending(start, state)?, snapshot))
    }

    /// The alerted pod Pending since `start`, its container never created.
    fn pending(&mut self, start: i64, state: State) -> Result<Pod, GenError> {
        let ip = pod_ip(self.rng, &self.node_ip);
        let c = Container::not_started(
            &self.id.container,
            &self.image,
            state,
            self.id.memory_limit.clone(),
        );
        self.meta().pending(self.say, ip, start, c)
    }

    /// ErrImagePull / ImagePullBackOff with back-off, or (`invalid`) InvalidImageName.
    fn image_pull(&mut self, invalid: bool) -> Result<(Pod, i64), GenError> {
        let span = *pick(self.rng, &[300i64, 900, 1800, 3600, 7200, 21_600])
            + self.rng.random_range(0..300);
        let start = self.snapshot_guess - span;
        self.scheduled(start)?;
        let (state, snapshot) = if invalid {
            self.invalid_image(start, span)?
        } else {
            self.pull_attempts(start, span)?
        };
        Ok((self.pending(start, state)?, snapshot))
    }

    fn invalid_image(&mut self, start: i64, span: i64) -> Result<(State, i64), GenError> {
        let (say, k) = (self.say, self.k);
        let inv: InvalidImage = pick_w(self.rng, &self.plan.spec.invalid_images).clone();
        self.image = self.expand(&inv.image)?;
        self.id.vars.set("image", self.image.clone());
        let msg = say.text(
            &k.invalid_image,
            context! { image => &self.image, suffix => &inv.suffix },
        )?;
        self.reason = "InvalidImageName".into();
        let snapshot = self.snapshot_guess;
        let count = (span / self.t.spec.backoff.sync_seconds).max(1) as u32;
        self.event(
            "InspectFailed",
            &msg,
            "Warning",
            count,
            start + 1,
            snapshot - 2,
        );
        let failed = say.text(&k.invalid_image_failed, context! {})?;
        self.event("Failed", &failed, "Warning", count, start + 1, snapshot - 2);
        Ok((State::waiting("InvalidImageName", Some(msg)), snapshot))
    }

    fn pull_attempts(&mut self, start: i64, span: i64) -> Result<(State, i64), GenError> {
        let (say, k) = (self.say, self.k);
        let spec = self.plan.spec;
        let backoff = self.t.spec.backoff;
        let fits: Vec<Weighted<PullError>> = spec
            .pull_errors
            .iter()
            .filter(|w| w.value().runtime == self.id.runtime)
            .cloned()
            .collect();
        let list = if fits.is_empty() {
            &spec.pull_errors
        } else {
            &fits
        };
        let err = pick_w(self.rng, list).clone();
        self.id.note_also(&err.also);
        let text = self.expand(&err.text)?;
        let events_ok = !self.plan.has(Signal::EventsUnavailable);
        let err_now = !events_ok
            || if self.plan.tier == 0 {
                self.rng.random_bool(0.6)
            } else {
                self.rng.random_bool(0.15)
            };
        if !err_now {
            self.signals.push(Signal::PullErrorInEventsOnly);
        }
        let pl = simulate_pull(self.rng, start, span, &backoff, err_now);
        let n = pl.attempts.len() as u32;
        let first = pl.attempts[0];
        let last = *pl.attempts.last().unwrap_or(&first);
        let (bo, bo_last) = pl.backoff_events(backoff.sync_seconds);
        let image = self.image.clone();
        let pulling = say.text(&k.pulling, context! { image => &image })?;
        self.event("Pulling", &pulling, "Normal", n, first, last);
        let failed = say.text(&k.pull_failed, context! { image => &image, error => &text })?;
        self.event("Failed", &failed, "Warning", n, first + 1, last + 1);
        let err_pull = say.text(&k.err_image_pull, context! {})?;
        self.event("Failed", &err_pull, "Warning", n, first + 1, last + 1);
        let backoff_msg = say.text(&k.pull_backoff, context! { image => &image })?;
        if bo > 0 {
            self.event("BackOff", &backoff_msg, "Normal", bo, first + 3, bo_last);
            let m = say.text(&k.image_pull_backoff, context! {})?;
            self.event("Failed", &m, "Warning", bo, first + 3, bo_last);
        }
        let (reason, state) = if pl.err_now {
            ("ErrImagePull", State::waiting("ErrImagePull", Some(text)))
        } else {
            (
                "ImagePullBackOff",
                State::waiting("ImagePullBackOff", Some(backoff_msg)),
            )
        };
        self.reason = reason.into();
        Ok((state, pl.snapshot))
    }

    /// Everything running: the pod and a few minutes of its ordinary log.
    fn healthy(&mut self) -> Result<(Pod, i64), GenError> {
        let t = self.t;
        let snapshot = self.snapshot_guess;
        let start = snapshot - self.rng.random_range(3_600..40 * 86_400i64);
        self.scheduled(start)?;
        let target = RunningPod {
            meta: PodMeta {
                name: &self.pod,
                namespace: &self.id.namespace,
                uid: &self.uid,
                workload: &self.id.service,
                node: &self.node,
            },
            container: &self.id.container,
            image: &self.image,
            repo: &self.id.image_full_repo,
            node: self.nodes.target(),
            start,
            runtime: &self.id.runtime,
        }
        .build(self.rng, self.id.memory_limit.clone());
        let startup = self.startup();
        for (i, l) in startup.iter().enumerate() {
            let text = self.expand(&l.text)?;
            self.pod_lines.push(log_line(
                (start + 2) * 1000 + i as i64 * 137,
                &l.level,
                text,
            ));
        }
        for i in 0..self.rng.random_range(4..9) {
            let crate::spec::Line {
                level: lvl, text, ..
            } = pick(self.rng, &t.spec.steady).clone();
            let text = self.expand(&text)?;
            let ms = (snapshot - 600 + i * 61) * 1000 + self.rng.random_range(0..900);
            self.log(&log_line(ms, &lvl, text), true);
        }
        let mut target = target;
        target.containers[0].log.clone_from(&self.pod_lines);
        Ok((target, snapshot))
    }

    /// The answer texts' variables the timeline decides.
    fn record_vars(&mut self) {
        let v = &mut self.id.vars;
        v.set("restart_count", i64::from(self.restart_count));
        v.set("exit_code", self.exit_code.map_or(0, i64::from));
        v.set("reason", std::mem::take(&mut self.reason));
        v.set("config_message", std::mem::take(&mut self.config_message));
        if self.missing_ref.is_empty() {
            // A crash-loop presentation names the variable or the file in its log tail.
            let file = format!("/etc/{}/config.yaml", self.id.service);
            self.missing_ref = if self.pod_lines.iter().any(|l| l.text.contains(&file)) {
                file
            } else {
                let key = v
                    .get("config_key")
                    .map(ToString::to_string)
                    .unwrap_or_default();
                format!("environment variable {key}")
            };
        }
        v.set("missing_ref", std::mem::take(&mut self.missing_ref));
    }
}

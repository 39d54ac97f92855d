//! Kubernetes mechanics shared by the stages: the kubelet's back-off timelines, how events,
//! pods, conditions, log lines and Datadog records are built. Wording comes from `world.yml`
//! through [`Say`]; the rules of when and how often are here.

use minijinja::Value;
use rand::{Rng, RngExt};

use crate::GenError;
use crate::spec::{Backoff, Templates};
use crate::time::{Ts, TsMicros, TsMillis, rfc3339_millis, spaced_millis};

use super::rng::hex;
use super::types::{Condition, Container, DatadogLog, Event, LogLine, Node, Pod, State};

/// Renders the component wording of `world.yml` (and any compiled spec string).
#[derive(Clone, Copy, Debug)]
pub struct Say<'a>(pub &'a Templates);

impl Say<'_> {
    /// Renders one compiled template with a context.
    pub fn text(&self, source: &str, ctx: Value) -> Result<String, GenError> {
        self.0.expand(source, &ctx)
    }
}

/// A crash-loop timeline: runs (start, crash) of the container, and where the snapshot lands.
#[derive(Clone, Debug)]
pub struct Loop {
    /// `(started_at, finished_at)` of every run, oldest first.
    pub runs: Vec<(i64, i64)>,
    /// The back-off delay after each run.
    pub delays: Vec<i64>,
    /// The snapshot instant.
    pub snapshot: i64,
    /// Whether the snapshot lands in the brief terminated moment after the last crash.
    pub terminated_now: bool,
}

impl Loop {
    /// Restarts completed: one fewer than runs.
    pub fn restarts(&self) -> u32 {
        (self.runs.len() as u32).saturating_sub(1)
    }

    /// BackOff events per back-off window (one per sync while waiting), and the last one's time.
    pub fn backoff_events(&self, sync: i64) -> (u32, i64, i64) {
        let mut count = 0u32;
        let mut first = i64::MAX;
        let mut last = 0i64;
        for (i, (_, crash)) in self.runs.iter().enumerate() {
            let end = (crash + self.delays[i]).min(self.snapshot);
            if end - crash < 1 {
                continue;
            }
            let n = ((end - crash) / sync).max(1) as u32;
            count += n;
            first = first.min(crash + 1);
            last = last.max(crash + 1 + sync * i64::from(n - 1));
        }
        (count, first, last.min(self.snapshot))
    }
}

/// Simulates the kubelet's back-off: starting at `t0`, runs of `run()` seconds, each followed
/// by a doubling delay, until about `span` seconds have passed; then places the snapshot.
pub fn simulate_loop<R: Rng>(
    rng: &mut R,
    t0: i64,
    span: i64,
    run: (i64, i64),
    backoff: &Backoff,
    terminated_now: bool,
) -> Loop {
    let mut runs = Vec::new();
    let mut delays = Vec::new();
    let mut t = t0;
    let mut n = 0u32;
    loop {
        let crash = t + rng.random_range(run.0..=run.1.max(run.0));
        let delay = backoff.delay(n);
        runs.push((t, crash));
        delays.push(delay);
        let next = crash + delay + rng.random_range(0..=1);
        if next > t0 + span || runs.len() >= 5000 {
            break;
        }
        t = next;
        n += 1;
    }
    let (_, last_crash) = *runs.last().unwrap_or(&(t0, t0));
    let last_delay = *delays.last().unwrap_or(&backoff.initial_seconds);
    let snapshot = if terminated_now {
        last_crash + rng.random_range(0..=1)
    } else {
        last_crash + rng.random_range(2..=(last_delay - 1).max(2))
    };
    Loop {
        runs,
        delays,
        snapshot,
        terminated_now,
    }
}

/// An image-pull timeline: pull attempts with back-off.
#[derive(Clone, Debug)]
pub struct PullLoop {
    /// Attempt instants (each fails a second or two later).
    pub attempts: Vec<i64>,
    /// Back-off delay after each attempt.
    pub delays: Vec<i64>,
    /// The snapshot.
    pub snapshot: i64,
    /// Snapshot right after an attempt (ErrImagePull) rather than in back-off.
    pub err_now: bool,
}

impl PullLoop {
    /// BackOff events while waiting between attempts: count and the last one's time.
    pub fn backoff_events(&self, sync: i64) -> (u32, i64) {
        let first = self.attempts[0];
        let mut count = 0u32;
        let mut last = first + 3;
        for (i, a) in self.attempts.iter().enumerate() {
            let end = (a + 2 + self.delays[i]).min(self.snapshot);
            if end - (a + 2) >= 1 {
                let k = ((end - a - 2) / sync).max(1) as u32;
                count += k;
                last = last.max(a + 3 + sync * i64::from(k - 1)).min(self.snapshot);
            }
        }
        (count, last)
    }
}

/// Simulates pull attempts from `t0` over about `span` seconds and places the snapshot.
pub fn simulate_pull<R: Rng>(
    rng: &mut R,
    t0: i64,
    span: i64,
    backoff: &Backoff,
    err_now: bool,
) -> PullLoop {
    let mut attempts = Vec::new();
    let mut delays = Vec::new();
    let mut t = t0;
    let mut n = 0u32;
    loop {
        let delay = backoff.delay(n);
        attempts.push(t);
        delays.push(delay);
        let next = t + 2 + delay;
        if next > t0 + span || attempts.len() >= 5000 {
            break;
        }
        t = next;
        n += 1;
    }
    let last = *attempts.last().unwrap_or(&t0);
    let last_delay = *delays.last().unwrap_or(&backoff.initial_seconds);
    let snapshot = if err_now {
        last + 2 + rng.random_range(0..=1)
    } else {
        last + 2 + rng.random_range(2..=(last_delay - 1).max(2))
    };
    PullLoop {
        attempts,
        delays,
        snapshot,
        err_now,
    }
}

/// A container log line at `ms` (milliseconds since the epoch).
pub fn log_line(ms: i64, level: &str, text: String) -> LogLine {
    LogLine {
        ms,
        iso: rfc3339_millis(ms),
        spaced: spaced_millis(ms),
        level: level.to_owned(),
        raw: level == "raw",
        text,
    }
}

/// Datadog's status of a log line of this level.
fn dd_status(level: &str) -> &'static str {
    match level {
        "error" | "fatal" => "error",
        "warn" => "warn",
        "debug" => "debug",
        _ => "info",
    }
}

/// A log line's instant in milliseconds, `ago` seconds before the snapshot.
pub fn recent_ms<R: Rng>(rng: &mut R, snapshot: i64, ago: std::ops::Range<i64>) -> i64 {
    (snapshot - rng.random_range(ago)) * 1000 + rng.random_range(0..999)
}

/// Appends a container log line to the Datadog stream; Datadog folds a stack trace into the
/// record of the line before it (multi-line aggregation).
pub fn push_dd(
    out: &mut Vec<DatadogLog>,
    line: &LogLine,
    service: &str,
    host: &str,
    tags: &[String],
) {
    if line.raw
        && let Some(prev) = out.iter_mut().rev().find(|d| {
            d.service == service && d.host == host && line.ms - d.ms < 2000 && d.source != "kernel"
        })
    {
        prev.message.push('\n');
        prev.message.push_str(&line.text);
        "error".clone_into(&mut prev.status);
        return;
    }
    if line.raw && line.text.is_empty() {
        return;
    }
    out.push(DatadogLog {
        ms: line.ms,
        timestamp: TsMillis(line.ms),
        message: line.text.clone(),
        status: if line.raw {
            "error".into()
        } else {
            dd_status(&line.level).into()
        },
        service: service.into(),
        host: host.into(),
        source: "container".into(),
        tags: tags.to_vec(),
        pod: tags
            .iter()
            .find_map(|t| t.strip_prefix("pod_name:"))
            .map(str::to_owned),
        attributes: None,
    });
}

/// A container's runtime id: `docker://…` or `containerd://…`.
pub fn container_id<R: Rng>(rng: &mut R, runtime: &str) -> String {
    let runtime = if runtime == "docker" {
        "docker"
    } else {
        "containerd"
    };
    format!("{runtime}://{}", hex(rng, 64))
}

/// A pod IP in the VPC block of its node.
pub fn pod_ip<R: Rng>(rng: &mut R, node_ip: &str) -> String {
    let mut parts = node_ip.split('.');
    let a = parts.next().unwrap_or("10");
    let b = parts.next().unwrap_or("0");
    format!(
        "{a}.{b}.{}.{}",
        rng.random_range(0..96),
        rng.random_range(2..254)
    )
}

/// The object an event is about and the kubelet (node) that reports it.
#[derive(Clone, Copy, Debug)]
pub struct Involved<'a> {
    ns: &'a str,
    kind: &'a str,
    name: &'a str,
    host: &'a str,
}

impl<'a> Involved<'a> {
    /// A pod of namespace `ns`, on node `host`.
    pub fn pod(ns: &'a str, name: &'a str, host: &'a str) -> Self {
        Involved {
            ns,
            kind: "Pod",
            name,
            host,
        }
    }

    /// A node, reporting about itself (its events are in `default`).
    pub fn node(name: &'a str) -> Self {
        Involved {
            ns: "default",
            kind: "Node",
            name,
            host: name,
        }
    }

    /// A kubelet (core/v1) event about this object, seen `count` times from `first` to `last`.
    pub fn event(
        &self,
        reason: &str,
        message: &str,
        ty: &str,
        count: u32,
        first: i64,
        last: i64,
    ) -> Event {
        Event {
            count: Some(count.max(1)),
            first: Some(Ts(first.min(last))),
            last: Some(Ts(last.max(first))),
            source_component: "kubelet".into(),
            source_host: self.host.into(),
            ..self.bare_event(reason, message, ty)
        }
    }

    /// An event from another component (`kernel-monitor`, ...) on this object's host.
    pub fn event_from(
        &self,
        component: &str,
        reason: &str,
        message: &str,
        ty: &str,
        at: i64,
    ) -> Event {
        Event {
            source_component: component.into(),
            ..self.event(reason, message, ty, 1, at, at)
        }
    }

    /// An event about this object with no time, count or source filled in.
    fn bare_event(&self, reason: &str, message: &str, ty: &str) -> Event {
        Event {
            namespace: self.ns.into(),
            object_kind: self.kind.into(),
            object_name: self.name.into(),
            reason: reason.into(),
            message: message.into(),
            kind: ty.into(),
            count: None,
            first: None,
            last: None,
            event_time: None,
            series_count: None,
            source_component: String::new(),
            source_host: String::new(),
            reporting_component: String::new(),
            action: String::new(),
            object_uid: String::new(),
            field_path: None,
        }
    }

    /// An event the scheduler writes through events.k8s.io/v1 at `at`: no count or
    /// timestamps, `eventTime` with microseconds, `reportingComponent` set, empty source.
    pub fn scheduler_event<R: Rng>(
        &self,
        rng: &mut R,
        reason: &str,
        message: &str,
        ty: &str,
        at: i64,
        action: &str,
    ) -> Event {
        Event {
            event_time: Some(TsMicros(at * 1_000_000 + rng.random_range(0..1_000_000))),
            reporting_component: "default-scheduler".into(),
            action: action.into(),
            ..self.bare_event(reason, message, ty)
        }
    }

    /// `Scheduled`: the pod was bound to its node (the `host`) at `at`.
    pub fn scheduled<R: Rng>(&self, say: Say<'_>, rng: &mut R, at: i64) -> Result<Event, GenError> {
        let message = say.text(
            &say.0.text.scheduler.scheduled,
            minijinja::context! { namespace => self.ns, pod => self.name, node => self.host },
        )?;
        Ok(self.scheduler_event(rng, "Scheduled", &message, "Normal", at, "Binding"))
    }
}

/// Who a pod is: name, namespace, uid, owning workload and node.
#[derive(Clone, Copy, Debug)]
pub struct PodMeta<'a> {
    /// Pod name.
    pub name: &'a str,
    /// Namespace.
    pub namespace: &'a str,
    /// Pod uid.
    pub uid: &'a str,
    /// Owning workload.
    pub workload: &'a str,
    /// Node it is bound to.
    pub node: &'a str,
}

impl PodMeta<'_> {
    /// The pod, with a single container.
    pub fn pod(
        &self,
        phase: &str,
        ip: String,
        start: i64,
        container: Container,
        conditions: Vec<Condition>,
    ) -> Pod {
        Pod {
            name: self.name.into(),
            namespace: self.namespace.into(),
            uid: self.uid.into(),
            workload: self.workload.into(),
            phase: phase.into(),
            node: self.node.into(),
            ip,
            start_time: Ts(start),
            containers: vec![container],
            conditions,
            owner_kind: String::new(),
            owner_name: String::new(),
            hash: String::new(),
            restart_policy: "Always".into(),
            pull_secret: None,
            config_refs: None,
        }
    }

    /// The pod `Pending` since `start`, its single container not ready.
    pub fn pending(
        &self,
        say: Say<'_>,
        ip: String,
        start: i64,
        container: Container,
    ) -> Result<Pod, GenError> {
        let conditions = unready_conditions(say, start, &[&container.name], None)?;
        Ok(self.pod("Pending", ip, start, container, conditions))
    }
}

/// The conditions of a pod whose containers `unready` are not ready.
pub fn unready_conditions(
    say: Say<'_>,
    start: i64,
    unready: &[&str],
    last_change: Option<i64>,
) -> Result<Vec<Condition>, GenError> {
    let message = say.text(
        &say.0.text.kubelet.unready,
        minijinja::context! { containers => unready.join(" ") },
    )?;
    Ok(pod_conditions(start, Some(&message), last_change))
}

/// The five conditions of a pod started at `start`: Ready and ContainersReady are False with
/// `unready` as their message when it is given, True otherwise.
pub fn pod_conditions(
    start: i64,
    unready: Option<&str>,
    last_change: Option<i64>,
) -> Vec<Condition> {
    let status = if unready.is_none() { "True" } else { "False" };
    let (reason, message) = match unready {
        None => (None, None),
        Some(m) => (Some("ContainersNotReady".to_owned()), Some(m.to_owned())),
    };
    let changed = last_change.unwrap_or(start + 2);
    let cond =
        |kind: &str, status: &str, reason: Option<String>, message: Option<String>, at: i64| {
            Condition {
                kind: kind.into(),
                status: status.into(),
                reason,
                message,
                last_transition: Ts(at),
            }
        };
    vec![
        cond("PodReadyToStartContainers", "True", None, None, start + 1),
        cond("Initialized", "True", None, None, start),
        cond("Ready", status, reason.clone(), message.clone(), changed),
        cond("ContainersReady", status, reason, message, changed),
        cond("PodScheduled", "True", None, None, start),
    ]
}

/// What a running pod of a workload is made of.
#[derive(Clone, Copy, Debug)]
pub struct RunningPod<'a> {
    /// Pod identity.
    pub meta: PodMeta<'a>,
    /// Its single container's name.
    pub container: &'a str,
    /// Its image.
    pub image: &'a str,
    /// The repository part of image ids for images of the corpus's own registry.
    pub repo: &'a str,
    /// The node.
    pub node: &'a Node,
    /// When the pod started.
    pub start: i64,
    /// Container runtime (`containerd` / `docker`).
    pub runtime: &'a str,
}

impl RunningPod<'_> {
    /// The pod Running and Ready since shortly after `start`.
    pub fn build<R: Rng>(&self, rng: &mut R, memory_limit: Option<String>) -> Pod {
        let started = self.start + rng.random_range(2..30);
        let image = self.image;
        let repo = if image.contains('/') && image.contains('.') {
            self.repo.to_owned()
        } else {
            format!("docker.io/{}", image.split(':').next().unwrap_or(image))
        };
        let container = Container {
            name: self.container.into(),
            image: image.into(),
            image_id: format!("{repo}@sha256:{}", hex(rng, 64)),
            container_id: container_id(rng, self.runtime),
            ready: true,
            started: true,
            restart_count: 0,
            state: State::running(started),
            last_state: None,
            memory_limit,
            log: Vec::new(),
            previous_log: Vec::new(),
            log_error: None,
            previous_error: None,
        };
        let meta = PodMeta {
            node: &self.node.name,
            ..self.meta
        };
        meta.pod(
            "Running",
            pod_ip(rng, &self.node.internal_ip),
            self.start,
            container,
            pod_conditions(self.start, None, Some(started + 5)),
        )
    }
}

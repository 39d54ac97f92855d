//! The world of one scenario, sampled first: a small EKS cluster (nodes, workloads, pods with
//! full container status including `lastState`, events in kubelet and events.k8s.io form,
//! container logs, Datadog logs and monitors) plus its labels. The evidence files are views
//! of it rendered by templates, so two profiles of the same world can never disagree.
//!
//! The Rust code knows a handful of world shapes ([`Pattern`]) and the effect of each
//! adversarial signal ([`KNOWN_SIGNALS`]); everything a cause varies (exit codes, reasons,
//! messages, log lines, error texts) comes from the family spec.
//!
//! Signals and what they do to the world:
//! * `healthy_sibling_replicas`: the workload runs 2-4 replicas; only one pod (a new rollout
//!   pod, or the one on the pressured node) fails, the others are Running and Ready.
//! * `benign_old_warning_event`: an old, resolved Warning event on another pod.
//! * `healthy_pod_with_restart_history`: a Running, Ready pod with hundreds of restarts and an
//!   old `lastState.terminated` (OOMKilled, Error 137/1 or Unknown 255); for a healthy label
//!   it is the alerted pod itself.
//! * `unrelated_failing_workload`: another workload of the namespace fails in another way;
//!   the alert still names the right one.
//! * `misleading_alert_title`: the alert that fired names another symptom (e.g. CrashLooping
//!   for an OOM, memory for an app error).
//! * `datadog_unavailable`, `events_unavailable`: the tool reports an error instead of data.
//! * `events_expired`: a pod was liveness-killed (137, Error) more than an hour ago; its events
//!   have expired, so only the restart count and `lastState` are left of it.
//! * `no_pod_logs`: the pod log tool returns an error.
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

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha12Rng;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

use minijinja::value::Value;
use scenario::{Category, FailureMode, RootCause};

use crate::GenError;
use crate::spec::{CauseSpec, InvalidImage, Pattern, PullError, Templates, Termination, Weighted};
use crate::time::{BASE_EPOCH, Ts, TsMicros, TsMillis, go_duration, rfc3339_millis, spaced_millis};

/// Every adversarial signal the world sampler implements (see the module docs).
pub const KNOWN_SIGNALS: &[&str] = &[
    "healthy_sibling_replicas",
    "benign_old_warning_event",
    "healthy_pod_with_restart_history",
    "unrelated_failing_workload",
    "misleading_alert_title",
    "datadog_unavailable",
    "events_unavailable",
    "events_expired",
    "no_pod_logs",
    "noisy_error_logs",
    "sigkill_not_oom",
    "cgroup_oom_node_event",
    "legacy_kubelet_messages",
    "create_container_config_error",
    "waiting_state_only",
    "pull_error_in_events_only",
    "sidecar_container",
    "pod_starting",
    "completed_job_pod",
];

/// The sampled world of one scenario.
#[derive(Clone, Debug, Serialize)]
#[expect(
    missing_docs,
    reason = "fields are named after the Kubernetes/Datadog objects they model"
)]
pub struct World {
    pub id: String,
    pub labels: Labels,
    pub engine: String,
    pub cluster: String,
    pub region: String,
    pub account: String,
    pub namespace: String,
    pub workload: Workload,
    pub severity: String,
    pub runtime: String,
    pub pattern: Pattern,
    pub snapshot: Ts,
    pub nodes: Vec<NodeW>,
    pub deployments: Vec<DeploymentW>,
    pub pods: Vec<PodW>,
    pub events: Vec<EventW>,
    pub pod_logs: PodLogsW,
    pub datadog_logs: Vec<DdLog>,
    pub monitors: Vec<MonitorW>,
    pub alert: AlertW,
    pub sources: Sources,
    pub answer: AnswerText,
}

/// The ground truth.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "the answer.yml / scenario.yml label fields")]
pub struct Labels {
    pub mode: FailureMode,
    pub cause: RootCause,
    pub category: Category,
    pub difficulty: u8,
    pub signals: Vec<String>,
    pub exit_code: Option<i32>,
    pub affected_pod: Option<String>,
    pub affected_container: Option<String>,
}

/// The alerted workload.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "self-explanatory")]
pub struct Workload {
    pub kind: String,
    pub name: String,
    pub service: String,
    pub container: String,
    pub replicas: u32,
    pub language: String,
    pub image: String,
    pub tag: String,
}

/// A node with its conditions and capacity.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "Node fields")]
pub struct NodeW {
    pub name: String,
    pub internal_ip: String,
    pub instance_type: String,
    pub arch: String,
    pub zone: String,
    pub nodegroup: String,
    pub kubelet_version: String,
    pub provider_id: String,
    pub ready: String,
    pub memory_pressure: String,
    pub disk_pressure: String,
    pub pid_pressure: String,
    pub memory_reason: String,
    pub capacity_cpu: String,
    pub capacity_memory: String,
    pub allocatable_cpu: String,
    pub allocatable_memory: String,
}

/// Replica counts of a deployment.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "DeploymentStatus fields")]
pub struct DeploymentW {
    pub name: String,
    pub namespace: String,
    pub desired: u32,
    pub ready: u32,
    pub available: u32,
    pub unavailable: u32,
    pub updated: u32,
}

/// A pod.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "Pod fields")]
pub struct PodW {
    pub name: String,
    pub namespace: String,
    pub uid: String,
    pub workload: String,
    pub phase: String,
    pub node: String,
    pub ip: String,
    pub start_time: Ts,
    pub containers: Vec<ContainerW>,
    pub conditions: Vec<CondW>,
}

/// A container status, complete (with `lastState`).
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "ContainerStatus fields")]
pub struct ContainerW {
    pub name: String,
    pub image: String,
    pub image_id: String,
    pub container_id: String,
    pub ready: bool,
    pub started: bool,
    pub restart_count: u32,
    pub state: StateW,
    pub last_state: Option<TermW>,
    pub memory_limit: Option<String>,
}

/// The current state: `running`, `waiting` or `terminated`.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "ContainerState fields")]
pub struct StateW {
    pub kind: String,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub exit_code: Option<i32>,
    pub started_at: Option<Ts>,
    pub finished_at: Option<Ts>,
}

/// A terminated state (current or last).
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "ContainerStateTerminated fields")]
pub struct TermW {
    pub exit_code: i32,
    pub reason: String,
    pub message: Option<String>,
    pub started_at: Ts,
    pub finished_at: Ts,
}

impl StateW {
    /// Waiting with this reason (and message).
    fn waiting(reason: &str, message: Option<String>) -> Self {
        StateW {
            kind: "waiting".into(),
            reason: Some(reason.into()),
            message,
            exit_code: None,
            started_at: None,
            finished_at: None,
        }
    }

    /// Running since `started_at`.
    fn running(started_at: i64) -> Self {
        StateW {
            kind: "running".into(),
            reason: None,
            message: None,
            exit_code: None,
            started_at: Some(Ts(started_at)),
            finished_at: None,
        }
    }

    /// Terminated as `term` says.
    fn terminated(term: &TermW) -> Self {
        StateW {
            kind: "terminated".into(),
            reason: Some(term.reason.clone()),
            message: term.message.clone(),
            exit_code: Some(term.exit_code),
            started_at: Some(term.started_at),
            finished_at: Some(term.finished_at),
        }
    }
}

impl TermW {
    /// A run that ended with this exit code and reason, without a message.
    fn exited(exit_code: i32, reason: &str, started_at: i64, finished_at: i64) -> Self {
        TermW {
            exit_code,
            reason: reason.into(),
            message: None,
            started_at: Ts(started_at),
            finished_at: Ts(finished_at),
        }
    }
}

impl ContainerW {
    /// A container that was never created: no image or container id, not ready, no restarts.
    fn not_started(name: &str, image: &str, state: StateW, memory_limit: Option<String>) -> Self {
        ContainerW {
            name: name.into(),
            image: image.into(),
            image_id: String::new(),
            container_id: String::new(),
            ready: false,
            started: false,
            restart_count: 0,
            state,
            last_state: None,
            memory_limit,
        }
    }
}

/// A pod condition.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "PodCondition fields")]
pub struct CondW {
    pub kind: String,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub last_transition: Ts,
}

/// An event, in kubelet (core/v1) or events.k8s.io/v1 form.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "Event fields")]
pub struct EventW {
    pub namespace: String,
    pub object_kind: String,
    pub object_name: String,
    pub reason: String,
    pub message: String,
    pub kind: String,
    pub count: Option<u32>,
    pub first: Option<Ts>,
    pub last: Option<Ts>,
    pub event_time: Option<TsMicros>,
    pub series_count: Option<u32>,
    pub source_component: String,
    pub source_host: String,
    pub reporting_component: String,
    pub action: String,
}

impl EventW {
    /// When the event was last observed (series or `lastTimestamp`, else `eventTime`), seconds.
    pub fn last_seen(&self) -> i64 {
        self.last
            .or(self.first)
            .map(|t| t.0)
            .or(self.event_time.map(|t| t.0.div_euclid(1_000_000)))
            .unwrap_or(0)
    }
}

/// Logs of the alerted pod's container.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "self-explanatory")]
pub struct PodLogsW {
    pub pod: String,
    pub container: String,
    pub language: String,
    pub lines: Vec<LogLine>,
}

/// One container log line.
#[derive(Clone, Debug, Serialize)]
#[expect(
    missing_docs,
    reason = "the line in every time format a template may need"
)]
pub struct LogLine {
    pub ms: i64,
    pub iso: String,
    pub spaced: String,
    pub level: String,
    pub text: String,
    pub raw: bool,
}

/// A Datadog log record.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "Datadog log attributes")]
pub struct DdLog {
    pub ms: i64,
    pub timestamp: TsMillis,
    pub message: String,
    pub status: String,
    pub service: String,
    pub host: String,
    pub source: String,
    pub tags: Vec<String>,
}

/// A Datadog monitor.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "Datadog monitor fields")]
pub struct MonitorW {
    pub id: u64,
    pub name: String,
    pub kind: String,
    pub query: String,
    pub message: String,
    pub overall_state: String,
    pub tags: Vec<String>,
}

/// The alert that fired.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "alert.json fields")]
pub struct AlertW {
    pub title: String,
    pub state: String,
    pub source: String,
    pub alertname: String,
    pub severity: String,
    pub service: String,
    pub summary: String,
    pub description: String,
    pub error: String,
    pub symptom: String,
    pub pod: String,
    pub node: String,
    pub context_sources: String,
}

/// Whether each evidence source is listed and, if so, whether its tool answered.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "one per evidence file")]
pub struct Sources {
    pub eks_pods: SourceW,
    pub eks_events: SourceW,
    pub eks_deployments: SourceW,
    pub eks_node_health: SourceW,
    pub eks_pod_logs: SourceW,
    pub datadog_logs: SourceW,
    pub datadog_monitors: SourceW,
}

impl Sources {
    /// Names of listed sources, in file order.
    pub fn listed(&self) -> Vec<&'static str> {
        [
            ("eks_pods", &self.eks_pods),
            ("eks_events", &self.eks_events),
            ("eks_deployments", &self.eks_deployments),
            ("eks_node_health", &self.eks_node_health),
            ("eks_pod_logs", &self.eks_pod_logs),
            ("datadog_logs", &self.datadog_logs),
            ("datadog_monitors", &self.datadog_monitors),
        ]
        .into_iter()
        .filter(|(_, s)| s.listed)
        .map(|(n, _)| n)
        .collect()
    }
}

/// One source's availability.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SourceW {
    /// Listed in `available_evidence`.
    pub listed: bool,
    /// The tool's error, when it did not answer.
    pub error: Option<String>,
}

impl SourceW {
    fn ok() -> Self {
        SourceW {
            listed: true,
            error: None,
        }
    }
    /// Listed and answered.
    pub fn available(&self) -> bool {
        self.listed && self.error.is_none()
    }
}

/// The reference answer's text, rendered from the spec.
#[derive(Clone, Debug, Serialize)]
#[expect(missing_docs, reason = "model_response sections")]
pub struct AnswerText {
    pub root_cause: String,
    pub claims: Vec<String>,
    pub non_validated: Vec<String>,
    pub chain: Vec<String>,
    pub keywords: Vec<String>,
}

/// The weights of root causes to draw from.
#[derive(Clone, Debug, PartialEq)]
pub struct Mix(pub Vec<(RootCause, u32)>);

/// The scenario RNG: ChaCha12 seeded from SHA-256 of (seed, index), so every scenario's
/// randomness is independent of the others and of the thread that renders it.
pub fn scenario_rng(seed: u64, index: u64) -> ChaCha12Rng {
    let mut h = Sha256::new();
    h.update(b"triagebench-generator/v1\0");
    h.update(seed.to_le_bytes());
    h.update(index.to_le_bytes());
    let digest = h.finalize();
    let mut key = [0u8; 32];
    key.copy_from_slice(&digest[..32]);
    ChaCha12Rng::from_seed(key)
}

const K8S_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn weighted_index<R: Rng>(rng: &mut R, weights: impl Iterator<Item = u32> + Clone) -> usize {
    let total: u64 = weights.clone().map(u64::from).sum();
    if total == 0 {
        return 0;
    }
    let mut x = rng.random_range(0..total);
    for (i, w) in weights.enumerate() {
        if x < u64::from(w) {
            return i;
        }
        x -= u64::from(w);
    }
    0
}

fn pick<'a, R: Rng, T>(rng: &mut R, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn pick_w<'a, R: Rng, T>(rng: &mut R, items: &'a [Weighted<T>]) -> &'a T {
    items[weighted_index(rng, items.iter().map(Weighted::weight))].value()
}

fn k8s_suffix<R: Rng>(rng: &mut R, n: usize) -> String {
    (0..n)
        .map(|_| K8S_ALPHABET[rng.random_range(0..K8S_ALPHABET.len())] as char)
        .collect()
}

fn hex<R: Rng>(rng: &mut R, n: usize) -> String {
    const H: &[u8] = b"0123456789abcdef";
    (0..n).map(|_| H[rng.random_range(0..16)] as char).collect()
}

/// Hex that never spells a loaded word (image tags are names a reader sees).
fn neutral_hex<R: Rng>(rng: &mut R, n: usize) -> String {
    loop {
        let h = hex(rng, n);
        if !h.contains("bad") && !h.contains("dead") {
            return h;
        }
    }
}

fn uuid<R: Rng>(rng: &mut R) -> String {
    format!(
        "{}-{}-4{}-{}{}-{}",
        hex(rng, 8),
        hex(rng, 4),
        hex(rng, 3),
        pick(rng, &['8', '9', 'a', 'b']),
        hex(rng, 3),
        hex(rng, 12)
    )
}

/// Variables the spec strings are rendered with.
#[derive(Default)]
struct Vars {
    map: BTreeMap<String, Value>,
    cached: Option<Value>,
}

impl Vars {
    fn set(&mut self, k: &str, v: impl Into<Value>) {
        self.map.insert(k.to_owned(), v.into());
        self.cached = None;
    }
    fn ctx(&mut self) -> Value {
        if self.cached.is_none() {
            self.cached = Some(Value::from(self.map.clone()));
        }
        self.cached.clone().unwrap_or_default()
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
    backoff: &crate::spec::Backoff,
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

fn simulate_pull<R: Rng>(
    rng: &mut R,
    t0: i64,
    span: i64,
    backoff: &crate::spec::Backoff,
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

struct Names {
    runtime: String,
}

/// Samples the world of scenario `index` of a corpus with this seed and mix.
pub fn sample_world(
    t: &Templates,
    mix: &Mix,
    seed: u64,
    index: u64,
    id: &str,
) -> Result<World, GenError> {
    let mut rng = scenario_rng(seed, index);
    let cause = mix.0[weighted_index(&mut rng, mix.0.iter().map(|(_, w)| *w))].0;
    let spec = t.cause(cause).ok_or_else(|| GenError::Spec {
        file: t.dir.join(crate::spec::SPEC_FILE).display().to_string(),
        field: format!("causes.{cause}"),
        message: "the mix asks for this cause but the spec does not define it".into(),
    })?;
    let difficulty = weighted_index(&mut rng, t.spec.difficulty_weights.iter().copied()) as u8;
    let mut b = Builder::new(t, spec, cause, difficulty, rng, id);
    b.build()
}

struct Builder<'a> {
    t: &'a Templates,
    spec: &'a CauseSpec,
    cause: RootCause,
    difficulty: u8,
    rng: ChaCha12Rng,
    vars: Vars,
    signals: Vec<String>,
    id: String,
}

impl<'a> Builder<'a> {
    fn new(
        t: &'a Templates,
        spec: &'a CauseSpec,
        cause: RootCause,
        difficulty: u8,
        rng: ChaCha12Rng,
        id: &str,
    ) -> Self {
        Builder {
            t,
            spec,
            cause,
            difficulty,
            rng,
            vars: Vars::default(),
            signals: Vec::new(),
            id: id.to_owned(),
        }
    }

    fn has(&self, s: &str) -> bool {
        self.signals.iter().any(|x| x == s)
    }

    fn expand(&mut self, source: &str) -> Result<String, GenError> {
        let ctx = self.vars.ctx();
        self.t.expand(source, &ctx)
    }

    /// A steady-state log line of the service: (level, text).
    fn steady_line(&mut self) -> Result<(String, String), GenError> {
        let (level, text) = pick(&mut self.rng, &self.t.spec.steady).clone();
        Ok((level, self.expand(&text)?))
    }

    /// Expands a spec string as another service of the namespace would print it.
    fn expand_as(&mut self, source: &str, service: &str) -> Result<String, GenError> {
        let own = self.vars.map.get("service").cloned();
        self.vars.set("service", service);
        let out = self.expand(source);
        if let Some(own) = own {
            self.vars.set("service", own);
        }
        out
    }

    fn choose_signals(&mut self, presentation_signal: Option<&str>) {
        let tier = self.difficulty;
        let want = self.t.spec.signals_per_tier[usize::from(tier)] as usize;
        let cause = self.cause.as_str();
        let mut eligible: Vec<(&String, u32)> = self
            .t
            .spec
            .signals
            .iter()
            .filter(|(_, r)| r.min_tier <= tier && r.weight > 0 && r.applies_to(cause))
            .map(|(n, r)| (n, r.weight))
            .collect();
        for _ in 0..want {
            if eligible.is_empty() {
                break;
            }
            let i = weighted_index(&mut self.rng, eligible.iter().map(|(_, w)| *w));
            let (name, _) = eligible.remove(i);
            self.signals.push(name.clone());
        }
        if let Some(s) = presentation_signal {
            self.signals.push(s.to_owned());
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one linear story: names, nodes, pods, events, logs, alert"
    )]
    fn build(&mut self) -> Result<World, GenError> {
        let t = self.t;
        let vocab = &t.vocab;
        let mode = self.cause.mode();
        let pres = &self.spec.presentations[weighted_index(
            &mut self.rng,
            self.spec.presentations.iter().map(|p| p.weight),
        )];
        let pattern = pres.pattern;
        self.choose_signals(pres.signal.as_deref());
        let tier = self.difficulty;

        // --- Names -----------------------------------------------------------------------
        let region = pick(&mut self.rng, &vocab.regions).clone();
        let cluster = format!(
            "{}-{}-{}",
            pick(&mut self.rng, &vocab.clusters.prefixes),
            pick(&mut self.rng, &vocab.clusters.envs),
            region
                .name
                .replace('-', "")
                .replace("east", "e")
                .replace("west", "w")
                .replace("central", "c")
                .replace("southeast", "se")
        );
        let account: String = (0..12)
            .map(|i| {
                if i == 0 {
                    char::from(b'1' + self.rng.random_range(0..9u8))
                } else {
                    char::from(b'0' + self.rng.random_range(0..10u8))
                }
            })
            .collect();
        let namespace = pick(&mut self.rng, &vocab.namespaces).clone();
        let mut services: Vec<String> = Vec::new();
        let n_services = self.rng.random_range(3..=5usize);
        while services.len() < n_services {
            let stem = pick(&mut self.rng, &vocab.service_stems).clone();
            let name = if self.rng.random_bool(0.8) {
                format!("{stem}-{}", pick(&mut self.rng, &vocab.service_suffixes))
            } else {
                stem
            };
            if !services.contains(&name) {
                services.push(name);
            }
        }
        let service = services[0].clone();
        let language = pick(&mut self.rng, &vocab.languages).clone();
        let runtime = pick_w(&mut self.rng, &t.spec.runtimes).clone();
        let runtime = if self.has("legacy_kubelet_messages") && self.rng.random_bool(0.5) {
            "docker".to_owned()
        } else {
            runtime
        };
        let names = Names {
            runtime: runtime.clone(),
        };
        let container = match self.rng.random_range(0..10) {
            0..=5 => service.clone(),
            6 => "app".to_owned(),
            7 => "main".to_owned(),
            8 => "server".to_owned(),
            _ => service.split('-').next().unwrap_or("app").to_owned(),
        };

        // Registry and image.
        let forced_kind = pres.registry_kind.clone();
        let registry = match &forced_kind {
            Some(k) => vocab
                .registries
                .iter()
                .find(|r| &r.kind == k)
                .cloned()
                .unwrap_or_else(|| vocab.registries[0].clone()),
            None => pick(&mut self.rng, &vocab.registries).clone(),
        };
        let org = pick(&mut self.rng, &vocab.orgs).clone();
        let team = pick(&mut self.rng, &vocab.teams).clone();
        let company = pick(&mut self.rng, &vocab.companies).clone();
        let registry_host = registry
            .host
            .replace("{account}", &account)
            .replace("{region}", &region.name)
            .replace("{company}", &company);
        let repo = if registry.org_style == "team" {
            format!("{team}/{service}")
        } else {
            format!("{org}/{service}")
        };
        let make_tag = |rng: &mut ChaCha12Rng| -> String {
            let style = pick(rng, &vocab.tag_styles).clone();
            style
                .replace("{major}", &rng.random_range(0..4).to_string())
                .replace("{minor}", &rng.random_range(0..40).to_string())
                .replace("{patch}", &rng.random_range(0..20).to_string())
                .replace("{sha7}", &neutral_hex(rng, 7))
                .replace("{build}", &rng.random_range(100..9000).to_string())
                .replace("{year}", "2026")
                .replace("{month}", &format!("{:02}", rng.random_range(1..4)))
        };
        let tag = make_tag(&mut self.rng);
        let old_tag = make_tag(&mut self.rng);
        let image_repo = if registry.kind == "dockerhub" {
            repo.clone()
        } else {
            format!("{registry_host}/{repo}")
        };
        let image_full_repo = if registry.kind == "dockerhub" {
            format!("docker.io/{repo}")
        } else {
            image_repo.clone()
        };
        let mut image = format!("{image_repo}:{tag}");
        // Where the namespace's other images live: the registry path without the repository.
        let image_repo_base = image_repo
            .rsplit_once('/')
            .map(|(a, _)| a.to_owned())
            .unwrap_or_default();
        let image_full = format!("{image_full_repo}:{tag}");
        let dep = pick(&mut self.rng, &vocab.dependencies).clone();
        let dep_host = format!(
            "{}-{}.{}.svc.cluster.local",
            dep.host_stem,
            pick(&mut self.rng, &["primary", "main", "0", "rw", "svc"]),
            namespace
        );
        let dep_ip = format!(
            "10.{}.{}.{}",
            self.rng.random_range(0..4) * 16,
            self.rng.random_range(0..255),
            self.rng.random_range(2..250)
        );
        let binary = pick(&mut self.rng, &vocab.binaries).clone();
        let binary_path = format!(
            "{}/{binary}",
            pick(
                &mut self.rng,
                &["/app", "/usr/local/bin", "/opt/app/bin", "/srv"]
            )
        );
        let process = match language.as_str() {
            "java" => "java".to_owned(),
            "python" => "python3".to_owned(),
            "node" => "node".to_owned(),
            _ => binary.clone(),
        };
        let pid = self.rng.random_range(1200..48000i64);
        let mem_limit_mi: i64 = *pick(&mut self.rng, &[256, 384, 512, 768, 1024, 1536, 2048, 4096]);
        let mem_limit = if mem_limit_mi >= 1024 && mem_limit_mi % 1024 == 0 {
            format!("{}Gi", mem_limit_mi / 1024)
        } else {
            format!("{mem_limit_mi}Mi")
        };
        let limit_kb = mem_limit_mi * 1024;
        let node_oom_rss = self.rng.random_range(3_000_000..12_000_000i64);
        let rss_kb = if self.cause == RootCause::NodeOom {
            node_oom_rss
        } else {
            limit_kb - self.rng.random_range(200..4000)
        };
        let total_vm_kb = rss_kb + self.rng.random_range(400_000..3_000_000i64);
        let config_key = pick(&mut self.rng, &vocab.config_keys).clone();
        let config_name = format!(
            "{service}-{}",
            pick(&mut self.rng, &["config", "settings", "env", "conf"])
        );
        let secret_name = format!(
            "{service}-{}",
            pick(
                &mut self.rng,
                &["secrets", "credentials", "db", "tokens", "keys"]
            )
        );
        let addr = hex(&mut self.rng, 16);
        let pc = format!(
            "{:012x}",
            self.rng.random_range(0x40_0000u64..0x7fff_ffff_ffff)
        );
        let dns_ip = format!("10.{}.0.2", self.rng.random_range(0..4) * 16);
        let workload_kind = if self.rng.random_range(0..100) < 88 {
            "deployment"
        } else {
            "statefulset"
        };

        {
            let v = &mut self.vars;
            v.set("service", service.clone());
            v.set("workload", service.clone());
            v.set("namespace", namespace.clone());
            v.set("container", container.clone());
            v.set("image", image.clone());
            v.set("image_full", image_full.clone());
            v.set("image_repo", image_repo.clone());
            v.set(
                "registry",
                if registry.kind == "dockerhub" {
                    "registry-1.docker.io".to_owned()
                } else {
                    registry_host.clone()
                },
            );
            v.set("repo", repo.clone());
            v.set(
                "image_registry",
                if registry.kind == "dockerhub" {
                    "docker.io".to_owned()
                } else {
                    registry_host.clone()
                },
            );
            v.set("tag", tag.clone());
            v.set("language", language.clone());
            v.set("dep_kind", dep.kind.clone());
            v.set("dep_host", dep_host.clone());
            v.set("dep_port", i64::from(dep.port));
            v.set("dep_ip", dep_ip.clone());
            v.set("config_key", config_key.clone());
            v.set("config_name", config_name.clone());
            v.set("secret_name", secret_name.clone());
            v.set("binary", binary.clone());
            v.set("binary_path", binary_path.clone());
            v.set("process", process.clone());
            v.set("pid", pid);
            v.set("mem_limit", mem_limit.clone());
            v.set("mem_limit_kb", limit_kb);
            v.set("rss_kb", rss_kb);
            v.set("total_vm_kb", total_vm_kb);
            v.set("dns_ip", dns_ip.clone());
            v.set("addr", addr.clone());
            v.set("pc", pc.clone());
            v.set("cluster", cluster.clone());
            v.set("region", region.name.clone());
            v.set("account", account.clone());
            v.set("org", org.clone());
            v.set(
                "pattern",
                match pattern {
                    Pattern::Healthy => "healthy",
                    Pattern::CrashLoop => "crash_loop",
                    Pattern::ConfigError => "config_error",
                    Pattern::ImagePull => "image_pull",
                    Pattern::InvalidImage => "invalid_image",
                },
            );
        }

        // Observability that exists in some clusters only: the Datadog agent collecting the
        // kernel log (it does not by default), and a memory monitor on the service.
        let kernel_collected = self.rng.random_bool(0.6);
        let memory_monitor = self.rng.random_bool(0.7);

        // --- Time --------------------------------------------------------------------------
        let snapshot_guess = BASE_EPOCH + self.rng.random_range(0..60 * 86_400i64);
        let backoff = t.spec.backoff;

        // --- Nodes -------------------------------------------------------------------------
        let n_nodes = self.rng.random_range(3..=6usize);
        let ng = pick(&mut self.rng, &vocab.nodegroups).clone();
        let it_main = pick(&mut self.rng, &vocab.instance_types).clone();
        let kubelet = pick(&mut self.rng, &vocab.kubelet_versions).clone();
        let mut nodes = Vec::new();
        let second = self.rng.random_range(0..4) * 16;
        for i in 0..n_nodes {
            let zone = region.zones[i % region.zones.len()].clone();
            // One block of the third octet per node (at most 6 nodes): names never collide.
            let ip = format!(
                "10.{}.{}.{}",
                second,
                i * 40 + self.rng.random_range(0..31usize),
                self.rng.random_range(4..250)
            );
            let name = format!("ip-{}.{}", ip.replace('.', "-"), region.dns);
            nodes.push(NodeW {
                name,
                internal_ip: ip,
                instance_type: it_main.name.clone(),
                arch: it_main.arch.clone(),
                zone: zone.clone(),
                nodegroup: ng.clone(),
                kubelet_version: kubelet.clone(),
                provider_id: format!("aws:///{zone}/i-0{}", hex(&mut self.rng, 16)),
                ready: "True".into(),
                memory_pressure: "False".into(),
                disk_pressure: "False".into(),
                pid_pressure: "False".into(),
                memory_reason: "KubeletHasSufficientMemory".into(),
                capacity_cpu: it_main.cpu.clone(),
                capacity_memory: it_main.memory.clone(),
                allocatable_cpu: it_main.alloc_cpu.clone(),
                allocatable_memory: it_main.alloc_memory.clone(),
            });
        }
        let target_node = self.rng.random_range(0..n_nodes);
        self.vars.set("node", nodes[target_node].name.clone());
        self.vars.set("arch", nodes[target_node].arch.clone());

        // --- The failing container's timeline --------------------------------------------
        let rs_hash = k8s_suffix(&mut self.rng, 10);
        let old_len = if self.rng.random_bool(0.5) { 9 } else { 10 };
        let old_rs_hash = k8s_suffix(&mut self.rng, old_len);
        let siblings = self.has("healthy_sibling_replicas");
        let replicas: u32 = if mode == FailureMode::Healthy {
            self.rng.random_range(1..=4)
        } else if siblings {
            self.rng.random_range(2..=4)
        } else {
            1
        };
        let pod_name = |rng: &mut ChaCha12Rng, i: u32, hash: &str| -> String {
            if workload_kind == "statefulset" {
                format!("{service}-{i}")
            } else {
                format!("{service}-{hash}-{}", k8s_suffix(rng, 5))
            }
        };
        let target_pod = pod_name(&mut self.rng, if siblings { replicas } else { 0 }, &rs_hash);
        let target_uid = uuid(&mut self.rng);
        self.vars.set("pod", target_pod.clone());
        self.vars.set("uid", target_uid.clone());
        let legacy = self.has("legacy_kubelet_messages");

        let mut events: Vec<EventW> = Vec::new();
        let mut pod_lines: Vec<LogLine> = Vec::new();
        let mut datadog: Vec<DdLog> = Vec::new();
        let mut exit_code: Option<i32> = None;
        let mut reason_label = String::new();
        let mut config_message = String::new();
        let mut missing_ref = String::new();
        let mut restart_count = 0u32;
        let snapshot: i64;
        let target: PodW;
        let tags_for = |pod: &str, svc: &str, ctr: &str, tg: &str| -> Vec<String> {
            vec![
                format!("kube_namespace:{namespace}"),
                format!("kube_deployment:{svc}"),
                format!("pod_name:{pod}"),
                format!("kube_container_name:{ctr}"),
                format!("image_tag:{tg}"),
                format!("kube_cluster_name:{cluster}"),
                "env:prod".to_owned(),
            ]
        };
        let target_tags = tags_for(&target_pod, &service, &container, &tag);
        let node_name = nodes[target_node].name.clone();
        let memory_limit = match self.spec.memory_limit.as_deref() {
            Some("none") => None,
            Some("required") => Some(mem_limit.clone()),
            _ => {
                if self.rng.random_bool(0.8) {
                    Some(mem_limit.clone())
                } else {
                    None
                }
            }
        };

        // A running pod of the alerted workload.
        let workload_pod = |rng: &mut ChaCha12Rng,
                            name: &str,
                            uid: &str,
                            image: &str,
                            node: &NodeW,
                            start: i64| {
            running_pod(
                rng,
                name,
                uid,
                &namespace,
                &service,
                &container,
                image,
                &image_full_repo,
                node,
                start,
                memory_limit.clone(),
                &names,
            )
        };
        let on_target = Involved::pod(&namespace, &target_pod, &node_name);
        let on_target_pod = PodMeta {
            name: &target_pod,
            namespace: &namespace,
            uid: &target_uid,
            workload: &service,
            node: &node_name,
        };
        match pattern {
            Pattern::CrashLoop => {
                let term: Termination = {
                    let runtime = names.runtime.clone();
                    let fits: Vec<Weighted<Termination>> = self
                        .spec
                        .terminations
                        .iter()
                        .filter(|w| w.value().runtime.as_ref().is_none_or(|r| *r == runtime))
                        .cloned()
                        .collect();
                    let list = if fits.is_empty() {
                        self.spec.terminations.clone()
                    } else {
                        fits
                    };
                    pick_w(&mut self.rng, &list).clone()
                };
                exit_code = Some(term.exit_code);
                reason_label.clone_from(&term.reason);
                // Waiting (in back-off) vs the brief terminated moment. Tier 0 shows the exit code.
                let mut terminated_now = if tier == 0 {
                    self.rng.random_bool(0.7)
                } else {
                    self.rng.random_bool(0.12)
                };
                let run = self.spec.run_seconds.unwrap_or((1, 30));
                // Span of the loop: minutes to hours.
                let span = *pick(
                    &mut self.rng,
                    &[240i64, 600, 1200, 2400, 3600, 7200, 14_400, 28_800],
                ) + self.rng.random_range(0..600);
                // Missing evidence must never remove every source that carries the cause.
                let logs_carry = !term.never_started
                    && self
                        .spec
                        .tails
                        .iter()
                        .any(|tl| tl.when_log_only == term.log_only);
                let pod_logs_ok = !self.has("no_pod_logs");
                let dd_ok = !self.has("datadog_unavailable");
                let events_ok = !self.has("events_unavailable");
                let carried = if matches!(self.cause, RootCause::ContainerOom | RootCause::NodeOom)
                {
                    (dd_ok
                        && (kernel_collected
                            || memory_monitor && self.cause == RootCause::ContainerOom))
                        || (self.cause == RootCause::NodeOom && events_ok)
                        || (self.has("cgroup_oom_node_event") && events_ok)
                        || !self.has("misleading_alert_title")
                } else if term.never_started || term.message.is_some() {
                    events_ok
                } else {
                    logs_carry && (pod_logs_ok || dd_ok)
                };
                if !carried {
                    terminated_now = true;
                }
                if !terminated_now {
                    self.signals.push("waiting_state_only".into());
                }
                let start = snapshot_guess - span;
                let lp = simulate_loop(&mut self.rng, start, span, run, &backoff, terminated_now);
                snapshot = lp.snapshot;
                restart_count = lp.restarts();
                let term_msg = match &term.message {
                    Some(m) => Some(self.expand(m)?),
                    None => None,
                };
                let mk_term = |run: (i64, i64)| TermW {
                    exit_code: term.exit_code,
                    reason: term.reason.clone(),
                    message: term_msg.clone(),
                    started_at: Ts(if term.never_started { 0 } else { run.0 }),
                    finished_at: Ts(run.1),
                };
                let last = *lp.runs.last().unwrap_or(&(start, start));
                let (state, last_state) = if lp.terminated_now {
                    let prev = if lp.runs.len() >= 2 {
                        Some(mk_term(lp.runs[lp.runs.len() - 2]))
                    } else {
                        None
                    };
                    (StateW::terminated(&mk_term(last)), prev)
                } else {
                    let delay = *lp.delays.last().unwrap_or(&10);
                    let msg = crash_loop_message(
                        legacy,
                        delay,
                        &container,
                        &target_pod,
                        &namespace,
                        &target_uid,
                    );
                    (
                        StateW::waiting("CrashLoopBackOff", Some(msg)),
                        Some(mk_term(last)),
                    )
                };
                let pod_start = start - self.rng.random_range(3..20);
                // Events: Scheduled (events.k8s.io form), Pulled/Created/Started per run, BackOff.
                let (bo_count, bo_first, bo_last) = lp.backoff_events(backoff.sync_seconds);
                events.push(on_target.scheduled(&mut self.rng, pod_start));
                let n_runs = lp.runs.len() as u32;
                let first_start = lp.runs[0].0;
                events.push(on_target.event(
                    "Pulled",
                    &format!("Container image \"{image}\" already present on machine"),
                    "Normal",
                    n_runs,
                    first_start - 1,
                    last.0 - 1,
                ));
                events.push(on_target.event(
                    "Created",
                    &format!("Created container {container}"),
                    "Normal",
                    n_runs,
                    first_start,
                    last.0,
                ));
                let (reason, m, ty) = if term.never_started || term.message.is_some() {
                    let m = format!("Error: {}", term_msg.clone().unwrap_or_default());
                    ("Failed", m, "Warning")
                } else {
                    (
                        "Started",
                        format!("Started container {container}"),
                        "Normal",
                    )
                };
                events.push(on_target.event(reason, &m, ty, n_runs, first_start, last.0));
                if bo_count > 0 {
                    let m = if legacy {
                        "Back-off restarting failed container".to_owned()
                    } else {
                        restart_backoff_event(&container, &target_pod, &namespace, &target_uid)
                    };
                    let m = if bo_count > 50 && self.rng.random_bool(0.3) {
                        format!("(combined from similar events): {m}")
                    } else {
                        m
                    };
                    events.push(
                        on_target.event("BackOff", &m, "Warning", bo_count, bo_first, bo_last),
                    );
                }
                // Logs of the runs: start-up lines then the cause's tail (or steady lines for OOMs).
                let tails: Vec<_> = self
                    .spec
                    .tails
                    .iter()
                    .filter(|tl| {
                        tl.when_log_only == term.log_only
                            && (tl.lang.is_empty() || tl.lang.contains(&language))
                    })
                    .cloned()
                    .collect();
                let tail = if tails.is_empty() {
                    None
                } else {
                    Some(tails[self.rng.random_range(0..tails.len())].clone())
                };
                let startup = t.spec.startup.get(&language).cloned().unwrap_or_default();
                let shown_runs: Vec<(i64, i64)> =
                    lp.runs.iter().rev().take(3).rev().copied().collect();
                for (ri, (rs, rc)) in shown_runs.iter().enumerate() {
                    if term.never_started {
                        break;
                    }
                    // Start-up lines in the first second, steady lines across the run, the
                    // tail in the last moments before the crash; times never go backwards.
                    let (start_ms, crash_ms) = (rs * 1000, rc * 1000);
                    let mut lines: Vec<(i64, String, String)> = Vec::new();
                    if !term.log_only && self.spec.app_starts {
                        let mut at = start_ms + self.rng.random_range(80..400);
                        for (lvl, text) in &startup {
                            lines.push((at, lvl.clone(), self.expand(text)?));
                            at += self.rng.random_range(20..350);
                        }
                    }
                    if matches!(self.cause, RootCause::ContainerOom | RootCause::NodeOom) {
                        let k = self.rng.random_range(1..4i64);
                        for j in 0..k {
                            let (lvl, text) = self.steady_line()?;
                            let at = start_ms + (crash_ms - start_ms) * (j + 1) / (k + 2);
                            lines.push((at, lvl, text));
                        }
                    }
                    if let Some(tail) = &tail {
                        let n = tail.lines.len() as i64;
                        for (j, (lvl, text)) in tail.lines.iter().enumerate() {
                            let back = if matches!(
                                self.cause,
                                RootCause::ContainerOom | RootCause::NodeOom
                            ) {
                                (n - j as i64) * 900 + 400
                            } else {
                                (n - j as i64) * 3 + 20
                            };
                            lines.push((crash_ms - back, lvl.clone(), self.expand(text)?));
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
                let kernel = match self.cause {
                    RootCause::ContainerOom => self.spec.kernel_cgroup.clone(),
                    RootCause::NodeOom => self.spec.kernel_global.clone(),
                    _ => None,
                };
                if let Some(k) = kernel {
                    for (ri, (_, rc)) in shown_runs.iter().enumerate().filter(|_| kernel_collected)
                    {
                        self.vars.set("pid", pid + ri as i64 * 131);
                        let text = self.expand(&k)?;
                        datadog.push(DdLog {
                            ms: rc * 1000 - 3,
                            timestamp: TsMillis(rc * 1000 - 3),
                            message: text,
                            status: "error".into(),
                            service: "kernel".into(),
                            host: node_name.clone(),
                            source: "kernel".into(),
                            tags: vec![
                                format!("kube_cluster_name:{cluster}"),
                                format!("host:{node_name}"),
                                "source:kernel".into(),
                            ],
                        });
                    }
                    self.vars.set("pid", pid);
                    let npd = self.cause == RootCause::NodeOom || self.has("cgroup_oom_node_event");
                    if npd {
                        for (ri, (_, rc)) in shown_runs.iter().enumerate().rev().take(2) {
                            self.vars.set("pid", pid + ri as i64 * 131);
                            let text = self.expand(&k)?;
                            events.push(EventW {
                                namespace: "default".into(),
                                object_kind: "Node".into(),
                                object_name: node_name.clone(),
                                reason: "OOMKilling".into(),
                                message: text,
                                kind: "Warning".into(),
                                count: Some(1),
                                first: Some(Ts(*rc)),
                                last: Some(Ts(*rc)),
                                event_time: None,
                                series_count: None,
                                source_component: "kernel-monitor".into(),
                                source_host: node_name.clone(),
                                reporting_component: String::new(),
                                action: String::new(),
                            });
                        }
                        self.vars.set("pid", pid);
                    }
                }
                if self.spec.node_pressure {
                    let n = &mut nodes[target_node];
                    n.memory_pressure = "True".into();
                    n.memory_reason = "KubeletHasInsufficientMemory".into();
                    events.push(Involved::node(&node_name).event(
                        "NodeHasInsufficientMemory",
                        &format!("Node {node_name} status is now: NodeHasInsufficientMemory"),
                        "Normal",
                        1,
                        start - 30,
                        start - 30,
                    ));
                    if self.rng.random_bool(0.6) {
                        let count = self.rng.random_range(1..6);
                        let last = snapshot - self.rng.random_range(30..300);
                        events.push(Involved::node(&node_name).event(
                            "EvictionThresholdMet",
                            "Attempting to reclaim memory",
                            "Warning",
                            count,
                            start - 20,
                            last,
                        ));
                    }
                }
                target = on_target_pod.pod(
                    "Running",
                    pod_ip(&mut self.rng, &nodes[target_node].internal_ip),
                    pod_start,
                    ContainerW {
                        name: container.clone(),
                        image: image.clone(),
                        image_id: format!("{image_full_repo}@sha256:{}", hex(&mut self.rng, 64)),
                        container_id: container_id(&mut self.rng, &names),
                        ready: false,
                        started: false,
                        restart_count,
                        state,
                        last_state,
                        memory_limit: memory_limit.clone(),
                    },
                    unready_conditions(pod_start, &container, Some(last.1)),
                );
            }
            Pattern::ConfigError => {
                let msg = {
                    let src = pick_w(&mut self.rng, &self.spec.config_errors).clone();
                    self.expand(&src)?
                };
                config_message.clone_from(&msg);
                missing_ref.clone_from(&msg);
                reason_label = "CreateContainerConfigError".into();
                let span = self.rng.random_range(300..14_400i64);
                let start = snapshot_guess - span;
                snapshot = snapshot_guess;
                let count = (span / backoff.sync_seconds).max(1) as u32;
                events.push(on_target.scheduled(&mut self.rng, start));
                events.push(on_target.event(
                    "Pulled",
                    &format!("Container image \"{image}\" already present on machine"),
                    "Normal",
                    count,
                    start + 2,
                    snapshot - 3,
                ));
                events.push(on_target.event(
                    "Failed",
                    &format!("Error: {msg}"),
                    "Warning",
                    count,
                    start + 2,
                    snapshot - 3,
                ));
                target = on_target_pod.pending(
                    pod_ip(&mut self.rng, &nodes[target_node].internal_ip),
                    start,
                    ContainerW::not_started(
                        &container,
                        &image,
                        StateW::waiting("CreateContainerConfigError", Some(msg)),
                        memory_limit.clone(),
                    ),
                );
            }
            Pattern::ImagePull | Pattern::InvalidImage => {
                let span = *pick(&mut self.rng, &[300i64, 900, 1800, 3600, 7200, 21_600])
                    + self.rng.random_range(0..300);
                let start = snapshot_guess - span;
                events.push(on_target.scheduled(&mut self.rng, start));
                let state;
                if pattern == Pattern::InvalidImage {
                    let inv: InvalidImage =
                        pick_w(&mut self.rng, &self.spec.invalid_images).clone();
                    image = self.expand(&inv.image)?;
                    self.vars.set("image", image.clone());
                    let msg = format!(
                        "Failed to apply default image tag \"{image}\": couldn't parse image reference \"{image}\": invalid reference format{}",
                        inv.suffix
                    );
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
                    events.push(on_target.event(
                        "Failed",
                        "Error: InvalidImageName",
                        "Warning",
                        count,
                        start + 1,
                        snapshot - 2,
                    ));
                    state = StateW::waiting("InvalidImageName", Some(msg));
                } else {
                    let runtime = names.runtime.clone();
                    let fits: Vec<Weighted<PullError>> = self
                        .spec
                        .pull_errors
                        .iter()
                        .filter(|w| w.value().runtime == runtime)
                        .cloned()
                        .collect();
                    let list = if fits.is_empty() {
                        self.spec.pull_errors.clone()
                    } else {
                        fits
                    };
                    let err = pick_w(&mut self.rng, &list).clone();
                    let text = self.expand(&err.text)?;
                    let events_ok = !self.has("events_unavailable");
                    let err_now = !events_ok
                        || if tier == 0 {
                            self.rng.random_bool(0.6)
                        } else {
                            self.rng.random_bool(0.15)
                        };
                    if !err_now {
                        self.signals.push("pull_error_in_events_only".into());
                    }
                    let pl = simulate_pull(&mut self.rng, start, span, &backoff, err_now);
                    snapshot = pl.snapshot;
                    let n = pl.attempts.len() as u32;
                    let first = pl.attempts[0];
                    let last = *pl.attempts.last().unwrap_or(&first);
                    let mut bo = 0u32;
                    let mut bo_last = first + 3;
                    for (i, a) in pl.attempts.iter().enumerate() {
                        let end = (a + 2 + pl.delays[i]).min(snapshot);
                        if end - (a + 2) >= 1 {
                            let k = ((end - a - 2) / backoff.sync_seconds).max(1) as u32;
                            bo += k;
                            bo_last = bo_last
                                .max(a + 3 + backoff.sync_seconds * i64::from(k - 1))
                                .min(snapshot);
                        }
                    }
                    events.push(on_target.event(
                        "Pulling",
                        &format!("Pulling image \"{image}\""),
                        "Normal",
                        n,
                        first,
                        last,
                    ));
                    events.push(on_target.event(
                        "Failed",
                        &format!("Failed to pull image \"{image}\": {text}"),
                        "Warning",
                        n,
                        first + 1,
                        last + 1,
                    ));
                    events.push(on_target.event(
                        "Failed",
                        "Error: ErrImagePull",
                        "Warning",
                        n,
                        first + 1,
                        last + 1,
                    ));
                    if bo > 0 {
                        events.push(on_target.event(
                            "BackOff",
                            &pull_backoff_message(&image),
                            "Normal",
                            bo,
                            first + 3,
                            bo_last,
                        ));
                        events.push(on_target.event(
                            "Failed",
                            "Error: ImagePullBackOff",
                            "Warning",
                            bo,
                            first + 3,
                            bo_last,
                        ));
                    }
                    (reason_label, state) = if pl.err_now {
                        (
                            "ErrImagePull".into(),
                            StateW::waiting("ErrImagePull", Some(text)),
                        )
                    } else {
                        (
                            "ImagePullBackOff".into(),
                            StateW::waiting("ImagePullBackOff", Some(pull_backoff_message(&image))),
                        )
                    };
                }
                target = on_target_pod.pending(
                    pod_ip(&mut self.rng, &nodes[target_node].internal_ip),
                    start,
                    ContainerW::not_started(&container, &image, state, memory_limit.clone()),
                );
            }
            Pattern::Healthy => {
                snapshot = snapshot_guess;
                let start = snapshot - self.rng.random_range(3_600..40 * 86_400i64);
                events.push(on_target.scheduled(&mut self.rng, start));
                target = workload_pod(
                    &mut self.rng,
                    &target_pod,
                    &target_uid,
                    &image,
                    &nodes[target_node],
                    start,
                );
                let startup = t.spec.startup.get(&language).cloned().unwrap_or_default();
                for (i, (lvl, text)) in startup.iter().enumerate() {
                    let text = self.expand(text)?;
                    pod_lines.push(log_line((start + 2) * 1000 + i as i64 * 137, lvl, text));
                }
                for i in 0..self.rng.random_range(4..9) {
                    let (lvl, text) = self.steady_line()?;
                    let ms = (snapshot - 600 + i * 61) * 1000 + self.rng.random_range(0..900);
                    let line = log_line(ms, &lvl, text);
                    push_dd(&mut datadog, &line, &service, &node_name, &target_tags);
                    pod_lines.push(line);
                }
            }
        }
        self.vars.set("restart_count", i64::from(restart_count));
        self.vars.set("exit_code", exit_code.map_or(0, i64::from));
        self.vars.set("reason", reason_label.clone());
        self.vars.set("config_message", config_message.clone());
        if missing_ref.is_empty() {
            // A crash-loop presentation names the variable or the file in its log tail.
            let file = format!("/etc/{service}/config.yaml");
            missing_ref = if pod_lines.iter().any(|l| l.text.contains(&file)) {
                file
            } else {
                format!("environment variable {config_key}")
            };
        }
        self.vars.set("missing_ref", missing_ref.clone());

        // --- Other pods: siblings of the workload and other workloads ---------------------
        let mut pods = vec![];
        let mut deployments = vec![];
        let mut sibling_count = 0u32;
        if mode == FailureMode::Healthy {
            pods.push(target.clone());
            for i in 1..replicas {
                let n = self.rng.random_range(0..n_nodes);
                let name = pod_name(&mut self.rng, i, &rs_hash);
                let uid = uuid(&mut self.rng);
                let start = snapshot - self.rng.random_range(3_600..30 * 86_400i64);
                pods.push(workload_pod(
                    &mut self.rng,
                    &name,
                    &uid,
                    &image,
                    &nodes[n],
                    start,
                ));
            }
            deployments.push(DeploymentW {
                name: service.clone(),
                namespace: namespace.clone(),
                desired: replicas,
                ready: replicas,
                available: replicas,
                unavailable: 0,
                updated: replicas,
            });
        } else {
            let mut sibs = Vec::new();
            if siblings {
                let old_image = format!("{image_repo}:{old_tag}");
                for i in 0..replicas {
                    let n = if self.spec.node_pressure {
                        (target_node + 1 + i as usize) % n_nodes
                    } else {
                        self.rng.random_range(0..n_nodes)
                    };
                    let hash = if self.spec.node_pressure || workload_kind == "statefulset" {
                        rs_hash.clone()
                    } else {
                        old_rs_hash.clone()
                    };
                    let img = if self.spec.node_pressure
                        || workload_kind == "statefulset"
                        || pattern == Pattern::CrashLoop && self.rng.random_bool(0.3)
                    {
                        image.clone()
                    } else {
                        old_image.clone()
                    };
                    let img = if pattern == Pattern::InvalidImage {
                        old_image.clone()
                    } else {
                        img
                    };
                    let name = pod_name(&mut self.rng, i, &hash);
                    let uid = uuid(&mut self.rng);
                    let start = snapshot - self.rng.random_range(7_200..20 * 86_400i64);
                    sibs.push(workload_pod(
                        &mut self.rng,
                        &name,
                        &uid,
                        &img,
                        &nodes[n],
                        start,
                    ));
                }
                sibling_count = replicas;
                // The Datadog stream shows the siblings serving traffic.
                for s in &sibs {
                    for _ in 0..self.rng.random_range(1..3) {
                        let (lvl, text) = self.steady_line()?;
                        let ms = recent_ms(&mut self.rng, snapshot, 10..900);
                        let line = log_line(ms, &lvl, text);
                        push_dd(
                            &mut datadog,
                            &line,
                            &service,
                            &s.node,
                            &tags_for(&s.name, &service, &container, &old_tag),
                        );
                    }
                }
            }
            pods.push(target.clone());
            pods.extend(sibs);
            let desired = replicas;
            let (ready, unavailable) = if siblings { (sibling_count, 1) } else { (0, 1) };
            deployments.push(DeploymentW {
                name: service.clone(),
                namespace: namespace.clone(),
                desired,
                ready,
                available: ready,
                unavailable: if siblings && desired == ready {
                    1
                } else {
                    desired.saturating_sub(ready).max(unavailable)
                },
                updated: 1,
            });
        }

        // Sidecars: every pod of the workload may carry one; it runs and is ready while the
        // application container fails (the affected container is the app, not the pod).
        if !vocab.sidecars.is_empty() && self.rng.random_bool(0.3) {
            let sc = pick(&mut self.rng, &vocab.sidecars).clone();
            if sc.name != container {
                self.signals.push("sidecar_container".into());
                for p in pods.iter_mut().filter(|p| p.workload == service) {
                    let started = p.start_time.0 + self.rng.random_range(1..6);
                    let repo = sc
                        .image
                        .rsplit_once(':')
                        .map_or_else(|| sc.image.clone(), |(r, _)| r.to_owned());
                    p.containers.push(ContainerW {
                        name: sc.name.clone(),
                        image: sc.image.clone(),
                        image_id: format!("{repo}@sha256:{}", hex(&mut self.rng, 64)),
                        container_id: container_id(&mut self.rng, &names),
                        ready: true,
                        started: true,
                        restart_count: 0,
                        state: StateW::running(started.min(snapshot)),
                        last_state: None,
                        memory_limit: Some("128Mi".into()),
                    });
                }
            }
        }

        // The deployments tool lists Deployments only: a StatefulSet is not in it.
        if workload_kind != "deployment" {
            deployments.retain(|d| d.name != service);
        }

        // Other workloads of the namespace.
        let unrelated_failing = self.has("unrelated_failing_workload");
        for (wi, other) in services.iter().enumerate().skip(1) {
            let other_replicas = self.rng.random_range(1..=3u32);
            let other_container = other.clone();
            let other_tag = make_tag(&mut self.rng);
            let other_image = if self.rng.random_bool(0.2) {
                pick(&mut self.rng, &vocab.third_party_images).clone()
            } else {
                format!("{image_repo_base}/{other}:{other_tag}")
            };
            let hash = k8s_suffix(&mut self.rng, 10);
            let failing_here = unrelated_failing && wi == 1;
            let mut ready = other_replicas;
            for i in 0..other_replicas {
                let n = self.rng.random_range(0..n_nodes);
                let name = format!("{other}-{hash}-{}", k8s_suffix(&mut self.rng, 5));
                let uid = uuid(&mut self.rng);
                let start = snapshot - self.rng.random_range(3_600..25 * 86_400i64);
                if failing_here && i == 0 {
                    ready -= 1;
                    let p = self.unrelated_failure(
                        &name,
                        &uid,
                        &namespace,
                        other,
                        &other_container,
                        &other_image,
                        &nodes[n],
                        snapshot,
                        pattern,
                        &mut events,
                        legacy,
                    )?;
                    pods.push(p);
                    continue;
                }
                let mut p = running_pod(
                    &mut self.rng,
                    &name,
                    &uid,
                    &namespace,
                    other,
                    &other_container,
                    &other_image,
                    &image_full_repo,
                    &nodes[n],
                    start,
                    None,
                    &names,
                );
                if p.containers[0].restart_count == 0 && self.rng.random_bool(0.15) {
                    p.containers[0].restart_count = self.rng.random_range(1..4);
                    let fin = snapshot - self.rng.random_range(86_400..10 * 86_400i64);
                    p.containers[0].last_state = Some(TermW::exited(
                        143,
                        "Error",
                        fin - self.rng.random_range(3_600..86_400),
                        fin,
                    ));
                    p.containers[0].state.started_at = Some(Ts(fin + 1));
                }
                pods.push(p);
            }
            deployments.push(DeploymentW {
                name: other.clone(),
                namespace: namespace.clone(),
                desired: other_replicas,
                ready,
                available: ready,
                unavailable: other_replicas - ready,
                updated: other_replicas,
            });
            // Other services log too, from their running pods.
            let running: Vec<(String, String)> = pods
                .iter()
                .filter(|p| p.workload == *other && p.containers[0].ready)
                .map(|p| (p.name.clone(), p.node.clone()))
                .collect();
            for _ in 0..self.rng.random_range(1..4) {
                if running.is_empty() {
                    break;
                }
                let (pod, host) = running[self.rng.random_range(0..running.len())].clone();
                let (lvl, text) = pick(&mut self.rng, &t.spec.steady).clone();
                let text = self.expand_as(&text, other)?;
                let ms = recent_ms(&mut self.rng, snapshot, 10..1800);
                let line = log_line(ms, &lvl, text);
                push_dd(
                    &mut datadog,
                    &line,
                    other,
                    &host,
                    &tags_for(&pod, other, other, &other_tag),
                );
            }
        }

        // A replica that is being created right now (scale-up or rollout): waiting in
        // ContainerCreating for a few seconds, which is not a failure.
        if self.has("pod_starting") {
            let wl = if mode == FailureMode::Healthy {
                service.clone()
            } else {
                services[1].clone()
            };
            let template = pods
                .iter()
                .find(|p| p.workload == wl && p.phase == "Running")
                .cloned();
            if let Some(tpl) = template {
                let existing = pods.iter().filter(|p| p.workload == wl).count();
                let name = if workload_kind == "statefulset" && wl == service {
                    format!("{wl}-{existing}")
                } else {
                    let prefix = tpl
                        .name
                        .rsplit_once('-')
                        .map_or_else(|| wl.clone(), |(a, _)| a.to_owned());
                    format!("{prefix}-{}", k8s_suffix(&mut self.rng, 5))
                };
                let start = snapshot - self.rng.random_range(2..25);
                let n = self.rng.random_range(0..n_nodes);
                let mut p = tpl.clone();
                p.name.clone_from(&name);
                p.uid = uuid(&mut self.rng);
                p.phase = "Pending".into();
                p.start_time = Ts(start);
                p.node.clone_from(&nodes[n].name);
                p.ip = String::new();
                let names_list: Vec<String> = p.containers.iter().map(|c| c.name.clone()).collect();
                for c in &mut p.containers {
                    c.ready = false;
                    c.started = false;
                    c.restart_count = 0;
                    c.last_state = None;
                    c.image_id = String::new();
                    c.container_id = String::new();
                    c.state = StateW::waiting("ContainerCreating", None);
                }
                p.conditions = pod_conditions(
                    start,
                    false,
                    &format!("containers with unready status: [{}]", names_list.join(" ")),
                    None,
                );
                let on_new_pod = Involved::pod(&namespace, &name, &nodes[n].name);
                events.push(on_new_pod.scheduled(&mut self.rng, start));
                let img = p.containers[0].image.clone();
                events.push(on_new_pod.event(
                    "Pulling",
                    &format!("Pulling image \"{img}\""),
                    "Normal",
                    1,
                    start + 1,
                    start + 1,
                ));
                if let Some(d) = deployments.iter_mut().find(|d| d.name == wl) {
                    d.desired += 1;
                    d.unavailable += 1;
                    d.updated += 1;
                }
                pods.push(p);
            }
        }

        // A CronJob pod that finished its run: Succeeded, terminated with Completed/0. Normal
        // in any namespace, and not a failure.
        if self.has("completed_job_pod") {
            let stem = pick(&mut self.rng, &vocab.service_stems).clone();
            let job = format!(
                "{stem}-{}",
                pick(
                    &mut self.rng,
                    &["report", "reconcile", "export", "cleanup", "rollup"]
                )
            );
            let scheduled = (snapshot - self.rng.random_range(120..3_000)) / 60 * 60;
            let name = format!("{job}-{}-{}", scheduled / 60, k8s_suffix(&mut self.rng, 5));
            let n = self.rng.random_range(0..n_nodes);
            let run = self.rng.random_range(4..90);
            let img = format!("{image_repo_base}/{job}:{}", make_tag(&mut self.rng));
            let job_uid = uuid(&mut self.rng);
            let mut p = running_pod(
                &mut self.rng,
                &name,
                &job_uid,
                &namespace,
                &job,
                &job,
                &img,
                &image_full_repo,
                &nodes[n],
                scheduled + 1,
                None,
                &names,
            );
            p.phase = "Succeeded".into();
            let started = p.containers[0]
                .state
                .started_at
                .map_or(scheduled + 3, |t| t.0);
            let c = &mut p.containers[0];
            c.ready = false;
            c.started = false;
            c.state = StateW::terminated(&TermW::exited(
                0,
                "Completed",
                started,
                (started + run).min(snapshot),
            ));
            p.conditions = pod_conditions(
                scheduled + 1,
                false,
                "",
                Some((started + run).min(snapshot)),
            );
            for k in &mut p.conditions {
                if k.kind == "Ready" || k.kind == "ContainersReady" {
                    k.reason = Some("PodCompleted".into());
                    k.message = None;
                }
                if k.kind == "PodReadyToStartContainers" {
                    k.status = "False".into();
                }
            }
            pods.push(p);
        }

        // --- Signals that touch other pods and sources -------------------------------------
        if self.has("healthy_pod_with_restart_history") {
            let idx = if mode == FailureMode::Healthy {
                0
            } else {
                pods.iter()
                    .position(|p| {
                        p.name != target_pod && p.phase == "Running" && p.containers[0].ready
                    })
                    .unwrap_or(0)
            };
            if pods[idx].phase == "Running" && pods[idx].containers[0].ready {
                let c = &mut pods[idx].containers[0];
                c.restart_count = self.rng.random_range(40..720);
                let fin = snapshot - self.rng.random_range(2 * 3600..9 * 86_400i64);
                let (code, reason) = *pick(
                    &mut self.rng,
                    &[
                        (137, "OOMKilled"),
                        (137, "OOMKilled"),
                        (137, "Error"),
                        (255, "Unknown"),
                        (1, "Error"),
                    ],
                );
                c.last_state = Some(TermW::exited(
                    code,
                    reason,
                    fin - self.rng.random_range(600..86_400),
                    fin,
                ));
                c.state.started_at = Some(Ts(fin + self.rng.random_range(1..12)));
            }
        }
        if self.has("sigkill_not_oom") || self.has("events_expired") {
            // A liveness kill: 137 with reason Error. With events_expired it happened more than
            // an hour ago, so only the restart count is left of it in the tools' views.
            let idx = pods.iter().position(|p| {
                p.name != target_pod
                    && p.phase == "Running"
                    && p.containers[0].ready
                    && p.containers[0].last_state.is_none()
            });
            if let Some(idx) = idx {
                let kill = if self.has("events_expired") {
                    snapshot - self.rng.random_range(3_700..20_000)
                } else {
                    snapshot - self.rng.random_range(300..2_400)
                };
                let ran = self.rng.random_range(600..86_400);
                let p = &mut pods[idx];
                let c = &mut p.containers[0];
                c.restart_count += self.rng.random_range(1..4);
                c.last_state = Some(TermW::exited(137, "Error", kill - ran, kill));
                c.state.started_at = Some(Ts(kill + 1));
                let probe = format!(
                    "Liveness probe failed: Get \"http://{}:8080/livez\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
                    p.ip
                );
                let killing = format!(
                    "Container {} failed liveness probe, will be restarted",
                    c.name
                );
                let on_pod = Involved::pod(&namespace, &p.name, &p.node);
                events.push(on_pod.event("Unhealthy", &probe, "Warning", 3, kill - 30, kill - 1));
                events.push(on_pod.event("Killing", &killing, "Normal", 1, kill - 1, kill - 1));
            }
        }
        if self.has("benign_old_warning_event") {
            let ev = pick(&mut self.rng, &t.spec.benign_events).clone();
            let msg = self.expand(&ev.message)?;
            let when = snapshot - self.rng.random_range(2_000..3_500);
            // A start-up problem (scheduling, mounts, sandbox) belongs to a pod that started
            // around then and has run cleanly since; a probe failure to any running pod.
            let at_start = ev.reason != "Unhealthy";
            let candidates: Vec<usize> = pods
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
            let other = match candidates.get(self.rng.random_range(0..candidates.len().max(1))) {
                Some(&i) => {
                    if at_start {
                        let p = &mut pods[i];
                        p.start_time = Ts(when - self.rng.random_range(5..90));
                        for c in &mut p.containers {
                            c.state.started_at = Some(Ts(when + self.rng.random_range(5..60)));
                        }
                    }
                    (pods[i].name.clone(), pods[i].node.clone())
                }
                None => (target_pod.clone(), node_name.clone()),
            };
            let on_other = Involved::pod(&namespace, &other.0, &other.1);
            if ev.form == "scheduler" {
                // events.k8s.io form: no count, no first/last timestamps, eventTime + series.
                let mut e = on_other.scheduler_event(
                    &mut self.rng,
                    &ev.reason,
                    &msg,
                    "Warning",
                    when,
                    "Scheduling",
                );
                e.series_count = Some(self.rng.random_range(2..9));
                events.push(e);
            } else {
                events.push(on_other.event(
                    &ev.reason,
                    &msg,
                    "Warning",
                    self.rng.random_range(1..4),
                    when - 40,
                    when,
                ));
            }
        }
        if self.has("noisy_error_logs") {
            for _ in 0..self.rng.random_range(2..6) {
                let (lvl, text) = pick(&mut self.rng, &t.spec.noise_errors).clone();
                let other = services[self.rng.random_range(1..services.len())].clone();
                let text = self.expand_as(&text, &other)?;
                let ms = recent_ms(&mut self.rng, snapshot, 10..1500);
                let line = log_line(ms, &lvl, text);
                let from: Vec<(String, String)> = pods
                    .iter()
                    .filter(|p| p.workload == other)
                    .map(|p| (p.name.clone(), p.node.clone()))
                    .collect();
                let Some((pod, host)) = from
                    .get(self.rng.random_range(0..from.len().max(1)))
                    .cloned()
                else {
                    continue;
                };
                push_dd(
                    &mut datadog,
                    &line,
                    &other,
                    &host,
                    &tags_for(&pod, &other, &other, &tag),
                );
            }
        }
        // A pod starts before any of its containers' runs (history signals move runs back).
        for p in &mut pods {
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
                p.start_time = Ts(e - 1 - self.rng.random_range(0..30));
            }
        }
        // The API lists a namespace's pods by name.
        pods.sort_by(|a, b| a.name.cmp(&b.name));
        // Events expire an hour after their last occurrence.
        events.retain(|e| snapshot - e.last_seen() < 3600);
        events.sort_by_key(|e| {
            (
                e.last
                    .map(|l| l.0)
                    .or(e.event_time.map(|et| et.0 / 1_000_000))
                    .unwrap_or(0),
                e.reason.clone(),
            )
        });
        datadog.retain(|d| d.ms <= snapshot * 1000);
        datadog.sort_by_key(|d| d.ms);
        if datadog.len() > 40 {
            let cut = datadog.len() - 40;
            datadog.drain(..cut);
        }

        // --- Sources ----------------------------------------------------------------------
        let mut sources = Sources {
            eks_pods: SourceW::ok(),
            eks_events: SourceW::ok(),
            eks_deployments: SourceW::ok(),
            eks_node_health: SourceW::ok(),
            eks_pod_logs: SourceW::ok(),
            datadog_logs: SourceW::ok(),
            datadog_monitors: SourceW::ok(),
        };
        if workload_kind == "statefulset" && self.rng.random_bool(0.3) {
            sources.eks_deployments.listed = false;
        }
        if self.has("datadog_unavailable") {
            let err = pick(&mut self.rng, &[
                "Datadog API error: 403 Forbidden: {\"errors\":[\"Forbidden\"]}",
                "Datadog API error: 429 Too Many Requests: {\"errors\":[\"Rate limit of 300 requests in 3600 seconds reached. Please try again later.\"]}",
                "Datadog API request timed out after 30s",
                "Datadog API error: 503 Service Unavailable",
            ]).to_string();
            sources.datadog_logs.error = Some(err.clone());
            sources.datadog_monitors.error = Some(err);
        }
        if self.has("events_unavailable") {
            sources.eks_events.error = Some(format!(
                "events is forbidden: User \"system:serviceaccount:opensre:agent\" cannot list resource \"events\" in API group \"\" in the namespace \"{namespace}\""
            ));
        }
        match pattern {
            Pattern::ImagePull | Pattern::InvalidImage | Pattern::ConfigError => {
                let why = match pattern {
                    Pattern::ConfigError => "CreateContainerConfigError".to_owned(),
                    Pattern::InvalidImage => "InvalidImageName".to_owned(),
                    _ => "trying and failing to pull image".to_owned(),
                };
                sources.eks_pod_logs.error = Some(format!(
                    "container \"{container}\" in pod \"{target_pod}\" is waiting to start: {why}"
                ));
            }
            _ if self.has("no_pod_logs") => {
                if self.rng.random_bool(0.5) {
                    sources.eks_pod_logs.listed = false;
                } else {
                    sources.eks_pod_logs.error = Some(format!(
                        "previous terminated container \"{container}\" in pod \"{target_pod}\" not found"
                    ));
                }
            }
            _ => {}
        }
        if pattern == Pattern::CrashLoop
            && pod_lines.is_empty()
            && sources.eks_pod_logs.error.is_none()
        {
            // A container that never started has no log at all.
            sources.eks_pod_logs.error = Some(format!(
                "previous terminated container \"{container}\" in pod \"{target_pod}\" not found"
            ));
        }

        // --- Monitors ----------------------------------------------------------------------
        let mut monitors = Vec::new();
        let mon_id = |rng: &mut ChaCha12Rng| rng.random_range(10_000_000..199_999_999u64);
        let crash_like = pattern == Pattern::CrashLoop;
        let tags_m = vec![
            format!("team:{team}"),
            "env:prod".to_owned(),
            format!("service:{service}"),
            format!("kube_namespace:{namespace}"),
        ];
        monitors.push(MonitorW {
            id: mon_id(&mut self.rng),
            name: format!("[{namespace}] Pod restarts on {service}"),
            kind: "query alert".into(),
            query: format!("change(sum(last_15m),last_15m):sum:kubernetes.containers.restarts{{kube_namespace:{namespace},kube_deployment:{service}}} > 5"),
            message: format!("{{{{#is_alert}}}}Pods of {service} restarted more than 5 times in 15 minutes.{{{{/is_alert}}}} @slack-{namespace}-oncall"),
            overall_state: if crash_like && restart_count > 5 { "Alert" } else if crash_like { "Warn" } else { "OK" }.into(),
            tags: tags_m.clone(),
        });
        if memory_monitor {
            monitors.push(MonitorW {
                id: mon_id(&mut self.rng),
                name: format!("[{namespace}] {service} memory above 90% of limit"),
                kind: "query alert".into(),
                query: format!("avg(last_5m):avg:kubernetes.memory.usage{{kube_deployment:{service}}} by {{pod_name}} / avg:kubernetes.memory.limits{{kube_deployment:{service}}} by {{pod_name}} > 0.9"),
                message: format!("Memory of {service} is close to its limit. @slack-{namespace}-oncall"),
                overall_state: match self.cause {
                    RootCause::ContainerOom => "Alert",
                    RootCause::NodeOom => "No Data",
                    _ => if memory_limit.is_none() { "No Data" } else { "OK" },
                }
                .into(),
                tags: tags_m.clone(),
            });
        }
        monitors.push(MonitorW {
            id: mon_id(&mut self.rng),
            name: format!("[{cluster}] Node memory pressure"),
            kind: "query alert".into(),
            query: format!("max(last_5m):max:kubernetes_state.node.by_condition{{kube_cluster_name:{cluster},condition:memorypressure,status:true}} by {{host}} >= 1"),
            message: "A node reports MemoryPressure. @pagerduty-platform".into(),
            overall_state: if self.spec.node_pressure { "Alert" } else { "OK" }.into(),
            tags: vec!["team:platform".into(), "env:prod".into(), format!("kube_cluster_name:{cluster}")],
        });
        if matches!(
            pattern,
            Pattern::ImagePull | Pattern::InvalidImage | Pattern::ConfigError
        ) || self.rng.random_bool(0.5)
        {
            let waiting = matches!(
                pattern,
                Pattern::ImagePull | Pattern::InvalidImage | Pattern::ConfigError
            );
            monitors.push(MonitorW {
                id: mon_id(&mut self.rng),
                name: format!("[{namespace}] Containers waiting for more than 15m"),
                kind: "query alert".into(),
                query: format!("min(last_15m):sum:kubernetes_state.container.status_report.count.waiting{{kube_namespace:{namespace}}} by {{kube_deployment}} >= 1"),
                message: format!("Containers of {{{{kube_deployment.name}}}} are stuck waiting. @slack-{namespace}-oncall"),
                overall_state: if waiting { "Alert" } else { "OK" }.into(),
                tags: tags_m.clone(),
            });
        }
        if self.rng.random_bool(0.5) {
            let errors = datadog
                .iter()
                .filter(|d| d.service == service && d.status == "error")
                .count();
            monitors.push(MonitorW {
                id: mon_id(&mut self.rng),
                name: format!("Error logs on {service}"),
                kind: "log alert".into(),
                query: format!("logs(\"service:{service} status:error\").index(\"*\").rollup(\"count\").last(\"5m\") > 20"),
                message: format!("Error log volume on {service} is high. @slack-{namespace}-oncall"),
                overall_state: if errors > 3 { "Warn" } else { "OK" }.into(),
                tags: tags_m.clone(),
            });
        }

        // --- Alert -------------------------------------------------------------------------
        let misleading = self.has("misleading_alert_title");
        let set = t
            .spec
            .alerts
            .get(mode.as_str())
            .ok_or_else(|| GenError::Spec {
                file: t.dir.join(crate::spec::SPEC_FILE).display().to_string(),
                field: format!("alerts.{mode}"),
                message: "missing".into(),
            })?;
        let variants = if misleading {
            &set.misleading
        } else {
            &set.honest
        };
        let av = pick(&mut self.rng, variants).clone();
        self.vars.set("alertname", av.alertname.clone());
        self.vars.set("replicas", i64::from(replicas));
        let alert_source = if av.title.starts_with("[Datadog]") {
            "datadog"
        } else {
            "alertmanager"
        };
        let alert = AlertW {
            title: self.expand(&av.title)?,
            state: "alerting".into(),
            source: alert_source.into(),
            alertname: av.alertname.clone(),
            severity: if mode == FailureMode::Healthy {
                "warning".to_owned()
            } else {
                pick(&mut self.rng, &["critical", "warning", "critical"]).to_string()
            },
            service: service.clone(),
            summary: self.expand(&av.summary)?,
            description: self.expand(&av.description)?,
            error: self.expand(&av.description)?,
            symptom: self.expand(&av.symptom)?,
            pod: target_pod.clone(),
            node: node_name.clone(),
            context_sources: "eks,datadog".into(),
        };
        // A Datadog alert is one of the monitors, in Alert state.
        if alert_source == "datadog" {
            let key = if av.alertname.contains("Memory") {
                Some("memory above")
            } else if av.alertname.contains("Restarts") {
                Some("Pod restarts")
            } else {
                None
            };
            match key.and_then(|k| monitors.iter_mut().find(|m| m.name.contains(k))) {
                Some(m) => m.overall_state = "Alert".into(),
                None => monitors.push(MonitorW {
                    id: mon_id(&mut self.rng),
                    name: alert.title.trim_start_matches("[Datadog] ").to_owned(),
                    kind: "query alert".into(),
                    query: if av.alertname.contains("Memory") {
                        format!("avg(last_5m):avg:kubernetes.memory.working_set{{kube_deployment:{service}}} by {{pod_name}} / avg:kubernetes.memory.limits{{kube_deployment:{service}}} by {{pod_name}} > 0.95")
                    } else if av.alertname.contains("Restarts") {
                        format!("change(sum(last_15m),last_15m):sum:kubernetes.containers.restarts{{kube_deployment:{service}}} > 5")
                    } else {
                        format!("percentile(last_5m):p99:trace.http.request{{service:{service},env:prod}} > 0.8")
                    },
                    message: format!("{{{{#is_alert}}}}{}{{{{/is_alert}}}} @slack-{namespace}-oncall", alert.description),
                    overall_state: "Alert".into(),
                    tags: tags_m.clone(),
                }),
            }
        }

        // --- Answer -------------------------------------------------------------------------
        let mut keywords = Vec::new();
        for k in &self.spec.keywords {
            let k = self.expand(k)?;
            if !k.trim().is_empty() && !keywords.contains(&k) {
                keywords.push(k);
            }
        }
        let root_cause = self.expand(&self.spec.root_cause)?;
        let mut claims = Vec::new();
        for c in &self.spec.claims {
            claims.push(self.expand(c)?);
        }
        let mut non_validated = Vec::new();
        for c in &self.spec.non_validated {
            non_validated.push(self.expand(c)?);
        }
        let mut chain = Vec::new();
        for c in &self.spec.chain {
            chain.push(self.expand(c)?);
        }

        let mut signals = self.signals.clone();
        signals.sort();
        signals.dedup();
        let healthy = mode == FailureMode::Healthy;
        let labels = Labels {
            mode,
            cause: self.cause,
            category: self.cause.category(),
            difficulty: self.difficulty,
            signals,
            exit_code: if pattern == Pattern::CrashLoop {
                exit_code
            } else {
                None
            },
            affected_pod: (!healthy).then(|| format!("{namespace}/{target_pod}")),
            affected_container: (!healthy).then(|| container.clone()),
        };
        let _ = tier;
        Ok(World {
            id: self.id.clone(),
            labels,
            engine: "eks".into(),
            cluster,
            region: region.name.clone(),
            account,
            namespace: namespace.clone(),
            workload: Workload {
                kind: workload_kind.into(),
                name: service.clone(),
                service: service.clone(),
                container: container.clone(),
                replicas,
                language: language.clone(),
                image: image.clone(),
                tag,
            },
            severity: alert.severity.clone(),
            runtime: names.runtime,
            pattern,
            snapshot: Ts(snapshot),
            nodes,
            deployments,
            pods,
            events,
            pod_logs: PodLogsW {
                pod: target_pod,
                container,
                language,
                lines: pod_lines,
            },
            datadog_logs: datadog,
            monitors,
            alert,
            sources,
            answer: AnswerText {
                root_cause,
                claims,
                non_validated,
                chain,
                keywords,
            },
        })
    }

    /// A pod of another workload failing in a way unrelated to the truth.
    #[expect(
        clippy::too_many_arguments,
        reason = "plain data of the pod being built"
    )]
    fn unrelated_failure(
        &mut self,
        name: &str,
        uid: &str,
        namespace: &str,
        service: &str,
        container: &str,
        image: &str,
        node: &NodeW,
        snapshot: i64,
        truth: Pattern,
        events: &mut Vec<EventW>,
        legacy: bool,
    ) -> Result<PodW, GenError> {
        let start = snapshot - self.rng.random_range(900..7200);
        let pull = truth != Pattern::ImagePull
            && (truth == Pattern::CrashLoop || self.rng.random_bool(0.5));
        let ip = pod_ip(&mut self.rng, &node.internal_ip);
        let on_pod = Involved::pod(namespace, name, &node.name);
        let pod = PodMeta {
            name,
            namespace,
            uid,
            workload: service,
            node: &node.name,
        };
        if pull {
            let msg = format!(
                "rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": {image}: not found"
            );
            events.push(on_pod.event(
                "Failed",
                &format!("Failed to pull image \"{image}\": {msg}"),
                "Warning",
                9,
                start + 1,
                snapshot - 40,
            ));
            events.push(on_pod.event(
                "Failed",
                "Error: ImagePullBackOff",
                "Warning",
                120,
                start + 3,
                snapshot - 5,
            ));
            Ok(pod.pending(
                ip,
                start,
                ContainerW::not_started(
                    container,
                    image,
                    StateW::waiting("ImagePullBackOff", Some(pull_backoff_message(image))),
                    None,
                ),
            ))
        } else {
            let lp = simulate_loop(
                &mut self.rng,
                start,
                snapshot - start - 60,
                (2, 20),
                &self.t.spec.backoff,
                false,
            );
            let last = *lp.runs.last().unwrap_or(&(start, start));
            let delay = *lp.delays.last().unwrap_or(&10);
            let (count, first, last_ev) = lp.backoff_events(self.t.spec.backoff.sync_seconds);
            if count > 0 {
                let m = restart_backoff_event(container, name, namespace, uid);
                events.push(on_pod.event(
                    "BackOff",
                    &m,
                    "Warning",
                    count,
                    first,
                    last_ev.min(snapshot),
                ));
            }
            Ok(pod.pod(
                "Running",
                ip,
                start - 5,
                ContainerW {
                    name: container.into(),
                    image: image.into(),
                    image_id: format!(
                        "{}@sha256:{}",
                        image.split(':').next().unwrap_or(image),
                        hex(&mut self.rng, 64)
                    ),
                    container_id: format!("containerd://{}", hex(&mut self.rng, 64)),
                    ready: false,
                    started: false,
                    restart_count: lp.restarts(),
                    state: StateW::waiting(
                        "CrashLoopBackOff",
                        Some(crash_loop_message(
                            legacy, delay, container, name, namespace, uid,
                        )),
                    ),
                    last_state: Some(TermW::exited(1, "Error", last.0, last.1)),
                    memory_limit: None,
                },
                unready_conditions(start - 5, container, Some(last.1)),
            ))
        }
    }
}

fn log_line(ms: i64, level: &str, text: String) -> LogLine {
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
fn recent_ms<R: Rng>(rng: &mut R, snapshot: i64, ago: std::ops::Range<i64>) -> i64 {
    (snapshot - rng.random_range(ago)) * 1000 + rng.random_range(0..999)
}

/// Datadog folds a stack trace into the record of the line before it (multi-line aggregation).
fn push_dd(out: &mut Vec<DdLog>, line: &LogLine, service: &str, host: &str, tags: &[String]) {
    if line.raw
        && let Some(prev) = out.iter_mut().rev().find(|d| {
            d.service == service && d.host == host && line.ms - d.ms < 2000 && d.source != "kernel"
        })
    {
        prev.message.push('\n');
        prev.message.push_str(&line.text);
        prev.status = "error".into();
        return;
    }
    if line.raw && line.text.is_empty() {
        return;
    }
    out.push(DdLog {
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
    });
}

/// The waiting message of a container in crash-loop back-off (older kubelets capitalise it).
fn crash_loop_message(
    legacy: bool,
    delay: i64,
    container: &str,
    pod: &str,
    ns: &str,
    uid: &str,
) -> String {
    let back_off = if legacy { "Back-off" } else { "back-off" };
    format!(
        "{back_off} {} restarting failed container={container} pod={pod}_{ns}({uid})",
        go_duration(delay)
    )
}

/// The message of the `BackOff` event of a crash-looping container (current kubelets).
fn restart_backoff_event(container: &str, pod: &str, ns: &str, uid: &str) -> String {
    format!("Back-off restarting failed container {container} in pod {pod}_{ns}({uid})")
}

/// The waiting message (and event) of an image pull in back-off.
fn pull_backoff_message(image: &str) -> String {
    format!("Back-off pulling image \"{image}\"")
}

/// A container's runtime id: `docker://…` or `containerd://…`.
fn container_id<R: Rng>(rng: &mut R, names: &Names) -> String {
    let runtime = if names.runtime == "docker" {
        "docker"
    } else {
        "containerd"
    };
    format!("{runtime}://{}", hex(rng, 64))
}

fn pod_ip<R: Rng>(rng: &mut R, node_ip: &str) -> String {
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
struct Involved<'a> {
    ns: &'a str,
    kind: &'a str,
    name: &'a str,
    host: &'a str,
}

impl<'a> Involved<'a> {
    /// A pod of namespace `ns`, on node `host`.
    fn pod(ns: &'a str, name: &'a str, host: &'a str) -> Self {
        Involved {
            ns,
            kind: "Pod",
            name,
            host,
        }
    }

    /// A node, reporting about itself (its events are in `default`).
    fn node(name: &'a str) -> Self {
        Involved {
            ns: "default",
            kind: "Node",
            name,
            host: name,
        }
    }

    /// A kubelet (core/v1) event about this object, seen `count` times from `first` to `last`.
    fn event(
        &self,
        reason: &str,
        message: &str,
        ty: &str,
        count: u32,
        first: i64,
        last: i64,
    ) -> EventW {
        EventW {
            count: Some(count.max(1)),
            first: Some(Ts(first.min(last))),
            last: Some(Ts(last.max(first))),
            source_component: "kubelet".into(),
            source_host: self.host.into(),
            ..self.bare_event(reason, message, ty)
        }
    }

    /// An event about this object with no time, count or source filled in.
    fn bare_event(&self, reason: &str, message: &str, ty: &str) -> EventW {
        EventW {
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
        }
    }

    /// An event the scheduler writes through events.k8s.io/v1 at `at`: no count or
    /// timestamps, `eventTime` with microseconds, `reportingComponent` set, empty source.
    fn scheduler_event<R: Rng>(
        &self,
        rng: &mut R,
        reason: &str,
        message: &str,
        ty: &str,
        at: i64,
        action: &str,
    ) -> EventW {
        EventW {
            event_time: Some(TsMicros(at * 1_000_000 + rng.random_range(0..1_000_000))),
            reporting_component: "default-scheduler".into(),
            action: action.into(),
            ..self.bare_event(reason, message, ty)
        }
    }

    /// `Scheduled`: the pod was bound to its node (the `host`) at `at`.
    fn scheduled<R: Rng>(&self, rng: &mut R, at: i64) -> EventW {
        let message = format!(
            "Successfully assigned {}/{} to {}",
            self.ns, self.name, self.host
        );
        self.scheduler_event(rng, "Scheduled", &message, "Normal", at, "Binding")
    }
}

/// Who a pod is: name, namespace, uid, owning workload and node.
struct PodMeta<'a> {
    name: &'a str,
    namespace: &'a str,
    uid: &'a str,
    workload: &'a str,
    node: &'a str,
}

impl PodMeta<'_> {
    /// The pod, with a single container.
    fn pod(
        &self,
        phase: &str,
        ip: String,
        start: i64,
        container: ContainerW,
        conditions: Vec<CondW>,
    ) -> PodW {
        PodW {
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
        }
    }

    /// The pod `Pending` since `start`, its single container not ready.
    fn pending(&self, ip: String, start: i64, container: ContainerW) -> PodW {
        let conditions = unready_conditions(start, &container.name, None);
        self.pod("Pending", ip, start, container, conditions)
    }
}

/// The conditions of a pod whose (only) container is not ready.
fn unready_conditions(start: i64, container: &str, last_change: Option<i64>) -> Vec<CondW> {
    pod_conditions(
        start,
        false,
        &format!("containers with unready status: [{container}]"),
        last_change,
    )
}

fn pod_conditions(
    start: i64,
    ready: bool,
    unready_msg: &str,
    last_change: Option<i64>,
) -> Vec<CondW> {
    let status = if ready { "True" } else { "False" };
    let (reason, message) = if ready {
        (None, None)
    } else {
        (
            Some("ContainersNotReady".to_owned()),
            Some(unready_msg.to_owned()),
        )
    };
    let changed = last_change.unwrap_or(start + 2);
    vec![
        CondW {
            kind: "PodReadyToStartContainers".into(),
            status: "True".into(),
            reason: None,
            message: None,
            last_transition: Ts(start + 1),
        },
        CondW {
            kind: "Initialized".into(),
            status: "True".into(),
            reason: None,
            message: None,
            last_transition: Ts(start),
        },
        CondW {
            kind: "Ready".into(),
            status: status.into(),
            reason: reason.clone(),
            message: message.clone(),
            last_transition: Ts(changed),
        },
        CondW {
            kind: "ContainersReady".into(),
            status: status.into(),
            reason,
            message,
            last_transition: Ts(changed),
        },
        CondW {
            kind: "PodScheduled".into(),
            status: "True".into(),
            reason: None,
            message: None,
            last_transition: Ts(start),
        },
    ]
}

#[expect(
    clippy::too_many_arguments,
    reason = "plain data of the pod being built"
)]
fn running_pod<R: Rng>(
    rng: &mut R,
    name: &str,
    uid: &str,
    ns: &str,
    workload: &str,
    container: &str,
    image: &str,
    repo: &str,
    node: &NodeW,
    start: i64,
    memory_limit: Option<String>,
    names: &Names,
) -> PodW {
    let started = start + rng.random_range(2..30);
    PodW {
        name: name.into(),
        namespace: ns.into(),
        uid: uid.into(),
        workload: workload.into(),
        phase: "Running".into(),
        node: node.name.clone(),
        ip: pod_ip(rng, &node.internal_ip),
        start_time: Ts(start),
        containers: vec![ContainerW {
            name: container.into(),
            image: image.into(),
            image_id: format!(
                "{}@sha256:{}",
                if image.contains('/') && image.contains('.') {
                    repo.to_owned()
                } else {
                    format!("docker.io/{}", image.split(':').next().unwrap_or(image))
                },
                hex(rng, 64)
            ),
            container_id: container_id(rng, names),
            ready: true,
            started: true,
            restart_count: 0,
            state: StateW::running(started),
            last_state: None,
            memory_limit,
        }],
        conditions: pod_conditions(start, true, "", Some(started + 5)),
    }
}

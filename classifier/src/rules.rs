//! The rule baseline (`rules`): a pure function from a [`Case`] to a [`Prediction`], written from
//! the CrashLoopBackOff SOP (K3) and the REALISM facts, not from the generator's templates.
//!
//! The reasoning follows the SOP's order:
//!
//! 1. **Which workload is the alert about?** The scenario context (namespace, workload name and
//!    type), then the alert's labels and `kube_pod`. Pods of the workload are found by name
//!    (`<workload>-<hash>-<suffix>` for a Deployment, `<workload>-<n>` for a StatefulSet, ...),
//!    so a failing pod of another workload in the same namespace is not blamed.
//! 2. **Pod state and exit codes** of each container of those pods (137 with and without
//!    `OOMKilled`, 1, 126, 127, 128 `StartError`/`ContainerCannotRun`, 139, 143). The pod tool
//!    drops `lastState`, so a crash-looping container is seen `waiting` (sometimes with an
//!    `exit_code` in hand-written fixtures) or `terminated`; a missing exit code is looked for in
//!    events and logs.
//! 3. **Events**: `BackOff`, `Failed to pull image` with the runtime's error text, node
//!    `OOMKilling`, `Unhealthy`/`Killing` for liveness kills, `CreateContainerConfigError` and
//!    `FailedMount` with a ConfigMap/Secret not found, `FailedScheduling`, `Evicted`.
//! 4. **Node conditions** (MemoryPressure, Ready) of the node the pod runs on.
//! 5. **Logs and monitors** (pod logs, Datadog logs and monitors about the workload) for the
//!    cause of an application exit: missing configuration, a dependency refusing connections,
//!    an exec failure, a segfault; with no exit code and no error, memory at the container's
//!    limit (a memory-vs-limit monitor alerting, heap or memory at 90%+) points to an OOM kill.
//!
//! A workload whose pods are running and ready now is `healthy`, whatever its history (old
//! restarts, an old OOM). Missing or unavailable sources are skipped and named in the
//! explanation, which cites every piece of evidence a verdict rests on as `file object: fact`.

use scenario::files::{
    ConditionStatus, ContainerStatus, DatadogLog, Event, Node, Pod, StateKind, WorkloadType,
};
use scenario::{Case, Category, FailureMode, Prediction, RootCause};

use crate::Builtin;

/// The baseline's name in reports.
pub const NAME: &str = "rules";

/// The baseline's version: the crate version plus a rules revision, bumped when a rule changes.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "+rules.3");

/// The built-in rule baseline as a [`Classifier`](crate::Classifier); see [`classify`].
pub const RULES: Builtin = Builtin::new(NAME, VERSION, classify);

/// Classifies one case. Pure and total: every case gets a prediction, never a panic.
///
/// A case of profile `k8s-api` is first projected into the `opensre` profile exactly as
/// OpenSRE's tools compute their answers (`scenario::projection::project_case`): the rules
/// read what an agent's tools would have returned.
pub fn classify(case: &Case) -> Prediction {
    if case.profile == scenario::Profile::K8sApi {
        return match scenario::projection::project_case(case) {
            Ok(projected) => classify(&projected),
            Err(e) => Prediction::unknown(format!("the k8s-api evidence does not project: {e}")),
        };
    }
    let view = View::new(case);
    let verdict = view.decide();
    verdict.into_prediction(&view)
}

/// Longest quoted evidence text in an explanation.
const QUOTE_MAX: usize = 160;

/// What the rules concluded, with the evidence it rests on.
#[derive(Clone, Debug)]
struct Verdict {
    mode: FailureMode,
    category: Category,
    cause: RootCause,
    exit_code: Option<i32>,
    pod: Option<String>,
    container: Option<String>,
    confidence: f64,
    /// Strength of the finding; the strongest finding about the workload wins.
    rank: u8,
    cites: Vec<String>,
}

/// Pod event reasons that name a failure mode on their own, for a pod whose state is not seen;
/// the first reason found among the pod's events wins.
const EVENT_ONLY_MODES: [(&str, FailureMode, Category); 3] = [
    (
        "Unhealthy",
        FailureMode::ProbeFailure,
        Category::ConfigurationError,
    ),
    (
        "FailedScheduling",
        FailureMode::PendingPod,
        Category::ResourceExhaustion,
    ),
    (
        "Evicted",
        FailureMode::EvictedPods,
        Category::ResourceExhaustion,
    ),
];

/// Finding strengths, weakest first.
mod rank {
    pub const HEALTHY: u8 = 0;
    pub const LOGS_ONLY: u8 = 1;
    pub const EVENTS_ONLY: u8 = 2;
    pub const POD_LEVEL: u8 = 3;
    pub const BETWEEN_RESTARTS: u8 = 4;
    pub const STATE: u8 = 5;
}

impl Verdict {
    /// A verdict for a taxonomy cause (mode and category follow from it).
    fn cause(cause: RootCause, confidence: f64, rank: u8) -> Self {
        let info = cause.info();
        Verdict {
            mode: info.mode,
            category: info.category,
            cause,
            exit_code: None,
            pod: None,
            container: None,
            confidence,
            rank,
            cites: Vec::new(),
        }
    }

    /// A verdict for a mode the taxonomy has no fine cause for (later families), or a crash whose
    /// cause could not be told.
    fn mode(mode: FailureMode, category: Category, confidence: f64, rank: u8) -> Self {
        Verdict {
            mode,
            category,
            cause: RootCause::Unknown,
            exit_code: None,
            pod: None,
            container: None,
            confidence,
            rank,
            cites: Vec::new(),
        }
    }

    fn healthy(confidence: f64) -> Self {
        Verdict::cause(RootCause::None, confidence, rank::HEALTHY)
    }

    fn at(mut self, pod: &str, container: Option<&str>) -> Self {
        self.pod = Some(pod.to_owned());
        self.container = container.map(str::to_owned);
        self
    }

    fn code(mut self, code: Option<i32>) -> Self {
        self.exit_code = code;
        self
    }

    fn cite(mut self, cites: impl IntoIterator<Item = String>) -> Self {
        self.cites.extend(cites);
        self
    }

    fn into_prediction(self, view: &View<'_>) -> Prediction {
        let mut explanation = format!(
            "{}/{}/{} for {}/{}",
            self.mode, self.category, self.cause, view.ns, view.workload
        );
        let mut cites = self.cites;
        cites.dedup();
        for c in cites.iter().take(8) {
            explanation.push_str("; ");
            explanation.push_str(c);
        }
        for note in &view.notes {
            explanation.push_str("; ");
            explanation.push_str(note);
        }
        let healthy = self.mode == FailureMode::Healthy;
        Prediction {
            failure_mode: self.mode,
            root_cause_category: self.category,
            root_cause: self.cause,
            exit_code: if healthy { None } else { self.exit_code },
            affected_pod: if healthy {
                None
            } else {
                self.pod.map(|p| format!("{}/{p}", view.ns))
            },
            affected_container: if healthy { None } else { self.container },
            confidence: Some(self.confidence.clamp(0.0, 1.0)),
            explanation,
        }
    }
}

/// A line of log or monitor text about the workload, with where it came from.
#[derive(Debug)]
struct Text<'a> {
    origin: Origin<'a>,
    line: &'a str,
    lower: String,
    /// What the line says about an exit, computed once.
    hint: Option<Hint>,
    /// Reads like the end of a process.
    fatal: bool,
    /// Names an application bug (a panic, a stack trace).
    crash: bool,
}

/// Where a [`Text`] came from, for its citation.
#[derive(Debug)]
enum Origin<'a> {
    PodLogs(&'a str),
    Datadog(usize),
    Monitor(&'a scenario::files::DatadogMonitor),
}

impl<'a> Text<'a> {
    fn new(origin: Origin<'a>, line: &'a str) -> Self {
        let lower = line.to_lowercase();
        let hint = text_hint(&lower).or_else(|| env_key_error(line).then_some(Hint::MissingConfig));
        Text {
            origin,
            line,
            hint,
            // A segfault or a kill ends the process whatever words the line uses.
            fatal: is_fatal(&lower) || matches!(hint, Some(Hint::Segfault | Hint::Oom)),
            crash: is_crash_line(&lower),
            lower,
        }
    }

    /// `eks_pod_logs.json logs[pod]: "..."`, `datadog_logs.json logs[3]: "..."`, ...
    fn cite(&self) -> String {
        match self.origin {
            Origin::PodLogs(pod) => format!("eks_pod_logs.json logs[{pod}]: {}", quote(self.line)),
            Origin::Datadog(i) => format!("datadog_logs.json logs[{i}]: {}", quote(self.line)),
            Origin::Monitor(m) => format!(
                "datadog_monitors.json monitors[{} \"{}\"] {}: {}",
                m.id_label(),
                m.name,
                m.overall_state,
                quote(self.line)
            ),
        }
    }
}

/// What a piece of text says about why a container exits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Hint {
    Dependency,
    MissingConfig,
    CommandNotFound,
    PermissionDenied,
    Segfault,
    Oom,
}

impl Hint {
    fn cause(self) -> RootCause {
        match self {
            Hint::Dependency => RootCause::DependencyUnavailable,
            Hint::MissingConfig => RootCause::MissingConfig,
            Hint::CommandNotFound => RootCause::CommandNotFound,
            Hint::PermissionDenied => RootCause::PermissionDenied,
            Hint::Segfault => RootCause::Segfault,
            Hint::Oom => RootCause::ContainerOom,
        }
    }
}

/// The evidence of one case, narrowed to the alerted workload.
struct View<'a> {
    case: &'a Case,
    ns: &'a str,
    workload: &'a str,
    /// Pods of the alerted workload (empty if the pod source is missing or names none).
    pods: Vec<&'a Pod>,
    /// Pod names of the workload known from any source (pods, events, logs).
    pod_names: Vec<String>,
    events: &'a [Event],
    nodes: &'a [Node],
    datadog: &'a [DatadogLog],
    /// Log and monitor lines about the workload, collected on first use (a healthy verdict
    /// never reads them).
    texts: std::cell::OnceCell<Vec<Text<'a>>>,
    /// Notes for the explanation (sources that were unavailable, how the workload was found).
    notes: Vec<String>,
}

impl<'a> View<'a> {
    fn new(case: &'a Case) -> Self {
        let ev = &case.evidence;
        let labels = &case.alert.common_labels;
        let ann = &case.alert.common_annotations;
        let ns = non_empty(&case.context.namespace)
            .or(labels.namespace.as_deref())
            .or(ann.kube_namespace.as_deref())
            .unwrap_or("");
        let mut notes = Vec::new();
        for (name, missing, error) in unavailable_sources(case) {
            if !missing {
                notes.push(format!("{name}.json unavailable ({})", quote(&error)));
            }
        }

        let all_pods: &[Pod] = ev.pods().map_or(&[], |p| p.pods.as_slice());
        let others: Vec<&str> = ev
            .deployments()
            .map(|d| d.deployments.iter().map(|d| d.name.as_str()).collect())
            .unwrap_or_default();
        let wtype = case.context.workload_type;
        let candidates = [
            non_empty(&case.context.workload_name),
            labels.workload_name.as_deref(),
            ann.kube_deployment.as_deref(),
        ];
        let mut workload = candidates.iter().flatten().next().copied().unwrap_or("");
        let in_ns = |p: &&Pod| p.namespace.is_empty() || p.namespace == ns;
        let mut pods: Vec<&Pod> = Vec::new();
        'search: for naming in [Naming::Strict, Naming::Loose] {
            for name in candidates.iter().flatten() {
                pods = all_pods
                    .iter()
                    .filter(in_ns)
                    .filter(|p| belongs(&p.name, name, wtype, &others, naming))
                    .collect();
                if !pods.is_empty() {
                    workload = name;
                    break 'search;
                }
            }
        }
        if pods.is_empty() && !workload.is_empty() {
            // Last resort for unusual names: the prefix, unless a longer workload claims the pod.
            let prefix = format!("{workload}-");
            pods = all_pods
                .iter()
                .filter(in_ns)
                .filter(|p| {
                    p.name.starts_with(&prefix) && !claimed_by_other(&p.name, workload, &others)
                })
                .collect();
        }
        if pods.is_empty()
            && let Some(kube_pod) = ann.kube_pod.as_deref()
        {
            pods = all_pods.iter().filter(|p| p.name == kube_pod).collect();
            if !pods.is_empty() {
                notes.push(format!(
                    "workload pods found through the alert's kube_pod {kube_pod}"
                ));
            }
        }

        let events: &[Event] = ev.events().map_or(&[], |e| e.warning_events.as_slice());
        let mut pod_names: Vec<String> = pods.iter().map(|p| p.name.clone()).collect();
        if ev.pods().is_none() {
            // Without the pod list, the workload's pods are the ones events and logs name.
            for e in events {
                if let Some(name) = e.involved_object.strip_prefix("Pod/")
                    && belongs(name, workload, wtype, &others, Naming::Loose)
                    && !pod_names.iter().any(|n| n == name)
                {
                    pod_names.push(name.to_owned());
                }
            }
            if let Some(logs) = ev.pod_logs()
                && belongs(&logs.pod_name, workload, wtype, &others, Naming::Loose)
                && !pod_names.contains(&logs.pod_name)
            {
                pod_names.push(logs.pod_name.clone());
            }
        }

        let nodes: &[Node] = ev.nodes().map_or(&[], |n| n.nodes.as_slice());
        let datadog: &[DatadogLog] = ev.datadog_logs().map_or(&[], |l| l.logs.as_slice());
        View {
            case,
            ns,
            workload,
            pods,
            pod_names,
            events,
            nodes,
            datadog,
            texts: std::cell::OnceCell::new(),
            notes,
        }
    }

    fn texts(&self) -> &[Text<'a>] {
        self.texts.get_or_init(|| self.collect_texts())
    }

    /// Pod logs of the workload's pods, Datadog logs about the workload, and monitors in an
    /// alerting state that name it.
    fn collect_texts(&self) -> Vec<Text<'a>> {
        let mut texts = Vec::new();
        let ev = &self.case.evidence;
        if let Some(logs) = ev.pod_logs() {
            let ours = self.pod_names.contains(&logs.pod_name)
                || (self.pod_names.is_empty() && logs.pod_name.starts_with(self.workload));
            if ours && (logs.namespace.is_empty() || logs.namespace == self.ns) {
                for line in logs.logs.lines().filter(|l| !l.trim().is_empty()) {
                    texts.push(Text::new(Origin::PodLogs(&logs.pod_name), line));
                }
            }
        }
        for (i, log) in self.datadog.iter().enumerate() {
            if self.datadog_about_us(log) {
                texts.push(Text::new(Origin::Datadog(i), &log.message));
            }
        }
        if let Some(monitors) = ev.datadog_monitors() {
            for m in &monitors.monitors {
                let state = m.overall_state.to_lowercase();
                if state != "alert" && state != "warn" {
                    continue;
                }
                let mut all = m.name.clone();
                for part in [m.query.as_deref(), m.message.as_deref()]
                    .into_iter()
                    .flatten()
                {
                    all.push(' ');
                    all.push_str(part);
                }
                let about_us = contains_word(&all, self.workload)
                    || m.tags.iter().any(|t| tag_value(t) == Some(self.workload));
                if about_us && let Some(message) = m.message.as_deref() {
                    texts.push(Text::new(Origin::Monitor(m), message));
                }
            }
        }
        texts
    }

    /// Whether a Datadog log record is about the alerted workload: its namespace tag does not
    /// contradict, and it names the workload or one of its pods, or names no workload at all.
    fn datadog_about_us(&self, log: &DatadogLog) -> bool {
        let mut identified = false;
        for tag in &log.tags {
            let Some((key, value)) = tag.split_once(':') else {
                continue;
            };
            match key {
                "kube_namespace" | "namespace" if value != self.ns => return false,
                "kube_deployment" | "kube_statefulset" | "kube_daemonset" | "kube_job"
                | "kube_cronjob" | "kube_replica_set" | "kube_service" | "service" | "app" => {
                    if value == self.workload || value.starts_with(&format!("{}-", self.workload)) {
                        return true;
                    }
                    identified = true;
                }
                "pod_name" | "kube_pod" | "pod" => {
                    if self.pod_names.iter().any(|p| p == value) {
                        return true;
                    }
                    identified = true;
                }
                _ => {}
            }
        }
        if let Some(service) = log.service.as_deref().filter(|s| !s.is_empty()) {
            if service == self.workload
                || self.workload.starts_with(service)
                || service.starts_with(self.workload)
            {
                return true;
            }
            identified = true;
        }
        if self
            .pod_names
            .iter()
            .any(|p| log.message.contains(p.as_str()))
        {
            return true;
        }
        !identified
    }

    fn decide(&self) -> Verdict {
        let mut best: Option<(Verdict, (u8, bool, u32))> = None;
        let kube_pod = self.case.alert.common_annotations.kube_pod.as_deref();
        for pod in &self.pods {
            let Some(v) = self.judge_pod(pod) else {
                continue;
            };
            let restarts = pod
                .containers
                .iter()
                .map(|c| c.restart_count)
                .max()
                .unwrap_or(0);
            let key = (v.rank, kube_pod == Some(pod.name.as_str()), restarts);
            if best.as_ref().is_none_or(|(_, k)| key > *k) {
                best = Some((v, key));
            }
        }
        if let Some((v, _)) = best {
            return v;
        }
        if !self.pods.is_empty() {
            return self.healthy_pods();
        }
        // No pod of the workload in sight: events, then logs, then (weakly) the alert.
        if let Some(v) = self.judge_events_only() {
            return v;
        }
        if let Some(v) = self.judge_logs_only() {
            return v;
        }
        self.judge_nothing()
    }

    /// The verdict when every container of the workload is running and ready.
    fn healthy_pods(&self) -> Verdict {
        let mut cites = Vec::new();
        for pod in &self.pods {
            let restarts: u32 = pod.containers.iter().map(|c| c.restart_count).sum();
            let history = if restarts > 0 {
                format!(", {restarts} old restarts are history: no current failure")
            } else {
                String::new()
            };
            cites.push(format!(
                "eks_pods.json pods[{}]: phase={} all containers running and ready{history}",
                pod.name, pod.phase
            ));
        }
        if let Some(d) = self.deployment() {
            cites.push(format!(
                "eks_deployments.json deployments[{}]: ready {}/{}",
                d.name,
                d.ready.unwrap_or(0),
                d.desired
            ));
        }
        Verdict::healthy(0.85).cite(cites)
    }

    fn deployment(&self) -> Option<&'a scenario::files::Deployment> {
        self.case
            .evidence
            .deployments()?
            .deployments
            .iter()
            .find(|d| d.name == self.workload)
    }

    /// Warning events about a pod (involved object `Pod/<name>`).
    fn pod_events(&self, pod: &str) -> Vec<&'a Event> {
        self.events
            .iter()
            .filter(|e| e.involved_object.strip_prefix("Pod/") == Some(pod))
            .collect()
    }

    fn node(&self, name: Option<&str>) -> Option<&'a Node> {
        let name = name?;
        self.nodes.iter().find(|n| n.name == name)
    }

    fn judge_pod(&self, pod: &'a Pod) -> Option<Verdict> {
        let events = self.pod_events(&pod.name);
        // An evicted pod's containers are terminated (137, ContainerStatusUnknown): the
        // eviction, not the exit code, is the story.
        if let Some(v) = self.eviction(pod, &events) {
            return Some(v);
        }
        let mut best: Option<Verdict> = None;
        for c in &pod.containers {
            if let Some(v) = self.judge_container(pod, c, &events)
                && best.as_ref().is_none_or(|b| v.rank > b.rank)
            {
                best = Some(v);
            }
        }
        if best.is_some() {
            return best;
        }
        self.judge_pod_level(pod, &events)
    }

    /// An `Evicted` event, or a pod condition saying the kubelet evicted it.
    fn eviction(&self, pod: &Pod, events: &[&'a Event]) -> Option<Verdict> {
        let pod_cite = format!("eks_pods.json pods[{}]: phase={}", pod.name, pod.phase);
        let cite = if let Some(e) = events.iter().find(|e| e.reason == "Evicted") {
            cite_event(e)
        } else {
            let c = pod.conditions.iter().find(|c| {
                c.reason.as_deref() == Some("Evicted")
                    || (c.kind == "DisruptionTarget"
                        && c.status == "True"
                        && c.reason.as_deref() == Some("TerminationByKubelet"))
            })?;
            format!(
                "eks_pods.json pods[{}].conditions[{}]: reason={} {}",
                pod.name,
                c.kind,
                c.reason.as_deref().unwrap_or(""),
                quote(c.message.as_deref().unwrap_or(""))
            )
        };
        Some(
            Verdict::mode(
                FailureMode::EvictedPods,
                Category::ResourceExhaustion,
                0.75,
                rank::POD_LEVEL,
            )
            .at(&pod.name, None)
            .cite([pod_cite, cite]),
        )
    }

    fn judge_container(
        &self,
        pod: &'a Pod,
        c: &'a ContainerStatus,
        events: &[&'a Event],
    ) -> Option<Verdict> {
        let s = &c.state;
        let reason = s.reason.as_deref().unwrap_or("");
        let message = s.message.as_deref().unwrap_or("");
        let state_cite = |what: &str| {
            let mut cite = format!(
                "eks_pods.json pods[{}].containers[{}]: {what}",
                pod.name, c.name
            );
            if !reason.is_empty() {
                cite.push_str(&format!(" reason={reason}"));
            }
            if let Some(code) = s.exit_code {
                cite.push_str(&format!(" exit_code={code}"));
            }
            cite.push_str(&format!(" restart_count={}", c.restart_count));
            if !message.is_empty() {
                cite.push_str(&format!(" message={}", quote(message)));
            }
            cite
        };
        match s.kind() {
            StateKind::Terminated => {
                let backoff = events.iter().any(|e| is_backoff_restart(e));
                if s.exit_code == Some(0) && !backoff && c.restart_count == 0 {
                    return None; // a finished run (Job) is not a failure
                }
                let cites = vec![state_cite("terminated")];
                Some(self.crash(
                    pod,
                    c,
                    s.exit_code,
                    reason,
                    message,
                    events,
                    cites,
                    rank::STATE,
                ))
            }
            StateKind::Waiting => match reason {
                "CrashLoopBackOff"
                | "RunContainerError"
                | "StartError"
                | "ContainerCannotRun"
                | "CreateContainerError" => {
                    let mut cites = vec![state_cite("waiting")];
                    let code = s
                        .exit_code
                        .or_else(|| self.code_from_text(events, &mut cites));
                    Some(self.crash(pod, c, code, reason, message, events, cites, rank::STATE))
                }
                "ErrImagePull"
                | "ImagePullBackOff"
                | "InvalidImageName"
                | "ErrImageNeverPull"
                | "RegistryUnavailable" => {
                    Some(self.image_pull(pod, c, reason, message, events, state_cite("waiting")))
                }
                "CreateContainerConfigError" => Some(
                    Verdict::cause(RootCause::MissingConfig, 0.9, rank::STATE)
                        .at(&pod.name, Some(&c.name))
                        .cite([state_cite("waiting")])
                        .cite(
                            events
                                .iter()
                                .filter(|e| missing_object(&e.message.to_lowercase()))
                                .take(1)
                                .map(|e| cite_event(e)),
                        ),
                ),
                _ => {
                    // ContainerCreating / PodInitializing: a missing Secret or ConfigMap volume
                    // shows up as FailedMount events instead.
                    let mount = events.iter().find(|e| {
                        e.reason == "FailedMount" && missing_object(&e.message.to_lowercase())
                    })?;
                    Some(
                        Verdict::cause(RootCause::MissingConfig, 0.7, rank::STATE)
                            .at(&pod.name, Some(&c.name))
                            .cite([state_cite("waiting"), cite_event(mount)]),
                    )
                }
            },
            StateKind::Running if !c.ready => {
                let backoff: Vec<&Event> = events
                    .iter()
                    .copied()
                    .filter(|e| is_backoff_restart(e))
                    .collect();
                if let Some(v) = self.probe_failure(pod, c, events) {
                    return Some(v);
                }
                if !backoff.is_empty() || c.restart_count > 0 && self.workload_unavailable() {
                    // Between two crashes of a crash loop: the cause lies in logs and events.
                    let mut cites = vec![state_cite("running, not ready")];
                    cites.extend(backoff.iter().take(1).map(|e| cite_event(e)));
                    let code = self.code_from_text(events, &mut cites);
                    return Some(self.crash(
                        pod,
                        c,
                        code,
                        "",
                        "",
                        events,
                        cites,
                        rank::BETWEEN_RESTARTS,
                    ));
                }
                None
            }
            StateKind::Running => {
                // Running and ready now. Only a crash loop still going on (a fresh BackOff for this
                // very pod while the workload is short of replicas) overrides "healthy".
                let backoff = events.iter().copied().find(|e| is_backoff_restart(e))?;
                if !self.workload_unavailable() {
                    return None;
                }
                let mut cites = vec![state_cite("running, ready"), cite_event(backoff)];
                let code = self.code_from_text(events, &mut cites);
                let mut v = self.crash(pod, c, code, "", "", events, cites, rank::BETWEEN_RESTARTS);
                v.confidence *= 0.7;
                Some(v)
            }
            StateKind::Unknown => None,
        }
    }

    /// Whether the alerted workload is short of ready replicas.
    fn workload_unavailable(&self) -> bool {
        self.deployment().is_some_and(|d| {
            d.unavailable.unwrap_or(0) > 0 || d.ready.unwrap_or(d.desired) < d.desired
        })
    }

    /// The cause of a container that exits: exit code and reason first, then node, events, logs.
    #[expect(
        clippy::too_many_arguments,
        reason = "one call shape for every crash path"
    )]
    fn crash(
        &self,
        pod: &Pod,
        c: &ContainerStatus,
        code: Option<i32>,
        reason: &str,
        message: &str,
        events: &[&'a Event],
        mut cites: Vec<String>,
        rank: u8,
    ) -> Verdict {
        let at =
            |v: Verdict, cites: Vec<String>| v.at(&pod.name, Some(&c.name)).code(code).cite(cites);
        let node_oom = self.node_oom(pod);
        let liveness = events
            .iter()
            .copied()
            .find(|e| is_liveness_kill(e, &c.name));
        let start_text = message.to_lowercase();
        let hint = self.hint(&start_text, events);

        if reason.eq_ignore_ascii_case("OOMKilled") {
            return match node_oom {
                Some(node) => {
                    cites.extend(node);
                    at(Verdict::cause(RootCause::NodeOom, 0.85, rank), cites)
                }
                None => {
                    cites.extend(self.memory_pressure_note(pod));
                    at(Verdict::cause(RootCause::ContainerOom, 0.92, rank), cites)
                }
            };
        }
        let start_error = matches!(reason, "StartError" | "ContainerCannotRun");
        match code {
            Some(137) => {
                if let Some(node) = node_oom {
                    cites.extend(node);
                    return at(Verdict::cause(RootCause::NodeOom, 0.8, rank), cites);
                }
                if let Some(e) = liveness {
                    cites.push(cite_event(e));
                    cites.push("137 is SIGKILL after a failed liveness probe, not an OOM".into());
                    return at(
                        Verdict::mode(
                            FailureMode::ProbeFailure,
                            Category::ConfigurationError,
                            0.65,
                            rank,
                        ),
                        cites,
                    );
                }
                if let Some(cite) = self.cgroup_oom(pod) {
                    cites.push(cite);
                    return at(Verdict::cause(RootCause::ContainerOom, 0.7, rank), cites);
                }
                if let Some((Hint::Oom, cite)) = &hint {
                    cites.push(cite.clone());
                    return at(Verdict::cause(RootCause::ContainerOom, 0.6, rank), cites);
                }
                cites.push(
                    "137 without OOMKilled is a SIGKILL of unknown origin, not evidence of OOM"
                        .into(),
                );
                return at(
                    Verdict::mode(FailureMode::CrashloopBackoff, Category::Unknown, 0.35, rank),
                    cites,
                );
            }
            Some(139) => {
                cites.push("exit 139 = SIGSEGV".into());
                cites.extend(hint.filter(|h| h.0 == Hint::Segfault).map(|h| h.1));
                return at(Verdict::cause(RootCause::Segfault, 0.85, rank), cites);
            }
            Some(126) => {
                cites.push("exit 126 = found but not executable".into());
                cites.extend(hint.map(|h| h.1));
                return at(
                    Verdict::cause(RootCause::PermissionDenied, 0.85, rank),
                    cites,
                );
            }
            Some(127) => {
                cites.push("exit 127 = command not found".into());
                cites.extend(hint.map(|h| h.1));
                return at(
                    Verdict::cause(RootCause::CommandNotFound, 0.85, rank),
                    cites,
                );
            }
            Some(143) => {
                if let Some(e) = liveness {
                    cites.push(cite_event(e));
                    return at(
                        Verdict::mode(
                            FailureMode::ProbeFailure,
                            Category::ConfigurationError,
                            0.6,
                            rank,
                        ),
                        cites,
                    );
                }
                cites.push("exit 143 = SIGTERM: something stops the container".into());
                return at(
                    Verdict::mode(FailureMode::CrashloopBackoff, Category::Unknown, 0.35, rank),
                    cites,
                );
            }
            _ => {}
        }
        if start_error || code == Some(128) {
            let cause = match &hint {
                Some((Hint::PermissionDenied, _)) => RootCause::PermissionDenied,
                _ => RootCause::CommandNotFound,
            };
            cites.push(format!(
                "{} = the runtime could not start the entrypoint",
                if start_error { reason } else { "exit 128" }
            ));
            cites.extend(hint.map(|h| h.1));
            return at(Verdict::cause(cause, 0.8, rank), cites);
        }
        // Exit 1/2/3/255/0/other, or no code at all: the text decides.
        let known_code = code.is_some();
        if !known_code && let Some(node) = &node_oom {
            // No exit code in sight (the tool drops lastState), but the kernel OOM killer fired
            // on this pod's node: the SOP's node-level OOM.
            let pressure = self
                .node(pod.node_name.as_deref())
                .is_some_and(|n| n.memory_pressure == ConditionStatus::True);
            cites.extend(node.iter().cloned());
            return at(
                Verdict::cause(RootCause::NodeOom, if pressure { 0.7 } else { 0.55 }, rank),
                cites,
            );
        }
        if !known_code
            && node_oom.is_none()
            && let Some(cite) = self.cgroup_oom(pod)
        {
            cites.push(cite);
            return at(Verdict::cause(RootCause::ContainerOom, 0.55, rank), cites);
        }
        match hint {
            Some((Hint::Oom, cite)) if !known_code => {
                cites.push(cite);
                let cause = if node_oom.is_some() {
                    RootCause::NodeOom
                } else {
                    RootCause::ContainerOom
                };
                cites.extend(node_oom.into_iter().flatten());
                at(Verdict::cause(cause, 0.6, rank), cites)
            }
            Some((Hint::Segfault, cite)) if !known_code => {
                cites.push(cite);
                at(Verdict::cause(RootCause::Segfault, 0.6, rank), cites)
            }
            Some((Hint::Oom | Hint::Segfault, _)) | None => {
                if let Some(e) = liveness {
                    cites.push(cite_event(e));
                    return at(
                        Verdict::mode(
                            FailureMode::ProbeFailure,
                            Category::ConfigurationError,
                            0.55,
                            rank,
                        ),
                        cites,
                    );
                }
                if !known_code
                    && !self.texts().iter().any(|t| t.crash)
                    && let Some(cite) = self.memory_at_limit()
                {
                    // No exit code, no error in the logs (they stop mid-flow), and memory at
                    // the container's limit: the SOP's container-level OOM, weakly.
                    cites.push(cite);
                    return at(Verdict::cause(RootCause::ContainerOom, 0.45, rank), cites);
                }
                let confidence = if known_code { 0.7 } else { 0.5 };
                if let Some(line) = self.last_fatal_line() {
                    cites.push(line);
                }
                at(Verdict::cause(RootCause::AppError, confidence, rank), cites)
            }
            Some((h, cite)) => {
                cites.push(cite);
                at(
                    Verdict::cause(h.cause(), if known_code { 0.75 } else { 0.6 }, rank),
                    cites,
                )
            }
        }
    }

    /// The strongest reason in the container's start message, its events and the workload's logs.
    /// The last fatal-looking line of a log decides over earlier warnings.
    fn hint(&self, start_text: &str, events: &[&'a Event]) -> Option<(Hint, String)> {
        if let Some(h) = text_hint(start_text) {
            return Some((h, format!("container state message {}", quote(start_text))));
        }
        for e in events {
            let lower = e.message.to_lowercase();
            if (e.reason == "Failed"
                || e.reason == "FailedMount"
                || e.reason == "FailedCreatePodContainer")
                && let Some(h) = text_hint(&lower)
            {
                return Some((h, cite_event(e)));
            }
        }
        // Kernel OOM lines about the workload's process (node logs shipped to Datadog).
        let mut found: Option<(Hint, String)> = None;
        let fatal: Vec<&Text<'a>> = self.texts().iter().filter(|t| t.fatal).collect();
        if let Some(t) = fatal.iter().rev().find(|t| t.hint.is_some()) {
            let h = t.hint?;
            // A fatal line with its own unrecognised cause (a panic, a stack trace) after the
            // hint wins: the hint was a warning on the way.
            let last = fatal.last().copied();
            if last.is_some_and(|l| std::ptr::eq(l, *t) || l.hint.is_some() || !l.crash) {
                found = Some((h, cite_text(t)));
            }
        }
        if found.is_none() {
            let mut best: Option<(Hint, &Text<'a>)> = None;
            for t in self.texts() {
                if let Some(h) = t.hint
                    && best.as_ref().is_none_or(|(b, _)| h > *b)
                {
                    best = Some((h, t));
                }
            }
            if fatal.iter().all(|l| !l.crash) {
                found = best.map(|(h, t)| (h, cite_text(t)));
            }
        }
        found
    }

    fn last_fatal_line(&self) -> Option<String> {
        self.texts().iter().rev().find(|t| t.fatal).map(cite_text)
    }

    /// Evidence of a kernel (node-level) OOM on the pod's node: an `OOMKilling` event on that
    /// node that is not a cgroup OOM, or a kernel "Out of memory: Killed process" line from it.
    fn node_oom(&self, pod: &Pod) -> Option<Vec<String>> {
        let node = pod.node_name.as_deref();
        let on_node = |object: &str| match (object.strip_prefix("Node/"), node) {
            (Some(n), Some(node)) => n == node,
            (Some(_), None) => true,
            _ => false,
        };
        let mut cites = Vec::new();
        for e in self.events {
            let lower = e.message.to_lowercase();
            if e.reason == "OOMKilling"
                && on_node(&e.involved_object)
                && !lower.contains("memory cgroup")
            {
                cites.push(cite_event(e));
                break;
            }
        }
        if cites.is_empty() {
            for (i, log) in self.datadog.iter().enumerate() {
                let lower = log.message.to_lowercase();
                let host_ok = match (log.host.as_deref(), node) {
                    (Some(h), Some(n)) => h == n,
                    _ => true,
                };
                if host_ok
                    && lower.contains("out of memory: kill")
                    && !lower.contains("memory cgroup")
                {
                    cites.push(format!(
                        "datadog_logs.json logs[{i}]: {}",
                        quote(&log.message)
                    ));
                    break;
                }
            }
        }
        if cites.is_empty() {
            return None;
        }
        if let Some(n) = self.node(node) {
            cites.push(format!(
                "eks_node_health.json nodes[{}]: memory_pressure={:?}",
                n.name, n.memory_pressure
            ));
        }
        Some(cites)
    }

    /// Evidence of a cgroup (container-level) OOM kill on the pod's node: the kernel's
    /// `Memory cgroup out of memory: Killed process ...`, as an `OOMKilling` event or a node log
    /// line in Datadog. The kernel line names the process, not the pod, so this is weaker than
    /// the container's own `OOMKilled`.
    fn cgroup_oom(&self, pod: &Pod) -> Option<String> {
        let node = pod.node_name.as_deref();
        for e in self.events {
            if e.reason == "OOMKilling"
                && e.message
                    .to_lowercase()
                    .contains("memory cgroup out of memory")
                && match (e.involved_object.strip_prefix("Node/"), node) {
                    (Some(n), Some(node)) => n == node,
                    (Some(_), None) => true,
                    _ => false,
                }
            {
                return Some(cite_event(e));
            }
        }
        for (i, log) in self.datadog.iter().enumerate() {
            let host_ok = match (log.host.as_deref(), node) {
                (Some(h), Some(n)) => h == n,
                _ => true,
            };
            if host_ok
                && log
                    .message
                    .to_lowercase()
                    .contains("memory cgroup out of memory")
            {
                return Some(format!(
                    "datadog_logs.json logs[{i}]: {}",
                    quote(&log.message)
                ));
            }
        }
        None
    }

    /// Memory of the workload at its limit: a monitor about it alerting on memory against the
    /// limit (or OOM), or a log line putting memory or heap usage at 90% or more.
    fn memory_at_limit(&self) -> Option<String> {
        if let Some(monitors) = self.case.evidence.datadog_monitors() {
            for m in &monitors.monitors {
                let state = m.overall_state.to_lowercase();
                if state != "alert" && state != "warn" {
                    continue;
                }
                let text = format!(
                    "{} {} {}",
                    m.name,
                    m.query.as_deref().unwrap_or(""),
                    m.message.as_deref().unwrap_or("")
                )
                .to_lowercase();
                let about_us = contains_word(&text, self.workload)
                    || m.tags.iter().any(|t| tag_value(t) == Some(self.workload));
                if about_us
                    && text.contains("memory")
                    && (text.contains("limit") || text.contains("oom"))
                {
                    return Some(format!(
                        "datadog_monitors.json monitors[{} \"{}\"]: {}",
                        m.id_label(),
                        m.name,
                        m.overall_state
                    ));
                }
            }
        }
        self.texts()
            .iter()
            .rev()
            .find(|t| {
                (t.lower.contains("memory") || t.lower.contains("heap"))
                    && max_percent(&t.lower) >= 90
            })
            .map(cite_text)
    }

    fn memory_pressure_note(&self, pod: &Pod) -> Option<String> {
        let n = self.node(pod.node_name.as_deref())?;
        (n.memory_pressure == ConditionStatus::True).then(|| {
            format!(
                "eks_node_health.json nodes[{}]: memory_pressure=True but no kernel OOM on the node: the cgroup limit was hit",
                n.name
            )
        })
    }

    fn probe_failure(
        &self,
        pod: &Pod,
        c: &ContainerStatus,
        events: &[&'a Event],
    ) -> Option<Verdict> {
        let e = events.iter().copied().find(|e| {
            e.reason == "Unhealthy"
                && (e.message.contains("Liveness probe failed")
                    || e.message.contains("Readiness probe failed"))
                || is_liveness_kill(e, &c.name)
        })?;
        Some(
            Verdict::mode(
                FailureMode::ProbeFailure,
                Category::ConfigurationError,
                0.6,
                rank::BETWEEN_RESTARTS,
            )
            .at(&pod.name, Some(&c.name))
            .cite([
                format!(
                    "eks_pods.json pods[{}].containers[{}]: running, not ready",
                    pod.name, c.name
                ),
                cite_event(e),
            ]),
        )
    }

    fn image_pull(
        &self,
        pod: &Pod,
        c: &ContainerStatus,
        reason: &str,
        message: &str,
        events: &[&'a Event],
        state: String,
    ) -> Verdict {
        let mut cites = vec![state];
        let mut cause = if reason == "InvalidImageName" {
            Some(RootCause::InvalidImageName)
        } else {
            // ErrImagePull carries the runtime's error; ImagePullBackOff only names the image.
            pull_error_cause(message)
        };
        if cause.is_none() {
            for e in events {
                let lower = e.message.to_lowercase();
                if (lower.contains("failed to pull image")
                    || lower.contains("invalidimagename")
                    || lower.contains("failed to apply default image tag"))
                    && let Some(found) = pull_error_cause(&e.message)
                {
                    cites.push(cite_event(e));
                    cause = Some(found);
                    break;
                }
            }
        }
        match cause {
            Some(cause) => Verdict::cause(cause, 0.9, rank::STATE)
                .at(&pod.name, Some(&c.name))
                .cite(cites),
            None => {
                cites.push("no registry error text in the evidence: the most common cause (a wrong tag) assumed".into());
                Verdict::cause(RootCause::ImageNotFound, 0.45, rank::STATE)
                    .at(&pod.name, Some(&c.name))
                    .cite(cites)
            }
        }
    }

    /// Pod-level failures when no container says anything: scheduling, eviction, the node.
    fn judge_pod_level(&self, pod: &Pod, events: &[&'a Event]) -> Option<Verdict> {
        let pod_cite = format!("eks_pods.json pods[{}]: phase={}", pod.name, pod.phase);
        if pod.phase == "Pending" {
            let scheduling = events.iter().find(|e| e.reason == "FailedScheduling");
            let unscheduled = pod.node_name.as_deref().is_none_or(str::is_empty)
                || pod
                    .conditions
                    .iter()
                    .any(|c| c.kind == "PodScheduled" && c.status == "False");
            if let Some(e) = scheduling {
                let lower = e.message.to_lowercase();
                let category = if lower.contains("insufficient") || lower.contains("too many pods")
                {
                    Category::ResourceExhaustion
                } else {
                    Category::ConfigurationError
                };
                return Some(
                    Verdict::mode(FailureMode::PendingPod, category, 0.7, rank::POD_LEVEL)
                        .at(&pod.name, None)
                        .cite([pod_cite, cite_event(e)]),
                );
            }
            if unscheduled {
                return Some(
                    Verdict::mode(
                        FailureMode::PendingPod,
                        Category::Unknown,
                        0.4,
                        rank::POD_LEVEL,
                    )
                    .at(&pod.name, None)
                    .cite([format!("{pod_cite}, not scheduled to a node")]),
                );
            }
        }
        // A node that stopped reporting: its pods' container flags are stale, so they do not
        // count as evidence of health.
        if let Some(n) = self.node(pod.node_name.as_deref())
            && n.ready != ConditionStatus::True
        {
            let stale = pod.containers.iter().all(|c| c.ready);
            return Some(
                Verdict::mode(
                    FailureMode::NodeNotReady,
                    Category::Infrastructure,
                    if stale { 0.6 } else { 0.75 },
                    rank::POD_LEVEL,
                )
                .at(&pod.name, None)
                .cite([
                    pod_cite,
                    format!(
                        "eks_node_health.json nodes[{}]: ready={:?}",
                        n.name, n.ready
                    ),
                ]),
            );
        }
        None
    }

    /// No pod list: judge from the workload's pod events.
    fn judge_events_only(&self) -> Option<Verdict> {
        let mut best: Option<Verdict> = None;
        for name in &self.pod_names {
            let events = self.pod_events(name);
            if events.is_empty() {
                continue;
            }
            let container = events.iter().find_map(|e| container_in_message(&e.message));
            let mut v: Option<Verdict> = None;
            if let Some(e) = events
                .iter()
                .find(|e| e.message.to_lowercase().contains("failed to pull image"))
            {
                let cause = pull_error_cause(&e.message).unwrap_or(RootCause::ImageNotFound);
                v = Some(Verdict::cause(cause, 0.7, rank::EVENTS_ONLY).cite([cite_event(e)]));
            } else if let Some(e) = events
                .iter()
                .find(|e| missing_object(&e.message.to_lowercase()))
            {
                v = Some(
                    Verdict::cause(RootCause::MissingConfig, 0.7, rank::EVENTS_ONLY)
                        .cite([cite_event(e)]),
                );
            } else if let Some(e) = events.iter().find(|e| is_backoff_restart(e)) {
                let pod = Pod {
                    name: name.clone(),
                    ..Pod::default()
                };
                let status = ContainerStatus {
                    name: container.clone().unwrap_or_default(),
                    ..ContainerStatus::default()
                };
                let mut cites = vec![cite_event(e)];
                let code = self.code_from_text(&events, &mut cites);
                let mut crash = self.crash(
                    &pod,
                    &status,
                    code,
                    "",
                    "",
                    &events,
                    cites,
                    rank::EVENTS_ONLY,
                );
                crash.confidence *= 0.85;
                crash.pod = None;
                v = Some(crash);
            } else if let Some((e, mode, category)) =
                EVENT_ONLY_MODES
                    .iter()
                    .find_map(|&(reason, mode, category)| {
                        let e = events.iter().find(|e| e.reason == reason)?;
                        Some((e, mode, category))
                    })
            {
                v = Some(
                    Verdict::mode(mode, category, 0.5, rank::EVENTS_ONLY).cite([cite_event(e)]),
                );
            }
            if let Some(mut v) = v {
                v.pod = Some(name.clone());
                v.container = v.container.filter(|c| !c.is_empty()).or(container);
                v.cites
                    .push("eks_pods unavailable: pod state not seen, judged from events".into());
                if best.as_ref().is_none_or(|b| v.confidence > b.confidence) {
                    best = Some(v);
                }
            }
        }
        if best.is_none() {
            // Quota: the ReplicaSet cannot create pods at all.
            if let Some(e) = self.events.iter().find(|e| {
                e.reason == "FailedCreate"
                    && e.message.contains("exceeded quota")
                    && e.involved_object.contains(self.workload)
            }) {
                return Some(
                    Verdict::mode(
                        FailureMode::ResourceQuotaExceeded,
                        Category::ResourceExhaustion,
                        0.6,
                        rank::EVENTS_ONLY,
                    )
                    .cite([cite_event(e)]),
                );
            }
        }
        best
    }

    /// Neither pods nor pod events: a crash reason in the workload's logs, weakly.
    fn judge_logs_only(&self) -> Option<Verdict> {
        let fatal = self
            .texts()
            .iter()
            .rev()
            .find(|t| t.fatal && t.hint.is_some())?;
        let h = fatal.hint?;
        let mut v = Verdict::cause(h.cause(), 0.35, rank::LOGS_ONLY).cite([cite_text(fatal)]);
        v.pod = self.pod_names.first().cloned();
        v.cites
            .push("no pod state or pod events: judged from logs only".into());
        Some(v)
    }

    /// Nothing about the workload at all.
    fn judge_nothing(&self) -> Verdict {
        let ev = &self.case.evidence;
        if ev.pods().is_some() {
            // The pod list answered and holds no pod of the workload.
            return Verdict::mode(FailureMode::Unknown, Category::Unknown, 0.1, rank::HEALTHY)
                .cite([format!(
                    "eks_pods.json: no pod of {}/{} in the list",
                    self.ns, self.workload
                )]);
        }
        Verdict::healthy(0.3).cite(["no failure signal in the available evidence".to_owned()])
    }

    /// An exit code read from events or logs (`exit code 137`, `exitCode: 1`, `exited with code 3`).
    fn code_from_text(&self, events: &[&Event], cites: &mut Vec<String>) -> Option<i32> {
        for e in events {
            if let Some(code) = find_exit_code(&e.message.to_lowercase()) {
                cites.push(cite_event(e));
                return Some(code);
            }
        }
        for t in self.texts() {
            if let Some(code) = find_exit_code(&t.lower) {
                cites.push(cite_text(t));
                return Some(code);
            }
        }
        None
    }
}

/// The evidence sources that are missing or unavailable: (name, missing, error).
fn unavailable_sources(case: &Case) -> Vec<(&'static str, bool, String)> {
    use scenario::Source;
    let ev = &case.evidence;
    fn state<T>(s: Option<&Source<T>>) -> Option<(bool, String)> {
        match s {
            None => Some((true, String::new())),
            Some(Source::Unavailable { error }) => Some((false, error.clone())),
            Some(Source::Available(_)) => None,
        }
    }
    let all = [
        ("eks_pods", state(ev.eks_pods.as_ref())),
        ("eks_events", state(ev.eks_events.as_ref())),
        ("eks_deployments", state(ev.eks_deployments.as_ref())),
        ("eks_node_health", state(ev.eks_node_health.as_ref())),
        ("eks_pod_logs", state(ev.eks_pod_logs.as_ref())),
        ("datadog_logs", state(ev.datadog_logs.as_ref())),
        ("datadog_monitors", state(ev.datadog_monitors.as_ref())),
    ];
    all.into_iter()
        .filter_map(|(n, s)| s.map(|(m, e)| (n, m, e)))
        .collect()
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.trim().is_empty()).then_some(s)
}

/// How strictly a pod name must look generated by its controller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Naming {
    /// Kubernetes' own shapes: a ReplicaSet hash and a 5-character suffix from the alphabet
    /// the API server uses for generated names (no vowels, no 0/1/3), a numeric ordinal, ...
    Strict,
    /// The same segment counts and lengths with any lowercase letters and digits (hand-written
    /// fixtures).
    Loose,
}

/// Whether `pod` is named like a pod of workload `name` of this type: `<name>-<hash>-<suffix>`
/// (Deployment), `<name>-<n>` (StatefulSet), `<name>-<suffix>` (DaemonSet, Job, ReplicaSet),
/// `<name>-<schedule time>-<suffix>` (CronJob). A longer workload name from `others` that also
/// fits wins (`api-worker-7d9f-x7gr9` is not a pod of `api`).
fn belongs(pod: &str, name: &str, wtype: WorkloadType, others: &[&str], naming: Naming) -> bool {
    if name.is_empty() || !fits(pod, name, wtype, naming) {
        return false;
    }
    !claimed_by_other(pod, name, others)
}

/// Whether a longer workload name than `name` in `others` also names this pod.
fn claimed_by_other(pod: &str, name: &str, others: &[&str]) -> bool {
    others.iter().any(|o| {
        o.len() > name.len()
            && o.starts_with(name)
            && fits(pod, o, WorkloadType::Deployment, Naming::Loose)
    })
}

fn fits(pod: &str, name: &str, wtype: WorkloadType, naming: Naming) -> bool {
    let Some(rest) = pod.strip_prefix(name).and_then(|r| r.strip_prefix('-')) else {
        return false;
    };
    let segments: Vec<&str> = rest.split('-').collect();
    let alnum = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    if !segments.iter().all(|s| alnum(s)) {
        return false;
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    // Loose naming drops the alphabet check, not the lengths.
    let generated = |s: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&s.len())
            && (naming == Naming::Loose
                || s.bytes()
                    .all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b)))
    };
    match (wtype, segments.as_slice()) {
        (WorkloadType::Statefulset, [ordinal]) => digits(ordinal),
        (WorkloadType::Deployment, [hash, suffix]) => {
            generated(hash, 4..=10) && generated(suffix, 5..=5)
        }
        (WorkloadType::Deployment, [suffix]) => naming == Naming::Loose && generated(suffix, 5..=5),
        (WorkloadType::Cronjob, [time, suffix]) => digits(time) && generated(suffix, 5..=5),
        (WorkloadType::Daemonset | WorkloadType::Job | WorkloadType::Replicaset, [suffix]) => {
            generated(suffix, 5..=5)
        }
        _ => false,
    }
}

fn is_backoff_restart(e: &Event) -> bool {
    e.reason == "BackOff"
        && e.message
            .to_lowercase()
            .contains("restarting failed container")
}

fn is_liveness_kill(e: &Event, container: &str) -> bool {
    let m = &e.message;
    (e.reason == "Unhealthy" && m.contains("Liveness probe failed"))
        || (e.reason == "Killing"
            && m.contains("failed liveness probe")
            && (container.is_empty() || m.contains(container)))
}

/// `configmap "x" not found`, `secret "x" not found`, `couldn't find key K in Secret ns/name`.
fn missing_object(lower: &str) -> bool {
    ((lower.contains("configmap") || lower.contains("secret")) && lower.contains("not found"))
        || lower.contains("couldn't find key")
        || lower.contains("createcontainerconfigerror")
}

/// The container name in `Back-off restarting failed container api in pod ...` or
/// `Container api failed liveness probe`.
fn container_in_message(message: &str) -> Option<String> {
    let after = message
        .split_once("failed container ")
        .map(|(_, r)| r)
        .or_else(|| message.strip_prefix("Container "))?;
    let name: String = after
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_' || *c == '.')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// Pull error texts per cause, in the order they are tried (the first cause that matches wins):
/// the HTTP statuses it shows (as whole numbers), then the phrases.
const PULL_ERRORS: [(RootCause, &[&str], &[&str]); 5] = [
    (
        RootCause::InvalidImageName,
        &[],
        &[
            "invalidimagename",
            "invalid reference format",
            "couldn't parse image",
        ],
    ),
    (
        RootCause::RateLimited,
        &["429"],
        &["toomanyrequests", "too many requests", "rate limit"],
    ),
    (
        RootCause::RegistryAuth,
        &["401", "403"],
        &[
            "unauthorized",
            "forbidden",
            "pull access denied",
            "no basic auth credentials",
            "authentication required",
            "authorization failed",
        ],
    ),
    (
        RootCause::RegistryUnreachable,
        &[],
        &[
            "no such host",
            "i/o timeout",
            "connection refused",
            "network is unreachable",
            "no route to host",
            "tls handshake timeout",
            "timeout exceeded",
            "timed out",
            "request canceled while waiting for connection",
            "connection reset",
            "context deadline exceeded",
        ],
    ),
    (
        RootCause::ImageNotFound,
        &[],
        &[
            "manifest unknown",
            "not found",
            "does not exist",
            "name unknown",
        ],
    ),
];

/// The runtime's pull error text, mapped to its cause.
fn pull_error_cause(text: &str) -> Option<RootCause> {
    let t = without_image_refs(&text.to_lowercase());
    PULL_ERRORS
        .iter()
        .find(|(_, statuses, phrases)| {
            statuses.iter().any(|code| has_status(&t, code))
                || phrases.iter().any(|p| t.contains(p))
        })
        .map(|&(cause, ..)| cause)
}

/// The text with the image references it names (`image "repo/name:main-429"`) and their tags
/// removed everywhere (`reference "..."`, `/manifests/main-429`), so a tag or a digest never
/// reads as an error: a tag `main-429` is not HTTP 429.
fn without_image_refs(t: &str) -> String {
    let mut refs: Vec<&str> = Vec::new();
    for (i, m) in t.match_indices("image \"") {
        let start = i + m.len();
        if let Some(end) = t[start..].find('"') {
            let image = &t[start..start + end];
            refs.push(image);
            let name_end = image.rfind('/').map_or(0, |s| s + 1);
            if let Some(colon) = image[name_end..].rfind([':', '@']) {
                let tag = &image[name_end + colon + 1..];
                if tag.len() >= 3 {
                    refs.push(tag);
                }
            }
        }
    }
    refs.sort_by_key(|r| std::cmp::Reverse(r.len()));
    let mut out = t.to_owned();
    for r in refs.iter().filter(|r| !r.is_empty()) {
        out = out.replace(r, "");
    }
    out
}

/// Whether an HTTP status code appears as a word (`401 Unauthorized`, not a digest's `4019ab`).
fn has_status(t: &str, code: &str) -> bool {
    t.match_indices(code).any(|(i, _)| {
        let before = t[..i].chars().next_back();
        let after = t[i + code.len()..].chars().next();
        before.is_none_or(|c| !c.is_ascii_alphanumeric())
            && after.is_none_or(|c| !c.is_ascii_alphanumeric())
    })
}

/// What a (lowercased) line says about why a process exits.
fn text_hint(t: &str) -> Option<Hint> {
    let any = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if any(&[
        "out of memory: kill",
        "memory cgroup out of memory",
        "oom-kill",
        "oomkilled",
        "oom_kill",
        "outofmemoryerror",
        "cannot allocate memory",
        "memory allocation fail",
        "runtime: out of memory",
        "allocation failed - javascript heap out of memory",
    ]) {
        return Some(Hint::Oom);
    }
    if any(&[
        "segmentation fault",
        "sigsegv",
        "signal 11",
        "segfault",
        "core dumped",
    ]) {
        return Some(Hint::Segfault);
    }
    if any(&[
        "exec format error",
        "permission denied",
        "operation not permitted",
        "eacces",
    ]) && !any(&["password authentication", "access denied for user"])
    {
        return Some(Hint::PermissionDenied);
    }
    if any(&[
        "executable file not found",
        "command not found",
        "not found in $path",
        "no such file or directory",
    ]) && any(&["exec", "command", "entrypoint", "$path", "/bin/", "sh:"])
        && !any(&[
            "config",
            ".yaml",
            ".yml",
            ".json",
            ".conf",
            ".env",
            ".properties",
            ".toml",
            ".ini",
        ])
    {
        return Some(Hint::CommandNotFound);
    }
    // Configuration that is not there: a config noun and a missing-word in the same line.
    let config_noun = any(&[
        "environment variable",
        "env var",
        "config",
        "setting",
        "secret",
        ".yaml",
        ".yml",
        ".toml",
        ".ini",
        ".properties",
        ".env",
    ]);
    let missing_word = any(&[
        "not set",
        "missing",
        "not found",
        "no such file",
        "undefined",
        "must be set",
        "is required",
        "is empty",
        "not defined",
    ]);
    if missing_object(t) || (config_noun && missing_word) {
        return Some(Hint::MissingConfig);
    }
    let refused = any(&[
        "connection refused",
        "econnrefused",
        "could not connect",
        "couldn't connect",
        "failed to connect",
        "unable to connect",
        "connect: connection",
        "no route to host",
        "connection timed out",
        "name or service not known",
        "temporary failure in name resolution",
        "server closed the connection",
        "dial tcp",
        "is the server running",
    ]);
    if refused {
        return Some(Hint::Dependency);
    }
    None
}

/// Python's `KeyError: 'DATABASE_URL'`: a lookup of an environment-style name (upper case,
/// digits, underscores) that is not there.
fn env_key_error(line: &str) -> bool {
    line.match_indices("KeyError: ").any(|(i, m)| {
        let rest = line[i + m.len()..].trim_start_matches(['\'', '"']);
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        name.len() >= 3 && name.chars().any(|c| c.is_ascii_uppercase())
    })
}

/// A line that reads like the end of a process: fatal, panic, traceback, exiting.
fn is_fatal(t: &str) -> bool {
    [
        "fatal",
        "panic",
        "traceback",
        "exiting",
        "exited",
        "exit code",
        "exit status",
        "crash",
        "unhandled",
        "uncaught",
        "critical",
        "shutting down",
        "failed to start",
        "startup failed",
        "cannot start",
        "error:",
        "\"level\":\"error\"",
        "level=error",
        " error ",
        "[error]",
        "error ",
        "aborted",
        "killed",
    ]
    .iter()
    .any(|w| t.contains(w))
}

/// A fatal line naming an application bug rather than its environment.
fn is_crash_line(t: &str) -> bool {
    [
        "panic",
        "traceback",
        "unhandled",
        "uncaught",
        "nil pointer",
        "null pointer",
        "nullpointerexception",
        "index out of range",
        "assertion",
        "stack trace",
        "typeerror",
        "attributeerror",
    ]
    .iter()
    .any(|w| t.contains(w))
}

/// The largest `NN%` in a text (0 if none).
fn max_percent(t: &str) -> u32 {
    t.match_indices('%')
        .filter_map(|(i, _)| {
            let digits: String = t[..i]
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.chars().rev().collect::<String>().parse::<u32>().ok()
        })
        .max()
        .unwrap_or(0)
}

/// The first exit code named in a (lowercased) text.
fn find_exit_code(t: &str) -> Option<i32> {
    for key in [
        "exit code",
        "exitcode",
        "exit_code",
        "exited with code",
        "exit status",
        "exited with status",
    ] {
        for (i, _) in t.match_indices(key) {
            let rest = t[i + key.len()..].trim_start_matches([' ', ':', '=', '"', '\'']);
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(code) = digits.parse::<i32>()
                && (0..=255).contains(&code)
            {
                return Some(code);
            }
        }
    }
    None
}

/// Whether `word` occurs in `text` delimited by non-name characters.
fn contains_word(text: &str, word: &str) -> bool {
    !word.is_empty()
        && text.match_indices(word).any(|(i, _)| {
            let name_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
            text[..i].chars().next_back().is_none_or(|c| !name_char(c))
                && text[i + word.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !name_char(c))
        })
}

fn tag_value(tag: &str) -> Option<&str> {
    tag.split_once(':').map(|(_, v)| v)
}

fn cite_event(e: &Event) -> String {
    let count = e.count.map(|c| format!(" count={c}")).unwrap_or_default();
    format!(
        "eks_events.json warning_events[{} {}]: {}{count}",
        e.reason,
        e.involved_object,
        quote(&e.message)
    )
}

fn cite_text(t: &Text<'_>) -> String {
    t.cite()
}

/// A short quoted excerpt.
fn quote(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() <= QUOTE_MAX {
        format!("\"{s}\"")
    } else {
        let cut: String = s.chars().take(QUOTE_MAX).collect();
        format!("\"{cut}...\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_errors_map_to_causes() {
        let cases = [
            (
                "failed to resolve reference \"r/a:v9\": r/a:v9: not found",
                RootCause::ImageNotFound,
            ),
            (
                "manifest unknown: manifest unknown",
                RootCause::ImageNotFound,
            ),
            (
                "unexpected status from HEAD request: 401 Unauthorized",
                RootCause::RegistryAuth,
            ),
            (
                "pull access denied, repository does not exist or may require authorization",
                RootCause::RegistryAuth,
            ),
            ("no basic auth credentials", RootCause::RegistryAuth),
            (
                "dial tcp: lookup registry.internal on 10.0.0.2:53: no such host",
                RootCause::RegistryUnreachable,
            ),
            (
                "dial tcp 10.1.2.3:443: i/o timeout",
                RootCause::RegistryUnreachable,
            ),
            (
                "429 Too Many Requests - toomanyrequests: You have reached your pull rate limit",
                RootCause::RateLimited,
            ),
            (
                "InvalidImageName: couldn't parse image reference",
                RootCause::InvalidImageName,
            ),
            ("sha256:4019abcd not found", RootCause::ImageNotFound),
            (
                "Failed to pull image \"q.io/a:main-429\": manifest unknown",
                RootCause::ImageNotFound,
            ),
            (
                "Get \"https://r.io/v2/\": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)",
                RootCause::RegistryUnreachable,
            ),
        ];
        for (text, want) in cases {
            assert_eq!(pull_error_cause(text), Some(want), "{text}");
        }
    }

    #[test]
    fn image_references_are_not_error_text() {
        assert_eq!(
            pull_error_cause(
                "Failed to pull image \"q.io/n/r:main-429\": failed to resolve reference \"q.io/n/r:main-429\": Head \"https://q.io/v2/n/r/manifests/main-429\": dial tcp 10.3.8.5:443: i/o timeout"
            ),
            Some(RootCause::RegistryUnreachable)
        );
        assert_eq!(
            pull_error_cause("Back-off pulling image \"quay.io/x/invoice:main-429\""),
            None
        );
        assert_eq!(
            pull_error_cause("Back-off pulling image \"r.io/x:401\""),
            None
        );
    }

    #[test]
    fn exit_codes_are_read_from_text() {
        assert_eq!(
            find_exit_code("container api exited with code 137"),
            Some(137)
        );
        assert_eq!(find_exit_code("laststate: exitcode: 1"), Some(1));
        assert_eq!(find_exit_code("exit_code=139 reason=error"), Some(139));
        assert_eq!(find_exit_code("no code here"), None);
    }

    #[test]
    fn pod_names_belong_to_their_workload_only() {
        let d = WorkloadType::Deployment;
        let (strict, loose) = (Naming::Strict, Naming::Loose);
        let yes = |pod, name, t, others: &[&str], n| {
            assert!(belongs(pod, name, t, others, n), "{pod} in {name}");
        };
        let no = |pod, name, t, others: &[&str], n| {
            assert!(!belongs(pod, name, t, others, n), "{pod} not in {name}");
        };
        yes(
            "payments-api-6d8f7c9b5-qk2xz",
            "payments-api",
            d,
            &[],
            strict,
        );
        yes("payments-api-7f9d-x7gr9", "payments-api", d, &[], strict);
        no(
            "payments-api-gateway-6d8f7c9b5-qk2xz",
            "payments-api",
            d,
            &[],
            loose,
        );
        no(
            "payments-api-worker-qk2xz",
            "payments-api",
            d,
            &["payments-api-worker"],
            loose,
        );
        no("payments-api-agent-x7gr9", "payments-api", d, &[], strict);
        no("payments-api-db-0", "payments-api", d, &[], loose);
        yes("payments-api-abc12-xyz01", "payments-api", d, &[], loose);
        no("payments-api-abc12-xyz01", "payments-api", d, &[], strict);
        yes("db-0", "db", WorkloadType::Statefulset, &[], strict);
        no("db-proxy-0", "db", WorkloadType::Statefulset, &[], loose);
        yes(
            "nightly-29043660-x7gr9",
            "nightly",
            WorkloadType::Cronjob,
            &[],
            strict,
        );
    }
}

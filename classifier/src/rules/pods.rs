//! Pod and container states (`eks_pods.json`): a running and ready workload is healthy, an
//! evicted or unscheduled pod is a pod-level failure, and a container's `waiting` or
//! `terminated` state (with its reason and exit code) starts the diagnosis of a crash, an image
//! pull or a missing configuration.

use scenario::files::{ConditionStatus, ContainerStatus, Event, Pod, StateKind};
use scenario::time::unix_seconds;
use scenario::{Category, FailureMode, RootCause};

use super::events::{is_backoff_restart, is_liveness_kill, missing_object};
use super::explain::{cite_event, quote};
use super::logs::{Origin, cite_text};
use super::target::View;
use super::verdict::{Verdict, rank};

impl<'a> View<'a> {
    /// The verdict when every container of the workload is running and ready.
    pub(super) fn healthy_pods(&self) -> Verdict {
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

    /// A workload short of ready replicas with fewer pods in sight than it wants and none of
    /// them failing: the pods the controller could not create, or a rollout that stopped, are
    /// the failure, so it is not called healthy. The Kubernetes facts it names: the ResourceQuota
    /// admission rejects a pod creation with `is forbidden: exceeded quota`, which the
    /// ReplicaSet controller reports as a `FailedCreate` event; a Deployment past its progress
    /// deadline reports `ProgressDeadlineExceeded`. Any other shortfall is `unknown`. A
    /// shortfall the listed pods explain (one still starting) is not this.
    pub(super) fn short_of_replicas(&self) -> Option<Verdict> {
        let d = self.deployment()?;
        let ready = d.ready.unwrap_or(0);
        let listed = u32::try_from(self.pods.len()).unwrap_or(u32::MAX);
        if ready >= d.desired || listed >= d.desired {
            return None;
        }
        let ready_cite = format!(
            "eks_deployments.json deployments[{}]: ready {ready}/{}, {listed} pod(s) in sight",
            d.name, d.desired
        );
        let owned = |e: &&Event| {
            e.involved_object == format!("Deployment/{}", self.workload)
                || e.involved_object
                    .strip_prefix("ReplicaSet/")
                    .and_then(|rs| rs.strip_prefix(self.workload))
                    .is_some_and(|r| r.starts_with('-'))
        };
        if let Some(e) = self.events.iter().filter(owned).find(|e| {
            e.reason == "FailedCreate" && e.message.to_lowercase().contains("exceeded quota")
        }) {
            return Some(
                Verdict::mode(
                    FailureMode::ResourceQuotaExceeded,
                    Category::ResourceExhaustion,
                    0.7,
                    rank::POD_LEVEL,
                )
                .cite([ready_cite, cite_event(e)]),
            );
        }
        if let Some(e) = self.events.iter().filter(owned).find(|e| {
            e.reason == "ProgressDeadlineExceeded" || e.message.contains("ProgressDeadlineExceeded")
        }) {
            return Some(
                Verdict::mode(
                    FailureMode::DeploymentRolloutStuck,
                    Category::Unknown,
                    0.6,
                    rank::POD_LEVEL,
                )
                .cite([ready_cite, cite_event(e)]),
            );
        }
        Some(
            Verdict::mode(FailureMode::Unknown, Category::Unknown, 0.3, rank::HEALTHY).cite([
                format!("{ready_cite}: the missing replicas are not explained by the evidence"),
            ]),
        )
    }

    /// A pod that has been starting for ten minutes or more (start time against the newest
    /// instant the evidence mentions) with a container still waiting in `ContainerCreating` or
    /// `PodInitializing` and nothing that says why: not a pod coming up (seconds) but one that
    /// cannot (an init container failing, a volume or a sandbox that never comes). The pods view
    /// carries no init containers, so the mode is `unknown`, not healthy.
    fn stuck_starting(&self, pod: &'a Pod, c: &ContainerStatus, reason: &str) -> Option<Verdict> {
        if !matches!(reason, "ContainerCreating" | "PodInitializing") {
            return None;
        }
        let started = pod.start_time.as_deref().and_then(unix_seconds)?;
        let waited = self.newest_instant()? - started;
        if waited < 600 {
            return None;
        }
        Some(
            Verdict::mode(FailureMode::Unknown, Category::Unknown, 0.3, rank::POD_LEVEL)
                .at(&pod.name, Some(&c.name))
                .cite([format!(
                    "eks_pods.json pods[{}].containers[{}]: phase={} waiting reason={reason} {} min after the pod started: stuck starting, and the pods view shows no init container to say why",
                    pod.name,
                    c.name,
                    pod.phase,
                    waited / 60
                )]),
        )
    }

    /// An app container waiting in `PodInitializing` while the pods view shows no init
    /// container (an `opensre` case): the kubelet has not started the app containers because
    /// an init container has not completed, so the pod's own events tell which one fails and
    /// why (`Back-off restarting failed container <init> in pod ...`, a pull failure of its
    /// image, a missing ConfigMap or Secret). With the raw init statuses in sight their own
    /// verdict speaks instead.
    fn held_by_init(
        &self,
        pod: &'a Pod,
        reason: &str,
        events: &[&'a Event],
        waiting: &str,
    ) -> Option<Verdict> {
        if reason != "PodInitializing" || !self.init_containers(pod).is_empty() {
            return None;
        }
        // Only what an init container itself does: an event reason that names a mode on its
        // own (a FailedScheduling before the pod was placed, say) is the pod's history.
        let mut v = self.judge_from_events(&pod.name, events).filter(|v| {
            matches!(
                v.mode,
                FailureMode::CrashloopBackoff
                    | FailureMode::ImagePullBackoff
                    | FailureMode::OomKilled
            )
        })?;
        v.rank = rank::STATE;
        v.cites.insert(
            0,
            format!("{waiting}: the app containers wait for an init container"),
        );
        Some(v)
    }

    /// The newest instant any timestamp of the evidence names (events, pod and container
    /// starts, Datadog records): the snapshot's "now", as near as the evidence tells it.
    fn newest_instant(&self) -> Option<i64> {
        let events = self
            .events
            .iter()
            .flat_map(|e| [e.first_time.as_deref(), e.last_time.as_deref()]);
        let pods = self.case.evidence.pods().into_iter().flat_map(|list| {
            list.pods.iter().flat_map(|p| {
                std::iter::once(p.start_time.as_deref())
                    .chain(p.containers.iter().map(|c| c.state.started_at.as_deref()))
            })
        });
        let logs = self.datadog.iter().map(|l| Some(l.timestamp.as_str()));
        events
            .chain(pods)
            .chain(logs)
            .flatten()
            .filter_map(unix_seconds)
            .max()
    }

    /// Running, ready pods of the workload whose container the kubelet keeps killing for a
    /// failed liveness probe (REALISM: `Unhealthy` `Liveness probe failed: ...`, then `Killing`
    /// `Container x failed liveness probe, will be restarted`, after which the container runs
    /// and is ready again until the next kill): a kill repeated three times or more within the
    /// events' hour is an ongoing probe failure, not history; a single kill is a blip.
    pub(super) fn ongoing_probe_failure(&self) -> Option<Verdict> {
        for pod in &self.pods {
            let events = self.pod_events(&pod.name);
            let Some(kill) = events.iter().find(|e| {
                e.reason == "Killing"
                    && e.message.contains("failed liveness probe")
                    && e.count.unwrap_or(1) >= 3
            }) else {
                continue;
            };
            let container = pod
                .containers
                .iter()
                .find(|c| kill.message.contains(c.name.as_str()))
                .map(|c| c.name.as_str());
            let mut cites = vec![cite_event(kill)];
            cites.extend(
                events
                    .iter()
                    .find(|e| {
                        e.reason == "Unhealthy" && e.message.contains("Liveness probe failed")
                    })
                    .map(|e| cite_event(e)),
            );
            cites.push(format!(
                "{} liveness kills: the container is restarted each time its probe fails, an ongoing probe failure",
                kill.count.unwrap_or(1)
            ));
            return Some(
                Verdict::mode(
                    FailureMode::ProbeFailure,
                    Category::ConfigurationError,
                    0.6,
                    rank::POD_LEVEL,
                )
                .at(&pod.name, container)
                .cite(cites),
            );
        }
        None
    }

    /// The workload's own logs failing to resolve a name while its pods run: Go's
    /// `dial tcp: lookup db on 10.0.0.10:53: no such host` (REALISM), glibc's `Temporary
    /// failure in name resolution` and `Name or service not known`, Java's
    /// `UnknownHostException`, Node's `getaddrinfo ENOTFOUND`, curl's `Could not resolve host`.
    /// The service cannot find what it depends on: a DNS resolution failure (OpenSRE's
    /// `dns_resolution_failure`, a dependency failure), with no root cause of the taxonomy.
    pub(super) fn dns_failure(&self) -> Option<Verdict> {
        let t = self
            .texts()
            .iter()
            .find(|t| !matches!(t.origin, Origin::Monitor(_)) && is_dns_failure(&t.lower))?;
        Some(
            Verdict::mode(
                FailureMode::DnsResolutionFailure,
                Category::DependencyFailure,
                0.55,
                rank::LOGS_ONLY,
            )
            .cite([
                cite_text(t),
                "pods running and ready, but the service cannot resolve a name it depends on"
                    .into(),
            ]),
        )
    }

    pub(super) fn judge_pod(&self, pod: &'a Pod) -> Option<Verdict> {
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
        for (c, sidecar) in self.init_containers(pod) {
            if let Some(v) = self.judge_init_container(pod, c, *sidecar, &events)
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
    pub(super) fn eviction(&self, pod: &Pod, events: &[&'a Event]) -> Option<Verdict> {
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

    pub(super) fn judge_container(
        &self,
        pod: &'a Pod,
        c: &'a ContainerStatus,
        events: &[&'a Event],
    ) -> Option<Verdict> {
        let at = format!("eks_pods.json pods[{}].containers[{}]", pod.name, c.name);
        self.judge_status(pod, c, events, &at)
    }

    /// An init container of a pod (from the raw objects; the pods view lists none). The
    /// kubelet runs them in order before the app containers, which wait in `PodInitializing`
    /// meanwhile, and restarts a failing one with the same back-off as any container: one that
    /// completed (exit 0) is done, one running is still initialising (a native sidecar, which
    /// keeps running, counts like an app container); one waiting or terminated otherwise is
    /// judged like any container.
    fn judge_init_container(
        &self,
        pod: &'a Pod,
        c: &'a ContainerStatus,
        sidecar: bool,
        events: &[&'a Event],
    ) -> Option<Verdict> {
        let s = &c.state;
        match s.kind() {
            StateKind::Terminated if s.exit_code == Some(0) => return None,
            StateKind::Running if !sidecar => return None,
            _ => {}
        }
        let at = format!(
            "k8s-api/pods.json pods[{}].initContainerStatuses[{}]",
            pod.name, c.name
        );
        self.judge_status(pod, c, events, &at)
    }

    /// A container's state, `at` naming where it was read for the citations.
    fn judge_status(
        &self,
        pod: &'a Pod,
        c: &'a ContainerStatus,
        events: &[&'a Event],
        at: &str,
    ) -> Option<Verdict> {
        let s = &c.state;
        let reason = s.reason.as_deref().unwrap_or("");
        let message = s.message.as_deref().unwrap_or("");
        let state_cite = |what: &str| {
            let mut cite = format!("{at}: {what}");
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
                    if let Some(mount) = events.iter().find(|e| {
                        e.reason == "FailedMount" && missing_object(&e.message.to_lowercase())
                    }) {
                        return Some(
                            Verdict::cause(RootCause::MissingConfig, 0.7, rank::STATE)
                                .at(&pod.name, Some(&c.name))
                                .cite([state_cite("waiting"), cite_event(mount)]),
                        );
                    }
                    self.held_by_init(pod, reason, events, &state_cite("waiting"))
                        .or_else(|| self.stuck_starting(pod, c, reason))
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

    pub(super) fn probe_failure(
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

    /// Pod-level failures when no container says anything: scheduling, eviction, the node.
    pub(super) fn judge_pod_level(&self, pod: &Pod, events: &[&'a Event]) -> Option<Verdict> {
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
}

/// A (lowercased) line that says a name did not resolve.
fn is_dns_failure(l: &str) -> bool {
    (l.contains("lookup ") && l.contains("no such host"))
        || [
            "temporary failure in name resolution",
            "name or service not known",
            "unknownhostexception",
            "getaddrinfo enotfound",
            "could not resolve host",
            "nxdomain",
        ]
        .iter()
        .any(|w| l.contains(w))
}

//! Warning events (`eks_events.json`): the event shapes other rules look for (`BackOff`
//! restarts, liveness kills, a ConfigMap or Secret not found), and the verdict when the pod
//! list is missing and only the workload's pod events are in sight.

use scenario::files::{ContainerStatus, Event, Pod};
use scenario::{Category, FailureMode, RootCause};

use super::explain::cite_event;
use super::images::pull_error_cause;
use super::target::View;
use super::verdict::{Verdict, rank};

/// Pod event reasons that name a failure mode on their own, for a pod whose state is not seen;
/// the first reason found among the pod's events wins.
pub(super) const EVENT_ONLY_MODES: [(&str, FailureMode, Category); 3] = [
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

impl<'a> View<'a> {
    /// Warning events about a pod (involved object `Pod/<name>`).
    pub(super) fn pod_events(&self, pod: &str) -> Vec<&'a Event> {
        self.events
            .iter()
            .filter(|e| e.involved_object.strip_prefix("Pod/") == Some(pod))
            .collect()
    }

    /// No pod list: judge from the workload's pod events.
    pub(super) fn judge_events_only(&self) -> Option<Verdict> {
        let mut best: Option<Verdict> = None;
        for name in &self.pod_names {
            let events = self.pod_events(name);
            if let Some(mut v) = self.judge_from_events(name, &events) {
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

    /// A pod judged from its warning events alone (the pod's state not seen, or seen waiting on
    /// something the pods view does not show): a pull failure, a missing ConfigMap or Secret, a
    /// container's back-off restarts (explained from events and logs), or an event reason that
    /// names a mode on its own.
    pub(super) fn judge_from_events(&self, name: &str, events: &[&'a Event]) -> Option<Verdict> {
        if events.is_empty() {
            return None;
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
                name: name.to_owned(),
                ..Pod::default()
            };
            let status = ContainerStatus {
                name: container.clone().unwrap_or_default(),
                ..ContainerStatus::default()
            };
            let mut cites = vec![cite_event(e)];
            let code = self.code_from_text(events, &mut cites);
            let mut crash = self.crash(
                &pod,
                &status,
                code,
                "",
                "",
                events,
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
            v = Some(Verdict::mode(mode, category, 0.5, rank::EVENTS_ONLY).cite([cite_event(e)]));
        }
        let mut v = v?;
        v.pod = Some(name.to_owned());
        v.container = v.container.filter(|c| !c.is_empty()).or(container);
        Some(v)
    }
}

pub(super) fn is_backoff_restart(e: &Event) -> bool {
    e.reason == "BackOff"
        && e.message
            .to_lowercase()
            .contains("restarting failed container")
}

pub(super) fn is_liveness_kill(e: &Event, container: &str) -> bool {
    let m = &e.message;
    (e.reason == "Unhealthy" && m.contains("Liveness probe failed"))
        || (e.reason == "Killing"
            && m.contains("failed liveness probe")
            && (container.is_empty() || m.contains(container)))
}

/// `configmap "x" not found`, `secret "x" not found`, `couldn't find key K in Secret ns/name`.
pub(super) fn missing_object(lower: &str) -> bool {
    ((lower.contains("configmap") || lower.contains("secret")) && lower.contains("not found"))
        || lower.contains("couldn't find key")
        || lower.contains("createcontainerconfigerror")
}

/// The container name in `Back-off restarting failed container api in pod ...` or
/// `Container api failed liveness probe`.
pub(super) fn container_in_message(message: &str) -> Option<String> {
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

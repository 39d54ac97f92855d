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
//! restarts, an old OOM), unless the kubelet keeps killing a container for a failed liveness
//! probe (three kills or more: `probe_failure`) or the workload's own logs say a name it
//! depends on does not resolve (`dns_resolution_failure`). A pod still waiting in
//! `ContainerCreating` or `PodInitializing` ten minutes after it started is stuck (`unknown`).
//! Init containers count: a pod whose app containers wait in `PodInitializing` is held by an
//! init container, judged like any container from its own status where the raw objects carry
//! it (`initContainerStatuses`), else from the pod's events (a back-off of a container the pods
//! view does not list, a pull failure, a missing ConfigMap or Secret). Missing or unavailable
//! sources are skipped and named in the explanation, which cites every piece of evidence a
//! verdict rests on as `file object: fact`.
//!
//! The private modules follow the evidence they read: `target` finds the workload and its pods,
//! `pods` reads pod and container states, `crash` explains a container that exits (exit code,
//! then nodes, events and logs), `images` reads image pull errors, `events` the warning events,
//! `nodes` the node conditions and kernel OOM kills, `logs` pod and Datadog log lines,
//! `monitors` the Datadog monitors; `verdict` holds what a rule concludes and `explain` turns it
//! into a prediction that cites its evidence.

use scenario::{Case, Category, FailureMode, Prediction};

use crate::Builtin;

mod crash;
mod events;
mod explain;
mod images;
mod logs;
mod monitors;
mod nodes;
mod pods;
mod target;
mod verdict;

use target::View;
use verdict::{Verdict, rank};

/// The baseline's name in reports.
pub const NAME: &str = "rules";

/// The baseline's version: the crate version plus a rules revision, bumped when a rule changes.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "+rules.9");

/// The built-in rule baseline as a [`Classifier`](crate::Classifier); see [`classify`].
pub const RULES: Builtin = Builtin::new(NAME, VERSION, classify);

/// Classifies one case. Pure and total: every case gets a prediction, never a panic.
///
/// A case of profile `k8s-api` is first projected into the `opensre` profile exactly as
/// OpenSRE's tools compute their answers (`scenario::projection::project_case`): the rules
/// read what an agent's tools would have returned, plus the pods' init container statuses,
/// which the raw objects carry and the pods view drops.
pub fn classify(case: &Case) -> Prediction {
    if case.profile == scenario::Profile::K8sApi {
        let init = scenario::projection::init_containers(case);
        return match scenario::projection::project_case(case) {
            Ok(projected) => {
                let view = View::new(&projected).with_init(&init);
                let verdict = view.decide();
                verdict.into_prediction(&view)
            }
            Err(e) => Prediction::unknown(format!("the k8s-api evidence does not project: {e}")),
        };
    }
    let view = View::new(case);
    let verdict = view.decide();
    verdict.into_prediction(&view)
}

impl View<'_> {
    /// The verdict, in the SOP's order: the strongest finding about any pod of the workload
    /// (ties go to the alert's `kube_pod`, then to the most restarts); running and ready pods
    /// are healthy; with no pod in sight, the pod events, then the logs, then nothing.
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
            return self
                .short_of_replicas()
                .or_else(|| self.ongoing_probe_failure())
                .or_else(|| self.dns_failure())
                .unwrap_or_else(|| self.healthy_pods());
        }
        // No pod of the workload in sight: events, then logs, then (weakly) the alert.
        if let Some(v) = self.judge_events_only() {
            return v;
        }
        if let Some(v) = self.judge_logs_only() {
            return v;
        }
        if let Some(v) = self.short_of_replicas() {
            return v;
        }
        self.judge_nothing()
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
}

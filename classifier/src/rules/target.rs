//! Which workload the alert is about (the SOP's first step): the scenario context, then the
//! alert's labels and `kube_pod`; its pods are found by name shape (`<workload>-<hash>-<suffix>`
//! for a Deployment, `<workload>-<n>` for a StatefulSet, ...), so a failing pod of another
//! workload in the same namespace is not blamed. [`View`] is the case narrowed to that
//! workload, with the sources that were unavailable noted for the explanation.

use scenario::Case;
use scenario::files::{ContainerStatus, DatadogLog, Event, Node, Pod, WorkloadType};
use scenario::projection::InitContainers;

use super::explain::quote;
use super::logs::Text;

/// The evidence of one case, narrowed to the alerted workload.
pub(super) struct View<'a> {
    pub(super) case: &'a Case,
    pub(super) ns: &'a str,
    pub(super) workload: &'a str,
    /// Pods of the alerted workload (empty if the pod source is missing or names none).
    pub(super) pods: Vec<&'a Pod>,
    /// Pod names of the workload known from any source (pods, events, logs).
    pub(super) pod_names: Vec<String>,
    pub(super) events: &'a [Event],
    pub(super) nodes: &'a [Node],
    pub(super) datadog: &'a [DatadogLog],
    /// Log and monitor lines about the workload, collected on first use (a healthy verdict
    /// never reads them).
    pub(super) texts: std::cell::OnceCell<Vec<Text<'a>>>,
    /// Notes for the explanation (sources that were unavailable, how the workload was found).
    pub(super) notes: Vec<String>,
    /// The init containers of the pods, from the raw objects of a `k8s-api` case (the pods view
    /// lists none; empty for an `opensre` case).
    pub(super) init: &'a [InitContainers],
}

impl<'a> View<'a> {
    pub(super) fn new(case: &'a Case) -> Self {
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

        // The SOP starts from the alerted pod: an alert that names a pod of this workload (by
        // the loose name shape) which the strict search missed (a new ReplicaSet whose hash a
        // fixture wrote by hand, say) is a lead, not a filter. It and the other pods of its
        // ReplicaSet join the workload's pods.
        if !workload.is_empty()
            && let Some(kube_pod) = ann.kube_pod.as_deref()
            && !pods.iter().any(|p| p.name == kube_pod)
            && belongs(kube_pod, workload, wtype, &others, Naming::Loose)
            && all_pods.iter().filter(in_ns).any(|p| p.name == kube_pod)
        {
            let replicaset = kube_pod.rsplit_once('-').map_or(kube_pod, |(rs, _)| rs);
            let before = pods.len();
            for p in all_pods.iter().filter(in_ns) {
                if p.name
                    .strip_prefix(replicaset)
                    .is_some_and(|r| r.starts_with('-'))
                    && belongs(&p.name, workload, wtype, &others, Naming::Loose)
                    && !pods.iter().any(|q| q.name == p.name)
                {
                    pods.push(p);
                }
            }
            notes.push(format!(
                "{} pod(s) of {replicaset} found through the alert's kube_pod {kube_pod}",
                pods.len() - before
            ));
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
            init: &[],
        }
    }

    /// The view with the init containers read from the raw objects of the same case.
    pub(super) fn with_init(mut self, init: &'a [InitContainers]) -> Self {
        self.init = init;
        self
    }

    /// The init containers of a pod of the workload (with whether each is a native sidecar).
    pub(super) fn init_containers(&self, pod: &Pod) -> &'a [(ContainerStatus, bool)] {
        self.init
            .iter()
            .find(|i| {
                i.pod == pod.name && (pod.namespace.is_empty() || i.namespace == pod.namespace)
            })
            .map_or(&[], |i| i.containers.as_slice())
    }

    pub(super) fn deployment(&self) -> Option<&'a scenario::files::Deployment> {
        self.case
            .evidence
            .deployments()?
            .deployments
            .iter()
            .find(|d| d.name == self.workload)
    }

    /// Whether the alerted workload is short of ready replicas.
    pub(super) fn workload_unavailable(&self) -> bool {
        self.deployment().is_some_and(|d| {
            d.unavailable.unwrap_or(0) > 0 || d.ready.unwrap_or(d.desired) < d.desired
        })
    }
}

/// The evidence sources that are missing or unavailable: (name, missing, error).
pub(super) fn unavailable_sources(case: &Case) -> Vec<(&'static str, bool, String)> {
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

pub(super) fn non_empty(s: &str) -> Option<&str> {
    (!s.trim().is_empty()).then_some(s)
}

/// How strictly a pod name must look generated by its controller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Naming {
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
pub(super) fn belongs(
    pod: &str,
    name: &str,
    wtype: WorkloadType,
    others: &[&str],
    naming: Naming,
) -> bool {
    if name.is_empty() || !fits(pod, name, wtype, naming) {
        return false;
    }
    !claimed_by_other(pod, name, others)
}

/// Whether a longer workload name than `name` in `others` also names this pod.
pub(super) fn claimed_by_other(pod: &str, name: &str, others: &[&str]) -> bool {
    others.iter().any(|o| {
        o.len() > name.len()
            && o.starts_with(name)
            && fits(pod, o, WorkloadType::Deployment, Naming::Loose)
    })
}

pub(super) fn fits(pod: &str, name: &str, wtype: WorkloadType, naming: Naming) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

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

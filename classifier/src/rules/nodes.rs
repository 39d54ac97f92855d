//! Nodes (`eks_node_health.json`, node events and node logs in Datadog): the node a pod runs on,
//! its memory pressure, and kernel OOM kills on it, told apart as node-level (the kernel's
//! `Out of memory: Killed process`) or cgroup-level (`Memory cgroup out of memory`).

use scenario::files::{ConditionStatus, Node, Pod};

use super::explain::{cite_event, quote};
use super::target::View;

impl<'a> View<'a> {
    pub(super) fn node(&self, name: Option<&str>) -> Option<&'a Node> {
        let name = name?;
        self.nodes.iter().find(|n| n.name == name)
    }

    /// Evidence of a kernel (node-level) OOM on the pod's node: an `OOMKilling` event on that
    /// node that is not a cgroup OOM, or a kernel "Out of memory: Killed process" line from it.
    pub(super) fn node_oom(&self, pod: &Pod) -> Option<Vec<String>> {
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
    pub(super) fn cgroup_oom(&self, pod: &Pod) -> Option<String> {
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

    /// Whether Datadog holds the nodes' kernel log at all (the agent collects it only when
    /// configured to): only then does the absence of a kernel OOM line say anything.
    pub(super) fn kernel_log_collected(&self) -> bool {
        self.datadog.iter().any(|log| {
            log.service.as_deref() == Some("kernel")
                || log.tags.iter().any(|t| t == "source:kernel")
        })
    }

    pub(super) fn memory_pressure_note(&self, pod: &Pod) -> Option<String> {
        let n = self.node(pod.node_name.as_deref())?;
        (n.memory_pressure == ConditionStatus::True).then(|| {
            format!(
                "eks_node_health.json nodes[{}]: memory_pressure=True but no kernel OOM on the node: the cgroup limit was hit",
                n.name
            )
        })
    }
}

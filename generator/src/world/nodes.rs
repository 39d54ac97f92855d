//! Stage 3, nodes: the cluster's EKS nodes (names from their VPC addresses, instance type,
//! zone, nodegroup, kubelet version, provider id, capacity) and which one runs the alerted pod.

use rand::RngExt;

use crate::spec::Templates;

use super::identity::Identity;
use super::rng::{StageRng, hex, pick};
use super::types::Node;

/// The nodes and the index of the alerted pod's node.
#[derive(Clone, Debug)]
pub struct Nodes {
    /// Every node of the cluster.
    pub nodes: Vec<Node>,
    /// Where the alerted pod runs.
    pub target: usize,
}

impl Nodes {
    /// The alerted pod's node.
    pub fn target(&self) -> &Node {
        &self.nodes[self.target]
    }
}

/// Draws the nodes of one scenario.
pub fn draw(t: &Templates, id: &mut Identity, rng: &mut StageRng) -> Nodes {
    let vocab = &t.vocab;
    let n_nodes = rng.random_range(3..=6usize);
    let nodegroup = pick(rng, &vocab.nodegroups).clone();
    let it = pick(rng, &vocab.instance_types).clone();
    let kubelet = pick(rng, &vocab.kubelet_versions).clone();
    let second = rng.random_range(0..4) * 16;
    let mut nodes = Vec::with_capacity(n_nodes);
    for i in 0..n_nodes {
        let zone = id.region.zones[i % id.region.zones.len()].clone();
        // One block of the third octet per node (at most 6 nodes): names never collide.
        let ip = format!(
            "10.{second}.{}.{}",
            i * 40 + rng.random_range(0..31usize),
            rng.random_range(4..250)
        );
        let name = format!("ip-{}.{}", ip.replace('.', "-"), id.region.dns);
        nodes.push(Node {
            name,
            internal_ip: ip,
            instance_type: it.name.clone(),
            arch: it.arch.clone(),
            provider_id: format!("aws:///{zone}/i-0{}", hex(rng, 16)),
            zone,
            nodegroup: nodegroup.clone(),
            kubelet_version: kubelet.clone(),
            ready: "True".into(),
            memory_pressure: "False".into(),
            disk_pressure: "False".into(),
            pid_pressure: "False".into(),
            memory_reason: "KubeletHasSufficientMemory".into(),
            capacity_cpu: it.cpu.clone(),
            capacity_memory: it.memory.clone(),
            allocatable_cpu: it.alloc_cpu.clone(),
            allocatable_memory: it.alloc_memory.clone(),
            // Filled by the details stage.
            created: crate::time::Ts(0),
            instance_type_label: true,
            os_image: String::new(),
            kernel_version: String::new(),
            runtime_version: String::new(),
        });
    }
    let target = rng.random_range(0..n_nodes);
    id.vars.set("node", nodes[target].name.clone());
    id.vars.set("arch", nodes[target].arch.clone());
    Nodes { nodes, target }
}

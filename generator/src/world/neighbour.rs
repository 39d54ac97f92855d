//! Stage 4b, the neighbour: with `unrelated_failing_workload`, another workload of the
//! namespace fails for a cause of its own, told by the same timeline code as the alerted
//! pod's (its status, events, container logs, Datadog records and kernel lines), on another
//! node. So every decisive signal family (a pull error, `InvalidImageName`, a missing
//! ConfigMap, an OOM kill, an exit code and its log) also shows up on a workload the alert
//! does not name, as in a shared namespace, and only reading whose evidence it is tells the
//! alerted workload's cause.

use rand::RngExt;

use scenario::{FailureMode, RootCause, Signal};

use crate::GenError;
use crate::spec::Templates;

use super::identity::{self, Identity};
use super::nodes::Nodes;
use super::plan::Plan;
use super::rng::StageRng;
use super::timeline::{self, Failure};

/// The neighbour's failing pod and what it left.
pub struct Neighbour {
    /// The failing pod, its events and Datadog records.
    pub failure: Failure,
    /// Its image and tag.
    pub image: String,
    /// Its memory limit.
    pub memory_limit: Option<String>,
}

/// Whether `cause` can be a neighbour's of a scenario whose cause is `own`: another failure
/// (not the scenario's cause, nor its twin partner, so the two scenarios of a pair get the
/// same neighbour), and not a node OOM (a node under pressure is `node_pressure_elsewhere`'s
/// business, and a second node OOM would starve the alerted pod's node too).
fn eligible(t: &Templates, own: RootCause, cause: RootCause) -> bool {
    let partner = t.twin_of(own).map(|(_, p)| p);
    cause != own
        && Some(cause) != partner
        && cause.mode() != FailureMode::Healthy
        && t.cause(cause).is_some_and(|s| !s.node_pressure)
}

/// Draws the neighbour's failure, up to `snapshot` (the alerted pod's).
pub fn draw(
    t: &Templates,
    plan: &Plan<'_>,
    id: &Identity,
    nodes: &mut Nodes,
    snapshot: i64,
    rng: &mut StageRng,
) -> Result<Option<Neighbour>, GenError> {
    if !plan.has(Signal::UnrelatedFailingWorkload) || id.services.len() < 2 {
        return Ok(None);
    }
    let causes: Vec<RootCause> = t.causes().filter(|c| eligible(t, plan.cause, *c)).collect();
    if causes.is_empty() {
        return Ok(None);
    }
    let cause = causes[rng.random_range(0..causes.len())];
    let nplan = Plan::neighbour(t, cause, rng)?;
    let service = id.services[1].clone();
    let mut nid = identity::draw(t, &nplan, rng)?.neighbour_of(id, &service);
    // On another node than the alerted pod's (a cluster has 3 to 6): a kernel line names the
    // node it comes from, and the alerted pod's node keeps only the alerted pod's story.
    let own = nodes.target;
    let n = nodes.nodes.len();
    if n > 1 {
        nodes.target = (own + 1 + rng.random_range(0..n - 1)) % n;
    }
    nid.vars.set("node", nodes.target().name.clone());
    nid.vars.set("arch", nodes.target().arch.clone());
    // Its loop ends before the alerted pod's snapshot: a crash loop's runs and back-off
    // reach at most a few hundred seconds past the instant asked for.
    let at = snapshot - rng.random_range(1200..2400i64);
    let failure = timeline::draw(t, &nplan, &mut nid, nodes, rng, Some(at));
    nodes.target = own;
    let failure = failure?;
    Ok(Some(Neighbour {
        failure,
        image: nid.image.clone(),
        memory_limit: nid.memory_limit.clone(),
    }))
}

//! Stage 7, sources: which evidence sources the scenario lists and which of them fail, with
//! what the API answers instead (an RBAC `Status`, a Datadog error). The wording is
//! `world.yml`'s; when a source fails is decided here. What the kubelet answers a log request
//! for a container that never ran follows from the container's state (the details stage).

use minijinja::context;
use rand::RngExt;

use scenario::Signal;

use crate::GenError;
use crate::spec::Templates;

use super::identity::Identity;
use super::kube::Say;
use super::others::Scene;
use super::plan::Plan;
use super::rng::{StageRng, pick};
use super::types::{Failure, Sources};

/// Draws the sources of one scenario.
pub fn draw(
    t: &Templates,
    plan: &Plan<'_>,
    id: &Identity,
    scene: &Scene,
    rng: &mut StageRng,
) -> Result<Sources, GenError> {
    let say = Say(t);
    let tools = &t.text.tools;
    let mut sources = Sources::all_ok();
    if id.workload_kind == "statefulset" && rng.random_bool(0.3) {
        sources.eks_deployments.listed = false;
    }
    if plan.has(Signal::DatadogUnavailable) {
        let e = pick(rng, &tools.datadog_errors);
        let failure = Failure::Datadog {
            http_status: e.http_status,
            errors: e.errors.clone(),
            transport: e.transport.clone(),
        };
        sources.datadog_logs.error = Some(failure.clone());
        sources.datadog_monitors.error = Some(failure);
    }
    if plan.has(Signal::EventsUnavailable) {
        let message = say.text(
            &tools.events_forbidden,
            context! { namespace => &id.namespace },
        )?;
        sources.eks_events.error = Some(forbidden(message, "events"));
    }
    if plan.has(Signal::NoPodLogs) {
        if rng.random_bool(0.5) {
            sources.eks_pod_logs.listed = false;
        } else {
            let message = say.text(
                &tools.pod_logs_forbidden,
                context! { namespace => &id.namespace, pod => &scene.target_pod },
            )?;
            sources.eks_pod_logs.error = Some(forbidden(message, "pods"));
        }
    }
    Ok(sources)
}

/// A 403 `Forbidden` the API server answers a service account without the permission.
fn forbidden(message: String, resource: &str) -> Failure {
    Failure::Kube {
        code: 403,
        reason: "Forbidden".into(),
        message,
        resource: resource.into(),
    }
}

//! Stage 7, sources: which evidence sources the scenario lists and which of them fail, with the
//! error each tool reports (RBAC, the Datadog API, a container that never started or has no
//! previous run). The wording is `world.yml`'s; when a source fails is decided here.

use minijinja::context;
use rand::RngExt;

use scenario::Signal;

use crate::GenError;
use crate::spec::{Pattern, Templates};

use super::identity::Identity;
use super::kube::Say;
use super::others::Scene;
use super::plan::Plan;
use super::rng::{StageRng, pick};
use super::types::Sources;

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
    let pattern = plan.presentation.pattern;
    let mut sources = Sources::all_ok();
    if id.workload_kind == "statefulset" && rng.random_bool(0.3) {
        sources.eks_deployments.listed = false;
    }
    if plan.has(Signal::DatadogUnavailable) {
        let err = pick(rng, &tools.datadog_errors).clone();
        sources.datadog_logs.error = Some(err.clone());
        sources.datadog_monitors.error = Some(err);
    }
    if plan.has(Signal::EventsUnavailable) {
        let err = say.text(
            &tools.events_forbidden,
            context! { namespace => &id.namespace },
        )?;
        sources.eks_events.error = Some(err);
    }
    let pod = &scene.target_pod;
    let container = &id.container;
    let no_previous = || say.text(&tools.pod_logs_no_previous, context! { container, pod });
    let waiting_key = match pattern {
        Pattern::ConfigError => Some("config_error"),
        Pattern::InvalidImage => Some("invalid_image"),
        Pattern::ImagePull => Some("image_pull"),
        Pattern::CrashLoop | Pattern::Healthy => None,
    };
    if let Some(key) = waiting_key {
        let why = tools
            .waiting_why
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned());
        sources.eks_pod_logs.error =
            Some(say.text(&tools.pod_logs_waiting, context! { container, pod, why })?);
    } else if plan.has(Signal::NoPodLogs) {
        if rng.random_bool(0.5) {
            sources.eks_pod_logs.listed = false;
        } else {
            sources.eks_pod_logs.error = Some(no_previous()?);
        }
    }
    if pattern == Pattern::CrashLoop
        && scene.pod_lines.is_empty()
        && sources.eks_pod_logs.error.is_none()
    {
        // A container that never started has no log at all.
        sources.eks_pod_logs.error = Some(no_previous()?);
    }
    Ok(sources)
}

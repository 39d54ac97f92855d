//! Stage 9, the alert: what fired, from the failure mode's honest alerts or, under
//! `misleading_alert_title`, one naming another symptom. A Datadog alert is one of the
//! account's monitors in `Alert` state (added if the account did not have it yet).

use minijinja::Value;

use scenario::Signal;

use crate::GenError;
use crate::spec::{SPEC_FILE, Templates};

use super::identity::Identity;
use super::monitors;
use super::plan::Plan;
use super::rng::{StageRng, pick};
use super::types::{Alert, Monitor};

/// Draws the alert, marking (or adding) the monitor of a Datadog alert.
#[expect(
    clippy::too_many_arguments,
    reason = "the alert reads every earlier stage"
)]
pub fn draw(
    t: &Templates,
    plan: &Plan<'_>,
    id: &mut Identity,
    pod: &str,
    node: &str,
    replicas: u32,
    facts: &Value,
    monitors: &mut Vec<Monitor>,
    rng: &mut StageRng,
) -> Result<Alert, GenError> {
    let mode = plan.mode;
    let set = t
        .spec
        .alerts
        .get(mode.as_str())
        .ok_or_else(|| GenError::Spec {
            file: t.dir.join(SPEC_FILE).display().to_string(),
            field: format!("alerts.{mode}"),
            message: "missing".into(),
        })?;
    let variants = if plan.has(Signal::MisleadingAlertTitle) {
        &set.misleading
    } else {
        &set.honest
    };
    let av = pick(rng, variants).clone();
    id.vars.set("alertname", av.alertname.clone());
    id.vars.set("replicas", i64::from(replicas));
    let severity = pick(rng, &set.severity).clone();
    let description = id.vars.expand(t, &av.description)?;
    let alert = Alert {
        title: id.vars.expand(t, &av.title)?,
        state: "alerting".into(),
        source: av.source.clone(),
        alertname: av.alertname.clone(),
        severity,
        service: id.service.clone(),
        summary: id.vars.expand(t, &av.summary)?,
        error: description.clone(),
        description,
        symptom: id.vars.expand(t, &av.symptom)?,
        pod: pod.to_owned(),
        node: node.to_owned(),
        context_sources: "eks,datadog".into(),
    };
    if let Some(key) = &av.monitor {
        match monitors.iter_mut().find(|m| &m.key == key) {
            Some(m) => "Alert".clone_into(&mut m.overall_state),
            None => {
                if let Some(rule) = t.text.monitors.iter().find(|r| &r.key == key) {
                    let mut m = monitors::render(t, rule, facts, rng)?;
                    "Alert".clone_into(&mut m.overall_state);
                    monitors.push(m);
                }
            }
        }
    }
    Ok(alert)
}

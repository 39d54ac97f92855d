//! Stage 9, the alert: one of `alerts.yml`'s rules, drawn from the failure mode's honest rules
//! or, under `misleading_alert_title`, from the rules that fire instead. A rule reads the same,
//! with the same severity, whichever list it was drawn from; it names what its scope says (a
//! pod, sometimes another replica of the workload; the workload alone; a node). A rule whose
//! `when` is false against the world's facts cannot fire and is not drawn. A Datadog alert is
//! one of the account's monitors in `Alert` state (added if the account did not have it yet).

use minijinja::Value;
use rand::RngExt;

use scenario::Signal;

use crate::GenError;
use crate::spec::{ALERTS_FILE, AlertRule, AlertScope, Templates};

use super::identity::Identity;
use super::monitors;
use super::plan::Plan;
use super::rng::{StageRng, pick};
use super::types::{Alert, Monitor, Pod};

/// What the alert is about: the failing pod and the workload's pods, the node it runs on and
/// the nodes under memory pressure.
pub struct Subject<'a> {
    /// The failing (or, when healthy, the alerted) pod.
    pub pod: &'a str,
    /// Its node.
    pub node: &'a str,
    /// Every pod of the namespace.
    pub pods: &'a [Pod],
    /// Nodes reporting MemoryPressure.
    pub pressured: Vec<&'a str>,
    /// The workload's desired replicas.
    pub replicas: u32,
}

/// Draws the alert, marking (or adding) the monitor of a Datadog alert.
pub fn draw(
    t: &Templates,
    plan: &Plan<'_>,
    id: &mut Identity,
    subject: &Subject<'_>,
    facts: &Value,
    monitors: &mut Vec<Monitor>,
    rng: &mut StageRng,
) -> Result<Alert, GenError> {
    let mode = plan.mode;
    let kind = if plan.has(Signal::MisleadingAlertTitle) {
        "misleading"
    } else {
        "honest"
    };
    let spec_error = |message: String| GenError::Spec {
        file: t.dir.join(ALERTS_FILE).display().to_string(),
        field: format!("modes.{mode}.{kind}"),
        message,
    };
    let choice = t
        .alerts
        .modes
        .get(mode.as_str())
        .ok_or_else(|| spec_error("missing".into()))?;
    let names = if kind == "misleading" {
        &choice.misleading
    } else {
        &choice.honest
    };
    let mut eligible: Vec<(&str, &AlertRule)> = Vec::new();
    for name in names {
        let rule = t
            .alerts
            .rules
            .get(name)
            .ok_or_else(|| spec_error(format!("no rule named \"{name}\"")))?;
        let fires = match &rule.when {
            Some(cond) => t.holds(cond, facts)?,
            None => true,
        };
        if fires {
            eligible.push((name.as_str(), rule));
        }
    }
    if eligible.is_empty() {
        return Err(spec_error(
            "no rule can fire here (every rule's `when` is false)".into(),
        ));
    }
    let (alertname, rule) = *pick(rng, &eligible);

    // What the rule names.
    let (pod, node) = match rule.scope {
        AlertScope::Pod => {
            let own = subject
                .pods
                .iter()
                .find(|p| p.name == subject.pod)
                .map(|p| p.workload.as_str());
            let replicas: Vec<&Pod> = subject
                .pods
                .iter()
                .filter(|p| Some(p.workload.as_str()) == own && p.name != subject.pod)
                .collect();
            if !replicas.is_empty() && rng.random_bool(t.alerts.other_replica_chance) {
                let other = *pick(rng, &replicas);
                (other.name.clone(), other.node.clone())
            } else {
                (subject.pod.to_owned(), subject.node.to_owned())
            }
        }
        AlertScope::Workload => (String::new(), String::new()),
        AlertScope::Node => {
            let node = if subject.pressured.is_empty() {
                subject.node
            } else {
                *pick(rng, &subject.pressured)
            };
            (String::new(), node.to_owned())
        }
    };
    let alert_value = rng.random_range(1..=3i64);
    let target_pod = id.vars.get("pod").cloned().unwrap_or_default();
    id.vars.set("pod", pod.clone());
    id.vars.set("alert_node", node.clone());
    id.vars.set("alert_value", alert_value);
    id.vars.set("alertname", alertname.to_owned());
    id.vars.set("replicas", i64::from(subject.replicas));
    let severity = pick(rng, &rule.severity).clone();
    let description = id.vars.expand(t, &rule.description)?;
    let alert = Alert {
        title: id.vars.expand(t, &rule.title)?,
        state: "alerting".into(),
        source: rule.source.clone(),
        alertname: alertname.to_owned(),
        severity,
        service: id.service.clone(),
        summary: id.vars.expand(t, &rule.summary)?,
        error: description.clone(),
        description,
        symptom: id.vars.expand(t, &rule.symptom)?,
        pod,
        node,
        context_sources: "eks,datadog".into(),
    };
    // The answer's texts name the failing pod, not the one the alert named.
    id.vars.set("pod", target_pod);
    if let Some(key) = &rule.monitor {
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

//! Stage 8, monitors: the Datadog account's monitors on the namespace, each rule of
//! `world.yml` evaluated against the world's facts (restarts, memory against the limit,
//! waiting containers, node pressure, error log volume), never against the label.

use minijinja::{Value, context};
use rand::RngExt;

use crate::GenError;
use crate::spec::{MonitorRule, Pattern, Templates};

use super::identity::Identity;
use super::nodes::Nodes;
use super::others::Scene;
use super::plan::Plan;
use super::rng::StageRng;
use super::types::Monitor;

/// The facts monitor and alert templates are evaluated against.
pub fn facts(plan: &Plan<'_>, id: &Identity, nodes: &Nodes, scene: &Scene) -> Value {
    let pattern = plan.presentation.pattern;
    let error_logs = scene
        .datadog
        .iter()
        .filter(|d| d.service == id.service && d.status == "error")
        .count();
    context! {
        namespace => &id.namespace,
        service => &id.service,
        cluster => &id.cluster,
        team => &id.team,
        restarts => scene.restart_count,
        crash_looping => pattern == Pattern::CrashLoop,
        memory_ratio => scene.memory_ratio,
        memory_monitor => id.memory_monitor,
        memory_limited => id.memory_limit.is_some(),
        waiting => matches!(pattern, Pattern::ImagePull | Pattern::InvalidImage | Pattern::ConfigError),
        node_memory_pressure => nodes.nodes.iter().any(|n| n.memory_pressure == "True"),
        error_logs => error_logs,
    }
}

/// Renders one monitor rule against the facts.
pub fn render(
    t: &Templates,
    rule: &MonitorRule,
    facts: &Value,
    rng: &mut StageRng,
) -> Result<Monitor, GenError> {
    let mut tags = Vec::with_capacity(rule.tags.len());
    for tag in &rule.tags {
        tags.push(t.expand(tag, facts)?);
    }
    Ok(Monitor {
        key: rule.key.clone(),
        id: rng.random_range(10_000_000..199_999_999u64),
        name: t.expand(&rule.name, facts)?,
        kind: rule.kind.clone(),
        query: t.expand(&rule.query, facts)?,
        message: t.expand(&rule.message, facts)?,
        overall_state: t.expand(&rule.state, facts)?.trim().to_owned(),
        tags,
        created: String::new(),
        created_ms: 0,
    })
}

/// The monitors the account has.
pub fn draw(t: &Templates, facts: &Value, rng: &mut StageRng) -> Result<Vec<Monitor>, GenError> {
    let mut out = Vec::new();
    for rule in &t.text.monitors {
        let forced = match &rule.present {
            Some(tpl) => t.holds(tpl, facts)?,
            None => false,
        };
        if forced || (rule.chance > 0.0 && rng.random_bool(rule.chance.min(1.0))) {
            out.push(render(t, rule, facts, rng)?);
        }
    }
    Ok(out)
}

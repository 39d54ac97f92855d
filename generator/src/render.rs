//! Views of a world: every file of a scenario directory rendered by the profile's templates,
//! then parsed back through the scenario model so a template bug fails at generation time.

use minijinja::Value;
use minijinja::value::Serde;

use scenario::case::Evidence;
use scenario::files::{
    Alert, AnswerFile, DatadogLogsFile, DatadogMonitorsFile, DeploymentsFile, EventsFile,
    NodesFile, PodLogsFile, PodsFile, ScenarioFile, Source,
};
use scenario::{Category, FailureMode, RootCause, Scenario};

use crate::GenError;
use crate::spec::{PROFILE, PROFILE_FILES, Templates, describe};
use crate::world::{Mix, World, sample_world};

/// One rendered scenario: its directory name and files, plus its labels for the summary.
#[derive(Clone, Debug)]
pub struct RenderedScenario {
    /// Directory name: the zero-padded index, nothing else.
    pub dir_name: String,
    /// `(file name, content)` in a fixed order.
    pub files: Vec<(String, String)>,
    /// Ground-truth failure mode.
    pub mode: FailureMode,
    /// Ground-truth root cause.
    pub cause: RootCause,
    /// Ground-truth category.
    pub category: Category,
    /// Difficulty tier.
    pub difficulty: u8,
    /// Adversarial signals present.
    pub signals: Vec<scenario::Signal>,
}

/// The directory name / scenario id of scenario `index` in a corpus of `count`.
pub fn scenario_id(index: u64, count: u64) -> String {
    let digits = count.saturating_sub(1).max(1).to_string().len().max(5);
    format!("{index:0digits$}")
}

/// Samples and renders scenario `index`: a pure function of templates, mix, seed and index.
pub fn render_scenario(
    t: &Templates,
    mix: &Mix,
    seed: u64,
    index: u64,
    count: u64,
) -> Result<RenderedScenario, GenError> {
    let id = scenario_id(index, count);
    let world = sample_world(t, mix, seed, index, &id)?;
    let files = render_world(t, &world)?;
    check(&world, &files)?;
    Ok(RenderedScenario {
        dir_name: id,
        files,
        mode: world.labels.mode,
        cause: world.labels.cause,
        category: world.labels.category,
        difficulty: world.labels.difficulty,
        signals: world.labels.signals.clone(),
    })
}

/// Renders every file of a world with the profile's templates.
pub fn render_world(t: &Templates, world: &World) -> Result<Vec<(String, String)>, GenError> {
    let listed = world.sources.listed();
    let base = Value::from(Serde(world));
    let mut out = Vec::with_capacity(PROFILE_FILES.len());
    for file in PROFILE_FILES {
        let kind = file.trim_end_matches(".json");
        let is_evidence = !matches!(*file, "scenario.yml" | "answer.yml" | "alert.json");
        if is_evidence && !listed.contains(&kind) {
            continue;
        }
        let source = match kind {
            "eks_pods" => Some(&world.sources.eks_pods),
            "eks_events" => Some(&world.sources.eks_events),
            "eks_deployments" => Some(&world.sources.eks_deployments),
            "eks_node_health" => Some(&world.sources.eks_node_health),
            "eks_pod_logs" => Some(&world.sources.eks_pod_logs),
            "datadog_logs" => Some(&world.sources.datadog_logs),
            "datadog_monitors" => Some(&world.sources.datadog_monitors),
            _ => None,
        };
        let ctx = minijinja::context! {
            available => listed.clone(),
            source => Value::from(Serde(source)),
            ..base.clone()
        };
        let name = format!("{PROFILE}/{file}.j2");
        let tpl = t
            .env
            .get_template(&name)
            .map_err(|e| template_error(t, world, file, &name, &e))?;
        let mut text = tpl
            .render(ctx)
            .map_err(|e| template_error(t, world, file, &name, &e))?;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        out.push(((*file).to_owned(), text));
    }
    Ok(out)
}

fn template_error(
    t: &Templates,
    world: &World,
    file: &str,
    name: &str,
    e: &minijinja::Error,
) -> GenError {
    GenError::Rendered {
        scenario: world.id.clone(),
        file: file.to_owned(),
        template: t.dir.join(name).display().to_string(),
        message: describe(e),
    }
}

/// Parses the rendered files back through the scenario model and validates them as the
/// loader would.
fn check(world: &World, files: &[(String, String)]) -> Result<(), GenError> {
    let bad = |file: &str, message: String| GenError::Rendered {
        scenario: world.id.clone(),
        file: file.to_owned(),
        template: format!("{PROFILE}/{file}.j2"),
        message,
    };
    let get = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.as_str())
    };
    let yaml = |name: &str| -> Result<serde_json::Value, GenError> {
        let text = get(name).ok_or_else(|| bad(name, "not rendered".into()))?;
        serde_saphyr::from_str::<serde_json::Value>(text)
            .map_err(|e| bad(name, format!("malformed YAML: {e}")))
    };
    fn typed<T: serde::de::DeserializeOwned>(
        name: &str,
        v: serde_json::Value,
        bad: &dyn Fn(&str, String) -> GenError,
    ) -> Result<T, GenError> {
        serde_path_to_error::deserialize(v)
            .map_err(|e| bad(name, format!("{}: {}", e.path(), e.inner())))
    }
    let file: ScenarioFile = typed("scenario.yml", yaml("scenario.yml")?, &bad)?;
    let answer: AnswerFile = typed("answer.yml", yaml("answer.yml")?, &bad)?;
    let json = |name: &str| -> Result<Option<serde_json::Value>, GenError> {
        match get(name) {
            None => Ok(None),
            Some(text) => serde_json::from_str(text)
                .map(Some)
                .map_err(|e| bad(name, format!("malformed JSON: {e}"))),
        }
    };
    /// An evidence file, when rendered, parsed as its tool's answer.
    fn src<T: serde::de::DeserializeOwned>(
        name: &str,
        json: &dyn Fn(&str) -> Result<Option<serde_json::Value>, GenError>,
        bad: &dyn Fn(&str, String) -> GenError,
    ) -> Result<Option<Source<T>>, GenError> {
        json(name)?
            .map(|v| serde_json::from_value::<Source<T>>(v).map_err(|e| bad(name, e.to_string())))
            .transpose()
    }
    let alert: Alert = typed(
        "alert.json",
        json("alert.json")?.ok_or_else(|| bad("alert.json", "not rendered".into()))?,
        &bad,
    )?;
    let evidence = Evidence {
        eks_pods: src::<PodsFile>("eks_pods.json", &json, &bad)?,
        eks_events: src::<EventsFile>("eks_events.json", &json, &bad)?,
        eks_deployments: src::<DeploymentsFile>("eks_deployments.json", &json, &bad)?,
        eks_node_health: src::<NodesFile>("eks_node_health.json", &json, &bad)?,
        eks_pod_logs: src::<PodLogsFile>("eks_pod_logs.json", &json, &bad)?,
        datadog_logs: src::<DatadogLogsFile>("datadog_logs.json", &json, &bad)?,
        datadog_monitors: src::<DatadogMonitorsFile>("datadog_monitors.json", &json, &bad)?,
    };
    // The labels written must be the world's labels.
    if file.failure_mode != world.labels.mode || answer.root_cause != Some(world.labels.cause) {
        return Err(bad(
            "answer.yml",
            "rendered labels disagree with the world".into(),
        ));
    }
    Scenario::from_parts(&world.id, file, answer, alert, evidence)
        .map(|_| ())
        .map_err(|p| bad("scenario", p.to_string()))
}

//! What crosses the boundary to an external classifier: the request line (a `Case` plus its
//! `trial`) and the validation of every prediction that comes back (known labels, field types,
//! confidence range, the optional `usage` object), with messages precise enough to be an
//! `error` row's reason.

use serde_json::{Map, Value};

use scenario::{Case, Category, FailureMode, Prediction, RootCause, Usage};

/// The request for one case: the `Case` JSON object with `trial` added; inside
/// [`investigating`], an interactive case: no `evidence`, no `k8s_api`, and the
/// `investigate` object (where the agent's API server, kubeconfig, MCP and Datadog endpoints
/// are).
pub fn request(case: &Case, trial: u32) -> String {
    let mut value = serde_json::to_value(case).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert("trial".to_owned(), Value::from(trial));
        if let Some(inv) = investigate() {
            map.remove("evidence");
            map.remove("k8s_api");
            map.insert("investigate".to_owned(), inv);
        }
    }
    value.to_string()
}

thread_local! {
    static INVESTIGATE: std::cell::RefCell<Option<Value>> = const { std::cell::RefCell::new(None) };
}

/// Clears the thread's `investigate` object when dropped (also on a panic).
struct Clear;

impl Drop for Clear {
    fn drop(&mut self) {
        INVESTIGATE.with(|i| i.borrow_mut().take());
    }
}

/// Runs `f` (a classifier call on this thread) with `investigate` as the case's interactive
/// endpoints: [`request`] then writes an interactive case, and the built-in `rules-agent`
/// reads them with [`investigate`].
pub fn investigating<R>(investigate: Value, f: impl FnOnce() -> R) -> R {
    INVESTIGATE.with(|i| *i.borrow_mut() = Some(investigate));
    let _clear = Clear;
    f()
}

/// The `investigate` object of the call running on this thread, if it is interactive.
pub fn investigate() -> Option<Value> {
    INVESTIGATE.with(|i| i.borrow().clone())
}

/// Checks and converts a prediction object from an external classifier. `id` and `trial` keys
/// are ignored here (the caller matches them). The error is the reason of an `error` row:
/// `unknown failure_mode "oomkilled"`, `exit_code: invalid type: string "x", expected i32`,
/// `confidence: expected a number in 0..1, got 7`.
pub fn prediction(object: Map<String, Value>) -> Result<Prediction, String> {
    prediction_with_usage(object).map(|(p, _)| p)
}

/// [`prediction`], and the prediction's `usage` (what the call cost), which it takes out of
/// the object first: `usage.cost_usd: expected a non-negative number, got -1`.
pub fn prediction_with_usage(
    mut object: Map<String, Value>,
) -> Result<(Prediction, Option<Usage>), String> {
    let usage = scenario::usage::parse(object.remove("usage").as_ref())?;
    if !object.contains_key("failure_mode") {
        return Err("missing field \"failure_mode\"".to_owned());
    }
    label::<FailureMode>(&object, FailureMode::FIELD, FailureMode::parse)?;
    label::<Category>(&object, Category::FIELD, Category::parse)?;
    label::<RootCause>(&object, RootCause::FIELD, RootCause::parse)?;
    let p: Prediction = serde_path_to_error::deserialize(Value::Object(object)).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if path == "." {
            inner
        } else {
            format!("{path}: {inner}")
        }
    })?;
    p.check()?;
    Ok((p, usage))
}

/// Checks one label field, if present, so an unknown label gets a short, exact message.
fn label<T>(
    object: &Map<String, Value>,
    field: &str,
    parse: fn(&str) -> Result<T, scenario::taxonomy::UnknownLabel>,
) -> Result<(), String> {
    match object.get(field) {
        None => Ok(()),
        Some(Value::String(s)) => parse(s)
            .map(|_| ())
            .map_err(|_| format!("unknown {field} \"{s}\"")),
        Some(other) => Err(format!("{field}: expected a string, got {}", kind(other))),
    }
}

/// A JSON value's kind, for messages (one definition, in `scenario`).
pub use scenario::json_check::kind;

/// A short, single-line excerpt of text from a worker or a file, for messages.
pub fn excerpt(s: &str) -> String {
    const MAX: usize = 80;
    let s = s.trim();
    let mut out: String = s
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if s.chars().count() > MAX {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interactive_request_carries_investigate_and_no_evidence() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/canonical");
        let suite = scenario::load(&root).unwrap();
        let case = suite.scenarios()[0].case();
        let plain: Value = serde_json::from_str(&request(case, 0)).unwrap();
        assert!(plain.get("evidence").is_some() && plain.get("investigate").is_none());
        let inv = serde_json::json!({"api_server": "http://x/s/c1", "token": "c1"});
        let line = investigating(inv.clone(), || request(case, 1));
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["investigate"], inv);
        assert!(v.get("evidence").is_none() && v.get("k8s_api").is_none());
        assert_eq!(v["trial"], 1);
        assert!(investigate().is_none(), "cleared after the call");
    }

    fn check(json: &str) -> Result<Prediction, String> {
        match serde_json::from_str(json).unwrap() {
            Value::Object(m) => prediction(m),
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn valid_predictions_pass_and_defaults_apply() {
        let p = check(r#"{"id":"c1","failure_mode":"oom_killed","root_cause":"container_oom","confidence":0.5}"#).unwrap();
        assert_eq!(p.failure_mode, FailureMode::OomKilled);
        assert_eq!(p.root_cause_category, Category::Unknown);
        assert_eq!(p.root_cause, RootCause::ContainerOom);
    }

    #[test]
    fn usage_is_taken_out_and_checked() {
        let obj = |json: &str| match serde_json::from_str(json).unwrap() {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        };
        let (p, u) = prediction_with_usage(obj(
            r#"{"failure_mode":"healthy","usage":{"input_tokens":10,"cost_usd":0.25}}"#,
        ))
        .unwrap();
        assert_eq!(p.failure_mode, FailureMode::Healthy);
        let u = u.unwrap();
        assert_eq!(
            (u.input_tokens, u.cost_usd, u.tool_calls),
            (Some(10), Some(0.25), None)
        );
        let (_, none) = prediction_with_usage(obj(r#"{"failure_mode":"healthy"}"#)).unwrap();
        assert_eq!(none, None);
        assert_eq!(
            check(r#"{"failure_mode":"healthy","usage":{"tool_calls":-2}}"#).unwrap_err(),
            "usage.tool_calls: expected a non-negative integer, got -2"
        );
    }

    #[test]
    fn violations_have_exact_reasons() {
        let cases = [
            (
                r#"{"failure_mode":"oomkilled"}"#,
                "unknown failure_mode \"oomkilled\"",
            ),
            (
                r#"{"failure_mode":"healthy","root_cause":"bad"}"#,
                "unknown root_cause \"bad\"",
            ),
            (
                r#"{"failure_mode":"healthy","root_cause_category":"x"}"#,
                "unknown root_cause_category \"x\"",
            ),
            (
                r#"{"failure_mode":7}"#,
                "failure_mode: expected a string, got a number",
            ),
            (r#"{"root_cause":"none"}"#, "missing field \"failure_mode\""),
            (
                r#"{"failure_mode":"healthy","confidence":7}"#,
                "confidence: expected a number in 0..1, got 7",
            ),
            (
                r#"{"failure_mode":"healthy","exit_code":"x"}"#,
                "exit_code: invalid type: string \"x\", expected i32",
            ),
        ];
        for (json, want) in cases {
            assert_eq!(check(json).unwrap_err(), want, "{json}");
        }
    }
}

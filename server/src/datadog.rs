//! The Datadog API of one scenario, beside its Kubernetes API (`/s/<case-id>/datadog/...`):
//! the raw profile's stored Datadog answers in the real API shapes.
//!
//! * `POST|GET /api/v2/logs/events/search`: the Logs v2 search response as stored
//!   (`datadog_logs.json`), whatever the query asked for (the snapshot is what the tool got).
//! * `GET /api/v1/monitor`: the Monitors v1 list, a bare JSON array (`datadog_monitors.json`).
//!
//! A failed call in the scenario answers the stored error body with its HTTP status; a stored
//! transport error (no HTTP answer at all) is a 504 whose `errors` carry its text; a source the
//! scenario does not list is 403 `{"errors": ["Forbidden (this scenario does not expose it)"]}`. Every other path is 404
//! `{"errors": ["Not found"]}`, a write other than the logs search 405. Each call is recorded
//! as `list` of `datadog/logs` or `datadog/monitors` (anything else: `get` of `datadog/<path>`).

use scenario::k8s_api::RawEvidence;
use scenario::k8s_api::datadog::{DatadogAnswer, DatadogFailure};
use serde::Serialize;
use serde_json::{Value, json};

use crate::api::Response;

/// The error of a source the scenario does not list (403).
pub const NOT_LISTED: &str = "Forbidden (this scenario does not expose it)";

/// What one Datadog endpoint answers.
#[derive(Clone, Debug, Default)]
pub enum Answer {
    /// The scenario does not list the source.
    #[default]
    NotListed,
    /// The stored response body.
    Ok(Value),
    /// The stored failure: HTTP status and error body.
    Failed(u16, Value),
}

/// A scenario's Datadog answers.
#[derive(Clone, Debug, Default)]
pub struct Datadog {
    /// Logs v2 search.
    pub logs: Answer,
    /// Monitors v1 list.
    pub monitors: Answer,
}

fn answer<T: Serialize>(a: Option<&DatadogAnswer<T>>) -> Answer {
    match a {
        None => Answer::NotListed,
        Some(DatadogAnswer::Ok(v)) => Answer::Ok(serde_json::to_value(v).unwrap_or(Value::Null)),
        Some(DatadogAnswer::Failed(f)) => failed(f),
    }
}

fn failed(f: &DatadogFailure) -> Answer {
    match (f.http_status, &f.body, &f.transport_error) {
        (Some(code), Some(body), _) => Answer::Failed(
            code,
            serde_json::to_value(body).unwrap_or_else(|_| json!({"errors": []})),
        ),
        (_, _, Some(t)) => Answer::Failed(504, json!({"errors": [t]})),
        _ => Answer::Failed(500, json!({"errors": ["Internal Server Error"]})),
    }
}

impl Datadog {
    /// The answers of a scenario's raw evidence.
    pub fn of(raw: &RawEvidence) -> Datadog {
        Datadog {
            logs: answer(raw.datadog_logs.as_ref()),
            monitors: answer(raw.datadog_monitors.as_ref()),
        }
    }
}

fn body(status: u16, v: &Value) -> Response {
    Response {
        status,
        content_type: "application/json",
        body: serde_json::to_vec(v).unwrap_or_default(),
    }
}

/// Answers `method` of `path` (the segments after `datadog`); returns the response and the
/// (verb, resource) to record.
pub fn route(dd: &Datadog, method: &str, path: &[&str]) -> (Response, &'static str, String) {
    let (a, resource, write_ok) = match path {
        ["api", "v2", "logs", "events", "search"] => (&dd.logs, "datadog/logs", true),
        ["api", "v1", "monitor"] => (&dd.monitors, "datadog/monitors", false),
        _ => {
            return (
                body(404, &json!({"errors": ["Not found"]})),
                "get",
                format!("datadog/{}", path.join("/")),
            );
        }
    };
    if !(matches!(method, "GET" | "HEAD") || (write_ok && method == "POST")) {
        return (
            body(405, &json!({"errors": ["Method Not Allowed"]})),
            "get",
            resource.to_owned(),
        );
    }
    let r = match a {
        Answer::NotListed => body(403, &json!({"errors": [NOT_LISTED]})),
        Answer::Ok(v) => body(200, v),
        Answer::Failed(code, v) => body(*code, v),
    };
    (r, "list", resource.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_answers_failures_and_unlisted_sources() {
        let dd = Datadog {
            logs: Answer::Ok(json!({"data": [], "meta": {"status": "done"}})),
            monitors: Answer::Failed(403, json!({"errors": ["Forbidden"]})),
        };
        let (r, verb, res) = route(&dd, "POST", &["api", "v2", "logs", "events", "search"]);
        assert_eq!(
            (r.status, verb, res.as_str()),
            (200, "list", "datadog/logs")
        );
        assert_eq!(
            serde_json::from_slice::<Value>(&r.body).unwrap()["meta"]["status"],
            "done"
        );
        let (r, _, res) = route(&dd, "GET", &["api", "v1", "monitor"]);
        assert_eq!((r.status, res.as_str()), (403, "datadog/monitors"));
        assert_eq!(route(&dd, "POST", &["api", "v1", "monitor"]).0.status, 405);
        assert_eq!(route(&dd, "GET", &["api", "v1", "dashboard"]).0.status, 404);
        let none = Datadog::default();
        assert_eq!(route(&none, "GET", &["api", "v1", "monitor"]).0.status, 403);
        let t = failed(&DatadogFailure {
            http_status: None,
            body: None,
            transport_error: Some("timed out".into()),
        });
        assert!(matches!(t, Answer::Failed(504, ref v) if v["errors"][0] == "timed out"));
    }
}

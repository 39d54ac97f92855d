//! Serde types of the two Datadog answers the k8s-api profile keeps: the Logs v2 search
//! response (`POST /api/v2/logs/events/search`) and the Monitors v1 list
//! (`GET /api/v1/monitor`, a bare JSON array), plus the documented shape of a failed call.
//!
//! The fields are those of Datadog's API reference and of the real responses in
//! `shared/realdata/datadog` (DataDog/datadog-api-client-python cassettes). Free-form parts
//! are kept verbatim as JSON: a log's custom `attributes.attributes` object and a monitor's
//! `options`. `datadog-api-client` is not used: one rustc process of it needs about 10 GB.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A Logs v2 search (or list) response page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogsSearchResponse {
    /// The log events of this page, in the order the API sorted them.
    pub data: Vec<LogEvent>,
    /// Paging and timing; absent on some empty pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<LogsMeta>,
    /// The next page's URL; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<LogsLinks>,
}

/// One log event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogEvent {
    /// Opaque event id.
    pub id: String,
    /// Always `log`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The event's content.
    pub attributes: LogAttributes,
}

/// The content of a log event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[expect(
    missing_docs,
    reason = "field names are Datadog's documented wire names"
)]
pub struct LogAttributes {
    /// Custom attributes (`http`, `network`, `duration`, ...), kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Tags; they repeat in real responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// ISO 8601 with milliseconds: `2026-04-18T10:45:10.123Z`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

/// `meta` of a Logs v2 response.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[expect(
    missing_docs,
    reason = "field names are Datadog's documented wire names"
)]
pub struct LogsMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<LogsPage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// `done` or `timeout`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<LogsWarning>>,
}

/// `meta.page`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LogsPage {
    /// Cursor of the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// `meta.warnings[]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[expect(
    missing_docs,
    reason = "field names are Datadog's documented wire names"
)]
pub struct LogsWarning {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// `links`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LogsLinks {
    /// URL of the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// The `overall_state` values Datadog documents (with spaces and capitals).
pub const MONITOR_STATES: &[&str] = &[
    "Alert", "Ignored", "No Data", "OK", "Skipped", "Unknown", "Warn",
];

/// One monitor of the Monitors v1 API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[expect(
    missing_docs,
    reason = "field names are Datadog's documented wire names"
)]
pub struct Monitor {
    /// Every monitor the API returns has one.
    pub id: i64,
    /// `query alert`, `log alert`, `metric alert`, ...
    #[serde(rename = "type")]
    pub kind: String,
    pub query: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// One of [`MONITOR_STATES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overall_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overall_state_modified: Option<String>,
    /// ISO 8601 with microseconds and `+00:00`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<MonitorCreator>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted_roles: Option<Vec<String>>,
    /// Kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restriction_policy: Option<Value>,
    /// Monitor options (thresholds, notification settings, ...), kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Map<String, Value>>,
    /// Per-group state, kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching_downtimes: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assets: Option<Vec<Value>>,
}

/// `creator` of a monitor.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[expect(
    missing_docs,
    reason = "field names are Datadog's documented wire names"
)]
pub struct MonitorCreator {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The on-disk form of a Datadog call that failed: `{"datadog_error": {...}}`.
///
/// It keeps what OpenSRE's client sees: either the HTTP status with the error body Datadog
/// sent (`{"errors": ["Forbidden"]}`), or a transport error (no HTTP answer at all; the text
/// of the exception, such as `timed out`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatadogFailureFile {
    /// The failure.
    pub datadog_error: DatadogFailure,
}

/// What a failed Datadog call answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatadogFailure {
    /// HTTP status of an error answer (400..599).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// The error body of an HTTP error answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<DatadogErrorBody>,
    /// The exception text when no HTTP answer came (DNS, connect, timeout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport_error: Option<String>,
}

/// Datadog's error body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatadogErrorBody {
    /// Error messages.
    pub errors: Vec<String>,
}

impl DatadogFailure {
    /// What is wrong with this failure's shape, if anything (field, message).
    pub fn check(&self) -> Option<(&'static str, String)> {
        match (self.http_status, &self.body, &self.transport_error) {
            (Some(code), Some(_), None) if (400..600).contains(&code) => None,
            (Some(code), Some(_), None) => Some((
                "datadog_error.http_status",
                format!("expected an HTTP error status 400..599, got {code}"),
            )),
            (None, None, Some(t)) if !t.trim().is_empty() => None,
            (None, None, Some(_)) => Some((
                "datadog_error.transport_error",
                "must not be empty".to_owned(),
            )),
            _ => Some((
                "datadog_error",
                "expected either http_status with body, or transport_error".to_owned(),
            )),
        }
    }

    /// The error text OpenSRE's Datadog client reports for this failure:
    /// `HTTP 403: <first 200 characters of the body>`, or the exception text.
    pub fn client_error_text(&self) -> String {
        if let Some(t) = &self.transport_error {
            return t.clone();
        }
        let body = self
            .body
            .as_ref()
            .and_then(|b| serde_json::to_string(b).ok())
            .unwrap_or_default();
        let cut: String = body.chars().take(200).collect();
        format!("HTTP {}: {cut}", self.http_status.unwrap_or(0))
    }
}

/// A Datadog answer: the response, or the failure.
#[derive(Clone, Debug, PartialEq)]
pub enum DatadogAnswer<T> {
    /// The call succeeded.
    Ok(T),
    /// The call failed.
    Failed(DatadogFailure),
}

//! `rules-agent`: a built-in interactive agent. It investigates a case through the scenario's
//! API server (HTTP over loopback, the `investigate` endpoints of an interactive case) in the
//! SOP's order, and after each step runs the built-in rules on what it has gathered:
//!
//! 1. pods of the alert's namespace;
//! 2. events (of every namespace: a node's events are not in the alert's);
//! 3. logs of every container of the pods that are not Running and Ready or have restarted
//!    (and the previous instance's, `previous=true`, of a container that restarted);
//! 4. nodes;
//! 5. Datadog monitors, then Datadog logs;
//! 6. deployments, replicasets and statefulsets of the namespace.
//!
//! After each step the gathered answers are assembled into a `k8s-api` case (`RawEvidence`)
//! and classified by [`classifier::RULES`], which projects it as `eval --profile k8s-api`
//! does. It stops as soon as the rules' confidence reaches [`STOP_CONFIDENCE`], and answers
//! the rules' prediction on what it gathered (after the last step, whatever the confidence).
//! It reads nothing but the server's answers: no label. A source the scenario does not expose
//! (403 "does not expose") is left absent; a failed call is kept as the failure the API
//! answered, as the snapshot recorded it.

use std::time::Duration;

use classifier::{CallError, Classifier};
use scenario::k8s_api::datadog::{DatadogAnswer, DatadogErrorBody, DatadogFailure};
use scenario::k8s_api::{self, PodLogCapture, PodLogEntry, RawEvidence};
use scenario::{Case, Prediction, Profile};
use serde_json::Value;

use crate::wire;

/// The spec name.
pub const NAME: &str = "rules-agent";

/// The rules' confidence at which the agent stops investigating. The rules answer 0.9 and
/// more only on a direct finding (a container state reason, an event reason of the failing
/// pod), and less when they infer from weaker signals or find nothing.
pub const STOP_CONFIDENCE: f64 = 0.9;

/// The agent.
#[derive(Debug)]
pub struct RulesAgent {
    agent: ureq::Agent,
}

impl RulesAgent {
    /// An agent whose every HTTP call times out after `timeout`.
    pub fn new(timeout: Duration) -> RulesAgent {
        RulesAgent {
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(timeout))
                .build()
                .into(),
        }
    }

    /// One request; a transport error (a pooled connection the server closed) is retried
    /// once on a fresh attempt.
    fn call(&self, url: &str, post: Option<&str>) -> Result<(u16, String), CallError> {
        self.call_once(url, post)
            .or_else(|_| self.call_once(url, post))
    }

    fn call_once(&self, url: &str, post: Option<&str>) -> Result<(u16, String), CallError> {
        let result = match post {
            Some(body) => self
                .agent
                .post(url)
                .header("Content-Type", "application/json")
                .send(body),
            None => self.agent.get(url).call(),
        };
        let mut r = result.map_err(|e| CallError::new(format!("{url}: {e}")))?;
        let status = r.status().as_u16();
        let text = r
            .body_mut()
            .read_to_string()
            .map_err(|e| CallError::new(format!("{url}: {e}")))?;
        Ok((status, text))
    }
}

/// Whether an answer is the server's "this scenario does not expose it" (left absent).
fn not_exposed(status: u16, text: &str) -> bool {
    status == 403 && text.contains("does not expose")
}

/// A Kubernetes answer parsed as the raw file would be, `None` when not exposed.
fn kube<T>(
    status: u16,
    text: &str,
    parse: fn(&str, &str) -> Result<T, Vec<scenario::Problem>>,
    what: &str,
) -> Result<Option<T>, CallError> {
    if not_exposed(status, text) {
        return Ok(None);
    }
    parse(text, what).map(Some).map_err(|p| {
        CallError::new(format!(
            "{what}: the server's answer does not parse: {}",
            p.first().map(ToString::to_string).unwrap_or_default()
        ))
    })
}

fn datadog<T: serde::de::DeserializeOwned>(
    status: u16,
    text: &str,
    what: &str,
) -> Result<Option<DatadogAnswer<T>>, CallError> {
    if not_exposed(status, text) {
        return Ok(None);
    }
    if status == 200 {
        return serde_json::from_str(text)
            .map(|v| Some(DatadogAnswer::Ok(v)))
            .map_err(|e| CallError::new(format!("{what}: {e}")));
    }
    let body: DatadogErrorBody = serde_json::from_str(text).unwrap_or(DatadogErrorBody {
        errors: vec![text.to_owned()],
    });
    Ok(Some(DatadogAnswer::Failed(if status == 504 {
        DatadogFailure {
            http_status: None,
            body: None,
            transport_error: body.errors.first().cloned(),
        }
    } else {
        DatadogFailure {
            http_status: Some(status),
            body: Some(body),
            transport_error: None,
        }
    })))
}

/// The pods worth reading the logs of: not Running and Ready, or restarted; with each
/// container's name and whether it restarted.
fn failing_containers(pods: &Value) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    for pod in pods["items"].as_array().into_iter().flatten() {
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        let phase = pod["status"]["phase"].as_str().unwrap_or_default();
        let statuses: Vec<&Value> = ["initContainerStatuses", "containerStatuses"]
            .iter()
            .flat_map(|k| pod["status"][*k].as_array().into_iter().flatten())
            .collect();
        let ready = pod["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "Ready" && c["status"] == "True");
        let restarted = statuses
            .iter()
            .any(|c| c["restartCount"].as_u64().unwrap_or(0) > 0);
        if phase == "Running" && ready && !restarted {
            continue;
        }
        let containers: Vec<&Value> = ["initContainers", "containers"]
            .iter()
            .flat_map(|k| pod["spec"][*k].as_array().into_iter().flatten())
            .collect();
        for c in containers {
            let cname = c["name"].as_str().unwrap_or_default();
            let restarts = statuses
                .iter()
                .find(|s| s["name"] == cname)
                .and_then(|s| s["restartCount"].as_u64())
                .unwrap_or(0);
            out.push((name.to_owned(), cname.to_owned(), restarts > 0));
        }
    }
    out
}

/// Percent-encodes a path segment or query value (letters, digits and `-._~` kept).
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl Classifier for RulesAgent {
    fn name(&self) -> String {
        NAME.to_owned()
    }

    fn version(&self) -> String {
        format!(
            "{}+{}",
            classifier::RULES.version(),
            env!("CARGO_PKG_VERSION")
        )
    }

    fn classify(&self, case: &Case, trial: u32) -> Result<Prediction, CallError> {
        let inv = wire::investigate().ok_or_else(|| {
            CallError::new(
                "rules-agent investigates through a server: run it with eval --interactive",
            )
        })?;
        let api = inv["api_server"]
            .as_str()
            .ok_or_else(|| CallError::new("investigate.api_server: missing"))?
            .trim_end_matches('/')
            .to_owned();
        let dd = inv["datadog"]
            .as_str()
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_owned();
        let ns = enc(&case.context.namespace);
        let mut raw = RawEvidence::default();
        let decide = |raw: &RawEvidence| -> Result<Prediction, CallError> {
            let gathered = Case {
                profile: Profile::K8sApi,
                k8s_api: Some(raw.clone()),
                evidence: scenario::Evidence::default(),
                ..case.clone()
            };
            classifier::RULES.classify(&gathered, trial)
        };
        // `step`: 1 pods, 2 events, 3 logs, 4 nodes, ...
        let done = |p: &Prediction, step: u8| {
            p.confidence.unwrap_or(0.0) >= STOP_CONFIDENCE
                && step >= 2
                && (step >= 4 || p.failure_mode != scenario::FailureMode::OomKilled)
        };

        // 1. pods
        let (st, text) = self.call(&format!("{api}/api/v1/namespaces/{ns}/pods"), None)?;
        raw.pods = kube(st, &text, k8s_api::parse_pods, "pods")?;
        let pods_json: Value = if st == 200 {
            serde_json::from_str(&text).unwrap_or(Value::Null)
        } else {
            Value::Null
        };
        let p = decide(&raw)?;
        if done(&p, 1) {
            return Ok(p);
        }
        // 2. events
        // Every namespace's events: a node's OOM or pressure events live outside the alert's.
        let (st, text) = self.call(&format!("{api}/api/v1/events"), None)?;
        raw.events = kube(st, &text, k8s_api::parse_events, "events")?;
        let p = decide(&raw)?;
        if done(&p, 2) {
            return Ok(p);
        }
        // 3. logs of the failing pods
        let failing = failing_containers(&pods_json);
        if !failing.is_empty() {
            let mut capture = PodLogCapture::default();
            let mut exposed = true;
            'pods: for (pod, container, restarted) in &failing {
                for previous in [false, true] {
                    if previous && !restarted {
                        continue;
                    }
                    let url = format!(
                        "{api}/api/v1/namespaces/{ns}/pods/{}/log?container={}{}",
                        enc(pod),
                        enc(container),
                        if previous { "&previous=true" } else { "" }
                    );
                    let (st, text) = self.call(&url, None)?;
                    if not_exposed(st, &text) {
                        exposed = false;
                        break 'pods;
                    }
                    let (text, status) = if st == 200 {
                        (Some(text), None)
                    } else {
                        (None, serde_json::from_str(&text).ok())
                    };
                    capture.logs.push(PodLogEntry {
                        namespace: case.context.namespace.clone(),
                        pod: pod.clone(),
                        container: container.clone(),
                        previous,
                        text: text.or_else(|| status.is_none().then(String::new)),
                        status,
                    });
                }
            }
            if exposed {
                raw.pod_logs = Some(capture);
            }
            let p = decide(&raw)?;
            if done(&p, 3) {
                return Ok(p);
            }
        }
        // 4. nodes
        let (st, text) = self.call(&format!("{api}/api/v1/nodes"), None)?;
        raw.nodes = kube(st, &text, k8s_api::parse_nodes, "nodes")?;
        let p = decide(&raw)?;
        if done(&p, 4) {
            return Ok(p);
        }
        // 5. Datadog monitors, then logs
        if !dd.is_empty() {
            let (st, text) = self.call(&format!("{dd}/api/v1/monitor"), None)?;
            raw.datadog_monitors = datadog(st, &text, "datadog monitors")?;
            let p = decide(&raw)?;
            if done(&p, 5) {
                return Ok(p);
            }
            let query = format!(
                r#"{{"filter":{{"query":"kube_namespace:{}","from":"now-1h","to":"now"}},"page":{{"limit":50}}}}"#,
                case.context.namespace.replace('"', "")
            );
            let (st, text) = self.call(&format!("{dd}/api/v2/logs/events/search"), Some(&query))?;
            raw.datadog_logs = datadog(st, &text, "datadog logs")?;
            let p = decide(&raw)?;
            if done(&p, 5) {
                return Ok(p);
            }
        }
        // 6. workloads
        let apps = format!("{api}/apis/apps/v1/namespaces/{ns}");
        let (st, text) = self.call(&format!("{apps}/deployments"), None)?;
        raw.deployments = kube(st, &text, k8s_api::parse_deployments, "deployments")?;
        if raw.deployments.is_some() {
            let (st, text) = self.call(&format!("{apps}/replicasets"), None)?;
            raw.replicasets = kube(st, &text, k8s_api::parse_replicasets, "replicasets")?;
            let (st, text) = self.call(&format!("{apps}/statefulsets"), None)?;
            raw.statefulsets = kube(st, &text, k8s_api::parse_statefulsets, "statefulsets")?;
        }
        decide(&raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failing_containers_are_those_not_ready_or_restarted() {
        let pods = serde_json::json!({"items": [
            {"metadata": {"name": "ok"}, "spec": {"containers": [{"name": "a"}]},
             "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                        "containerStatuses": [{"name": "a", "restartCount": 0}]}},
            {"metadata": {"name": "crash"}, "spec": {"containers": [{"name": "a"}, {"name": "b"}]},
             "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}],
                        "containerStatuses": [{"name": "a", "restartCount": 3}, {"name": "b", "restartCount": 0}]}},
            {"metadata": {"name": "pending"}, "spec": {"containers": [{"name": "c"}]},
             "status": {"phase": "Pending"}}
        ]});
        assert_eq!(
            failing_containers(&pods),
            vec![
                ("crash".into(), "a".into(), true),
                ("crash".into(), "b".into(), false),
                ("pending".into(), "c".into(), false)
            ]
        );
        assert_eq!(enc("a b/c"), "a%20b%2Fc");
        assert!(not_exposed(
            403,
            r#"{"errors":["Forbidden (this scenario does not expose it)"]}"#
        ));
        assert!(!not_exposed(403, r#"{"errors":["Forbidden"]}"#));
    }

    #[test]
    fn outside_an_interactive_run_it_is_an_error() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/canonical");
        let suite = scenario::load(&root).unwrap();
        let case = suite.scenarios()[0].case().clone();
        let err = RulesAgent::new(Duration::from_secs(1))
            .classify(&case, 0)
            .unwrap_err();
        assert!(err.reason.contains("--interactive"), "{err}");
    }
}

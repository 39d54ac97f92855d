//! What each partial-input baseline reads of a case ([`Input`]) and the text it turns that into:
//! the JSON a classifier receives, flattened to its keys and values (so an escaped newline in
//! a log never glues two words together), never the answer or a label.

use scenario::{Case, EvidenceKind};
use serde_json::Value;

/// The part of a case a baseline sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Input {
    /// `alert.json` alone.
    Alert,
    /// One evidence source alone (the word `absent` where the case does not list it, so the
    /// model may learn what the mere presence of a source says).
    Source(EvidenceKind),
    /// The whole case but its opaque id: context, alert and every source (the full surface
    /// model).
    All,
}

impl Input {
    /// Every input, in report order: the alert, each source in [`EvidenceKind::ALL`] order, all.
    pub fn every() -> Vec<Input> {
        let mut out = vec![Input::Alert];
        out.extend(EvidenceKind::ALL.iter().map(|k| Input::Source(*k)));
        out.push(Input::All);
        out
    }

    /// The name in reports: `alert`, the source's `available_evidence` name, or `all`.
    pub fn name(self) -> &'static str {
        match self {
            Input::Alert => "alert",
            Input::Source(k) => k.as_str(),
            Input::All => "all",
        }
    }

    /// The text of this input for `case`.
    pub fn text(self, case: &Case) -> String {
        let mut out = String::new();
        match self {
            Input::Alert => flatten(&to_value(&case.alert), &mut out),
            Input::Source(kind) => match source_value(case, kind) {
                Some(v) => flatten(&v, &mut out),
                None => out.push_str("absent"),
            },
            Input::All => {
                let mut v = to_value(case);
                if let Value::Object(m) = &mut v {
                    m.remove("id");
                }
                flatten(&v, &mut out);
            }
        }
        out
    }
}

fn to_value<T: serde::Serialize>(t: &T) -> Value {
    // The scenario types serialize to JSON by construction (string keys, finite numbers).
    serde_json::to_value(t).unwrap_or(Value::Null)
}

/// The JSON of one listed source of a case (its content, or `{available: false, error}`),
/// `None` where the case does not list it.
pub fn source_value(case: &Case, kind: EvidenceKind) -> Option<Value> {
    let ev = &case.evidence;
    match kind {
        EvidenceKind::EksPods => ev.eks_pods.as_ref().map(to_value),
        EvidenceKind::EksEvents => ev.eks_events.as_ref().map(to_value),
        EvidenceKind::EksDeployments => ev.eks_deployments.as_ref().map(to_value),
        EvidenceKind::EksNodeHealth => ev.eks_node_health.as_ref().map(to_value),
        EvidenceKind::EksPodLogs => ev.eks_pod_logs.as_ref().map(to_value),
        EvidenceKind::DatadogLogs => ev.datadog_logs.as_ref().map(to_value),
        EvidenceKind::DatadogMonitors => ev.datadog_monitors.as_ref().map(to_value),
    }
}

/// Appends every key and scalar of `v` to `out`, space separated, in document order.
pub fn flatten(v: &Value, out: &mut String) {
    let push = |s: &str, out: &mut String| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(s);
    };
    match v {
        Value::Null => push("null", out),
        Value::Bool(b) => push(if *b { "true" } else { "false" }, out),
        Value::Number(n) => push(&n.to_string(), out),
        Value::String(s) => push(s, out),
        Value::Array(a) => a.iter().for_each(|x| flatten(x, out)),
        Value::Object(m) => {
            for (k, x) in m {
                push(k, out);
                flatten(x, out);
            }
        }
    }
}

/// Every string leaf of `v` (object keys left out), in document order.
pub fn strings(v: &Value) -> Vec<&str> {
    fn walk<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::String(s) => out.push(s),
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(m) => m.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut out);
    out
}

/// The lowercase word tokens of a text: maximal runs of letters, digits and `_`.
pub fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattening_keeps_keys_and_values_and_splits_lines() {
        let v: Value = serde_json::json!({"logs": "a b\nc", "n": 3, "ok": true, "x": [null]});
        let mut s = String::new();
        flatten(&v, &mut s);
        assert_eq!(s, "logs a b\nc n 3 ok true x null");
        let t: Vec<String> = tokens(&s).collect();
        assert_eq!(
            t,
            ["logs", "a", "b", "c", "n", "3", "ok", "true", "x", "null"]
        );
        assert_eq!(strings(&v), ["a b\nc"]);
    }
}

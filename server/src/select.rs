//! `labelSelector` and `fieldSelector` as kubectl sends them, applied to JSON objects.
//!
//! Labels: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`, comma-separated
//! (all must hold). Fields: `path=v`, `path==v`, `path!=v`, comma-separated, over the fields
//! the API server supports for the resource (`spec.nodeName`, `status.phase`,
//! `involvedObject.uid`, ...); a field the server does not support is a 400, as on a real API
//! server (`field label not supported: x`). A missing field reads as the empty string, so
//! `involvedObject.namespace=` selects a Node's events.

use serde_json::Value;

/// A selector that could not be parsed or names an unsupported field: the 400's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadSelector(pub String);

#[derive(Debug, Clone, PartialEq, Eq)]
enum LabelReq {
    Eq(String, String),
    Ne(String, String),
    Exists(String),
    NotExists(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
}

/// A parsed label selector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels(Vec<LabelReq>);

/// Splits at commas outside parentheses.
fn split_top(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn set_of(s: &str) -> Result<Vec<String>, BadSelector> {
    let inner = s
        .trim()
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| BadSelector(format!("expected a set like (a,b), got \"{s}\"")))?;
    Ok(inner.split(',').map(|v| v.trim().to_owned()).collect())
}

impl Labels {
    /// Parses a `labelSelector` query value.
    pub fn parse(s: &str) -> Result<Labels, BadSelector> {
        let mut reqs = Vec::new();
        for part in split_top(s) {
            let p = part.trim();
            if p.is_empty() {
                continue;
            }
            let req = if let Some((k, v)) = p.split_once("!=") {
                LabelReq::Ne(k.trim().to_owned(), v.trim().to_owned())
            } else if let Some((k, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
                LabelReq::Eq(k.trim().to_owned(), v.trim().to_owned())
            } else if let Some((k, set)) = p.split_once(" notin ") {
                LabelReq::NotIn(k.trim().to_owned(), set_of(set)?)
            } else if let Some((k, set)) = p.split_once(" in ") {
                LabelReq::In(k.trim().to_owned(), set_of(set)?)
            } else if let Some(k) = p.strip_prefix('!') {
                LabelReq::NotExists(k.trim().to_owned())
            } else if p.contains([' ', '(', ')']) {
                return Err(BadSelector(format!("unable to parse requirement: \"{p}\"")));
            } else {
                LabelReq::Exists(p.to_owned())
            };
            reqs.push(req);
        }
        Ok(Labels(reqs))
    }

    /// Whether an object's `metadata.labels` satisfy every requirement.
    pub fn matches(&self, obj: &Value) -> bool {
        let labels = obj.pointer("/metadata/labels");
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            LabelReq::Eq(k, v) => get(k) == Some(v.as_str()),
            LabelReq::Ne(k, v) => get(k) != Some(v.as_str()),
            LabelReq::Exists(k) => get(k).is_some(),
            LabelReq::NotExists(k) => get(k).is_none(),
            LabelReq::In(k, set) => get(k).is_some_and(|v| set.iter().any(|s| s == v)),
            LabelReq::NotIn(k, set) => get(k).is_none_or(|v| set.iter().all(|s| s != v)),
        })
    }
}

/// The field selectors a resource supports, each with the JSON pointer it reads.
pub type FieldSet = &'static [(&'static str, &'static str)];

const META: [(&str, &str); 2] = [
    ("metadata.name", "/metadata/name"),
    ("metadata.namespace", "/metadata/namespace"),
];

/// Pods: the fields of the API server's pod `GetAttrs`.
pub const POD_FIELDS: FieldSet = &[
    META[0],
    META[1],
    ("spec.nodeName", "/spec/nodeName"),
    ("spec.restartPolicy", "/spec/restartPolicy"),
    ("spec.schedulerName", "/spec/schedulerName"),
    ("spec.serviceAccountName", "/spec/serviceAccountName"),
    ("spec.hostNetwork", "/spec/hostNetwork"),
    ("status.phase", "/status/phase"),
    ("status.podIP", "/status/podIP"),
    ("status.nominatedNodeName", "/status/nominatedNodeName"),
];

/// core/v1 events.
pub const EVENT_FIELDS: FieldSet = &[
    META[0],
    META[1],
    ("involvedObject.kind", "/involvedObject/kind"),
    ("involvedObject.namespace", "/involvedObject/namespace"),
    ("involvedObject.name", "/involvedObject/name"),
    ("involvedObject.uid", "/involvedObject/uid"),
    ("involvedObject.apiVersion", "/involvedObject/apiVersion"),
    (
        "involvedObject.resourceVersion",
        "/involvedObject/resourceVersion",
    ),
    ("involvedObject.fieldPath", "/involvedObject/fieldPath"),
    ("reason", "/reason"),
    ("reportingComponent", "/reportingComponent"),
    ("source", "/source/component"),
    ("type", "/type"),
];

/// events.k8s.io/v1 events (the same fields under their new names).
pub const EVENT_V1_FIELDS: FieldSet = &[
    META[0],
    META[1],
    ("regarding.kind", "/regarding/kind"),
    ("regarding.namespace", "/regarding/namespace"),
    ("regarding.name", "/regarding/name"),
    ("regarding.uid", "/regarding/uid"),
    ("regarding.apiVersion", "/regarding/apiVersion"),
    ("regarding.resourceVersion", "/regarding/resourceVersion"),
    ("regarding.fieldPath", "/regarding/fieldPath"),
    ("reason", "/reason"),
    ("reportingController", "/reportingController"),
    ("type", "/type"),
];

/// Nodes.
pub const NODE_FIELDS: FieldSet = &[META[0], ("spec.unschedulable", "/spec/unschedulable")];

/// Deployments, StatefulSets and ReplicaSets.
pub const META_FIELDS: FieldSet = &[META[0], META[1]];

#[derive(Debug, Clone, PartialEq, Eq)]
struct FieldReq {
    pointer: &'static str,
    value: String,
    equal: bool,
}

/// A parsed field selector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(Vec<FieldReq>);

impl Fields {
    /// Parses a `fieldSelector` query value against the fields a resource supports.
    pub fn parse(s: &str, supported: FieldSet) -> Result<Fields, BadSelector> {
        let mut reqs = Vec::new();
        for part in s.split(',') {
            let p = part.trim();
            if p.is_empty() {
                continue;
            }
            let (field, value, equal) = if let Some((f, v)) = p.split_once("!=") {
                (f, v, false)
            } else if let Some((f, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
                (f, v, true)
            } else {
                return Err(BadSelector(format!(
                    "invalid selector: '{p}'; can't understand '{p}'"
                )));
            };
            let field = field.trim();
            let Some((_, pointer)) = supported.iter().find(|(name, _)| *name == field) else {
                return Err(BadSelector(format!("field label not supported: {field}")));
            };
            reqs.push(FieldReq {
                pointer,
                value: value.trim().to_owned(),
                equal,
            });
        }
        Ok(Fields(reqs))
    }

    /// Whether an object satisfies every requirement (a missing field is the empty string).
    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|r| {
            let actual = match obj.pointer(r.pointer) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
            };
            (actual == r.value) == r.equal
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_requirements_of_every_form() {
        let pod = json!({"metadata": {"labels": {"app": "api", "tier": "web"}}});
        let check = |sel: &str, want: bool| {
            assert_eq!(Labels::parse(sel).unwrap().matches(&pod), want, "{sel}");
        };
        check("", true);
        check("app=api", true);
        check("app==api,tier=web", true);
        check("app=db", false);
        check("app!=db", true);
        check("app", true);
        check("!app", false);
        check("!missing", true);
        check("app in (db, api)", true);
        check("app in (db)", false);
        check("app notin (db)", true);
        check("missing notin (db)", true);
        check("app notin (api,db),tier", false);
        assert!(Labels::parse("app in db").is_err());
        assert!(Labels::parse("a b").is_err());
    }

    #[test]
    fn field_requirements_read_the_supported_paths() {
        let ev = json!({"involvedObject": {"kind": "Node", "name": "n1"}, "count": 3});
        let sel = Fields::parse(
            "involvedObject.name=n1,involvedObject.namespace=,involvedObject.kind==Node",
            EVENT_FIELDS,
        )
        .unwrap();
        assert!(sel.matches(&ev));
        let not = Fields::parse("involvedObject.kind!=Node", EVENT_FIELDS).unwrap();
        assert!(!not.matches(&ev));
        assert_eq!(
            Fields::parse("spec.nodeName=x", EVENT_FIELDS),
            Err(BadSelector(
                "field label not supported: spec.nodeName".into()
            ))
        );
        assert!(Fields::parse("nonsense", POD_FIELDS).is_err());
        let node = json!({"spec": {"unschedulable": true}});
        assert!(
            Fields::parse("spec.unschedulable=true", NODE_FIELDS)
                .unwrap()
                .matches(&node)
        );
    }
}

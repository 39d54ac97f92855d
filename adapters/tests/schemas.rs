//! `schemas/case.schema.json` and `schemas/prediction.schema.json` agree with the serde types:
//! label enums equal the taxonomy, real requests and predictions validate, broken ones do not.
//! The validator below covers exactly the JSON Schema keywords these two files use.

mod common;

use serde_json::{Value, json};

use adapters::wire;
use classifier::rules;
use scenario::{Category, FailureMode, RootCause, Source};

fn schema(name: &str) -> Value {
    let path = common::root()
        .join("schemas")
        .join(format!("{name}.schema.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Errors of `value` against `schema` (resolving `$ref` in `root`), with JSON paths.
fn validate(root: &Value, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    let known = [
        "$schema",
        "$id",
        "$ref",
        "$defs",
        "title",
        "description",
        "default",
        "type",
        "enum",
        "const",
        "required",
        "properties",
        "additionalProperties",
        "items",
        "anyOf",
        "minimum",
        "maximum",
    ];
    for key in schema.as_object().unwrap().keys() {
        assert!(
            known.contains(&key.as_str()),
            "validator does not know keyword {key} (at {path})"
        );
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/$defs/").unwrap();
        return validate(root, &root["$defs"][name], value, path, errors);
    }
    // As in JSON Schema, the sibling keywords of anyOf apply too (the case's root has both).
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array)
        && !any.iter().any(|s| {
            let mut e = Vec::new();
            validate(root, s, value, path, &mut e);
            e.is_empty()
        })
    {
        errors.push(format!("{path}: matches no alternative"));
    }
    if let Some(c) = schema.get("const")
        && c != value
    {
        errors.push(format!("{path}: expected {c}"));
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array)
        && !e.contains(value)
    {
        errors.push(format!("{path}: {value} not in enum"));
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().map(|v| v.as_str().unwrap()).collect(),
            _ => panic!("bad type"),
        };
        let ok = types.iter().any(|t| match *t {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            "object" => value.is_object(),
            "array" => value.is_array(),
            other => panic!("type {other}"),
        });
        if !ok {
            errors.push(format!("{path}: {value} is not {types:?}"));
            return;
        }
    }
    if let Some(n) = value.as_f64() {
        if schema
            .get("minimum")
            .and_then(Value::as_f64)
            .is_some_and(|m| n < m)
        {
            errors.push(format!("{path}: {n} below minimum"));
        }
        if schema
            .get("maximum")
            .and_then(Value::as_f64)
            .is_some_and(|m| n > m)
        {
            errors.push(format!("{path}: {n} above maximum"));
        }
    }
    if let Some(obj) = value.as_object() {
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !obj.contains_key(r.as_str().unwrap()) {
                errors.push(format!("{path}: missing {r}"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, v) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate(root, s, v, &format!("{path}.{k}"), errors),
                None => {
                    if let Some(extra) = schema.get("additionalProperties") {
                        validate(root, extra, v, &format!("{path}.{k}"), errors);
                    }
                }
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            validate(root, items, v, &format!("{path}[{i}]"), errors);
        }
    }
}

fn errors(schema: &Value, value: &Value) -> Vec<String> {
    let mut e = Vec::new();
    validate(schema, schema, value, "$", &mut e);
    e
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn label_enums_are_the_taxonomy() {
    let p = schema("prediction");
    let all = |xs: Vec<&str>| xs.into_iter().map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(
        strings(&p["properties"]["failure_mode"]["enum"]),
        all(FailureMode::ALL.iter().map(|l| l.as_str()).collect())
    );
    assert_eq!(
        strings(&p["properties"]["root_cause_category"]["enum"]),
        all(Category::ALL.iter().map(|l| l.as_str()).collect())
    );
    assert_eq!(
        strings(&p["properties"]["root_cause"]["enum"]),
        all(RootCause::ALL.iter().map(|l| l.as_str()).collect())
    );
}

#[test]
fn requests_and_predictions_validate() {
    let case_schema = schema("case");
    let pred_schema = schema("prediction");
    let suite = scenario::load(&common::root().join("corpus/canonical")).unwrap();
    let mut cases: Vec<scenario::Case> =
        suite.scenarios().iter().map(|s| s.case().clone()).collect();
    let mut unavailable = cases[1].clone();
    unavailable.evidence.datadog_logs = Some(Source::Unavailable {
        error: "403 Forbidden".into(),
    });
    cases.push(unavailable);
    for case in &cases {
        let request: Value = serde_json::from_str(&wire::request(case, 3)).unwrap();
        assert_eq!(
            errors(&case_schema, &request),
            Vec::<String>::new(),
            "{}",
            case.id
        );
        let mut prediction = serde_json::to_value(rules::classify(case)).unwrap();
        prediction["id"] = json!(case.id);
        assert_eq!(
            errors(&pred_schema, &prediction),
            Vec::<String>::new(),
            "{prediction}"
        );
    }
    // An interactive request: no evidence, the investigate object; one without either fails.
    let inv = json!({"api_server": "http://127.0.0.1:1/s/c1", "token": "c1",
                     "kubeconfig": "/tmp/k.yaml", "context": "c1",
                     "mcp": "http://127.0.0.1:1/s/c1/mcp", "datadog": "http://127.0.0.1:1/s/c1/datadog"});
    let line = wire::investigating(inv, || wire::request(&cases[0], 0));
    let mut request: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(errors(&case_schema, &request), Vec::<String>::new());
    request.as_object_mut().unwrap().remove("investigate");
    assert!(!errors(&case_schema, &request).is_empty());
}

#[test]
fn broken_documents_do_not_validate() {
    let case_schema = schema("case");
    let pred_schema = schema("prediction");
    assert!(
        !errors(
            &pred_schema,
            &json!({"id": "c", "failure_mode": "oomkilled"})
        )
        .is_empty()
    );
    assert!(
        !errors(
            &pred_schema,
            &json!({"id": "c", "failure_mode": "healthy", "confidence": 1.5})
        )
        .is_empty()
    );
    assert!(!errors(&pred_schema, &json!({"id": "c"})).is_empty());
    let mut request: Value = serde_json::from_str(&wire::request(&common::cases(1)[0], 0)).unwrap();
    request["evidence"]["eks_pods"] = json!({"available": true, "error": "x"});
    assert!(!errors(&case_schema, &request).is_empty());
    request.as_object_mut().unwrap().remove("context");
    assert!(!errors(&case_schema, &request).is_empty());
}

//! The JSON Schema of a prediction (`schemas/prediction.schema.json`), generated from the
//! taxonomy so that a new label needs no hand edit: the label enums are `FailureMode::ALL`,
//! `Category::ALL` and `RootCause::ALL`. A test compares the committed file with
//! [`prediction_schema`] and `just bless` rewrites it.

use serde::Serialize;
use serde_json::{Value, json};

use scenario::{Category, FailureMode, RootCause};

/// Where the generated file lives, relative to the workspace root.
pub const PREDICTION_SCHEMA_FILE: &str = "schemas/prediction.schema.json";

/// The schema document; fields in the order they are written.
#[derive(Serialize)]
struct Document {
    #[serde(rename = "$schema")]
    schema: &'static str,
    #[serde(rename = "$id")]
    id: &'static str,
    title: &'static str,
    description: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    required: [&'static str; 1],
    properties: Properties,
}

/// One property per field of a prediction line, in protocol order.
#[derive(Serialize)]
struct Properties {
    id: Property,
    trial: Property,
    failure_mode: Property,
    root_cause_category: Property,
    root_cause: Property,
    exit_code: Property,
    affected_pod: Property,
    affected_container: Property,
    confidence: Property,
    explanation: Property,
    usage: Property,
}

/// The keywords a property uses (only those set are written).
#[derive(Default, Serialize)]
struct Property {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<Value>,
    #[serde(rename = "enum", skip_serializing_if = "Option::is_none")]
    one_of: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    minimum: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    maximum: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Value>,
}

fn labels<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> Option<Vec<&'static str>> {
    Some(all.iter().map(|l| as_str(*l)).collect())
}

/// A nullable value of JSON type `kind`.
fn nullable(kind: &str) -> Option<Value> {
    Some(json!([kind, "null"]))
}

/// The prediction schema as the committed file holds it: pretty JSON and a final newline.
#[must_use]
pub fn prediction_schema() -> String {
    let doc = Document {
        schema: "https://json-schema.org/draft/2020-12/schema",
        id: "urn:triagebench:schema:prediction:1.0",
        title: "triagebench prediction",
        description: "A classifier's answer for one case: one JSON Lines response line (cmd:, where id is required), one HTTP response body (http://), or one line of a replay file (replay:, where id is required and trial defaults to 0). Unknown keys are ignored; an unknown label or a value out of range makes the case an error row.",
        kind: "object",
        required: [FailureMode::FIELD],
        properties: Properties {
            id: Property {
                kind: Some(json!("string")),
                description: Some(
                    "The case id this answers (required for cmd: and replay:; checked if present for http://).",
                ),
                ..Property::default()
            },
            trial: Property {
                kind: Some(json!("integer")),
                minimum: Some(0),
                description: Some("replay: the trial this answers (default 0); ignored elsewhere."),
                ..Property::default()
            },
            failure_mode: Property {
                one_of: labels(FailureMode::ALL, FailureMode::as_str),
                description: Some("Level 1; \"unknown\" abstains."),
                ..Property::default()
            },
            root_cause_category: Property {
                one_of: labels(Category::ALL, Category::as_str),
                default: Some(json!(Category::Unknown.as_str())),
                description: Some("Level 2."),
                ..Property::default()
            },
            root_cause: Property {
                one_of: labels(RootCause::ALL, RootCause::as_str),
                default: Some(json!(RootCause::Unknown.as_str())),
                description: Some("Level 3."),
                ..Property::default()
            },
            exit_code: Property {
                kind: nullable("integer"),
                minimum: Some(i64::from(i32::MIN)),
                maximum: Some(i64::from(i32::MAX)),
                description: Some("The exit code the classifier read, if any."),
                ..Property::default()
            },
            affected_pod: Property {
                kind: nullable("string"),
                description: Some("namespace/pod of the pod it blames."),
                ..Property::default()
            },
            affected_container: Property {
                kind: nullable("string"),
                description: Some("The container it blames."),
                ..Property::default()
            },
            confidence: Property {
                kind: nullable("number"),
                minimum: Some(0),
                maximum: Some(1),
                ..Property::default()
            },
            explanation: Property {
                kind: Some(json!("string")),
                default: Some(json!("")),
                description: Some("Why, citing evidence (file and object)."),
                ..Property::default()
            },
            usage: Property {
                kind: nullable("object"),
                description: Some(
                    "What the call cost, each key optional: reports aggregate cost per case, cost per correct diagnosis and tokens per case; compare --max-cost-increase gates on it.",
                ),
                properties: Some(json!({
                    "input_tokens": {"type": ["integer", "null"], "minimum": 0},
                    "output_tokens": {"type": ["integer", "null"], "minimum": 0},
                    "cost_usd": {"type": ["number", "null"], "minimum": 0},
                    "tool_calls": {"type": ["integer", "null"], "minimum": 0},
                })),
                ..Property::default()
            },
        },
    };
    let mut text = serde_json::to_string_pretty(&doc).expect("plain structs serialize");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_is_in_the_schema() {
        let v: Value = serde_json::from_str(&prediction_schema()).unwrap();
        let causes = v["properties"]["root_cause"]["enum"].as_array().unwrap();
        assert_eq!(causes.len(), RootCause::ALL.len());
        assert_eq!(v["required"], json!(["failure_mode"]));
    }
}

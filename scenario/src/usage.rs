//! What one classifier call cost: `usage` of the wire protocol (`input_tokens`,
//! `output_tokens`, `cost_usd`, `tool_calls`, each optional), its validation, and the per-thread
//! side channel that carries it from an adapter's `classify` to the evaluator that timed the
//! call.
//!
//! The side channel exists because `classifier::Classifier::classify` returns a bare
//! [`Prediction`](crate::Prediction): an adapter that read a usage object calls [`report`] on
//! the thread that called `classify`, just before returning; the evaluator calls [`take`] on
//! the same thread right after (and before, to drop anything stale). A classifier that never
//! reports has no usage, which every report shows as null.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::json_check::kind;

/// The cost and effort of one call, as the classifier reported it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// Prompt tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    /// Completion tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
    /// Money spent, in US dollars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
    /// Tool calls made (kubectl, log queries, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<u64>,
}

impl Usage {
    /// Input plus output tokens, where either is known.
    pub fn tokens(&self) -> Option<u64> {
        match (self.input_tokens, self.output_tokens) {
            (None, None) => None,
            (i, o) => Some(i.unwrap_or(0) + o.unwrap_or(0)),
        }
    }
}

/// The keys a usage object may have.
pub const USAGE_KEYS: [&str; 4] = ["input_tokens", "output_tokens", "cost_usd", "tool_calls"];

/// Reads the `usage` value of a prediction object: absent or null is `None`; otherwise an
/// object whose known keys are non-negative integers (`cost_usd`: a non-negative finite number)
/// or null. Unknown keys inside it are ignored, as at the top level. The error names the field:
/// `usage.cost_usd: expected a non-negative number, got -1`.
pub fn parse(value: Option<&Value>) -> Result<Option<Usage>, String> {
    let object: &Map<String, Value> = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(o)) => o,
        Some(other) => {
            return Err(format!("usage: expected an object, got {}", kind(other)));
        }
    };
    let count = |key: &str| -> Result<Option<u64>, String> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| format!("usage.{key}: expected a non-negative integer, got {n}")),
            Some(other) => Err(format!(
                "usage.{key}: expected a non-negative integer, got {}",
                kind(other)
            )),
        }
    };
    let cost = match object.get("cost_usd") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_f64() {
            Some(c) if c.is_finite() && c >= 0.0 => Some(c),
            _ => {
                return Err(format!(
                    "usage.cost_usd: expected a non-negative number, got {n}"
                ));
            }
        },
        Some(other) => {
            return Err(format!(
                "usage.cost_usd: expected a non-negative number, got {}",
                kind(other)
            ));
        }
    };
    Ok(Some(Usage {
        input_tokens: count("input_tokens")?,
        output_tokens: count("output_tokens")?,
        cost_usd: cost,
        tool_calls: count("tool_calls")?,
    }))
}

thread_local! {
    static LAST: RefCell<Option<Usage>> = const { RefCell::new(None) };
}

/// Records the usage of the call this thread is making (replacing any earlier report).
pub fn report(usage: Option<Usage>) {
    LAST.with(|l| *l.borrow_mut() = usage);
}

/// Takes what [`report`] left on this thread, if anything.
pub fn take() -> Option<Usage> {
    LAST.with(|l| l.borrow_mut().take())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_names_the_bad_field() {
        assert_eq!(parse(None), Ok(None));
        assert_eq!(parse(Some(&Value::Null)), Ok(None));
        let u = parse(Some(
            &json!({"input_tokens": 1200, "output_tokens": 80, "cost_usd": 0.0042,
                                   "tool_calls": 3, "model": "x"}),
        ))
        .unwrap()
        .unwrap();
        assert_eq!(
            u,
            Usage {
                input_tokens: Some(1200),
                output_tokens: Some(80),
                cost_usd: Some(0.0042),
                tool_calls: Some(3)
            }
        );
        assert_eq!(u.tokens(), Some(1280));
        let partial = parse(Some(&json!({"cost_usd": 1}))).unwrap().unwrap();
        assert_eq!((partial.cost_usd, partial.tokens()), (Some(1.0), None));
        for (bad, msg) in [
            (json!(3), "usage: expected an object, got a number"),
            (
                json!({"cost_usd": -1}),
                "usage.cost_usd: expected a non-negative number, got -1",
            ),
            (
                json!({"input_tokens": 1.5}),
                "usage.input_tokens: expected a non-negative integer, got 1.5",
            ),
            (
                json!({"tool_calls": "3"}),
                "usage.tool_calls: expected a non-negative integer, got a string",
            ),
        ] {
            assert_eq!(parse(Some(&bad)), Err(msg.to_owned()));
        }
    }

    #[test]
    fn the_side_channel_is_per_thread_and_taken_once() {
        report(Some(Usage {
            tool_calls: Some(2),
            ..Usage::default()
        }));
        std::thread::spawn(|| assert_eq!(take(), None))
            .join()
            .unwrap();
        assert_eq!(take().and_then(|u| u.tool_calls), Some(2));
        assert_eq!(take(), None);
    }
}

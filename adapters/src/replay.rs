//! `replay:predictions.jsonl`: scores predictions made elsewhere. Each line is
//! `{"id": ..., "trial": optional (default 0), ...prediction fields}`.
//!
//! A line that cannot be tied to a case (not JSON, no `id`, a bad `trial`, a repeated
//! `(id, trial)`) makes the whole file bad input. A line tied to a case whose prediction breaks
//! the contract (an unknown label, a wrong type, confidence out of range) becomes that case's
//! `error` row, naming file, line and field. A case with no line is an `error` row; lines no
//! case asked for are reported by `finish()`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::Value;

use classifier::{CallError, Classifier};
use scenario::{Case, Prediction, Usage};

use crate::{SpecError, wire};

/// A replayed line: the prediction and its usage, or why the line is not a valid one.
type Replayed = Result<(Prediction, Option<Usage>), String>;

/// A predictions file loaded into memory.
#[derive(Debug)]
pub struct Replay {
    path: PathBuf,
    shown: String,
    version: String,
    /// `(id, trial)` -> (line number, prediction or the reason it is invalid).
    entries: HashMap<(String, u32), (usize, Replayed)>,
    asked: Mutex<HashSet<(String, u32)>>,
}

impl Replay {
    /// Reads and checks the file.
    pub fn open(path: &Path) -> Result<Replay, SpecError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SpecError::ReplayRead {
            path: shown.clone(),
            source,
        })?;
        let bad = |line: usize, field: Option<&str>, message: String| SpecError::ReplayLine {
            path: shown.clone(),
            line,
            field: field.map(str::to_owned),
            message,
        };
        let mut entries = HashMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            if raw.trim().is_empty() {
                continue;
            }
            let value: Value = serde_json::from_str(raw)
                .map_err(|e| bad(line, None, format!("invalid JSON: {e}")))?;
            let Value::Object(mut object) = value else {
                return Err(bad(
                    line,
                    None,
                    format!("expected a JSON object, got {}", wire::kind(&value)),
                ));
            };
            let id = match object.remove("id") {
                Some(Value::String(id)) if !id.is_empty() => id,
                Some(Value::String(_)) => {
                    return Err(bad(line, Some("id"), "must not be empty".into()));
                }
                Some(other) => {
                    return Err(bad(
                        line,
                        Some("id"),
                        format!("expected a string, got {}", wire::kind(&other)),
                    ));
                }
                None => return Err(bad(line, Some("id"), "missing".into())),
            };
            let trial = match object.remove("trial") {
                None | Some(Value::Null) => 0,
                Some(Value::Number(n)) => match n.as_u64().and_then(|t| u32::try_from(t).ok()) {
                    Some(t) => t,
                    None => {
                        return Err(bad(
                            line,
                            Some("trial"),
                            format!("expected a non-negative integer, got {n}"),
                        ));
                    }
                },
                Some(other) => {
                    return Err(bad(
                        line,
                        Some("trial"),
                        format!(
                            "expected a non-negative integer, got {}",
                            wire::kind(&other)
                        ),
                    ));
                }
            };
            let prediction =
                wire::prediction_with_usage(object).map_err(|e| format!("{shown}:{line}: {e}"));
            if let Some((first, _)) = entries.get(&(id.clone(), trial)) {
                return Err(SpecError::ReplayDuplicate {
                    path: shown,
                    id,
                    trial,
                    first: *first,
                    second: line,
                });
            }
            entries.insert((id, trial), (line, prediction));
        }
        Ok(Replay {
            path: path.to_owned(),
            version: format!("{:016x}", fnv1a(text.as_bytes())),
            shown,
            entries,
            asked: Mutex::new(HashSet::new()),
        })
    }

    /// Number of predictions in the file.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the file holds no prediction.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Classifier for Replay {
    fn name(&self) -> String {
        format!("replay:{}", self.path.display())
    }

    /// The file's content hash (FNV-1a 64), so two different files never share a version.
    fn version(&self) -> String {
        self.version.clone()
    }

    fn classify(&self, case: &Case, trial: u32) -> Result<Prediction, CallError> {
        let key = (case.id.clone(), trial);
        let found = self.entries.get(&key);
        self.asked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key);
        match found {
            Some((_, Ok((p, usage)))) => {
                scenario::usage::report(*usage);
                Ok(p.clone())
            }
            Some((_, Err(reason))) => Err(CallError::new(reason.clone())),
            None if trial == 0 => Err(CallError::new(format!(
                "no prediction for this case in {}",
                self.shown
            ))),
            None => Err(CallError::new(format!(
                "no prediction for this case (trial {trial}) in {}",
                self.shown
            ))),
        }
    }

    /// Reports the lines no case asked for.
    fn finish(&self) -> Vec<String> {
        let asked = self
            .asked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let extra: BTreeMap<usize, &(String, u32)> = self
            .entries
            .iter()
            .filter(|(k, _)| !asked.contains(*k))
            .map(|(k, (line, _))| (*line, k))
            .collect();
        if extra.is_empty() {
            return Vec::new();
        }
        let shown: Vec<String> = extra
            .iter()
            .take(10)
            .map(|(line, (id, trial))| {
                if *trial == 0 {
                    format!("{id} (line {line})")
                } else {
                    format!("{id} trial {trial} (line {line})")
                }
            })
            .collect();
        let more = if extra.len() > 10 {
            format!(", and {} more", extra.len() - 10)
        } else {
            String::new()
        };
        vec![format!(
            "{}: {} prediction(s) for ids no case asked for: {}{more}",
            self.shown,
            extra.len(),
            shown.join(", ")
        )]
    }
}

/// FNV-1a, 64 bit: a content fingerprint without a hashing dependency.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

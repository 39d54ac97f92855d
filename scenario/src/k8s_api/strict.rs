//! The strict check: a raw API object deserializes into its model type with no unknown field
//! and no missing required field.
//!
//! `k8s-openapi` silently drops fields it does not know and fills a missing required field
//! with its default, so a plain deserialization proves little. This module runs it through
//! [`serde_ignored`] (which names every dropped field) and [`serde_path_to_error`] (which
//! names the field of a type error), then serializes the typed value back and compares it
//! with the input: a key the model writes that the input lacks (or gave as `null`) is a
//! missing required field. Explicit `null`s of optional fields count as absent, and two
//! timestamps that denote the same instant are equal (`metav1.Time` keeps whole seconds, so
//! the input's fraction is compared truncated).

use std::collections::HashSet;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::load::{Problem, humanize};

/// Deserializes `value` into `T` strictly. Paths in problems start with `prefix` (empty for
/// a whole file, `items[3]` for an item of a `List`).
pub(crate) fn strict<T: DeserializeOwned + Serialize>(
    value: &Value,
    shown: &str,
    prefix: &str,
) -> Result<T, Vec<Problem>> {
    let mut ignored: Vec<String> = Vec::new();
    let mut note = |path: serde_ignored::Path<'_>| ignored.push(render(&path));
    let de = serde_ignored::Deserializer::new(value, &mut note);
    let typed: T = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let mut path = if path == "." { String::new() } else { path };
        let message = humanize(&e.inner().to_string());
        // k8s-openapi checks `apiVersion` and `kind` after reading them, so the error carries
        // the object's path: name the field.
        if let Some(expected) = message
            .strip_prefix("expected ")
            .and_then(|m| m.split_once(", got \""))
            .map(|(want, _)| want)
        {
            if super::KINDS.contains(&expected) {
                path = join_path(&path, "kind");
            } else if expected == "v1" || expected.ends_with("/v1") {
                path = join_path(&path, "apiVersion");
            }
        }
        vec![at(shown, &join_path(prefix, &path), message)]
    })?;
    let mut problems: Vec<Problem> = ignored
        .iter()
        .map(|p| {
            at(
                shown,
                &join_path(prefix, p),
                "unknown field (not in the API's schema)",
            )
        })
        .collect();
    let back = serde_json::to_value(&typed)
        .map_err(|e| vec![at(shown, prefix, format!("cannot serialize back: {e}"))])?;
    let ignored: HashSet<String> = ignored.into_iter().collect();
    Compare {
        shown,
        prefix,
        ignored: &ignored,
        problems: &mut problems,
    }
    .walk(value, &back, &mut String::new());
    if problems.is_empty() {
        Ok(typed)
    } else {
        problems.sort();
        problems.dedup();
        Err(problems)
    }
}

/// A problem at `path` of `shown` (the whole file when `path` is empty).
pub(crate) fn at(shown: &str, path: &str, message: impl Into<String>) -> Problem {
    if path.is_empty() {
        Problem::file(shown, message)
    } else {
        Problem::field(shown, path, message)
    }
}

/// `a.b` + `c` = `a.b.c`; `a` + `[0]` = `a[0]`; empty parts vanish.
pub(crate) fn join_path(parent: &str, child: &str) -> String {
    match (parent.is_empty(), child.is_empty()) {
        (true, _) => child.to_owned(),
        (false, true) => parent.to_owned(),
        (false, false) if child.starts_with('[') => format!("{parent}{child}"),
        (false, false) => format!("{parent}.{child}"),
    }
}

/// Renders a `serde_ignored` path in the loader's `items[0].status.phase` form.
fn render(path: &serde_ignored::Path<'_>) -> String {
    match path {
        serde_ignored::Path::Root => String::new(),
        serde_ignored::Path::Seq { parent, index } => format!("{}[{index}]", render(parent)),
        serde_ignored::Path::Map { parent, key } => join_path(&render(parent), key),
        serde_ignored::Path::Some { parent }
        | serde_ignored::Path::NewtypeStruct { parent }
        | serde_ignored::Path::NewtypeVariant { parent } => render(parent),
    }
}

/// The walk that compares the input with the typed value written back.
struct Compare<'a> {
    shown: &'a str,
    prefix: &'a str,
    ignored: &'a HashSet<String>,
    problems: &'a mut Vec<Problem>,
}

impl Compare<'_> {
    fn push(&mut self, path: &str, message: impl Into<String>) {
        self.problems
            .push(at(self.shown, &join_path(self.prefix, path), message));
    }

    /// Compares `input` with `back` below `path`, a buffer extended and cut back as the walk
    /// goes (a path is only rendered into a problem when there is one).
    fn walk(&mut self, input: &Value, back: &Value, path: &mut String) {
        match (input, back) {
            (Value::Object(i), Value::Object(b)) => {
                // The API leaves `apiVersion`/`kind` out of the items of a list; the model
                // always writes them for an object with `metadata`.
                let resource = b.contains_key("metadata");
                for (key, bv) in b {
                    let len = push_key(path, key);
                    match i.get(key) {
                        None if resource && (key == "apiVersion" || key == "kind") => {}
                        Some(Value::Null) if bv.is_null() => {}
                        None | Some(Value::Null) => {
                            self.push(path, "missing required field");
                        }
                        Some(iv) => self.walk(iv, bv, path),
                    }
                    path.truncate(len);
                }
                for (key, iv) in i {
                    if b.contains_key(key) || iv.is_null() {
                        continue;
                    }
                    let len = push_key(path, key);
                    if !self.ignored.contains(path.as_str()) {
                        self.push(path, "dropped by the model (not in the API's schema)");
                    }
                    path.truncate(len);
                }
            }
            (Value::Array(i), Value::Array(b)) if i.len() == b.len() => {
                for (n, (iv, bv)) in i.iter().zip(b).enumerate() {
                    let len = path.len();
                    // Writing to a String cannot fail.
                    let _ = std::fmt::Write::write_fmt(path, format_args!("[{n}]"));
                    self.walk(iv, bv, path);
                    path.truncate(len);
                }
            }
            (Value::String(i), Value::String(b)) => {
                if i != b && !same_instant(i, b) {
                    self.push(path, format!("reads back as {b:?}, not {i:?}"));
                }
            }
            (Value::Number(i), Value::Number(b)) => {
                if i.as_f64() != b.as_f64() {
                    self.push(path, format!("reads back as {b}, not {i}"));
                }
            }
            (i, b) if i == b => {}
            (i, b) => self.push(path, format!("reads back as {b}, not {i}")),
        }
    }
}

/// Appends `key` to `path` as [`join_path`] joins them; returns the length to cut back to.
fn push_key(path: &mut String, key: &str) -> usize {
    let len = path.len();
    if !path.is_empty() && !key.is_empty() && !key.starts_with('[') {
        path.push('.');
    }
    path.push_str(key);
    len
}

/// Whether two timestamp strings denote the same instant, at the precision the model keeps
/// (`metav1.Time` writes whole seconds, `MicroTime` microseconds).
fn same_instant(input: &str, back: &str) -> bool {
    let (Ok(i), Ok(b)) = (
        input.parse::<k8s_openapi::jiff::Timestamp>(),
        back.parse::<k8s_openapi::jiff::Timestamp>(),
    ) else {
        return false;
    };
    if i == b {
        return true;
    }
    let (si, ni) = (i.as_second(), i.subsec_nanosecond());
    let (sb, nb) = (b.as_second(), b.subsec_nanosecond());
    si == sb && (nb == 0 || nb == ni / 1000 * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_compare_at_the_model_precision() {
        assert!(same_instant("2026-04-18T10:45:10Z", "2026-04-18T10:45:10Z"));
        assert!(same_instant(
            "2026-04-18T10:45:10+00:00",
            "2026-04-18T10:45:10Z"
        ));
        assert!(same_instant(
            "2026-04-18T10:45:10.123Z",
            "2026-04-18T10:45:10Z"
        ));
        assert!(same_instant(
            "2026-04-18T10:45:10.123456789Z",
            "2026-04-18T10:45:10.123456Z"
        ));
        assert!(!same_instant(
            "2026-04-18T10:45:11Z",
            "2026-04-18T10:45:10Z"
        ));
        assert!(!same_instant("yesterday", "2026-04-18T10:45:10Z"));
    }

    #[test]
    fn the_walk_builds_paths_as_join_path_does() {
        for (parent, key) in [
            ("", "items"),
            ("items", "[0]"),
            ("items[0]", "status"),
            ("a", ""),
        ] {
            let mut path = parent.to_owned();
            let len = push_key(&mut path, key);
            assert_eq!(path, join_path(parent, key));
            path.truncate(len);
            assert_eq!(path, parent);
        }
    }

    #[test]
    fn paths_join_like_the_loader() {
        assert_eq!(join_path("", "items"), "items");
        assert_eq!(join_path("items", "[0]"), "items[0]");
        assert_eq!(join_path("items[0]", "status"), "items[0].status");
        assert_eq!(join_path("a", ""), "a");
    }
}

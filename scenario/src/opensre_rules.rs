//! OpenSRE's loader rules, as a conformance check: would OpenSRE's own fixture loader
//! (Tracer-Cloud/opensre `tests/synthetic/eks/scenario_loader.py` with the validators of
//! `tests/synthetic/k8s_schemas.py`) load this scenario?
//!
//! Written from the facts of those files (shared `OPENSRE.md` section 1), not from
//! triagebench's own model: each file is read as plain JSON/YAML and checked the way the
//! Python validators check it. Python's rules carry over exactly: a "string" is a non-empty
//! string after stripping, an "integer" is any JSON integer (Python's `bool` is an `int`,
//! so `true` passes too), extra keys are ignored, `base:` is one level, and a listed evidence
//! file is looked up in the scenario, then in its base. OpenSRE raises on the first
//! violation; this check lists them all.

use std::path::Path;

use serde_json::Value;

use crate::files::EvidenceKind;
use crate::load::{Problem, read_text};

/// OpenSRE's `VALID_K8S_TRAJECTORY_ACTIONS`: the tool calls an `optimal_trajectory` may name.
pub const TRAJECTORY_ACTIONS: &[&str] = &[
    "list_eks_pods",
    "get_eks_events",
    "list_eks_deployments",
    "get_eks_node_health",
    "get_eks_pod_logs",
    "query_datadog_logs",
    "query_datadog_monitors",
];

/// OpenSRE's `VALID_K8S_ENGINES`.
pub const ENGINES: &[&str] = &["eks", "gke", "aks", "kubernetes"];

/// OpenSRE's `VALID_K8S_WORKLOAD_TYPES`.
pub const WORKLOAD_TYPES: &[&str] = &[
    "deployment",
    "statefulset",
    "daemonset",
    "job",
    "cronjob",
    "replicaset",
];

/// OpenSRE's `VALID_K8S_FAILURE_MODES`.
pub const FAILURE_MODES: &[&str] = &[
    "healthy",
    "crashloop_backoff",
    "oom_killed",
    "image_pull_backoff",
    "node_not_ready",
    "pending_pod",
    "deployment_rollout_stuck",
    "evicted_pods",
    "dns_resolution_failure",
    "probe_failure",
    "resource_quota_exceeded",
];

/// Collects the problems of one file.
struct Check<'a> {
    shown: &'a str,
    problems: Vec<Problem>,
}

impl Check<'_> {
    fn push(&mut self, field: &str, message: impl Into<String>) {
        self.problems.push(if field.is_empty() {
            Problem::file(self.shown, message)
        } else {
            Problem::field(self.shown, field, message)
        });
    }

    /// `_require_str`: a non-empty string after stripping.
    fn string(&mut self, obj: &Value, key: &str, at: &str) {
        let ok = matches!(obj.get(key), Some(Value::String(s)) if !s.trim().is_empty());
        if !ok {
            self.push(
                &join(at, key),
                "missing or empty required string field (OpenSRE's loader)",
            );
        }
    }

    /// `isinstance(v, int)` (a Python `bool` is an `int`).
    fn int(&mut self, obj: &Value, key: &str, at: &str) {
        let ok = matches!(obj.get(key), Some(Value::Number(n)) if n.is_i64() || n.is_u64())
            || matches!(obj.get(key), Some(Value::Bool(_)));
        if !ok {
            self.push(&join(at, key), "must be an integer (OpenSRE's loader)");
        }
    }

    fn list<'v>(&mut self, obj: &'v Value, key: &str, at: &str) -> &'v [Value] {
        match obj.get(key) {
            Some(Value::Array(a)) => a,
            _ => {
                self.push(&join(at, key), "must be a list (OpenSRE's loader)");
                &[]
            }
        }
    }

    fn object(&mut self, obj: &Value, key: &str, at: &str) {
        if !matches!(obj.get(key), Some(Value::Object(_))) {
            self.push(&join(at, key), "must be an object (OpenSRE's loader)");
        }
    }

    /// `_require_non_empty_str_list`.
    fn str_list(&mut self, obj: &Value, key: &str, required: bool) {
        match obj.get(key) {
            None | Some(Value::Null) if !required => {}
            Some(Value::Array(a)) if !a.is_empty() => {
                if !a
                    .iter()
                    .all(|v| matches!(v, Value::String(s) if !s.trim().is_empty()))
                {
                    self.push(
                        key,
                        "all entries must be non-empty strings (OpenSRE's loader)",
                    );
                }
            }
            _ => self.push(key, "must be a non-empty list (OpenSRE's loader)"),
        }
    }
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_owned()
    } else {
        format!("{at}.{key}")
    }
}

fn done(c: Check<'_>) -> Vec<Problem> {
    c.problems
}

/// `validate_k8s_scenario_metadata` on the merged `scenario.yml`.
pub fn scenario_yml(data: &Value, shown: &str) -> Vec<Problem> {
    let mut c = Check {
        shown,
        problems: Vec::new(),
    };
    for f in [
        "schema_version",
        "scenario_id",
        "engine",
        "cluster_name",
        "namespace",
        "workload_type",
        "workload_name",
        "region",
        "failure_mode",
        "severity",
    ] {
        c.string(data, f, "");
    }
    for (key, set) in [
        ("engine", ENGINES),
        ("workload_type", WORKLOAD_TYPES),
        ("failure_mode", FAILURE_MODES),
    ] {
        if let Some(Value::String(v)) = data.get(key)
            && !v.trim().is_empty()
            && !set.contains(&v.as_str())
        {
            c.push(
                key,
                format!(
                    "unknown {key} \"{v}\" (OpenSRE's loader expects one of {})",
                    set.join(", ")
                ),
            );
        }
    }
    match data.get("available_evidence") {
        Some(Value::Array(a)) if !a.is_empty() => {
            for (i, s) in a.iter().enumerate() {
                let known = s
                    .as_str()
                    .is_some_and(|s| EvidenceKind::ALL.iter().any(|k| k.as_str() == s));
                if !known {
                    c.push(
                        &format!("available_evidence[{i}]"),
                        format!("unknown evidence source {s}"),
                    );
                }
            }
        }
        _ => c.push(
            "available_evidence",
            "must be a non-empty list (OpenSRE's loader)",
        ),
    }
    done(c)
}

/// `validate_k8s_answer_key` on `answer.yml`.
pub fn answer_yml(data: &Value, shown: &str) -> Vec<Problem> {
    let mut c = Check {
        shown,
        problems: Vec::new(),
    };
    c.string(data, "root_cause_category", "");
    c.str_list(data, "required_keywords", true);
    c.string(data, "model_response", "");
    for f in [
        "forbidden_categories",
        "forbidden_keywords",
        "required_evidence_sources",
    ] {
        if let Some(v) = data.get(f)
            && !v.is_null()
            && !v.is_array()
        {
            c.push(f, "must be a list when present (OpenSRE's loader)");
        }
    }
    match data.get("optimal_trajectory") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) if !a.is_empty() => {
            for (i, action) in a.iter().enumerate() {
                if !action
                    .as_str()
                    .is_some_and(|s| TRAJECTORY_ACTIONS.contains(&s))
                {
                    c.push(
                        &format!("optimal_trajectory[{i}]"),
                        format!(
                            "unknown action {action} (OpenSRE's loader expects one of {})",
                            TRAJECTORY_ACTIONS.join(", ")
                        ),
                    );
                }
            }
        }
        Some(_) => c.push(
            "optimal_trajectory",
            "must be a non-empty list when present (OpenSRE's loader)",
        ),
    }
    match data.get("max_investigation_loops") {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) if n.as_i64().is_some_and(|n| n >= 1) => {}
        Some(Value::Bool(true)) => {}
        Some(_) => c.push(
            "max_investigation_loops",
            "must be a positive integer when present (OpenSRE's loader)",
        ),
    }
    c.str_list(data, "ruling_out_keywords", false);
    c.str_list(data, "required_queries", false);
    done(c)
}

/// `validate_k8s_alert` on `alert.json`.
pub fn alert_json(data: &Value, shown: &str) -> Vec<Problem> {
    let mut c = Check {
        shown,
        problems: Vec::new(),
    };
    for f in ["title", "state", "alert_source"] {
        c.string(data, f, "");
    }
    c.object(data, "commonLabels", "");
    c.object(data, "commonAnnotations", "");
    done(c)
}

/// The validator of one evidence file (`validate_eks_pods`, ...).
pub fn evidence(kind: EvidenceKind, data: &Value, shown: &str) -> Vec<Problem> {
    let mut c = Check {
        shown,
        problems: Vec::new(),
    };
    match kind {
        EvidenceKind::EksPods => {
            for (i, pod) in c.list(data, "pods", "").iter().enumerate() {
                let at = format!("pods[{i}]");
                for f in ["name", "namespace", "phase", "node_name", "start_time"] {
                    c.string(pod, f, &at);
                }
                let containers = c.list(pod, "containers", &at);
                c.list(pod, "conditions", &at);
                for (j, ct) in containers.iter().enumerate() {
                    let at = format!("{at}.containers[{j}]");
                    c.string(ct, "name", &at);
                    if !matches!(ct.get("ready"), Some(Value::Bool(_))) {
                        c.push(&join(&at, "ready"), "must be a boolean (OpenSRE's loader)");
                    }
                    c.int(ct, "restart_count", &at);
                    c.object(ct, "state", &at);
                }
            }
        }
        EvidenceKind::EksEvents => {
            for (i, e) in c.list(data, "warning_events", "").iter().enumerate() {
                let at = format!("warning_events[{i}]");
                for f in [
                    "namespace",
                    "reason",
                    "message",
                    "type",
                    "involved_object",
                    "first_time",
                    "last_time",
                ] {
                    c.string(e, f, &at);
                }
                c.int(e, "count", &at);
            }
        }
        EvidenceKind::EksDeployments => {
            for (i, d) in c.list(data, "deployments", "").iter().enumerate() {
                let at = format!("deployments[{i}]");
                c.string(d, "name", &at);
                c.string(d, "namespace", &at);
                for f in ["desired", "ready", "available", "unavailable"] {
                    c.int(d, f, &at);
                }
            }
        }
        EvidenceKind::EksNodeHealth => {
            for (i, n) in c.list(data, "nodes", "").iter().enumerate() {
                let at = format!("nodes[{i}]");
                c.string(n, "name", &at);
                if !matches!(
                    n.get("ready").and_then(Value::as_str),
                    Some("True" | "False" | "Unknown")
                ) {
                    c.push(
                        &join(&at, "ready"),
                        "must be the string True, False or Unknown (OpenSRE's loader)",
                    );
                }
            }
        }
        EvidenceKind::EksPodLogs => {
            c.string(data, "pod_name", "");
            c.string(data, "namespace", "");
            if !matches!(data.get("logs"), Some(Value::String(_))) {
                c.push("logs", "must be a string (OpenSRE's loader)");
            }
        }
        EvidenceKind::DatadogLogs => {
            for (i, l) in c.list(data, "logs", "").iter().enumerate() {
                let at = format!("logs[{i}]");
                c.string(l, "timestamp", &at);
                c.string(l, "message", &at);
                if let Some(t) = l.get("tags")
                    && !t.is_array()
                {
                    c.push(
                        &join(&at, "tags"),
                        "must be a list when present (OpenSRE's loader)",
                    );
                }
            }
        }
        EvidenceKind::DatadogMonitors => {
            for (i, m) in c.list(data, "monitors", "").iter().enumerate() {
                let at = format!("monitors[{i}]");
                for f in ["name", "type", "query", "overall_state"] {
                    c.string(m, f, &at);
                }
            }
        }
    }
    done(c)
}

fn read_value(path: &Path, shown: &str, yaml: bool) -> Result<Value, Problem> {
    let text = read_text(path, shown)?;
    let value: Value = if yaml {
        serde_saphyr::from_str(&text).map_err(|e| {
            Problem::file(
                shown,
                format!(
                    "malformed YAML: {}",
                    e.to_string().lines().next().unwrap_or("")
                ),
            )
        })?
    } else {
        crate::json_check::check(&text)
            .map_err(|e| Problem::file(shown, format!("malformed JSON: {e}")))?;
        serde_json::from_str(&text)
            .map_err(|e| Problem::file(shown, format!("malformed JSON: {e}")))?
    };
    if value.is_object() {
        Ok(value)
    } else {
        Err(Problem::file(
            shown,
            "expected an object (OpenSRE's loader)",
        ))
    }
}

/// Checks one scenario directory `root/name` as OpenSRE's `load_scenario` would load it.
pub fn check_scenario(root: &Path, name: &str) -> Vec<Problem> {
    let dir = root.join(name);
    let shown = |f: &str| format!("{name}/{f}");
    let mut raw = match read_value(&dir.join("scenario.yml"), &shown("scenario.yml"), true) {
        Ok(v) => v,
        Err(p) => return vec![p],
    };
    let mut base_dir = None;
    if let Some(base) = raw.get("base").cloned().filter(|b| !b.is_null() && b != "") {
        let base_name = base
            .as_str()
            .map_or_else(|| base.to_string(), str::to_owned);
        let bdir = root.join(&base_name);
        let base_shown = format!("{base_name}/scenario.yml");
        if !bdir.is_dir() {
            return vec![Problem::field(
                shown("scenario.yml"),
                "base",
                format!("base scenario \"{base_name}\" not found (OpenSRE's loader)"),
            )];
        }
        let base_raw = match read_value(&bdir.join("scenario.yml"), &base_shown, true) {
            Ok(v) => v,
            Err(p) => return vec![p],
        };
        if base_raw.get("base").is_some() {
            return vec![Problem::field(
                shown("scenario.yml"),
                "base",
                "chained inheritance is not supported (OpenSRE's loader)",
            )];
        }
        let mut merged = base_raw.as_object().cloned().unwrap_or_default();
        for (k, v) in raw.as_object().into_iter().flatten() {
            if k != "base" {
                merged.insert(k.clone(), v.clone());
            }
        }
        merged.remove("base");
        raw = Value::Object(merged);
        base_dir = Some((base_name, bdir));
    }
    let mut problems = scenario_yml(&raw, &shown("scenario.yml"));
    let lookup = |file: &str| -> Option<(std::path::PathBuf, String)> {
        let own = dir.join(file);
        if own.exists() {
            return Some((own, shown(file)));
        }
        let (b, bdir) = base_dir.as_ref()?;
        let p = bdir.join(file);
        p.exists().then(|| (p, format!("{b}/{file}")))
    };
    match lookup("alert.json") {
        Some((p, s)) => match read_value(&p, &s, false) {
            Ok(v) => problems.extend(alert_json(&v, &s)),
            Err(e) => problems.push(e),
        },
        None => problems.push(Problem::file(
            shown("alert.json"),
            "not found (OpenSRE's loader)",
        )),
    }
    let listed: Vec<&str> = raw
        .get("available_evidence")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for kind in EvidenceKind::ALL {
        if !listed.contains(&kind.as_str()) {
            continue;
        }
        let file = kind.file_name();
        match lookup(&file) {
            Some((p, s)) => match read_value(&p, &s, false) {
                Ok(v) => problems.extend(evidence(*kind, &v, &s)),
                Err(e) => problems.push(e),
            },
            None => problems.push(Problem::file(
                shown(&file),
                "evidence not found in the scenario or its base (OpenSRE's loader)",
            )),
        }
    }
    match read_value(&dir.join("answer.yml"), &shown("answer.yml"), true) {
        Ok(v) => problems.extend(answer_yml(&v, &shown("answer.yml"))),
        Err(e) => problems.push(e),
    }
    problems.sort();
    problems.dedup();
    problems
}

/// Checks every scenario of a suite (`load_all_scenarios`: the subdirectories whose names
/// start with three digits). Empty when OpenSRE's loader would load the whole suite.
pub fn check_suite(root: &Path) -> Vec<Problem> {
    let mut names: Vec<String> = match std::fs::read_dir(root) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.len() >= 3 && n.as_bytes()[..3].iter().all(u8::is_ascii_digit))
            .collect(),
        Err(e) => {
            return vec![Problem::file(
                root.display().to_string(),
                format!("cannot list: {e}"),
            )];
        }
    };
    names.sort();
    names.iter().flat_map(|n| check_scenario(root, n)).collect()
}

//! Interactive runs: the calls an agent made of its scenario's API (`trajectories.parquet`, one
//! row per call) and the per-case trajectory metrics derived from them (new nullable columns
//! of `predictions.parquet`, null for non-interactive runs).
//!
//! * [`source_of`]: the evidence source a call touched (`eks_pods`, ..., `datadog_monitors`;
//!   none for discovery and the like), from the Kubernetes resource, the Datadog endpoint or
//!   the MCP tool name.
//! * [`action_of`]: the OpenSRE trajectory action the call amounts to (one of
//!   `scenario::opensre_rules::TRAJECTORY_ACTIONS`).
//! * [`metrics`]: `calls`, `refused` (429), `bytes_read`, `sources_touched`,
//!   `required_sources_gathered`, `trajectory_set_ok` (OpenSRE's `sequencing_ok`:
//!   set(optimal) <= set(actions)), `trajectory_order` (the longest common subsequence of the
//!   optimal trajectory and the actions, over the optimal trajectory's length), `loops` (the
//!   admitted calls: OpenSRE counts its own agent's investigation loops; an external agent's
//!   loops are its calls), `loops_ok` (loops <= `max_investigation_loops`), `queries_ok`
//!   (every `required_queries` entry is a case-insensitive substring of some action, as
//!   OpenSRE's `score_reasoning`). A metric whose answer field is absent is null.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::columns::BatchBuilder;
use crate::report::ReportError;

/// `trajectories.parquet`
pub const TRAJECTORIES_FILE: &str = "trajectories.parquet";

/// One call of a case's trajectory (a row of `trajectories.parquet`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrajectoryRow {
    /// The run.
    pub run_id: String,
    /// The scenario id.
    pub id: String,
    /// The trial.
    pub trial: u32,
    /// 0-based position in the trajectory.
    pub seq: u64,
    /// `get`, `list`, `log`, `discovery`, `tool`, or a refused write's method.
    pub verb: String,
    /// The resource, Datadog endpoint (`datadog/logs`) or MCP tool name.
    pub resource: String,
    /// The namespace (empty: cluster-wide).
    pub namespace: String,
    /// The object name (empty for a list).
    pub name: String,
    /// The query string or the tool's arguments JSON.
    pub args: String,
    /// The HTTP status answered (200 for a tool call that succeeded).
    pub status: u16,
    /// Bytes of the answer.
    pub bytes: u64,
    /// Milliseconds since the server started.
    pub at_ms: u64,
    /// The evidence source touched ([`source_of`]).
    pub source: Option<String>,
    /// The OpenSRE trajectory action ([`action_of`]).
    pub action: Option<String>,
}

/// The evidence source a call touched: `eks_pods` (pods get/list, `list_eks_pods`, a generic
/// read or list of kind Pod), `eks_events` (events, `get_eks_events`, `get_k8s_events`),
/// `eks_deployments` (deployments, replicasets, statefulsets, `list_eks_deployments`),
/// `eks_node_health` (nodes, `get_eks_node_health`), `eks_pod_logs` (`pods/log`,
/// `get_eks_pod_logs`, `get_pod_logs`), `datadog_logs`, `datadog_monitors`; `None` for
/// discovery, namespaces and anything else.
pub fn source_of(verb: &str, resource: &str, args: &str) -> Option<&'static str> {
    let by_resource = |r: &str| -> Option<&'static str> {
        Some(match r.to_ascii_lowercase().as_str() {
            "pods" | "pod" | "po" => "eks_pods",
            "events" | "event" | "ev" => "eks_events",
            "deployments" | "deployment" | "deploy" | "replicasets" | "replicaset" | "rs"
            | "statefulsets" | "statefulset" | "sts" => "eks_deployments",
            "nodes" | "node" | "no" => "eks_node_health",
            "pods/log" => "eks_pod_logs",
            "datadog/logs" => "datadog_logs",
            "datadog/monitors" => "datadog_monitors",
            _ => return None,
        })
    };
    if verb != "tool" {
        if matches!(verb, "get" | "list" | "log") {
            return by_resource(resource);
        }
        return None;
    }
    match resource {
        "list_eks_pods" => Some("eks_pods"),
        "get_eks_events" | "get_k8s_events" => Some("eks_events"),
        "list_eks_deployments" => Some("eks_deployments"),
        "get_eks_node_health" => Some("eks_node_health"),
        "get_eks_pod_logs" | "get_pod_logs" => Some("eks_pod_logs"),
        "query_datadog_logs" => Some("datadog_logs"),
        "query_datadog_monitors" => Some("datadog_monitors"),
        _ => {
            // A generic tool (`read`, `list`, `get_resource`, ...): its `kind` or `resource`
            // argument names what it read.
            let v: serde_json::Value = serde_json::from_str(args).ok()?;
            ["kind", "resource", "resource_type"]
                .iter()
                .find_map(|k| v.get(*k).and_then(serde_json::Value::as_str))
                .and_then(|r| by_resource(&format!("{}s", r.trim_end_matches('s'))))
        }
    }
}

/// The OpenSRE trajectory action a call amounts to: the tool OpenSRE's agent calls to gather
/// the source the call touched.
pub fn action_of(verb: &str, resource: &str, args: &str) -> Option<&'static str> {
    Some(match source_of(verb, resource, args)? {
        "eks_pods" => "list_eks_pods",
        "eks_events" => "get_eks_events",
        "eks_deployments" => "list_eks_deployments",
        "eks_node_health" => "get_eks_node_health",
        "eks_pod_logs" => "get_eks_pod_logs",
        "datadog_logs" => "query_datadog_logs",
        _ => "query_datadog_monitors",
    })
}

/// The per-case trajectory columns of `predictions.parquet` (all null for a non-interactive
/// run; each also null where the answer field it checks against is absent).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrajectoryMetrics {
    /// Calls recorded (admitted and refused).
    pub calls: Option<u64>,
    /// Calls refused for the budget (429).
    pub refused: Option<u64>,
    /// Bytes of every answer.
    pub bytes_read: Option<u64>,
    /// Distinct evidence sources answered with a 200.
    pub sources_touched: Option<u64>,
    /// Every `required_evidence_sources` entry touched with a 200; null if none listed.
    pub required_sources_gathered: Option<bool>,
    /// OpenSRE's `sequencing_ok`: set(optimal_trajectory) <= set(actions); null if none.
    pub trajectory_set_ok: Option<bool>,
    /// The share of the optimal trajectory found in order among the actions (longest common
    /// subsequence / its length); null if none.
    pub trajectory_order: Option<f64>,
    /// Admitted calls (an external agent's investigation loops are its calls).
    pub loops: Option<u64>,
    /// loops <= `max_investigation_loops`; null if absent.
    pub loops_ok: Option<bool>,
    /// Every `required_queries` entry is a substring of some action; null if none.
    pub queries_ok: Option<bool>,
}

/// What the metrics read of `answer.yml`.
#[derive(Clone, Copy, Debug)]
pub struct Expect<'a> {
    /// `optimal_trajectory`.
    pub optimal_trajectory: &'a [String],
    /// `max_investigation_loops`.
    pub max_investigation_loops: Option<u32>,
    /// `required_queries`.
    pub required_queries: &'a [String],
    /// `required_evidence_sources`.
    pub required_evidence_sources: &'a [String],
}

impl<'a> Expect<'a> {
    /// The fields of an answer file.
    pub fn of(a: &'a scenario::files::AnswerFile) -> Expect<'a> {
        Expect {
            optimal_trajectory: &a.optimal_trajectory,
            max_investigation_loops: a.max_investigation_loops,
            required_queries: &a.required_queries,
            required_evidence_sources: &a.required_evidence_sources,
        }
    }
}

/// The sources touched with a 200, sorted.
pub fn gathered_sources(calls: &[TrajectoryRow]) -> BTreeSet<String> {
    calls
        .iter()
        .filter(|c| c.status == 200)
        .filter_map(|c| c.source.clone())
        .collect()
}

/// Length of the longest common subsequence of two sequences.
fn lcs(a: &[String], b: &[&str]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    for x in a {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                prev[j + 1].max(cur[j])
            };
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The metrics of one case's trajectory.
pub fn metrics(calls: &[TrajectoryRow], expect: &Expect<'_>) -> TrajectoryMetrics {
    let refused = calls.iter().filter(|c| c.status == 429).count() as u64;
    let gathered = gathered_sources(calls);
    let actions: Vec<&str> = calls.iter().filter_map(|c| c.action.as_deref()).collect();
    let loops = calls.len() as u64 - refused;
    let opt = expect.optimal_trajectory;
    let req = expect.required_evidence_sources;
    let queries = expect.required_queries;
    TrajectoryMetrics {
        calls: Some(calls.len() as u64),
        refused: Some(refused),
        bytes_read: Some(calls.iter().map(|c| c.bytes).sum()),
        sources_touched: Some(gathered.len() as u64),
        required_sources_gathered: (!req.is_empty())
            .then(|| req.iter().all(|s| gathered.contains(s))),
        trajectory_set_ok: (!opt.is_empty())
            .then(|| opt.iter().all(|o| actions.contains(&o.as_str()))),
        trajectory_order: (!opt.is_empty()).then(|| lcs(opt, &actions) as f64 / opt.len() as f64),
        loops: Some(loops),
        loops_ok: expect
            .max_investigation_loops
            .map(|m| loops <= u64::from(m)),
        queries_ok: (!queries.is_empty()).then(|| {
            queries.iter().all(|q| {
                let q = q.to_lowercase();
                actions.iter().any(|a| a.to_lowercase().contains(&q))
            })
        }),
    }
}

/// Writes `trajectories.parquet`.
pub fn write(path: &Path, rows: &[TrajectoryRow]) -> Result<(), ReportError> {
    BatchBuilder::default()
        .str("run_id", rows.iter().map(|r| r.run_id.as_str()))
        .str("id", rows.iter().map(|r| r.id.as_str()))
        .i32("trial", rows.iter().map(|r| r.trial as i32))
        .u64("seq", rows.iter().map(|r| r.seq))
        .str("verb", rows.iter().map(|r| r.verb.as_str()))
        .str("resource", rows.iter().map(|r| r.resource.as_str()))
        .str("namespace", rows.iter().map(|r| r.namespace.as_str()))
        .str("name", rows.iter().map(|r| r.name.as_str()))
        .str("args", rows.iter().map(|r| r.args.as_str()))
        .i32("status", rows.iter().map(|r| i32::from(r.status)))
        .u64("bytes", rows.iter().map(|r| r.bytes))
        .u64("at_ms", rows.iter().map(|r| r.at_ms))
        .opt_str("source", rows.iter().map(|r| r.source.as_deref()))
        .opt_str("action", rows.iter().map(|r| r.action.as_deref()))
        .write(path)
}

/// Reads `trajectories.parquet`.
pub fn read(path: &Path) -> Result<Vec<TrajectoryRow>, ReportError> {
    crate::columns::read_parquet(path, |c| {
        let (run_id, id, trial, seq) = (
            c.str("run_id")?,
            c.str("id")?,
            c.i32("trial")?,
            c.u64("seq")?,
        );
        let (verb, resource, namespace, name, args) = (
            c.str("verb")?,
            c.str("resource")?,
            c.str("namespace")?,
            c.str("name")?,
            c.str("args")?,
        );
        let (status, bytes, at_ms) = (c.i32("status")?, c.u64("bytes")?, c.u64("at_ms")?);
        let (source, action) = (c.opt_str("source")?, c.opt_str("action")?);
        Ok((0..run_id.len())
            .map(|i| TrajectoryRow {
                run_id: run_id[i].clone(),
                id: id[i].clone(),
                trial: u32::try_from(trial[i]).unwrap_or(0),
                seq: seq[i],
                verb: verb[i].clone(),
                resource: resource[i].clone(),
                namespace: namespace[i].clone(),
                name: name[i].clone(),
                args: args[i].clone(),
                status: u16::try_from(status[i]).unwrap_or(0),
                bytes: bytes[i],
                at_ms: at_ms[i],
                source: source[i].clone(),
                action: action[i].clone(),
            })
            .collect())
    })
}

/// The summary's OpenSRE line (pass rate of the rows that have it; nothing for old runs).
pub fn opensre_summary(rows: &[crate::tables::PredictionRow]) -> String {
    let scored: Vec<bool> = rows.iter().filter_map(|r| r.opensre_pass).collect();
    if scored.is_empty() {
        return String::new();
    }
    let pass = scored.iter().filter(|p| **p).count();
    format!(
        "\nOpenSRE pass/fail (run_suite.score_result): {:.3} passed ({pass}/{})\n",
        pass as f64 / scored.len() as f64,
        scored.len()
    )
}

fn mean(v: impl Iterator<Item = f64>) -> Option<f64> {
    let (n, sum) = v.fold((0usize, 0.0), |(n, s), x| (n + 1, s + x));
    (n > 0).then(|| sum / n as f64)
}

fn rate(v: impl Iterator<Item = Option<bool>>) -> Option<f64> {
    mean(v.flatten().map(|b| f64::from(u8::from(b))))
}

fn cell(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |x| format!("{x:.digits$}"))
}

/// The columns of the trajectory table ([`trajectory_table`]).
pub const TABLE_COLUMNS: [&str; 9] = [
    "calls/case",
    "sources",
    "KB/case",
    "set_ok",
    "order",
    "loops_ok",
    "req_src",
    "pass",
    "n",
];

/// The trajectory table of an interactive run: per run, per failure mode and per difficulty,
/// calls, sources and KB per case, the trajectory set and order, loops within budget,
/// required sources gathered and the OpenSRE pass rate (`-`: no answer field to check
/// against); one (label, cells) per line. Empty for a non-interactive run.
pub fn trajectory_table(rows: &[crate::tables::PredictionRow]) -> Vec<(String, Vec<String>)> {
    if rows.iter().all(|r| r.trajectory.calls.is_none()) {
        return Vec::new();
    }
    let line = |name: String, rs: &[&crate::tables::PredictionRow]| {
        let t = |f: fn(&TrajectoryMetrics) -> Option<u64>| {
            mean(rs.iter().filter_map(|r| f(&r.trajectory)).map(|x| x as f64))
        };
        (
            name,
            vec![
                cell(t(|m| m.calls), 1),
                cell(t(|m| m.sources_touched), 1),
                cell(t(|m| m.bytes_read).map(|b| b / 1024.0), 1),
                cell(rate(rs.iter().map(|r| r.trajectory.trajectory_set_ok)), 2),
                cell(
                    mean(rs.iter().filter_map(|r| r.trajectory.trajectory_order)),
                    2,
                ),
                cell(rate(rs.iter().map(|r| r.trajectory.loops_ok)), 2),
                cell(
                    rate(rs.iter().map(|r| r.trajectory.required_sources_gathered)),
                    2,
                ),
                cell(rate(rs.iter().map(|r| r.opensre_pass)), 2),
                rs.len().to_string(),
            ],
        )
    };
    let all: Vec<&crate::tables::PredictionRow> = rows.iter().collect();
    let mut out = vec![line("run".into(), &all)];
    let mut modes: Vec<&str> = rows.iter().map(|r| r.family.as_str()).collect();
    modes.sort_unstable();
    modes.dedup();
    for m in modes {
        let rs: Vec<_> = rows.iter().filter(|r| r.family == m).collect();
        out.push(line(m.to_owned(), &rs));
    }
    let mut levels: Vec<u8> = rows.iter().map(|r| r.difficulty).collect();
    levels.sort_unstable();
    levels.dedup();
    for d in levels {
        let rs: Vec<_> = rows.iter().filter(|r| r.difficulty == d).collect();
        out.push(line(format!("difficulty {d}"), &rs));
    }
    out
}

/// The summary's trajectory table ([`trajectory_table`]) as text; empty for a
/// non-interactive run.
pub fn trajectory_summary(rows: &[crate::tables::PredictionRow]) -> String {
    let table = trajectory_table(rows);
    if table.is_empty() {
        return String::new();
    }
    let mut out = format!("\n{:<26}", "trajectories");
    for c in TABLE_COLUMNS {
        out.push_str(&format!("{c:>11}"));
    }
    out.push('\n');
    for (i, (label, cells)) in table.iter().enumerate() {
        let label = if i == 0 {
            label.clone()
        } else {
            format!("  {label}")
        };
        out.push_str(&format!("{label:<26}"));
        for c in cells {
            out.push_str(&format!("{c:>11}"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(verb: &str, resource: &str, args: &str, status: u16) -> TrajectoryRow {
        TrajectoryRow {
            run_id: "r".into(),
            id: "s".into(),
            trial: 0,
            seq: 0,
            verb: verb.into(),
            resource: resource.into(),
            namespace: String::new(),
            name: String::new(),
            args: args.into(),
            status,
            bytes: 10,
            at_ms: 0,
            source: source_of(verb, resource, args).map(str::to_owned),
            action: action_of(verb, resource, args).map(str::to_owned),
        }
    }

    #[test]
    fn sources_and_actions_of_api_calls_and_tools() {
        let table: &[(&str, &str, &str, Option<&str>)] = &[
            ("list", "pods", "", Some("eks_pods")),
            ("get", "pods", "", Some("eks_pods")),
            ("tool", "list_eks_pods", "{}", Some("eks_pods")),
            (
                "tool",
                "read",
                r#"{"kind":"Pod","name":"x"}"#,
                Some("eks_pods"),
            ),
            (
                "tool",
                "list",
                r#"{"kind":"Deployment"}"#,
                Some("eks_deployments"),
            ),
            ("list", "events", "", Some("eks_events")),
            ("tool", "get_k8s_events", "{}", Some("eks_events")),
            ("tool", "get_eks_events", "{}", Some("eks_events")),
            ("list", "replicasets", "", Some("eks_deployments")),
            ("list", "statefulsets", "", Some("eks_deployments")),
            (
                "tool",
                "list_eks_deployments",
                "{}",
                Some("eks_deployments"),
            ),
            ("list", "nodes", "", Some("eks_node_health")),
            ("tool", "get_eks_node_health", "{}", Some("eks_node_health")),
            ("log", "pods/log", "previous=true", Some("eks_pod_logs")),
            ("tool", "get_pod_logs", "{}", Some("eks_pod_logs")),
            ("tool", "get_eks_pod_logs", "{}", Some("eks_pod_logs")),
            ("list", "datadog/logs", "", Some("datadog_logs")),
            ("list", "datadog/monitors", "", Some("datadog_monitors")),
            ("discovery", "api/v1", "", None),
            ("list", "namespaces", "", None),
            ("delete", "pods", "", None),
            ("tool", "whoami", "{}", None),
        ];
        for (verb, resource, args, source) in table {
            assert_eq!(
                source_of(verb, resource, args),
                *source,
                "{verb} {resource}"
            );
            let action = action_of(verb, resource, args);
            assert_eq!(action.is_some(), source.is_some());
            if let Some(a) = action {
                assert!(
                    scenario::opensre_rules::TRAJECTORY_ACTIONS.contains(&a),
                    "{a}"
                );
            }
        }
        assert_eq!(action_of("list", "pods", ""), Some("list_eks_pods"));
        assert_eq!(action_of("log", "pods/log", ""), Some("get_eks_pod_logs"));
    }

    #[test]
    fn metrics_follow_opensre_and_are_null_without_their_answer_field() {
        let calls = vec![
            call("discovery", "api", "", 200),
            call("list", "pods", "", 200),
            call("log", "pods/log", "", 200),
            call("list", "events", "", 403),
            call("list", "nodes", "", 429),
        ];
        let none = Expect {
            optimal_trajectory: &[],
            max_investigation_loops: None,
            required_queries: &[],
            required_evidence_sources: &[],
        };
        let m = metrics(&calls, &none);
        assert_eq!(
            (m.calls, m.refused, m.bytes_read, m.sources_touched, m.loops),
            (Some(5), Some(1), Some(50), Some(2), Some(4))
        );
        assert_eq!(
            (
                m.required_sources_gathered,
                m.trajectory_set_ok,
                m.trajectory_order,
                m.loops_ok,
                m.queries_ok
            ),
            (None, None, None, None, None)
        );
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        let opt = s(&["get_eks_pod_logs", "list_eks_pods", "get_eks_events"]);
        let queries = s(&["POD_LOGS", "datadog"]);
        let req = s(&["eks_pods", "eks_events"]);
        let m = metrics(
            &calls,
            &Expect {
                optimal_trajectory: &opt,
                max_investigation_loops: Some(4),
                required_queries: &queries,
                required_evidence_sources: &req,
            },
        );
        // The events call failed (403): the source is not gathered, but the action was taken.
        assert_eq!(m.required_sources_gathered, Some(false));
        assert_eq!(m.trajectory_set_ok, Some(true));
        // actions: pods, logs, events, nodes; optimal: logs, pods, events -> lcs 2 of 3.
        assert_eq!(m.trajectory_order, Some(2.0 / 3.0));
        assert_eq!(m.loops_ok, Some(true));
        assert_eq!(m.queries_ok, Some(false), "no action contains datadog");
        let m = metrics(
            &calls[..2],
            &Expect {
                optimal_trajectory: &opt,
                max_investigation_loops: Some(1),
                required_queries: &s(&["pods"]),
                required_evidence_sources: &s(&["eks_pods"]),
            },
        );
        assert_eq!(
            (
                m.required_sources_gathered,
                m.trajectory_set_ok,
                m.loops_ok,
                m.queries_ok
            ),
            (Some(true), Some(false), Some(false), Some(true))
        );
    }

    #[test]
    fn trajectories_round_trip_through_parquet() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(TRAJECTORIES_FILE);
        let rows = vec![
            call("list", "pods", "limit=1", 200),
            call("discovery", "api", "", 200),
        ];
        write(&path, &rows).unwrap();
        assert_eq!(read(&path).unwrap(), rows);
    }
}

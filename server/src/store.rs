//! The served corpus: every scenario's raw `k8s-api` objects as JSON, with every timestamp
//! shifted so the scenario's snapshot is the moment the server started.
//!
//! A scenario's snapshot time is the latest timestamp its Kubernetes objects carry (node
//! heartbeats, event times, container state times): the moment `kubectl get -o json` would have
//! been run. Every RFC 3339 string of the objects (`creationTimestamp`, `lastTimestamp`,
//! `eventTime`, `startedAt`, ...) and every leading RFC 3339 timestamp of a captured log line is
//! moved by the same amount (`anchor - snapshot`), so ages computed by the server (Table cells)
//! and by kubectl itself (`describe`'s Events section, from the wall clock) agree: a pod that
//! restarted 49 s before the snapshot restarted 49 s before the server started.
//!
//! The store is built once and only read afterwards: no request can change it, and nothing is
//! ever written back to the corpus.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use scenario::k8s_api::{ApiAnswer, PodLogCapture, RawEvidence};
use scenario::time::{Utc, unix_seconds};
use scenario::{Problems, Profile, Suite};
use serde::Serialize;
use serde_json::Value;

/// What one resource of a scenario answers: its objects, or the error `Status` the snapshot
/// recorded for the call (a 403 of the tool, say).
#[derive(Clone, Debug)]
pub enum Source {
    /// The objects (each a JSON object with `apiVersion`, `kind`, `metadata`).
    Items(Vec<Value>),
    /// The API's error `Status` (a JSON object with `code`).
    Failed(Value),
    /// The scenario does not list this evidence source: served as 403 Forbidden.
    NotListed,
}

impl Source {
    /// The objects, empty when the source failed or is not listed.
    pub fn items(&self) -> &[Value] {
        match self {
            Source::Items(items) => items,
            _ => &[],
        }
    }
}

/// One captured container log (after the shift).
#[derive(Clone, Debug)]
pub struct LogEntry {
    /// Namespace of the pod.
    pub namespace: String,
    /// Pod name.
    pub pod: String,
    /// Container name.
    pub container: String,
    /// The previous (terminated) instance.
    pub previous: bool,
    /// The log text, or the API's error `Status` as JSON.
    pub answer: Result<String, Value>,
}

/// One scenario as the API serves it.
#[derive(Clone, Debug)]
pub struct Cluster {
    /// The opaque case id (`c` + 16 hex digits): the path prefix `/s/<id>` and the bearer token.
    pub id: String,
    /// Where the alert fired (the kubeconfig context's default namespace).
    pub namespace: String,
    /// core/v1 pods.
    pub pods: Source,
    /// core/v1 events (all namespaces).
    pub events: Source,
    /// core/v1 nodes.
    pub nodes: Source,
    /// apps/v1 deployments.
    pub deployments: Source,
    /// apps/v1 statefulsets.
    pub statefulsets: Source,
    /// apps/v1 replicasets.
    pub replicasets: Source,
    /// Captured container logs; `None` when the scenario does not list pod logs.
    pub logs: Option<Vec<LogEntry>>,
    /// The stored Datadog answers (`/s/<id>/datadog/...`).
    pub datadog: crate::datadog::Datadog,
    /// Every namespace an object of the scenario lives in.
    pub namespaces: BTreeSet<String>,
    /// The snapshot time of the files (Unix seconds), before the shift.
    pub snapshot: i64,
    /// Seconds added to every timestamp (`anchor - snapshot`).
    pub shift: i64,
    /// The EKS cluster the scenario's alert names (`cluster_name` of OpenSRE's tools; empty
    /// for a cluster built without a case).
    pub cluster_name: String,
    /// The raw evidence as typed objects, shifted by [`Cluster::shift`] like the JSON above
    /// (Datadog answers included): what the MCP tools project OpenSRE's answers from.
    pub raw: Arc<RawEvidence>,
}

/// Every served scenario, by case id.
#[derive(Debug, Default)]
pub struct Store {
    clusters: BTreeMap<String, Cluster>,
}

impl Store {
    /// Loads a corpus in the `k8s-api` profile (strictly checked, every problem listed) and
    /// shifts every scenario so its snapshot is `anchor` (Unix seconds).
    pub fn load(corpus: &Path, anchor: i64) -> Result<Store, Problems> {
        let suite = scenario::load_profile(corpus, Profile::K8sApi)?;
        Ok(Store::from_suite(&suite, anchor))
    }

    /// The store of a suite loaded in the `k8s-api` profile (a scenario without raw objects
    /// serves every resource as not listed).
    pub fn from_suite(suite: &Suite, anchor: i64) -> Store {
        let clusters = suite
            .scenarios()
            .iter()
            .map(|s| {
                let case = s.case();
                let raw = case.k8s_api.clone().unwrap_or_default();
                let mut cluster = Cluster::build(&case.id, &case.context.namespace, &raw, anchor);
                cluster.cluster_name.clone_from(&case.context.cluster_name);
                (cluster.id.clone(), cluster)
            })
            .collect();
        Store { clusters }
    }

    /// A store of clusters built elsewhere (a suite in memory, a test); a later cluster with
    /// the id of an earlier one replaces it.
    pub fn from_clusters(clusters: impl IntoIterator<Item = Cluster>) -> Store {
        Store {
            clusters: clusters.into_iter().map(|c| (c.id.clone(), c)).collect(),
        }
    }

    /// The scenario with this case id.
    pub fn get(&self, id: &str) -> Option<&Cluster> {
        self.clusters.get(id)
    }

    /// Every scenario, in case id order.
    pub fn clusters(&self) -> impl Iterator<Item = &Cluster> {
        self.clusters.values()
    }

    /// How many scenarios are served.
    pub fn len(&self) -> usize {
        self.clusters.len()
    }

    /// Whether no scenario is served.
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
    }
}

fn to_source<T>(answer: Option<&ApiAnswer<k8s_openapi::List<T>>>) -> Source
where
    T: k8s_openapi::ListableResource + Serialize,
{
    match answer {
        None => Source::NotListed,
        Some(ApiAnswer::Ok(list)) => Source::Items(
            list.items
                .iter()
                .map(|i| serde_json::to_value(i).unwrap_or(Value::Null))
                .collect(),
        ),
        Some(ApiAnswer::Failed(status)) => {
            Source::Failed(serde_json::to_value(status).unwrap_or(Value::Null))
        }
    }
}

impl Cluster {
    /// Builds one scenario from its raw objects, shifted so its snapshot is `anchor`.
    pub fn build(id: &str, namespace: &str, raw: &RawEvidence, anchor: i64) -> Cluster {
        let mut c = Cluster {
            id: id.to_owned(),
            namespace: namespace.to_owned(),
            pods: to_source(raw.pods.as_ref()),
            events: to_source(raw.events.as_ref()),
            nodes: to_source(raw.nodes.as_ref()),
            deployments: to_source(raw.deployments.as_ref()),
            statefulsets: to_source(raw.statefulsets.as_ref()),
            replicasets: to_source(raw.replicasets.as_ref()),
            logs: raw.pod_logs.as_ref().map(log_entries),
            datadog: crate::datadog::Datadog::of(raw),
            namespaces: BTreeSet::new(),
            snapshot: 0,
            shift: 0,
            cluster_name: String::new(),
            raw: Arc::default(),
        };
        // A listed deployments source without its optional files still answers (empty).
        if matches!(c.deployments, Source::Items(_)) {
            for s in [&mut c.statefulsets, &mut c.replicasets] {
                if matches!(s, Source::NotListed) {
                    *s = Source::Items(Vec::new());
                }
            }
        }
        let mut latest = None::<i64>;
        c.for_each_source(|items| {
            for v in items.iter() {
                walk_times(v, &mut |t| latest = Some(latest.map_or(t, |l| l.max(t))));
            }
        });
        c.snapshot = latest.unwrap_or(anchor);
        c.shift = anchor - c.snapshot;
        let shift = c.shift;
        c.for_each_source(|items| {
            for v in items.iter_mut() {
                shift_times(v, shift);
            }
        });
        if let Some(logs) = &mut c.logs {
            for e in logs {
                if let Ok(text) = &mut e.answer {
                    *text = shift_log(text, shift);
                }
            }
        }
        c.raw = Arc::new(shift_raw(raw, shift));
        let mut namespaces = BTreeSet::new();
        c.for_each_source(|items| {
            for v in items.iter() {
                if let Some(ns) = v.pointer("/metadata/namespace").and_then(Value::as_str) {
                    namespaces.insert(ns.to_owned());
                }
            }
        });
        namespaces.insert(c.namespace.clone());
        c.namespaces = namespaces;
        c
    }

    fn for_each_source(&mut self, mut f: impl FnMut(&mut Vec<Value>)) {
        for s in [
            &mut self.pods,
            &mut self.events,
            &mut self.nodes,
            &mut self.deployments,
            &mut self.statefulsets,
            &mut self.replicasets,
        ] {
            if let Source::Items(items) = s {
                f(items);
            }
        }
    }
}

/// The raw evidence with every API timestamp moved by `shift` seconds, the same walk as the
/// JSON objects get (so both views agree to the second), and every captured log line's
/// leading stamp moved as [`shift_log`] does. Falls back to the unshifted evidence if the
/// round trip through JSON fails (it cannot for evidence that loaded).
fn shift_raw(raw: &RawEvidence, shift: i64) -> RawEvidence {
    let Ok(mut v) = serde_json::to_value(raw) else {
        return raw.clone();
    };
    shift_times(&mut v, shift);
    let mut out: RawEvidence = serde_json::from_value(v).unwrap_or_else(|_| raw.clone());
    if let Some(capture) = &mut out.pod_logs {
        for e in &mut capture.logs {
            if let Some(text) = &mut e.text {
                *text = shift_log(text, shift);
            }
        }
    }
    out
}

fn log_entries(capture: &PodLogCapture) -> Vec<LogEntry> {
    capture
        .logs
        .iter()
        .map(|e| LogEntry {
            namespace: e.namespace.clone(),
            pod: e.pod.clone(),
            container: e.container.clone(),
            previous: e.previous,
            answer: match e.answer() {
                Ok(text) => Ok(text.to_owned()),
                Err(status) => Err(serde_json::to_value(status).unwrap_or(Value::Null)),
            },
        })
        .collect()
}

/// Whether a string is an RFC 3339 UTC timestamp as the API writes them
/// (`2026-03-04T17:20:19Z`, or with a fraction `...19.123456Z`), and its Unix seconds.
fn api_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[10] != b'T' || !s.ends_with('Z') {
        return None;
    }
    let frac = &s[19..s.len() - 1];
    if !(frac.is_empty()
        || (frac.len() > 1
            && frac.starts_with('.')
            && frac[1..].bytes().all(|c| c.is_ascii_digit())))
    {
        return None;
    }
    unix_seconds(s)
}

/// `t` moved by `shift` seconds, in the shape of `s` (its fraction kept).
fn shifted(s: &str, t: i64, shift: i64) -> String {
    let frac = &s[19..s.len() - 1];
    let base = Utc::from_unix(t + shift).rfc3339();
    format!("{}{frac}Z", &base[..19])
}

fn walk_times(v: &Value, f: &mut impl FnMut(i64)) {
    match v {
        Value::String(s) => {
            if let Some(t) = api_time(s) {
                f(t);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| walk_times(i, f)),
        Value::Object(map) => map.values().for_each(|i| walk_times(i, f)),
        _ => {}
    }
}

fn shift_times(v: &mut Value, shift: i64) {
    match v {
        Value::String(s) => {
            if let Some(t) = api_time(s) {
                *s = shifted(s, t, shift);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| shift_times(i, shift)),
        Value::Object(map) => map.values_mut().for_each(|i| shift_times(i, shift)),
        _ => {}
    }
}

/// Shifts the timestamp a log line starts with: RFC 3339 (`2026-03-04T18:07:03.157Z INFO ...`)
/// or the same with a space and no zone (`2026-03-17 17:39:20.125 INFO ...`, read as UTC), the
/// rest of the stamp (separator, fraction, zone) kept; other lines are kept as they are.
fn shift_log(text: &str, shift: i64) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let b = line.as_bytes();
        let stamp = line.get(..19).filter(|_| matches!(b[10], b'T' | b' '));
        match stamp.and_then(|p| unix_seconds(p).map(|t| (p, t))) {
            Some((p, t)) => {
                let moved = Utc::from_unix(t + shift);
                out.push_str(&moved.date());
                out.push(char::from(b[10]));
                out.push_str(&moved.time());
                out.push_str(&line[p.len()..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_times_are_recognised_and_shifted_in_their_own_shape() {
        assert_eq!(api_time("2026-03-04T17:20:19Z"), Some(1_772_644_819));
        assert!(api_time("2026-03-04T17:20:19.123456Z").is_some());
        for not in [
            "2026-03-04",
            "2026-03-04T17:20:19+00:00",
            "x2026-03-04T17:20:19Z",
            "2026-03-04T17:20:19.Z",
            "2026-03-04T17:20:19.12aZ",
        ] {
            assert_eq!(api_time(not), None, "{not}");
        }
        let t = api_time("2026-03-04T17:20:19.5Z").unwrap();
        assert_eq!(
            shifted("2026-03-04T17:20:19.5Z", t, 60),
            "2026-03-04T17:21:19.5Z"
        );
        let mut v = serde_json::json!({"a": ["2026-03-04T17:20:19Z", "keep 2026-03-04T17:20:19Z"]});
        shift_times(&mut v, 3600);
        assert_eq!(
            v,
            serde_json::json!({"a": ["2026-03-04T18:20:19Z", "keep 2026-03-04T17:20:19Z"]})
        );
    }

    #[test]
    fn log_lines_keep_their_text_and_only_the_leading_stamp_moves() {
        let text = "2026-03-04T18:07:03.157Z INFO a\nE0304 18:07:03 klog line\n2026-03-04T18:07:04Z\n2026-03-17 17:39:20.125 INFO 1\n2026-03-17 xx\n";
        assert_eq!(
            shift_log(text, -60),
            "2026-03-04T18:06:03.157Z INFO a\nE0304 18:07:03 klog line\n2026-03-04T18:06:04Z\n2026-03-17 17:38:20.125 INFO 1\n2026-03-17 xx\n"
        );
        assert_eq!(shift_log("", 5), "");
    }
}

//! Perturbations of a corpus (`triagebench perturb`): a derived corpus whose scenarios keep
//! their directory names, ids and labels but differ in what should not matter to a diagnosis,
//! so a classifier's runs on the parent and the child can be paired by scenario and checked
//! for consistency.
//!
//! The rewrites ([`Rewrite`]), applied in the order given, each drawn from its own stream of
//! the seed (keyed by the rewrite, the scenario group and the file):
//!
//! * `rename`: a consistent, collision-free map of the namespace(s) (system namespaces such as
//!   `kube-system` and `default` are kept), workloads, ReplicaSet hashes, pods, containers and
//!   nodes (with the IP their EKS name carries), applied to every token of every file
//!   ([`text`] says what a token is), `answer.yml` included. Pod names keep their shape
//!   (`<workload>-<rs hash>-<5 chars>`, `<statefulset>-<ordinal>`), node names theirs
//!   (`ip-10-0-C-D`). A new name never occurs as a token anywhere in the scenario's files
//!   before the rename, and no name that is also a JSON key, a label or a fixed word of the
//!   formats ([`RESERVED`]) is renamed, so the map is invertible on the text: renaming with
//!   the inverse map gives back the original bytes. The map is recorded per scenario.
//! * `reorder`: the lists of pods, events, nodes, container log captures, Datadog logs and
//!   monitors permuted (Datadog lists within the page the tools read, so no entry enters or
//!   leaves what they return; the lines of one container log keep their order).
//! * `time-shift`: every timestamp of every file moved by one offset per scenario (whole
//!   seconds, 1 to 400 days either way): RFC 3339, Python's `str(datetime)`, log-line times
//!   and epoch milliseconds of `*_at` keys ([`text::shift_times`]).
//! * `reword`: log lines **unrelated to the cause** reworded through a fixed table of benign
//!   words ([`text::REWORDINGS`]). A line is unrelated when it is a Datadog log entry or a
//!   container log line at level `info`/`debug` (not warn/error), whose service, pod and
//!   container are none of the answer's affected pod, container and workload, whose text
//!   names none of those (nor the alert's pod, nor the affected pod's node) and holds none of
//!   the answer's `required_keywords` and none of the Datadog tool's error keywords.
//! * `drop-healthy-pod`: one pod removed that is running and ready, not of the affected
//!   workload, not named by the answer, the alert, the monitors or the pod-log call, with its
//!   events, its container log captures and its Datadog log entries; its Deployment and
//!   ReplicaSet count one replica less, so the remaining objects agree.
//!
//! **Both profiles.** A scenario with raw objects under `k8s-api/` and `opensre` files keeps
//! the invariant that the second are the projection of the first: the tool calls of the
//! parent are recovered (the call whose projection gives exactly the parent's files; a parent
//! where none does is refused), the rewrites edit the raw objects, and the `opensre` files are
//! projected again with the calls renamed the same way. A hand-written suite (only `opensre`
//! files) is rewritten in those files. Scenarios sharing a `base:` are rewritten as one group
//! (one map, one offset, one dropped pod), so an inherited file stays right for every child.

pub mod text;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::files::EvidenceKind;
use crate::k8s_api::{self, RawEvidence};
use crate::projection::{PodLogsCall, ToolCalls, project};

/// One rewrite of `triagebench perturb --rewrite`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rewrite {
    /// Consistent renames of namespaces, workloads, pods, containers and nodes.
    Rename,
    /// List orders permuted.
    Reorder,
    /// Every timestamp moved by one offset.
    TimeShift,
    /// Lines unrelated to the cause reworded.
    Reword,
    /// One unrelated healthy pod removed.
    DropHealthyPod,
}

impl Rewrite {
    /// Every rewrite.
    pub const ALL: &'static [Rewrite] = &[
        Rewrite::Rename,
        Rewrite::Reorder,
        Rewrite::TimeShift,
        Rewrite::Reword,
        Rewrite::DropHealthyPod,
    ];

    /// The name `--rewrite` takes.
    pub const fn as_str(self) -> &'static str {
        match self {
            Rewrite::Rename => "rename",
            Rewrite::Reorder => "reorder",
            Rewrite::TimeShift => "time-shift",
            Rewrite::Reword => "reword",
            Rewrite::DropHealthyPod => "drop-healthy-pod",
        }
    }

    /// Parses one rewrite name; an unknown one is an error listing the valid names.
    pub fn parse(s: &str) -> Result<Rewrite, String> {
        Rewrite::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = Rewrite::ALL.iter().map(|r| r.as_str()).collect();
                format!(
                    "unknown rewrite \"{s}\" (expected one of: {})",
                    names.join(", ")
                )
            })
    }

    /// Parses a comma-separated list (applied in order; each at most once).
    pub fn parse_list(s: &str) -> Result<Vec<Rewrite>, String> {
        let mut out = Vec::new();
        for part in s.split(',') {
            let r = Rewrite::parse(part)?;
            if out.contains(&r) {
                return Err(format!("rewrite \"{}\" given twice", r.as_str()));
            }
            out.push(r);
        }
        Ok(out)
    }

    /// A list as `--rewrite` spells it.
    pub fn join(list: &[Rewrite]) -> String {
        list.iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// What the rewrites did to one scenario, recorded in the child's manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioRecord {
    /// `rename`: old token -> new token.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub renames: BTreeMap<String, String>,
    /// `time-shift`: the offset in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift_seconds: Option<i64>,
    /// `reorder`: how many lists were permuted.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reordered_lists: u64,
    /// `reword`: how many lines were reworded.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reworded_lines: u64,
    /// `drop-healthy-pod`: the pod removed (`namespace/pod`, before any rename), if one
    /// qualified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dropped_pod: Option<String>,
}

/// `skip_serializing_if` passes a reference.
fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl ScenarioRecord {
    /// `namespace/pod` (or a bare name) of the parent mapped through the rename, as the
    /// child names it.
    pub fn map_ref(&self, s: &str) -> String {
        s.split('/')
            .map(|part| self.renames.get(part).map_or(part, String::as_str))
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// One scenario directory in memory: its name and its files (`/`-separated path relative to
/// the directory, text), sorted by path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dir {
    /// Directory name.
    pub name: String,
    /// `(relative path, text)`.
    pub files: Vec<(String, String)>,
}

impl Dir {
    fn get(&self, rel: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(p, _)| p == rel)
            .map(|(_, t)| t.as_str())
    }

    fn set(&mut self, rel: &str, text: String) {
        match self.files.iter_mut().find(|(p, _)| p == rel) {
            Some(slot) => slot.1 = text,
            None => {
                self.files.push((rel.to_owned(), text));
                self.files.sort();
            }
        }
    }

    fn has_raw(&self) -> bool {
        self.files
            .iter()
            .any(|(p, _)| p.starts_with(&format!("{}/", k8s_api::DIR)))
    }
}

/// Why a corpus cannot be perturbed.
#[derive(Debug, thiserror::Error)]
pub enum PerturbError {
    /// A file cannot be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// A file or field of the parent is not what a scenario holds.
    #[error("{file}: {message}")]
    Input {
        /// `scenario/file` (with a field path where there is one).
        file: String,
        /// What is wrong.
        message: String,
    },
}

fn input(file: impl Into<String>, message: impl Into<String>) -> PerturbError {
    PerturbError::Input {
        file: file.into(),
        message: message.into(),
    }
}

/// The most bytes of one file read (the loader's limit).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads the scenario directories of a corpus (names starting with three digits) with every
/// regular file under them. A symbolic link, a file that is not UTF-8 or larger than
/// [`MAX_FILE_BYTES`] is an error naming it.
pub fn read_corpus(root: &Path) -> Result<Vec<Dir>, PerturbError> {
    let io = |p: &Path| {
        let path = p.display().to_string();
        move |source| PerturbError::Io { path, source }
    };
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(root).map_err(io(root))? {
        let entry = entry.map_err(io(root))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ty = entry.file_type().map_err(io(&entry.path()))?;
        if !crate::load::is_scenario_dir_name(&name) {
            continue;
        }
        if ty.is_symlink() {
            return Err(input(name, "a symbolic link: not allowed in a corpus"));
        }
        if !ty.is_dir() {
            continue;
        }
        let mut files = Vec::new();
        read_tree(&entry.path(), "", &name, &mut files)?;
        files.sort();
        dirs.push(Dir { name, files });
    }
    dirs.sort_by(|a, b| a.name.cmp(&b.name));
    if dirs.is_empty() {
        return Err(input(
            root.display().to_string(),
            "no scenario directories (names starting with three digits)",
        ));
    }
    Ok(dirs)
}

fn read_tree(
    dir: &Path,
    prefix: &str,
    shown: &str,
    out: &mut Vec<(String, String)>,
) -> Result<(), PerturbError> {
    let io = |p: &Path| {
        let path = p.display().to_string();
        move |source| PerturbError::Io { path, source }
    };
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = format!("{prefix}{name}");
        let ty = entry.file_type().map_err(io(&entry.path()))?;
        if ty.is_symlink() {
            return Err(input(
                format!("{shown}/{rel}"),
                "a symbolic link: not allowed in a corpus",
            ));
        }
        if ty.is_dir() {
            read_tree(&entry.path(), &format!("{rel}/"), shown, out)?;
        } else if ty.is_file() {
            let len = entry.metadata().map_err(io(&entry.path()))?.len();
            if len > MAX_FILE_BYTES {
                return Err(input(
                    format!("{shown}/{rel}"),
                    format!("{len} bytes, more than the {MAX_FILE_BYTES} a scenario file may have"),
                ));
            }
            let bytes = std::fs::read(entry.path()).map_err(io(&entry.path()))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| input(format!("{shown}/{rel}"), "not UTF-8"))?;
            out.push((rel, text));
        }
    }
    Ok(())
}

/// The result of perturbing a corpus in memory.
#[derive(Clone, Debug)]
pub struct Perturbed {
    /// The child's scenario directories.
    pub dirs: Vec<Dir>,
    /// What was done to each scenario, by scenario id.
    pub records: BTreeMap<String, ScenarioRecord>,
}

/// Applies `rewrites` in order to every scenario of `dirs` (a corpus read by
/// [`read_corpus`]), seeded by `seed`. A pure function of its inputs.
pub fn perturb(dirs: &[Dir], rewrites: &[Rewrite], seed: u64) -> Result<Perturbed, PerturbError> {
    let mut out_dirs = Vec::with_capacity(dirs.len());
    let mut records = BTreeMap::new();
    for group in groups(dirs)? {
        let mut members: Vec<Dir> = group.iter().map(|&i| dirs[i].clone()).collect();
        let gname = members[0].name.clone();
        let facts = Facts::of(&members)?;
        let mut calls: Vec<Option<ToolCalls>> = members
            .iter()
            .map(recover_calls)
            .collect::<Result<_, _>>()?;
        let mut record = ScenarioRecord::default();
        for &rw in rewrites {
            let mut rng = Rng::new(seed, rw.as_str(), &gname);
            match rw {
                Rewrite::Rename => {
                    let map = rename_map(&members, &facts, &mut rng);
                    for d in &mut members {
                        for (_, t) in &mut d.files {
                            *t = text::rename(t, &map);
                        }
                    }
                    for c in calls.iter_mut().flatten() {
                        rename_calls(c, &map);
                    }
                    record.renames = compose(&record.renames, &map);
                }
                Rewrite::TimeShift => {
                    let days = 1 + rng.below(400) as i64;
                    let secs = rng.below(86_400) as i64;
                    let sign = if rng.below(2) == 0 { -1 } else { 1 };
                    let shift = sign * (days * 86_400 + secs);
                    for d in &mut members {
                        for (_, t) in &mut d.files {
                            *t = text::shift_times(t, shift);
                        }
                    }
                    record.shift_seconds = Some(record.shift_seconds.unwrap_or(0) + shift);
                }
                Rewrite::Reorder => {
                    for d in &mut members {
                        record.reordered_lists += reorder(d, &mut rng)?;
                    }
                }
                Rewrite::Reword => {
                    let facts = Facts::of(&members)?;
                    for d in &mut members {
                        record.reworded_lines += reword(d, &facts)?;
                    }
                }
                Rewrite::DropHealthyPod => {
                    let facts = Facts::of(&members)?;
                    if let Some(pod) = pick_healthy_pod(&members, &facts, &calls, &mut rng)? {
                        for d in &mut members {
                            drop_pod(d, &facts.namespace, &pod)?;
                        }
                        let original = invert(&record.renames)
                            .get(&pod)
                            .cloned()
                            .unwrap_or_else(|| pod.clone());
                        let ns = invert(&record.renames)
                            .get(&facts.namespace)
                            .cloned()
                            .unwrap_or_else(|| facts.namespace.clone());
                        record.dropped_pod = Some(format!("{ns}/{original}"));
                    }
                }
            }
        }
        // The opensre files of a scenario with raw objects: the projection, always.
        for (d, c) in members.iter_mut().zip(&calls) {
            if let Some(c) = c {
                reproject(d, c)?;
            }
        }
        for d in members {
            let id = yaml_value(&d, "scenario.yml")?
                .get("scenario_id")
                .and_then(Value::as_str)
                .map_or_else(|| d.name.clone(), str::to_owned);
            records.insert(id, record.clone());
            out_dirs.push(d);
        }
    }
    out_dirs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Perturbed {
        dirs: out_dirs,
        records,
    })
}

/// `first` then `then`, as one map from the original tokens.
fn compose(
    first: &BTreeMap<String, String>,
    then: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = first
        .iter()
        .map(|(k, v)| (k.clone(), then.get(v).cloned().unwrap_or_else(|| v.clone())))
        .collect();
    let images: BTreeSet<&String> = first.values().collect();
    for (k, v) in then {
        if !images.contains(k) && !out.contains_key(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// The inverse of a rename map.
pub fn invert(map: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    map.iter().map(|(k, v)| (v.clone(), k.clone())).collect()
}

/// Renames the files of a directory with `map` (what `rename` did, or its [`invert`]).
pub fn rename_dir(dir: &Dir, map: &BTreeMap<String, String>) -> Dir {
    Dir {
        name: dir.name.clone(),
        files: dir
            .files
            .iter()
            .map(|(p, t)| (p.clone(), text::rename(t, map)))
            .collect(),
    }
}

/// Groups of directory indices: a scenario with its `base:` children, or a scenario alone.
fn groups(dirs: &[Dir]) -> Result<Vec<Vec<usize>>, PerturbError> {
    let mut base_of: Vec<Option<usize>> = vec![None; dirs.len()];
    for (i, d) in dirs.iter().enumerate() {
        let yml = yaml_value(d, "scenario.yml")?;
        if let Some(base) = yml.get("base").and_then(Value::as_str) {
            let b = dirs.iter().position(|x| x.name == base).ok_or_else(|| {
                input(
                    format!("{}/scenario.yml", d.name),
                    format!("base: no sibling scenario \"{base}\""),
                )
            })?;
            base_of[i] = Some(b);
        }
    }
    let mut out: Vec<Vec<usize>> = Vec::new();
    for i in 0..dirs.len() {
        if base_of[i].is_some() {
            continue;
        }
        let mut g = vec![i];
        g.extend((0..dirs.len()).filter(|&j| base_of[j] == Some(i)));
        out.push(g);
    }
    Ok(out)
}

fn yaml_value(d: &Dir, file: &str) -> Result<Value, PerturbError> {
    let text = d
        .get(file)
        .ok_or_else(|| input(format!("{}/{file}", d.name), "missing"))?;
    serde_saphyr::from_str::<Value>(text)
        .map_err(|e| input(format!("{}/{file}", d.name), format!("malformed YAML: {e}")))
}

fn json_value(d: &Dir, rel: &str) -> Result<Option<Value>, PerturbError> {
    d.get(rel)
        .map(|t| {
            serde_json::from_str::<Value>(t)
                .map_err(|e| input(format!("{}/{rel}", d.name), format!("malformed JSON: {e}")))
        })
        .transpose()
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// What the rewrites need to know about a group: the namespace, the affected objects, the
/// words that tie a line to the cause.
#[derive(Debug, Default)]
struct Facts {
    namespace: String,
    workload: String,
    /// Pods, containers, workloads, nodes the answers and alerts name.
    related: BTreeSet<String>,
    /// `required_keywords`, lower-cased.
    keywords: Vec<String>,
    /// Text of every answer, alert and monitors file (a pod named there is not dropped).
    named_text: String,
}

impl Facts {
    fn of(members: &[Dir]) -> Result<Facts, PerturbError> {
        let mut f = Facts::default();
        for (i, d) in members.iter().enumerate() {
            let yml = yaml_value(d, "scenario.yml")?;
            let s = |k: &str| yml.get(k).and_then(Value::as_str).map(str::to_owned);
            if i == 0 || f.namespace.is_empty() {
                f.namespace = s("namespace").unwrap_or_default();
                f.workload = s("workload_name").unwrap_or_default();
            }
            if let Some(w) = s("workload_name") {
                f.related.insert(w);
            }
            let answer = yaml_value(d, "answer.yml")?;
            if let Some(p) = answer.get("affected_pod").and_then(Value::as_str) {
                let pod = p.rsplit('/').next().unwrap_or(p).to_owned();
                f.related.insert(pod);
            }
            if let Some(c) = answer.get("affected_container").and_then(Value::as_str) {
                f.related.insert(c.to_owned());
            }
            for k in answer
                .get("required_keywords")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                f.keywords.push(k.to_lowercase());
            }
            f.named_text.push_str(d.get("answer.yml").unwrap_or(""));
        }
        // The alert's pod and node, and the affected pod's node, wherever they are written.
        for d in members {
            for file in [
                "alert.json",
                "datadog_monitors.json",
                "k8s-api/datadog_monitors.json",
            ] {
                if let Some(t) = d.get(file) {
                    f.named_text.push_str(t);
                }
            }
            if let Some(alert) = json_value(d, "alert.json")? {
                for k in ["kube_pod", "kube_node", "pod", "node"] {
                    for part in ["commonAnnotations", "commonLabels"] {
                        if let Some(v) = alert
                            .pointer(&format!("/{part}/{k}"))
                            .and_then(Value::as_str)
                        {
                            f.related
                                .insert(v.split('.').next().unwrap_or(v).to_owned());
                        }
                    }
                }
            }
            for pod in pods_of(d)? {
                if f.related.contains(&pod.name)
                    && let Some(n) = &pod.node
                {
                    f.related
                        .insert(n.split('.').next().unwrap_or(n).to_owned());
                }
            }
        }
        Ok(f)
    }

    /// Whether a log line (with the service/pod/container it came from) is unrelated to the
    /// cause.
    fn unrelated(&self, line: &str, level: &str, origin: &[&str]) -> bool {
        const ERROR_WORDS: &[&str] = &[
            "error",
            "fail",
            "exception",
            "traceback",
            "critical",
            "killed",
            "oom",
            "crash",
            "panic",
            "timeout",
            "timed out",
            "refused",
            "denied",
            "fatal",
            "warn",
            "back-off",
            "backoff",
            "unhealthy",
            "not found",
            "exit",
        ];
        if !matches!(level, "info" | "debug" | "") {
            return false;
        }
        if origin.iter().any(|o| self.related.contains(*o)) {
            return false;
        }
        if text::tokens(line).iter().any(|t| self.related.contains(*t)) {
            return false;
        }
        let lower = line.to_lowercase();
        !ERROR_WORDS.iter().any(|w| lower.contains(w))
            && !self
                .keywords
                .iter()
                .any(|k| !k.is_empty() && lower.contains(k.as_str()))
    }
}

/// A pod as the rewrites see it, from the raw list or the opensre file.
#[derive(Debug, Clone)]
struct PodView {
    name: String,
    namespace: String,
    node: Option<String>,
    containers: Vec<String>,
    healthy: bool,
    /// The ReplicaSet or StatefulSet that owns it (raw objects only).
    owner: Option<(String, String)>,
}

fn pods_of(d: &Dir) -> Result<Vec<PodView>, PerturbError> {
    let s = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_owned);
    if let Some(raw) = json_value(d, "k8s-api/pods.json")? {
        let items = raw
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        return Ok(items
            .iter()
            .map(|p| {
                let statuses = p
                    .pointer("/status/containerStatuses")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let healthy = s(p, "/status/phase").as_deref() == Some("Running")
                    && !statuses.is_empty()
                    && statuses.iter().all(|c| {
                        c.get("ready") == Some(&Value::Bool(true))
                            && c.pointer("/state/running").is_some()
                    });
                let mut containers: Vec<String> = Vec::new();
                for key in ["/spec/containers", "/spec/initContainers"] {
                    for c in p
                        .pointer(key)
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(n) = c.get("name").and_then(Value::as_str) {
                            containers.push(n.to_owned());
                        }
                    }
                }
                let owner = p
                    .pointer("/metadata/ownerReferences/0")
                    .and_then(|o| Some((s(o, "/kind")?, s(o, "/name")?)));
                PodView {
                    name: s(p, "/metadata/name").unwrap_or_default(),
                    namespace: s(p, "/metadata/namespace").unwrap_or_default(),
                    node: s(p, "/spec/nodeName"),
                    containers,
                    healthy,
                    owner,
                }
            })
            .collect());
    }
    let Some(file) = json_value(d, "eks_pods.json")? else {
        return Ok(Vec::new());
    };
    let items = file
        .get("pods")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    Ok(items
        .iter()
        .map(|p| {
            let cs = p
                .get("containers")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            PodView {
                name: s(p, "/name").unwrap_or_default(),
                namespace: s(p, "/namespace").unwrap_or_default(),
                node: s(p, "/node_name"),
                containers: cs.iter().filter_map(|c| s(c, "/name")).collect(),
                healthy: s(p, "/phase").as_deref() == Some("Running")
                    && !cs.is_empty()
                    && cs.iter().all(|c| {
                        c.get("ready") == Some(&Value::Bool(true))
                            && c.pointer("/state/running").is_some()
                    }),
                owner: None,
            }
        })
        .collect())
}

/// Words never renamed: the fixed words of the formats (a name equal to one is kept).
pub const RESERVED: &[&str] = &[
    "default",
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "eks",
    "gke",
    "aks",
    "kubernetes",
    "deployment",
    "statefulset",
    "daemonset",
    "job",
    "cronjob",
    "replicaset",
    "pod",
    "pods",
    "node",
    "nodes",
    "container",
    "containers",
    "warning",
    "critical",
    "info",
    "error",
    "none",
    "None",
    "true",
    "false",
    "null",
    "yes",
    "no",
    "on",
    "off",
    "healthy",
    "datadog",
    "kube",
    "service",
    "env",
    "prod",
    "source",
    "host",
    "status",
    "message",
    "name",
    "namespace",
    "app",
    "v1",
];

/// Words of a group that a rename must leave alone: [`RESERVED`], every label and evidence
/// kind, and every JSON key of its files.
fn reserved(members: &[Dir]) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = RESERVED.iter().map(|s| (*s).to_owned()).collect();
    out.extend(
        crate::FailureMode::ALL
            .iter()
            .map(|m| m.as_str().to_owned()),
    );
    out.extend(crate::Category::ALL.iter().map(|m| m.as_str().to_owned()));
    out.extend(crate::RootCause::ALL.iter().map(|m| m.as_str().to_owned()));
    out.extend(crate::Signal::ALL.iter().map(|m| m.as_str().to_owned()));
    out.extend(EvidenceKind::ALL.iter().map(|k| k.as_str().to_owned()));
    fn keys(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    for t in text::tokens(k) {
                        out.insert(t.to_owned());
                    }
                    keys(v, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    for d in members {
        for (p, t) in &d.files {
            if p.ends_with(".json")
                && let Ok(v) = serde_json::from_str::<Value>(t)
            {
                keys(&v, &mut out);
            }
            if p.ends_with(".yml")
                && let Ok(Value::Object(m)) = serde_saphyr::from_str::<Value>(t)
            {
                out.extend(m.keys().cloned());
            }
        }
    }
    out
}

/// The seeded stream of one rewrite of one group: SplitMix64 over the SHA-256 of (seed,
/// rewrite, group).
#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64, rewrite: &str, group: &str) -> Rng {
        let mut h = Sha256::new();
        h.update(seed.to_le_bytes());
        h.update(rewrite.as_bytes());
        h.update([0]);
        h.update(group.as_bytes());
        let d = h.finalize();
        let mut b = [0u8; 8];
        b.copy_from_slice(&d[..8]);
        Rng(u64::from_le_bytes(b))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}

/// Stems of new names.
const STEMS: &[&str] = &[
    "atlas", "beacon", "cobalt", "ember", "falcon", "garnet", "harbor", "indigo", "juniper",
    "kestrel", "lumen", "marble", "nimbus", "onyx", "pebble", "quartz", "raven", "saffron",
    "tundra", "umber", "vortex", "willow", "yarrow", "zephyr", "acorn", "birch", "cedar", "fjord",
    "glacier", "heron", "jade", "lotus", "maple", "nectar", "orchid", "prairie", "quill", "reef",
    "sparrow", "thistle", "violet", "walnut", "yucca", "zinnia", "comet", "meadow", "summit",
    "canyon", "delta", "ridge",
];
/// The alphabet of ReplicaSet hashes and pod suffixes (Kubernetes' `SafeEncodeString`).
const HASH_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// Draws the rename map of a group.
fn rename_map(members: &[Dir], facts: &Facts, rng: &mut Rng) -> BTreeMap<String, String> {
    let reserved = reserved(members);
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for d in members {
        for (_, t) in &d.files {
            for tok in text::tokens(t) {
                taken.insert(tok.to_owned());
            }
        }
    }
    let mut b = MapBuilder {
        map: BTreeMap::new(),
        taken,
        reserved,
    };
    let system = |ns: &str| {
        ns.starts_with("kube-")
            || ns.starts_with("amazon-")
            || ns.starts_with("aws-")
            || ns == "default"
    };
    let mut namespaces = BTreeSet::new();
    let mut workloads = BTreeSet::new();
    if !facts.namespace.is_empty() {
        namespaces.insert(facts.namespace.clone());
    }
    if !facts.workload.is_empty() {
        workloads.insert(facts.workload.clone());
    }
    let mut pods = Vec::new();
    let mut nodes = BTreeSet::new();
    let mut ips: BTreeMap<String, String> = BTreeMap::new();
    for d in members {
        let yml = yaml_value(d, "scenario.yml").unwrap_or(Value::Null);
        if let Some(w) = yml.get("workload_name").and_then(Value::as_str) {
            workloads.insert(w.to_owned());
        }
        for p in pods_of(d).unwrap_or_default() {
            if system(&p.namespace) {
                continue;
            }
            namespaces.insert(p.namespace.clone());
            if let Some(n) = &p.node {
                nodes.insert(n.clone());
            }
            if let Some((kind, owner)) = &p.owner {
                match kind.as_str() {
                    "ReplicaSet" => {
                        if let Some((w, _)) = owner.rsplit_once('-') {
                            workloads.insert(w.to_owned());
                        }
                    }
                    _ => {
                        workloads.insert(owner.clone());
                    }
                }
            }
            pods.push(p);
        }
        for (file, ptr) in [
            ("k8s-api/deployments.json", "/items"),
            ("k8s-api/statefulsets.json", "/items"),
        ] {
            if let Ok(Some(v)) = json_value(d, file) {
                for it in v
                    .pointer(ptr)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let ns = it
                        .pointer("/metadata/namespace")
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    if let Some(n) = it.pointer("/metadata/name").and_then(Value::as_str)
                        && !system(ns)
                    {
                        workloads.insert(n.to_owned());
                    }
                }
            }
        }
        if let Ok(Some(v)) = json_value(d, "eks_deployments.json") {
            for it in v
                .get("deployments")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let ns = it.get("namespace").and_then(Value::as_str).unwrap_or("");
                if let Some(n) = it.get("name").and_then(Value::as_str)
                    && !system(ns)
                {
                    workloads.insert(n.to_owned());
                }
            }
        }
        if let Ok(Some(v)) = json_value(d, "k8s-api/nodes.json") {
            for it in v
                .get("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(n) = it.pointer("/metadata/name").and_then(Value::as_str) {
                    nodes.insert(n.to_owned());
                    for a in it
                        .pointer("/status/addresses")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if a.get("type").and_then(Value::as_str) == Some("InternalIP")
                            && let Some(ip) = a.get("address").and_then(Value::as_str)
                        {
                            ips.insert(n.to_owned(), ip.to_owned());
                        }
                    }
                }
            }
        }
        if let Ok(Some(v)) = json_value(d, "eks_node_health.json") {
            for it in v
                .get("nodes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(n) = it.get("name").and_then(Value::as_str) {
                    nodes.insert(n.to_owned());
                    if let Some(ip) = it.get("internal_ip").and_then(Value::as_str) {
                        ips.insert(n.to_owned(), ip.to_owned());
                    }
                }
            }
        }
    }
    for ns in &namespaces {
        if !system(ns) {
            b.word(ns, rng);
        }
    }
    // Longest first, so a pod finds its own workload, not a shorter prefix.
    let mut wl: Vec<&String> = workloads.iter().collect();
    wl.sort_by_key(|w| std::cmp::Reverse(w.len()));
    for w in &wl {
        b.word(w, rng);
    }
    for p in &pods {
        for c in &p.containers {
            b.word(c, rng);
        }
        b.pod(&p.name, &wl, rng);
    }
    for n in &nodes {
        b.node(n, ips.get(n).map(String::as_str), rng);
    }
    b.map
}

#[derive(Debug)]
struct MapBuilder {
    map: BTreeMap<String, String>,
    taken: BTreeSet<String>,
    reserved: BTreeSet<String>,
}

impl MapBuilder {
    fn renamable(&self, old: &str) -> bool {
        !old.is_empty()
            && old.bytes().all(text::is_name_byte)
            && !self.reserved.contains(old)
            && !self.map.contains_key(old)
    }

    fn put(&mut self, old: &str, new: String) {
        self.taken.insert(new.clone());
        self.map.insert(old.to_owned(), new);
    }

    fn fresh(&self, s: &str) -> bool {
        !self.taken.contains(s) && !self.reserved.contains(s)
    }

    /// A new word-shaped name (`stem`, or `stem-stem` for a name with a dash).
    fn word(&mut self, old: &str, rng: &mut Rng) {
        if !self.renamable(old) {
            return;
        }
        let parts = if old.contains('-') { 2 } else { 1 };
        for attempt in 0..200u32 {
            let mut name = (0..parts)
                .map(|_| STEMS[rng.below(STEMS.len() as u64) as usize])
                .collect::<Vec<_>>()
                .join("-");
            if attempt >= 100 {
                name = format!("{name}{}", rng.below(1000));
            }
            if self.fresh(&name) {
                self.put(old, name);
                return;
            }
        }
    }

    fn random(&mut self, len: usize, rng: &mut Rng) -> String {
        loop {
            let s: String = (0..len)
                .map(|_| char::from(HASH_ALPHABET[rng.below(HASH_ALPHABET.len() as u64) as usize]))
                .collect();
            if self.fresh(&s) {
                return s;
            }
        }
    }

    /// A pod of workload `w`: `<w'>-<hash'>-<suffix'>`, `<w'>-<ordinal>`, `<w'>-<suffix'>`.
    fn pod(&mut self, pod: &str, workloads: &[&String], rng: &mut Rng) {
        if !self.renamable(pod) {
            return;
        }
        let owner = workloads.iter().find(|w| {
            pod.len() > w.len() + 1
                && pod.starts_with(w.as_str())
                && pod.as_bytes()[w.len()] == b'-'
        });
        let Some(w) = owner else {
            // A bare pod.
            self.word(pod, rng);
            return;
        };
        let w_new = self
            .map
            .get(w.as_str())
            .cloned()
            .unwrap_or_else(|| (*w).clone());
        let rest = &pod[w.len() + 1..];
        let pieces: Vec<&str> = rest.split('-').collect();
        let hashy = |s: &str| !s.is_empty() && s.bytes().all(|c| HASH_ALPHABET.contains(&c));
        let new = match pieces.as_slice() {
            [hash, suffix] if hashy(hash) && hashy(suffix) => {
                let rs = format!("{w}-{hash}");
                let hash_new = match self.map.get(*hash) {
                    Some(h) => h.clone(),
                    None => {
                        let h = self.random(hash.len(), rng);
                        self.put(hash, h.clone());
                        h
                    }
                };
                if !self.map.contains_key(&rs) {
                    self.put(&rs, format!("{w_new}-{hash_new}"));
                }
                let s = self.random(suffix.len(), rng);
                format!("{w_new}-{hash_new}-{s}")
            }
            [ordinal] if ordinal.bytes().all(|c| c.is_ascii_digit()) => {
                format!("{w_new}-{ordinal}")
            }
            [suffix] if hashy(suffix) => {
                let s = self.random(suffix.len(), rng);
                format!("{w_new}-{s}")
            }
            _ => format!("{w_new}-{rest}"),
        };
        if self.fresh(&new) {
            self.put(pod, new);
        } else {
            let s = self.random(5, rng);
            self.put(pod, format!("{w_new}-{s}"));
        }
    }

    /// A node: `ip-A-B-C-D` (EKS, its address renamed with it) or any name whose last dash
    /// piece is redrawn.
    fn node(&mut self, node: &str, ip: Option<&str>, rng: &mut Rng) {
        let short = node.split('.').next().unwrap_or(node);
        if !self.renamable(short) {
            return;
        }
        let octets: Vec<&str> = short
            .strip_prefix("ip-")
            .map_or(Vec::new(), |r| r.split('-').collect());
        let numeric = octets.len() == 4 && octets.iter().all(|o| o.parse::<u8>().is_ok());
        if numeric {
            for _ in 0..1000 {
                let (c, d) = (rng.below(256), 1 + rng.below(254));
                let new_ip = format!("{}.{}.{c}.{d}", octets[0], octets[1]);
                let new_short = format!("ip-{}-{}-{c}-{d}", octets[0], octets[1]);
                if self.fresh(&new_ip) && self.fresh(&new_short) {
                    let old_ip = octets.join(".");
                    if ip.is_none_or(|ip| ip == old_ip)
                        && !self.reserved.contains(&old_ip)
                        && !self.map.contains_key(&old_ip)
                    {
                        self.put(&old_ip, new_ip);
                    }
                    self.put(short, new_short);
                    return;
                }
            }
            return;
        }
        let (head, last) = short.rsplit_once('-').unwrap_or(("node", short));
        let len = last.len().clamp(4, 12);
        let s = self.random(len, rng);
        let new = format!("{head}-{s}");
        if self.fresh(&new) {
            self.put(short, new);
        }
    }
}

fn rename_calls(c: &mut ToolCalls, map: &BTreeMap<String, String>) {
    c.cluster_name = text::rename(&c.cluster_name, map);
    c.namespace = text::rename(&c.namespace, map);
    c.datadog_logs_query = text::rename(&c.datadog_logs_query, map);
    c.datadog_monitors_query = c
        .datadog_monitors_query
        .as_deref()
        .map(|q| text::rename(q, map));
    if let Some(p) = &mut c.pod_logs {
        p.pod = text::rename(&p.pod, map);
        p.container = p.container.as_deref().map(|q| text::rename(q, map));
    }
}

/// The raw evidence of a directory's `k8s-api/` files.
fn raw_of(d: &Dir) -> Result<RawEvidence, PerturbError> {
    let mut raw = RawEvidence::default();
    let problems = |p: Vec<crate::load::Problem>| {
        input(
            d.name.clone(),
            p.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    };
    for (path, t) in &d.files {
        let Some(file) = path.strip_prefix(&format!("{}/", k8s_api::DIR)) else {
            continue;
        };
        let shown = format!("{}/{path}", d.name);
        let s = shown.as_str();
        match file {
            "pods.json" => raw.pods = Some(k8s_api::parse_pods(t, s).map_err(problems)?),
            "events.json" => raw.events = Some(k8s_api::parse_events(t, s).map_err(problems)?),
            "deployments.json" => {
                raw.deployments = Some(k8s_api::parse_deployments(t, s).map_err(problems)?);
            }
            "statefulsets.json" => {
                raw.statefulsets = Some(k8s_api::parse_statefulsets(t, s).map_err(problems)?);
            }
            "replicasets.json" => {
                raw.replicasets = Some(k8s_api::parse_replicasets(t, s).map_err(problems)?);
            }
            "nodes.json" => raw.nodes = Some(k8s_api::parse_nodes(t, s).map_err(problems)?),
            "pod_logs.json" => {
                raw.pod_logs = Some(k8s_api::parse_pod_logs(t, s).map_err(problems)?);
            }
            "datadog_logs.json" => {
                raw.datadog_logs = Some(k8s_api::parse_datadog_logs(t, s).map_err(problems)?);
            }
            "datadog_monitors.json" => {
                raw.datadog_monitors =
                    Some(k8s_api::parse_datadog_monitors(t, s).map_err(problems)?);
            }
            _ => {}
        }
    }
    Ok(raw)
}

/// The opensre files a projection would write that the directory has.
fn projected_present(
    d: &Dir,
    raw: &RawEvidence,
    calls: &ToolCalls,
) -> Option<Vec<(String, String)>> {
    let files = project(raw, calls).ok()?;
    Some(
        files
            .into_iter()
            .map(|(k, t)| (k.file_name(), t))
            .filter(|(f, _)| d.get(f).is_some())
            .collect(),
    )
}

/// The tool calls whose projection of the raw objects gives exactly the directory's
/// `opensre` files; `None` for a directory without raw objects or without `opensre` files.
/// A directory with both where no call reproduces the files is refused.
fn recover_calls(d: &Dir) -> Result<Option<ToolCalls>, PerturbError> {
    if !d.has_raw() {
        return Ok(None);
    }
    let any_opensre = EvidenceKind::ALL
        .iter()
        .any(|k| d.get(&k.file_name()).is_some());
    if !any_opensre {
        return Ok(None);
    }
    let raw = raw_of(d)?;
    let yml = yaml_value(d, "scenario.yml")?;
    let s = |k: &str| yml.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let (cluster, ns) = (s("cluster_name"), s("namespace"));
    let dd = json_value(d, "datadog_logs.json")?;
    let query = dd
        .as_ref()
        .and_then(|v| v.get("query"))
        .and_then(Value::as_str)
        .map_or_else(|| format!("kube_namespace:{ns}"), str::to_owned);
    let monitors_query = json_value(d, "datadog_monitors.json")?.and_then(|v| {
        v.get("query_filter")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let log_pod = json_value(d, "eks_pod_logs.json")?
        .and_then(|v| v.get("pod_name").and_then(Value::as_str).map(str::to_owned));
    let mut pod_calls: Vec<Option<PodLogsCall>> = Vec::new();
    match (&log_pod, &raw.pod_logs) {
        (Some(pod), Some(capture)) => {
            let mut containers: Vec<Option<String>> = capture
                .logs
                .iter()
                .filter(|e| &e.pod == pod)
                .map(|e| Some(e.container.clone()))
                .collect();
            containers.dedup();
            containers.push(None);
            for c in containers {
                for previous in [false, true] {
                    pod_calls.push(Some(PodLogsCall {
                        pod: pod.clone(),
                        container: c.clone(),
                        previous,
                    }));
                }
            }
        }
        _ => pod_calls.push(None),
    }
    let want: Vec<(String, String)> = EvidenceKind::ALL
        .iter()
        .filter_map(|k| d.get(&k.file_name()).map(|t| (k.file_name(), t.to_owned())))
        .collect();
    for pod_logs in pod_calls {
        let calls = ToolCalls {
            cluster_name: cluster.clone(),
            namespace: ns.clone(),
            pod_logs,
            datadog_logs_query: query.clone(),
            datadog_monitors_query: monitors_query.clone(),
        };
        if let Some(got) = projected_present(d, &raw, &calls)
            && got.len() == want.len()
            && got == want
        {
            return Ok(Some(calls));
        }
    }
    Err(input(
        format!("{}/{}", d.name, k8s_api::DIR),
        "the opensre files are not the projection of the k8s-api objects (no tool call \
         reproduces them): the scenario was edited by hand",
    ))
}

/// Writes the projection of the raw objects over the directory's `opensre` files.
fn reproject(d: &mut Dir, calls: &ToolCalls) -> Result<(), PerturbError> {
    let raw = raw_of(d)?;
    let files = project(&raw, calls).map_err(|e| input(d.name.clone(), e.to_string()))?;
    for (kind, t) in files {
        let f = kind.file_name();
        if d.get(&f).is_some() {
            d.set(&f, t);
        }
    }
    Ok(())
}

/// Permutes the lists of a directory; how many lists changed order.
fn reorder(d: &mut Dir, rng: &mut Rng) -> Result<u64, PerturbError> {
    // (file, pointer to the list, page the tool reads)
    const LISTS: &[(&str, &str, usize)] = &[
        ("k8s-api/pods.json", "/items", usize::MAX),
        ("k8s-api/events.json", "/items", usize::MAX),
        ("k8s-api/nodes.json", "/items", usize::MAX),
        ("k8s-api/pod_logs.json", "/logs", usize::MAX),
        ("k8s-api/datadog_logs.json", "/data", 50),
        ("k8s-api/datadog_monitors.json", "", 50),
    ];
    const OPENSRE: &[(&str, &str, usize)] = &[
        ("eks_pods.json", "/pods", usize::MAX),
        ("eks_events.json", "/warning_events", usize::MAX),
        ("eks_node_health.json", "/nodes", usize::MAX),
        ("datadog_logs.json", "/logs", usize::MAX),
        ("datadog_monitors.json", "/monitors", usize::MAX),
    ];
    let lists = if d.has_raw() { LISTS } else { OPENSRE };
    let mut changed = 0;
    for &(file, ptr, page) in lists {
        let Some(mut v) = json_value(d, file)? else {
            continue;
        };
        let Some(Value::Array(items)) = v.pointer_mut(ptr) else {
            continue;
        };
        let head = items.len().min(page);
        let before = items.clone();
        rng.shuffle(&mut items[..head]);
        let tail = items.len() - head;
        if tail > 0 {
            rng.shuffle(&mut items[head..]);
        }
        if *items != before {
            changed += 1;
            d.set(file, pretty(&v));
        }
    }
    Ok(changed)
}

/// Rewords the unrelated log lines of a directory; how many lines changed.
fn reword(d: &mut Dir, facts: &Facts) -> Result<u64, PerturbError> {
    let mut n = 0;
    let tag = |tags: &Value, key: &str| -> Vec<String> {
        tags.as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter_map(|t| t.strip_prefix(key).map(str::to_owned))
            .collect()
    };
    // Datadog entries: raw `data[].attributes`, or the opensre `logs[]`/`error_logs[]`.
    let (file, lists, base): (&str, &[&str], &str) = if d.has_raw() {
        ("k8s-api/datadog_logs.json", &["/data"], "/attributes")
    } else {
        ("datadog_logs.json", &["/logs", "/error_logs"], "")
    };
    if let Some(mut v) = json_value(d, file)? {
        let mut edited = false;
        for list in lists {
            let Some(Value::Array(items)) = v.pointer_mut(list) else {
                continue;
            };
            for it in items.iter_mut() {
                let Some(a) = it.pointer_mut(base) else {
                    continue;
                };
                let status = a
                    .get("status")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let service = a
                    .get("service")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let host = a
                    .get("host")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let tags = a.get("tags").cloned().unwrap_or(Value::Null);
                let mut origin = vec![service, host.split('.').next().unwrap_or("").to_owned()];
                origin.extend(tag(&tags, "pod_name:"));
                origin.extend(tag(&tags, "kube_container_name:"));
                origin.extend(tag(&tags, "kube_deployment:"));
                let Some(Value::String(msg)) = a.get_mut("message") else {
                    continue;
                };
                let origin: Vec<&str> = origin.iter().map(String::as_str).collect();
                if facts.unrelated(msg, &status, &origin)
                    && let Some(new) = text::reword_line(msg)
                {
                    *msg = new;
                    edited = true;
                    n += 1;
                }
            }
        }
        if edited {
            d.set(file, pretty(&v));
        }
    }
    // Container logs of unrelated pods (raw captures), or the opensre pod log of one.
    let level_of = |line: &str| -> &'static str {
        let l = line.to_lowercase();
        if ["error", "warn", "fatal", "crit", "panic"]
            .iter()
            .any(|w| l.contains(w))
        {
            "error"
        } else if l.contains("debug") {
            "debug"
        } else {
            "info"
        }
    };
    let reword_text = |t: &str, origin: &[&str], n: &mut u64| -> String {
        t.split_inclusive('\n')
            .map(|line| {
                if facts.unrelated(line, level_of(line), origin)
                    && let Some(new) = text::reword_line(line)
                {
                    *n += 1;
                    new
                } else {
                    line.to_owned()
                }
            })
            .collect()
    };
    if d.has_raw() {
        if let Some(mut v) = json_value(d, "k8s-api/pod_logs.json")? {
            let mut edited = false;
            for e in v
                .get_mut("logs")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                let pod = e
                    .get("pod")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let container = e
                    .get("container")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                if let Some(Value::String(t)) = e.get_mut("text") {
                    let before = n;
                    let new = reword_text(t, &[pod.as_str(), container.as_str()], &mut n);
                    if n != before {
                        *t = new;
                        edited = true;
                    }
                }
            }
            if edited {
                d.set("k8s-api/pod_logs.json", pretty(&v));
            }
        }
    } else if let Some(mut v) = json_value(d, "eks_pod_logs.json")? {
        let pod = v
            .get("pod_name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        if let Some(Value::String(t)) = v.get_mut("logs") {
            let before = n;
            let new = reword_text(t, &[pod.as_str()], &mut n);
            if n != before {
                *t = new;
                d.set("eks_pod_logs.json", pretty(&v));
            }
        }
    }
    Ok(n)
}

/// A pod of the group that may be dropped, drawn with `rng`: healthy in every file it is in,
/// in the scenario's namespace, not of the affected workload, not named by an answer, alert or
/// monitor, not the pod-log call's pod, and (with raw objects) owned by a ReplicaSet.
fn pick_healthy_pod(
    members: &[Dir],
    facts: &Facts,
    calls: &[Option<ToolCalls>],
    rng: &mut Rng,
) -> Result<Option<String>, PerturbError> {
    let mut seen: BTreeMap<String, bool> = BTreeMap::new();
    for d in members {
        for p in pods_of(d)? {
            let ok = p.healthy
                && p.namespace == facts.namespace
                && (!d.has_raw() || p.owner.as_ref().is_some_and(|(k, _)| k == "ReplicaSet"));
            *seen.entry(p.name).or_insert(true) &= ok;
        }
        if let Some(v) = json_value(d, "eks_pod_logs.json")?
            && let Some(pod) = v.get("pod_name").and_then(Value::as_str)
        {
            seen.insert(pod.to_owned(), false);
        }
    }
    for c in calls.iter().flatten() {
        if let Some(p) = &c.pod_logs {
            seen.insert(p.pod.clone(), false);
        }
    }
    let named: BTreeSet<&str> = text::tokens(&facts.named_text).into_iter().collect();
    let workload_prefix = format!("{}-", facts.workload);
    let candidates: Vec<String> = seen
        .into_iter()
        .filter(|(name, ok)| {
            *ok && !facts.related.contains(name)
                && !named.contains(name.as_str())
                && (facts.workload.is_empty() || !name.starts_with(&workload_prefix))
        })
        .map(|(n, _)| n)
        .collect();
    if candidates.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        candidates[rng.below(candidates.len() as u64) as usize].clone(),
    ))
}

fn decrement(v: &mut Value, ptrs: &[&str]) {
    for p in ptrs {
        if let Some(n) = v.pointer_mut(p)
            && let Some(x) = n.as_i64()
            && x > 0
        {
            *n = Value::from(x - 1);
        }
    }
}

/// Removes `pod` (of namespace `ns`) from a directory: the pod, its events, its log captures
/// and Datadog entries; its ReplicaSet and Deployment count one replica less.
fn drop_pod(d: &mut Dir, ns: &str, pod: &str) -> Result<(), PerturbError> {
    let pod_tag = Value::String(format!("pod_name:{pod}"));
    let has_tag = |v: Option<&Value>| {
        v.and_then(Value::as_array)
            .is_some_and(|a| a.contains(&pod_tag))
    };
    let edit = |d: &mut Dir,
                file: &str,
                f: &mut dyn FnMut(&mut Value) -> bool|
     -> Result<(), PerturbError> {
        if let Some(mut v) = json_value(d, file)?
            && f(&mut v)
        {
            d.set(file, pretty(&v));
        }
        Ok(())
    };
    let retain = |v: &mut Value, ptr: &str, keep: &dyn Fn(&Value) -> bool| -> usize {
        match v.pointer_mut(ptr) {
            Some(Value::Array(a)) => {
                let before = a.len();
                a.retain(|x| keep(x));
                before - a.len()
            }
            _ => 0,
        }
    };
    if d.has_raw() {
        let mut owner: Option<String> = None;
        edit(d, "k8s-api/pods.json", &mut |v| {
            let items = v
                .get("items")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            owner = items
                .iter()
                .find(|p| p.pointer("/metadata/name").and_then(Value::as_str) == Some(pod))
                .and_then(|p| {
                    p.pointer("/metadata/ownerReferences/0/name")
                        .and_then(Value::as_str)
                })
                .map(str::to_owned);
            retain(v, "/items", &|p| {
                p.pointer("/metadata/name").and_then(Value::as_str) != Some(pod)
            }) > 0
        })?;
        edit(d, "k8s-api/events.json", &mut |v| {
            retain(v, "/items", &|e| {
                !(e.pointer("/involvedObject/kind").and_then(Value::as_str) == Some("Pod")
                    && e.pointer("/involvedObject/name").and_then(Value::as_str) == Some(pod)
                    && e.pointer("/involvedObject/namespace")
                        .and_then(Value::as_str)
                        .is_none_or(|n| n == ns))
            }) > 0
        })?;
        edit(d, "k8s-api/pod_logs.json", &mut |v| {
            retain(v, "/logs", &|e| {
                e.get("pod").and_then(Value::as_str) != Some(pod)
            }) > 0
        })?;
        edit(d, "k8s-api/datadog_logs.json", &mut |v| {
            retain(v, "/data", &|e| !has_tag(e.pointer("/attributes/tags"))) > 0
        })?;
        if let Some(rs) = owner {
            let workload = rs.rsplit_once('-').map(|(w, _)| w.to_owned());
            edit(d, "k8s-api/replicasets.json", &mut |v| {
                let mut hit = false;
                for it in v
                    .get_mut("items")
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    if it.pointer("/metadata/name").and_then(Value::as_str) == Some(rs.as_str()) {
                        decrement(
                            it,
                            &[
                                "/spec/replicas",
                                "/status/replicas",
                                "/status/readyReplicas",
                                "/status/availableReplicas",
                                "/status/fullyLabeledReplicas",
                            ],
                        );
                        hit = true;
                    }
                }
                hit
            })?;
            if let Some(w) = workload {
                edit(d, "k8s-api/deployments.json", &mut |v| {
                    let mut hit = false;
                    for it in v
                        .get_mut("items")
                        .and_then(Value::as_array_mut)
                        .into_iter()
                        .flatten()
                    {
                        if it.pointer("/metadata/name").and_then(Value::as_str) == Some(w.as_str())
                        {
                            decrement(
                                it,
                                &[
                                    "/spec/replicas",
                                    "/status/replicas",
                                    "/status/readyReplicas",
                                    "/status/availableReplicas",
                                    "/status/updatedReplicas",
                                ],
                            );
                            hit = true;
                        }
                    }
                    hit
                })?;
            }
        }
        return Ok(());
    }
    let mut workload: Option<String> = None;
    edit(d, "eks_pods.json", &mut |v| {
        let gone = retain(v, "/pods", &|p| {
            p.get("name").and_then(Value::as_str) != Some(pod)
        });
        if gone > 0 {
            if let Some(t) = v
                .get_mut("total_pods")
                .and_then(|t| t.as_i64().map(|x| (t, x)))
            {
                *t.0 = Value::from(t.1 - gone as i64);
            }
            workload = pod.rsplitn(3, '-').nth(2).map(str::to_owned);
        }
        gone > 0
    })?;
    edit(d, "eks_events.json", &mut |v| {
        let gone = retain(v, "/warning_events", &|e| {
            e.get("involved_object").and_then(Value::as_str) != Some(&format!("Pod/{pod}"))
        });
        if gone > 0
            && let Some(t) = v
                .get_mut("total_warning_count")
                .and_then(|t| t.as_i64().map(|x| (t, x)))
        {
            *t.0 = Value::from(t.1 - gone as i64);
        }
        gone > 0
    })?;
    edit(d, "datadog_logs.json", &mut |v| {
        let gone = retain(v, "/logs", &|e| !has_tag(e.get("tags")));
        retain(v, "/error_logs", &|e| !has_tag(e.get("tags")));
        if gone > 0
            && let Some(t) = v.get_mut("total").and_then(|t| t.as_i64().map(|x| (t, x)))
        {
            *t.0 = Value::from(t.1 - gone as i64);
        }
        gone > 0
    })?;
    if let Some(w) = workload {
        edit(d, "eks_deployments.json", &mut |v| {
            let mut hit = false;
            for it in v
                .get_mut("deployments")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if it.get("name").and_then(Value::as_str) == Some(w.as_str()) {
                    decrement(it, &["/desired", "/ready", "/available"]);
                    hit = true;
                }
            }
            hit
        })?;
    }
    Ok(())
}

//! The data the generator is driven by: the family spec (`families.yml`), the vocabulary
//! (`vocabulary.yml`) and the evidence templates (`opensre/*.j2`), loaded from one templates
//! directory and checked before anything is generated.
//!
//! Every string of the spec is itself a minijinja template; all of them are compiled at load
//! time so a typo is reported with the spec path that holds it, not halfway through a corpus.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use scenario::RootCause;

use crate::GenError;

/// The family spec file name inside the templates directory.
pub const SPEC_FILE: &str = "families.yml";
/// The vocabulary file name inside the templates directory.
pub const VOCABULARY_FILE: &str = "vocabulary.yml";
/// The file of component, tool and monitor wording inside the templates directory.
pub const WORLD_FILE: &str = "world.yml";
/// The alert rules file.
pub const ALERTS_FILE: &str = "alerts.yml";
/// The directory of the templates every scenario renders whatever its profile.
pub const SCENARIO_DIR: &str = "scenario";
/// The files of [`SCENARIO_DIR`], rendered into every scenario directory in this order.
pub const SCENARIO_FILES: &[&str] = &["scenario.yml", "answer.yml", "alert.json"];
/// The directory of the raw-object templates (the `k8s-api` profile, the truth every other
/// view is projected from); it is also the name of the scenario subdirectory they render into.
pub const K8S_API_DIR: &str = scenario::k8s_api::DIR;
/// The files of [`K8S_API_DIR`]: one template per file of the k8s-api layout, plus shared
/// macros (`_*.j2`, not rendered on their own).
pub const K8S_API_FILES: &[&str] = &[
    "pods.json",
    "events.json",
    "deployments.json",
    "statefulsets.json",
    "replicasets.json",
    "nodes.json",
    "pod_logs.json",
    "datadog_logs.json",
    "datadog_monitors.json",
];
/// Macro files of [`K8S_API_DIR`].
pub const K8S_API_MACROS: &[&str] = &["_workload.j2"];

/// The phrasing split a variant belongs to: `generate --split train|test` draws only that
/// split's variants (and names), so a model tuned on train corpora meets unseen wording at
/// test. A variant without a split is in both (machine text with one canonical form).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// Train corpora.
    Train,
    /// Test corpora.
    Test,
}

impl Split {
    /// Every split.
    pub const ALL: &'static [Split] = &[Split::Train, Split::Test];

    /// `train` / `test`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "test",
        }
    }

    /// Parses `train` or `test`; anything else is an error naming both.
    pub fn parse(s: &str) -> Result<Split, String> {
        match s {
            "train" => Ok(Split::Train),
            "test" => Ok(Split::Test),
            other => Err(format!(
                "unknown split \"{other}\" (expected train or test)"
            )),
        }
    }
}

/// Whether an item of split `item` is drawn by a corpus of split `want` (`None`: every item).
pub fn in_split(item: Option<Split>, want: Option<Split>) -> bool {
    match (item, want) {
        (Some(i), Some(w)) => i == w,
        _ => true,
    }
}

/// A weighted choice: a plain value (weight 1) or `{value, weight, split}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Weighted<T> {
    /// `{value: .., weight: .., split: ..}`
    Full {
        /// The value.
        value: T,
        /// Its relative weight.
        #[serde(default = "one")]
        weight: u32,
        /// The phrasing split it belongs to (both when absent).
        #[serde(default)]
        split: Option<Split>,
    },
    /// A bare value of weight 1, in both splits.
    Plain(T),
}

/// A log line template: `[level, text]` or `[level, text, split]`.
#[derive(Clone, Debug)]
pub struct Line {
    /// `info`, `warn`, `error`, `fatal`, `debug`, or `raw` (printed as is).
    pub level: String,
    /// The text (a template).
    pub text: String,
    /// The phrasing split (both when absent).
    pub split: Option<Split>,
}

impl<'de> Deserialize<'de> for Line {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let parts: Vec<String> = Vec::deserialize(d)?;
        match parts.as_slice() {
            [level, text] => Ok(Line {
                level: level.clone(),
                text: text.clone(),
                split: None,
            }),
            [level, text, split] => Ok(Line {
                level: level.clone(),
                text: text.clone(),
                split: Some(Split::parse(split).map_err(serde::de::Error::custom)?),
            }),
            _ => Err(serde::de::Error::custom(
                "expected [level, text] or [level, text, split]",
            )),
        }
    }
}

/// One start-up sequence of a language's services.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Startup {
    /// The phrasing split (both when absent).
    #[serde(default)]
    pub split: Option<Split>,
    /// The lines, in the order they are printed.
    pub lines: Vec<Line>,
}

fn one() -> u32 {
    1
}

fn yes() -> bool {
    true
}

impl<T> Weighted<T> {
    /// The value.
    pub fn value(&self) -> &T {
        match self {
            Weighted::Full { value, .. } | Weighted::Plain(value) => value,
        }
    }
    /// The weight.
    pub fn weight(&self) -> u32 {
        match self {
            Weighted::Full { weight, .. } => *weight,
            Weighted::Plain(_) => 1,
        }
    }
    /// The phrasing split.
    pub fn split(&self) -> Option<Split> {
        match self {
            Weighted::Full { split, .. } => *split,
            Weighted::Plain(_) => None,
        }
    }
}

/// `families.yml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilySpec {
    /// Default weight of each failure mode.
    pub modes: BTreeMap<String, u32>,
    /// Weights of difficulty 0..=3.
    pub difficulty_weights: Vec<u32>,
    /// Kubelet back-off constants.
    pub backoff: Backoff,
    /// Start-up sequences per language.
    pub startup: BTreeMap<String, Vec<Startup>>,
    /// Steady-state lines of a running service.
    pub steady: Vec<Line>,
    /// Unrelated error lines (noise).
    pub noise_errors: Vec<Line>,
    /// Old, resolved warning events.
    pub benign_events: Vec<BenignEvent>,
    /// Container runtimes and their weights.
    pub runtimes: Vec<Weighted<String>>,
    /// Adversarial signal rules.
    pub signals: BTreeMap<String, SignalRule>,
    /// Signals drawn per tier.
    pub signals_per_tier: Vec<u32>,
    /// Counterfactual twin kinds: kind -> the two causes of the pair.
    #[serde(default)]
    pub twins: BTreeMap<String, [String; 2]>,
    /// Per root cause.
    pub causes: BTreeMap<String, CauseSpec>,
}

/// Kubelet back-off constants.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backoff {
    /// First delay (10 s).
    pub initial_seconds: i64,
    /// Cap (300 s).
    pub max_seconds: i64,
    /// How often a pod in back-off is synced (one BackOff event per sync).
    pub sync_seconds: i64,
}

impl Backoff {
    /// The delay after the `n`-th crash (0-based): 10, 20, 40, ... capped.
    pub fn delay(&self, n: u32) -> i64 {
        self.initial_seconds
            .saturating_mul(1i64 << n.min(40))
            .min(self.max_seconds)
    }
}

/// An old warning event of another pod.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenignEvent {
    /// Event reason.
    pub reason: String,
    /// Message template.
    pub message: String,
    /// `kubelet` (core/v1 with count and timestamps) or `scheduler` (events.k8s.io/v1:
    /// no count, no first/last timestamps).
    #[serde(default = "kubelet")]
    pub form: String,
    /// The phrasing split (both when absent).
    #[serde(default)]
    pub split: Option<Split>,
}

fn kubelet() -> String {
    "kubelet".into()
}

/// `alerts.yml`: the alert rules and which of them each failure mode's alert is drawn from.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsSpec {
    /// Chance that a pod-scope alert names another replica of the workload.
    pub other_replica_chance: f64,
    /// The rules, by alert name.
    pub rules: BTreeMap<String, AlertRule>,
    /// Per failure mode, the rule names its honest and misleading alerts are drawn from.
    pub modes: BTreeMap<String, AlertChoice>,
}

/// One alert rule: wording, severity and scope belong to the rule, never to a label.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "fields are the alert.json fields they fill")]
pub struct AlertRule {
    /// `alertmanager` or `datadog`.
    pub source: String,
    /// For a Datadog alert: the `key` of the monitor (world.yml) that fired.
    #[serde(default)]
    pub monitor: Option<String>,
    /// Severities drawn from (uniformly).
    pub severity: Vec<String>,
    /// What the alert names.
    pub scope: AlertScope,
    /// A condition on the world's facts (a template rendering `true`), if the rule can only
    /// fire when it holds.
    #[serde(default)]
    pub when: Option<String>,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub symptom: String,
}

/// What an alert rule names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertScope {
    /// A pod and its container (`kube_pod`).
    Pod,
    /// The Deployment or StatefulSet only (no pod).
    Workload,
    /// A node (no pod).
    Node,
}

/// The rules one failure mode's alert is drawn from.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertChoice {
    /// Rules that fire because of what is wrong.
    pub honest: Vec<String>,
    /// Rules that fire instead under `misleading_alert_title`.
    pub misleading: Vec<String>,
}

/// When an adversarial signal may be drawn.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalRule {
    /// Lowest tier that may draw it.
    pub min_tier: u8,
    /// Relative weight among eligible signals.
    pub weight: u32,
    /// Root causes it applies to (`*` = all).
    pub applies: Vec<String>,
    /// Root causes it never applies to.
    #[serde(default)]
    pub except: Vec<String>,
}

impl SignalRule {
    /// Whether it applies to a cause.
    pub fn applies_to(&self, cause: &str) -> bool {
        (self.applies.iter().any(|a| a == "*" || a == cause))
            && !self.except.iter().any(|e| e == cause)
    }
}

/// The world shapes the generator knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// Everything running.
    Healthy,
    /// A container that terminates and is restarted with back-off.
    CrashLoop,
    /// CreateContainerConfigError: the container is never created.
    ConfigError,
    /// ErrImagePull / ImagePullBackOff.
    ImagePull,
    /// InvalidImageName.
    InvalidImage,
}

/// One way a cause shows itself.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Presentation {
    /// The world shape.
    pub pattern: Pattern,
    /// Relative weight.
    #[serde(default = "one")]
    pub weight: u32,
    /// A signal recorded when this presentation is used.
    #[serde(default)]
    pub signal: Option<String>,
    /// Force a registry kind (`dockerhub` for rate limits).
    #[serde(default)]
    pub registry_kind: Option<String>,
}

/// How a crashing container terminates.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Termination {
    /// Exit code.
    pub exit_code: i32,
    /// `reason` of the terminated state.
    pub reason: String,
    /// Only with this runtime (`containerd` / `docker`).
    #[serde(default)]
    pub runtime: Option<String>,
    /// The process never started (`startedAt` 1970-01-01).
    #[serde(default)]
    pub never_started: bool,
    /// `message` of the terminated state (template).
    #[serde(default)]
    pub message: Option<String>,
    /// The cause is only visible in the container log.
    #[serde(default)]
    pub log_only: bool,
}

/// The last lines a crashing container prints.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tail {
    /// Languages it fits (empty = any).
    #[serde(default)]
    pub lang: Vec<String>,
    /// Only for `log_only` terminations.
    #[serde(default)]
    pub when_log_only: bool,
    /// `[level, text]` pairs; level `raw` prints the text as is.
    pub lines: Vec<(String, String)>,
    /// The phrasing split (both when absent).
    #[serde(default)]
    pub split: Option<Split>,
    /// Other causes real systems print this same text for (the answer accepts them too).
    #[serde(default)]
    pub also: Vec<String>,
}

/// An image-pull error text.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullError {
    /// Runtime that words it this way.
    pub runtime: String,
    /// The raw error (template).
    pub text: String,
    /// Other causes real registries answer this same text for (the answer accepts them too).
    #[serde(default)]
    pub also: Vec<String>,
}

/// An invalid image reference and the parser's message suffix.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvalidImage {
    /// The reference (template).
    pub image: String,
    /// Appended to `invalid reference format`.
    pub suffix: String,
}

/// Per root cause.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "documented in families.yml")]
pub struct CauseSpec {
    pub presentations: Vec<Presentation>,
    #[serde(default)]
    pub memory_limit: Option<String>,
    #[serde(default)]
    pub node_pressure: bool,
    #[serde(default)]
    pub run_seconds: Option<(i64, i64)>,
    /// The service logs steady lines through each run before its tail (a kill from outside).
    #[serde(default)]
    pub steady_before_tail: bool,
    /// Spacing of the tail lines before the crash.
    #[serde(default)]
    pub tail_timing_ms: TailTiming,
    /// Whether the application itself starts (and logs its start-up lines) before it fails.
    #[serde(default = "yes")]
    pub app_starts: bool,
    #[serde(default)]
    pub terminations: Vec<Weighted<Termination>>,
    #[serde(default)]
    pub tails: Vec<Tail>,
    #[serde(default)]
    pub kernel_cgroup: Option<String>,
    #[serde(default)]
    pub kernel_global: Option<String>,
    #[serde(default)]
    pub config_errors: Vec<Weighted<String>>,
    #[serde(default)]
    pub pull_errors: Vec<Weighted<PullError>>,
    #[serde(default)]
    pub invalid_images: Vec<Weighted<InvalidImage>>,
    pub keywords: Vec<String>,
    pub root_cause: String,
    pub claims: Vec<String>,
    #[serde(default)]
    pub non_validated: Vec<String>,
    pub chain: Vec<String>,
}

/// Spacing of a crash tail: `gap` ms between lines, `lead` ms between the last line and the kill.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TailTiming {
    /// Between two tail lines.
    pub gap: i64,
    /// Between the last tail line and the crash.
    pub lead: i64,
}

impl Default for TailTiming {
    fn default() -> Self {
        TailTiming { gap: 3, lead: 20 }
    }
}

/// `world.yml`: what the cluster's components, the tools and Datadog write (templates).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorldText {
    /// Kubelet event and status messages.
    pub kubelet: KubeletText,
    /// Container runtime answers.
    pub runtime: RuntimeText,
    /// Scheduler event messages.
    pub scheduler: SchedulerText,
    /// Tool errors.
    pub tools: ToolText,
    /// The Datadog account's monitors.
    pub monitors: Vec<MonitorRule>,
}

/// Kubelet wording (see world.yml for each template's variables).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "documented in world.yml")]
pub struct KubeletText {
    pub pulled: String,
    pub pulling: String,
    pub created: String,
    pub started: String,
    pub failed: String,
    pub pull_failed: String,
    pub err_image_pull: String,
    pub image_pull_backoff: String,
    pub pull_backoff: String,
    pub invalid_image: String,
    pub invalid_image_failed: String,
    pub crash_backoff_waiting: String,
    pub crash_backoff_event: String,
    pub combined: String,
    pub liveness_failed: String,
    pub liveness_killing: String,
    pub node_insufficient_memory: String,
    pub eviction_threshold: String,
    pub unready: String,
}

/// Container runtime wording.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "documented in world.yml")]
pub struct RuntimeText {
    pub pull_not_found: String,
}

/// Scheduler wording.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "documented in world.yml")]
pub struct SchedulerText {
    pub scheduled: String,
}

/// What the tools report when a call fails.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "documented in world.yml")]
pub struct ToolText {
    pub events_forbidden: String,
    pub pod_logs_forbidden: String,
    pub pod_logs_waiting: String,
    pub pod_logs_no_previous: String,
    pub waiting_why: BTreeMap<String, String>,
    pub datadog_errors: Vec<DatadogError>,
}

/// A failed Datadog API call: an HTTP status with its `errors`, or a transport error.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "documented in world.yml")]
pub struct DatadogError {
    #[serde(default)]
    pub http_status: Option<u16>,
    #[serde(default)]
    pub errors: Vec<String>,
    #[serde(default)]
    pub transport: Option<String>,
}

/// One Datadog monitor of the account; every string is a template over the world's facts.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "documented in world.yml")]
pub struct MonitorRule {
    pub key: String,
    pub chance: f64,
    #[serde(default)]
    pub present: Option<String>,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub query: String,
    pub message: String,
    pub state: String,
    pub tags: Vec<String>,
}

/// `vocabulary.yml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "documented in vocabulary.yml")]
pub struct Vocabulary {
    pub clusters: ClusterVocab,
    pub regions: Vec<Region>,
    pub instance_types: Vec<InstanceType>,
    pub nodegroups: Vec<String>,
    pub kubelet_versions: Vec<String>,
    pub namespaces: Vec<String>,
    pub service_stems: Vec<String>,
    pub service_suffixes: Vec<String>,
    pub sidecars: Vec<Sidecar>,
    pub languages: Vec<String>,
    pub registries: Vec<Registry>,
    pub orgs: Vec<String>,
    pub teams: Vec<String>,
    pub companies: Vec<String>,
    pub tag_styles: Vec<String>,
    pub third_party_images: Vec<String>,
    pub dependencies: Vec<Dependency>,
    pub config_keys: Vec<String>,
    pub binaries: Vec<String>,
    pub node_images: Vec<NodeImage>,
    pub pull_secrets: Vec<String>,
}

/// A node image as the kubelet reports it (`kernel` is a template over `arch_kernel`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "documented in vocabulary.yml")]
pub struct NodeImage {
    pub os_image: String,
    pub kernel: String,
    pub runtime: String,
}

/// Cluster name pieces.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "documented in vocabulary.yml")]
pub struct ClusterVocab {
    pub prefixes: Vec<String>,
    pub envs: Vec<String>,
}

/// An AWS region.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "documented in vocabulary.yml")]
pub struct Region {
    pub name: String,
    pub zones: Vec<String>,
    pub dns: String,
}

/// An EC2 instance type as the kubelet reports it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "documented in vocabulary.yml")]
pub struct InstanceType {
    pub name: String,
    pub arch: String,
    pub cpu: String,
    pub memory: String,
    pub alloc_cpu: String,
    pub alloc_memory: String,
}

/// A sidecar container.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "documented in vocabulary.yml")]
pub struct Sidecar {
    pub name: String,
    pub image: String,
}

/// A registry kind and host pattern.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "documented in vocabulary.yml")]
pub struct Registry {
    pub kind: String,
    pub host: String,
    pub org_style: String,
}

/// A dependency kind.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "documented in vocabulary.yml")]
pub struct Dependency {
    pub kind: String,
    pub port: u16,
    pub host_stem: String,
}

/// Everything loaded from a templates directory, checked and compiled.
#[derive(Clone, Debug)]
pub struct Templates {
    /// The directory it came from.
    pub dir: PathBuf,
    /// The family spec.
    pub spec: FamilySpec,
    /// The vocabulary.
    pub vocab: Vocabulary,
    /// Component, tool and monitor wording.
    pub text: WorldText,
    /// SHA-256 over every file of the directory (path and bytes, in path order).
    pub hash: String,
    pub(crate) env: minijinja::Environment<'static>,
    /// Spec string source -> the file and spec path it was found at (for error messages).
    pub(crate) spec_paths: HashMap<String, (&'static str, String)>,
    /// Causes in taxonomy order with their spec.
    pub(crate) causes: Vec<(RootCause, CauseSpec)>,
    /// `alerts.yml`.
    pub alerts: AlertsSpec,
    /// The phrasing split these templates were cut to ([`Templates::for_split`]).
    pub(crate) split: Option<Split>,
}

/// Keeps the items of `list` at positions of parity `index` (0: even, 1: odd).
fn halve<T>(list: &mut Vec<T>, index: usize) -> Result<(), ()> {
    if list.len() < 2 {
        return Err(());
    }
    let mut i = 0;
    list.retain(|_| {
        i += 1;
        (i - 1) % 2 == index
    });
    Ok(())
}

/// Loads and checks a templates directory: spec, vocabulary, profile templates.
pub fn load_templates(dir: &Path) -> Result<Templates, GenError> {
    load_from(dir, &|rel: &str| {
        let path = dir.join(rel);
        std::fs::read_to_string(&path).map_err(|e| GenError::Template {
            file: path.display().to_string(),
            message: format!("cannot read: {e}"),
        })
    })
}

/// What error messages call the templates built into the binary.
pub const BUILTIN_DIR: &str = "<built-in templates>";

/// Loads the templates built into the binary at compile time (the repository's `templates/`),
/// so `generate` works from any directory and after `cargo install`.
pub fn builtin_templates() -> Result<Templates, GenError> {
    let dir = Path::new(BUILTIN_DIR);
    load_from(dir, &|rel: &str| {
        crate::builtin::FILES
            .iter()
            .find(|(name, _)| *name == rel)
            .map(|(_, text)| (*text).to_owned())
            .ok_or_else(|| GenError::Template {
                file: dir.join(rel).display().to_string(),
                message: "not built into this binary".into(),
            })
    })
}

/// The files a templates directory must provide, in hash order.
pub fn template_files() -> Vec<String> {
    let mut files: Vec<String> = [SPEC_FILE, VOCABULARY_FILE, WORLD_FILE, ALERTS_FILE]
        .iter()
        .map(|f| (*f).to_owned())
        .chain(
            SCENARIO_FILES
                .iter()
                .map(|f| format!("{SCENARIO_DIR}/{f}.j2")),
        )
        .chain(
            K8S_API_FILES
                .iter()
                .map(|f| format!("{K8S_API_DIR}/{f}.j2")),
        )
        .chain(K8S_API_MACROS.iter().map(|f| format!("{K8S_API_DIR}/{f}")))
        .collect();
    files.sort();
    files
}

type Reader<'a> = dyn Fn(&str) -> Result<String, GenError> + 'a;

fn load_from(dir: &Path, read: &Reader<'_>) -> Result<Templates, GenError> {
    // Every file is read once; the hash covers exactly what the generator reads.
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    for rel in template_files() {
        let text = read(&rel)?;
        texts.insert(rel, text);
    }
    let read = |rel: &str| -> Result<String, GenError> {
        texts.get(rel).cloned().ok_or_else(|| GenError::Template {
            file: dir.join(rel).display().to_string(),
            message: "cannot read: not a template file".into(),
        })
    };
    let spec_text = read(SPEC_FILE)?;
    let spec: FamilySpec = parse_yaml(&spec_text, &dir.join(SPEC_FILE))?;
    let vocab_text = read(VOCABULARY_FILE)?;
    let vocab: Vocabulary = parse_yaml(&vocab_text, &dir.join(VOCABULARY_FILE))?;
    let world_text = read(WORLD_FILE)?;
    let text: WorldText = parse_yaml(&world_text, &dir.join(WORLD_FILE))?;
    let alerts_text = read(ALERTS_FILE)?;
    let alerts: AlertsSpec = parse_yaml(&alerts_text, &dir.join(ALERTS_FILE))?;
    let causes = check_spec(&spec, &dir.join(SPEC_FILE))?;
    check_alerts(&spec, &alerts, &text, &dir.join(ALERTS_FILE))?;
    let mut env = environment(dir)?;
    // Profile templates.
    for rel in template_files().iter().filter(|f| f.ends_with(".j2")) {
        let source = read(rel)?;
        env.add_template_owned(rel.clone(), source)
            .map_err(|e| GenError::Template {
                file: dir.join(rel).display().to_string(),
                message: describe(&e),
            })?;
    }

    let spec_paths = compile_strings(&mut env, dir, &spec, &vocab, &text, &alerts)?;
    let hash =
        scenario::manifest::hash_entries(texts.iter().map(|(k, v)| (k.as_str(), v.as_bytes())));
    Ok(Templates {
        dir: dir.to_path_buf(),
        spec,
        vocab,
        text,
        hash,
        env,
        spec_paths,
        causes,
        alerts,
        split: None,
    })
}

/// Checks `alerts.yml` against the family spec and the monitors: every mode has honest and
/// misleading rules, every name is a rule, every rule a source, a severity and (for Datadog)
/// a monitor of world.yml.
fn check_alerts(
    spec: &FamilySpec,
    alerts: &AlertsSpec,
    text: &WorldText,
    path: &Path,
) -> Result<(), GenError> {
    let bad = |field: String, message: String| GenError::Spec {
        file: path.display().to_string(),
        field,
        message,
    };
    if !(0.0..=1.0).contains(&alerts.other_replica_chance) {
        return Err(bad(
            "other_replica_chance".into(),
            "expected a probability in 0..1".into(),
        ));
    }
    for mode in spec.modes.keys() {
        let Some(choice) = alerts.modes.get(mode) else {
            return Err(bad(format!("modes.{mode}"), "missing".into()));
        };
        for (kind, list) in [
            ("honest", &choice.honest),
            ("misleading", &choice.misleading),
        ] {
            if list.is_empty() {
                return Err(bad(
                    format!("modes.{mode}.{kind}"),
                    "must name at least one rule".into(),
                ));
            }
            for name in list {
                if !alerts.rules.contains_key(name) {
                    return Err(bad(
                        format!("modes.{mode}.{kind}"),
                        format!("no rule named \"{name}\" under rules"),
                    ));
                }
            }
        }
    }
    for (name, a) in &alerts.rules {
        let field = format!("rules.{name}");
        if a.severity.is_empty() {
            return Err(bad(
                format!("{field}.severity"),
                "must list at least one".into(),
            ));
        }
        match (a.source.as_str(), &a.monitor) {
            ("alertmanager", None) => {}
            ("datadog", Some(key)) if text.monitors.iter().any(|m| &m.key == key) => {}
            ("datadog", Some(key)) => {
                return Err(bad(
                    format!("{field}.monitor"),
                    format!("no monitor with key \"{key}\" in {WORLD_FILE}"),
                ));
            }
            ("datadog", None) => {
                return Err(bad(
                    format!("{field}.monitor"),
                    "a datadog alert names the monitor that fired".into(),
                ));
            }
            (other, _) => {
                return Err(bad(
                    format!("{field}.source"),
                    format!("expected alertmanager or datadog, got \"{other}\""),
                ));
            }
        }
    }
    Ok(())
}

/// Checks the family spec against the taxonomy and itself; returns the causes it covers, in
/// taxonomy order.
fn check_spec(spec: &FamilySpec, path: &Path) -> Result<Vec<(RootCause, CauseSpec)>, GenError> {
    let spec_file = path.display().to_string();
    let bad = |field: String, message: String| GenError::Spec {
        file: spec_file.clone(),
        field,
        message,
    };

    // Causes must be exactly the taxonomy's ground-truth causes of the modes the spec covers.
    let mut causes = Vec::new();
    for (name, cause) in &spec.causes {
        let rc =
            RootCause::parse(name).map_err(|e| bad(format!("causes.{name}"), e.to_string()))?;
        if rc == RootCause::Unknown {
            return Err(bad(
                format!("causes.{name}"),
                "\"unknown\" is not a ground truth".into(),
            ));
        }
        if cause.presentations.is_empty() {
            return Err(bad(
                format!("causes.{name}.presentations"),
                "must list at least one".into(),
            ));
        }
        if cause.keywords.is_empty() {
            return Err(bad(
                format!("causes.{name}.keywords"),
                "must list at least one".into(),
            ));
        }
        for p in &cause.presentations {
            let need = |ok: bool, what: &str| {
                if ok {
                    Ok(())
                } else {
                    Err(bad(
                        format!("causes.{name}.{what}"),
                        format!("pattern {:?} needs it", p.pattern),
                    ))
                }
            };
            match p.pattern {
                Pattern::CrashLoop => {
                    need(!cause.terminations.is_empty(), "terminations")?;
                    need(cause.run_seconds.is_some(), "run_seconds")?;
                }
                Pattern::ConfigError => need(!cause.config_errors.is_empty(), "config_errors")?,
                Pattern::ImagePull => need(!cause.pull_errors.is_empty(), "pull_errors")?,
                Pattern::InvalidImage => need(!cause.invalid_images.is_empty(), "invalid_images")?,
                Pattern::Healthy => {}
            }
        }
        let also = cause
            .tails
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("tails[{i}].also"), &t.also))
            .chain(
                cause
                    .pull_errors
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (format!("pull_errors[{i}].also"), &w.value().also)),
            );
        for (field, list) in also {
            for other in list {
                let field = format!("causes.{name}.{field}");
                let orc = RootCause::parse(other).map_err(|e| bad(field.clone(), e.to_string()))?;
                if orc == rc || !spec.causes.contains_key(other) || !orc.mode().is_ground_truth() {
                    return Err(bad(
                        field,
                        format!("\"{other}\" is not another cause of this spec"),
                    ));
                }
            }
        }
        causes.push((rc, cause.clone()));
    }
    causes.sort_by_key(|(rc, _)| *rc);
    for mode in spec.modes.keys() {
        if !causes.iter().any(|(rc, _)| rc.mode().as_str() == mode) {
            return Err(bad(
                format!("modes.{mode}"),
                "no cause of this mode is specified".into(),
            ));
        }
    }
    if spec.difficulty_weights.len() != 4 || spec.difficulty_weights.iter().all(|w| *w == 0) {
        return Err(bad(
            "difficulty_weights".into(),
            "expected 4 weights, not all zero".into(),
        ));
    }
    if spec.signals_per_tier.len() != 4 {
        return Err(bad("signals_per_tier".into(), "expected 4 counts".into()));
    }
    if spec.backoff.initial_seconds <= 0
        || spec.backoff.max_seconds < spec.backoff.initial_seconds
        || spec.backoff.sync_seconds <= 0
    {
        return Err(bad(
            "backoff".into(),
            "expected 0 < initial_seconds <= max_seconds and sync_seconds > 0".into(),
        ));
    }

    for (kind, pair) in &spec.twins {
        for c in pair {
            if !spec.causes.contains_key(c) {
                return Err(bad(
                    format!("twins.{kind}"),
                    format!("unknown cause \"{c}\""),
                ));
            }
        }
        if pair[0] == pair[1] {
            return Err(bad(
                format!("twins.{kind}"),
                "names the same cause twice".into(),
            ));
        }
    }
    for (name, rule) in &spec.signals {
        for a in rule.applies.iter().chain(&rule.except) {
            if a != "*" && !spec.causes.contains_key(a) {
                return Err(bad(
                    format!("signals.{name}.applies"),
                    format!("unknown cause \"{a}\""),
                ));
            }
        }
        scenario::Signal::parse(name).map_err(|e| bad(format!("signals.{name}"), e.to_string()))?;
    }

    Ok(causes)
}

/// The minijinja environment every template and spec string is compiled into.
fn environment(dir: &Path) -> Result<minijinja::Environment<'static>, GenError> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .map_err(|e| GenError::Template {
                file: dir.display().to_string(),
                message: e.to_string(),
            })?,
    );
    env.add_filter("tojson", tojson);
    env.add_filter("quote_json", tojson);
    env.add_filter("uid", uid_filter);
    env.add_filter("hexid", hexid_filter);
    env.add_filter("num", num_filter);

    Ok(env)
}

/// Compiles every string of the spec, vocabulary and world text once, named by its source and
/// remembered with the file and path it came from (for error messages).
fn compile_strings(
    env: &mut minijinja::Environment<'static>,
    dir: &Path,
    spec: &FamilySpec,
    vocab: &Vocabulary,
    text: &WorldText,
    alerts: &AlertsSpec,
) -> Result<HashMap<String, (&'static str, String)>, GenError> {
    let mut spec_paths = HashMap::new();
    let mut add_in = |file: &'static str, path: String, source: &str| -> Result<(), GenError> {
        if spec_paths.contains_key(source) {
            return Ok(());
        }
        env.add_template_owned(source.to_owned(), source.to_owned())
            .map_err(|e| GenError::Spec {
                file: dir.join(file).display().to_string(),
                field: path.clone(),
                message: describe(&e),
            })?;
        spec_paths.insert(source.to_owned(), (file, path));
        Ok(())
    };
    for (i, r) in vocab.registries.iter().enumerate() {
        add_in(VOCABULARY_FILE, format!("registries[{i}].host"), &r.host)?;
    }
    for (i, t) in vocab.tag_styles.iter().enumerate() {
        add_in(VOCABULARY_FILE, format!("tag_styles[{i}]"), t)?;
    }
    for (i, n) in vocab.node_images.iter().enumerate() {
        add_in(
            VOCABULARY_FILE,
            format!("node_images[{i}].kernel"),
            &n.kernel,
        )?;
    }
    for (i, n) in vocab.pull_secrets.iter().enumerate() {
        add_in(VOCABULARY_FILE, format!("pull_secrets[{i}]"), n)?;
    }
    for (path, t) in text.sources() {
        add_in(WORLD_FILE, path, t)?;
    }
    for (name, r) in &alerts.rules {
        for (field, t) in [
            ("title", Some(&r.title)),
            ("summary", Some(&r.summary)),
            ("description", Some(&r.description)),
            ("symptom", Some(&r.symptom)),
            ("when", r.when.as_ref()),
        ] {
            if let Some(t) = t {
                add_in(ALERTS_FILE, format!("rules.{name}.{field}"), t)?;
            }
        }
    }
    let mut add = |path: String, source: &str| add_in(SPEC_FILE, path, source);
    for (lang, sets) in &spec.startup {
        for (i, set) in sets.iter().enumerate() {
            for (j, l) in set.lines.iter().enumerate() {
                add(format!("startup.{lang}[{i}].lines[{j}]"), &l.text)?;
            }
        }
    }
    for (i, l) in spec.steady.iter().enumerate() {
        add(format!("steady[{i}]"), &l.text)?;
    }
    for (i, l) in spec.noise_errors.iter().enumerate() {
        add(format!("noise_errors[{i}]"), &l.text)?;
    }
    for (i, e) in spec.benign_events.iter().enumerate() {
        add(format!("benign_events[{i}].message"), &e.message)?;
    }
    for (name, c) in &spec.causes {
        let p = |s: &str| format!("causes.{name}.{s}");
        for (i, t) in c.terminations.iter().enumerate() {
            if let Some(m) = &t.value().message {
                add(p(&format!("terminations[{i}].message")), m)?;
            }
        }
        for (i, tail) in c.tails.iter().enumerate() {
            for (j, (_, t)) in tail.lines.iter().enumerate() {
                add(p(&format!("tails[{i}].lines[{j}]")), t)?;
            }
        }
        if let Some(k) = &c.kernel_cgroup {
            add(p("kernel_cgroup"), k)?;
        }
        if let Some(k) = &c.kernel_global {
            add(p("kernel_global"), k)?;
        }
        for (i, t) in c.config_errors.iter().enumerate() {
            add(p(&format!("config_errors[{i}]")), t.value())?;
        }
        for (i, t) in c.pull_errors.iter().enumerate() {
            add(p(&format!("pull_errors[{i}].text")), &t.value().text)?;
        }
        for (i, t) in c.invalid_images.iter().enumerate() {
            add(p(&format!("invalid_images[{i}].image")), &t.value().image)?;
        }
        for (i, t) in c.keywords.iter().enumerate() {
            add(p(&format!("keywords[{i}]")), t)?;
        }
        add(p("root_cause"), &c.root_cause)?;
        for (field, list) in [
            ("claims", &c.claims),
            ("non_validated", &c.non_validated),
            ("chain", &c.chain),
        ] {
            for (i, t) in list.iter().enumerate() {
                add(p(&format!("{field}[{i}]")), t)?;
            }
        }
    }
    Ok(spec_paths)
}

impl Templates {
    /// The spec of a cause, if the spec covers it.
    pub fn cause(&self, rc: RootCause) -> Option<&CauseSpec> {
        self.causes.iter().find(|(c, _)| *c == rc).map(|(_, s)| s)
    }

    /// The templates a corpus of `split` draws from: every free-text variant of the other
    /// split removed (log tails, start-up, steady and noise lines, config and pull errors,
    /// invalid images, terminations with a message, benign events), and the name lists of the
    /// vocabulary cut in two (items at even positions are train, odd ones test). Fails,
    /// naming the spec path, where a list the generator draws from would be empty.
    pub fn for_split(&self, split: Split) -> Result<Templates, GenError> {
        let want = Some(split);
        let mut t = self.clone();
        let spec_file = self.dir.join(SPEC_FILE).display().to_string();
        let empty = |field: String| GenError::Spec {
            file: spec_file.clone(),
            field,
            message: format!("no variant in split {}", split.as_str()),
        };
        let keep_w = |list: &mut Vec<Weighted<String>>| list.retain(|w| in_split(w.split(), want));
        for (lang, sets) in &mut t.spec.startup {
            sets.retain(|s| in_split(s.split, want));
            if sets.is_empty() {
                return Err(empty(format!("startup.{lang}")));
            }
        }
        t.spec.steady.retain(|l| in_split(l.split, want));
        t.spec.noise_errors.retain(|l| in_split(l.split, want));
        t.spec.benign_events.retain(|e| in_split(e.split, want));
        for (field, n) in [
            ("steady", t.spec.steady.len()),
            ("noise_errors", t.spec.noise_errors.len()),
            ("benign_events", t.spec.benign_events.len()),
        ] {
            if n == 0 {
                return Err(empty(field.into()));
            }
        }
        for (rc, c) in &mut t.causes {
            let p = |f: &str| format!("causes.{rc}.{f}");
            c.tails.retain(|tl| in_split(tl.split, want));
            keep_w(&mut c.config_errors);
            c.pull_errors.retain(|w| in_split(w.split(), want));
            c.invalid_images.retain(|w| in_split(w.split(), want));
            c.terminations.retain(|w| in_split(w.split(), want));
            for (field, had, now) in [
                (
                    "tails",
                    !self.cause(*rc).is_none_or(|o| o.tails.is_empty()),
                    c.tails.len(),
                ),
                (
                    "config_errors",
                    !self.cause(*rc).is_none_or(|o| o.config_errors.is_empty()),
                    c.config_errors.len(),
                ),
                (
                    "pull_errors",
                    !self.cause(*rc).is_none_or(|o| o.pull_errors.is_empty()),
                    c.pull_errors.len(),
                ),
                (
                    "invalid_images",
                    !self.cause(*rc).is_none_or(|o| o.invalid_images.is_empty()),
                    c.invalid_images.len(),
                ),
                (
                    "terminations",
                    !self.cause(*rc).is_none_or(|o| o.terminations.is_empty()),
                    c.terminations.len(),
                ),
            ] {
                if had && now == 0 {
                    return Err(empty(p(field)));
                }
            }
        }
        t.spec.causes = t
            .causes
            .iter()
            .map(|(rc, c)| (rc.as_str().to_owned(), c.clone()))
            .collect();
        let v = &mut t.vocab;
        let index = usize::from(split == Split::Test);
        for (field, list) in [
            ("clusters.prefixes", &mut v.clusters.prefixes),
            ("namespaces", &mut v.namespaces),
            ("service_stems", &mut v.service_stems),
            ("service_suffixes", &mut v.service_suffixes),
            ("orgs", &mut v.orgs),
            ("teams", &mut v.teams),
            ("companies", &mut v.companies),
            ("binaries", &mut v.binaries),
            ("config_keys", &mut v.config_keys),
            ("third_party_images", &mut v.third_party_images),
            ("nodegroups", &mut v.nodegroups),
        ] {
            halve(list, index).map_err(|()| GenError::Spec {
                file: self.dir.join(VOCABULARY_FILE).display().to_string(),
                field: field.into(),
                message: "needs at least two names to split into train and test".into(),
            })?;
        }
        halve(&mut v.sidecars, index).map_err(|()| GenError::Spec {
            file: self.dir.join(VOCABULARY_FILE).display().to_string(),
            field: "sidecars".into(),
            message: "needs at least two sidecars to split into train and test".into(),
        })?;
        t.split = Some(split);
        Ok(t)
    }

    /// The twin kind and partner of a cause, if `twins:` pairs it.
    pub fn twin_of(&self, rc: RootCause) -> Option<(&str, RootCause)> {
        self.spec.twins.iter().find_map(|(kind, [a, b])| {
            let other = if a == rc.as_str() {
                b
            } else if b == rc.as_str() {
                a
            } else {
                return None;
            };
            RootCause::parse(other).ok().map(|o| (kind.as_str(), o))
        })
    }

    /// The split these templates were cut to, if any.
    pub fn split(&self) -> Option<Split> {
        self.split
    }

    /// Every compiled spec string: `(file, spec path, template source)`, sorted by file and
    /// path (for tools that trace generated text back to the template that wrote it).
    pub fn spec_strings(&self) -> Vec<(&'static str, &str, &str)> {
        let mut out: Vec<(&'static str, &str, &str)> = self
            .spec_paths
            .iter()
            .map(|(source, (file, path))| (*file, path.as_str(), source.as_str()))
            .collect();
        out.sort_unstable();
        out
    }

    /// Causes the spec covers, in taxonomy order.
    pub fn causes(&self) -> impl Iterator<Item = RootCause> + '_ {
        self.causes.iter().map(|(c, _)| *c)
    }

    /// Renders one spec string against a context.
    pub(crate) fn expand(&self, source: &str, ctx: &minijinja::Value) -> Result<String, GenError> {
        let tpl = self
            .env
            .get_template(source)
            .map_err(|e| self.spec_error(source, &e))?;
        tpl.render(ctx.clone())
            .map_err(|e| self.spec_error(source, &e))
    }

    /// Evaluates a condition (a monitor's `present`, an alert rule's `when`): the template must
    /// render `true` or `false` (minijinja writes a boolean `True`/`False`; any case is taken),
    /// anything else is an error naming the field, so a condition that can never hold is caught
    /// instead of silently switching a rule off.
    pub(crate) fn holds(&self, source: &str, ctx: &minijinja::Value) -> Result<bool, GenError> {
        let text = self.expand(source, ctx)?;
        match text.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" | "" => Ok(false),
            other => Err(self.field_error(
                source,
                format!("a condition must render true or false, not {other:?}"),
            )),
        }
    }

    fn spec_error(&self, source: &str, e: &minijinja::Error) -> GenError {
        self.field_error(source, describe(e))
    }

    /// An error about the spec string `source`, naming the file and field that hold it.
    fn field_error(&self, source: &str, message: String) -> GenError {
        let (file, field) = self
            .spec_paths
            .get(source)
            .cloned()
            .unwrap_or_else(|| (SPEC_FILE, source.to_owned()));
        GenError::Spec {
            file: self.dir.join(file).display().to_string(),
            field,
            message,
        }
    }
}

impl WorldText {
    /// Every template of the file with its path, for compiling them at load time.
    fn sources(&self) -> Vec<(String, &str)> {
        let k = &self.kubelet;
        let mut out: Vec<(String, &str)> = [
            ("pulled", &k.pulled),
            ("pulling", &k.pulling),
            ("created", &k.created),
            ("started", &k.started),
            ("failed", &k.failed),
            ("pull_failed", &k.pull_failed),
            ("err_image_pull", &k.err_image_pull),
            ("image_pull_backoff", &k.image_pull_backoff),
            ("pull_backoff", &k.pull_backoff),
            ("invalid_image", &k.invalid_image),
            ("invalid_image_failed", &k.invalid_image_failed),
            ("crash_backoff_waiting", &k.crash_backoff_waiting),
            ("crash_backoff_event", &k.crash_backoff_event),
            ("combined", &k.combined),
            ("liveness_failed", &k.liveness_failed),
            ("liveness_killing", &k.liveness_killing),
            ("node_insufficient_memory", &k.node_insufficient_memory),
            ("eviction_threshold", &k.eviction_threshold),
            ("unready", &k.unready),
        ]
        .into_iter()
        .map(|(n, t)| (format!("kubelet.{n}"), t.as_str()))
        .collect();
        out.push(("scheduler.scheduled".into(), &self.scheduler.scheduled));
        out.push((
            "runtime.pull_not_found".into(),
            &self.runtime.pull_not_found,
        ));
        let tools = &self.tools;
        out.push(("tools.events_forbidden".into(), &tools.events_forbidden));
        out.push(("tools.pod_logs_forbidden".into(), &tools.pod_logs_forbidden));
        out.push(("tools.pod_logs_waiting".into(), &tools.pod_logs_waiting));
        out.push((
            "tools.pod_logs_no_previous".into(),
            &tools.pod_logs_no_previous,
        ));
        for (i, m) in self.monitors.iter().enumerate() {
            let p = |f: &str| format!("monitors[{i}].{f}");
            out.push((p("name"), &m.name));
            out.push((p("query"), &m.query));
            out.push((p("message"), &m.message));
            out.push((p("state"), &m.state));
            if let Some(t) = &m.present {
                out.push((p("present"), t));
            }
            for (j, t) in m.tags.iter().enumerate() {
                out.push((p(&format!("tags[{j}]")), t));
            }
        }
        out
    }
}

/// A minijinja error with its detail, one line.
pub(crate) fn describe(e: &minijinja::Error) -> String {
    let mut s = e.to_string();
    if let Some(d) = e.detail()
        && !s.contains(d)
    {
        s.push_str(": ");
        s.push_str(d);
    }
    s
}

/// `tojson`: plain JSON (serde_json), no HTML escaping, so the evidence reads like a real tool's.
/// SHA-256 of a name, for identifiers derived from it.
fn digest(name: &str) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(name.as_bytes()).into()
}

/// `name | uid`: a UUID (version 4 layout) derived from a name, stable for the same name.
fn uid_filter(name: &str) -> String {
    let h = scenario::manifest::hex(&digest(name)[..16]);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// `name | hexid(n)`: `n` (at most 64) hex digits derived from a name.
fn hexid_filter(name: &str, n: usize) -> String {
    let mut h = scenario::manifest::hex(&digest(name));
    h.truncate(n.min(64));
    h
}

/// `name | num(digits)`: a decimal number of `digits` (1..=18) digits derived from a name
/// (resource versions, ids).
fn num_filter(name: &str, digits: u32) -> u64 {
    let d = digest(name);
    let mut x = u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]);
    let digits = digits.clamp(1, 18);
    let low = 10u64.pow(digits - 1);
    x %= low * 9;
    low + x
}

fn tojson(value: &minijinja::Value) -> Result<minijinja::Value, minijinja::Error> {
    // Strict mode lets an undefined value reach a filter; in a file it would silently be null.
    if value.is_undefined() {
        return Err(minijinja::Error::new(
            minijinja::ErrorKind::UndefinedError,
            "tojson of an undefined value (a missing variable or field)",
        ));
    }
    serde_json::to_string(value)
        .map(minijinja::Value::from_safe_string)
        .map_err(|e| {
            minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                "cannot serialize to JSON",
            )
            .with_source(e)
        })
}

fn parse_yaml<T: serde::de::DeserializeOwned>(text: &str, path: &Path) -> Result<T, GenError> {
    let value: serde_json::Value = serde_saphyr::from_str(text).map_err(|e| GenError::Spec {
        file: path.display().to_string(),
        field: String::new(),
        message: format!("malformed YAML: {e}"),
    })?;
    serde_path_to_error::deserialize(value).map_err(|e| GenError::Spec {
        file: path.display().to_string(),
        field: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

//! What a classifier may see (`Case`), what it answers (`Prediction`), and the labels it is
//! scored against (`Answer`). `Case` and `Answer` are separate types built by the loader so no
//! code can hand a label to a classifier by accident: `Case` has no label field at all.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::files::{
    Alert, DatadogLogsFile, DatadogMonitorsFile, DeploymentsFile, Engine, EventsFile, EvidenceKind,
    NodesFile, PodLogsFile, PodsFile, Profile, Source, WorkloadType,
};
use crate::k8s_api::RawEvidence;
use crate::taxonomy::{Category, FailureMode, RootCause};

/// The input of a classifier: alert, non-label context and evidence. No labels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// Opaque id derived from the scenario id by a one-way hash: it names nothing of the label.
    pub id: String,
    /// Where the alert fired.
    pub context: Context,
    /// The alert as it fired (it may be vague or misleading).
    pub alert: Alert,
    /// The evidence files that exist for this scenario (profile `opensre`; empty for a case
    /// of profile `k8s-api`).
    pub evidence: Evidence,
    /// Which profile the evidence is in: `opensre` (in `evidence`) or `k8s-api` (the raw
    /// objects, in `k8s_api`; [`crate::projection::project_case`] turns such a case into an
    /// `opensre` one).
    #[serde(default)]
    pub profile: Profile,
    /// The raw objects of a `k8s-api` case, one key per file of the layout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k8s_api: Option<RawEvidence>,
}

/// The non-label part of `scenario.yml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[expect(missing_docs, reason = "same fields as scenario.yml")]
pub struct Context {
    pub engine: Engine,
    pub cluster_name: String,
    pub namespace: String,
    pub workload_type: WorkloadType,
    pub workload_name: String,
    pub region: String,
}

/// Evidence by source; `None` where the scenario does not list the file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[expect(
    missing_docs,
    reason = "one field per evidence file, named as the file"
)]
pub struct Evidence {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eks_pods: Option<Source<PodsFile>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eks_events: Option<Source<EventsFile>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eks_deployments: Option<Source<DeploymentsFile>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eks_node_health: Option<Source<NodesFile>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eks_pod_logs: Option<Source<PodLogsFile>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datadog_logs: Option<Source<DatadogLogsFile>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datadog_monitors: Option<Source<DatadogMonitorsFile>>,
}

/// What became of a listed evidence source (see [`Evidence::state`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceState<'a> {
    /// The tool answered.
    Available,
    /// The tool failed with this error.
    Unavailable(&'a str),
}

impl Evidence {
    /// The state of one source, `None` where the scenario does not list it: the one place
    /// that maps an [`EvidenceKind`] to its field, so code that walks every source does not
    /// spell the seven names again (`EvidenceKind::ALL.iter().filter_map(|k| ev.state(*k))`).
    pub fn state(&self, kind: EvidenceKind) -> Option<SourceState<'_>> {
        fn of<T>(s: Option<&Source<T>>) -> Option<SourceState<'_>> {
            s.map(|s| match s {
                Source::Available(_) => SourceState::Available,
                Source::Unavailable { error } => SourceState::Unavailable(error),
            })
        }
        match kind {
            EvidenceKind::EksPods => of(self.eks_pods.as_ref()),
            EvidenceKind::EksEvents => of(self.eks_events.as_ref()),
            EvidenceKind::EksDeployments => of(self.eks_deployments.as_ref()),
            EvidenceKind::EksNodeHealth => of(self.eks_node_health.as_ref()),
            EvidenceKind::EksPodLogs => of(self.eks_pod_logs.as_ref()),
            EvidenceKind::DatadogLogs => of(self.datadog_logs.as_ref()),
            EvidenceKind::DatadogMonitors => of(self.datadog_monitors.as_ref()),
        }
    }

    /// The listed sources, in [`EvidenceKind::ALL`] order.
    pub fn listed(&self) -> Vec<EvidenceKind> {
        EvidenceKind::ALL
            .iter()
            .copied()
            .filter(|k| self.state(*k).is_some())
            .collect()
    }

    /// Whether this source is listed and its tool answered.
    pub fn has(&self, kind: EvidenceKind) -> bool {
        self.state(kind) == Some(SourceState::Available)
    }

    /// Pods, if listed and available.
    pub fn pods(&self) -> Option<&PodsFile> {
        self.eks_pods.as_ref().and_then(Source::get)
    }
    /// Warning events, if listed and available.
    pub fn events(&self) -> Option<&EventsFile> {
        self.eks_events.as_ref().and_then(Source::get)
    }
    /// Deployments, if listed and available.
    pub fn deployments(&self) -> Option<&DeploymentsFile> {
        self.eks_deployments.as_ref().and_then(Source::get)
    }
    /// Node health, if listed and available.
    pub fn nodes(&self) -> Option<&NodesFile> {
        self.eks_node_health.as_ref().and_then(Source::get)
    }
    /// Pod logs, if listed and available.
    pub fn pod_logs(&self) -> Option<&PodLogsFile> {
        self.eks_pod_logs.as_ref().and_then(Source::get)
    }
    /// Datadog logs, if listed and available.
    pub fn datadog_logs(&self) -> Option<&DatadogLogsFile> {
        self.datadog_logs.as_ref().and_then(Source::get)
    }
    /// Datadog monitors, if listed and available.
    pub fn datadog_monitors(&self) -> Option<&DatadogMonitorsFile> {
        self.datadog_monitors.as_ref().and_then(Source::get)
    }
}

/// The opaque case id of a scenario id: `c` and 16 hex digits of its SHA-256.
pub fn case_id(scenario_id: &str) -> String {
    let digest = Sha256::digest(scenario_id.as_bytes());
    let mut id = String::with_capacity(17);
    id.push('c');
    for b in &digest[..8] {
        id.push_str(&format!("{b:02x}"));
    }
    id
}

/// The ground truth of a scenario at every level a classifier is scored on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// Level 1.
    pub failure_mode: FailureMode,
    /// Level 2.
    pub root_cause_category: Category,
    /// Level 3, where the answer names it (hand-written OpenSRE answers may not).
    pub root_cause: Option<RootCause>,
    /// Exit code, where there is one.
    pub exit_code: Option<i32>,
    /// `namespace/pod`, where there is an affected pod.
    pub affected_pod: Option<String>,
    /// Affected container.
    pub affected_container: Option<String>,
    /// Other root causes that are right too (`answer.yml` `acceptable_root_causes`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acceptable_root_causes: Vec<RootCause>,
    /// Other categories that are right too (`equivalent_root_cause_categories`, and the
    /// category of each acceptable root cause).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acceptable_categories: Vec<Category>,
}

impl Answer {
    /// Whether a predicted failure mode is right: the primary one, or the mode of an
    /// acceptable root cause.
    pub fn accepts_mode(&self, m: FailureMode) -> bool {
        m == self.failure_mode || self.acceptable_root_causes.iter().any(|c| c.mode() == m)
    }
    /// Whether a predicted category is right: the primary one or an acceptable one.
    pub fn accepts_category(&self, c: Category) -> bool {
        c == self.root_cause_category || self.acceptable_categories.contains(&c)
    }
    /// Whether a predicted root cause is right, where the answer names one.
    pub fn accepts_cause(&self, c: RootCause) -> Option<bool> {
        self.root_cause
            .map(|primary| c == primary || self.acceptable_root_causes.contains(&c))
    }
}

/// A classifier's answer for one case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Level 1 (`unknown` to abstain).
    pub failure_mode: FailureMode,
    /// Level 2; defaults to `unknown`.
    #[serde(default = "unknown_category")]
    pub root_cause_category: Category,
    /// Level 3; defaults to `unknown`.
    #[serde(default = "unknown_cause")]
    pub root_cause: RootCause,
    /// Exit code the classifier read, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// `namespace/pod` it blames.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_pod: Option<String>,
    /// Container it blames.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_container: Option<String>,
    /// 0..1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// Why, citing evidence.
    #[serde(default)]
    pub explanation: String,
}

fn unknown_category() -> Category {
    Category::Unknown
}

fn unknown_cause() -> RootCause {
    RootCause::Unknown
}

impl Prediction {
    /// An abstention with a reason.
    pub fn unknown(explanation: impl Into<String>) -> Self {
        Prediction {
            failure_mode: FailureMode::Unknown,
            root_cause_category: Category::Unknown,
            root_cause: RootCause::Unknown,
            exit_code: None,
            affected_pod: None,
            affected_container: None,
            confidence: Some(0.0),
            explanation: explanation.into(),
        }
    }

    /// Checks what serde cannot: confidence within 0..=1.
    pub fn check(&self) -> Result<(), String> {
        match self.confidence {
            Some(c) if !(0.0..=1.0).contains(&c) || c.is_nan() => {
                Err(format!("confidence: expected a number in 0..1, got {c}"))
            }
            _ => Ok(()),
        }
    }
}

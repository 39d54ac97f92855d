//! Shared fixtures of the evaluator tests and benches: a synthetic corpus written to a temp
//! directory (four families, every difficulty, some adversarial signals, some unavailable
//! evidence), fake classifiers that know the answers (always right, or degraded on purpose),
//! and a prediction-row builder for the metrics oracle.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of this module"
)]

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use classifier::{CallError, Classifier};
use evaluator::tables::PredictionRow;
use evaluator::{CorpusInfo, EvalConfig};
use scenario::{Answer, Case, Category, FailureMode, Prediction, RootCause, Suite};

/// The four core families in the order scenarios cycle through them.
pub const FAMILIES: &[&str] = &[
    "healthy",
    "crashloop_backoff",
    "oom_killed",
    "image_pull_backoff",
];

/// Writes `n` scenarios `000-synthetic` .. into `dir` (plain files, no manifest).
pub fn write_corpus(dir: &Path, n: usize) {
    for i in 0..n {
        let family = FAMILIES[i % FAMILIES.len()];
        let name = format!("{i:04}-{}", family.replace('_', "-"));
        let d = dir.join(&name);
        std::fs::create_dir_all(&d).unwrap();
        let pod = format!("api-{i}-7f9dd8b6c4-k2m4p");
        let (category, cause, state) = match family {
            "healthy" => ("healthy", "none", r#"{"running": true, "started_at": "2026-04-13T14:02:19Z"}"#.to_owned()),
            "crashloop_backoff" => (
                "code_defect",
                "app_error",
                r#"{"waiting": true, "reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container", "exit_code": 1}"#.to_owned(),
            ),
            "oom_killed" => (
                "resource_exhaustion",
                "container_oom",
                r#"{"terminated": true, "exit_code": 137, "reason": "OOMKilled", "message": ""}"#.to_owned(),
            ),
            _ => (
                "configuration_error",
                "image_not_found",
                r#"{"waiting": true, "reason": "ImagePullBackOff", "message": "Back-off pulling image \"registry.example.com/api:v9\""}"#.to_owned(),
            ),
        };
        let signals = match i % 5 {
            0 => "[healthy_siblings]",
            1 => "[stale_events, misleading_log_line]",
            _ => "[]",
        };
        let events_unavailable = i % 7 == 0;
        std::fs::write(
            d.join("scenario.yml"),
            format!(
                "schema_version: \"1.0\"\nscenario_id: \"{name}\"\nengine: eks\ncluster_name: test-cluster\n\
                 namespace: shop\nworkload_type: deployment\nworkload_name: api-{i}\nregion: us-east-1\n\
                 failure_mode: {family}\nseverity: critical\nscenario_difficulty: {}\n\
                 available_evidence: [eks_pods, eks_events]\nadversarial_signals: {signals}\n",
                i % 4
            ),
        )
        .unwrap();
        let target = if family == "healthy" {
            String::new()
        } else {
            format!("affected_pod: shop/{pod}\naffected_container: app\n")
        };
        std::fs::write(
            d.join("answer.yml"),
            format!(
                "root_cause_category: {category}\nroot_cause: {cause}\n{target}required_keywords: [\"{cause}\"]\n\
                 model_response: \"ROOT_CAUSE: {cause}\"\n"
            ),
        )
        .unwrap();
        std::fs::write(
            d.join("alert.json"),
            format!(
                r#"{{"title": "api-{i} is unhealthy", "state": "alerting", "alert_source": "datadog",
                    "commonLabels": {{"namespace": "shop", "workload_name": "api-{i}"}}, "commonAnnotations": {{}}}}"#
            ),
        )
        .unwrap();
        std::fs::write(
            d.join("eks_pods.json"),
            format!(
                r#"{{"pods": [{{"name": "{pod}", "namespace": "shop", "phase": "Running",
                    "containers": [{{"name": "app", "ready": false, "restart_count": 4, "state": {state}}}],
                    "conditions": []}}]}}"#
            ),
        )
        .unwrap();
        let events = if events_unavailable {
            r#"{"available": false, "error": "eks events API timed out"}"#.to_owned()
        } else {
            r#"{"warning_events": []}"#.to_owned()
        };
        std::fs::write(d.join("eks_events.json"), events).unwrap();
    }
}

/// Loads a corpus written by [`write_corpus`].
pub fn load(dir: &Path) -> Suite {
    scenario::load(dir).unwrap_or_else(|p| panic!("synthetic corpus does not load:\n{p}"))
}

/// A config for `corpus` with a fixed run id.
pub fn config(corpus: &Path, run_id: &str, threads: usize, trials: u32) -> EvalConfig {
    EvalConfig {
        run_id: Some(run_id.to_owned()),
        threads,
        trials,
        classifier_spec: "test".into(),
        corpus: evaluator::corpus_info(corpus, false).unwrap_or_else(|e| panic!("{e}")),
        skipped: Vec::new(),
        ablate: Vec::new(),
        ablate_as: scenario::ablation::AblateAs::Absent,
        shard: None,
    }
}

/// A hand-made corpus identity.
pub fn corpus(hash: &str) -> CorpusInfo {
    CorpusInfo {
        id: "synthetic".into(),
        hash: hash.into(),
        path: "/tmp/synthetic".into(),
        seed: None,
        manifest: false,
    }
}

/// How a [`Fake`] departs from the truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Always right at every level.
    None,
    /// Every fifth OOM case (in scenario order) is answered `crashloop_backoff`.
    OomFifth,
    /// Every `k`-th case fails with a call error.
    ErrorEvery(usize),
    /// Every third case is answered `healthy` in odd trials only (nondeterminism).
    FlakyOddTrials,
    /// Right mode, wrong pod, for every image-pull case.
    WrongPod,
}

/// A classifier that knows the answers (it is built from the suite) and errs as told.
#[derive(Debug)]
pub struct Fake {
    answers: HashMap<String, (usize, Answer)>,
    oom_fifth: HashSet<String>,
    fault: Fault,
    pub calls: AtomicU64,
    pub name: String,
}

impl Fake {
    /// A fake for `suite` with `fault`.
    pub fn new(suite: &Suite, fault: Fault) -> Fake {
        let answers: HashMap<String, (usize, Answer)> = suite
            .scenarios()
            .iter()
            .enumerate()
            .map(|(i, s)| (s.case().id.clone(), (i, s.answer())))
            .collect();
        let oom_fifth = suite
            .scenarios()
            .iter()
            .filter(|s| s.answer().failure_mode == FailureMode::OomKilled)
            .enumerate()
            .filter(|(k, _)| k % 5 == 0)
            .map(|(_, s)| s.case().id.clone())
            .collect();
        Fake {
            answers,
            oom_fifth,
            fault,
            calls: AtomicU64::new(0),
            name: "fake".into(),
        }
    }
}

fn truth(a: &Answer) -> Prediction {
    Prediction {
        failure_mode: a.failure_mode,
        root_cause_category: a.root_cause_category,
        root_cause: a.root_cause.unwrap_or(RootCause::Unknown),
        exit_code: a.exit_code,
        affected_pod: a.affected_pod.clone(),
        affected_container: a.affected_container.clone(),
        confidence: Some(0.9),
        explanation: "knows the answer".into(),
    }
}

impl Classifier for Fake {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn version(&self) -> String {
        "1.0".into()
    }
    fn classify(&self, case: &Case, trial: u32) -> Result<Prediction, CallError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let (i, answer) = self
            .answers
            .get(&case.id)
            .ok_or_else(|| CallError::new("unknown case"))?;
        let mut p = truth(answer);
        match self.fault {
            Fault::None => {}
            Fault::OomFifth => {
                if self.oom_fifth.contains(&case.id) {
                    p.failure_mode = FailureMode::CrashloopBackoff;
                    p.root_cause_category = Category::CodeDefect;
                    p.root_cause = RootCause::AppError;
                }
            }
            Fault::ErrorEvery(k) => {
                if i % k == 0 {
                    return Err(CallError::new(format!("timeout after 5s (case {i})")));
                }
            }
            Fault::FlakyOddTrials => {
                if i % 3 == 0 && trial % 2 == 1 {
                    p = truth(&Answer {
                        failure_mode: FailureMode::Healthy,
                        root_cause_category: Category::Healthy,
                        root_cause: Some(RootCause::None),
                        exit_code: None,
                        affected_pod: None,
                        affected_container: None,
                        acceptable_root_causes: Vec::new(),
                        acceptable_categories: Vec::new(),
                    });
                }
            }
            Fault::WrongPod => {
                if answer.failure_mode == FailureMode::ImagePullBackoff {
                    p.affected_pod = Some("shop/someone-else".into());
                }
            }
        }
        Ok(p)
    }
}

/// A prediction row with the given labels at the failure-mode level; the other levels follow
/// the mode (category and cause mapped one to one), localization is right where the mode is.
pub fn row(scenario: &str, trial: u32, expected: &str, predicted: &str) -> PredictionRow {
    fn category(m: &str) -> &str {
        match m {
            "healthy" => "healthy",
            "oom_killed" => "resource_exhaustion",
            "crashloop_backoff" => "code_defect",
            "image_pull_backoff" => "configuration_error",
            other => other,
        }
    }
    fn cause(m: &str) -> &str {
        match m {
            "healthy" => "none",
            "oom_killed" => "container_oom",
            "crashloop_backoff" => "app_error",
            "image_pull_backoff" => "image_not_found",
            other => other,
        }
    }
    let error = predicted == "error";
    let has_pod = expected != "healthy";
    PredictionRow {
        run_id: "r".into(),
        scenario_id: scenario.into(),
        case_id: scenario::case_id(scenario),
        trial,
        family: expected.into(),
        difficulty: 0,
        adversarial_signals: Vec::new(),
        evidence_available: vec!["eks_pods".into()],
        evidence_unavailable: Vec::new(),
        twin_of: None,
        twin_kind: None,
        expected_failure_mode: expected.into(),
        predicted_failure_mode: predicted.into(),
        expected_category: category(expected).into(),
        predicted_category: category(predicted).into(),
        expected_root_cause: Some(cause(expected).into()),
        predicted_root_cause: cause(predicted).into(),
        expected_pod: has_pod.then(|| format!("ns/{scenario}")),
        predicted_pod: (!error).then(|| format!("ns/{scenario}")),
        expected_container: None,
        predicted_container: None,
        correct_failure_mode: expected == predicted,
        correct_category: category(expected) == category(predicted),
        correct_root_cause: Some(cause(expected) == cause(predicted)),
        correct_localization: has_pod.then_some(expected == predicted),
        confidence: (!error).then_some(0.5),
        latency_ms: 1.0,
        input_tokens: None,
        output_tokens: None,
        cost_usd: None,
        tool_calls: None,
        error: error.then(|| "timeout".into()),
        explanation: String::new(),
        opensre_pass: None,
        opensre_reason: None,
        trajectory: evaluator::trajectory::TrajectoryMetrics::default(),
    }
}

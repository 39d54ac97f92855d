//! `evaluate`: runs a classifier over every scenario of a suite, `trials` times, in a local rayon
//! pool, and turns each call into one scored [`PredictionRow`]. Trials are successive passes
//! over the whole suite; rows come back sorted by `(scenario_id, trial)`, so everything derived
//! from them is the same whatever the thread count.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime};

use classifier::{CallError, Classifier};
use rayon::prelude::*;
use scenario::time::Utc;
use scenario::{EvidenceKind, Prediction, Scenario, Suite};

use crate::corpus::CorpusInfo;
use crate::stats::percentile_sorted;
use crate::tables::{ERROR_LABEL, PredictionRow, REPORT_SCHEMA_VERSION, RunInfo};

/// How to run an evaluation.
#[derive(Clone, Debug)]
pub struct EvalConfig {
    /// Run id to use; `None` makes a fresh one with [`new_run_id`].
    pub run_id: Option<String>,
    /// Threads of the local pool (at least 1; capped by `Classifier::concurrency`).
    pub threads: usize,
    /// Trials per scenario (at least 1).
    pub trials: u32,
    /// The `--classifier` spec, recorded in `run.json`.
    pub classifier_spec: String,
    /// The corpus the suite was loaded from.
    pub corpus: CorpusInfo,
    /// Scenarios of the corpus left out because they did not load (`--skip-invalid`).
    pub skipped: Vec<crate::tables::SkippedScenario>,
    /// Evidence sources the suite's cases had taken away (recorded in `run.json`; the
    /// caller ablates the suite, see [`crate::pipeline::ablate_suite`]).
    pub ablate: Vec<scenario::EvidenceKind>,
    /// How they were taken away.
    pub ablate_as: scenario::ablation::AblateAs,
    /// The shard of the corpus the suite is (recorded in `run.json`; the caller selects it).
    pub shard: Option<crate::tables::RunShard>,
}

/// The outcome of [`evaluate`]: what was run and one row per scenario and trial.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// `run.json`.
    pub info: RunInfo,
    /// Sorted by `(scenario_id, trial)`.
    pub predictions: Vec<PredictionRow>,
}

/// Why an evaluation could not run at all (a failing classifier call is an `error` row, not this).
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A config value is out of range.
    #[error("{field}: {message}")]
    Config {
        /// The field (`threads`, `trials`, `run_id`).
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The thread pool could not start.
    #[error("cannot start the thread pool: {0}")]
    ThreadPool(String),
}

/// Label of a prediction that named the right mode for the wrong object (localization level).
pub const WRONG_TARGET_LABEL: &str = "wrong_target";

/// Runs `classifier` over `suite`. `progress` is called once per finished call, from any thread.
pub fn evaluate(
    suite: &Suite,
    classifier: &dyn Classifier,
    config: &EvalConfig,
    progress: &(dyn Fn() + Sync),
) -> Result<Run, EvalError> {
    let mut evaluator = Evaluator::new(classifier, config)?;
    let predictions = evaluator.classify(suite.scenarios(), progress);
    Ok(evaluator.finish(predictions, suite.scenarios().len() as u64, config))
}

/// An evaluation fed its scenarios in parts (the streaming pipeline's chunks): [`evaluate`]
/// is [`Evaluator::classify`] over the whole suite then [`Evaluator::finish`].
#[allow(missing_debug_implementations)] // holds a `dyn Classifier` and a thread pool
pub struct Evaluator<'a> {
    classifier: &'a dyn Classifier,
    trials: u32,
    run_id: String,
    threads: usize,
    pool: rayon::ThreadPool,
    started: SystemTime,
    classifying: std::time::Duration,
}

impl<'a> Evaluator<'a> {
    /// Checks `config` (its threads, trials and run id) and starts the classifying pool.
    pub fn new(
        classifier: &'a dyn Classifier,
        config: &EvalConfig,
    ) -> Result<Evaluator<'a>, EvalError> {
        if config.threads == 0 {
            return Err(EvalError::Config {
                field: "threads",
                message: "must be at least 1".into(),
            });
        }
        if config.trials == 0 {
            return Err(EvalError::Config {
                field: "trials",
                message: "must be at least 1".into(),
            });
        }
        let started = SystemTime::now();
        let run_id = match &config.run_id {
            Some(id) => {
                check_run_id(id).map_err(|message| EvalError::Config {
                    field: "run_id",
                    message,
                })?;
                id.clone()
            }
            None => new_run_id(started, &classifier.name()),
        };
        let threads = config
            .threads
            .min(classifier.concurrency().unwrap_or(usize::MAX))
            .max(1);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("triagebench-eval-{i}"))
            .build()
            .map_err(|e| EvalError::ThreadPool(e.to_string()))?;
        Ok(Evaluator {
            classifier,
            trials: config.trials,
            run_id,
            threads,
            pool,
            started,
            classifying: std::time::Duration::ZERO,
        })
    }

    /// The run id.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// Classifies `scenarios` in every trial (trials are successive passes over them), in
    /// the pool; the rows come back in pass order, unsorted.
    pub fn classify(
        &mut self,
        scenarios: &[Scenario],
        progress: &(dyn Fn() + Sync),
    ) -> Vec<PredictionRow> {
        let clock = Instant::now();
        let mut predictions = Vec::with_capacity(scenarios.len() * self.trials as usize);
        for trial in 0..self.trials {
            let pass: Vec<PredictionRow> = self.pool.install(|| {
                scenarios
                    .par_iter()
                    .map(|s| {
                        let row = classify_one(&self.run_id, s, self.classifier, trial);
                        progress();
                        row
                    })
                    .collect()
            });
            predictions.extend(pass);
        }
        self.classifying += clock.elapsed();
        predictions
    }

    /// The run: `predictions` (every row [`Evaluator::classify`] returned) sorted by
    /// `(scenario_id, trial)`, and `run.json` for `scenarios` scenarios as `config` describes
    /// them (its corpus, skipped scenarios, ablation and shard).
    pub fn finish(
        self,
        mut predictions: Vec<PredictionRow>,
        scenarios: u64,
        config: &EvalConfig,
    ) -> Run {
        let started = self.started;
        let classifier = self.classifier;
        let threads = self.threads;
        let run_id = self.run_id;
        let wall_seconds = self.classifying.as_secs_f64();
        let notes = classifier.finish();
        predictions.sort_by(|a, b| {
            (a.scenario_id.as_str(), a.trial).cmp(&(b.scenario_id.as_str(), b.trial))
        });

        let mut latencies: Vec<f64> = predictions.iter().map(|r| r.latency_ms).collect();
        latencies.sort_by(f64::total_cmp);
        let errors = predictions.iter().filter(|r| r.error.is_some()).count() as u64;
        let n = predictions.len() as u64;
        let info = RunInfo {
            run_id,
            started_at: Utc::of(started).rfc3339(),
            classifier: classifier.name(),
            classifier_version: classifier.version(),
            classifier_spec: config.classifier_spec.clone(),
            corpus_id: config.corpus.id.clone(),
            corpus_hash: config.corpus.hash.clone(),
            corpus_path: config.corpus.path.clone(),
            corpus_seed: config.corpus.seed,
            corpus_manifest: config.corpus.manifest,
            threads: threads as u32,
            trials: config.trials,
            scenarios,
            predictions: n,
            errors,
            wall_seconds,
            scenarios_per_second: per_second(n, wall_seconds),
            latency_p50_ms: percentile_sorted(&latencies, 50.0),
            latency_p95_ms: percentile_sorted(&latencies, 95.0),
            latency_p99_ms: percentile_sorted(&latencies, 99.0),
            peak_rss_bytes: peak_rss_bytes(),
            triagebench_version: env!("CARGO_PKG_VERSION").to_owned(),
            report_schema_version: REPORT_SCHEMA_VERSION.to_owned(),
            classifier_notes: notes,
            skipped: config.skipped.len() as u64,
            skipped_scenarios: config.skipped.clone(),
            file_sha256: std::collections::BTreeMap::new(),
            ablated: config
                .ablate
                .iter()
                .map(|k| k.as_str().to_owned())
                .collect(),
            ablated_as: (!config.ablate.is_empty()).then(|| config.ablate_as.as_str().to_owned()),
            shard: config.shard,
            merged_from: Vec::new(),
            end_to_end_seconds: None,
            end_to_end_scenarios_per_second: None,
        };
        Run { info, predictions }
    }
}

/// `rows / seconds`, or 0 for a zero time.
pub fn per_second(rows: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        rows as f64 / seconds
    } else {
        0.0
    }
}

/// Calls the classifier once, timing it; a failure, an invalid answer or a panic is an error row.
fn classify_one(
    run_id: &str,
    s: &Scenario,
    classifier: &dyn Classifier,
    trial: u32,
) -> PredictionRow {
    // Drop any usage a previous call left on this thread, then take what this one reports
    // (`scenario::usage`: the adapters' side channel from `classify`).
    let _ = scenario::usage::take();
    let clock = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| classifier.classify(s.case(), trial)));
    let latency_ms = clock.elapsed().as_secs_f64() * 1000.0;
    let usage = scenario::usage::take();
    let outcome = match outcome {
        Ok(Ok(p)) => match p.check() {
            Ok(()) => Ok(p),
            Err(e) => Err(CallError::new(format!("invalid prediction: {e}"))),
        },
        Ok(Err(e)) => Err(e),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic payload".into());
            Err(CallError::new(format!("classifier panicked: {msg}")))
        }
    };
    let mut row = score_row(run_id, s, trial, outcome, latency_ms);
    if let Some(u) = usage {
        row.input_tokens = u.input_tokens;
        row.output_tokens = u.output_tokens;
        row.cost_usd = u.cost_usd;
        row.tool_calls = u.tool_calls;
    }
    row
}

/// Scores one classifier outcome against a scenario's answer. Public so replays and tests can
/// build rows exactly as `evaluate` does.
pub fn score_row(
    run_id: &str,
    s: &Scenario,
    trial: u32,
    outcome: Result<Prediction, CallError>,
    latency_ms: f64,
) -> PredictionRow {
    let answer = s.answer();
    let file = s.file();
    let evidence = &s.case().evidence;
    let (available, unavailable): (Vec<EvidenceKind>, Vec<EvidenceKind>) = file
        .available_evidence
        .iter()
        .copied()
        .partition(|k| evidence.has(*k));
    let mut available: Vec<String> = available.iter().map(|k| k.as_str().to_owned()).collect();
    let mut unavailable: Vec<String> = unavailable.iter().map(|k| k.as_str().to_owned()).collect();
    available.sort();
    available.dedup();
    unavailable.sort();
    unavailable.dedup();
    let expected_fm = answer.failure_mode.as_str();
    let expected_cat = answer.root_cause_category.as_str();
    let expected_rc = answer.root_cause.map(|c| c.as_str().to_owned());
    let mut row = PredictionRow {
        run_id: run_id.to_owned(),
        scenario_id: s.id().to_owned(),
        case_id: s.case().id.clone(),
        trial,
        family: expected_fm.to_owned(),
        difficulty: file.scenario_difficulty,
        adversarial_signals: file.adversarial_signals.clone(),
        twin_of: file.twin.as_ref().map(|t| t.of.clone()),
        twin_kind: file.twin.as_ref().map(|t| t.kind.clone()),
        evidence_available: available,
        evidence_unavailable: unavailable,
        expected_failure_mode: expected_fm.to_owned(),
        predicted_failure_mode: ERROR_LABEL.to_owned(),
        expected_category: expected_cat.to_owned(),
        predicted_category: ERROR_LABEL.to_owned(),
        expected_root_cause: expected_rc.clone(),
        predicted_root_cause: ERROR_LABEL.to_owned(),
        expected_pod: answer.affected_pod.clone(),
        predicted_pod: None,
        expected_container: answer.affected_container.clone(),
        predicted_container: None,
        correct_failure_mode: false,
        correct_category: false,
        correct_root_cause: expected_rc.as_ref().map(|_| false),
        correct_localization: answer.affected_pod.as_ref().map(|_| false),
        confidence: None,
        latency_ms,
        input_tokens: None,
        output_tokens: None,
        cost_usd: None,
        tool_calls: None,
        error: None,
        explanation: String::new(),
        opensre_pass: None,
        opensre_reason: None,
        trajectory: crate::trajectory::TrajectoryMetrics::default(),
    };
    match outcome {
        Err(e) => row.error = Some(e.reason),
        Ok(p) => {
            let pod = p
                .affected_pod
                .as_deref()
                .map(|pod| normalize_pod(pod, &s.case().context.namespace));
            p.failure_mode
                .as_str()
                .clone_into(&mut row.predicted_failure_mode);
            p.root_cause_category
                .as_str()
                .clone_into(&mut row.predicted_category);
            p.root_cause
                .as_str()
                .clone_into(&mut row.predicted_root_cause);
            // The expected labels stay the primary ones (the confusion matrix keeps them); a
            // prediction in the answer's acceptable set is right at that level.
            row.correct_failure_mode = answer.accepts_mode(p.failure_mode);
            row.correct_category = answer.accepts_category(p.root_cause_category);
            row.correct_root_cause = answer.accepts_cause(p.root_cause);
            row.correct_localization = answer.affected_pod.as_ref().map(|want| {
                row.correct_failure_mode
                    && pod.as_deref() == Some(want.as_str())
                    && answer
                        .affected_container
                        .as_ref()
                        .is_none_or(|c| p.affected_container.as_deref() == Some(c.as_str()))
            });
            row.predicted_pod = pod;
            row.predicted_container = p.affected_container;
            row.confidence = p.confidence;
            row.explanation = p.explanation;
        }
    }
    let available = row.evidence_available.clone();
    set_opensre(&mut row, s.answer_file(), &|k| {
        available.iter().any(|a| a == k)
    });
    row
}

/// Sets a row's `opensre_pass` and `opensre_reason` ([`crate::opensre_score`]); `gathered`
/// says whether an evidence source was gathered (non-interactive: present and available in
/// the case; interactive: touched with a 200).
pub fn set_opensre(
    row: &mut PredictionRow,
    answer: &scenario::files::AnswerFile,
    gathered: &dyn Fn(&str) -> bool,
) {
    use crate::opensre_score::{Key, Predicted, score};
    let forbidden: Vec<&str> = answer
        .forbidden_categories
        .iter()
        .map(|c| c.as_str())
        .collect();
    let verdict = score(
        &Predicted {
            failure_mode: &row.predicted_failure_mode,
            category: &row.predicted_category,
            explanation: &row.explanation,
        },
        &Key {
            category: answer.root_cause_category.as_str(),
            required_keywords: &answer.required_keywords,
            forbidden_categories: &forbidden,
            forbidden_keywords: &answer.forbidden_keywords,
            required_evidence_sources: &answer.required_evidence_sources,
        },
        gathered,
    );
    row.opensre_pass = Some(verdict.is_ok());
    row.opensre_reason = Some(verdict.err().unwrap_or_default());
}

/// A predicted pod as `namespace/pod`: a bare pod name is read in the case's namespace.
fn normalize_pod(pod: &str, namespace: &str) -> String {
    let pod = pod.trim();
    if pod.contains('/') {
        pod.to_owned()
    } else {
        format!("{namespace}/{pod}")
    }
}

/// A fresh run id: `<UTC start>-<classifier>-<6 hex>`, e.g. `20261121T081500Z-rules-1a2b3c`.
/// Sorts by start time; the suffix (from the clock's nanoseconds, the process id and a counter)
/// keeps two runs started in the same second apart.
pub fn new_run_id(started: SystemTime, classifier: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = started
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let seed = format!(
        "{nanos}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let digest = <sha2::Sha256 as sha2::Digest>::digest(seed.as_bytes());
    let suffix = scenario::manifest::hex(&digest[..3]);
    let mut name: String = classifier
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    name = name
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    name.truncate(24);
    let name = name.trim_end_matches('-');
    let name = if name.is_empty() { "classifier" } else { name };
    format!("{}-{name}-{suffix}", Utc::of(started).compact())
}

/// A run id is a plain directory name: ASCII letters, digits, `-`, `_`, `.`, not starting with `.`.
pub fn check_run_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > 128 {
        return Err(format!("expected 1 to 128 characters, got {}", id.len()));
    }
    if id.starts_with('.') {
        return Err(format!("\"{id}\" must not start with '.'"));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!(
            "\"{id}\" contains {c:?} (allowed: letters, digits, '-', '_', '.')"
        ));
    }
    Ok(())
}

/// Peak resident set size of this process from `/proc/self/status` (`VmHWM`), in bytes.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_sort_and_are_safe() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_795_248_900);
        let a = new_run_id(t, "cmd:python3 my_agent.py");
        let b = new_run_id(t, "cmd:python3 my_agent.py");
        assert!(
            a.starts_with("20261121T081500Z-cmd-python3-my-agent-py-"),
            "{a}"
        );
        assert_ne!(a, b);
        check_run_id(&a).unwrap();
        assert!(check_run_id("../x").is_err());
        assert!(check_run_id(".hidden").is_err());
        assert!(check_run_id("").is_err());
        assert!(new_run_id(t, "rules").starts_with("20261121T081500Z-rules-"));
    }

    #[test]
    fn bare_pod_names_take_the_case_namespace() {
        assert_eq!(normalize_pod("api-1", "prod"), "prod/api-1");
        assert_eq!(normalize_pod("other/api-1", "prod"), "other/api-1");
    }

    #[test]
    fn peak_rss_is_read_on_linux() {
        if std::path::Path::new("/proc/self/status").exists() {
            assert!(peak_rss_bytes().unwrap() > 0);
        }
    }
}

//! Classifiers: the built-in rule baseline and the adapters for external ones (a pool of
//! JSON Lines worker processes, an HTTP endpoint, a replay of a predictions file). All share one
//! interface: a `Case` in, a `Prediction` (or the reason the call failed) out.

use std::time::Duration;

use scenario::{Case, Prediction};

pub mod rules;

pub use rules::Rules;

/// Why a classifier call produced no prediction; it becomes an `error` row, the run goes on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct CallError {
    /// Human-readable reason: `timeout after 5s`, `worker exited (status 1)`, `unknown failure_mode "x"`.
    pub reason: String,
}

impl CallError {
    /// A call error with this reason.
    pub fn new(reason: impl Into<String>) -> Self {
        CallError {
            reason: reason.into(),
        }
    }
}

/// One classifier. Implementations are thread-safe: the evaluator calls `classify` from many
/// rayon threads at once.
pub trait Classifier: Send + Sync + std::fmt::Debug {
    /// Short name for reports (`rules`, `cmd:python3 agent.py`, ...).
    fn name(&self) -> String;
    /// Version string for reports and history.
    fn version(&self) -> String;
    /// Classifies one case; `trial` is 0-based (trials run as successive passes over the corpus).
    fn classify(&self, case: &Case, trial: u32) -> Result<Prediction, CallError>;
    /// How many calls at once make sense (the worker pool size); `None`: as many as threads.
    fn concurrency(&self) -> Option<usize> {
        None
    }
    /// Called once after the last call: shuts workers down and returns notes for the summary
    /// (replay: ids in the file that no case asked for).
    fn finish(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Options for external classifiers (ignored by `rules`).
#[derive(Clone, Debug)]
pub struct Options {
    /// Worker processes for `cmd:`; concurrent requests for `http://`.
    pub workers: usize,
    /// Per-case timeout.
    pub timeout: Duration,
    /// HTTP retries on 429/5xx and connection errors.
    pub retries: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            workers: 2,
            timeout: Duration::from_secs(30),
            retries: 3,
        }
    }
}

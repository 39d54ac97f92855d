//! Classifiers: the [`Classifier`] interface (a `Case` in, a `Prediction` or the reason the call
//! failed out) and the pure built-ins:
//!
//! | name | classifier |
//! |---|---|
//! | `rules` | [`RULES`], the baseline written from the SOP and real-cluster facts |
//! | `status-only` | [`STATUS_ONLY`], a naive yardstick that reads only container state reasons |
//!
//! This crate does no IO: no process, no network, no file. The adapters for external classifiers
//! (a pool of JSON Lines workers, an HTTP endpoint, a replay of a predictions file) and the
//! `--classifier` spec parser live in the `adapters` crate, so the baseline's tests and benches
//! compile without an HTTP client.

use scenario::{Case, Prediction};

pub mod rules;
pub mod status_only;

pub use rules::RULES;
pub use status_only::STATUS_ONLY;

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

/// A built-in classifier: a pure function of the case, with a name and a version.
#[derive(Clone, Copy, Debug)]
pub struct Builtin {
    name: &'static str,
    version: &'static str,
    classify: fn(&Case) -> Prediction,
}

impl Builtin {
    /// A built-in classifier from its pure function.
    pub const fn new(
        name: &'static str,
        version: &'static str,
        classify: fn(&Case) -> Prediction,
    ) -> Self {
        Builtin {
            name,
            version,
            classify,
        }
    }
}

impl Classifier for Builtin {
    fn name(&self) -> String {
        self.name.to_owned()
    }

    fn version(&self) -> String {
        self.version.to_owned()
    }

    fn classify(&self, case: &Case, _trial: u32) -> Result<Prediction, CallError> {
        Ok((self.classify)(case))
    }
}

/// Every built-in classifier, in the order `--classifier` documents them.
pub const BUILTINS: [Builtin; 2] = [RULES, STATUS_ONLY];

/// The built-in classifier with this name (`rules`, `status-only`), if there is one.
#[must_use]
pub fn builtin(name: &str) -> Option<Builtin> {
    BUILTINS.into_iter().find(|b| b.name == name)
}

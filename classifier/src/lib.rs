//! Classifiers: the built-in rule baseline and the adapters for external ones (a pool of
//! JSON Lines worker processes, an HTTP endpoint, a replay of a predictions file). All share one
//! interface: a `Case` in, a `Prediction` (or the reason the call failed) out.
//!
//! [`from_spec`] turns what a user typed after `--classifier` into one of them:
//!
//! | spec | classifier |
//! |---|---|
//! | `rules` | [`RULES`], the built-in baseline (pure, no IO) |
//! | `status-only` | [`STATUS_ONLY`], a naive yardstick that reads only container state reasons |
//! | `cmd:python3 my_agent.py` | [`cmd::Pool`], long-lived JSON Lines workers ([`PROTOCOL.md`](../PROTOCOL.md)) |
//! | `http://127.0.0.1:8080/classify` | [`http::Http`], one POST per case |
//! | `replay:predictions.jsonl` | [`replay::Replay`], predictions made elsewhere |

use std::time::Duration;

use scenario::{Case, Prediction};

pub mod cmd;
pub mod http;
pub mod replay;
pub mod rules;
pub mod status_only;
pub mod wire;

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

/// A classifier spec that cannot be turned into a classifier: bad input, reported before any
/// case runs.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The spec matches none of the forms.
    #[error(
        "unknown classifier \"{0}\" (expected rules, status-only, cmd:<command>, http://<host>:<port>/<path> or replay:<file>)"
    )]
    Unknown(String),
    /// `cmd:` with nothing after it.
    #[error("cmd: needs a command, e.g. cmd:python3 my_agent.py")]
    EmptyCommand,
    /// The command line cannot be split into words.
    #[error("cmd:{command}: {reason}")]
    BadCommand {
        /// The command as given.
        command: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The worker process cannot be started at all.
    #[error("cmd:{command}: cannot start worker: {source}")]
    Spawn {
        /// The command as given.
        command: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// An `https://` endpoint: this build has no TLS.
    #[error(
        "{0}: https is not supported (built without TLS); serve the endpoint on loopback http://"
    )]
    Https(String),
    /// An unusable URL.
    #[error("{url}: {reason}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The replay file cannot be read.
    #[error("replay:{path}: cannot read: {source}")]
    ReplayRead {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A line of the replay file that cannot be tied to a case.
    #[error("replay:{path}:{line}: {}{message}", field.as_ref().map(|f| format!("{f}: ")).unwrap_or_default())]
    ReplayLine {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// The field at fault, if one.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// Two lines of the replay file for the same case and trial.
    #[error(
        "replay:{path}:{second}: id \"{id}\" trial {trial} already has a prediction on line {first}"
    )]
    ReplayDuplicate {
        /// The file.
        path: String,
        /// The repeated id.
        id: String,
        /// Its trial.
        trial: u32,
        /// Line of the first prediction.
        first: usize,
        /// Line of the repeat.
        second: usize,
    },
    /// Options that cannot work (no workers, a zero timeout).
    #[error("classifier options: {0}")]
    BadOptions(String),
}

/// Builds the classifier a spec names: `rules`, `cmd:<command>`, `http://host:port/path` or
/// `replay:<file>`. External classifiers are checked here (the command starts, the URL parses,
/// the file reads), so bad input fails before any case runs.
pub fn from_spec(spec: &str, opts: &Options) -> Result<Box<dyn Classifier>, SpecError> {
    let spec = spec.trim();
    if opts.workers == 0 {
        return Err(SpecError::BadOptions("workers must be at least 1".into()));
    }
    if opts.timeout.is_zero() {
        return Err(SpecError::BadOptions("timeout must be more than 0".into()));
    }
    if spec == rules::NAME {
        return Ok(Box::new(RULES));
    }
    if spec == status_only::NAME {
        return Ok(Box::new(STATUS_ONLY));
    }
    if let Some(command) = spec.strip_prefix("cmd:") {
        return Ok(Box::new(cmd::Pool::start(command, opts)?));
    }
    if let Some(path) = spec.strip_prefix("replay:") {
        if path.trim().is_empty() {
            return Err(SpecError::Unknown(spec.to_owned()));
        }
        return Ok(Box::new(replay::Replay::open(std::path::Path::new(
            path.trim(),
        ))?));
    }
    if spec.starts_with("https://") {
        return Err(SpecError::Https(spec.to_owned()));
    }
    if spec.starts_with("http://") {
        return Ok(Box::new(http::Http::new(spec, opts)?));
    }
    Err(SpecError::Unknown(spec.to_owned()))
}

/// A duration as people write it: `2s`, `1.5s`, `250ms`.
pub(crate) fn human(d: Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{}ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

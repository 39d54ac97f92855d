//! Adapters for classifiers that live outside this process, and the `--classifier` spec that
//! picks one. [`from_spec`] turns what a user typed into a [`Classifier`]:
//!
//! | spec | classifier |
//! |---|---|
//! | `rules` | [`classifier::RULES`], the built-in baseline (pure, no IO) |
//! | `status-only` | [`classifier::STATUS_ONLY`], a naive yardstick that reads only container state reasons |
//! | `cmd:python3 my_agent.py` | [`cmd::Pool`], long-lived JSON Lines workers ([`PROTOCOL.md`](../PROTOCOL.md)) |
//! | `http://127.0.0.1:8080/classify` | [`http::Http`], one POST per case |
//! | `replay:predictions.jsonl` | [`replay::Replay`], predictions made elsewhere |
//! | `rules-agent` | [`rules_agent::RulesAgent`], the rules investigating through the scenario's API server (`eval --interactive` only) |
//!
//! Every adapter validates what comes back through [`wire`] (known labels, field types,
//! confidence range) and turns every fault into a [`CallError`](classifier::CallError), which the evaluator records as
//! an `error` row; the run goes on.

use std::time::Duration;

use classifier::Classifier;

pub mod cmd;
pub mod http;
pub mod replay;
pub mod rules_agent;
pub mod schema;
pub mod wire;

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
    #[error("cmd:{command}: cannot start worker: {error}")]
    Spawn {
        /// The command as given.
        command: String,
        /// The OS error (in the message, not a `source`, so a chain prints it once).
        error: std::io::Error,
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
    if spec == rules_agent::NAME {
        return Ok(Box::new(rules_agent::RulesAgent::new(opts.timeout)));
    }
    if let Some(builtin) = classifier::builtin(spec) {
        return Ok(Box::new(builtin));
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

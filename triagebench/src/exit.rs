//! Exit codes and the error kinds that map to them (see the table in `main.rs` and the README).

use std::process::ExitCode;

/// A gate failed.
pub const GATE_FAILED: u8 = 1;
/// Bad input.
pub const BAD_INPUT: u8 = 2;
/// Refused to overwrite.
pub const REFUSED: u8 = 3;
/// Runtime failure.
pub const RUNTIME: u8 = 4;

/// An error that carries its exit code; anything else is a runtime failure.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Coded {
    /// The exit code.
    pub code: u8,
    /// What went wrong, naming the file and the field.
    pub message: String,
}

/// Bad input: exit code 2.
pub fn bad_input(message: impl Into<String>) -> anyhow::Error {
    Coded {
        code: BAD_INPUT,
        message: message.into(),
    }
    .into()
}

/// A suite that does not load: bad input (exit code 2) naming the path, how many problems
/// there are and the first ten of them (`what` says what was being loaded, e.g. "the corpus").
pub fn unloadable(
    path: &std::path::Path,
    what: &str,
    problems: &scenario::load::Problems,
) -> anyhow::Error {
    let shown: Vec<String> = problems
        .0
        .iter()
        .take(10)
        .map(ToString::to_string)
        .collect();
    bad_input(format!(
        "{}: {} problem(s) while loading {what}:\n  {}",
        path.display(),
        problems.0.len(),
        shown.join("\n  ")
    ))
}

/// Refused to overwrite: exit code 3.
pub fn refused(message: impl Into<String>) -> anyhow::Error {
    Coded {
        code: REFUSED,
        message: message.into(),
    }
    .into()
}

/// The exit code for an error: its `Coded` code anywhere in the chain, else 4.
pub fn code_of(err: &anyhow::Error) -> ExitCode {
    let code = err
        .chain()
        .find_map(|e| e.downcast_ref::<Coded>())
        .map_or(RUNTIME, |c| c.code);
    ExitCode::from(code)
}

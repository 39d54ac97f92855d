//! What the subcommands share: the error type and its exit codes, the discovery of run
//! directories, column checks, and the translation of `--where` conditions into polars
//! expressions typed by the column they read.

use std::fmt;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::expr::{Cond, Op};

/// An error, with the exit code it maps to.
#[derive(Debug)]
pub enum Error {
    /// Bad input or usage (exit 2): arguments, an unknown column or run, a missing file.
    Input(String),
    /// Anything else (exit 1): I/O while reading, a file polars cannot read.
    Other(String),
}

impl Error {
    /// The process exit code: 2 for bad input, 1 otherwise.
    pub fn code(&self) -> u8 {
        match self {
            Error::Input(_) => 2,
            Error::Other(_) => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(m) | Error::Other(m) => f.write_str(m),
        }
    }
}

/// A polars error while reading `what`, as an [`Error::Other`] naming it.
pub fn polars_err(what: &Path) -> impl FnOnce(PolarsError) -> Error + '_ {
    move |e| Error::Other(format!("{}: {e}", what.display()))
}

/// One run directory of a reports directory.
#[derive(Debug, Clone)]
pub struct Run {
    /// The directory name (the run id).
    pub id: String,
    /// `<dir>/predictions.parquet`.
    pub predictions: PathBuf,
    /// `classifier` of the run's `run.json`; `None` where it is missing or unreadable.
    pub classifier: Option<String>,
}

/// Every run directory under `reports` (a direct subdirectory holding `predictions.parquet`;
/// shard and merged runs alike), sorted by id. Names starting with `.` (a run still being
/// written) are skipped. `only` keeps the named runs and refuses a name that is not there.
pub fn discover(reports: &Path, only: Option<&[String]>) -> Result<Vec<Run>, Error> {
    let entries = std::fs::read_dir(reports).map_err(|e| {
        Error::Input(format!(
            "--reports {}: cannot read the directory: {e}",
            reports.display()
        ))
    })?;
    let mut runs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::Other(format!("{}: {e}", reports.display())))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let predictions = entry.path().join("predictions.parquet");
        if name.starts_with('.') || !predictions.is_file() {
            continue;
        }
        let classifier = std::fs::read(entry.path().join("run.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v.get("classifier")?.as_str().map(str::to_owned));
        runs.push(Run {
            id: name,
            predictions,
            classifier,
        });
    }
    runs.sort_by(|a, b| a.id.cmp(&b.id));
    if runs.is_empty() {
        return Err(Error::Input(format!(
            "--reports {}: no run directory (a directory holding predictions.parquet) there",
            reports.display()
        )));
    }
    if let Some(only) = only {
        if let Some(missing) = only.iter().find(|r| !runs.iter().any(|run| &run.id == *r)) {
            let ids: Vec<&str> = runs.iter().map(|r| r.id.as_str()).collect();
            return Err(Error::Input(format!(
                "--runs: no run `{missing}` under {}; the runs are: {}",
                reports.display(),
                ids.join(", ")
            )));
        }
        runs.retain(|r| only.contains(&r.id));
    }
    Ok(runs)
}

/// The error for a column no table has: names it and lists the columns there are.
pub fn unknown_column(flag: &str, column: &str, known: &[String]) -> Error {
    Error::Input(format!(
        "{flag}: unknown column `{column}`; the columns are: {}",
        known.join(", ")
    ))
}

/// Whether a dtype is numeric (integer or float).
fn is_numeric(dtype: &DataType) -> bool {
    dtype.is_integer() || dtype.is_float()
}

/// The literal `value` of a `--where` condition on `column` of type `dtype`.
fn literal(column: &str, dtype: &DataType, value: &str) -> Result<Expr, Error> {
    let bad = |kind: &str| {
        Error::Input(format!(
            "--where: column `{column}` is {kind}; `{value}` is not one"
        ))
    };
    if dtype.is_integer() {
        value
            .parse::<i64>()
            .map(lit)
            .map_err(|_| bad("an integer column"))
    } else if dtype.is_float() {
        value
            .parse::<f64>()
            .map(lit)
            .map_err(|_| bad("a float column"))
    } else if dtype.is_bool() {
        match value {
            "true" => Ok(lit(true)),
            "false" => Ok(lit(false)),
            _ => Err(bad("a boolean column (true or false)")),
        }
    } else if dtype.is_string() {
        Ok(lit(value.to_string()))
    } else {
        Err(Error::Input(format!(
            "--where: column `{column}` has type {dtype}, which --where cannot compare"
        )))
    }
}

/// The polars predicate of the conditions (all must hold), typed by `dtype_of`.
pub fn predicate(
    conds: &[Cond],
    dtype_of: impl Fn(&str) -> Option<DataType>,
    known: &[String],
) -> Result<Option<Expr>, Error> {
    let mut out: Option<Expr> = None;
    for cond in conds {
        let name = cond.column();
        let dtype = dtype_of(name).ok_or_else(|| unknown_column("--where", name, known))?;
        let c = col(name);
        let e = match cond {
            Cond::Cmp { op, value, .. } => {
                if op.is_ordering() && !is_numeric(&dtype) {
                    return Err(Error::Input(format!(
                        "--where: `{name} {op} {value}`: {op} needs a numeric column; `{name}` has type {dtype}"
                    )));
                }
                let v = literal(name, &dtype, value)?;
                match op {
                    Op::Eq => c.eq(v),
                    Op::Ne => c.neq(v),
                    Op::Lt => c.lt(v),
                    Op::Le => c.lt_eq(v),
                    Op::Gt => c.gt(v),
                    Op::Ge => c.gt_eq(v),
                }
            }
            Cond::In { values, .. } => {
                let mut any: Option<Expr> = None;
                for value in values {
                    let e = c.clone().eq(literal(name, &dtype, value)?);
                    any = Some(match any {
                        Some(a) => a.or(e),
                        None => e,
                    });
                }
                any.expect("`in` has at least one value")
            }
        };
        out = Some(match out {
            Some(a) => a.and(e),
            None => e,
        });
    }
    Ok(out)
}

/// Splits a comma-separated flag value, refusing empty items.
pub fn split_list(flag: &str, value: &str) -> Result<Vec<String>, Error> {
    let items: Vec<String> = value.split(',').map(|s| s.trim().to_string()).collect();
    if items.iter().any(String::is_empty) {
        return Err(Error::Input(format!("{flag}: empty item in `{value}`")));
    }
    Ok(items)
}

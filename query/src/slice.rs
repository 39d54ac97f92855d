//! `slice`: accuracy per group of prediction rows across runs, and `trend`: the history's
//! headline accuracy per run in time order.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::expr::Cond;
use crate::table::{Error, Run, discover, polars_err, predicate, unknown_column};

/// The scoring levels and the correctness flag of `predictions.parquet` that scores each
/// (`evaluator/REPORTS.md`): the table's own flags, never recomputed.
pub const LEVELS: [(&str, &str); 4] = [
    ("failure_mode", "correct_failure_mode"),
    ("root_cause_category", "correct_category"),
    ("root_cause", "correct_root_cause"),
    ("localization", "correct_localization"),
];

/// OpenSRE's pass/fail flag (absent in runs written before it existed).
const OPENSRE: &str = "opensre_pass";
/// Derived column: the run's classifier, from its `run.json`.
const CLASSIFIER: &str = "classifier";
/// Derived column: one row per entry of `adversarial_signals` (`none` for a row without any).
const SIGNAL: &str = "signal";
const SIGNALS: &str = "adversarial_signals";

/// What `slice` is asked.
#[derive(Debug, Clone)]
pub struct SliceQuery {
    /// The reports directory.
    pub reports: PathBuf,
    /// The grouping columns.
    pub by: Vec<String>,
    /// The `--where` conditions.
    pub conds: Vec<Cond>,
    /// `--runs`: only these run ids.
    pub runs: Option<Vec<String>>,
    /// `--level`: only this scoring level.
    pub level: Option<String>,
}

/// The levels to report: all, or the one `--level` names.
pub fn levels(level: Option<&str>) -> Result<Vec<(&'static str, &'static str)>, Error> {
    match level {
        None => Ok(LEVELS.to_vec()),
        Some(l) => LEVELS
            .iter()
            .find(|(name, _)| *name == l)
            .map(|&x| vec![x])
            .ok_or_else(|| {
                let names: Vec<&str> = LEVELS.iter().map(|(n, _)| *n).collect();
                Error::Input(format!(
                    "--level: unknown level `{l}`; the levels are: {}",
                    names.join(", ")
                ))
            }),
    }
}

fn scan(path: &Path) -> Result<LazyFrame, Error> {
    let p = path
        .to_str()
        .ok_or_else(|| Error::Input(format!("{}: the path is not UTF-8", path.display())))?;
    LazyFrame::scan_parquet(PlRefPath::new(p), ScanArgsParquet::default()).map_err(polars_err(path))
}

fn schema_of(path: &Path) -> Result<SchemaRef, Error> {
    scan(path)?.collect_schema().map_err(polars_err(path))
}

fn refuse_list(flag: &str, name: &str, dtype: &DataType) -> Result<(), Error> {
    if matches!(dtype, DataType::List(_)) {
        let hint = if name == SIGNALS {
            format!(" (use `{SIGNAL}`: one row per signal, `none` for a row without any)")
        } else {
            String::new()
        };
        return Err(Error::Input(format!(
            "{flag}: column `{name}` is a list, which cannot be grouped or compared{hint}"
        )));
    }
    Ok(())
}

/// Runs the slice: one row per group, sorted by the grouping columns, with `n` (rows), then per
/// level `<level>_n` (rows scored there) and `<level>_accuracy` (the mean of the table's flag over
/// them, null when none), then `opensre_n` and `opensre_pass_rate` where any run has
/// `opensre_pass`.
pub fn slice(q: &SliceQuery) -> Result<DataFrame, Error> {
    let runs = discover(&q.reports, q.runs.as_deref())?;
    let levels = levels(q.level.as_deref())?;
    let schemas = runs
        .iter()
        .map(|r| schema_of(&r.predictions))
        .collect::<Result<Vec<_>, _>>()?;

    // Every column some run has, in first-seen order, then the derived ones.
    let mut known: Vec<String> = Vec::new();
    for s in &schemas {
        for name in s.iter_names() {
            if !known.iter().any(|k| k == name.as_str()) {
                known.push(name.to_string());
            }
        }
    }
    let physical = known.clone();
    let derived_classifier = !physical.iter().any(|c| c == CLASSIFIER);
    let derived_signal =
        !physical.iter().any(|c| c == SIGNAL) && physical.iter().any(|c| c == SIGNALS);
    if derived_classifier {
        known.push(CLASSIFIER.into());
    }
    if derived_signal {
        known.push(SIGNAL.into());
    }
    let dtype_of = |name: &str| -> Option<DataType> {
        if (derived_classifier && name == CLASSIFIER) || (derived_signal && name == SIGNAL) {
            return Some(DataType::String);
        }
        schemas.iter().find_map(|s| s.get(name).cloned())
    };

    for b in &q.by {
        let dtype = dtype_of(b.as_str()).ok_or_else(|| unknown_column("--by", b, &known))?;
        refuse_list("--by", b, &dtype)?;
    }
    for c in &q.conds {
        if let Some(dtype) = dtype_of(c.column()) {
            refuse_list("--where", c.column(), &dtype)?;
        }
    }
    let filter = predicate(&q.conds, dtype_of, &known)?;

    // The columns each run must have.
    let wants_signal = derived_signal
        && (q.by.iter().any(|b| b == SIGNAL) || q.conds.iter().any(|c| c.column() == SIGNAL));
    let mut needed: Vec<String> = Vec::new();
    let mut need = |c: &str| {
        if !needed.iter().any(|n| n == c) {
            needed.push(c.to_string());
        }
    };
    for b in &q.by {
        need(b);
    }
    for c in &q.conds {
        need(c.column());
    }
    for (_, flag) in &levels {
        need(flag);
    }
    needed
        .retain(|c| !((derived_classifier && c == CLASSIFIER) || (derived_signal && c == SIGNAL)));
    if wants_signal && !needed.iter().any(|c| c == SIGNALS) {
        needed.push(SIGNALS.into());
    }
    let any_opensre = schemas.iter().any(|s| s.contains(OPENSRE));

    let mut frames = Vec::with_capacity(runs.len());
    for (run, schema) in runs.iter().zip(&schemas) {
        frames.push(run_frame(
            run,
            schema,
            &needed,
            derived_classifier,
            any_opensre,
        )?);
    }
    let mut lf = concat(
        frames,
        UnionArgs {
            to_supertypes: true,
            ..UnionArgs::default()
        },
    )
    .map_err(|e| Error::Other(format!("combining the runs' predictions: {e}")))?;
    if wants_signal {
        lf = lf
            .explode(
                by_name([SIGNALS], true, false),
                ExplodeOptions {
                    empty_as_null: true,
                    keep_nulls: true,
                },
            )
            .with_column(col(SIGNALS).fill_null(lit("none")).alias(SIGNAL));
    }
    if let Some(f) = filter {
        lf = lf.filter(f);
    }

    let mut aggs = vec![len().alias("n")];
    for (level, flag) in &levels {
        aggs.push(col(*flag).count().alias(format!("{level}_n")));
        aggs.push(
            col(*flag)
                .cast(DataType::Float64)
                .mean()
                .alias(format!("{level}_accuracy")),
        );
    }
    if any_opensre {
        aggs.push(col(OPENSRE).count().alias("opensre_n"));
        aggs.push(
            col(OPENSRE)
                .cast(DataType::Float64)
                .mean()
                .alias("opensre_pass_rate"),
        );
    }
    let keys: Vec<Expr> = q.by.iter().map(|b| col(b.as_str())).collect();
    let out = lf
        .group_by(keys.clone())
        .agg(aggs)
        .sort_by_exprs(
            keys,
            SortMultipleOptions::default()
                .with_nulls_last(true)
                .with_maintain_order(true),
        )
        .collect()
        .map_err(|e| Error::Other(format!("{}: {e}", q.reports.display())))?;
    Ok(out)
}

/// One run's lazy scan, projected to the needed columns (plus the derived `classifier` and a
/// null `opensre_pass` where the run has none), refusing a run that lacks a needed column.
fn run_frame(
    run: &Run,
    schema: &Schema,
    needed: &[String],
    derived_classifier: bool,
    any_opensre: bool,
) -> Result<LazyFrame, Error> {
    let mut exprs = Vec::with_capacity(needed.len() + 2);
    for c in needed {
        if !schema.contains(c) {
            return Err(Error::Input(format!(
                "run `{}` ({}) has no column `{c}`, which another run has and this query needs; \
                 leave the run out with --runs",
                run.id,
                run.predictions.display()
            )));
        }
        exprs.push(col(c.as_str()));
    }
    if derived_classifier {
        let value = match &run.classifier {
            Some(c) => lit(c.clone()),
            None => lit(NULL).cast(DataType::String),
        };
        exprs.push(value.alias(CLASSIFIER));
    }
    if any_opensre {
        exprs.push(if schema.contains(OPENSRE) {
            col(OPENSRE)
        } else {
            lit(NULL).cast(DataType::Boolean).alias(OPENSRE)
        });
    }
    Ok(scan(&run.predictions)?.select(exprs))
}

/// What `trend` is asked.
#[derive(Debug, Clone)]
pub struct TrendQuery {
    /// The reports directory (`history.parquet` in it).
    pub reports: PathBuf,
    /// `--by`: a history column to keep series apart (e.g. `classifier`, `corpus_id`).
    pub by: Option<String>,
    /// The `--where` conditions on the history's columns.
    pub conds: Vec<Cond>,
    /// `--level`: only this scoring level.
    pub level: Option<String>,
}

/// The history's headline accuracy per run, one column per level, sorted by the `--by`
/// column, then `started_at`, then `run_id`.
pub fn trend(q: &TrendQuery) -> Result<DataFrame, Error> {
    let path = q.reports.join("history.parquet");
    if !path.is_file() {
        return Err(Error::Input(format!(
            "{}: no history there (every `triagebench eval` that is not a shard run appends to it)",
            path.display()
        )));
    }
    let levels = levels(q.level.as_deref())?;
    let schema = schema_of(&path)?;
    let known: Vec<String> = schema.iter_names().map(ToString::to_string).collect();
    for c in ["run_id", "started_at", "level", "class", "accuracy"] {
        if !schema.contains(c) {
            return Err(Error::Input(format!(
                "{}: no column `{c}`; it has: {}",
                path.display(),
                known.join(", ")
            )));
        }
    }
    let mut keys: Vec<String> = Vec::new();
    if let Some(b) = &q.by {
        let dtype = schema
            .get(b)
            .ok_or_else(|| unknown_column("--by", b, &known))?;
        refuse_list("--by", b, dtype)?;
        keys.push(b.clone());
    }
    for k in ["started_at", "run_id", "classifier"] {
        if schema.contains(k) && !keys.iter().any(|x| x == k) {
            keys.push(k.to_string());
        }
    }
    let filter = predicate(&q.conds, |n| schema.get(n).cloned(), &known)?;
    let mut lf = scan(&path)?.filter(col("class").is_null());
    if let Some(f) = filter {
        lf = lf.filter(f);
    }
    let aggs: Vec<Expr> = levels
        .iter()
        .map(|(level, _)| {
            col("accuracy")
                .filter(col("level").eq(lit(*level)))
                .first()
                .alias(*level)
        })
        .collect();
    let mut sort: Vec<Expr> = Vec::new();
    if let Some(b) = &q.by {
        sort.push(col(b.as_str()));
    }
    sort.push(col("started_at"));
    sort.push(col("run_id"));
    lf.group_by(keys.iter().map(|k| col(k.as_str())).collect::<Vec<_>>())
        .agg(aggs)
        .sort_by_exprs(
            sort,
            SortMultipleOptions::default()
                .with_nulls_last(true)
                .with_maintain_order(true),
        )
        .collect()
        .map_err(polars_err(&path))
}

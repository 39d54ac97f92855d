//! `merge`: combines the run directories of every shard of one evaluation (`eval --shard i/n`,
//! or `eval` of each shard corpus of `generate --shard`) into one run directory whose tables
//! are those of the unsharded run.
//!
//! The shards' prediction rows are concatenated, given the merged run id and sorted by
//! `(scenario_id, trial)` as `evaluate` sorts them; every other table is scored from those rows
//! ([`crate::metrics::score`]), so confusion, metrics and slices equal the unsharded run's, and
//! the predictions equal it but for `run_id` and the measured `latency_ms`.
//!
//! `run.json` of the merged run: `wall_seconds` and `end_to_end_seconds` are the **sums** over
//! the shards (the work done, as one process would have spent it; the Job's own elapsed time is
//! not known to merge, and shards may have run one after another or all at once), and both
//! throughputs are the rows over those sums, i.e. per worker; latency percentiles are
//! recomputed from the rows; `started_at` is the earliest shard's; `threads` and
//! `peak_rss_bytes` are the largest shard's; `merged_from` lists the shard runs.
//!
//! Refused, with nothing written ([`MergeError`]): a run that is not a shard run, shards of
//! different corpora, classifiers, trials or ablations, a shard given twice, a missing shard
//! (named), rows that do not add up to the corpus, and a merged run id that exists.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::eval::{Run, check_run_id, new_run_id, per_second};
use crate::metrics::{Scores, score};
use crate::report::{ReportError, RunReport, read_run, write_run};
use crate::stats::percentile_sorted;
use crate::tables::RunInfo;

/// Why shard runs cannot be merged. Every variant but `Write` is bad input.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A shard run cannot be read (or fails its `run.json` digests).
    #[error("{}: cannot read the shard run: {source}", dir.display())]
    Read {
        /// The run directory.
        dir: PathBuf,
        /// Why.
        source: ReportError,
    },
    /// The shard runs do not make one whole run.
    #[error("{0}")]
    Refused(String),
    /// The merged run id is not a plain name, or is taken.
    #[error("{0}")]
    RunId(String),
    /// Writing the merged run failed.
    #[error("writing the merged run: {0}")]
    Write(#[source] ReportError),
}

/// Most shard runs one merge reads (the same cap as the shard count).
pub const MAX_MERGE: usize = scenario::shard::MAX_SHARDS as usize;

/// Reads the shard runs in `dirs`, checks that they are every shard of one evaluation once,
/// and returns the merged run (with `run_id`, or a fresh one) and its scores, without writing.
pub fn merge_runs(dirs: &[PathBuf], run_id: Option<&str>) -> Result<(Run, Scores), MergeError> {
    let refuse = |m: String| Err(MergeError::Refused(m));
    if dirs.is_empty() {
        return refuse("no shard runs given".into());
    }
    if dirs.len() > MAX_MERGE {
        return refuse(format!(
            "{} shard runs given, over the limit of {MAX_MERGE}",
            dirs.len()
        ));
    }
    let mut runs = Vec::with_capacity(dirs.len());
    for dir in dirs {
        let run = read_run(dir).map_err(|source| MergeError::Read {
            dir: dir.clone(),
            source,
        })?;
        if run.info.shard.is_none() {
            return refuse(format!(
                "{}: run.json: shard: absent: not a shard run (made by eval --shard or on a shard \
                 corpus)",
                dir.display()
            ));
        }
        runs.push(run);
    }
    check_same(&runs)?;
    let by_index = check_cover(&runs)?;
    let first = &runs[0].info;
    let id = match run_id {
        Some(id) => {
            check_run_id(id).map_err(|m| MergeError::RunId(format!("run id {id:?}: {m}")))?;
            id.to_owned()
        }
        None => new_run_id(SystemTime::now(), &first.classifier),
    };
    let ordered: Vec<&RunReport> = by_index.values().copied().collect();
    let mut predictions = Vec::with_capacity(ordered.iter().map(|r| r.predictions.len()).sum());
    for r in &ordered {
        predictions.extend(r.predictions.iter().cloned());
    }
    for row in &mut predictions {
        row.run_id.clone_from(&id);
    }
    predictions
        .sort_by(|a, b| (a.scenario_id.as_str(), a.trial).cmp(&(b.scenario_id.as_str(), b.trial)));
    if let Some(w) = predictions
        .windows(2)
        .find(|w| (&w[0].scenario_id, w[0].trial) == (&w[1].scenario_id, w[1].trial))
    {
        return refuse(format!(
            "scenario {} trial {} is in more than one shard run: the shards overlap",
            w[0].scenario_id, w[0].trial
        ));
    }
    let info = merged_info(&id, &ordered, &predictions);
    let scores = score(&predictions);
    Ok((Run { info, predictions }, scores))
}

/// [`merge_runs`], then writes the run to `<reports>/<run id>/` (refusing a run id that exists,
/// before anything is written). Returns the directory and the run.
pub fn merge(
    dirs: &[PathBuf],
    reports: &Path,
    run_id: Option<&str>,
) -> Result<(PathBuf, Run, Scores), MergeError> {
    if let Some(id) = run_id {
        check_run_id(id).map_err(|m| MergeError::RunId(format!("run id {id:?}: {m}")))?;
        let dir = reports.join(id);
        if dir.exists() {
            return Err(MergeError::RunId(format!(
                "{}: run directory already exists (pick another run id)",
                dir.display()
            )));
        }
    }
    let (run, scores) = merge_runs(dirs, run_id)?;
    let dir = write_run(reports, &run, &scores).map_err(|e| match e {
        ReportError::Exists { path } => MergeError::RunId(format!(
            "{}: run directory already exists (pick another run id)",
            path.display()
        )),
        other => MergeError::Write(other),
    })?;
    Ok((dir, run, scores))
}

/// Every shard run must be of the same corpus, classifier, trials and ablation.
fn check_same(runs: &[RunReport]) -> Result<(), MergeError> {
    let first = &runs[0];
    let key = |i: &RunInfo| {
        let s = i.shard.expect("checked: every run is a shard run");
        vec![
            ("corpus_id", i.corpus_id.clone()),
            ("shard.count", s.count.to_string()),
            ("shard.corpus_scenarios", s.corpus_scenarios.to_string()),
            ("shard.shard_corpus", s.shard_corpus.to_string()),
            ("classifier", i.classifier.clone()),
            ("classifier_version", i.classifier_version.clone()),
            ("classifier_spec", i.classifier_spec.clone()),
            ("trials", i.trials.to_string()),
            ("ablated", i.ablated.join(",")),
            ("ablated_as", i.ablated_as.clone().unwrap_or_default()),
            ("report_schema_version", i.report_schema_version.clone()),
        ]
    };
    let want = key(&first.info);
    for r in &runs[1..] {
        for ((field, a), (_, b)) in want.iter().zip(key(&r.info)) {
            if *a != b {
                return Err(MergeError::Refused(format!(
                    "{}: run.json: {field}: {b:?}, but {} has {a:?}: the shard runs are not of \
                     one evaluation",
                    r.dir.display(),
                    first.dir.display()
                )));
            }
        }
        // Shards of one whole corpus must have read the same files.
        let whole = !r.info.shard.is_some_and(|s| s.shard_corpus);
        if whole && r.info.corpus_hash != first.info.corpus_hash {
            return Err(MergeError::Refused(format!(
                "{}: run.json: corpus_hash: {}, but {} has {}: shards of different corpora",
                r.dir.display(),
                r.info.corpus_hash,
                first.dir.display(),
                first.info.corpus_hash
            )));
        }
    }
    Ok(())
}

/// Each shard index exactly once, and the rows add up to the corpus.
fn check_cover(runs: &[RunReport]) -> Result<BTreeMap<u64, &RunReport>, MergeError> {
    let count = runs[0].info.shard.map_or(0, |s| s.count);
    let mut by_index: BTreeMap<u64, &RunReport> = BTreeMap::new();
    for r in runs {
        let s = r.info.shard.expect("checked: every run is a shard run");
        if let Some(other) = by_index.insert(s.index, r) {
            return Err(MergeError::Refused(format!(
                "shard {}/{count} given twice: {} and {}",
                s.index,
                other.dir.display(),
                r.dir.display()
            )));
        }
    }
    let missing: Vec<String> = (0..count)
        .filter(|i| !by_index.contains_key(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Refused(format!(
            "missing shard{} {} (given {} of {count}): every shard's run is needed",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            by_index.len()
        )));
    }
    let corpus = runs[0].info.shard.map_or(0, |s| s.corpus_scenarios);
    let scenarios: u64 = runs.iter().map(|r| r.info.scenarios).sum();
    if scenarios != corpus {
        return Err(MergeError::Refused(format!(
            "the shard runs have {scenarios} scenarios in all, but their corpus has {corpus}"
        )));
    }
    Ok(by_index)
}

/// The merged run's `run.json` (see the module docs for how each figure combines).
fn merged_info(
    id: &str,
    shards: &[&RunReport],
    predictions: &[crate::tables::PredictionRow],
) -> RunInfo {
    let first = &shards[0].info;
    let mut info = first.clone();
    id.clone_into(&mut info.run_id);
    info.started_at = shards
        .iter()
        .map(|r| r.info.started_at.clone())
        .min()
        .unwrap_or_default();
    if first.shard.is_some_and(|s| s.shard_corpus) {
        // Each shard corpus has its own content hash; the whole corpus's was never computed.
        let mut h = Sha256::new();
        for r in shards {
            h.update(r.info.corpus_hash.as_bytes());
            h.update(b"\n");
        }
        info.corpus_hash = format!("shards-{}", scenario::manifest::hex(&h.finalize()));
    }
    let paths: Vec<&str> = shards.iter().map(|r| r.info.corpus_path.as_str()).collect();
    if paths.iter().any(|p| *p != paths[0]) {
        info.corpus_path = paths.join(",");
    }
    info.threads = shards.iter().map(|r| r.info.threads).max().unwrap_or(1);
    info.scenarios = shards.iter().map(|r| r.info.scenarios).sum();
    info.predictions = predictions.len() as u64;
    info.errors = predictions.iter().filter(|r| r.error.is_some()).count() as u64;
    info.wall_seconds = shards.iter().map(|r| r.info.wall_seconds).sum();
    info.scenarios_per_second = per_second(info.predictions, info.wall_seconds);
    let e2e: Option<f64> = shards.iter().map(|r| r.info.end_to_end_seconds).sum();
    info.end_to_end_seconds = e2e;
    info.end_to_end_scenarios_per_second = e2e.map(|s| per_second(info.predictions, s));
    let mut latencies: Vec<f64> = predictions.iter().map(|r| r.latency_ms).collect();
    latencies.sort_by(f64::total_cmp);
    info.latency_p50_ms = percentile_sorted(&latencies, 50.0);
    info.latency_p95_ms = percentile_sorted(&latencies, 95.0);
    info.latency_p99_ms = percentile_sorted(&latencies, 99.0);
    info.peak_rss_bytes = shards.iter().filter_map(|r| r.info.peak_rss_bytes).max();
    info.classifier_notes = shards
        .iter()
        .flat_map(|r| r.info.classifier_notes.iter().cloned())
        .collect();
    info.skipped = 0;
    info.skipped_scenarios = Vec::new();
    info.file_sha256 = BTreeMap::new();
    info.shard = None;
    info.merged_from = shards.iter().map(|r| r.info.run_id.clone()).collect();
    info
}

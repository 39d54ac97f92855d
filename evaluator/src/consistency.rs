//! The consistency report of a perturbation (`triagebench consistency`): a run on a parent
//! corpus and runs on corpora derived from it by `triagebench perturb`, paired by
//! `(scenario_id, trial)`.
//!
//! Per rewrite (one child run each) and level: the **consistency rate**, the share of paired
//! rows whose prediction did not change (the same label; at `localization`, the same failure
//! mode and the parent's predicted pod and container mapped through the child's rename map
//! equal to the child's), the accuracy of each run on the paired rows and the change (child
//! minus parent), the discordant pairs and McNemar's exact p. A pair where either call failed
//! (an `error` row) is left out and counted in `errors`. Stored as `consistency.parquet` with a
//! text summary `consistency.txt` in a directory under `<reports>/consistency/`, found again by
//! the dashboard (the newest, like an audit).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use scenario::Level;
use scenario::perturb::ScenarioRecord;

use crate::columns::{BatchBuilder, Columns, read_parquet};
use crate::metrics::correct_at;
use crate::report::{ReportError, latest_table_dir, write_table_dir};
use crate::stats::mcnemar_exact;
use crate::tables::PredictionRow;

/// The table's file name.
pub const CONSISTENCY_FILE: &str = "consistency.parquet";
/// The text summary's file name.
pub const CONSISTENCY_SUMMARY_FILE: &str = "consistency.txt";
/// The folder of the reports directory consistency reports go to (one directory each).
pub const CONSISTENCY_DIR: &str = "consistency";

/// One row of `consistency.parquet`: one rewrite (child run) and level.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsistencyRow {
    /// The rewrites of the child corpus as `--rewrite` spelled them (`rename`,
    /// `reorder,time-shift`).
    pub rewrite: String,
    /// The parent run's id.
    pub parent_run: String,
    /// The child run's id.
    pub child_run: String,
    /// The child corpus id.
    pub child_corpus: String,
    /// The level.
    pub level: Level,
    /// Paired rows scored at the level in both runs, neither an error.
    pub n: u64,
    /// Of those, rows whose prediction did not change.
    pub consistent: u64,
    /// `consistent / n`.
    pub consistency_rate: f64,
    /// Accuracy of the parent run on the paired rows.
    pub parent_accuracy: f64,
    /// Accuracy of the child run on the paired rows.
    pub child_accuracy: f64,
    /// `child_accuracy - parent_accuracy`.
    pub delta: f64,
    /// Right on the parent, wrong on the child.
    pub newly_wrong: u64,
    /// Wrong on the parent, right on the child.
    pub newly_right: u64,
    /// McNemar's exact two-sided p-value of the discordant pairs.
    pub p_value: f64,
    /// Pairs left out because a call failed in either run.
    pub errors: u64,
}

/// Which run a row set is and how it was derived.
#[derive(Clone, Copy, Debug)]
pub struct Child<'a> {
    /// The rewrites, joined.
    pub rewrite: &'a str,
    /// The child run's id.
    pub run: &'a str,
    /// The child corpus id.
    pub corpus: &'a str,
    /// The child run's rows.
    pub rows: &'a [PredictionRow],
    /// What was done to each scenario, by scenario id.
    pub records: &'a BTreeMap<String, ScenarioRecord>,
}

/// Whether the prediction at `level` is the same on both rows (the parent's names mapped
/// through `record`).
fn unchanged(
    p: &PredictionRow,
    c: &PredictionRow,
    level: Level,
    record: Option<&ScenarioRecord>,
) -> bool {
    let map = |s: &Option<String>| -> Option<String> {
        s.as_deref()
            .map(|v| record.map_or_else(|| v.to_owned(), |r| r.map_ref(v)))
    };
    match level {
        Level::FailureMode => p.predicted_failure_mode == c.predicted_failure_mode,
        Level::RootCauseCategory => p.predicted_category == c.predicted_category,
        Level::RootCause => p.predicted_root_cause == c.predicted_root_cause,
        Level::Localization => {
            p.predicted_failure_mode == c.predicted_failure_mode
                && map(&p.predicted_pod) == c.predicted_pod
                && map(&p.predicted_container) == c.predicted_container
        }
    }
}

/// The rows of one child run against the parent run.
pub fn consistency(
    parent: &[PredictionRow],
    parent_run: &str,
    child: Child<'_>,
) -> Vec<ConsistencyRow> {
    let by_key: HashMap<(&str, u32), &PredictionRow> = child
        .rows
        .iter()
        .map(|r| ((r.scenario_id.as_str(), r.trial), r))
        .collect();
    let pairs: Vec<(&PredictionRow, &PredictionRow)> = parent
        .iter()
        .filter_map(|p| {
            by_key
                .get(&(p.scenario_id.as_str(), p.trial))
                .map(|c| (p, *c))
        })
        .collect();
    let errors = pairs
        .iter()
        .filter(|(p, c)| p.error.is_some() || c.error.is_some())
        .count() as u64;
    let mut out = Vec::new();
    for &level in Level::ALL {
        let (mut n, mut same, mut right_p, mut right_c, mut wrong, mut right) =
            (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
        for (p, c) in &pairs {
            if p.error.is_some() || c.error.is_some() {
                continue;
            }
            let (Some(cp), Some(cc)) = (correct_at(p, level), correct_at(c, level)) else {
                continue;
            };
            n += 1;
            same += u64::from(unchanged(p, c, level, child.records.get(&p.scenario_id)));
            right_p += u64::from(cp);
            right_c += u64::from(cc);
            wrong += u64::from(cp && !cc);
            right += u64::from(!cp && cc);
        }
        if n == 0 {
            continue;
        }
        let (pa, ca) = (right_p as f64 / n as f64, right_c as f64 / n as f64);
        out.push(ConsistencyRow {
            rewrite: child.rewrite.to_owned(),
            parent_run: parent_run.to_owned(),
            child_run: child.run.to_owned(),
            child_corpus: child.corpus.to_owned(),
            level,
            n,
            consistent: same,
            consistency_rate: same as f64 / n as f64,
            parent_accuracy: pa,
            child_accuracy: ca,
            delta: ca - pa,
            newly_wrong: wrong,
            newly_right: right,
            p_value: mcnemar_exact(wrong, right),
            errors,
        });
    }
    out
}

/// The table as text: per rewrite, the consistency rate and the accuracy change per level.
pub fn render(rows: &[ConsistencyRow]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let parent = rows.first().map_or("", |r| r.parent_run.as_str());
    let _ = writeln!(
        out,
        "consistency against parent run {parent} (share of paired predictions unchanged; accuracy parent -> child, change, McNemar p)"
    );
    let _ = writeln!(
        out,
        "{:<28} {:<20} {:>6} {:>12} {:>16} {:>8} {:>8}",
        "rewrite", "level", "n", "consistency", "accuracy", "change", "p"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:<28} {:<20} {:>6} {:>11.1}% {:>16} {:>+8.3} {:>8.3}",
            r.rewrite,
            r.level.as_str(),
            r.n,
            100.0 * r.consistency_rate,
            format!("{:.3} -> {:.3}", r.parent_accuracy, r.child_accuracy),
            r.delta,
            r.p_value
        );
    }
    let errors: u64 = rows
        .iter()
        .filter(|r| r.level == Level::FailureMode)
        .map(|r| r.errors)
        .sum();
    if errors > 0 {
        let _ = writeln!(
            out,
            "{errors} pair(s) left out: a call failed in either run"
        );
    }
    out
}

/// Writes `consistency.parquet`.
pub fn write_consistency_table(path: &Path, rows: &[ConsistencyRow]) -> Result<(), ReportError> {
    BatchBuilder::default()
        .str("rewrite", rows.iter().map(|r| r.rewrite.as_str()))
        .str("parent_run", rows.iter().map(|r| r.parent_run.as_str()))
        .str("child_run", rows.iter().map(|r| r.child_run.as_str()))
        .str("child_corpus", rows.iter().map(|r| r.child_corpus.as_str()))
        .str("level", rows.iter().map(|r| r.level.as_str()))
        .u64("n", rows.iter().map(|r| r.n))
        .u64("consistent", rows.iter().map(|r| r.consistent))
        .f64("consistency_rate", rows.iter().map(|r| r.consistency_rate))
        .f64("parent_accuracy", rows.iter().map(|r| r.parent_accuracy))
        .f64("child_accuracy", rows.iter().map(|r| r.child_accuracy))
        .f64("delta", rows.iter().map(|r| r.delta))
        .u64("newly_wrong", rows.iter().map(|r| r.newly_wrong))
        .u64("newly_right", rows.iter().map(|r| r.newly_right))
        .f64("p_value", rows.iter().map(|r| r.p_value))
        .u64("errors", rows.iter().map(|r| r.errors))
        .write(path)
}

/// Reads `consistency.parquet`.
pub fn read_consistency_table(path: &Path) -> Result<Vec<ConsistencyRow>, ReportError> {
    read_parquet(path, |c: &Columns<'_>| {
        let (rewrite, parent, child, corpus) = (
            c.str("rewrite")?,
            c.str("parent_run")?,
            c.str("child_run")?,
            c.str("child_corpus")?,
        );
        let level = c.level("level")?;
        let (n, same) = (c.u64("n")?, c.u64("consistent")?);
        let (rate, pa, ca, delta) = (
            c.f64("consistency_rate")?,
            c.f64("parent_accuracy")?,
            c.f64("child_accuracy")?,
            c.f64("delta")?,
        );
        let (wrong, right, p, errors) = (
            c.u64("newly_wrong")?,
            c.u64("newly_right")?,
            c.f64("p_value")?,
            c.u64("errors")?,
        );
        Ok((0..level.len())
            .map(|i| ConsistencyRow {
                rewrite: rewrite[i].clone(),
                parent_run: parent[i].clone(),
                child_run: child[i].clone(),
                child_corpus: corpus[i].clone(),
                level: level[i],
                n: n[i],
                consistent: same[i],
                consistency_rate: rate[i],
                parent_accuracy: pa[i],
                child_accuracy: ca[i],
                delta: delta[i],
                newly_wrong: wrong[i],
                newly_right: right[i],
                p_value: p[i],
                errors: errors[i],
            })
            .collect())
    })
}

/// Writes a report directory `dir` holding `consistency.parquet` and `consistency.txt`,
/// atomically (a temp directory beside it, renamed into place); an existing `dir` is refused.
pub fn write_consistency_dir(
    dir: &Path,
    rows: &[ConsistencyRow],
    summary: &str,
) -> Result<(), ReportError> {
    write_table_dir(
        dir,
        CONSISTENCY_FILE,
        |path| write_consistency_table(path, rows),
        CONSISTENCY_SUMMARY_FILE,
        summary,
    )
}

/// The newest consistency report under `<reports>/consistency/` (the greatest name holding a
/// `consistency.parquet`: default ids start with their UTC time), if any.
pub fn latest_consistency(reports: &Path) -> Result<Option<PathBuf>, ReportError> {
    latest_table_dir(reports, CONSISTENCY_DIR, CONSISTENCY_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, mode: &str, pod: Option<&str>, ok: bool) -> PredictionRow {
        PredictionRow {
            run_id: "r".into(),
            scenario_id: id.into(),
            case_id: id.into(),
            trial: 0,
            family: "crashloop_backoff".into(),
            difficulty: 0,
            adversarial_signals: vec![],
            evidence_available: vec![],
            evidence_unavailable: vec![],
            expected_failure_mode: "crashloop_backoff".into(),
            predicted_failure_mode: mode.into(),
            expected_category: "code_defect".into(),
            predicted_category: "code_defect".into(),
            expected_root_cause: None,
            predicted_root_cause: "unknown".into(),
            expected_pod: Some("ns/p".into()),
            predicted_pod: pod.map(str::to_owned),
            expected_container: None,
            predicted_container: None,
            correct_failure_mode: ok,
            correct_category: true,
            correct_root_cause: None,
            correct_localization: Some(ok),
            confidence: None,
            latency_ms: 0.0,
            input_tokens: None,
            output_tokens: None,
            cost_usd: None,
            tool_calls: None,
            error: None,
            explanation: String::new(),
            opensre_pass: None,
            opensre_reason: None,
            trajectory: crate::trajectory::TrajectoryMetrics::default(),
            twin_of: None,
            twin_kind: None,
        }
    }

    #[test]
    fn a_renamed_pod_is_the_same_prediction_and_changes_are_counted() {
        let parent = vec![
            row("a", "crashloop_backoff", Some("ns/p"), true),
            row("b", "crashloop_backoff", Some("ns/q"), true),
            row("c", "healthy", None, false),
        ];
        let child = vec![
            row("a", "crashloop_backoff", Some("ns2/p2"), true),
            row("b", "crashloop_backoff", Some("ns/q"), true),
            row("c", "crashloop_backoff", None, true),
        ];
        let rec = ScenarioRecord {
            renames: [("ns", "ns2"), ("p", "p2"), ("q", "q2")]
                .into_iter()
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .collect(),
            ..ScenarioRecord::default()
        };
        let records: BTreeMap<String, ScenarioRecord> = ["a", "b"]
            .into_iter()
            .map(|k| (k.to_owned(), rec.clone()))
            .collect();
        let rows = consistency(
            &parent,
            "p-run",
            Child {
                rewrite: "rename",
                run: "c-run",
                corpus: "x~1",
                rows: &child,
                records: &records,
            },
        );
        let fm = rows.iter().find(|r| r.level == Level::FailureMode).unwrap();
        assert_eq!(
            (fm.n, fm.consistent, fm.newly_right, fm.newly_wrong),
            (3, 2, 1, 0)
        );
        assert!((fm.delta - 1.0 / 3.0).abs() < 1e-12);
        let loc = rows
            .iter()
            .find(|r| r.level == Level::Localization)
            .unwrap();
        // a: mapped pod equal; b: the child kept the old name (not the renamed one); c: the mode changed.
        assert_eq!((loc.n, loc.consistent), (3, 1));
        let text = render(&rows);
        assert!(text.contains("rename") && text.contains("66.7%"), "{text}");

        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join(CONSISTENCY_DIR).join("20260101T000000Z-x");
        write_consistency_dir(&out, &rows, &text).unwrap();
        assert!(write_consistency_dir(&out, &rows, &text).is_err());
        assert_eq!(
            read_consistency_table(&out.join(CONSISTENCY_FILE)).unwrap(),
            rows
        );
        assert_eq!(latest_consistency(dir.path()).unwrap(), Some(out));
        assert_eq!(latest_consistency(&dir.path().join("none")).unwrap(), None);
    }

    #[test]
    fn errors_are_left_out_and_counted() {
        let parent = vec![row("a", "crashloop_backoff", None, true)];
        let mut child = parent.clone();
        child[0].error = Some("timeout".into());
        let records = BTreeMap::new();
        let rows = consistency(
            &parent,
            "p",
            Child {
                rewrite: "reorder",
                run: "c",
                corpus: "x",
                rows: &child,
                records: &records,
            },
        );
        assert!(rows.is_empty());
        let mut ok = parent.clone();
        ok.push(row("b", "healthy", None, false));
        let mut child2 = child.clone();
        child2.push(row("b", "healthy", None, false));
        let rows = consistency(
            &ok,
            "p",
            Child {
                rewrite: "reorder",
                run: "c",
                corpus: "x",
                rows: &child2,
                records: &records,
            },
        );
        assert_eq!(rows[0].errors, 1);
        assert_eq!(rows[0].n, 1);
        assert!(render(&rows).contains("1 pair(s) left out"));
    }
}

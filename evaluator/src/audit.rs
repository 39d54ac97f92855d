//! The files of a shortcut audit (`triagebench audit`, the `audit` crate): the one long table
//! `audit.parquet` and the text summary `audit.txt`, written together into an audit directory
//! (temp directory, then one rename; an existing directory is refused), and found again by the
//! dashboard under `<reports>/audits/`. The audit computes the rows; this module only stores
//! them, since Arrow and Parquet live in this crate alone.

use std::path::{Path, PathBuf};

use crate::columns::{BatchBuilder, Columns, read_parquet};
use crate::report::{ReportError, latest_table_dir, write_table_dir};

/// The audit table's file name.
pub const AUDIT_FILE: &str = "audit.parquet";
/// The text summary's file name.
pub const AUDIT_SUMMARY_FILE: &str = "audit.txt";
/// The folder of the reports directory that audits go to by default (one directory each).
pub const AUDITS_DIR: &str = "audits";

/// One row of `audit.parquet` (long format: every figure of an audit is one row).
///
/// | `section` | `input` | `level` | `value` | `label` / `text` / `origin` |
/// |---|---|---|---|---|
/// | `surface` | `alert`, an evidence source, `all` | a labeled level | accuracy | |
/// | `alert_signal` | `alert` | `failure_mode` | accuracy | `label`: `misleading` or `honest` |
/// | `rules` | `all` | a labeled level | accuracy | |
/// | `coverage` | an evidence source | | share of scenarios where it answered | |
/// | `fingerprint` | sources it occurs in, `+`-joined | `root_cause` | precision | top cause, template text, template file and key |
/// | `localization` | `all`, `pod_level`, `workload_level` | `pod`, `container` | share named by the alert | |
/// | `warning` | | | 0 | `text`: the warning |
#[derive(Clone, Debug, PartialEq)]
pub struct AuditRow {
    /// What the row measures (see the table above).
    pub section: String,
    /// Which part of the case the figure is about.
    pub input: String,
    /// The scoring level (`failure_mode`, ...), `pod`/`container`, or empty.
    pub level: String,
    /// Difficulty tier `0`..`3`, or `all`.
    pub tier: String,
    /// The figure: accuracy, share or precision, in 0..1.
    pub value: f64,
    /// Scenarios in the denominator.
    pub n: u64,
    /// Scenarios in the numerator.
    pub count: u64,
    /// A label the row is about (the top root cause of a fingerprint, `misleading`, ...).
    pub label: String,
    /// Free text (the normalised fingerprint, a warning).
    pub text: String,
    /// Where a fingerprint comes from: `<template file>: <key>`, or `not from a template`.
    pub origin: String,
}

/// Writes `audit.parquet`.
pub fn write_audit_table(path: &Path, rows: &[AuditRow]) -> Result<(), ReportError> {
    BatchBuilder::default()
        .str("section", rows.iter().map(|r| r.section.as_str()))
        .str("input", rows.iter().map(|r| r.input.as_str()))
        .str("level", rows.iter().map(|r| r.level.as_str()))
        .str("tier", rows.iter().map(|r| r.tier.as_str()))
        .f64("value", rows.iter().map(|r| r.value))
        .u64("n", rows.iter().map(|r| r.n))
        .u64("count", rows.iter().map(|r| r.count))
        .str("label", rows.iter().map(|r| r.label.as_str()))
        .str("text", rows.iter().map(|r| r.text.as_str()))
        .str("origin", rows.iter().map(|r| r.origin.as_str()))
        .write(path)
}

/// Reads `audit.parquet`.
pub fn read_audit_table(path: &Path) -> Result<Vec<AuditRow>, ReportError> {
    read_parquet(path, |c: &Columns<'_>| {
        let (section, input, level, tier) = (
            c.str("section")?,
            c.str("input")?,
            c.str("level")?,
            c.str("tier")?,
        );
        let (value, n, count) = (c.f64("value")?, c.u64("n")?, c.u64("count")?);
        let (label, text, origin) = (c.str("label")?, c.str("text")?, c.str("origin")?);
        Ok((0..section.len())
            .map(|i| AuditRow {
                section: section[i].clone(),
                input: input[i].clone(),
                level: level[i].clone(),
                tier: tier[i].clone(),
                value: value[i],
                n: n[i],
                count: count[i],
                label: label[i].clone(),
                text: text[i].clone(),
                origin: origin[i].clone(),
            })
            .collect())
    })
}

/// Writes an audit directory `dir` holding `audit.parquet` and `audit.txt`, atomically: both
/// files go into a temp directory beside `dir` (fsynced), which is then renamed to `dir`. An
/// existing `dir` is refused ([`ReportError::Exists`]) before and after the work.
pub fn write_audit_dir(dir: &Path, rows: &[AuditRow], summary: &str) -> Result<(), ReportError> {
    write_table_dir(
        dir,
        AUDIT_FILE,
        |path| write_audit_table(path, rows),
        AUDIT_SUMMARY_FILE,
        summary,
    )
}

/// The newest audit directory under `<reports>/audits/` (the greatest name holding an
/// `audit.parquet`: default audit ids start with their UTC time), if any.
pub fn latest_audit(reports: &Path) -> Result<Option<PathBuf>, ReportError> {
    latest_table_dir(reports, AUDITS_DIR, AUDIT_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(section: &str, value: f64) -> AuditRow {
        AuditRow {
            section: section.to_owned(),
            input: "alert".to_owned(),
            level: "failure_mode".to_owned(),
            tier: "3".to_owned(),
            value,
            n: 10,
            count: 7,
            label: "misleading".to_owned(),
            text: "heap usage at <n>%".to_owned(),
            origin: String::new(),
        }
    }

    #[test]
    fn the_table_round_trips_and_an_existing_directory_is_refused() {
        let reports = tempfile::tempdir().unwrap();
        let dir = reports.path().join(AUDITS_DIR).join("20260101T000000Z-a");
        let rows = vec![row("surface", 0.7), row("fingerprint", 1.0)];
        write_audit_dir(&dir, &rows, "summary\n").unwrap();
        assert_eq!(read_audit_table(&dir.join(AUDIT_FILE)).unwrap(), rows);
        assert_eq!(
            std::fs::read_to_string(dir.join(AUDIT_SUMMARY_FILE)).unwrap(),
            "summary\n"
        );
        let again = write_audit_dir(&dir, &rows, "other\n").unwrap_err();
        assert!(matches!(again, ReportError::Exists { .. }), "{again}");
        // Nothing but the audit itself is left in the folder (no temp directory).
        let names: Vec<String> = std::fs::read_dir(reports.path().join(AUDITS_DIR))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["20260101T000000Z-a"]);
        let older = reports.path().join(AUDITS_DIR).join("20250101T000000Z-b");
        write_audit_dir(&older, &rows, "").unwrap();
        assert_eq!(latest_audit(reports.path()).unwrap(), Some(dir));
    }

    #[test]
    fn no_audits_folder_means_no_latest_audit() {
        let reports = tempfile::tempdir().unwrap();
        assert_eq!(latest_audit(reports.path()).unwrap(), None);
    }
}

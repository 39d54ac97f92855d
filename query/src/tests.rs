//! Slicing on small Parquet files the tests write with polars.

use std::path::Path;

use polars::prelude::*;

use crate::expr;
use crate::output::{Cell, Format, render, rows};
use crate::slice::{SliceQuery, TrendQuery, slice, trend};
use crate::table::Error;

/// A run's rows: (scenario_id, difficulty, family, signals, correct_failure_mode,
/// correct_root_cause, opensre_pass).
type Row<'a> = (
    &'a str,
    i32,
    &'a str,
    &'a [&'a str],
    bool,
    Option<bool>,
    Option<bool>,
);

fn frame(run_id: &str, rows: &[Row<'_>], with_opensre: bool) -> DataFrame {
    let n = rows.len();
    let signals: ListChunked = rows
        .iter()
        .map(|r| {
            Some(Series::new(
                "".into(),
                r.3.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ))
        })
        .collect();
    let mut cols: Vec<Column> = vec![
        Column::new("run_id".into(), vec![run_id; n]),
        Column::new(
            "scenario_id".into(),
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        ),
        Column::new(
            "difficulty".into(),
            rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        ),
        Column::new(
            "family".into(),
            rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        ),
        signals
            .with_name("adversarial_signals".into())
            .into_series()
            .into(),
        Column::new(
            "correct_failure_mode".into(),
            rows.iter().map(|r| r.4).collect::<Vec<_>>(),
        ),
        // category right exactly when the failure mode is, for these tests
        Column::new(
            "correct_category".into(),
            rows.iter().map(|r| r.4).collect::<Vec<_>>(),
        ),
        Column::new(
            "correct_root_cause".into(),
            rows.iter().map(|r| r.5).collect::<Vec<_>>(),
        ),
        Column::new(
            "correct_localization".into(),
            rows.iter().map(|r| r.5).collect::<Vec<_>>(),
        ),
    ];
    if with_opensre {
        cols.push(Column::new(
            "opensre_pass".into(),
            rows.iter().map(|r| r.6).collect::<Vec<_>>(),
        ));
    }
    DataFrame::new_infer_height(cols).unwrap()
}

fn write_run(reports: &Path, id: &str, classifier: Option<&str>, mut df: DataFrame) {
    let dir = reports.join(id);
    std::fs::create_dir_all(&dir).unwrap();
    let f = std::fs::File::create(dir.join("predictions.parquet")).unwrap();
    ParquetWriter::new(f).finish(&mut df).unwrap();
    if let Some(c) = classifier {
        std::fs::write(
            dir.join("run.json"),
            format!("{{\"run_id\":\"{id}\",\"classifier\":\"{c}\"}}"),
        )
        .unwrap();
    }
}

/// Two runs: `a` (rules, with opensre_pass) and `b` (status-only, written before
/// opensre_pass existed).
fn two_runs() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let a: &[Row<'_>] = &[
        ("001", 0, "crash_loop", &[], true, Some(true), Some(true)),
        (
            "002",
            1,
            "crash_loop",
            &["misleading_alert"],
            true,
            Some(false),
            Some(false),
        ),
        (
            "003",
            1,
            "image_pull",
            &["misleading_alert", "noisy_logs"],
            false,
            None,
            Some(false),
        ),
        ("004", 2, "image_pull", &[], true, Some(true), Some(true)),
    ];
    let b: &[Row<'_>] = &[
        ("001", 0, "crash_loop", &[], false, Some(false), None),
        (
            "002",
            1,
            "crash_loop",
            &["misleading_alert"],
            true,
            Some(true),
            None,
        ),
        (
            "003",
            1,
            "image_pull",
            &["misleading_alert", "noisy_logs"],
            false,
            None,
            None,
        ),
    ];
    write_run(tmp.path(), "a", Some("rules"), frame("a", a, true));
    write_run(tmp.path(), "b", Some("status-only"), frame("b", b, false));
    // not a run: no predictions.parquet; a run being written: a dot name
    std::fs::create_dir_all(tmp.path().join("audits")).unwrap();
    write_run(tmp.path(), ".tmp-c", None, frame("c", b, true));
    tmp
}

fn query(reports: &Path, by: &str, where_: Option<&str>) -> SliceQuery {
    SliceQuery {
        reports: reports.to_path_buf(),
        by: by.split(',').map(str::to_string).collect(),
        conds: where_.map(|w| expr::parse(w).unwrap()).unwrap_or_default(),
        runs: None,
        level: None,
    }
}

/// The result as (header, rows) for comparisons.
fn table(df: &DataFrame) -> Vec<Vec<(String, Cell)>> {
    let (names, rows) = rows(df);
    rows.into_iter()
        .map(|r| names.iter().cloned().zip(r).collect())
        .collect()
}

fn get<'a>(row: &'a [(String, Cell)], name: &str) -> &'a Cell {
    &row.iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .1
}

#[test]
fn by_run_counts_rows_and_takes_the_tables_flags() {
    let tmp = two_runs();
    let t = table(&slice(&query(tmp.path(), "run_id", None)).unwrap());
    assert_eq!(t.len(), 2, "the dot directory and the non-run are skipped");
    let (a, b) = (&t[0], &t[1]);
    assert_eq!(get(a, "run_id"), &Cell::Text("a".into()));
    assert_eq!(get(a, "n"), &Cell::Int(4));
    assert_eq!(get(a, "failure_mode_n"), &Cell::Int(4));
    assert_eq!(get(a, "failure_mode_accuracy"), &Cell::Float(0.75));
    // root cause: a null flag is not scored
    assert_eq!(get(a, "root_cause_n"), &Cell::Int(3));
    assert_eq!(get(a, "root_cause_accuracy"), &Cell::Float(2.0 / 3.0));
    assert_eq!(get(a, "opensre_n"), &Cell::Int(4));
    assert_eq!(get(a, "opensre_pass_rate"), &Cell::Float(0.5));
    assert_eq!(get(b, "n"), &Cell::Int(3));
    assert_eq!(get(b, "failure_mode_accuracy"), &Cell::Float(1.0 / 3.0));
    assert_eq!(get(b, "root_cause_accuracy"), &Cell::Float(0.5));
    // run b was written without opensre_pass: not scored there
    assert_eq!(get(b, "opensre_n"), &Cell::Int(0));
    assert_eq!(get(b, "opensre_pass_rate"), &Cell::Null);
}

#[test]
fn groups_across_runs_by_derived_classifier_and_signal() {
    let tmp = two_runs();
    let t = table(&slice(&query(tmp.path(), "classifier,signal", None)).unwrap());
    let key = |r: &[(String, Cell)]| (get(r, "classifier").clone(), get(r, "signal").clone());
    let text = |s: &str| Cell::Text(s.into());
    let keys: Vec<_> = t.iter().map(|r| key(r)).collect();
    assert_eq!(
        keys,
        vec![
            (text("rules"), text("misleading_alert")),
            (text("rules"), text("noisy_logs")),
            (text("rules"), text("none")),
            (text("status-only"), text("misleading_alert")),
            (text("status-only"), text("noisy_logs")),
            (text("status-only"), text("none")),
        ]
    );
    // rules: misleading_alert holds 002 (right) and 003 (wrong)
    assert_eq!(get(&t[0], "n"), &Cell::Int(2));
    assert_eq!(get(&t[0], "failure_mode_accuracy"), &Cell::Float(0.5));
    assert_eq!(get(&t[2], "n"), &Cell::Int(2));
}

#[test]
fn where_filters_before_grouping() {
    let tmp = two_runs();
    let q = query(
        tmp.path(),
        "difficulty",
        Some("family in (crash_loop, image_pull) and difficulty>=1 and run_id!=b"),
    );
    let t = table(&slice(&q).unwrap());
    assert_eq!(t.len(), 2);
    assert_eq!(get(&t[0], "difficulty"), &Cell::Int(1));
    assert_eq!(get(&t[0], "n"), &Cell::Int(2));
    assert_eq!(get(&t[1], "difficulty"), &Cell::Int(2));
    assert_eq!(get(&t[1], "failure_mode_accuracy"), &Cell::Float(1.0));

    let q = query(
        tmp.path(),
        "run_id",
        Some("signal = noisy_logs and classifier='status-only'"),
    );
    let t = table(&slice(&q).unwrap());
    assert_eq!(t.len(), 1);
    assert_eq!(get(&t[0], "run_id"), &Cell::Text("b".into()));
    assert_eq!(get(&t[0], "n"), &Cell::Int(1));
}

#[test]
fn runs_and_level_narrow_the_output() {
    let tmp = two_runs();
    let mut q = query(tmp.path(), "family", None);
    q.runs = Some(vec!["b".into()]);
    q.level = Some("root_cause".into());
    let df = slice(&q).unwrap();
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        names,
        ["family", "n", "root_cause_n", "root_cause_accuracy"]
    );
    assert_eq!(df.height(), 2);
    let t = table(&df);
    assert_eq!(get(&t[0], "n"), &Cell::Int(2));
}

fn input_error(r: Result<DataFrame, Error>) -> String {
    match r {
        Err(Error::Input(m)) => m,
        Err(Error::Other(m)) => panic!("expected bad input, got other error: {m}"),
        Ok(df) => panic!("expected an error, got {df:?}"),
    }
}

#[test]
fn bad_input_is_refused_with_what_is_there() {
    let tmp = two_runs();
    let m = input_error(slice(&query(tmp.path(), "difficulty,clasifier", None)));
    assert!(m.contains("--by: unknown column `clasifier`"), "{m}");
    assert!(m.contains("run_id, scenario_id, difficulty"), "{m}");
    assert!(m.contains("classifier") && m.contains("signal"), "{m}");

    let m = input_error(slice(&query(tmp.path(), "run_id", Some("famly=x"))));
    assert!(m.contains("--where: unknown column `famly`"), "{m}");

    let m = input_error(slice(&query(tmp.path(), "run_id", Some("family<x"))));
    assert!(m.contains("needs a numeric column"), "{m}");

    let m = input_error(slice(&query(tmp.path(), "run_id", Some("difficulty=hard"))));
    assert!(
        m.contains("`difficulty` is an integer column; `hard`"),
        "{m}"
    );

    let m = input_error(slice(&query(tmp.path(), "adversarial_signals", None)));
    assert!(m.contains("is a list") && m.contains("use `signal`"), "{m}");

    let mut q = query(tmp.path(), "run_id", None);
    q.runs = Some(vec!["a".into(), "zz".into()]);
    let m = input_error(slice(&q));
    assert!(
        m.contains("no run `zz`") && m.contains("the runs are: a, b"),
        "{m}"
    );

    let mut q = query(tmp.path(), "run_id", None);
    q.level = Some("cause".into());
    let m = input_error(slice(&q));
    assert!(m.contains("unknown level `cause`"), "{m}");

    let m = input_error(slice(&query(&tmp.path().join("nope"), "run_id", None)));
    assert!(m.contains("cannot read the directory"), "{m}");
}

#[test]
fn runs_with_different_column_sets_work_when_the_query_reads_common_ones() {
    let tmp = two_runs();
    // run c lacks `family`; queries that do not read it still work
    let mut df = frame(
        "c",
        &[("001", 0, "crash_loop", &[], true, None, None)],
        false,
    );
    df = df.drop("family").unwrap();
    write_run(tmp.path(), "c", None, df);
    let t = table(&slice(&query(tmp.path(), "run_id", None)).unwrap());
    assert_eq!(t.len(), 3);
    assert_eq!(get(&t[2], "run_id"), &Cell::Text("c".into()));
    assert_eq!(get(&t[2], "n"), &Cell::Int(1));
    // no run.json: the derived classifier is null
    let t = table(&slice(&query(tmp.path(), "classifier", None)).unwrap());
    assert_eq!(get(&t[2], "classifier"), &Cell::Null);
    assert_eq!(get(&t[2], "n"), &Cell::Int(1));
}

#[test]
fn a_run_without_a_needed_column_is_refused() {
    let tmp = two_runs();
    let mut df = frame(
        "c",
        &[("001", 0, "crash_loop", &[], true, None, None)],
        false,
    );
    df = df.drop("family").unwrap();
    write_run(tmp.path(), "c", None, df);
    let m = input_error(slice(&query(tmp.path(), "family", None)));
    assert!(
        m.contains("run `c`") && m.contains("no column `family`"),
        "{m}"
    );
}

/// A history row: (run_id, started_at, classifier, level, class, accuracy).
type HistoryRow<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<f64>,
);

#[test]
fn trend_lists_headline_accuracy_in_time_order() {
    let tmp = tempfile::tempdir().unwrap();
    // (run_id, started_at, classifier, level, class, accuracy)
    let rows: &[HistoryRow<'_>] = &[
        (
            "r2",
            "2026-12-02T00:00:00Z",
            "rules",
            "failure_mode",
            None,
            Some(0.9),
        ),
        (
            "r2",
            "2026-12-02T00:00:00Z",
            "rules",
            "root_cause",
            None,
            Some(0.7),
        ),
        (
            "r2",
            "2026-12-02T00:00:00Z",
            "rules",
            "failure_mode",
            Some("crash_loop"),
            None,
        ),
        (
            "r1",
            "2026-12-01T00:00:00Z",
            "rules",
            "failure_mode",
            None,
            Some(0.8),
        ),
        (
            "r1",
            "2026-12-01T00:00:00Z",
            "rules",
            "root_cause",
            None,
            Some(0.6),
        ),
        (
            "s1",
            "2026-11-30T00:00:00Z",
            "status-only",
            "failure_mode",
            None,
            Some(0.4),
        ),
    ];
    let mut df = DataFrame::new_infer_height(vec![
        Column::new(
            "run_id".into(),
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        ),
        Column::new(
            "started_at".into(),
            rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        ),
        Column::new(
            "classifier".into(),
            rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        ),
        Column::new("level".into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
        Column::new("class".into(), rows.iter().map(|r| r.4).collect::<Vec<_>>()),
        Column::new(
            "accuracy".into(),
            rows.iter().map(|r| r.5).collect::<Vec<_>>(),
        ),
    ])
    .unwrap();
    let f = std::fs::File::create(tmp.path().join("history.parquet")).unwrap();
    ParquetWriter::new(f).finish(&mut df).unwrap();

    let q = TrendQuery {
        reports: tmp.path().to_path_buf(),
        by: None,
        conds: Vec::new(),
        level: None,
    };
    let t = table(&trend(&q).unwrap());
    let ids: Vec<_> = t.iter().map(|r| get(r, "run_id").clone()).collect();
    assert_eq!(
        ids,
        [
            Cell::Text("s1".into()),
            Cell::Text("r1".into()),
            Cell::Text("r2".into())
        ]
    );
    assert_eq!(get(&t[2], "failure_mode"), &Cell::Float(0.9));
    assert_eq!(get(&t[2], "root_cause"), &Cell::Float(0.7));
    assert_eq!(get(&t[0], "root_cause"), &Cell::Null);

    let q = TrendQuery {
        by: Some("classifier".into()),
        conds: expr::parse("run_id != r2").unwrap(),
        level: Some("failure_mode".into()),
        ..q
    };
    let df = trend(&q).unwrap();
    let t = table(&df);
    assert_eq!(get(&t[0], "classifier"), &Cell::Text("rules".into()));
    assert_eq!(get(&t[1], "classifier"), &Cell::Text("status-only".into()));
    assert_eq!(t.len(), 2);
    assert!(render(&df, Format::Csv).starts_with("classifier,started_at,run_id,failure_mode\n"));

    let q = TrendQuery {
        by: Some("nope".into()),
        ..q
    };
    let m = input_error(trend(&q));
    assert!(
        m.contains("unknown column `nope`") && m.contains("started_at"),
        "{m}"
    );
    let q = TrendQuery {
        reports: tmp.path().join("x"),
        by: None,
        ..q
    };
    assert!(input_error(trend(&q)).contains("no history there"));
}

#[test]
fn renders_table_csv_and_json() {
    let tmp = two_runs();
    let mut q = query(tmp.path(), "run_id", None);
    q.level = Some("failure_mode".into());
    let df = slice(&q).unwrap();
    assert_eq!(
        render(&df, Format::Table),
        "run_id  n  failure_mode_n  failure_mode_accuracy  opensre_n  opensre_pass_rate\n\
         a       4               4                 0.7500          4             0.5000\n\
         b       3               3                 0.3333          0                  -\n"
    );
    assert_eq!(
        render(&df, Format::Csv),
        "run_id,n,failure_mode_n,failure_mode_accuracy,opensre_n,opensre_pass_rate\n\
         a,4,4,0.75,4,0.5\nb,3,3,0.3333333333333333,0,\n"
    );
    let json: serde_json::Value = serde_json::from_str(&render(&df, Format::Json)).unwrap();
    assert_eq!(json[1]["run_id"], "b");
    assert_eq!(json[1]["opensre_pass_rate"], serde_json::Value::Null);
    assert_eq!(json[0]["failure_mode_accuracy"], 0.75);
}

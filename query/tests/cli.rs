//! `triagebench-query` as a user runs it: output on stdout, errors on stderr, exit codes 0
//! (ok), 2 (bad input or usage) and 1 (anything else, e.g. a file polars cannot read).

use std::path::Path;
use std::process::{Command, Output};

use polars::prelude::*;

fn q(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_triagebench-query"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write_run(reports: &Path, id: &str, difficulty: &[i32], correct: &[bool]) {
    let n = difficulty.len();
    let mut df = DataFrame::new_infer_height(vec![
        Column::new("run_id".into(), vec![id; n]),
        Column::new("difficulty".into(), difficulty.to_vec()),
        Column::new("correct_failure_mode".into(), correct.to_vec()),
        Column::new("correct_category".into(), correct.to_vec()),
        Column::new("correct_root_cause".into(), correct.to_vec()),
        Column::new("correct_localization".into(), vec![None::<bool>; n]),
    ])
    .unwrap();
    let dir = reports.join(id);
    std::fs::create_dir_all(&dir).unwrap();
    let f = std::fs::File::create(dir.join("predictions.parquet")).unwrap();
    ParquetWriter::new(f).finish(&mut df).unwrap();
}

fn reports() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    write_run(t.path(), "r1", &[0, 1, 1, 2], &[true, true, false, false]);
    write_run(t.path(), "r2", &[0, 1], &[true, true]);
    t
}

#[test]
fn slice_prints_json_csv_and_table() {
    let t = reports();
    let dir = t.path().to_str().unwrap();
    let o = q(&[
        "slice",
        "--reports",
        dir,
        "--by",
        "run_id",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v[0]["run_id"], "r1");
    assert_eq!(v[0]["n"], 4);
    assert_eq!(v[0]["failure_mode_accuracy"], 0.5);
    assert_eq!(v[0]["localization_n"], 0);
    assert_eq!(v[0]["localization_accuracy"], serde_json::Value::Null);
    assert_eq!(v[1]["root_cause_accuracy"], 1.0);

    let o = q(&[
        "slice",
        "--reports",
        dir,
        "--by",
        "difficulty",
        "--where",
        "difficulty >= 1",
        "--level",
        "failure_mode",
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "difficulty,n,failure_mode_n,failure_mode_accuracy\n1,3,3,0.6666666666666666\n2,1,1,0\n"
    );

    let o = q(&[
        "slice",
        "--reports",
        dir,
        "--by",
        "run_id",
        "--runs",
        "r2",
        "--level",
        "root_cause",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "run_id  n  root_cause_n  root_cause_accuracy\nr2      2             2               1.0000\n"
    );
}

#[test]
fn bad_input_exits_2_naming_what_is_wrong() {
    let t = reports();
    let dir = t.path().to_str().unwrap();
    let o = q(&[
        "slice",
        "--reports",
        dir,
        "--by",
        "run_id",
        "--where",
        "difficulty >> 1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("found `>`"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());

    let o = q(&["slice", "--reports", dir, "--by", "dificulty"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown column `dificulty`; the columns are: run_id, difficulty,"),
        "{}",
        stderr(&o)
    );

    let o = q(&["slice", "--reports", dir]);
    assert_eq!(o.status.code(), Some(2), "missing --by is a usage error");
    let o = q(&["nonsense"]);
    assert_eq!(o.status.code(), Some(2));
    let o = q(&["trend", "--reports", dir]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("history.parquet: no history there"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_unreadable_file_exits_1_naming_it() {
    let t = reports();
    std::fs::create_dir_all(t.path().join("r3")).unwrap();
    std::fs::write(t.path().join("r3/predictions.parquet"), b"PAR1 not really").unwrap();
    let o = q(&[
        "slice",
        "--reports",
        t.path().to_str().unwrap(),
        "--by",
        "run_id",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("r3/predictions.parquet"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn help_documents_the_language_and_exit_codes() {
    let o = q(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("Exit codes"));
    let o = q(&["slice", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let h = stdout(&o);
    assert!(
        h.contains("col in (a,b)") && h.contains("signal") && h.contains("classifier"),
        "{h}"
    );
    let o = q(&["trend", "--help"]);
    assert_eq!(o.status.code(), Some(0));
}

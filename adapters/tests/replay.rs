//! The `replay:` classifier: predictions by (id, trial), missing ids as errors, extra ids
//! reported by `finish()`, bad lines naming file, line and field.

mod common;

use std::time::Duration;

use adapters::{Options, SpecError, from_spec};
use common::cases;

fn opts() -> Options {
    Options {
        workers: 1,
        timeout: Duration::from_secs(1),
        retries: 0,
    }
}

fn file(lines: &[&str]) -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), lines.join("\n") + "\n").unwrap();
    f
}

#[test]
fn replays_by_id_and_trial_and_reports_missing_and_extra() {
    let f = file(&[
        r#"{"id":"case-0","failure_mode":"oom_killed","root_cause":"container_oom","confidence":0.9}"#,
        r#"{"id":"case-0","trial":1,"failure_mode":"healthy"}"#,
        "",
        r#"{"id":"case-1","failure_mode":"oomkilled"}"#,
        r#"{"id":"stray","failure_mode":"healthy"}"#,
    ]);
    let path = f.path().display().to_string();
    let c = from_spec(&format!("replay:{path}"), &opts()).unwrap();
    let all = cases(3);
    let p = c.classify(&all[0], 0).unwrap();
    assert_eq!(p.root_cause, scenario::RootCause::ContainerOom);
    assert_eq!(
        c.classify(&all[0], 1).unwrap().failure_mode,
        scenario::FailureMode::Healthy
    );
    assert_eq!(
        c.classify(&all[1], 0).unwrap_err().reason,
        format!("{path}:4: unknown failure_mode \"oomkilled\"")
    );
    assert_eq!(
        c.classify(&all[2], 0).unwrap_err().reason,
        format!("no prediction for this case in {path}")
    );
    assert_eq!(
        c.classify(&all[2], 3).unwrap_err().reason,
        format!("no prediction for this case (trial 3) in {path}")
    );
    assert_eq!(
        c.finish(),
        vec![format!(
            "{path}: 1 prediction(s) for ids no case asked for: stray (line 5)"
        )]
    );
    assert_eq!(c.version().len(), 16);
}

#[test]
fn bad_lines_name_file_line_and_field() {
    let table: &[(&[&str], &str)] = &[
        (
            &["not json"],
            ":1: invalid JSON: expected ident at line 1 column 2",
        ),
        (&["{}", "[1]"], ":1: id: missing"),
        (
            &[r#"{"id":"a","failure_mode":"healthy"}"#, "[1]"],
            ":2: expected a JSON object, got a list",
        ),
        (
            &[r#"{"id":7,"failure_mode":"healthy"}"#],
            ":1: id: expected a string, got a number",
        ),
        (
            &[r#"{"id":"a","trial":-1,"failure_mode":"healthy"}"#],
            ":1: trial: expected a non-negative integer, got -1",
        ),
        (
            &[
                r#"{"id":"a","failure_mode":"healthy"}"#,
                r#"{"id":"a","trial":0,"failure_mode":"healthy"}"#,
            ],
            ":2: id \"a\" trial 0 already has a prediction on line 1",
        ),
    ];
    for (lines, want) in table {
        let f = file(lines);
        let path = f.path().display().to_string();
        let err = from_spec(&format!("replay:{path}"), &opts()).unwrap_err();
        assert_eq!(err.to_string(), format!("replay:{path}{want}"), "{lines:?}");
    }
}

#[test]
fn field_errors_in_a_known_case_become_that_case_error() {
    let f = file(&[r#"{"id":"case-0","failure_mode":"healthy","exit_code":"x"}"#]);
    let path = f.path().display().to_string();
    let c = from_spec(&format!("replay:{path}"), &opts()).unwrap();
    let e = c.classify(&cases(1)[0], 0).unwrap_err();
    assert_eq!(
        e.reason,
        format!("{path}:1: exit_code: invalid type: string \"x\", expected i32")
    );
}

#[test]
fn unreadable_file_and_unknown_specs_are_bad_input() {
    let err = from_spec("replay:/nonexistent/p.jsonl", &opts()).unwrap_err();
    assert!(matches!(err, SpecError::ReplayRead { .. }), "{err:?}");
    let err = from_spec("gpt-5", &opts()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown classifier \"gpt-5\" (expected rules, status-only, cmd:<command>, http://<host>:<port>/<path> or replay:<file>)"
    );
    assert!(matches!(
        from_spec("replay:", &opts()),
        Err(SpecError::Unknown(_))
    ));
    let zero = Options {
        workers: 0,
        ..opts()
    };
    assert_eq!(
        from_spec("rules", &zero).unwrap_err().to_string(),
        "classifier options: workers must be at least 1"
    );
    assert_eq!(from_spec("rules", &opts()).unwrap().name(), "rules");
}

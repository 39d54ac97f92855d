//! Fault tests of the `cmd:` worker pool with a scripted fake worker
//! (`tests/fixtures/fake_worker.py`): each fault ends as exactly the expected error rows and
//! nothing else is lost.

mod common;

use std::time::{Duration, Instant};

use adapters::{Options, SpecError, from_spec};
use common::{cases, expect_errors, root, run_all};

const N: usize = 24;

fn spec(mode: &str, marker: &str) -> String {
    let script = root().join("adapters/tests/fixtures/fake_worker.py");
    format!("cmd:python3 '{}' {mode} {marker}", script.display())
}

fn opts(workers: usize, timeout_ms: u64) -> Options {
    Options {
        workers,
        timeout: Duration::from_millis(timeout_ms),
        retries: 0,
    }
}

/// Runs N cases through the fake worker in `mode` (its fault on case-5) and checks the errors.
fn check(mode: &str, workers: usize, timeout_ms: u64, expected: &[(&str, &str)]) {
    let c = from_spec(&spec(mode, "w5"), &opts(workers, timeout_ms)).expect("pool starts");
    let all = cases(N);
    let results = run_all(c.as_ref(), &all, 6);
    expect_errors(&results, N, expected);
    let started = Instant::now();
    c.finish();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "finish took {:?}",
        started.elapsed()
    );
}

#[test]
fn well_behaved_worker_answers_every_case() {
    check("ok", 2, 5000, &[]);
}

#[test]
fn worker_that_exits_mid_run_costs_exactly_its_case() {
    check(
        "crash",
        2,
        5000,
        &[("case-5", "worker exited with status 3 before answering")],
    );
}

#[test]
fn worker_that_hangs_past_the_timeout_costs_exactly_its_case() {
    let started = Instant::now();
    check("hang", 2, 1000, &[("case-5", "timeout after 1s")]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn worker_that_prints_garbage_costs_exactly_its_case() {
    check(
        "garbage",
        2,
        5000,
        &[("case-5", "invalid JSON from worker: ")],
    );
}

#[test]
fn unknown_label_is_an_error_for_that_case_only() {
    check(
        "badlabel",
        2,
        5000,
        &[("case-5", "unknown failure_mode \"oomkilled\"")],
    );
}

#[test]
fn out_of_order_answers_are_matched_by_id() {
    // One worker, several cases in flight: the worker answers each batch in reverse.
    let c = from_spec(&spec("reverse", "-"), &opts(1, 5000)).unwrap();
    let all = cases(N);
    let results = run_all(c.as_ref(), &all, 8);
    expect_errors(&results, N, &[]);
    assert!(c.finish().is_empty());
}

#[test]
fn command_that_never_answers_is_given_up_quickly() {
    let c = from_spec(&spec("stillborn", "-"), &opts(2, 5000)).unwrap();
    let started = Instant::now();
    let all = cases(N);
    let results = run_all(c.as_ref(), &all, 4);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(results.len(), N);
    for (id, r) in &results {
        let e = r.as_ref().expect_err(id);
        assert!(
            e.reason.contains("exited with status 2"),
            "{id}: {}",
            e.reason
        );
    }
    let notes = c.finish();
    assert!(notes.iter().any(|n| n.contains("giving up")), "{notes:?}");
}

#[test]
fn command_that_cannot_start_fails_from_spec() {
    let err = from_spec("cmd:/nonexistent/agent --x", &opts(1, 1000)).unwrap_err();
    assert!(matches!(err, SpecError::Spawn { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("cmd:/nonexistent/agent --x: cannot start worker: "),
        "{err}"
    );
    let err = from_spec("cmd:python3 'unterminated", &opts(1, 1000)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cmd:python3 'unterminated: unterminated single quote"
    );
    assert!(matches!(
        from_spec("cmd:  ", &opts(1, 1000)),
        Err(SpecError::EmptyCommand)
    ));
}

#[test]
fn trial_is_sent_and_pool_reports_its_shape() {
    let c = from_spec(&spec("ok", "-"), &opts(3, 1000)).unwrap();
    assert_eq!(
        c.concurrency(),
        Some(3 * adapters::cmd::IN_FLIGHT_PER_WORKER)
    );
    assert!(c.name().starts_with("cmd:python3 "));
    let all = cases(2);
    assert_eq!(c.classify(&all[0], 2).unwrap().explanation, "case-0");
    c.finish();
    let after = c.classify(&all[1], 0).unwrap_err();
    assert_eq!(after.reason, "the worker pool is shut down");
}

#[test]
fn hung_worker_with_a_full_stdin_pipe_is_still_killed() {
    // Cases of ~200 KiB each: a worker that stops reading fills its stdin pipe (64 KiB) at
    // once, so callers block in write() while the watchdog must still kill it. A deadlock
    // fails the test at the deadline instead of hanging it.
    let mut all = cases(12);
    let big = "x".repeat(200 * 1024);
    for c in &mut all {
        c.alert.title = big.clone();
    }
    let c: std::sync::Arc<dyn classifier::Classifier> =
        std::sync::Arc::from(from_spec(&spec("hang", "w5"), &opts(2, 1000)).unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    let runner = std::sync::Arc::clone(&c);
    std::thread::spawn(move || {
        let _ = tx.send(run_all(runner.as_ref(), &all, 8));
    });
    let results = rx
        .recv_timeout(Duration::from_secs(15))
        .expect("deadlock: no outcome for the batch after 15 s");
    expect_errors(&results, 12, &[("case-5", "timeout after 1s")]);
    c.finish();
}

#[test]
fn many_hangs_under_load_cost_exactly_their_cases() {
    // 120 cases over 20 workloads: the 6 of workload w5 hang; 12 callers keep every worker's
    // window full, so innocent cases are in flight behind each hang and must all survive.
    let mut all = cases(120);
    for (i, c) in all.iter_mut().enumerate() {
        c.context.workload_name = format!("w{}", i % 20);
    }
    let c = from_spec(&spec("hang", "w5"), &opts(2, 1000)).unwrap();
    let results = run_all(c.as_ref(), &all, 12);
    let expected: Vec<(String, &str)> = (0..120)
        .filter(|i| i % 20 == 5)
        .map(|i| (format!("case-{i}"), "timeout after 1s"))
        .collect();
    let expected: Vec<(&str, &str)> = expected.iter().map(|(id, r)| (id.as_str(), *r)).collect();
    expect_errors(&results, 120, &expected);
    c.finish();
}

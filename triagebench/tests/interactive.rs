//! `eval --interactive` end to end on a small generated corpus: the built-in `rules-agent`
//! (trajectories for every case, the corpus unchanged), a Python stub agent that calls the API
//! with urllib (its calls recorded with verb and resource), an agent that never answers (error
//! rows, the run goes on), one that floods (429s counted in `refused`), and the refusals
//! (exit 2) of classifiers that cannot investigate.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

fn tb(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_triagebench"))
        .args(args)
        .output()
        .expect("triagebench runs")
}

fn ok(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file of a directory tree, hashed in path order.
fn tree_hash(dir: &Path) -> String {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    let mut h = Sha256::new();
    for f in files {
        h.update(f.to_string_lossy().as_bytes());
        h.update(std::fs::read(&f).unwrap());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A stub agent: for every case, `CALLS` GETs of the pods of the alert's namespace through
/// `investigate.api_server` (urllib), then a healthy answer; with `NEVER=1` it reads and
/// never answers.
const STUB: &str = r#"
import json, os, sys, urllib.request, urllib.error
calls = int(os.environ.get("CALLS", "1"))
for line in sys.stdin:
    case = json.loads(line)
    if os.environ.get("NEVER") == "1":
        continue
    assert "evidence" not in case and "k8s_api" not in case, "an interactive case carries no evidence"
    inv = case["investigate"]
    for k in ("api_server", "token", "kubeconfig", "context", "mcp", "datadog"):
        assert k in inv, k
    ns = case["context"]["namespace"]
    for _ in range(calls):
        try:
            urllib.request.urlopen(inv["api_server"] + "/api/v1/namespaces/" + ns + "/pods").read()
        except urllib.error.HTTPError as e:
            e.read()
    if os.environ.get("DATADOG") == "1":
        req = urllib.request.Request(inv["datadog"] + "/api/v2/logs/events/search",
                                     data=b'{"filter": {"query": "*"}}', method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            body = json.loads(urllib.request.urlopen(req).read())
            assert "data" in body, body
        except urllib.error.HTTPError as e:
            assert "errors" in json.loads(e.read()), "a Datadog error body"
    print(json.dumps({"id": case["id"], "trial": case["trial"], "failure_mode": "healthy",
                      "root_cause_category": "healthy", "root_cause": "none",
                      "explanation": "stub"}), flush=True)
"#;

struct Setup {
    _dir: tempfile::TempDir,
    root: PathBuf,
    corpus: String,
    reports: String,
    stub: String,
}

fn setup(count: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let corpus = root.join("corpus");
    ok(&tb(&[
        "generate",
        "--count",
        count,
        "--seed",
        "7",
        "--out",
        corpus.to_str().unwrap(),
    ]));
    let stub = root.join("stub.py");
    std::fs::write(&stub, STUB).unwrap();
    Setup {
        corpus: corpus.to_str().unwrap().to_owned(),
        reports: root.join("reports").to_str().unwrap().to_owned(),
        stub: stub.to_str().unwrap().to_owned(),
        root,
        _dir: dir,
    }
}

fn eval(s: &Setup, run_id: &str, classifier: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "eval",
        "--interactive",
        "--quiet",
        "--corpus",
        &s.corpus,
        "--reports",
        &s.reports,
        "--run-id",
        run_id,
        "--classifier",
        classifier,
    ];
    args.extend_from_slice(extra);
    tb(&args)
}

fn run_dir(s: &Setup, id: &str) -> PathBuf {
    Path::new(&s.reports).join(id)
}

#[test]
fn rules_agent_investigates_every_case_and_leaves_the_corpus_unchanged() {
    let s = setup("12");
    let before = tree_hash(Path::new(&s.corpus));
    let out = eval(&s, "agent", "rules-agent", &[]);
    ok(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("OpenSRE pass/fail"), "{stdout}");
    assert!(stdout.contains("trajectories"), "{stdout}");
    assert_eq!(
        tree_hash(Path::new(&s.corpus)),
        before,
        "the corpus is only read"
    );
    let rows =
        evaluator::report::read_predictions(&run_dir(&s, "agent").join("predictions.parquet"))
            .unwrap();
    assert_eq!(rows.len(), 12);
    assert!(
        rows.iter()
            .all(|r| r.error.is_none() && r.opensre_pass.is_some())
    );
    assert!(rows.iter().all(|r| r.trajectory.calls.unwrap_or(0) >= 1));
    let calls =
        evaluator::trajectory::read(&run_dir(&s, "agent").join("trajectories.parquet")).unwrap();
    let ids: std::collections::BTreeSet<&str> = calls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), 12, "every case has calls");
    assert!(calls.iter().all(|c| c.run_id == "agent"));
    // Every case starts with the pods of its namespace (the SOP's first step).
    assert!(calls.iter().filter(|c| c.seq == 0).all(|c| (
        c.verb.as_str(),
        c.resource.as_str(),
        c.action.as_deref()
    ) == (
        "list",
        "pods",
        Some("list_eks_pods")
    )));
    // A run that is not interactive has no trajectory columns, and the agent needs --interactive.
    let out = tb(&[
        "eval",
        "--quiet",
        "--corpus",
        &s.corpus,
        "--reports",
        &s.reports,
        "--run-id",
        "x",
        "--classifier",
        "rules-agent",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--interactive"));
    for refused in ["rules", "status-only", "replay:x.jsonl"] {
        let out = eval(&s, "y", refused, &[]);
        assert_eq!(out.status.code(), Some(2), "{refused}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("cannot investigate"));
    }
    let _ = &s.root;
}

#[test]
fn a_stub_agents_calls_are_recorded_and_faults_are_rows() {
    let s = setup("4");
    let cmd = format!("cmd:python3 {}", s.stub);
    // Three calls per case and trial: each recorded as a list of pods; then a Datadog logs
    // search.
    let out = Command::new(env!("CARGO_BIN_EXE_triagebench"))
        .args([
            "eval",
            "--interactive",
            "--quiet",
            "--corpus",
            &s.corpus,
            "--reports",
            &s.reports,
            "--run-id",
            "stub",
            "--classifier",
            &cmd,
            "--workers",
            "1",
            "--trials",
            "2",
        ])
        .env("CALLS", "3")
        .env("DATADOG", "1")
        .output()
        .unwrap();
    ok(&out);
    let mut calls =
        evaluator::trajectory::read(&run_dir(&s, "stub").join("trajectories.parquet")).unwrap();
    // Two trials, each on a fresh trajectory (reset before the call).
    assert_eq!(calls.len(), 32);
    let datadog: Vec<_> = calls.iter().filter(|c| c.seq == 3).collect();
    assert!(
        datadog.iter().all(|c| c.verb == "list"
            && c.resource == "datadog/logs"
            && c.action.as_deref() == Some("query_datadog_logs")),
        "{datadog:?}"
    );
    calls.retain(|c| c.seq < 3);
    assert!(calls.iter().all(|c| c.verb == "list"
        && c.resource == "pods"
        && c.status == 200
        && c.source.as_deref() == Some("eks_pods")));
    let rows =
        evaluator::report::read_predictions(&run_dir(&s, "stub").join("predictions.parquet"))
            .unwrap();
    assert!(rows.iter().all(|r| r.trajectory.calls == Some(4)
        && r.trajectory.refused == Some(0)
        && r.trajectory.sources_touched >= Some(1)));

    // Flooding past the budget: the calls past it are 429s, counted in `refused`.
    let out = Command::new(env!("CARGO_BIN_EXE_triagebench"))
        .args([
            "eval",
            "--interactive",
            "--quiet",
            "--corpus",
            &s.corpus,
            "--reports",
            &s.reports,
            "--run-id",
            "flood",
            "--classifier",
            &cmd,
            "--budget",
            "5",
        ])
        .env("CALLS", "20")
        .output()
        .unwrap();
    ok(&out);
    let rows =
        evaluator::report::read_predictions(&run_dir(&s, "flood").join("predictions.parquet"))
            .unwrap();
    assert!(
        rows.iter().all(|r| r.trajectory.calls == Some(20)
            && r.trajectory.refused == Some(15)
            && r.trajectory.loops == Some(5)),
        "{:?}",
        rows.iter().map(|r| &r.trajectory).collect::<Vec<_>>()
    );

    // An agent that never answers: every case an error row after the timeout, the run done.
    let out = Command::new(env!("CARGO_BIN_EXE_triagebench"))
        .args([
            "eval",
            "--interactive",
            "--quiet",
            "--corpus",
            &s.corpus,
            "--reports",
            &s.reports,
            "--run-id",
            "never",
            "--classifier",
            &cmd,
            "--timeout",
            "300ms",
        ])
        .env("NEVER", "1")
        .output()
        .unwrap();
    ok(&out);
    let rows =
        evaluator::report::read_predictions(&run_dir(&s, "never").join("predictions.parquet"))
            .unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r.error.is_some()
        && r.opensre_pass == Some(false)
        && r.opensre_reason.as_deref() == Some("no root cause in output")));
}

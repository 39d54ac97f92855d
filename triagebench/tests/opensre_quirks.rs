//! A hand-written suite reproducing the quirks of OpenSRE's published EKS suite
//! (`tests/opensre-quirks/`): monitors without `id`, no `scenario_difficulty` anywhere,
//! `exit_code` inside a waiting state, a state flag spelled as the Kubernetes object, Normal
//! events inside `warning_events`, nodes with only `name` and `ready`, alert labels we do not
//! know. `validate` (with and without OpenSRE's own loader rules) accepts it, the model reads
//! the quirks as intended, and `eval` runs over it.

use std::path::{Path, PathBuf};
use std::process::Command;

use scenario::files::StateKind;

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/opensre-quirks")
}

fn tb(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_triagebench"))
        .args(args)
        .output()
        .expect("the triagebench binary runs")
}

#[test]
fn validate_accepts_the_quirks_with_and_without_opensres_loader_rules() {
    let dir = suite();
    let dir = dir.to_str().unwrap();
    for args in [
        vec!["validate", dir],
        vec!["validate", dir, "--opensre-loader"],
    ] {
        let out = tb(&args);
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("4 scenario(s) valid"));
    }
}

#[test]
fn the_model_reads_the_quirks_as_intended() {
    let suite = scenario::load(&suite()).unwrap();
    let by = |n: &str| {
        suite
            .scenarios()
            .iter()
            .find(|s| s.dir_name() == n)
            .unwrap()
    };
    let healthy = by("000-healthy");
    assert_eq!(healthy.file().scenario_difficulty, 1, "OpenSRE's default");
    let monitors = &healthy.case().evidence.datadog_monitors().unwrap().monitors;
    assert_eq!(monitors.len(), 2);
    assert!(monitors.iter().all(|m| m.id.is_none()));
    let crash = by("001-crashloop-backoff");
    let state = &crash.case().evidence.pods().unwrap().pods[0].containers[0].state;
    assert_eq!(
        (state.kind(), state.exit_code),
        (StateKind::Waiting, Some(1))
    );
    let evicted = by("002-evicted-pods");
    let state = &evicted.case().evidence.pods().unwrap().pods[1].containers[0].state;
    assert_eq!(state.kind(), StateKind::Terminated);
    assert_eq!(state.reason.as_deref(), Some("Evicted"));
    let rollout = by("003-recovered-rollout");
    let kinds: Vec<&str> = rollout
        .case()
        .evidence
        .events()
        .unwrap()
        .warning_events
        .iter()
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(kinds, ["Warning", "Normal"]);
}

#[test]
fn eval_runs_over_the_quirks() {
    let tmp = tempfile::tempdir().unwrap();
    let reports = tmp.path().join("reports");
    let out = tb(&[
        "eval",
        "--corpus",
        suite().to_str().unwrap(),
        "--classifier",
        "rules",
        "--reports",
        reports.to_str().unwrap(),
        "--run-id",
        "quirks",
        "--quiet",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("quirks/run.json")).unwrap())
            .unwrap();
    assert_eq!(run["scenarios"], 4);
    assert_eq!(run["errors"], 0);
}

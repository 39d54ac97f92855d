//! `triagebench import` end to end: a real pod capture (scenario/tests/realdata, Apache-2.0) and
//! a previous-container log become a scenario that `validate` accepts in both profiles; bad input
//! exits 2 with the file and field named and leaves no directory; an existing output exits 3.

use std::path::{Path, PathBuf};
use std::process::Command;

fn tb(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_triagebench"))
        .args(args)
        .output()
        .unwrap()
}

fn pod() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenario/tests/realdata/k8s/Pod__gitops-engine__pkg_health_testdata_pod-crashloop__0.json")
}

#[test]
fn import_writes_both_profiles_or_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("prev.log");
    std::fs::write(&log, "starting\npanic: boom\n").unwrap();
    let out = tmp.path().join("suite/001-crash");
    let pod = pod();
    let spec = format!("argocd/my-pod/main={}", log.display());
    let base = [
        "import",
        "--snapshot",
        pod.to_str().unwrap(),
        "--previous-logs",
        spec.as_str(),
        "--namespace",
        "argocd",
        "--workload",
        "my-pod",
        "--mode",
        "crashloop_backoff",
        "--category",
        "code_defect",
        "--cause",
        "app_error",
        "--pod",
        "argocd/my-pod",
        "--container",
        "main",
        "--out",
        out.to_str().unwrap(),
    ];
    let r = tb(&base);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    for f in [
        "scenario.yml",
        "answer.yml",
        "alert.json",
        "eks_pods.json",
        "eks_pod_logs.json",
        "k8s-api/pods.json",
        "k8s-api/pod_logs.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    for profile in ["opensre", "k8s-api"] {
        let v = tb(&[
            "validate",
            out.to_str().unwrap(),
            "--profile",
            profile,
            "--opensre-loader",
        ]);
        assert!(
            v.status.success(),
            "{profile}: {}",
            String::from_utf8_lossy(&v.stderr)
        );
    }
    // The output exists: 3, untouched.
    let again = tb(&base);
    assert_eq!(again.status.code(), Some(3));

    // Bad input: 2, the file and field named, nothing written.
    let bad = tmp.path().join("bad.json");
    let text = std::fs::read_to_string(&pod).unwrap().replacen(
        "\"restartCount\": 3",
        "\"restartCount\": \"3\"",
        1,
    );
    std::fs::write(&bad, text).unwrap();
    let out2 = tmp.path().join("suite/002-bad");
    let mut args: Vec<&str> = base.to_vec();
    args[2] = bad.to_str().unwrap();
    let n = args.len();
    args[n - 1] = out2.to_str().unwrap();
    let r = tb(&args);
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains(
            "bad.json: status.containerStatuses[0].restartCount: expected integer, got \"3\""
        ),
        "{err}"
    );
    assert!(!out2.exists());
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path().join("suite"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

//! `triagebench perturb` and `triagebench consistency` end to end: a small corpus generated in
//! a temp dir is perturbed (the child validates in both profiles and with OpenSRE's loader
//! rules, and `eval` takes it without `--allow-modified`), both are evaluated with the rule
//! baseline and paired into `consistency.parquet`. Bad input exits 2 and writes nothing: an
//! unknown rewrite, a parent corpus that changed since the child was derived; an existing
//! `--out` is refused with exit 3.

use std::path::Path;
use std::process::{Command, Output};

fn tb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_triagebench"))
        .args(args)
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn generate(out: &Path, seed: &str, force: bool) {
    let mut args = vec![
        "generate",
        "--count",
        "24",
        "--seed",
        seed,
        "--quiet",
        "--out",
        s(out),
    ];
    if force {
        args.push("--force");
    }
    ok(&tb(&args));
}

fn eval(corpus: &Path, reports: &Path, id: &str) {
    ok(&tb(&[
        "eval",
        "--corpus",
        s(corpus),
        "--reports",
        s(reports),
        "--run-id",
        id,
        "--threads",
        "2",
        "--quiet",
    ]));
}

#[test]
fn perturb_eval_and_report_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let (parent, child, reports) = (
        tmp.path().join("parent"),
        tmp.path().join("child"),
        tmp.path().join("reports"),
    );
    generate(&parent, "5", false);
    let out = ok(&tb(&[
        "perturb",
        s(&parent),
        "--rewrite",
        "rename,reorder,time-shift,reword,drop-healthy-pod",
        "--seed",
        "3",
        "--out",
        s(&child),
    ]));
    assert!(out.contains("perturbed 24 scenarios"), "{out}");
    for profile in ["opensre", "k8s-api"] {
        ok(&tb(&[
            "validate",
            s(&child),
            "--profile",
            profile,
            "--opensre-loader",
        ]));
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(child.join("manifest.json")).unwrap())
            .unwrap();
    let derived = &manifest["derived"];
    assert_eq!(derived["parent"]["path"], s(&parent));
    assert_eq!(derived["rewrites"][0], "rename");
    assert_eq!(derived["seed"], 3);
    assert_eq!(derived["scenarios"].as_object().unwrap().len(), 24);
    // A second perturb into the same --out is refused, and nothing changes.
    let again = tb(&[
        "perturb",
        s(&parent),
        "--rewrite",
        "reorder",
        "--out",
        s(&child),
    ]);
    assert_eq!(again.status.code(), Some(3));

    eval(&parent, &reports, "parent");
    eval(&child, &reports, "child");
    let report = tmp.path().join("consistency-report");
    let out = ok(&tb(&[
        "consistency",
        "parent",
        "child",
        "--reports",
        s(&reports),
        "--out",
        s(&report),
    ]));
    assert!(
        out.contains("rename,reorder,time-shift,reword,drop-healthy-pod"),
        "{out}"
    );
    let rows = evaluator::consistency::read_consistency_table(&report.join("consistency.parquet"))
        .unwrap();
    assert!(rows.len() >= 3, "{rows:?}");
    for r in &rows {
        assert_eq!(
            (r.parent_run.as_str(), r.child_run.as_str()),
            ("parent", "child")
        );
        assert!(r.n > 0 && r.consistent <= r.n);
        assert!((0.0..=1.0).contains(&r.consistency_rate));
        assert!((r.delta - (r.child_accuracy - r.parent_accuracy)).abs() < 1e-12);
    }
    assert!(report.join("consistency.txt").is_file());
    // The dashboard shows the newest report under <reports>/consistency/.
    let o = ok(&tb(&[
        "consistency",
        "parent",
        "child",
        "--reports",
        s(&reports),
    ]));
    assert!(o.contains("consistency report:"), "{o}");
    ok(&tb(&["dashboard", "--reports", s(&reports)]));
    let html = std::fs::read_to_string(reports.join("dashboard.html")).unwrap();
    assert!(
        html.contains("data-chart=\"consistency\""),
        "no consistency panel"
    );
    assert!(html.contains("rename,reorder"), "the rewrite is not shown");

    // Bad input: an unknown rewrite (exit 2, nothing written).
    let other = tmp.path().join("other");
    let o = tb(&[
        "perturb",
        s(&parent),
        "--rewrite",
        "rename,shuffle",
        "--out",
        s(&other),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown rewrite \"shuffle\""));
    assert!(!other.exists());

    // The parent corpus changes after the child was derived (regenerated with another seed):
    // its new run cannot be paired with the child's (exit 2, no report).
    generate(&parent, "6", true);
    eval(&parent, &reports, "parent2");
    let refused = tmp.path().join("refused-report");
    let o = tb(&[
        "consistency",
        "parent2",
        "child",
        "--reports",
        s(&reports),
        "--out",
        s(&refused),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("derived.parent.content_hash"), "{err}");
    assert!(!refused.exists());
    // A run on a corpus that is not derived is not a child.
    let o = tb(&[
        "consistency",
        "parent",
        "parent2",
        "--reports",
        s(&reports),
        "--out",
        s(&refused),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not made by triagebench perturb"));
    assert!(!refused.exists());
}

#[test]
fn a_hand_written_suite_is_perturbed_too() {
    let tmp = tempfile::tempdir().unwrap();
    let canonical = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/canonical");
    let child = tmp.path().join("canon");
    ok(&tb(&[
        "perturb",
        s(&canonical),
        "--rewrite",
        "rename,time-shift,drop-healthy-pod",
        "--out",
        s(&child),
    ]));
    ok(&tb(&["validate", s(&child), "--opensre-loader"]));
    let a = std::fs::read_to_string(child.join("002-oom-killed/answer.yml")).unwrap();
    assert!(!a.contains("payments-api"), "not renamed: {a}");
    assert!(a.contains("root_cause: container_oom"));
    let reports = tmp.path().join("reports");
    eval(&canonical, &reports, "p");
    eval(&child, &reports, "c");
    let out = ok(&tb(&["consistency", "p", "c", "--reports", s(&reports)]));
    assert!(out.contains("rename,time-shift,drop-healthy-pod"), "{out}");
}

//! `triagebench audit` end to end on small generated corpora: a train/test pair of two seeds is
//! audited and written (and a second audit into the same directory is refused with exit 3); a
//! failed threshold exits 1 naming it; bad input exits 2 and writes nothing: the same corpus
//! (or two corpora of the same seed) as train and test, a train corpus below the minimum, a
//! learned-baseline threshold without a train corpus. Corpora without phrasing splits give a
//! warning in the report, not an error.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn tb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_triagebench"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The corpora every test shares (generated once per test binary).
struct Corpora {
    _tmp: tempfile::TempDir,
    train: PathBuf,
    test: PathBuf,
    same_seed: PathBuf,
    small: PathBuf,
}

fn generate(out: &Path, count: u64, seed: u64) {
    let o = tb(&[
        "generate",
        "--count",
        &count.to_string(),
        "--seed",
        &seed.to_string(),
        "--profile",
        "opensre",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "generate failed: {:?}", text(&o));
}

fn corpora() -> &'static Corpora {
    static C: OnceLock<Corpora> = OnceLock::new();
    C.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let c = Corpora {
            train: tmp.path().join("train"),
            test: tmp.path().join("test"),
            same_seed: tmp.path().join("same-seed"),
            small: tmp.path().join("small"),
            _tmp: tmp,
        };
        generate(&c.train, 160, 11);
        generate(&c.test, 120, 12);
        generate(&c.same_seed, 130, 12);
        generate(&c.small, 40, 13);
        c
    })
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The entries of a directory (none if it does not exist).
fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_pair_of_seeds_is_audited_written_and_not_overwritten() {
    let c = corpora();
    let reports = tempfile::tempdir().unwrap();
    let args = [
        "audit",
        s(&c.test),
        "--train",
        s(&c.train),
        "--reports",
        s(reports.path()),
        "--id",
        "a1",
        "--quiet",
    ];
    let o = tb(&args);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    for want in [
        "goal figures:",
        "surface model, root cause, tier 3",
        "partial-input baselines",
        "rules baseline (built-in)",
        "localization leak",
        "fingerprints with root-cause precision >= 0.95 in >= 20 scenarios",
        // generate without --split: a warning, not an error.
        "without phrasing splits",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    let dir = reports.path().join("audits/a1");
    let rows = evaluator::audit::read_audit_table(&dir.join("audit.parquet")).unwrap();
    assert!(
        rows.iter()
            .any(|r| r.section == "surface" && r.input == "all")
    );
    assert!(rows.iter().any(|r| r.section == "rules" && r.tier == "all"));
    assert!(rows.iter().any(|r| r.section == "warning"));
    let summary = std::fs::read_to_string(dir.join("audit.txt")).unwrap();
    assert!(
        out.starts_with(&summary),
        "audit.txt is the printed summary"
    );

    // The dashboard draws the audit it finds under reports/audits/ beside the runs.
    let o = tb(&[
        "eval",
        "--corpus",
        s(&c.test),
        "--reports",
        s(reports.path()),
        "--quiet",
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    let data = evaluator::dashboard::load(reports.path()).unwrap();
    assert_eq!(data.audit.as_ref().map(|a| a.id.as_str()), Some("a1"));
    let html = evaluator::dashboard::render(&data);
    for chart in ["audit-baselines", "audit-fingerprints"] {
        let open = format!("data-chart=\"{chart}\"");
        let at = html
            .find(&open)
            .unwrap_or_else(|| panic!("missing {chart}"));
        let tag_end = at + html[at..].find('>').unwrap_or(0);
        assert!(
            !html[at..tag_end].contains("data-empty"),
            "{chart} is empty with an audit"
        );
    }

    let again = tb(&args);
    assert_eq!(again.status.code(), Some(3), "{:?}", text(&again));
    assert!(text(&again).1.contains("already exists"));
    assert_eq!(entries(&reports.path().join("audits")), ["a1"]);
}

#[test]
fn a_failed_threshold_exits_1_naming_it() {
    let c = corpora();
    let reports = tempfile::tempdir().unwrap();
    // Every fingerprint has a precision above 0, and every corpus has fingerprints.
    let o = tb(&[
        "audit",
        s(&c.test),
        "--reports",
        s(reports.path()),
        "--max-fingerprint-precision",
        "0",
        "--max-alert-localization",
        "1",
        "--quiet",
    ]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(err.contains("max-fingerprint-precision 0.000"), "{err}");
    assert!(!err.contains("max-alert-localization"), "{err}");
    assert!(out.contains("learned baselines skipped"), "{out}");
    // A failed gate still writes its audit.
    assert_eq!(entries(&reports.path().join("audits")).len(), 1);
}

#[test]
fn bad_pairs_exit_2_and_write_nothing() {
    let c = corpora();
    let reports = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (
            &["--train", s(&c.test)],
            "are the same corpus (the same directory)",
        ),
        (
            &["--train", s(&c.same_seed)],
            "seed: both corpora were generated from seed",
        ),
        (&["--train", s(&c.small)], "the audit needs at least 100"),
        (&["--max-surface-accuracy", "0.8"], "need --train <corpus>"),
        (
            &["--train", s(&c.train), "--precision", "1.5"],
            "expected a number in 0..1",
        ),
    ];
    for (extra, want) in cases {
        let mut args = vec![
            "audit",
            s(&c.test),
            "--reports",
            s(reports.path()),
            "--quiet",
        ];
        args.extend_from_slice(extra);
        let o = tb(&args);
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {out}\n{err}");
        assert!(err.contains(want), "{extra:?}: want {want:?} in {err}");
        assert!(
            entries(reports.path()).is_empty(),
            "{extra:?} wrote something"
        );
    }
    // The same corpus by content: a copy of the train corpus elsewhere.
    let copy = reports.path().join("copy");
    copy_dir(&c.train, &copy);
    let o = tb(&[
        "audit",
        s(&copy),
        "--train",
        s(&c.train),
        "--reports",
        s(reports.path()),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    assert!(text(&o).1.contains("identical content"), "{:?}", text(&o));
    assert_eq!(entries(reports.path()), ["copy"]);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

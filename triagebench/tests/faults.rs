//! Issue 14 end to end, through the binary: the faults and hostile inputs a user can hit, each
//! with its exit code and a message naming the file or flag, and nothing lost or left behind.
//! (kill -9 at random moments is `just stress`, not part of this suite.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_triagebench"))
        .args(args)
        .output()
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn canonical() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/canonical")
}

/// Copies the canonical suite (hand-written, no manifest, with `base:` children).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

#[test]
fn force_never_deletes_a_directory_that_is_not_a_corpus() {
    // Item 1.
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(repo.join("thesis.tex"), "years of work").unwrap();
    let o = tb(&[
        "generate",
        "--count",
        "2",
        "--out",
        s(&repo),
        "--force",
        "--quiet",
    ]);
    assert_eq!(code(&o), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("has no manifest.json"),
        "{}",
        stderr(&o)
    );
    assert!(repo.join("thesis.tex").is_file() && repo.join(".git").is_dir());
    // A corpus is replaced.
    let corpus = tmp.path().join("corpus");
    let o = tb(&["generate", "--count", "2", "--out", s(&corpus), "--quiet"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let o = tb(&[
        "generate",
        "--count",
        "3",
        "--out",
        s(&corpus),
        "--force",
        "--quiet",
    ]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(corpus.join("00002").is_dir());
}

#[test]
fn leftovers_of_dead_processes_are_removed_and_live_ones_kept() {
    // Item 2.
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new("true").spawn().unwrap();
    child.wait().unwrap();
    let dead = child.id();
    let me = std::process::id();
    let stale = tmp.path().join(format!(".corpus.partial-{dead}-Ab12Cd"));
    let old = tmp.path().join(format!(".corpus.old-{dead}"));
    let live = tmp.path().join(format!(".corpus.partial-{me}-Ab12Cd"));
    for d in [&stale, &old, &live] {
        std::fs::create_dir_all(d.join("00000")).unwrap();
    }
    let reports = tmp.path().join("reports");
    let stale_run = reports.join(format!(".tmp-{dead}-r0-Xy12Zz"));
    std::fs::create_dir_all(&stale_run).unwrap();

    let corpus = tmp.path().join("corpus");
    let o = tb(&["generate", "--count", "2", "--out", s(&corpus), "--quiet"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    if Path::new("/proc/self").exists() {
        assert!(!stale.exists() && !old.exists(), "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!(".corpus.partial-{dead}-Ab12Cd")),
            "{}",
            stderr(&o)
        );
    }
    assert!(live.exists(), "a live process's directory is never removed");

    let o = tb(&[
        "clean",
        "--corpus-parent",
        s(tmp.path()),
        "--reports",
        s(&reports),
    ]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    if Path::new("/proc/self").exists() {
        assert!(!stale_run.exists(), "{out}");
        assert!(out.contains("removed"), "{out}");
    }
    assert!(
        out.contains(&format!("process {me} is still running")),
        "{out}"
    );
    assert!(live.exists());
}

#[test]
fn hostile_numbers_get_range_messages_not_panics() {
    // Items 10, 12, 15 (--count -5).
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("c");
    let o = tb(&["generate", "--count", "-5", "--out", s(&out)]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("expected a whole number from 1 to 10000000, got -5"),
        "{}",
        stderr(&o)
    );
    let o = tb(&[
        "generate",
        "--count",
        "5",
        "--threads",
        "100000",
        "--out",
        s(&out),
    ]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--threads: 100000 is over the limit"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(names.is_empty(), "nothing left behind: {names:?}");

    let reports = tmp.path().join("reports");
    let c = canonical();
    for (flag, value, needle) in [
        ("--timeout", "1e300s", "over the limit"),
        ("--threads", "100000", "--threads: 100000 is over the limit"),
    ] {
        let o = tb(&[
            "eval",
            "--corpus",
            s(&c),
            "--reports",
            s(&reports),
            flag,
            value,
            "--quiet",
        ]);
        assert_eq!(code(&o), Some(2), "{flag}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{flag}: {}", stderr(&o));
    }
    assert!(!reports.exists());
}

#[test]
fn reports_at_a_root_or_inside_the_corpus_are_refused() {
    // Items 3 and 4.
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("suite");
    copy_dir(&canonical(), &corpus);
    let inside = corpus.join("reports");
    let o = tb(&[
        "eval",
        "--corpus",
        s(&corpus),
        "--reports",
        s(&inside),
        "--quiet",
    ]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is inside the corpus"),
        "{}",
        stderr(&o)
    );
    assert!(!inside.exists());
    let o = tb(&["eval", "--corpus", s(&corpus), "--reports", "/", "--quiet"]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("a filesystem root"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn links_and_special_files_in_a_corpus_are_named_not_followed() {
    // Items 5, 6 and 15 (a FIFO or directory named like an evidence file).
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside.json");
    std::fs::write(&outside, r#"{"pods": []}"#).unwrap();
    let suite = tmp.path().join("suite");
    copy_dir(&canonical(), &suite);
    // A child scenario whose own eks_pods.json would shadow its base's.
    let child = std::fs::read_dir(&suite)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            std::fs::read_to_string(p.join("scenario.yml")).is_ok_and(|t| t.contains("base:"))
        })
        .expect("the canonical suite has a child scenario");
    let name = child.file_name().unwrap().to_str().unwrap().to_owned();
    // Without its own file the child inherits its base's; a special file in its place must be
    // an error, not a reason to fall back to the base's.
    let target = child.join("eks_pods.json");
    std::fs::remove_file(&target).unwrap();
    let o = tb(&["validate", s(&suite)]);
    assert_eq!(code(&o), Some(0), "inherits the base's: {}", stderr(&o));
    for (make, needle) in [
        (
            Box::new(|p: &Path| std::os::unix::fs::symlink("/dev/zero", p).unwrap())
                as Box<dyn Fn(&Path)>,
            "is a symbolic link to /dev/zero",
        ),
        (
            Box::new(|p: &Path| std::os::unix::fs::symlink(p.with_extension("nope"), p).unwrap()),
            "is a symbolic link to",
        ),
        (
            Box::new(|p: &Path| {
                let ok = Command::new("mkfifo").arg(p).status().unwrap().success();
                assert!(ok, "mkfifo");
            }),
            "is a FIFO (named pipe), not a regular file",
        ),
        (
            Box::new(|p: &Path| std::fs::create_dir(p).unwrap()),
            "is a directory, not a regular file",
        ),
    ] {
        make(&target);
        let o = tb(&["validate", s(&suite)]);
        assert_eq!(code(&o), Some(2), "{needle}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!("{name}/eks_pods.json: {needle}")),
            "{needle}: {err}"
        );
        let meta = std::fs::symlink_metadata(&target).unwrap();
        if meta.is_dir() {
            std::fs::remove_dir(&target).unwrap();
        } else {
            std::fs::remove_file(&target).unwrap();
        }
    }
    // A symlinked scenario directory pointing outside the corpus.
    std::os::unix::fs::symlink(&child, suite.join("999-linked")).unwrap();
    let o = tb(&["validate", s(&suite)]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("999-linked: is a symbolic link to"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn validate_json_gives_file_field_and_message() {
    // Item 15.
    let tmp = tempfile::tempdir().unwrap();
    let suite = tmp.path().join("suite");
    copy_dir(&canonical(), &suite);
    let first = std::fs::read_dir(&suite)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("answer.yml").is_file())
        .min()
        .unwrap();
    let answer = std::fs::read_to_string(first.join("answer.yml")).unwrap();
    let broken: String = answer
        .lines()
        .map(|l| {
            if l.starts_with("root_cause_category:") {
                "root_cause_category: nonsense".to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(first.join("answer.yml"), broken).unwrap();
    let o = tb(&["validate", "--json", s(&suite)]);
    assert_eq!(code(&o), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["field"] == "root_cause_category")
        .unwrap_or_else(|| panic!("{doc}"));
    let name = first.file_name().unwrap().to_str().unwrap();
    assert_eq!(p["file"], format!("{name}/answer.yml"));
    assert!(p["message"].as_str().unwrap().contains("nonsense"), "{p}");
}

#[test]
fn a_corrupt_history_exits_2_with_the_way_back() {
    // Item 16.
    let tmp = tempfile::tempdir().unwrap();
    let reports = tmp.path().join("reports");
    let c = canonical();
    let eval = |id: &str| {
        tb(&[
            "eval",
            "--corpus",
            s(&c),
            "--reports",
            s(&reports),
            "--run-id",
            id,
            "--quiet",
        ])
    };
    assert_eq!(code(&eval("r1")), Some(0));
    std::fs::write(reports.join("history.parquet"), "garbage").unwrap();
    let o = eval("r2");
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("triagebench history rebuild --reports"),
        "{}",
        stderr(&o)
    );
    assert!(reports.join("r2/run.json").is_file(), "the run is written");
    for cmd in ["history", "dashboard"] {
        let o = tb(&[cmd, "--reports", s(&reports)]);
        assert_eq!(code(&o), Some(2), "{cmd}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("history rebuild"),
            "{cmd}: {}",
            stderr(&o)
        );
    }
    let o = tb(&["history", "rebuild", "--reports", s(&reports)]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let o = tb(&["history", "--reports", s(&reports), "--json"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let runs: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(runs.as_array().unwrap().len(), 2, "{runs}");
}

#[test]
fn just_recipes_build_with_progress_before_they_run() {
    // Item 18: `cargo run --quiet` hid the whole first release build (minutes of silence).
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../justfile")).unwrap();
    assert!(
        !text.contains("--quiet"),
        "no recipe hides cargo's progress"
    );
    let build = text
        .split("\nbuild:\n")
        .nth(1)
        .and_then(|r| r.lines().next())
        .unwrap_or_default();
    assert!(
        build.trim_start().starts_with("cargo build --release"),
        "{build}"
    );
    for recipe in [
        "generate:",
        "eval *args:",
        "validate dir=\"corpus/canonical\":",
        "history:",
    ] {
        let line = text
            .lines()
            .find(|l| l.starts_with(recipe))
            .unwrap_or_else(|| panic!("{recipe}"));
        assert!(
            line.ends_with(": build") || line.ends_with(" build"),
            "{line}"
        );
    }
}

#[test]
fn duplicate_json_keys_and_a_bom_are_named() {
    // Items 7 and 15: `restart_count` 14 then 0 used to load as 0.
    let tmp = tempfile::tempdir().unwrap();
    let suite = tmp.path().join("suite");
    copy_dir(&canonical(), &suite);
    let pods = suite.join("001-crashloop-backoff/eks_pods.json");
    let text = std::fs::read_to_string(&pods).unwrap();
    let dup = text.replacen(
        "\"restart_count\": 14,",
        "\"restart_count\": 14, \"restart_count\": 0,",
        1,
    );
    assert_ne!(dup, text);
    std::fs::write(&pods, &dup).unwrap();
    let o = tb(&["validate", s(&suite)]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "001-crashloop-backoff/eks_pods.json: malformed JSON: duplicate key \"restart_count\" at line 13"
        ),
        "{}",
        stderr(&o)
    );
    std::fs::write(&pods, format!("\u{feff}{text}")).unwrap();
    let o = tb(&["validate", s(&suite)]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("byte order mark"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn a_scenario_directory_name_that_is_not_utf8_is_named_as_such() {
    // Item 15: it used to say `scenario.yml: missing` although the file exists.
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let suite = tmp.path().join("suite");
    copy_dir(&canonical(), &suite);
    let odd = suite.join(std::ffi::OsStr::from_bytes(b"004-caf\xe9"));
    copy_dir(&suite.join("000-healthy"), &odd);
    let o = tb(&["validate", s(&suite)]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("directory name is not valid UTF-8"), "{err}");
    assert!(!err.contains("scenario.yml: missing"), "{err}");
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    // `triagebench ... | head`: the reader is gone before the command prints. The pipe's read
    // end is closed before the child starts, so every write fails (no race with the reader).
    // `print!` panicked there (exit 101); the commands now stop printing and finish their work.
    let reports = tempfile::tempdir().unwrap();
    let corpus = canonical();
    let runs: [&[&str]; 2] = [
        &["validate", s(&corpus)],
        &[
            "eval",
            "--corpus",
            s(&corpus),
            "--reports",
            s(reports.path()),
            "--run-id",
            "piped",
            "--quiet",
        ],
    ];
    for args in runs {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = Command::new(env!("CARGO_BIN_EXE_triagebench"))
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(writer)
            .output()
            .unwrap();
        assert_eq!(code(&o), Some(0), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}: {}", stderr(&o));
    }
    // eval's reports were written although nothing could be printed.
    assert!(reports.path().join("piped/run.json").is_file());
}

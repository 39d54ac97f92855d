//! `triagebench query` forwards its arguments to the separately built `triagebench-query`
//! binary: the one next to the running executable first, then the first on `PATH`; the exit
//! code is the query binary's; without one, exit 2 saying how to build it. The triagebench
//! binary is hard-linked into temp dirs (inside the target dir, so a link works) to control what
//! lies next to it; the query binary is a stand-in shell script that records its arguments.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A `triagebench` hard link in `dir/bin/`.
fn linked_tb(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let tb = bin.join("triagebench");
    std::fs::hard_link(env!("CARGO_BIN_EXE_triagebench"), &tb).unwrap();
    tb
}

/// A stand-in `triagebench-query` in `dir` that writes `tag` and its arguments (one a line) to
/// `record` and exits with `code`.
fn stand_in(dir: &Path, tag: &str, record: &Path, code: i32) {
    std::fs::create_dir_all(dir).unwrap();
    let script = dir.join("triagebench-query");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n{{ echo {tag}; for a in \"$@\"; do echo \"$a\"; done; }} > '{}'\nexit {code}\n",
            record.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn run(tb: &Path, path: &Path, args: &[&str]) -> Output {
    Command::new(tb)
        .args(args)
        .env("PATH", path)
        .output()
        .unwrap()
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

#[test]
fn forwards_every_argument_and_the_exit_code_to_the_binary_beside_it_first() {
    let t = tmp();
    let tb = linked_tb(t.path());
    let record = t.path().join("record");
    stand_in(&t.path().join("bin"), "beside", &record, 7);
    stand_in(&t.path().join("path"), "path", &record, 0);
    let o = run(
        &tb,
        &t.path().join("path"),
        &[
            "query",
            "slice",
            "--by",
            "run_id,difficulty",
            "--where",
            "a = 'b c'",
            "--help",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&record).unwrap(),
        "beside\nslice\n--by\nrun_id,difficulty\n--where\na = 'b c'\n--help\n"
    );
}

#[test]
fn falls_back_to_path() {
    let t = tmp();
    let tb = linked_tb(t.path());
    let record = t.path().join("record");
    stand_in(&t.path().join("path"), "path", &record, 0);
    let o = run(
        &tb,
        &t.path().join("path"),
        &["query", "trend", "--reports", "r"],
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&record).unwrap(),
        "path\ntrend\n--reports\nr\n"
    );
}

#[test]
fn without_the_binary_says_how_to_build_it() {
    let t = tmp();
    let tb = linked_tb(t.path());
    let empty = t.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let o = run(
        &tb,
        &empty,
        &["query", "slice", "--reports", "r", "--by", "run_id"],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("triagebench-query"), "{err}");
    assert!(err.contains("just query-build"), "{err}");
    assert!(
        err.contains("cargo build --release --locked --manifest-path query/Cargo.toml"),
        "{err}"
    );
}

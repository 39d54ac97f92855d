//! Packed corpora end to end: `pack` / `unpack` give byte-identical files and the same content
//! hash; `generate --format pack` writes the same bytes as packing the directory corpus;
//! `validate`, `eval` and `audit` read a pack as the directory; overwriting is refused (exit 3)
//! unless `--force` on a corpus; a corrupt member, a truncated or missing shard and an index that
//! disagrees with the shards are named (shard, scenario, byte offset) with exit 2, and lose only
//! their own scenarios.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn tb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_triagebench"))
        .args(args)
        .output()
        .unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn all(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    pack: PathBuf,
}

/// A 12-scenario corpus as directories, and packed 5 per shard (3 shards).
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("dir");
        let pack = tmp.path().join("pack");
        let s = |p: &Path| p.to_str().unwrap().to_owned();
        let o = tb(&[
            "generate",
            "--count",
            "12",
            "--seed",
            "5",
            "--out",
            &s(&dir),
            "-q",
        ]);
        assert_eq!(code(&o), 0, "{}", all(&o));
        let o = tb(&["pack", &s(&dir), "--out", &s(&pack), "--pack-size", "5"]);
        assert_eq!(code(&o), 0, "{}", all(&o));
        Fixture {
            _tmp: tmp,
            dir,
            pack,
        }
    })
}

fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for (rel, bytes) in files(from) {
        let p = to.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn pack_and_unpack_are_byte_identical_with_the_same_content_hash() {
    let f = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let back = tmp.path().join("back");
    let o = tb(&["unpack", s(&f.pack), "--out", s(&back)]);
    assert_eq!(code(&o), 0, "{}", all(&o));
    let (a, b) = (files(&f.dir), files(&back));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(b[k] == *v, "{k} differs after pack + unpack");
    }
    let names: Vec<String> = files(&f.pack).into_keys().collect();
    assert_eq!(
        names,
        [
            "manifest.json",
            "pack.json",
            "shard-00000.tar",
            "shard-00001.tar",
            "shard-00002.tar"
        ]
    );
    let dir_hash = scenario::manifest::content_hash(&f.dir).unwrap();
    let (pack, problems) = scenario::pack::Pack::open(&f.pack).unwrap();
    assert!(problems.is_empty());
    assert_eq!(pack.index().content_hash(), dir_hash);
    let manifest = scenario::manifest::Manifest::read(&f.pack).unwrap();
    assert_eq!(manifest.content_hash, dir_hash.0);
}

#[test]
fn generate_format_pack_writes_the_bytes_of_the_packed_directory_corpus() {
    let f = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("gen");
    let o = tb(&[
        "generate",
        "--count",
        "12",
        "--seed",
        "5",
        "--out",
        s(&out),
        "-q",
        "--format",
        "pack",
        "--pack-size",
        "5",
    ]);
    assert_eq!(code(&o), 0, "{}", all(&o));
    assert!(
        files(&f.pack) == files(&out),
        "generate --format pack != pack"
    );
    // A shard of a pack: the same files the whole pack has for its scenarios.
    let shard = tmp.path().join("shard");
    let o = tb(&[
        "generate",
        "--count",
        "12",
        "--seed",
        "5",
        "--out",
        s(&shard),
        "-q",
        "--format",
        "pack",
        "--shard",
        "1/3",
    ]);
    assert_eq!(code(&o), 0, "{}", all(&o));
    let (p, _) = scenario::pack::Pack::open(&shard).unwrap();
    assert_eq!(p.names(), ["00004", "00005", "00006", "00007"]);
    let (whole, _) = scenario::pack::Pack::open(&f.pack).unwrap();
    for n in p.names() {
        assert_eq!(p.read(&n).unwrap(), whole.read(&n).unwrap());
    }
    let o = tb(&[
        "generate",
        "--count",
        "3",
        "--out",
        s(&tmp.path().join("x")),
        "--format",
        "pack",
        "--pack-size",
        "0",
    ]);
    assert_eq!(code(&o), 2, "{}", all(&o));
}

#[test]
fn validate_eval_and_audit_read_a_pack_as_the_directory() {
    let f = fixture();
    let o = tb(&["validate", s(&f.pack)]);
    assert_eq!(code(&o), 0, "{}", all(&o));
    assert!(all(&o).contains("12 scenario(s) valid"), "{}", all(&o));
    let o = tb(&["validate", s(&f.pack), "--profile", "k8s-api"]);
    assert_eq!(code(&o), 0, "{}", all(&o));
    let tmp = tempfile::tempdir().unwrap();
    let reports = tmp.path().join("r");
    let mut runs = Vec::new();
    for (corpus, id) in [(&f.dir, "dir"), (&f.pack, "pack")] {
        for profile in ["opensre", "k8s-api"] {
            let run = format!("{id}-{profile}");
            let o = tb(&[
                "eval",
                "--corpus",
                s(corpus),
                "--reports",
                s(&reports),
                "--run-id",
                &run,
                "--quiet",
                "--profile",
                profile,
            ]);
            assert_eq!(code(&o), 0, "{}", all(&o));
            let text = std::fs::read_to_string(reports.join(&run).join("run.json")).unwrap();
            runs.push(serde_json::from_str::<serde_json::Value>(&text).unwrap());
        }
    }
    for (d, p) in [(&runs[0], &runs[2]), (&runs[1], &runs[3])] {
        assert_eq!(d["corpus_hash"], p["corpus_hash"]);
        assert_eq!(d["corpus_id"], p["corpus_id"]);
        assert_eq!(
            d["file_sha256"]["metrics.parquet"],
            p["file_sha256"]["metrics.parquet"]
        );
        assert_eq!(
            d["file_sha256"]["slices.parquet"],
            p["file_sha256"]["slices.parquet"]
        );
        assert_eq!(d["scenarios"], p["scenarios"]);
    }
    let o = tb(&["audit", s(&f.pack), "--reports", s(&reports), "--quiet"]);
    assert_eq!(code(&o), 0, "{}", all(&o));
}

#[test]
fn an_existing_output_is_refused_unless_force_on_a_corpus() {
    let f = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    for force in [false, true] {
        let mut args = vec!["pack", s(&f.dir), "--out", s(&other)];
        if force {
            args.push("--force");
        }
        let o = tb(&args);
        assert_eq!(code(&o), 3, "{}", all(&o));
        let mut args = vec!["unpack", s(&f.pack), "--out", s(&other)];
        if force {
            args.push("--force");
        }
        assert_eq!(code(&tb(&args)), 3);
    }
    assert_eq!(
        std::fs::read_to_string(other.join("notes.txt")).unwrap(),
        "mine"
    );
    let again = tmp.path().join("again");
    copy(&f.pack, &again);
    assert_eq!(code(&tb(&["pack", s(&f.dir), "--out", s(&again)])), 3);
    let o = tb(&[
        "pack",
        s(&f.dir),
        "--out",
        s(&again),
        "--force",
        "--pack-size",
        "12",
    ]);
    assert_eq!(code(&o), 0, "{}", all(&o));
    assert!(again.join("shard-00000.tar").is_file() && !again.join("shard-00001.tar").exists());
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn index(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p.join("pack.json")).unwrap()).unwrap()
}

fn bad_copy(tmp: &Path) -> PathBuf {
    let p = tmp.join("bad");
    copy(&fixture().pack, &p);
    p
}

#[test]
fn a_corrupt_member_loses_only_its_scenario_and_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let p = bad_copy(tmp.path());
    let i = index(&p);
    let member = &i["scenarios"][6]["files"][2];
    let offset = member["offset"].as_u64().unwrap();
    let shard = p.join("shard-00001.tar");
    let mut bytes = std::fs::read(&shard).unwrap();
    bytes[offset as usize + 3] ^= 1;
    std::fs::write(&shard, bytes).unwrap();
    let o = tb(&["validate", s(&p)]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    let text = all(&o);
    let path = member["path"].as_str().unwrap();
    assert!(
        text.contains(&format!(
            "{path}: in shard-00001.tar at byte offset {offset}: SHA-256"
        )),
        "{text}"
    );
    // validate lists every scenario; on failure it prints the problems, not a count
    assert_eq!(ok_rows(&text), 11, "{text}");
    let reports = tmp.path().join("r");
    let o = tb(&[
        "eval",
        "--corpus",
        s(&p),
        "--reports",
        s(&reports),
        "--run-id",
        "skip",
        "--quiet",
        "--skip-invalid",
        "--allow-modified",
    ]);
    assert_eq!(code(&o), 0, "{}", all(&o));
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("skip/run.json")).unwrap())
            .unwrap();
    assert_eq!(run["scenarios"], 11, "{run}");
}

#[test]
fn truncated_and_missing_shards_are_named_and_other_shards_load() {
    let tmp = tempfile::tempdir().unwrap();
    let p = bad_copy(tmp.path());
    let shard = p.join("shard-00002.tar");
    let len = std::fs::metadata(&shard).unwrap().len();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&shard)
        .unwrap();
    f.set_len(len - 3000).unwrap();
    let o = tb(&["validate", s(&p)]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    let text = all(&o);
    assert!(text.contains("shard-00002.tar: truncated"), "{text}");
    assert!(
        text.contains("00011: in shard-00002.tar at byte offset"),
        "{text}"
    );
    // only 00011 is cut off: the complete shards and 00010 before the cut still load
    assert_eq!(ok_rows(&text), 11, "{text}");
    std::fs::remove_file(&shard).unwrap();
    let o = tb(&["validate", s(&p)]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    assert!(
        all(&o).contains("shard-00002.tar: cannot open (listed in pack.json)"),
        "{}",
        all(&o)
    );
    assert_eq!(ok_rows(&all(&o)), 10, "{}", all(&o));
    let o = tb(&["unpack", s(&p), "--out", s(&tmp.path().join("u"))]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    assert!(!tmp.path().join("u").exists());
}

#[test]
fn an_index_that_disagrees_with_the_shards_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    type Edit = fn(&mut serde_json::Value);
    let cases: [(&str, Edit, &str); 4] = [
        (
            "wrong offset",
            |i| i["scenarios"][1]["offset"] = 7.into(),
            "pack.json: scenarios[1].offset",
        ),
        (
            "wrong length",
            |i| {
                let l = i["scenarios"][0]["files"][0]["length"].as_u64().unwrap();
                i["scenarios"][0]["files"][0]["length"] = (l + 1).into();
            },
            "the member has",
        ),
        (
            "listed scenario missing (another member at its place)",
            |i| i["scenarios"][4]["name"] = "00099".into(),
            "pack.json: scenarios[4].files[0].path",
        ),
        (
            "member not listed",
            |i| {
                let files = i["scenarios"][11]["files"].as_array_mut().unwrap();
                files.pop();
            },
            "pack.json: scenarios[11].length",
        ),
    ];
    for (what, edit, expected) in cases {
        let p = tmp.path().join(what.replace(' ', "-"));
        copy(&fixture().pack, &p);
        let mut i = index(&p);
        edit(&mut i);
        std::fs::write(p.join("pack.json"), i.to_string()).unwrap();
        let o = tb(&["validate", s(&p)]);
        assert_eq!(code(&o), 2, "{what}: {}", all(&o));
        assert!(all(&o).contains(expected), "{what}: {}", all(&o));
    }
}

/// The rows of `validate`'s table whose status is `ok`.
fn ok_rows(text: &str) -> usize {
    text.lines()
        .filter(|l| l.split_whitespace().last() == Some("ok"))
        .count()
}

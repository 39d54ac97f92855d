//! Packed corpora (format 2) end to end: `pack` / `unpack` give byte-identical files and the
//! same content hash, zstd or not; `generate --format pack` writes the same bytes as packing the
//! directory corpus; `validate`, `eval`, `audit` and `serve` read a pack as the directory; GNU
//! tar and zstd read a shard as it is; overwriting is refused (exit 3) unless `--force` on a
//! corpus; a corrupt member or zstd frame, a truncated or missing shard, a missing shard index
//! and a shard index that disagrees with its shard are named (shard or shard index, scenario,
//! byte offset or field) with exit 2, and lose only their own scenarios; names out of
//! content-hash order and a format 1 pack are refused.

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
            "shard-00000.json",
            "shard-00000.tar.zst",
            "shard-00001.json",
            "shard-00001.tar.zst",
            "shard-00002.json",
            "shard-00002.tar.zst"
        ]
    );
    // pack.json holds names only; the per-file detail is in the shard indexes
    let i = index(&f.pack);
    assert_eq!(i["format"], 2);
    assert_eq!(i["compression"], "zstd");
    assert_eq!(i["shards"][1]["file"], "shard-00001.tar.zst");
    assert_eq!(i["shards"][1]["index"], "shard-00001.json");
    assert_eq!(
        i["shards"][1]["scenarios"],
        serde_json::json!(["00005", "00006", "00007", "00008", "00009"])
    );
    let si = shard_index(&f.pack, 1);
    assert_eq!(si["shard"], "shard-00001.tar.zst");
    assert_eq!(si["scenarios"][0]["offset"], 0);
    let dir_hash = scenario::manifest::content_hash(&f.dir).unwrap();
    let (pack, problems) = scenario::pack::Pack::open(&f.pack).unwrap();
    assert!(problems.is_empty());
    assert_eq!(pack.content_hash().unwrap(), dir_hash);
    let manifest = scenario::manifest::Manifest::read(&f.pack).unwrap();
    assert_eq!(manifest.content_hash, dir_hash.0);
    // Uncompressed: plain .tar shards, the same files back.
    let plain = tmp.path().join("plain");
    let o = tb(&[
        "pack",
        s(&f.dir),
        "--out",
        s(&plain),
        "--pack-size",
        "5",
        "--pack-compress",
        "none",
    ]);
    assert_eq!(code(&o), 0, "{}", all(&o));
    assert!(plain.join("shard-00002.tar").is_file());
    assert_eq!(index(&plain)["compression"], "none");
    let (pack, _) = scenario::pack::Pack::open(&plain).unwrap();
    assert_eq!(pack.content_hash().unwrap(), dir_hash);
    let back2 = tmp.path().join("back2");
    let o = tb(&["unpack", s(&plain), "--out", s(&back2)]);
    assert_eq!(code(&o), 0, "{}", all(&o));
    assert!(files(&back2) == a, "pack --pack-compress none + unpack");
}

/// The shard files of the zstd pack of the fixture, and of the plain one, are tar archives as
/// they are: GNU tar (through zstd) extracts the corpus files of their scenarios.
#[test]
fn tar_and_zstd_read_a_shard_as_it_is() {
    let f = fixture();
    let have = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("zstd") || !have("tar") {
        eprintln!("note: zstd or tar is not on PATH: shard extraction not tested");
        return;
    }
    let expected: BTreeMap<String, Vec<u8>> = files(&f.dir)
        .into_iter()
        .filter(|(k, _)| {
            ["00005/", "00006/", "00007/", "00008/", "00009/"]
                .iter()
                .any(|p| k.starts_with(p))
        })
        .collect();
    assert!(!expected.is_empty());
    let shard = f.pack.join("shard-00001.tar.zst");
    let tmp = tempfile::tempdir().unwrap();
    // zstd -dc | tar -x: the concatenated frames are one zstd stream
    let piped = tmp.path().join("piped");
    std::fs::create_dir(&piped).unwrap();
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "zstd -dc '{}' | tar -x -C '{}'",
            shard.display(),
            piped.display()
        ))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", all(&o));
    assert!(files(&piped) == expected, "zstd -dc | tar -x");
    // tar --zstd -xf
    let direct = tmp.path().join("direct");
    std::fs::create_dir(&direct).unwrap();
    let o = Command::new("tar")
        .arg("--zstd")
        .arg("-xf")
        .arg(&shard)
        .arg("-C")
        .arg(&direct)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", all(&o));
    assert!(files(&direct) == expected, "tar --zstd -xf");
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
    assert!(
        again.join("shard-00000.tar.zst").is_file()
            && again.join("shard-00000.json").is_file()
            && !again.join("shard-00001.tar.zst").exists()
            && !again.join("shard-00001.json").exists()
    );
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

fn shard_index(p: &Path, i: usize) -> serde_json::Value {
    let name = format!("shard-{i:05}.json");
    serde_json::from_str(&std::fs::read_to_string(p.join(name)).unwrap()).unwrap()
}

fn write_shard_index(p: &Path, i: usize, v: &serde_json::Value) {
    std::fs::write(p.join(format!("shard-{i:05}.json")), v.to_string()).unwrap();
}

/// `eval --skip-invalid --allow-modified` on `p`: the number of scenarios it scored.
fn eval_skipping(p: &Path, reports: &Path) -> u64 {
    let o = tb(&[
        "eval",
        "--corpus",
        s(p),
        "--reports",
        s(reports),
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
    run["scenarios"].as_u64().unwrap()
}

fn bad_copy(tmp: &Path) -> PathBuf {
    let p = tmp.join("bad");
    copy(&fixture().pack, &p);
    p
}

#[test]
fn a_corrupt_member_loses_only_its_scenario_and_is_named() {
    // Uncompressed, so that the flipped bit reaches the member (zstd would refuse the frame).
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("plain");
    let o = tb(&[
        "pack",
        s(&fixture().dir),
        "--out",
        s(&p),
        "--pack-size",
        "5",
        "--pack-compress",
        "none",
    ]);
    assert_eq!(code(&o), 0, "{}", all(&o));
    let si = shard_index(&p, 1);
    assert_eq!(si["scenarios"][1]["name"], "00006");
    let member = &si["scenarios"][1]["files"][2];
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
    assert_eq!(eval_skipping(&p, &tmp.path().join("r")), 11);
}

#[test]
fn a_corrupt_zstd_frame_loses_only_its_scenario_and_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let p = bad_copy(tmp.path());
    let si = shard_index(&p, 1);
    let frame = &si["scenarios"][1];
    assert_eq!(frame["name"], "00006");
    let (offset, length) = (
        frame["offset"].as_u64().unwrap(),
        frame["length"].as_u64().unwrap(),
    );
    let shard = p.join("shard-00001.tar.zst");
    let mut bytes = std::fs::read(&shard).unwrap();
    for k in [length / 3, length / 2, 2 * length / 3] {
        bytes[(offset + k) as usize] ^= 0x55;
    }
    std::fs::write(&shard, bytes).unwrap();
    let o = tb(&["validate", s(&p)]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    let text = all(&o);
    assert!(
        text.contains(&format!(
            "00006: in shard-00001.tar.zst at byte offset {offset}: the zstd frame"
        )),
        "{text}"
    );
    assert_eq!(ok_rows(&text), 11, "{text}");
    assert_eq!(eval_skipping(&p, &tmp.path().join("r")), 11);
}

#[test]
fn truncated_and_missing_shards_are_named_and_other_shards_load() {
    let tmp = tempfile::tempdir().unwrap();
    let p = bad_copy(tmp.path());
    let shard = p.join("shard-00002.tar.zst");
    let len = std::fs::metadata(&shard).unwrap().len();
    // the cut falls inside 00011's frame, after 00010's
    let si = shard_index(&p, 2);
    assert!(si["scenarios"][1]["offset"].as_u64().unwrap() > 3000);
    assert!(si["scenarios"][1]["length"].as_u64().unwrap() > 3000);
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&shard)
        .unwrap();
    f.set_len(len - 3000).unwrap();
    let o = tb(&["validate", s(&p)]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    let text = all(&o);
    assert!(text.contains("shard-00002.tar.zst: truncated"), "{text}");
    assert!(
        text.contains("00011: in shard-00002.tar.zst at byte offset"),
        "{text}"
    );
    // only 00011 is cut off: the complete shards and 00010 before the cut still load
    assert_eq!(ok_rows(&text), 11, "{text}");
    assert_eq!(eval_skipping(&p, &tmp.path().join("r")), 11);
    std::fs::remove_file(&shard).unwrap();
    let o = tb(&["validate", s(&p)]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    assert!(
        all(&o).contains("shard-00002.tar.zst: cannot open (listed in pack.json)"),
        "{}",
        all(&o)
    );
    assert_eq!(ok_rows(&all(&o)), 10, "{}", all(&o));
    let o = tb(&["unpack", s(&p), "--out", s(&tmp.path().join("u"))]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    assert!(!tmp.path().join("u").exists());
}

#[test]
fn a_missing_shard_index_loses_only_its_shards_scenarios() {
    let tmp = tempfile::tempdir().unwrap();
    let p = bad_copy(tmp.path());
    std::fs::remove_file(p.join("shard-00001.json")).unwrap();
    let o = tb(&["validate", s(&p)]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    let text = all(&o);
    for n in ["00005", "00009"] {
        assert!(
            text.contains(&format!(
                "{n}: shard-00001.json: cannot read (listed in pack.json)"
            )),
            "{text}"
        );
    }
    assert_eq!(ok_rows(&text), 7, "{text}");
    assert_eq!(eval_skipping(&p, &tmp.path().join("r")), 7);
}

#[test]
fn a_shard_index_that_disagrees_with_its_shard_loses_its_scenarios() {
    let tmp = tempfile::tempdir().unwrap();
    type Edit = fn(&mut serde_json::Value);
    // (what, shard, edit, expected problem, scenarios that still load)
    let cases: [(&str, usize, Edit, &str, usize); 5] = [
        (
            "wrong offset",
            0,
            |i| i["scenarios"][1]["offset"] = 7.into(),
            "00000: shard-00000.json: scenarios[1].offset: 7 but",
            7,
        ),
        (
            "wrong length",
            0,
            |i| {
                let l = i["scenarios"][0]["files"][0]["length"].as_u64().unwrap();
                i["scenarios"][0]["files"][0]["length"] = (l + 1).into();
            },
            "the member has",
            11,
        ),
        (
            "wrong frame length",
            1,
            |i| {
                let l = i["scenarios"][4]["length"].as_u64().unwrap();
                i["scenarios"][4]["length"] = (l - 1).into();
            },
            "00009: in shard-00001.tar.zst at byte offset",
            11,
        ),
        (
            "another scenario at its place",
            0,
            |i| i["scenarios"][4]["name"] = "00099".into(),
            "shard-00000.json: scenarios[4].name: \"00099\" but pack.json lists \"00004\"",
            7,
        ),
        (
            "member not listed",
            2,
            |i| {
                let files = i["scenarios"][1]["files"].as_array_mut().unwrap();
                files.pop();
            },
            "00010: shard-00002.json: scenarios[1].size",
            10,
        ),
    ];
    for (what, shard, edit, expected, ok) in cases {
        let p = tmp.path().join(what.replace(' ', "-"));
        copy(&fixture().pack, &p);
        let mut i = shard_index(&p, shard);
        edit(&mut i);
        write_shard_index(&p, shard, &i);
        let o = tb(&["validate", s(&p)]);
        assert_eq!(code(&o), 2, "{what}: {}", all(&o));
        assert!(all(&o).contains(expected), "{what}: {}", all(&o));
        assert_eq!(ok_rows(&all(&o)), ok, "{what}: {}", all(&o));
    }
}

#[test]
fn names_out_of_order_and_format_1_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let p = bad_copy(tmp.path());
    let mut i = index(&p);
    i["shards"][1]["scenarios"][0] = "00004".into();
    std::fs::write(p.join("pack.json"), i.to_string()).unwrap();
    let o = tb(&["validate", s(&p)]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    assert!(
        all(&o)
            .contains("pack.json: shards[1].scenarios[0]: \"00004\" does not come after \"00004\""),
        "{}",
        all(&o)
    );
    let mut i = index(&fixture().pack);
    i["shards"][0]["scenarios"]
        .as_array_mut()
        .unwrap()
        .swap(0, 1);
    std::fs::write(p.join("pack.json"), i.to_string()).unwrap();
    let o = tb(&["validate", s(&p)]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    assert!(
        all(&o)
            .contains("pack.json: shards[0].scenarios[1]: \"00000\" does not come after \"00001\""),
        "{}",
        all(&o)
    );
    let format1 = serde_json::json!({"format": 1, "shards": ["shard-00000.tar"], "scenarios": []});
    std::fs::write(p.join("pack.json"), format1.to_string()).unwrap();
    for args in [
        vec!["validate", s(&p)],
        vec!["unpack", s(&p), "--out", s(&tmp.path().join("u"))],
    ] {
        let o = tb(&args);
        assert_eq!(code(&o), 2, "{}", all(&o));
        assert!(
            all(&o).contains("pack format 1: unpack with an older triagebench or regenerate"),
            "{}",
            all(&o)
        );
    }
}

/// `serve` loads through the corpus reader: a pack serves what its directory corpus serves
/// (timestamps aside: each run shifts them to its own start).
#[test]
fn serve_reads_a_pack_as_the_directory() {
    use std::io::{BufRead, BufReader, Write};
    let f = fixture();
    let id = scenario::case_id("00003");
    let session = |corpus: &Path| -> Vec<String> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_triagebench"))
            .args(["serve", "--corpus", s(corpus), "--stdio", "--scenario", &id])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let messages = [
            serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"}}}),
            serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
                "name": "get_eks_events", "arguments": {}}}),
        ];
        let mut answers = Vec::new();
        for m in &messages {
            writeln!(stdin, "{m}").unwrap();
            stdin.flush().unwrap();
            if m.get("id").is_some() {
                let mut line = String::new();
                out.read_line(&mut line).unwrap();
                answers.push(line.replace(|c: char| c.is_ascii_digit(), ""));
            }
        }
        drop(stdin);
        let status = child.wait().unwrap();
        assert!(
            status.success(),
            "serve --corpus {}: {status:?}",
            corpus.display()
        );
        answers
    };
    let (dir, pack) = (session(&f.dir), session(&f.pack));
    assert!(dir[1].contains("\"result\""), "{}", dir[1]);
    assert_eq!(dir, pack);
}

/// The rows of `validate`'s table whose status is `ok`.
fn ok_rows(text: &str) -> usize {
    text.lines()
        .filter(|l| l.split_whitespace().last() == Some("ok"))
        .count()
}

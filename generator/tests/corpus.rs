//! End-to-end tests over the repository's templates: a corpus (2,000 in release, 400 in debug) is byte-identical
//! whatever the thread count and run (on disk with 2 threads, in memory with 1), loads and validates through `scenario::load`, and leaks no
//! label into any evidence file; output is refused or replaced safely.

use std::path::{Path, PathBuf};

use generator::{
    Config, GenError, NoProgress, Profile, Templates, load_templates, parse_mix, render_scenario,
};
use scenario::{Category, FailureMode, RootCause};

fn templates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates")
}

fn templates() -> Templates {
    load_templates(&templates_dir()).expect("repository templates load")
}

fn generate(
    t: &Templates,
    out: &Path,
    count: u64,
    threads: Option<usize>,
    force: bool,
) -> Result<generator::Summary, GenError> {
    let config = Config::new(t, count, 42, out.to_path_buf(), None, threads, force)?;
    generator::generate(&config, t, &NoProgress)
}

/// Words that would give the label away: every failure mode, root cause and category id
/// (except the generic `unknown`/`none`), and the difficulty.
fn banned() -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    words.extend(
        FailureMode::ALL
            .iter()
            .filter(|m| **m != FailureMode::Unknown)
            .map(std::string::ToString::to_string),
    );
    words.extend(
        RootCause::ALL
            .iter()
            .filter(|c| !matches!(c, RootCause::Unknown | RootCause::None))
            .map(std::string::ToString::to_string),
    );
    words.extend(
        Category::ALL
            .iter()
            .filter(|c| **c != Category::Unknown)
            .map(std::string::ToString::to_string),
    );
    words.extend(
        [
            "difficulty",
            "scenario_difficulty",
            "adversarial",
            "adversarial_signals",
        ]
        .map(String::from),
    );
    words.sort();
    words.dedup();
    words
}

/// The whole words of lowercased `hay` (a word char is [a-z0-9_]): a banned word, itself made
/// of word chars only, occurs as a whole word exactly when it is one of them.
fn words(hay: &str) -> std::collections::HashSet<&str> {
    hay.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Every leak in a corpus directory: (file, word).
fn leaks(root: &Path) -> Vec<(String, String)> {
    let banned = banned();
    assert!(
        banned
            .iter()
            .all(|w| words(w).len() == 1 && *w == w.to_ascii_lowercase()),
        "banned words are single lowercase words"
    );
    let mut found = Vec::new();
    for entry in std::fs::read_dir(root).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "manifest.json" {
            continue;
        }
        if !name.bytes().all(|b| b.is_ascii_digit()) {
            found.push((name.clone(), "directory name is not a bare number".into()));
            continue;
        }
        let mut files: Vec<(String, std::path::PathBuf)> = Vec::new();
        for file in std::fs::read_dir(entry.path()).unwrap() {
            let file = file.unwrap();
            let fname = file.file_name().to_string_lossy().into_owned();
            if file.file_type().unwrap().is_dir() {
                for sub in std::fs::read_dir(file.path()).unwrap() {
                    let sub = sub.unwrap();
                    let sname = sub.file_name().to_string_lossy().into_owned();
                    files.push((format!("{fname}/{sname}"), sub.path()));
                }
            } else {
                files.push((fname, file.path()));
            }
        }
        for (fname, path) in files {
            if fname == "scenario.yml" || fname == "answer.yml" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let lower = text.to_ascii_lowercase();
            let present = words(&lower);
            for w in &banned {
                if present.contains(w.as_str()) {
                    found.push((format!("{name}/{fname}"), w.clone()));
                }
            }
            // Names a reader sees must be neutral too: images and tags quoted in events, logs
            // and tags; cluster, namespace and workload names of the alert.
            let mut seen: Vec<String> = Vec::new();
            for (open, close) in [
                ("image \\\"", "\\\""),
                ("image_tag:", "\""),
                ("Pulling image ", " "),
            ] {
                let mut rest = text.as_str();
                while let Some(i) = rest.find(open) {
                    rest = &rest[i + open.len()..];
                    let end = rest.find(close).unwrap_or(rest.len()).min(200);
                    seen.push(rest[..end].to_owned());
                }
            }
            if fname == "alert.json" {
                let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                for k in ["cluster_name", "namespace", "workload_name", "service"] {
                    seen.push(v["commonLabels"][k].as_str().unwrap_or("").to_owned());
                }
            }
            for n in seen {
                for w in ["oom", "crash", "leak", "bad", "broken", "fail", "healthy"] {
                    if n.to_ascii_lowercase().contains(w) {
                        found.push((format!("{name}/{fname}"), format!("name {n} contains {w}")));
                    }
                }
            }
            if fname == "eks_pods.json" {
                let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                for pod in v["pods"].as_array().into_iter().flatten() {
                    let mut names = vec![pod["name"].as_str().unwrap_or("").to_owned()];
                    for c in pod["containers"].as_array().into_iter().flatten() {
                        names.push(c["name"].as_str().unwrap_or("").to_owned());
                    }
                    for n in names {
                        for w in [
                            "oom", "crash", "leak", "bad", "broken", "fail", "error", "healthy",
                        ] {
                            if n.contains(w) {
                                found.push((
                                    format!("{name}/{fname}"),
                                    format!("name {n} contains {w}"),
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    found
}

#[test]
fn thread_count_does_not_change_the_corpus() {
    // The whole corpus must be equal at 1 and 2 threads; 300 scenarios keep this test fast
    // (validity and coverage are checked on 1,000 below).
    let t = templates();
    let tmp = ram_tempdir();
    let a = tmp.path().join("a");
    let one = generate(&t, &a, 300, Some(2), false).expect("2 threads");
    // A second run, in memory on one thread, hashes to the same content hash.
    let mix = parse_mix(&t, "").unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let rendered: Vec<_> = pool.install(|| {
        (0..300)
            .map(|i| render_scenario(&t, &mix, 42, i, 300, Profile::Both).unwrap())
            .collect()
    });
    assert_eq!(
        memory_hash(&rendered),
        one.manifest.content_hash,
        "thread count or run changed the corpus"
    );
    // The manifest's hash is the hash of what is on disk.
    let (hash, files, bytes) = scenario::manifest::content_hash(&a).unwrap();
    assert_eq!(
        (hash, files, bytes),
        (
            one.manifest.content_hash.clone(),
            one.manifest.files,
            one.manifest.bytes
        )
    );
}

/// A temp dir in RAM where the machine has one: writing and deleting thousands of small files
/// on a disk mounted with `discard` takes longer than generating them.
fn ram_tempdir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(dir) = tempfile::tempdir_in(shm)
    {
        return dir;
    }
    tempfile::tempdir().unwrap()
}

#[test]
fn corpus_of_1000_is_valid_and_leak_free() {
    // 1,000 scenarios (seed 42) hold every root cause at least 27 times and every tier.
    let t = templates();
    let tmp = ram_tempdir();
    let a = tmp.path().join("a");
    let one = generate(&t, &a, 1000, None, false).expect("generate");

    // Every scenario loads and validates; labels agree with the manifest.
    let suite = scenario::load(&a).unwrap_or_else(|p| panic!("corpus does not validate:\n{p}"));
    assert_eq!(suite.scenarios().len(), 1000);
    let counts = scenario::load::label_counts(suite.scenarios());
    for level in [
        "failure_mode",
        "root_cause",
        "root_cause_category",
        "difficulty",
    ] {
        assert_eq!(counts.get(level), one.manifest.counts.get(level), "{level}");
    }
    // Coverage: every cause of the spec and every tier appear.
    for cause in t.causes() {
        assert!(
            counts["root_cause"]
                .get(cause.as_str())
                .copied()
                .unwrap_or(0)
                > 0,
            "{cause} never generated"
        );
    }
    for tier in 0..4 {
        assert!(
            counts["difficulty"]
                .get(&tier.to_string())
                .copied()
                .unwrap_or(0)
                > 0
        );
    }
    for s in suite.scenarios() {
        assert_eq!(s.id(), s.dir_name());
        let a = s.answer();
        assert!(!s.answer_file().required_keywords.is_empty());
        for section in [
            "ROOT_CAUSE:",
            "ROOT_CAUSE_CATEGORY:",
            "VALIDATED_CLAIMS:",
            "NON_VALIDATED_CLAIMS:",
            "CAUSAL_CHAIN:",
        ] {
            assert!(
                s.answer_file().model_response.contains(section),
                "{}: {section}",
                s.id()
            );
        }
        if a.failure_mode == FailureMode::Healthy {
            assert!(a.affected_pod.is_none());
        } else {
            let pod = a.affected_pod.clone().expect("affected pod");
            let name = pod.split_once('/').unwrap().1;
            let pods = s.case().evidence.pods().expect("pods available");
            assert!(
                pods.pods.iter().any(|p| p.name == name),
                "{}: affected pod {pod} not in eks_pods",
                s.id()
            );
            assert!(a.affected_container.is_some());
        }
        if a.failure_mode == FailureMode::CrashloopBackoff
            && a.root_cause != Some(RootCause::MissingConfig)
        {
            assert!(a.exit_code.is_some(), "{}", s.id());
        }
    }
    let found = leaks(&a);
    assert!(
        found.is_empty(),
        "label leaks:\n{}",
        found
            .iter()
            .take(20)
            .map(|(f, w)| format!("{f}: {w}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn rendering_is_a_pure_function_of_seed_and_index() {
    let t = templates();
    let mix = parse_mix(&t, "").unwrap();
    for i in [0u64, 7, 123, 999] {
        let x = render_scenario(&t, &mix, 9, i, 1000, Profile::Both).unwrap();
        let y = render_scenario(&t, &mix, 9, i, 1000, Profile::Both).unwrap();
        assert_eq!(x.files, y.files);
        assert_eq!(x.dir_name, format!("{i:05}"));
    }
    let x = render_scenario(&t, &mix, 9, 5, 1000, Profile::Both).unwrap();
    let y = render_scenario(&t, &mix, 10, 5, 1000, Profile::Both).unwrap();
    assert_ne!(x.files, y.files, "the seed must matter");
}

#[test]
fn refuses_a_non_empty_out_without_force_and_replaces_it_with_force() {
    let t = templates();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("corpus");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "precious").unwrap();
    let err = generate(&t, &out, 5, None, false).unwrap_err();
    assert!(matches!(err, GenError::Refused { .. }), "{err}");
    assert!(err.to_string().contains("--force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("keep.txt")).unwrap(),
        "precious"
    );
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "nothing else written"
    );

    // Issue 14 item 1: --force never deletes a directory that is not a corpus of ours.
    let err = generate(&t, &out, 5, None, true).unwrap_err();
    assert!(matches!(err, GenError::NotACorpus { .. }), "{err}");
    assert!(err.to_string().contains("has no manifest.json"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("keep.txt")).unwrap(),
        "precious"
    );
    std::fs::remove_file(out.join("keep.txt")).unwrap();
    generate(&t, &out, 3, None, false).expect("an empty out is fine");

    // A corpus is replaced with --force.
    let s = generate(&t, &out, 5, None, true).expect("force replaces a corpus");
    assert_eq!(s.manifest.count, 5);
    assert!(out.join("00000/scenario.yml").is_file());
    assert!(out.join("manifest.json").is_file());
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec!["corpus".to_owned()],
        "no temporary or old directory left"
    );

    // An empty existing directory is fine without --force.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    generate(&t, &empty, 3, None, false).expect("empty out is fine");
}

#[test]
fn force_refuses_the_templates_a_git_checkout_and_a_corpus_inside_a_corpus() {
    // Issue 14 items 1 and 3.
    let tmp = tempfile::tempdir().unwrap();
    let tdir = tmp.path().join("templates");
    copy_dir(&templates_dir(), &tdir);
    let t = load_templates(&tdir).unwrap();
    let err = generate(&t, &tdir, 3, None, true).unwrap_err().to_string();
    assert!(err.contains("is or holds the templates directory"), "{err}");
    let err = generate(&t, tmp.path(), 3, None, true)
        .unwrap_err()
        .to_string();
    assert!(err.contains("is or holds the templates directory"), "{err}");
    assert!(tdir.join("families.yml").is_file(), "templates untouched");

    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(repo.join("notes.md"), "mine").unwrap();
    let err = generate(&t, &repo, 3, None, true).unwrap_err();
    assert!(matches!(err, GenError::NotACorpus { .. }), "{err}");
    assert!(repo.join(".git").is_dir() && repo.join("notes.md").is_file());

    let outer = tmp.path().join("outer");
    generate(&t, &outer, 3, None, false).unwrap();
    let inner = outer.join("00000/nested");
    let err = generate(&t, &inner, 3, None, false)
        .unwrap_err()
        .to_string();
    assert!(err.contains("is inside the corpus"), "{err}");
    let shown = std::fs::canonicalize(&outer).unwrap().display().to_string();
    assert!(err.contains(&shown), "{err}");
    assert!(!inner.exists());
}

#[test]
fn a_broken_template_fails_naming_it_and_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let tdir = tmp.path().join("templates");
    copy_dir(&templates_dir(), &tdir);
    let pods = tdir.join("k8s-api/pods.json.j2");
    let text = std::fs::read_to_string(&pods).unwrap().replace(
        "\"phase\": {{ p.phase | tojson }}",
        "\"phase\": {{ p.no_such_field | tojson }}",
    );
    assert!(text.contains("no_such_field"));
    std::fs::write(&pods, text).unwrap();
    let t = load_templates(&tdir).expect("still compiles");
    let out = tmp.path().join("out");
    let err = generate(&t, &out, 20, Some(2), false).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("k8s-api/pods.json.j2"), "{msg}");
    assert!(!out.exists());
    let left: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left,
        vec!["templates".to_owned()],
        "partial output left behind"
    );

    // A template that does not compile is reported at load time with its file.
    std::fs::write(&pods, "{% for %}").unwrap();
    let err = load_templates(&tdir).unwrap_err().to_string();
    assert!(err.contains("k8s-api/pods.json.j2"), "{err}");
}

#[test]
fn bad_options_are_rejected_before_anything_is_written() {
    let t = templates();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x");
    for (mix, needle) in [
        ("oom_killed=2,nope=1", "unknown name \"nope\""),
        ("oom_killed", "not name=weight"),
        ("node_oom=-1", "expected a number >= 0"),
        (
            "healthy=0,crashloop_backoff=0,oom_killed=0,image_pull_backoff=0",
            "every weight is zero",
        ),
        ("node_not_ready=1", "no causes in the family spec"),
    ] {
        let err = Config::new(&t, 10, 1, out.clone(), Some(mix), None, false)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("--mix: ") && err.contains(needle),
            "{mix}: {err}"
        );
    }
    assert!(
        Config::new(&t, 0, 1, out.clone(), None, None, false)
            .unwrap_err()
            .to_string()
            .starts_with("--count")
    );
    assert!(
        Config::new(&t, 1, 1, out.clone(), None, Some(0), false)
            .unwrap_err()
            .to_string()
            .starts_with("--threads")
    );
    assert!(!out.exists());
}

#[test]
fn mix_weights_modes_then_causes() {
    let t = templates();
    let m = parse_mix(&t, "").unwrap();
    let w = |c: RootCause| m.0.iter().find(|(x, _)| *x == c).map_or(0, |(_, w)| *w);
    // Balanced over the spec's modes, then over each mode's causes (counted from the spec, so a
    // new cause needs no edit here).
    let modes = t.spec.modes.len() as f64;
    let in_mode = |c: RootCause| t.causes().filter(|x| x.mode() == c.mode()).count() as f64;
    for c in t.causes() {
        let want = (1_000_000.0 / modes / in_mode(c)).round() as u32;
        assert_eq!(w(c), want, "{c}");
    }
    let m = parse_mix(&t, "oom_killed=2,node_oom=3").unwrap();
    let w = |c: RootCause| m.0.iter().find(|(x, _)| *x == c).map_or(0, |(_, w)| *w);
    // oom_killed gets 2 of 5 mode shares; node_oom 3 of the 4 weights inside it.
    let oom_share = 2.0 / (modes + 1.0);
    let others = in_mode(RootCause::NodeOom) - 1.0;
    let node = (1_000_000.0 * oom_share * 3.0 / (3.0 + others)).round() as u32;
    let container = (1_000_000.0 * oom_share / (3.0 + others)).round() as u32;
    assert_eq!(w(RootCause::NodeOom), node);
    assert_eq!(w(RootCause::ContainerOom), container);
    let m = parse_mix(&t, "image_pull_backoff=0,healthy=0,crashloop_backoff=0").unwrap();
    assert!(m.0.iter().all(|(c, _)| c.mode() == FailureMode::OomKilled));
}

/// `scenario::manifest::content_hash` of a corpus that is still in memory.
fn memory_hash(scenarios: &[generator::RenderedScenario]) -> String {
    let mut files: Vec<(String, &str)> = scenarios
        .iter()
        .flat_map(|s| {
            s.files
                .iter()
                .map(move |(f, text)| (format!("{}/{f}", s.dir_name), text.as_str()))
        })
        .collect();
    files.sort();
    scenario::manifest::hash_entries(
        files
            .iter()
            .map(|(rel, text)| (rel.as_str(), text.as_bytes())),
    )
}

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

#[test]
fn the_leak_scan_finds_a_planted_label() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("00001");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("scenario.yml"), "failure_mode: oom_killed\n").unwrap();
    std::fs::write(dir.join("eks_events.json"), r#"{"reason": "app_error_x"}"#).unwrap();
    assert!(
        leaks(tmp.path()).is_empty(),
        "labels are allowed in scenario.yml"
    );
    std::fs::write(
        dir.join("eks_pod_logs.json"),
        r#"{"logs": "exit (OOM_Killed)."}"#,
    )
    .unwrap();
    assert_eq!(
        leaks(tmp.path()),
        [(
            "00001/eks_pod_logs.json".to_owned(),
            "oom_killed".to_owned()
        )]
    );
}

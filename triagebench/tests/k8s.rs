//! Issue 13 item 3: `deploy/k8s/`. Every manifest is a `batch/v1` Job under the strict check of
//! `scenario::k8s_api` (the `k8s-openapi` types; an unknown or misspelt field fails), the eval
//! Job is Indexed with `JOB_COMPLETIONS` equal to `spec.completions` in every container, and the
//! merge Job names every shard run. Then the very commands of the manifests run here, pod by pod
//! with `JOB_COMPLETION_INDEX` set (paths moved to a temp dir, the count made small), and their
//! merged run has the tables of an unsharded run; each shard corpus holds byte-identical copies
//! of the whole corpus's scenario files. Also the refusals through the binary: bad `--shard`
//! values and a Job index outside the completion count, exit 2 with nothing written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Container;
use scenario::k8s_api::{KubeObject, parse_object};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn tb(args: &[String], env: &[(&str, String)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_triagebench"));
    c.args(args)
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("JOB_COMPLETIONS");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn check(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "{what}: {:?}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Every `deploy/k8s/*.yaml`, strictly parsed as a Job, by file name.
fn jobs() -> BTreeMap<String, Job> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(repo().join("deploy/k8s")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "yaml") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let value: serde_json::Value =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{name}: not YAML: {e}"));
        match parse_object(&value.to_string(), &name) {
            Ok(KubeObject::Job(job)) => {
                out.insert(name, *job);
            }
            Ok(_) => panic!("{name}: not a Job"),
            Err(problems) => panic!("{name}: {problems:#?}"),
        }
    }
    out
}

fn containers(job: &Job) -> Vec<Container> {
    let pod = job.spec.as_ref().unwrap().template.spec.as_ref().unwrap();
    let mut all = pod.init_containers.clone().unwrap_or_default();
    all.extend(pod.containers.iter().cloned());
    all
}

fn env_of(c: &Container, name: &str) -> Option<String> {
    c.env
        .as_ref()?
        .iter()
        .find(|e| e.name == name)
        .and_then(|e| e.value.clone())
}

#[test]
fn the_strict_check_refuses_a_misspelt_field() {
    let text = std::fs::read_to_string(repo().join("deploy/k8s/eval-job.yaml")).unwrap();
    let bad = text.replacen("completionMode:", "completionMod:", 1);
    let value: serde_json::Value = serde_saphyr::from_str(&bad).unwrap();
    let problems = parse_object(&value.to_string(), "eval-job.yaml").unwrap_err();
    assert!(
        format!("{problems:?}").contains("completionMod"),
        "{problems:?}"
    );
}

#[test]
fn the_manifests_run_here_and_merge_to_the_unsharded_run() {
    let jobs = jobs();
    let eval_job = &jobs["eval-job.yaml"];
    let merge_job = &jobs["merge-job.yaml"];
    let spec = eval_job.spec.as_ref().unwrap();
    assert_eq!(spec.completion_mode.as_deref(), Some("Indexed"));
    let n = spec.completions.unwrap();
    assert!(n >= 2);
    assert_eq!(spec.parallelism, Some(n));
    let pods = containers(eval_job);
    assert_eq!(pods.len(), 2, "generate, then eval");
    for c in &pods {
        assert_eq!(
            env_of(c, "JOB_COMPLETIONS"),
            Some(n.to_string()),
            "{}: JOB_COMPLETIONS must equal spec.completions",
            c.name
        );
    }
    let merge = containers(merge_job);
    let merge_args = merge[0].args.clone().unwrap();
    for i in 0..n {
        assert!(merge_args.contains(&format!("shard-{i}")), "{merge_args:?}");
    }

    let tmp = tempfile::tempdir().unwrap();
    let count = 23u64;
    // What the kubelet would do ($(VAR) expansion), with the volumes moved here.
    let local = |args: &[String], index: i32| -> Vec<String> {
        let mut out: Vec<String> = args
            .iter()
            .map(|a| {
                a.replace("$(JOB_COMPLETION_INDEX)", &index.to_string())
                    .replace(
                        "/scratch",
                        &tmp.path()
                            .join(format!("scratch-{index}"))
                            .to_string_lossy(),
                    )
                    .replace("/data", &tmp.path().join("data").to_string_lossy())
            })
            .collect();
        if let Some(at) = out.iter().position(|a| a == "--count") {
            out[at + 1] = count.to_string();
        }
        out
    };
    for index in 0..n {
        for c in &pods {
            let args = local(c.args.as_ref().unwrap(), index);
            let env = [
                ("JOB_COMPLETION_INDEX", index.to_string()),
                ("JOB_COMPLETIONS", env_of(c, "JOB_COMPLETIONS").unwrap()),
            ];
            check(&tb(&args, &env), &format!("pod {index}, {}", c.name));
        }
    }
    check(&tb(&local(&merge_args, 0), &[]), "merge");

    // The unsharded run of the same corpus.
    let gen_args = pods[0].args.clone().unwrap();
    let seed_at = gen_args.iter().position(|a| a == "--seed").unwrap();
    let whole = tmp.path().join("whole");
    let s = |p: &Path| p.to_string_lossy().into_owned();
    let reports = tmp.path().join("data/reports");
    let args: Vec<String> = [
        "generate",
        "--quiet",
        "--count",
        &count.to_string(),
        "--seed",
        &gen_args[seed_at + 1],
        "--out",
        &s(&whole),
    ]
    .map(String::from)
    .to_vec();
    check(&tb(&args, &[]), "generate whole");
    let args: Vec<String> = [
        "eval",
        "--quiet",
        "--corpus",
        &s(&whole),
        "--reports",
        &s(&reports),
        "--run-id",
        "whole",
    ]
    .map(String::from)
    .to_vec();
    check(&tb(&args, &[]), "eval whole");

    let a = evaluator::report::read_run(&reports.join("whole")).unwrap();
    let b = evaluator::report::read_run(&reports.join("merged")).unwrap();
    assert_eq!(a.confusion, b.confusion);
    assert_eq!(a.metrics, b.metrics);
    assert_eq!(a.slices, b.slices);
    let norm = |rows: &[evaluator::tables::PredictionRow]| {
        rows.iter()
            .cloned()
            .map(|mut r| {
                r.run_id.clear();
                r.latency_ms = 0.0;
                r
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(norm(&a.predictions), norm(&b.predictions));
    assert_eq!(b.info.corpus_id, a.info.corpus_id);
    assert!(
        b.info.corpus_hash.starts_with("shards-"),
        "{}",
        b.info.corpus_hash
    );
    assert_eq!(b.info.merged_from.len() as i32, n);
    // The history has the whole run and the merged one, not the shards.
    let history = evaluator::history::trend(
        &evaluator::history::read(&reports.join("history.parquet")).unwrap(),
    );
    let mut ids: Vec<&str> = history.iter().map(|r| r.run_id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["merged", "whole"]);

    // Each shard corpus: the whole corpus's files for its scenarios, byte for byte; together
    // every scenario exactly once.
    let mut seen = Vec::new();
    for index in 0..n {
        let corpus = tmp.path().join(format!("scratch-{index}/corpus"));
        let m = scenario::manifest::Manifest::read(&corpus).unwrap();
        let shard = m.shard.unwrap();
        assert_eq!(
            (shard.index, shard.count, shard.corpus_count),
            (index as u64, n as u64, count)
        );
        for e in std::fs::read_dir(&corpus).unwrap() {
            let e = e.unwrap();
            if !e.file_type().unwrap().is_dir() {
                continue;
            }
            let name = e.file_name().to_string_lossy().into_owned();
            same_tree(&e.path(), &whole.join(&name));
            seen.push(name);
        }
    }
    seen.sort();
    let mut all: Vec<String> = std::fs::read_dir(&whole)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    all.sort();
    assert_eq!(seen, all);
}

fn same_tree(a: &Path, b: &Path) {
    let mut names = 0;
    for e in std::fs::read_dir(a).unwrap() {
        let e = e.unwrap();
        let other = b.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            same_tree(&e.path(), &other);
        } else {
            assert_eq!(
                std::fs::read(e.path()).unwrap(),
                std::fs::read(&other).unwrap(),
                "{}",
                other.display()
            );
        }
        names += 1;
    }
    assert_eq!(
        names,
        std::fs::read_dir(b).unwrap().count(),
        "{}",
        b.display()
    );
}

#[test]
fn bad_shards_are_refused_with_nothing_written() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("c");
    let generate = |shard: &str, env: &[(&str, String)]| {
        let mut args: Vec<String> = ["generate", "--quiet", "--count", "4", "--out"]
            .map(String::from)
            .to_vec();
        args.push(out.to_string_lossy().into_owned());
        if !shard.is_empty() {
            args.push(format!("--shard={shard}"));
        }
        tb(&args, env)
    };
    for (shard, says) in [
        ("3/2", "not below"),
        ("0/0", "1 to"),
        ("-1/4", "\"-1\""),
        ("2", "i/n"),
    ] {
        let o = generate(shard, &[]);
        assert_eq!(o.status.code(), Some(2), "{shard}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("--shard") && err.contains(says),
            "{shard}: {err}"
        );
        assert!(!out.exists(), "{shard}");
    }
    // More shards than scenarios: the shard would be empty.
    let o = generate("0/5", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("empty"));
    // A Job index outside the completion count, or no count at all.
    let job = |i: &str, n: Option<&str>| {
        let mut env = vec![("JOB_COMPLETION_INDEX", i.to_owned())];
        if let Some(n) = n {
            env.push(("JOB_COMPLETIONS", n.to_owned()));
        }
        generate("", &env)
    };
    for (i, n, says) in [
        ("4", Some("4"), "JOB_COMPLETION_INDEX=4"),
        ("0", None, "JOB_COMPLETIONS"),
        ("x", Some("2"), "JOB_COMPLETION_INDEX"),
    ] {
        let o = job(i, n);
        assert_eq!(o.status.code(), Some(2), "{i}/{n:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says), "{err}");
        assert!(!out.exists());
    }
    // The flag and the environment disagree.
    let o = generate(
        "1/4",
        &[
            ("JOB_COMPLETION_INDEX", "2".into()),
            ("JOB_COMPLETIONS", "4".into()),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("disagrees"));
    // eval too: a bad --shard is refused before anything is read or written.
    let reports = tmp.path().join("reports");
    let o = tb(
        &[
            "eval".into(),
            "--corpus".into(),
            repo()
                .join("corpus/canonical")
                .to_string_lossy()
                .into_owned(),
            "--reports".into(),
            reports.to_string_lossy().into_owned(),
            "--shard=3/2".into(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!reports.exists());
    // merge of a run that does not exist: 2, naming it.
    let o = tb(
        &[
            "merge".into(),
            "--reports".into(),
            reports.to_string_lossy().into_owned(),
            "nope".into(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope"));
    assert!(!reports.exists());
}

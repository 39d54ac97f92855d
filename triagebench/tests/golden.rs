//! Golden files: the output a user sees, pinned byte for byte in `tests/golden/`.
//!
//! One small seeded corpus is generated from the repository's templates and evaluated with the
//! two built-in classifiers; the test then compares with the files under `tests/golden/`:
//!
//! * `corpus.txt`: the corpus content hash and the SHA-256 of every file, so a diff names the
//!   scenarios and files that changed;
//! * `scenarios/<dir>/...`: every file of a handful of scenarios (the first of each failure
//!   mode and the first of tier 3), so a diff shows the change itself;
//! * `summary-rules.txt`, `summary-status-only.txt`: the terminal summary of each run;
//! * `compare.md`: `compare` of the two runs in Markdown;
//! * `dashboard.html`: the dashboard over both runs and the comparison.
//!
//! Timings are the only thing a run measures that is not a function of its inputs; they are
//! replaced by fixed values before anything is rendered.
//!
//! CI only compares. `just bless` (`TRIAGEBENCH_BLESS=1 cargo test -p triagebench --test
//! golden`) rewrites the files; a commit that changes output re-blesses them and says why.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use evaluator::compare::{CompareOptions, compare, render_markdown};
use evaluator::report::read_run;
use evaluator::{CorpusInfo, EvalConfig, Run};
use generator::{Config, NoProgress, load_templates};
use scenario::FailureMode;
use sha2::{Digest, Sha256};

const SEED: u64 = 42;
const COUNT: u64 = 60;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn golden_dir() -> PathBuf {
    repo().join("tests/golden")
}

fn blessing() -> bool {
    std::env::var_os("TRIAGEBENCH_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// What the test produced: relative path under `tests/golden/` -> content.
type Outputs = BTreeMap<String, String>;

fn hex(bytes: &[u8]) -> String {
    scenario::manifest::hex(bytes)
}

fn files_under(root: &Path) -> Vec<(String, PathBuf)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, path));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

/// Replaces what a run measures (time, memory, machine paths) by fixed values.
fn normalize(run: &mut Run, started_at: &str) {
    for row in &mut run.predictions {
        row.latency_ms = 1.0;
    }
    let info = &mut run.info;
    started_at.clone_into(&mut info.started_at);
    "corpus/golden".clone_into(&mut info.corpus_path);
    info.wall_seconds = 0.5;
    info.scenarios_per_second = info.predictions as f64 / info.wall_seconds;
    info.end_to_end_seconds = Some(2.0);
    info.end_to_end_scenarios_per_second = Some(info.predictions as f64 / 2.0);
    info.latency_p50_ms = 1.0;
    info.latency_p95_ms = 1.0;
    info.latency_p99_ms = 1.0;
    info.peak_rss_bytes = None;
}

fn produce(work: &Path) -> Outputs {
    let mut out = Outputs::new();
    let templates = load_templates(&repo().join("templates")).expect("repository templates load");
    let corpus = work.join("corpus");
    let config = Config::new(
        &templates,
        COUNT,
        SEED,
        corpus.clone(),
        None,
        Some(2),
        false,
    )
    .unwrap();
    let summary = generator::generate(&config, &templates, &NoProgress).unwrap();

    // The whole corpus, one line per file.
    let mut listing = format!(
        "# triagebench golden corpus: seed {SEED}, count {COUNT}\ncontent_hash {}\n",
        summary.manifest.content_hash
    );
    for (rel, path) in files_under(&corpus) {
        if rel == scenario::manifest::MANIFEST_FILE {
            continue;
        }
        let _ = writeln!(
            listing,
            "{} {rel}",
            hex(&Sha256::digest(std::fs::read(&path).unwrap()))
        );
    }
    out.insert("corpus.txt".into(), listing);

    // A handful of scenarios in full: the first of each failure mode, and the first of tier 3.
    let suite = scenario::load(&corpus).expect("the golden corpus loads");
    let mut shown: Vec<&str> = Vec::new();
    for mode in FailureMode::ALL {
        if let Some(s) = suite
            .scenarios()
            .iter()
            .find(|s| s.file().failure_mode == *mode)
        {
            shown.push(s.dir_name());
        }
    }
    if let Some(s) = suite
        .scenarios()
        .iter()
        .find(|s| s.file().scenario_difficulty == 3)
    {
        shown.push(s.dir_name());
    }
    shown.sort_unstable();
    shown.dedup();
    for dir in shown {
        for (rel, path) in files_under(&corpus.join(dir)) {
            out.insert(
                format!("scenarios/{dir}/{rel}"),
                std::fs::read_to_string(path).unwrap(),
            );
        }
    }

    // Two runs, their summaries, the comparison and the dashboard.
    let info = evaluator::corpus_info(&corpus, false).unwrap();
    let reports = work.join("reports");
    for (spec, started_at) in [
        ("rules", "2026-11-01T10:00:00Z"),
        ("status-only", "2026-11-01T11:00:00Z"),
    ] {
        let classifier = classifier::builtin(spec).unwrap();
        let config = EvalConfig {
            run_id: Some(spec.to_owned()),
            threads: 2,
            trials: 1,
            classifier_spec: spec.to_owned(),
            corpus: CorpusInfo {
                path: "corpus/golden".into(),
                ..info.clone()
            },
            skipped: Vec::new(),
            ablate: Vec::new(),
            ablate_as: scenario::ablation::AblateAs::Absent,
            shard: None,
        };
        let mut run = evaluator::evaluate(&suite, &classifier, &config, &|| {}).unwrap();
        normalize(&mut run, started_at);
        let scores = evaluator::score(&run.predictions);
        out.insert(
            format!("summary-{spec}.txt"),
            evaluator::summary::render(&run, &scores),
        );
        evaluator::report::write_run(&reports, &run, &scores).unwrap();
        evaluator::history::append(
            &reports.join(evaluator::history::HISTORY_FILE),
            &evaluator::history::rows_of(&run.info, &scores),
        )
        .unwrap();
    }
    let base = read_run(&reports.join("rules")).unwrap();
    let candidate = read_run(&reports.join("status-only")).unwrap();
    let comparison = compare(&base, &candidate, &CompareOptions::default()).unwrap();
    out.insert("compare.md".into(), render_markdown(&comparison));
    let json = serde_json::to_string_pretty(&comparison).unwrap();
    std::fs::write(
        reports.join(evaluator::dashboard::COMPARE_LATEST_FILE),
        json,
    )
    .unwrap();
    let data = evaluator::dashboard::load(&reports).unwrap();
    out.insert("dashboard.html".into(), evaluator::dashboard::render(&data));
    out
}

/// A unified diff of two texts, at most `limit` lines of it.
fn diff(expected: &str, actual: &str, limit: usize) -> String {
    let d = similar::TextDiff::from_lines(expected, actual);
    let text = d
        .unified_diff()
        .context_radius(2)
        .header("golden", "now")
        .to_string();
    let mut lines: Vec<&str> = text.lines().collect();
    let more = lines.len().saturating_sub(limit);
    lines.truncate(limit);
    let mut s = lines.join("\n");
    if more > 0 {
        let _ = write!(s, "\n... {more} more diff lines");
    }
    s
}

#[test]
fn golden_files_match() {
    let work = tempfile::tempdir().unwrap();
    let outputs = produce(work.path());
    let golden = golden_dir();
    if blessing() {
        if golden.exists() {
            std::fs::remove_dir_all(&golden).unwrap();
        }
        for (rel, text) in &outputs {
            let path = golden.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        eprintln!(
            "blessed {} golden files in {}",
            outputs.len(),
            golden.display()
        );
        return;
    }
    let existing: BTreeMap<String, String> = if golden.is_dir() {
        files_under(&golden)
            .into_iter()
            .map(|(rel, p)| (rel, std::fs::read_to_string(p).unwrap()))
            .collect()
    } else {
        BTreeMap::new()
    };
    let mut report = String::new();
    for (rel, text) in &outputs {
        match existing.get(rel) {
            None => {
                let _ = writeln!(report, "\n=== {rel}: new (not in tests/golden/)");
            }
            Some(old) if old != text => {
                let _ = writeln!(report, "\n=== {rel}: differs\n{}", diff(old, text, 80));
            }
            Some(_) => {}
        }
    }
    for rel in existing.keys().filter(|k| !outputs.contains_key(*k)) {
        let _ = writeln!(report, "\n=== {rel}: no longer produced");
    }
    assert!(
        report.is_empty(),
        "output differs from tests/golden/ (if the change is intended, run `just bless` and commit \
         the new files, saying why):{report}"
    );
}

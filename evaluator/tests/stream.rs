//! Issue 13 item 2: a corpus directory is evaluated as a stream (chunks of scenarios loaded,
//! hashed and classified, then dropped). The streamed run's tables equal the run of the same
//! suite loaded all at once, whatever the chunk size (including sizes that do not divide the
//! corpus); the content hash combined while loading equals `manifest::content_hash`, also for
//! names where one is a prefix of another and for files outside the scenario directories; a
//! modified corpus is refused with nothing written; and the pipeline never holds more than
//! one chunk of scenarios (counted through the `Progress::chunk_done` hook).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::OnceLock;

use evaluator::pipeline::{Corpus, EvalRequest, NoProgress, PipelineError, Progress, run};
use evaluator::report::{CONFUSION_FILE, METRICS_FILE, SLICES_FILE, read_run};
use evaluator::tables::PredictionRow;

/// A generated corpus of 37 scenarios (twins on), made once for the whole test binary.
fn corpus() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("corpus");
        generate(&out, 37);
        (tmp, out)
    });
    path
}

fn generate(out: &Path, n: usize) {
    let templates = generator::builtin_templates().unwrap();
    let config = generator::Config::new(
        &templates,
        n as u64,
        5,
        out.to_path_buf(),
        None,
        Some(1),
        false,
    )
    .unwrap()
    .with_twins(0.5)
    .unwrap();
    generator::generate(&config, &templates, &generator::NoProgress).unwrap();
}

/// Records what each finished chunk held.
#[derive(Default)]
struct Chunks(Mutex<Vec<(usize, usize)>>);

impl Progress for Chunks {
    fn chunk_done(&self, scenarios: usize, cached_files: usize) {
        self.0.lock().unwrap().push((scenarios, cached_files));
    }
}

fn normalized(rows: &[PredictionRow]) -> Vec<PredictionRow> {
    rows.iter()
        .cloned()
        .map(|mut r| {
            r.run_id = String::new();
            r.latency_ms = 0.0;
            r
        })
        .collect()
}

fn request(corpus: Corpus, reports: &Path, id: &str, chunk: usize) -> EvalRequest {
    EvalRequest {
        run_id: Some(id.to_owned()),
        threads: 2,
        history: false,
        chunk,
        ..EvalRequest::new(corpus, reports)
    }
}

#[test]
fn streamed_runs_equal_the_run_of_the_suite_loaded_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let reports = tmp.path().join("reports");
    let path = corpus();
    // All at once: the suite in memory, identified by hashing the directory.
    let suite = scenario::load_profile(path, scenario::Profile::Opensre).unwrap();
    let info = evaluator::corpus_info(path, false).unwrap();
    let whole = run(
        &request(Corpus::Suite { suite, info }, &reports, "whole", 1),
        &classifier::RULES,
        &NoProgress,
    )
    .unwrap();
    for chunk in [1, 5, 8, 36, 37, 256] {
        let chunks = Chunks::default();
        let streamed = run(
            &request(Corpus::dir(path), &reports, &format!("c{chunk}"), chunk),
            &classifier::RULES,
            &chunks,
        )
        .unwrap();
        for file in [CONFUSION_FILE, METRICS_FILE, SLICES_FILE] {
            assert!(
                std::fs::read(whole.dir.join(file)).unwrap()
                    == std::fs::read(streamed.dir.join(file)).unwrap(),
                "{file} differs with chunk {chunk}"
            );
        }
        let (a, b) = (
            read_run(&whole.dir).unwrap(),
            read_run(&streamed.dir).unwrap(),
        );
        assert_eq!(normalized(&a.predictions), normalized(&b.predictions));
        assert_eq!(a.info.corpus_hash, b.info.corpus_hash);
        assert_eq!((a.info.corpus_id, a.info.scenarios), (b.info.corpus_id, 37));
        let held = chunks.0.into_inner().unwrap();
        assert_eq!(held.len(), 37usize.div_ceil(chunk), "chunk {chunk}");
        assert_eq!(held.iter().map(|h| h.0).sum::<usize>(), 37);
        assert!(held.iter().all(|h| h.0 <= chunk), "{held:?}");
        // No scenario names another as its base: the cache keeps nothing between chunks.
        assert!(held.iter().all(|h| h.1 == 0), "{held:?}");
    }
}

#[test]
fn streamed_trials_shards_and_ablation_equal_the_suite_run() {
    let tmp = tempfile::tempdir().unwrap();
    let reports = tmp.path().join("reports");
    let path = corpus();
    let suite = scenario::load_profile(path, scenario::Profile::Opensre).unwrap();
    let info = evaluator::corpus_info(path, false).unwrap();
    let tweak = |mut r: EvalRequest| {
        r.trials = 2;
        r.shard = Some(scenario::shard::Shard::new(1, 3).unwrap());
        r.ablate = vec![scenario::EvidenceKind::ALL[0]];
        r
    };
    let whole = run(
        &tweak(request(Corpus::Suite { suite, info }, &reports, "whole", 1)),
        &classifier::RULES,
        &NoProgress,
    )
    .unwrap();
    let streamed = run(
        &tweak(request(Corpus::dir(path), &reports, "streamed", 4)),
        &classifier::RULES,
        &NoProgress,
    )
    .unwrap();
    for file in [CONFUSION_FILE, METRICS_FILE, SLICES_FILE] {
        assert!(
            std::fs::read(whole.dir.join(file)).unwrap()
                == std::fs::read(streamed.dir.join(file)).unwrap(),
            "{file} differs"
        );
    }
    assert_eq!(
        normalized(&whole.run.predictions),
        normalized(&streamed.run.predictions)
    );
    assert_eq!(streamed.run.info.scenarios, 12);
    assert_eq!(streamed.run.predictions.len(), 24);
    assert_eq!(whole.run.info.shard, streamed.run.info.shard);
}

#[test]
fn the_hash_combined_while_loading_equals_content_hash_for_awkward_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("corpus");
    generate(&dir, 6);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.as_bytes()[0].is_ascii_digit())
        .collect();
    names.sort();
    // Names where one is a prefix of another: "000" sorts before "000-a" as a name, but
    // "000-a/..." sorts before "000/..." as a path.
    for (from, to) in names
        .iter()
        .zip(["000", "000-a", "0000", "000.b", "001", "001 c"])
    {
        std::fs::rename(dir.join(from), dir.join(to)).unwrap();
    }
    // Files the hash covers outside the scenario directories.
    std::fs::write(dir.join("README.md"), "notes\n").unwrap();
    std::fs::write(dir.join("000-"), "a file named like a prefix\n").unwrap();
    std::fs::create_dir_all(dir.join("notes/deep")).unwrap();
    std::fs::write(dir.join("notes/deep/x.txt"), "x").unwrap();
    std::fs::create_dir_all(dir.join(".hidden")).unwrap();
    std::fs::write(dir.join(".hidden/y"), "y").unwrap();
    std::fs::write(dir.join("000/extra.txt"), "inside a scenario\n").unwrap();
    // A scenario directory that does not load is hashed too.
    std::fs::create_dir_all(dir.join("000-broken")).unwrap();
    std::fs::write(dir.join("000-broken/scenario.yml"), "scenario_id: [").unwrap();
    let (expected, _, _) = scenario::manifest::content_hash(&dir).unwrap();
    let reports = tmp.path().join("reports");
    for chunk in [1, 2, 3, 100] {
        let mut r = request(
            Corpus::Dir {
                path: dir.clone(),
                allow_modified: true,
            },
            &reports,
            &format!("c{chunk}"),
            chunk,
        );
        r.skip_invalid = true;
        let outcome = run(&r, &classifier::RULES, &NoProgress).unwrap();
        assert_eq!(outcome.run.info.corpus_hash, expected, "chunk {chunk}");
        assert_eq!(outcome.run.info.scenarios, 6);
        let skipped: Vec<&str> = outcome
            .run
            .info
            .skipped_scenarios
            .iter()
            .map(|s| s.scenario.as_str())
            .collect();
        assert_eq!(skipped, ["000-broken"]);
    }
}

#[test]
fn a_modified_corpus_is_refused_with_nothing_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("corpus");
    generate(&dir, 9);
    let reports = tmp.path().join("reports");
    std::fs::create_dir_all(&reports).unwrap();
    let last = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .max()
        .unwrap();
    let alert = last.join("alert.json");
    let mut text = std::fs::read(&alert).unwrap();
    text.push(b'\n');
    std::fs::write(&alert, text).unwrap();
    let err = run(
        &request(Corpus::dir(&dir), &reports, "modified", 2),
        &classifier::RULES,
        &NoProgress,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            PipelineError::Corpus(evaluator::CorpusError::Modified { .. })
        ),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(&reports).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

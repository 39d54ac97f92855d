//! The whole eval pipeline as one function over a typed request: load the corpus (or take a
//! suite built in memory), check it against its manifest, run the classifier, score, write the
//! run directory, append to the history. `triagebench eval` is this function plus argument
//! parsing and printing; Rust users call it directly:
//!
//! ```no_run
//! use evaluator::pipeline::{Corpus, EvalRequest, NoProgress, run};
//!
//! let request = EvalRequest::new(Corpus::dir("corpus/generated"), "reports");
//! let outcome = run(&request, &classifier::RULES, &NoProgress)?;
//! println!("{}", evaluator::summary::render(&outcome.run, &outcome.scores));
//! # Ok::<(), evaluator::pipeline::PipelineError>(())
//! ```
//!
//! Errors name the request's fields (`threads`, `run_id`, `corpus`), never a command-line flag.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use classifier::Classifier;
use rayon::prelude::*;
use scenario::manifest::{enclosing_corpus, resolved};
use scenario::{Problems, Suite};

use crate::corpus::{
    CorpusError, CorpusInfo, Loaded, Streamed, corpus_info_checked, corpus_info_streamed,
};
use crate::eval::{EvalConfig, EvalError, Evaluator, Run, check_run_id, evaluate};
use crate::history::{HISTORY_FILE, append, rows_of};
use crate::metrics::{Scores, score};
use crate::report::{ReportError, write_run_timed};
use crate::tables::{PredictionRow, RunShard, SkippedScenario};
use crate::trajectory::TrajectoryRow;

/// Most trials a request may ask for.
pub const MAX_TRIALS: u32 = 1000;

/// Scenarios a corpus directory is loaded, hashed and classified in at a time by default.
pub const DEFAULT_CHUNK: usize = 256;

/// Largest chunk a request may ask for.
pub const MAX_CHUNK: usize = 100_000;

/// Most threads a request may ask for: 8 per core, or 256 if that is more (a classifier that
/// waits on a network endpoint can use more threads than cores, but not thousands).
pub fn max_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    (8 * cores).max(256)
}

/// Where the scenarios come from.
#[derive(Clone, Debug)]
pub enum Corpus {
    /// A corpus directory: loaded, and checked against its `manifest.json` when it has one.
    Dir {
        /// The directory.
        path: PathBuf,
        /// Evaluate it even if its files changed since the manifest was written (the current
        /// hash is recorded, so the run never pairs with runs on the original corpus).
        allow_modified: bool,
    },
    /// A suite already in memory (`Suite::from_scenarios`), with the identity to record.
    Suite {
        /// The scenarios.
        suite: Suite,
        /// Its id, content hash and seed, as `run.json` and the history record them.
        info: CorpusInfo,
    },
}

impl Corpus {
    /// A corpus directory that must match its manifest.
    pub fn dir(path: impl Into<PathBuf>) -> Corpus {
        Corpus::Dir {
            path: path.into(),
            allow_modified: false,
        }
    }
}

/// Everything one evaluation needs besides the classifier.
#[derive(Clone, Debug)]
pub struct EvalRequest {
    /// The scenarios.
    pub corpus: Corpus,
    /// The reports directory: the run goes to `<reports>/<run-id>/`.
    pub reports: PathBuf,
    /// Run id; `None` makes a fresh one (`<UTC start>-<classifier>-<6 hex>`).
    pub run_id: Option<String>,
    /// Threads classifying in parallel (1 to [`max_threads`]; capped by
    /// `Classifier::concurrency`).
    pub threads: usize,
    /// Passes over the corpus, 1 to [`MAX_TRIALS`].
    pub trials: u32,
    /// How the classifier was asked for (`rules`, `cmd:...`), recorded in `run.json`.
    pub classifier_spec: String,
    /// Whether to append the run's headline rows to `<reports>/history.parquet`.
    pub history: bool,
    /// The evidence profile a corpus directory is loaded in (the cases carry it).
    pub profile: scenario::Profile,
    /// Evaluate the scenarios of a corpus directory that load and leave out (and list, in
    /// `run.json`'s `skipped_scenarios`) the ones that do not; a suite-level problem (no
    /// scenario loads, a duplicate id) still fails the run.
    pub skip_invalid: bool,
    /// Evidence sources taken away from every case before it is classified (empty: none);
    /// recorded in `run.json` (`ablated`, `ablated_as`).
    pub ablate: Vec<scenario::EvidenceKind>,
    /// How the sources in `ablate` are taken away.
    pub ablate_as: scenario::ablation::AblateAs,
    /// Evaluate only this shard of the corpus (its block of scenarios in the loader's order,
    /// `scenario::shard`); the run is marked as that shard in `run.json`, is not appended to
    /// the history, and `merge` combines the shards' runs. A shard corpus (`generate
    /// --shard`) is evaluated whole and marked with its manifest's shard, which this must
    /// then equal if given.
    pub shard: Option<scenario::shard::Shard>,
    /// Scenarios of a corpus directory loaded, hashed and classified at a time (1 to
    /// [`MAX_CHUNK`]): the pipeline holds one chunk of scenarios, never the whole corpus.
    pub chunk: usize,
}

impl EvalRequest {
    /// A request with the defaults: a fresh run id, as many threads as cores, one trial, the
    /// spec `rules`, history recorded, the `opensre` profile, every scenario required to load.
    pub fn new(corpus: Corpus, reports: impl Into<PathBuf>) -> EvalRequest {
        EvalRequest {
            corpus,
            reports: reports.into(),
            run_id: None,
            threads: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            trials: 1,
            classifier_spec: classifier::rules::NAME.to_owned(),
            history: true,
            profile: scenario::Profile::Opensre,
            skip_invalid: false,
            ablate: Vec::new(),
            ablate_as: scenario::ablation::AblateAs::Absent,
            shard: None,
            chunk: DEFAULT_CHUNK,
        }
    }

    /// Checks every field that can be checked without reading the corpus (values in range, a
    /// run id that is a plain name and not taken, a reports path that is a directory if it
    /// exists). [`run`] calls it first; callers may call it before building a classifier.
    pub fn check(&self) -> Result<(), PipelineError> {
        let bad = |field: &'static str, message: String| PipelineError::Config { field, message };
        if self.threads == 0 {
            return Err(bad("threads", "must be at least 1".into()));
        }
        if self.threads > max_threads() {
            return Err(bad(
                "threads",
                format!(
                    "{} is over the limit of {} (8 x the cores, or 256 if that is more)",
                    self.threads,
                    max_threads()
                ),
            ));
        }
        if self.trials == 0 || self.trials > MAX_TRIALS {
            return Err(bad(
                "trials",
                format!("expected 1..{MAX_TRIALS}, got {}", self.trials),
            ));
        }
        if self.chunk == 0 || self.chunk > MAX_CHUNK {
            return Err(bad(
                "chunk",
                format!("expected 1..{MAX_CHUNK}, got {}", self.chunk),
            ));
        }
        if self.reports.exists() && !self.reports.is_dir() {
            return Err(bad(
                "reports",
                format!("{}: not a directory", self.reports.display()),
            ));
        }
        if self.shard.is_some() && self.skip_invalid {
            return Err(bad(
                "shard",
                "cannot be combined with skip_invalid (the shards of a corpus must cover every \
                 scenario of it)"
                    .into(),
            ));
        }
        self.check_reports_place()?;
        if let Some(id) = &self.run_id {
            check_run_id(id).map_err(|message| bad("run_id", message))?;
            let dir = self.reports.join(id);
            if dir.exists() {
                return Err(PipelineError::RunExists { path: dir });
            }
        }
        Ok(())
    }
}

impl EvalRequest {
    /// The reports directory must not lie inside the corpus (writing there would change the
    /// corpus's content hash), nor be a filesystem root or the home directory unless it already
    /// holds a history of ours.
    fn check_reports_place(&self) -> Result<(), PipelineError> {
        let bad = |message: String| PipelineError::Config {
            field: "reports",
            message,
        };
        let reports = resolved(&self.reports);
        if let Corpus::Dir { path, .. } = &self.corpus {
            let corpus = resolved(path);
            if reports.starts_with(&corpus) {
                return Err(bad(format!(
                    "{} is inside the corpus {}: reports written there would change the corpus \
                     (its content hash); put them outside it",
                    self.reports.display(),
                    path.display()
                )));
            }
        }
        if let Some(corpus) = enclosing_corpus(&self.reports) {
            return Err(bad(format!(
                "{} is inside the corpus {}: put the reports outside it",
                self.reports.display(),
                corpus.display()
            )));
        }
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|h| resolved(Path::new(&h)));
        let is_root = reports.parent().is_none();
        let is_home = home.as_deref() == Some(reports.as_path());
        if (is_root || is_home) && !reports.join(HISTORY_FILE).is_file() {
            return Err(bad(format!(
                "{} is {}: refusing to write run directories and {HISTORY_FILE} there (pick a \
                 directory such as ./reports)",
                self.reports.display(),
                if is_root {
                    "a filesystem root"
                } else {
                    "the home directory"
                }
            )));
        }
        Ok(())
    }
}

/// What a finished evaluation produced.
#[derive(Clone, Debug)]
pub struct RunOutcome {
    /// `run.json` and the prediction rows.
    pub run: Run,
    /// Every table derived from the rows.
    pub scores: Scores,
    /// The run directory written.
    pub dir: PathBuf,
    /// The history file appended to, if the request asked for it.
    pub history: Option<PathBuf>,
}

/// Why an evaluation did not complete. A failing classifier call is an `error` row, not this.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// A request field is out of range.
    #[error("{field}: {message}")]
    Config {
        /// The field of [`EvalRequest`] (`threads`, `trials`, `run_id`, `reports`).
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The run directory already exists.
    #[error("{path}: run directory already exists (pick another run_id)")]
    RunExists {
        /// The directory.
        path: PathBuf,
    },
    /// The corpus does not load: every problem, as `file: field.path: message`.
    #[error("{path}: {} problem(s) while loading the corpus:\n{problems}", problems.0.len())]
    Load {
        /// The corpus directory.
        path: PathBuf,
        /// Every problem found.
        problems: Problems,
    },
    /// The corpus cannot be identified, or changed since its manifest.
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    /// The evaluation could not start.
    #[error(transparent)]
    Eval(#[from] EvalError),
    /// The run directory could not be written.
    #[error("writing the run reports: {0}")]
    Report(#[source] ReportError),
    /// The run is written but the history append failed (a history that cannot be read can
    /// be rebuilt from the run directories: `history::rebuild`).
    #[error("the run is in {}, but appending it to the history failed: {source}", dir.display())]
    History {
        /// The run directory that was written.
        dir: PathBuf,
        /// Why the append failed.
        source: ReportError,
    },
}

/// What the pipeline reports as it goes; every method has a no-op default.
pub trait Progress: Sync {
    /// Loading and hashing a corpus directory begins.
    fn loading(&self, _corpus: &Path) {}
    /// The classification passes begin: `calls` calls in all (scenarios x trials).
    fn classifying(&self, _calls: u64) {}
    /// One call finished (called from any classifying thread).
    fn call_done(&self) {}
    /// A chunk of a streamed corpus directory is finished and dropped: `scenarios` were held
    /// for it, and the loader's cache keeps `cached_files` parsed `scenario.yml` files after it.
    fn chunk_done(&self, _scenarios: usize, _cached_files: usize) {}
}

/// A [`Progress`] that shows nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// The trajectory of each call of an interactive run: the calls recorded for a case id and
/// trial (their `run_id`, `id`, `trial`, `source` and `action` are set by the pipeline).
pub type Trajectories<'a> = &'a (dyn Fn(&str, u32) -> Vec<TrajectoryRow> + Sync);

/// Runs the whole pipeline for `request` with `classifier`.
pub fn run(
    request: &EvalRequest,
    classifier: &dyn Classifier,
    progress: &dyn Progress,
) -> Result<RunOutcome, PipelineError> {
    run_interactive(request, classifier, progress, None)
}

/// [`run`], and for an interactive run (`trajectories` given) the per-case trajectory
/// metrics ([`crate::trajectory::metrics`]), OpenSRE's pass/fail with "gathered" meaning
/// touched with a 200, and `trajectories.parquet` in the run directory.
pub fn run_interactive(
    request: &EvalRequest,
    classifier: &dyn Classifier,
    progress: &dyn Progress,
    trajectories: Option<Trajectories<'_>>,
) -> Result<RunOutcome, PipelineError> {
    request.check()?;
    let started = std::time::Instant::now();
    if let Corpus::Dir {
        path,
        allow_modified,
    } = &request.corpus
        && !path.join("scenario.yml").is_file()
    {
        let (run, calls) = stream_dir(
            request,
            path,
            *allow_modified,
            classifier,
            progress,
            trajectories,
        )?;
        return finish_run(request, run, calls, started);
    }
    let loaded;
    let mut skipped = Vec::new();
    let mut shard_corpus = None;
    let (suite, corpus) = match &request.corpus {
        Corpus::Dir {
            path,
            allow_modified,
        } => {
            progress.loading(path);
            if path.join(scenario::manifest::MANIFEST_FILE).is_file() {
                shard_corpus = scenario::manifest::Manifest::read(path)
                    .map_err(CorpusError::Manifest)?
                    .shard;
            }
            let (suite, left_out) = load_dir(path, request.profile, request.skip_invalid)?;
            let loaded_dirs = Loaded {
                scenarios: suite.scenarios(),
                skipped: left_out.len(),
            };
            let info = corpus_info_checked(path, *allow_modified, loaded_dirs)?;
            skipped = left_out;
            loaded = suite;
            (&loaded, info)
        }
        Corpus::Suite { suite, info } => (suite, info.clone()),
    };
    let (sharded, shard) = select_shard(suite, request.shard, shard_corpus)?;
    let suite = sharded.as_ref().unwrap_or(suite);
    let ablated;
    let suite = if request.ablate.is_empty() {
        suite
    } else {
        ablated = ablate_suite(suite, &request.ablate, request.ablate_as);
        &ablated
    };
    let config = EvalConfig {
        run_id: request.run_id.clone(),
        threads: request.threads,
        trials: request.trials,
        classifier_spec: request.classifier_spec.clone(),
        corpus,
        skipped,
        ablate: request.ablate.clone(),
        ablate_as: request.ablate_as,
        shard,
    };
    progress.classifying(suite.scenarios().len() as u64 * u64::from(request.trials));
    let mut run = evaluate(suite, classifier, &config, &|| progress.call_done())?;
    let calls = trajectories.map(|t| interactive_metrics(suite, &mut run, t));
    finish_run(request, run, calls, started)
}

/// Scores `run`, writes its directory (and trajectories) and appends it to the history.
fn finish_run(
    request: &EvalRequest,
    mut run: Run,
    calls: Option<Vec<TrajectoryRow>>,
    started: std::time::Instant,
) -> Result<RunOutcome, PipelineError> {
    let scores = score(&run.predictions);
    let (dir, info) =
        write_run_timed(&request.reports, &run, &scores, started).map_err(|e| match e {
            ReportError::Exists { path } => PipelineError::RunExists { path },
            other => PipelineError::Report(other),
        })?;
    run.info = info;
    if let Some(calls) = &calls {
        crate::trajectory::write(&dir.join(crate::trajectory::TRAJECTORIES_FILE), calls)
            .map_err(PipelineError::Report)?;
    }
    // A shard run is one part of a run: `merge` appends the whole to the history.
    let history = if request.history && run.info.shard.is_none() {
        let path = request.reports.join(HISTORY_FILE);
        append(&path, &rows_of(&run.info, &scores)).map_err(|source| PipelineError::History {
            dir: dir.clone(),
            source,
        })?;
        Some(path)
    } else {
        None
    };
    Ok(RunOutcome {
        run,
        scores,
        dir,
        history,
    })
}

/// Fills the trajectory columns and the interactive OpenSRE pass/fail of every row; returns
/// every call, in row order.
fn interactive_metrics(
    suite: &Suite,
    run: &mut crate::eval::Run,
    trajectories: Trajectories<'_>,
) -> Vec<TrajectoryRow> {
    let by_id: HashMap<&str, &scenario::Scenario> =
        suite.scenarios().iter().map(|s| (s.id(), s)).collect();
    let mut all = Vec::new();
    for row in &mut run.predictions {
        let s = by_id.get(row.scenario_id.as_str()).copied();
        all.extend(interactive_row(s, row, trajectories));
    }
    all
}

/// The calls of one row of an interactive run (filled in), and its trajectory columns and
/// interactive OpenSRE pass/fail set from them and `scenario`'s answer.
fn interactive_row(
    scenario: Option<&scenario::Scenario>,
    row: &mut PredictionRow,
    trajectories: Trajectories<'_>,
) -> Vec<TrajectoryRow> {
    let mut calls = trajectories(&row.case_id, row.trial);
    for c in &mut calls {
        c.run_id.clone_from(&row.run_id);
        c.id.clone_from(&row.scenario_id);
        c.trial = row.trial;
        c.source = crate::trajectory::source_of(&c.verb, &c.resource, &c.args).map(str::to_owned);
        c.action = crate::trajectory::action_of(&c.verb, &c.resource, &c.args).map(str::to_owned);
    }
    if let Some(s) = scenario {
        let answer = s.answer_file();
        row.trajectory = crate::trajectory::metrics(&calls, &crate::trajectory::Expect::of(answer));
        let gathered = crate::trajectory::gathered_sources(&calls);
        crate::eval::set_opensre(row, answer, &|k| gathered.contains(k));
    }
    calls
}

/// The shard of `suite` to evaluate and how `run.json` records it: `requested` selects a block
/// of a whole corpus; a shard corpus (its manifest's `shard`) is evaluated whole, and a
/// `requested` shard must then be the same one.
fn select_shard(
    suite: &Suite,
    requested: Option<scenario::shard::Shard>,
    corpus: Option<scenario::manifest::CorpusShard>,
) -> Result<(Option<Suite>, Option<RunShard>), PipelineError> {
    let (range, shard) = shard_range(suite.scenarios().len(), requested, corpus)?;
    let Some(range) = range else {
        return Ok((None, shard));
    };
    let picked = suite.scenarios()[range].to_vec();
    let part = Suite::from_scenarios(suite.root().to_path_buf(), picked)
        .expect("a block of a valid suite is a valid suite");
    Ok((Some(part), shard))
}

/// [`select_shard`] over positions: the block of the `total` scenarios to evaluate (`None`:
/// all of them) and the run's shard.
fn shard_range(
    total: usize,
    requested: Option<scenario::shard::Shard>,
    corpus: Option<scenario::manifest::CorpusShard>,
) -> Result<(Option<Range<usize>>, Option<RunShard>), PipelineError> {
    let bad = |message: String| PipelineError::Config {
        field: "shard",
        message,
    };
    if let Some(c) = corpus {
        if let Some(r) = requested
            && r != c.shard()
        {
            return Err(bad(format!(
                "{r} asked for, but the corpus is shard {} of corpus scenarios {} (evaluate it \
                 whole, without a shard, or with its own)",
                c.shard(),
                c.corpus_count
            )));
        }
        let shard = RunShard {
            index: c.index,
            count: c.count,
            corpus_scenarios: c.corpus_count,
            shard_corpus: true,
        };
        return Ok((None, Some(shard)));
    }
    let Some(r) = requested else {
        return Ok((None, None));
    };
    let total = total as u64;
    let range = r.range(total);
    if range.is_empty() {
        return Err(bad(format!(
            "shard {r} of a corpus of {total} scenarios is empty: use at most {total} shards"
        )));
    }
    let shard = RunShard {
        index: r.index,
        count: r.count,
        corpus_scenarios: total,
        shard_corpus: false,
    };
    Ok((Some(range.start as usize..range.end as usize), Some(shard)))
}

/// Evaluates a suite directory as a stream: its scenario directories in chunks of
/// `request.chunk`, each chunk loaded and hashed in parallel (`CorpusReader::load_hashed`),
/// classified in every trial, reduced to its prediction rows and dropped; the content hash is
/// combined from the digests as the chunks go by (with the corpus's other files), and the
/// checks that need the whole corpus (load problems, repeated ids, the manifest) are made at
/// the end, before anything is written.
fn stream_dir(
    request: &EvalRequest,
    path: &Path,
    allow_modified: bool,
    classifier: &dyn Classifier,
    progress: &dyn Progress,
    trajectories: Option<Trajectories<'_>>,
) -> Result<(Run, Option<Vec<TrajectoryRow>>), PipelineError> {
    progress.loading(path);
    let mut shard_corpus = None;
    if path.join(scenario::manifest::MANIFEST_FILE).is_file() {
        shard_corpus = scenario::manifest::Manifest::read(path)
            .map_err(CorpusError::Manifest)?
            .shard;
    }
    let load_failed = |problems: Vec<scenario::Problem>| {
        let mut problems = problems;
        problems.sort();
        problems.dedup();
        PipelineError::Load {
            path: path.to_path_buf(),
            problems: Problems(problems),
        }
    };
    let reader = scenario::load::CorpusReader::open(path, request.profile)
        .map_err(|p| load_failed(vec![p]))?;
    let names = reader.names();
    // The block to classify, if the names all load (a shard is never combined with
    // skip_invalid); an empty or mismatched shard is refused at the end, after the load checks.
    let block = shard_range(names.len(), request.shard, shard_corpus)
        .ok()
        .and_then(|(range, _)| range)
        .unwrap_or(0..names.len());
    // The hash's order: relative paths sorted as strings, so a directory `d` sorts as `d/`.
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| {
        names[a]
            .bytes()
            .chain(*b"/")
            .cmp(names[b].bytes().chain(*b"/"))
    });
    // A pack holds scenario files only; a directory may hold others the hash covers.
    let others = if reader.is_pack() {
        Vec::new()
    } else {
        other_files(path, names)?
    };
    let mut others = others.into_iter().peekable();
    let mut hasher = scenario::manifest::ContentHasher::default();

    let config0 = EvalConfig {
        run_id: request.run_id.clone(),
        threads: request.threads,
        trials: request.trials,
        classifier_spec: request.classifier_spec.clone(),
        corpus: CorpusInfo {
            id: String::new(),
            hash: String::new(),
            path: String::new(),
            seed: None,
            manifest: false,
        },
        skipped: Vec::new(),
        ablate: request.ablate.clone(),
        ablate_as: request.ablate_as,
        shard: None,
    };
    let mut evaluator = Evaluator::new(classifier, &config0)?;
    progress.classifying(block.len() as u64 * u64::from(request.trials));

    let mut problems: Vec<scenario::Problem> = reader.problems().to_vec();
    let mut failed: Vec<usize> = Vec::new();
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut loaded = 0usize;
    // Sized once: the rows are what the run keeps per scenario, and a growing vector would
    // hold up to twice their size at its peak.
    let mut predictions = Vec::with_capacity(block.len() * request.trials as usize);
    let mut calls: Vec<(String, u32, Vec<TrajectoryRow>)> = Vec::new();
    for chunk in order.chunks(request.chunk) {
        let results: Vec<_> = chunk
            .par_iter()
            .map(|&i| reader.load_hashed(&names[i]))
            .collect();
        let mut held = Vec::with_capacity(chunk.len());
        for (&i, (result, digests)) in chunk.iter().zip(results) {
            let dir = format!("{}/", names[i]);
            while let Some(o) = others.next_if(|o| o.0.as_str() < dir.as_str()) {
                hasher.push(&o.0, o.1, &o.2);
            }
            for (rel, len, digest) in &digests {
                hasher.push(rel, *len, digest);
            }
            match result {
                Ok(mut s) => {
                    loaded += 1;
                    if let Some(first) = ids.insert(s.id().to_owned(), s.dir_name().to_owned()) {
                        problems.push(scenario::Problem::field(
                            format!("{}/scenario.yml", s.dir_name()),
                            "scenario_id",
                            format!(
                                "duplicate scenario id \"{}\" (also used by {first}/)",
                                s.id()
                            ),
                        ));
                    }
                    add_counts(&mut counts, &s);
                    if block.contains(&i) {
                        if !request.ablate.is_empty() {
                            s.ablate(&request.ablate, request.ablate_as);
                        }
                        held.push(s);
                    }
                }
                Err(p) => {
                    failed.push(i);
                    problems.extend(p);
                }
            }
        }
        // A run that will fail (a problem, and no skipping) makes no more calls.
        if request.skip_invalid || problems.is_empty() {
            let mut rows = evaluator.classify(&held, &|| progress.call_done());
            if let Some(t) = trajectories {
                let by_id: HashMap<&str, &scenario::Scenario> =
                    held.iter().map(|s| (s.id(), s)).collect();
                for row in &mut rows {
                    let s = by_id.get(row.scenario_id.as_str()).copied();
                    let these = interactive_row(s, row, t);
                    calls.push((row.scenario_id.clone(), row.trial, these));
                }
            }
            predictions.extend(rows);
        }
        reader.release(&chunk.iter().map(|&i| &names[i]).collect::<Vec<_>>());
        progress.chunk_done(held.len(), reader.cached_files());
    }
    for o in others {
        hasher.push(&o.0, o.1, &o.2);
    }

    // The load's verdict, as `load_dir` gives it for a suite loaded at once.
    let mut skipped = Vec::new();
    if !problems.is_empty() {
        problems.sort();
        problems.dedup();
        if !request.skip_invalid || loaded == 0 {
            return Err(load_failed(problems));
        }
        failed.sort_unstable();
        let failed: Vec<&str> = reader
            .problems()
            .iter()
            .map(|p| p.file.as_str())
            .chain(failed.iter().map(|&i| names[i].as_str()))
            .collect();
        let mut attributed = 0;
        for dir in failed {
            let own: Vec<String> = problems
                .iter()
                .filter(|p| p.file.split('/').next() == Some(dir))
                .map(ToString::to_string)
                .collect();
            attributed += own.len();
            skipped.push(SkippedScenario {
                scenario: dir.to_owned(),
                problems: own,
            });
        }
        if attributed != problems.len() {
            return Err(load_failed(problems));
        }
    }
    let streamed = Streamed {
        hashed: hasher.finish(),
        dirs: loaded as u64 + skipped.len() as u64,
        counts: skipped.is_empty().then_some(counts),
    };
    let corpus = corpus_info_streamed(path, allow_modified, streamed)?;
    let (range, shard) = shard_range(loaded, request.shard, shard_corpus)?;
    let scenarios = range.map_or(loaded, |r| r.len()) as u64;
    let config = EvalConfig {
        corpus,
        skipped,
        shard,
        ..config0
    };
    let run = evaluator.finish(predictions, scenarios, &config);
    let calls = trajectories.map(|_| {
        calls.sort_by(|a, b| (a.0.as_str(), a.1).cmp(&(b.0.as_str(), b.1)));
        calls.into_iter().flat_map(|(_, _, c)| c).collect()
    });
    Ok((run, calls))
}

/// Adds a scenario to label counts as `scenario::load::label_counts` counts them.
fn add_counts(counts: &mut BTreeMap<String, BTreeMap<String, u64>>, s: &scenario::Scenario) {
    for (level, labels) in scenario::load::label_counts(std::slice::from_ref(s)) {
        let into = counts.entry(level).or_default();
        for (label, n) in labels {
            *into.entry(label).or_default() += n;
        }
    }
}

/// `(relative path, length, SHA-256)` of every file of the corpus at `root` outside its
/// scenario directories `names` (`manifest.json` excluded), sorted by path: the rest of what
/// the content hash covers.
fn other_files(
    root: &Path,
    names: &[String],
) -> Result<Vec<(String, u64, [u8; 32])>, PipelineError> {
    let io = |source| {
        PipelineError::Corpus(CorpusError::Io {
            path: root.to_path_buf(),
            source,
        })
    };
    let scenarios: std::collections::HashSet<&str> = names.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root).map_err(io)? {
        let name = entry.map_err(io)?.file_name();
        let name = name.to_string_lossy();
        if !scenarios.contains(name.as_ref()) {
            out.extend(scenario::manifest::digest_tree(root, &name).map_err(io)?);
        }
    }
    out.sort();
    Ok(out)
}

/// A copy of `suite` with `kinds` taken away from every case.
pub fn ablate_suite(
    suite: &Suite,
    kinds: &[scenario::EvidenceKind],
    how: scenario::ablation::AblateAs,
) -> Suite {
    let scenarios: Vec<scenario::Scenario> = suite
        .scenarios()
        .iter()
        .map(|s| {
            let mut s = s.clone();
            s.ablate(kinds, how);
            s
        })
        .collect();
    // The same scenarios with other evidence: the suite-level checks (ids, count) hold.
    Suite::from_scenarios(suite.root().to_path_buf(), scenarios)
        .expect("ablation keeps the scenario ids of a valid suite")
}

/// Loads a corpus directory in `profile`. With `skip_invalid`, the scenarios whose problems are
/// all their own are left out and returned; any other problem fails the load.
fn load_dir(
    path: &Path,
    profile: scenario::Profile,
    skip_invalid: bool,
) -> Result<(Suite, Vec<SkippedScenario>), PipelineError> {
    let report = scenario::load_report_profile(path, profile);
    let fail = |problems| PipelineError::Load {
        path: path.to_path_buf(),
        problems: Problems(problems),
    };
    if report.problems.is_empty() {
        return Ok((report.into_suite(), Vec::new()));
    }
    if !skip_invalid || report.scenarios.is_empty() {
        return Err(fail(report.problems));
    }
    let by_dir = report.problems_by_dir();
    let attributed: usize = by_dir.iter().map(|(_, p)| p.len()).sum();
    if attributed != report.problems.len() {
        return Err(fail(report.problems));
    }
    let skipped = by_dir
        .into_iter()
        .map(|(scenario, problems)| SkippedScenario { scenario, problems })
        .collect();
    Ok((report.into_suite(), skipped))
}

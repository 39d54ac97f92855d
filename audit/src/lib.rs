//! The shortcut audit of a corpus (`triagebench audit`): how far a learner gets on a corpus
//! without diagnosing anything. A benchmark that a bag of words saturates measures nothing, so
//! the audit reports, on the audited (test) corpus:
//!
//! * **partial-input baselines** ([`model`]): a softmax regression over hashed unigram and
//!   bigram features, trained on another corpus (`--train`) and scored on this one, for the
//!   alert alone, each evidence source alone and the whole case (the full surface model), at
//!   every labeled level and difficulty tier; plus the alert-only failure-mode accuracy on
//!   scenarios whose alert is misleading ([`scenario::Signal::MisleadingAlertTitle`]) and on
//!   the honest ones; and the rules baseline ([`classifier::RULES`]) on the same corpus beside
//!   them. The models see exactly what a classifier sees: the [`scenario::Case`] the loader
//!   builds (as the evaluator does), never the answer or a label ([`text`]).
//!   Own implementation, not linfa: see [`model`].
//! * **fingerprints** ([`fingerprint`]): normalised message templates with their root-cause
//!   precision and support, traced to the template file and key that writes them.
//! * **localization leak**: the share of scenarios whose alert names the answer's pod (and
//!   container), for pod-level alerts (the alert has a `kube_pod`) and workload-level ones.
//!
//! Without a train corpus the learned baselines are not computed (the summary says so): an
//! in-corpus cross-validation would train and test on the same phrasings and seed and report a
//! figure that looks like a result and is not one. Fingerprints, localization and the rules
//! baseline need no training and are always reported.
//!
//! [`Audit::goals`] picks the figures issue 10 sets goals for; [`Thresholds`] turns them into
//! a gate; [`summary::render`] is the text view and [`write()`] stores `audit.parquet` and
//! `audit.txt` (through `evaluator::audit`, where Parquet lives).

pub mod fingerprint;
pub mod model;
pub mod summary;
pub mod text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use evaluator::audit::AuditRow;
use evaluator::corpus::{CorpusError, corpus_info};
use evaluator::report::ReportError;
use rayon::prelude::*;
use scenario::manifest::{MANIFEST_FILE, Manifest};
use scenario::{Answer, EvidenceKind, Level, Problems, RootCause, Signal, Suite};

use crate::fingerprint::{Fingerprint, Tracer};
use crate::model::{Features, Softmax};
use crate::text::Input;

/// Fewest scenarios a train corpus may have.
pub const MIN_TRAIN_SCENARIOS: usize = 100;
/// Default fewest scenarios a listed fingerprint occurs in.
pub const DEFAULT_MIN_SUPPORT: u64 = 20;
/// Default root-cause precision from which a fingerprint is listed as a shortcut.
pub const DEFAULT_PRECISION: f64 = 0.95;
/// The tier the goals are set on (the adversarial one).
pub const GOAL_TIER: &str = "3";

/// Which corpus an audit read, from its manifest when it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorpusMeta {
    /// The directory as given.
    pub path: PathBuf,
    /// Manifest `corpus_id`, or the directory name.
    pub id: String,
    /// Content hash of the files.
    pub hash: String,
    /// Manifest `seed`.
    pub seed: Option<u64>,
    /// Manifest `split` (`train` / `test`); `None` for a corpus generated without splits.
    pub split: Option<String>,
    /// Scenarios loaded.
    pub scenarios: usize,
}

/// Why an audit could not run. Every variant names the file or the field.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// A corpus does not load.
    #[error("{path}: {} problem(s) while loading the corpus:\n{problems}", problems.0.len())]
    Load {
        /// The corpus directory.
        path: PathBuf,
        /// Every problem.
        problems: Problems,
    },
    /// A corpus cannot be identified, or changed since its manifest.
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    /// A manifest field has the wrong type.
    #[error("{path}: {field}: {message}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The train and the audited corpus are the same corpus.
    #[error(
        "train corpus {train} and audited corpus {test} are the same corpus ({why}): a model \
         tested on its own training data measures memory, not shortcuts; train on a corpus of \
         another seed"
    )]
    SameCorpus {
        /// The train corpus.
        train: PathBuf,
        /// The audited corpus.
        test: PathBuf,
        /// How they were found to be the same.
        why: String,
    },
    /// The two corpora were generated from the same seed.
    #[error(
        "{train}/{MANIFEST_FILE} and {test}/{MANIFEST_FILE}: seed: both corpora were generated \
         from seed {seed}, so they hold the same worlds; generate the train corpus from another \
         seed"
    )]
    SameSeed {
        /// The train corpus.
        train: PathBuf,
        /// The audited corpus.
        test: PathBuf,
        /// The shared seed.
        seed: u64,
    },
    /// The train corpus is too small to learn from.
    #[error(
        "{path}: the train corpus has {n} scenario(s) with a root cause; the audit needs at \
         least {min} (generate a larger one)"
    )]
    TooSmall {
        /// The train corpus.
        path: PathBuf,
        /// Its usable scenarios.
        n: usize,
        /// [`MIN_TRAIN_SCENARIOS`].
        min: usize,
    },
    /// An option is out of range.
    #[error("{field}: {message}")]
    Config {
        /// The field of [`Options`].
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The audit directory could not be written (or exists: [`ReportError::Exists`]).
    #[error(transparent)]
    Write(#[from] ReportError),
}

/// Loads a corpus directory (profile `opensre`, as `eval` reads it by default) and reads its
/// identity: a corpus changed since its manifest is refused.
pub fn load_corpus(path: &Path) -> Result<(Suite, CorpusMeta), AuditError> {
    let suite = scenario::load(path).map_err(|problems| AuditError::Load {
        path: path.to_path_buf(),
        problems,
    })?;
    let info = corpus_info(path, false)?;
    let split = if info.manifest {
        read_split(path)?
    } else {
        None
    };
    let meta = CorpusMeta {
        path: path.to_path_buf(),
        id: info.id,
        hash: info.hash,
        seed: info.seed,
        split,
        scenarios: suite.scenarios().len(),
    };
    Ok((suite, meta))
}

/// The manifest's `split` (`None` for a manifest from before splits), read with the scenario
/// crate's own manifest type, which `corpus_info` has already parsed and checked.
fn read_split(root: &Path) -> Result<Option<String>, AuditError> {
    Manifest::read(root)
        .map(|m| m.split)
        .map_err(|message| AuditError::Manifest {
            path: root.join(MANIFEST_FILE),
            field: "split",
            message,
        })
}

/// Refuses a train corpus that cannot give meaningful figures on `test`: the same directory or
/// content, the same seed, or fewer than [`MIN_TRAIN_SCENARIOS`] scenarios with a root cause.
pub fn check_pair(train: &CorpusMeta, usable: usize, test: &CorpusMeta) -> Result<(), AuditError> {
    let same = |why: &str| AuditError::SameCorpus {
        train: train.path.clone(),
        test: test.path.clone(),
        why: why.to_owned(),
    };
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    if canon(&train.path) == canon(&test.path) {
        return Err(same("the same directory"));
    }
    if train.hash == test.hash {
        return Err(same("identical content"));
    }
    if let (Some(a), Some(b)) = (train.seed, test.seed)
        && a == b
    {
        return Err(AuditError::SameSeed {
            train: train.path.clone(),
            test: test.path.clone(),
            seed: a,
        });
    }
    if usable < MIN_TRAIN_SCENARIOS {
        return Err(AuditError::TooSmall {
            path: train.path.clone(),
            n: usable,
            min: MIN_TRAIN_SCENARIOS,
        });
    }
    Ok(())
}

/// Warnings about the corpora's phrasing splits (not errors: the audit still runs).
pub fn split_warnings(test: &CorpusMeta, train: Option<&CorpusMeta>) -> Vec<String> {
    let mut out = Vec::new();
    let unsplit = |m: &CorpusMeta, role: &str| {
        format!(
            "the {role} corpus {} was generated without phrasing splits (its manifest has no \
             `split`): it draws on every phrasing of the templates{}",
            m.path.display(),
            if train.is_some() {
                ", so train and test share their wording and the learned baselines measure \
                 memorised phrasings as much as shortcuts"
            } else {
                ""
            }
        )
    };
    if test.split.is_none() {
        out.push(unsplit(test, "audited"));
    }
    if let Some(tr) = train {
        if tr.split.is_none() {
            out.push(unsplit(tr, "train"));
        }
        if let (Some(a), Some(b)) = (&tr.split, &test.split) {
            if a == b {
                out.push(format!(
                    "both corpora are of split `{a}`: they share their phrasings (train on a \
                     `--split train` corpus, audit a `--split test` one)"
                ));
            } else if a != "train" || b != "test" {
                out.push(format!(
                    "the train corpus is of split `{a}` and the audited one of split `{b}` \
                     (expected train and test)"
                ));
            }
        }
    }
    out
}

/// Fingerprint options.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// Fewest scenarios a reported fingerprint occurs in.
    pub min_support: u64,
    /// Root-cause precision from which a fingerprint is listed as a shortcut.
    pub precision: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_support: DEFAULT_MIN_SUPPORT,
            precision: DEFAULT_PRECISION,
        }
    }
}

impl Options {
    /// Checks the ranges.
    pub fn check(&self) -> Result<(), AuditError> {
        if self.min_support == 0 {
            return Err(AuditError::Config {
                field: "min_support",
                message: "must be at least 1".into(),
            });
        }
        if !(0.0..=1.0).contains(&self.precision) {
            return Err(AuditError::Config {
                field: "precision",
                message: format!("expected 0..1, got {}", self.precision),
            });
        }
        Ok(())
    }
}

/// What the audit reports as it goes; every method has a no-op default.
pub trait Progress: Sync {
    /// A stage of `total` steps begins.
    fn stage(&self, _what: &str, _total: u64) {}
    /// One step of the current stage finished (from any thread).
    fn advance(&self) {}
}

/// A [`Progress`] that shows nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// A finished audit.
#[derive(Clone, Debug)]
pub struct Audit {
    /// The audited corpus.
    pub test: CorpusMeta,
    /// The train corpus, if one was given.
    pub train: Option<CorpusMeta>,
    /// The fingerprint options used.
    pub options: Options,
    /// Warnings (splits, skipped baselines), also in `rows` as section `warning`.
    pub warnings: Vec<String>,
    /// Every figure, as `audit.parquet` stores it.
    pub rows: Vec<AuditRow>,
    /// Fingerprints with at least `min_support` scenarios, most frequent first.
    pub fingerprints: Vec<Fingerprint>,
}

/// Runs the audit of `test`, training the baselines on `train` when given (checked with
/// [`check_pair`] first). `templates` are the ones the corpora were generated from (for
/// tracing fingerprints to their template keys).
pub fn run(
    test: (&Suite, CorpusMeta),
    train: Option<(&Suite, CorpusMeta)>,
    templates: &generator::Templates,
    options: &Options,
    progress: &dyn Progress,
) -> Result<Audit, AuditError> {
    options.check()?;
    let (test_suite, test_meta) = test;
    if let Some((suite, meta)) = &train {
        let usable = suite
            .scenarios()
            .iter()
            .filter(|s| s.answer().root_cause.is_some())
            .count();
        check_pair(meta, usable, &test_meta)?;
    }
    let mut warnings = split_warnings(&test_meta, train.as_ref().map(|(_, m)| m));
    let tests: Vec<Item> = items(test_suite);
    let mut rows = Vec::new();

    match &train {
        Some((suite, _)) => {
            let trains = items(suite);
            rows.extend(surface(&trains, &tests, progress));
        }
        None => warnings.push(
            "learned baselines skipped: they need --train <corpus> (a corpus of another seed, \
             ideally `generate --split train`); an in-corpus estimate would share phrasings \
             and seed with the audited corpus and overstate nothing but memory"
                .to_owned(),
        ),
    }

    progress.stage("rules baseline", tests.len() as u64);
    let rules: Vec<[Option<bool>; 3]> = tests
        .par_iter()
        .map(|t| {
            let p = classifier::Classifier::classify(&classifier::RULES, t.case, 0).ok();
            progress.advance();
            let label = |l: Level| match &p {
                Some(p) => is_correct(&t.answer, l, label_str(p, l)),
                // A failed call is wrong wherever the answer is scored.
                None => is_correct(&t.answer, l, "unknown").map(|_| false),
            };
            [
                label(Level::FailureMode),
                label(Level::RootCauseCategory),
                label(Level::RootCause),
            ]
        })
        .collect();
    for (li, level) in Level::LABELED.iter().enumerate() {
        let correct: Vec<Option<bool>> = rules.iter().map(|r| r[li]).collect();
        rows.extend(accuracy_rows(
            "rules",
            "all",
            *level,
            "",
            &tests,
            &correct,
            |_| true,
        ));
    }

    for kind in EvidenceKind::ALL {
        let answered: Vec<Option<bool>> = tests
            .iter()
            .map(|t| Some(t.case.evidence.has(*kind)))
            .collect();
        rows.extend(share_rows(
            "coverage",
            kind.as_str(),
            "",
            &tests,
            &answered,
            |_| true,
        ));
    }

    rows.extend(localization(&tests));

    progress.stage("fingerprints", 1);
    let tracer = Tracer::new(templates.spec_strings());
    let mut fingerprints = fingerprint::count(
        tests
            .iter()
            .filter_map(|t| t.answer.root_cause.map(|rc| (t.case, rc))),
        options.min_support,
    );
    for f in &mut fingerprints {
        if f.precision() >= options.precision {
            f.origin = tracer.trace(&f.text).map(str::to_owned);
        }
    }
    progress.advance();
    for f in &fingerprints {
        rows.push(AuditRow {
            section: "fingerprint".into(),
            input: f.sources.join("+"),
            level: Level::RootCause.as_str().into(),
            tier: "all".into(),
            value: f.precision(),
            n: f.support,
            count: f.top_count,
            label: f.top_cause.as_str().into(),
            text: f.text.clone(),
            origin: match (&f.origin, f.precision() >= options.precision) {
                (Some(o), _) => o.clone(),
                (None, true) => "not from a template".into(),
                (None, false) => String::new(),
            },
        });
    }
    for w in &warnings {
        rows.push(AuditRow {
            section: "warning".into(),
            input: String::new(),
            level: String::new(),
            tier: "all".into(),
            value: 0.0,
            n: 0,
            count: 0,
            label: String::new(),
            text: w.clone(),
            origin: String::new(),
        });
    }
    Ok(Audit {
        test: test_meta,
        train: train.map(|(_, m)| m),
        options: *options,
        warnings,
        rows,
        fingerprints,
    })
}

/// One scenario as the audit uses it: the case a classifier sees, apart from its labels.
struct Item<'a> {
    case: &'a scenario::Case,
    answer: Answer,
    tier: u8,
    misleading: bool,
}

fn items(suite: &Suite) -> Vec<Item<'_>> {
    suite
        .scenarios()
        .iter()
        .map(|s| Item {
            case: s.case(),
            answer: s.answer(),
            tier: s.file().scenario_difficulty,
            misleading: s
                .file()
                .adversarial_signals
                .iter()
                .any(|x| Signal::parse(x) == Ok(Signal::MisleadingAlertTitle)),
        })
        .collect()
}

/// The training label of an answer at a labeled level (`None`: not scored there).
fn label_of(a: &Answer, level: Level) -> Option<&'static str> {
    match level {
        Level::FailureMode => Some(a.failure_mode.as_str()),
        Level::RootCauseCategory => Some(a.root_cause_category.as_str()),
        Level::RootCause => a.root_cause.map(RootCause::as_str),
        Level::Localization => None,
    }
}

/// A prediction's label at a labeled level.
fn label_str(p: &scenario::Prediction, level: Level) -> &'static str {
    match level {
        Level::FailureMode => p.failure_mode.as_str(),
        Level::RootCauseCategory => p.root_cause_category.as_str(),
        _ => p.root_cause.as_str(),
    }
}

/// Whether a predicted label is right for an answer, as the evaluator scores it.
fn is_correct(a: &Answer, level: Level, predicted: &str) -> Option<bool> {
    evaluator::metrics::accepts_label(a, level, predicted)
}

/// Trains every (input, level) model on `train` and scores it on `test`.
fn surface(train: &[Item<'_>], test: &[Item<'_>], progress: &dyn Progress) -> Vec<AuditRow> {
    let inputs = Input::every();
    progress.stage("features", inputs.len() as u64);
    let feats: Vec<(Vec<Features>, Vec<Features>)> = inputs
        .par_iter()
        .map(|input| {
            let f = |items: &[Item<'_>]| -> Vec<Features> {
                items
                    .par_iter()
                    .map(|t| Features::of(&input.text(t.case)))
                    .collect()
            };
            let out = (f(train), f(test));
            progress.advance();
            out
        })
        .collect();
    let jobs: Vec<(usize, Level)> = (0..inputs.len())
        .flat_map(|i| Level::LABELED.iter().map(move |l| (i, *l)))
        .collect();
    progress.stage("training baselines", jobs.len() as u64);
    let predictions: Vec<Vec<Option<bool>>> = jobs
        .par_iter()
        .map(|(i, level)| {
            let (train_x, test_x) = &feats[*i];
            let mut classes: BTreeMap<&str, usize> = BTreeMap::new();
            let mut x = Vec::new();
            let mut y = Vec::new();
            for (t, f) in train.iter().zip(train_x) {
                if let Some(l) = label_of(&t.answer, *level) {
                    let next = classes.len();
                    y.push(*classes.entry(l).or_insert(next));
                    x.push(f);
                }
            }
            let names: Vec<&str> = {
                let mut v = vec![""; classes.len()];
                for (name, idx) in &classes {
                    v[*idx] = name;
                }
                v
            };
            let out = if names.is_empty() {
                vec![None; test.len()]
            } else {
                let m = Softmax::train(&x, &y, names.len());
                test.iter()
                    .zip(test_x)
                    .map(|(t, f)| is_correct(&t.answer, *level, names[m.predict(f)]))
                    .collect()
            };
            progress.advance();
            out
        })
        .collect();
    let mut rows = Vec::new();
    for ((i, level), correct) in jobs.iter().zip(&predictions) {
        let name = inputs[*i].name();
        rows.extend(accuracy_rows(
            "surface",
            name,
            *level,
            "",
            test,
            correct,
            |_| true,
        ));
        if inputs[*i] == Input::Alert && *level == Level::FailureMode {
            for (label, want) in [("misleading", true), ("honest", false)] {
                rows.extend(accuracy_rows(
                    "alert_signal",
                    name,
                    *level,
                    label,
                    test,
                    correct,
                    |t| t.misleading == want,
                ));
            }
        }
    }
    rows
}

/// The tiers of a corpus as rows report them: `all`, then each tier present.
fn tiers(items: &[Item<'_>]) -> Vec<(String, Option<u8>)> {
    let mut present: Vec<u8> = items.iter().map(|t| t.tier).collect();
    present.sort_unstable();
    present.dedup();
    std::iter::once(("all".to_owned(), None))
        .chain(present.into_iter().map(|t| (t.to_string(), Some(t))))
        .collect()
}

/// Accuracy rows (one per tier) of `correct` over the items that `keep` keeps and that are
/// scored (`Some`) at this level.
fn accuracy_rows(
    section: &str,
    input: &str,
    level: Level,
    label: &str,
    items: &[Item<'_>],
    correct: &[Option<bool>],
    keep: impl Fn(&Item<'_>) -> bool,
) -> Vec<AuditRow> {
    share_rows(section, input, label, items, correct, keep)
        .into_iter()
        .map(|mut r| {
            level.as_str().clone_into(&mut r.level);
            r
        })
        .collect()
}

/// Share rows (one per tier with at least one counted item).
fn share_rows(
    section: &str,
    input: &str,
    label: &str,
    items: &[Item<'_>],
    hit: &[Option<bool>],
    keep: impl Fn(&Item<'_>) -> bool,
) -> Vec<AuditRow> {
    tiers(items)
        .into_iter()
        .filter_map(|(tier, want)| {
            let (mut n, mut count) = (0u64, 0u64);
            for (t, h) in items.iter().zip(hit) {
                if want.is_some_and(|w| w != t.tier) || !keep(t) {
                    continue;
                }
                if let Some(h) = h {
                    n += 1;
                    count += u64::from(*h);
                }
            }
            (n > 0).then(|| AuditRow {
                section: section.to_owned(),
                input: input.to_owned(),
                level: String::new(),
                tier,
                value: count as f64 / n as f64,
                n,
                count,
                label: label.to_owned(),
                text: String::new(),
                origin: String::new(),
            })
        })
        .collect()
}

/// Localization leak rows: over scenarios whose answer names a pod, whether the alert names
/// that pod (`pod`) and, where the answer names a container, that container (`container`);
/// for every alert, pod-level alerts (with a `kube_pod`) and workload-level ones.
fn localization(items: &[Item<'_>]) -> Vec<AuditRow> {
    let mut pod = Vec::with_capacity(items.len());
    let mut container = Vec::with_capacity(items.len());
    let mut pod_level = Vec::with_capacity(items.len());
    for t in items {
        let ann = &t.case.alert.common_annotations;
        pod_level.push(ann.kube_pod.is_some());
        let Some(want) = &t.answer.affected_pod else {
            pod.push(None);
            container.push(None);
            continue;
        };
        let bare = want.rsplit('/').next().unwrap_or(want);
        let mut alert_text = String::new();
        if let Ok(v) = serde_json::to_value(&t.case.alert) {
            text::flatten(&v, &mut alert_text);
        }
        let words: Vec<&str> = alert_text
            .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.' || c == '/'))
            .collect();
        let named_pod = match &ann.kube_pod {
            Some(p) => {
                let ns = ann
                    .kube_namespace
                    .as_deref()
                    .unwrap_or(&t.case.context.namespace);
                let full = if p.contains('/') {
                    p.clone()
                } else {
                    format!("{ns}/{p}")
                };
                full == *want
            }
            None => words.iter().any(|w| *w == bare || *w == want.as_str()),
        };
        pod.push(Some(named_pod));
        container.push(
            t.answer
                .affected_container
                .as_ref()
                .map(|c| words.contains(&c.as_str())),
        );
    }
    let mut rows = Vec::new();
    for (input, keep) in [
        ("all", None),
        ("pod_level", Some(true)),
        ("workload_level", Some(false)),
    ] {
        for (level, hits) in [("pod", &pod), ("container", &container)] {
            let kept: Vec<Option<bool>> = hits
                .iter()
                .zip(&pod_level)
                .map(|(h, pl)| {
                    if keep.is_none_or(|k| k == *pl) {
                        *h
                    } else {
                        None
                    }
                })
                .collect();
            rows.extend(
                share_rows("localization", input, "", items, &kept, |_| true)
                    .into_iter()
                    .map(|mut r| {
                        level.clone_into(&mut r.level);
                        r
                    }),
            );
        }
    }
    rows
}

/// The figures issue 10 sets goals for, on the goal tier ([`GOAL_TIER`]) where they are
/// per tier. `None` where the audit could not measure one (no train corpus, no such scenario).
#[derive(Clone, Debug, PartialEq)]
pub struct Goals {
    /// The full surface model's root-cause accuracy on tier 3.
    pub surface_tier3: Option<f64>,
    /// The rules baseline's root-cause accuracy on tier 3.
    pub rules_tier3: Option<f64>,
    /// The best single-source model's root-cause accuracy on tier 3, with the source.
    pub max_source_tier3: Option<(String, f64)>,
    /// The alert-only model's failure-mode accuracy on scenarios with a misleading alert.
    pub misleading_alert_mode: Option<f64>,
    /// The highest root-cause precision of a fingerprint with at least `min_support`
    /// scenarios: (precision, support, text).
    pub max_fingerprint: Option<(f64, u64, String)>,
    /// Share of scenarios (with an affected pod) whose alert names the answer's pod.
    pub alert_localization: Option<f64>,
    /// The same over pod-level alerts.
    pub pod_level_localization: Option<f64>,
    /// The same over workload-level alerts.
    pub workload_level_localization: Option<f64>,
}

impl Goals {
    /// Rules minus surface on tier 3 root cause.
    pub fn rules_margin(&self) -> Option<f64> {
        Some(self.rules_tier3? - self.surface_tier3?)
    }
}

impl Audit {
    /// The row of a figure.
    pub fn find(
        &self,
        section: &str,
        input: &str,
        level: &str,
        tier: &str,
        label: &str,
    ) -> Option<&AuditRow> {
        self.rows.iter().find(|r| {
            r.section == section
                && r.input == input
                && r.level == level
                && r.tier == tier
                && r.label == label
        })
    }

    /// The goal figures.
    pub fn goals(&self) -> Goals {
        let rc = Level::RootCause.as_str();
        let value = |section: &str, input: &str, level: &str, tier: &str, label: &str| {
            self.find(section, input, level, tier, label)
                .map(|r| r.value)
        };
        let max_source_tier3 = EvidenceKind::ALL
            .iter()
            .filter_map(|k| {
                value("surface", k.as_str(), rc, GOAL_TIER, "").map(|v| (k.as_str().to_owned(), v))
            })
            .fold(None, |best: Option<(String, f64)>, (k, v)| match best {
                Some((_, b)) if b >= v => best,
                _ => Some((k, v)),
            });
        let max_fingerprint = self
            .fingerprints
            .iter()
            .fold(None, |best: Option<&Fingerprint>, f| match best {
                Some(b) if b.precision() >= f.precision() => best,
                _ => Some(f),
            })
            .map(|f| (f.precision(), f.support, f.text.clone()));
        Goals {
            surface_tier3: value("surface", "all", rc, GOAL_TIER, ""),
            rules_tier3: value("rules", "all", rc, GOAL_TIER, ""),
            max_source_tier3,
            misleading_alert_mode: value(
                "alert_signal",
                "alert",
                Level::FailureMode.as_str(),
                "all",
                "misleading",
            ),
            max_fingerprint,
            alert_localization: value("localization", "all", "pod", "all", ""),
            pod_level_localization: value("localization", "pod_level", "pod", "all", ""),
            workload_level_localization: value("localization", "workload_level", "pod", "all", ""),
        }
    }
}

/// Gate thresholds on the goal figures; each `None` is off.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Thresholds {
    /// Most the full surface model may reach on tier-3 root cause.
    pub max_surface_accuracy: Option<f64>,
    /// Most any single-source model may reach on tier-3 root cause.
    pub max_source_accuracy: Option<f64>,
    /// Most the alert-only model may reach on failure mode over misleading alerts.
    pub max_misleading_alert_accuracy: Option<f64>,
    /// Most root-cause precision a fingerprint with `min_support` scenarios may have.
    pub max_fingerprint_precision: Option<f64>,
    /// Most share of scenarios whose alert names the answer's pod.
    pub max_alert_localization: Option<f64>,
    /// Least the rules baseline must beat the surface model by on tier-3 root cause.
    pub min_rules_margin: Option<f64>,
}

impl Thresholds {
    /// Whether a threshold needs the learned baselines (a train corpus).
    pub fn needs_train(&self) -> bool {
        self.max_surface_accuracy.is_some()
            || self.max_source_accuracy.is_some()
            || self.max_misleading_alert_accuracy.is_some()
            || self.min_rules_margin.is_some()
    }

    /// Every failed threshold as a sentence naming it (empty: the gate passed). A threshold
    /// whose figure could not be measured fails, saying why.
    pub fn failures(&self, g: &Goals) -> Vec<String> {
        let mut out = Vec::new();
        let mut max = |name: &str, limit: Option<f64>, got: Option<f64>, what: &str| {
            if let Some(limit) = limit {
                match got {
                    Some(v) if v <= limit => {}
                    Some(v) => out.push(format!("{name} {limit:.3}: {what} is {v:.3}")),
                    None => out.push(format!("{name} {limit:.3}: {what} could not be measured")),
                }
            }
        };
        max(
            "max-surface-accuracy",
            self.max_surface_accuracy,
            g.surface_tier3,
            "the surface model's tier-3 root-cause accuracy",
        );
        max(
            "max-source-accuracy",
            self.max_source_accuracy,
            g.max_source_tier3.as_ref().map(|(_, v)| *v),
            &format!(
                "the best single-source tier-3 root-cause accuracy ({})",
                g.max_source_tier3.as_ref().map_or("-", |(k, _)| k.as_str())
            ),
        );
        max(
            "max-misleading-alert-accuracy",
            self.max_misleading_alert_accuracy,
            g.misleading_alert_mode,
            "the alert-only failure-mode accuracy on misleading alerts",
        );
        max(
            "max-fingerprint-precision",
            self.max_fingerprint_precision,
            g.max_fingerprint.as_ref().map(|f| f.0),
            &format!(
                "the highest fingerprint precision ({})",
                g.max_fingerprint.as_ref().map_or_else(
                    || "-".to_owned(),
                    |f| format!("\"{}\" in {} scenarios", f.2, f.1)
                )
            ),
        );
        max(
            "max-alert-localization",
            self.max_alert_localization,
            g.alert_localization,
            "the share of alerts naming the answer's pod",
        );
        if let Some(min) = self.min_rules_margin {
            match g.rules_margin() {
                Some(v) if v >= min => {}
                Some(v) => out.push(format!(
                    "min-rules-margin {min:.3}: rules minus surface on tier-3 root cause is {v:.3}"
                )),
                None => out.push(format!(
                    "min-rules-margin {min:.3}: rules minus surface on tier-3 root cause could \
                     not be measured"
                )),
            }
        }
        out
    }
}

/// Writes `audit.parquet` and `audit.txt` into the new directory `dir` (atomically; an
/// existing `dir` is refused with [`ReportError::Exists`]).
pub fn write(dir: &Path, audit: &Audit) -> Result<(), AuditError> {
    evaluator::audit::write_audit_dir(dir, &audit.rows, &summary::render(audit))?;
    Ok(())
}

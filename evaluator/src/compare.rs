//! Comparing two runs, the regression gate: predictions paired by `(scenario_id, trial)`, per
//! level the accuracy of each on the paired rows, McNemar's exact test on the discordant pairs,
//! per-class recall / precision / F1 deltas (with the same test per class), the scenarios that
//! flipped, and a verdict. The candidate is `worse` when, at any level, it is significantly worse
//! (`p < alpha` and more newly-wrong than newly-right pairs), or its accuracy drops by more than
//! `max_drop`, or its throughput falls by more than `max_slowdown`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use scenario::Level;
use serde::{Deserialize, Serialize};

use crate::metrics::{correct_at, labels_at, score};
use crate::report::RunReport;
use crate::stats::mcnemar_exact;
use crate::tables::{PredictionRow, RunInfo};

/// Version of the compare JSON document.
pub const COMPARE_SCHEMA_VERSION: &str = "1";

/// The file `triagebench compare` writes into the reports directory (the dashboard shows it).
pub const LATEST_FILE: &str = "compare-latest.json";

/// Verdict string of a candidate that passes the gate.
pub const VERDICT_OK: &str = "ok";
/// Verdict string of a candidate that fails the gate.
pub const VERDICT_WORSE: &str = "worse";

/// Gate thresholds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareOptions {
    /// Significance level of McNemar's test.
    pub alpha: f64,
    /// Largest allowed absolute accuracy drop at any level (e.g. 0.02); `None`: not checked.
    pub max_drop: Option<f64>,
    /// Largest allowed throughput loss as a fraction of the base (0.2 = 20% slower); `None`: off.
    pub max_slowdown: Option<f64>,
    /// Compare runs on corpora with different content hashes.
    pub allow_different_corpus: bool,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            alpha: 0.05,
            max_drop: None,
            max_slowdown: None,
            allow_different_corpus: false,
        }
    }
}

/// Why two runs cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// The runs were made on different corpora.
    #[error(
        "the runs were made on different corpora: base {base}, candidate {candidate} \
         (pass --allow-different-corpus to compare anyway)"
    )]
    DifferentCorpus {
        /// `run <id> (corpus <id>, content hash <hash>)` of the base.
        base: String,
        /// The same for the candidate.
        candidate: String,
    },
    /// No (scenario, trial) pair is in both runs.
    #[error("no (scenario_id, trial) pair is in both {base} and {candidate}")]
    NoPairs {
        #[expect(missing_docs, reason = "run id")]
        base: String,
        #[expect(missing_docs, reason = "run id")]
        candidate: String,
    },
    /// An option is out of range.
    #[error("{0}")]
    Option(String),
}

/// The identity and headline figures of one side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Side {
    #[expect(missing_docs, reason = "from run.json")]
    pub run_id: String,
    #[expect(missing_docs, reason = "from run.json")]
    pub started_at: String,
    #[expect(missing_docs, reason = "from run.json")]
    pub classifier: String,
    #[expect(missing_docs, reason = "from run.json")]
    pub classifier_version: String,
    #[expect(missing_docs, reason = "from run.json")]
    pub corpus_id: String,
    #[expect(missing_docs, reason = "from run.json")]
    pub corpus_hash: String,
    #[expect(missing_docs, reason = "from run.json")]
    pub predictions: u64,
    #[expect(missing_docs, reason = "from run.json")]
    pub errors: u64,
    #[expect(missing_docs, reason = "from run.json")]
    pub scenarios_per_second: f64,
}

impl Side {
    fn of(info: &RunInfo) -> Side {
        Side {
            run_id: info.run_id.clone(),
            started_at: info.started_at.clone(),
            classifier: info.classifier.clone(),
            classifier_version: info.classifier_version.clone(),
            corpus_id: info.corpus_id.clone(),
            corpus_hash: info.corpus_hash.clone(),
            predictions: info.predictions,
            errors: info.errors,
            scenarios_per_second: info.scenarios_per_second,
        }
    }
}

/// One scenario (and trial) whose correctness changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flip {
    #[expect(missing_docs, reason = "prediction row field")]
    pub scenario_id: String,
    #[expect(missing_docs, reason = "prediction row field")]
    pub trial: u32,
    #[expect(missing_docs, reason = "prediction row field")]
    pub difficulty: u8,
    #[expect(missing_docs, reason = "prediction row field")]
    pub family: String,
    /// Expected label at this level.
    pub expected: String,
    /// What the base predicted.
    pub base_predicted: String,
    /// What the candidate predicted.
    pub candidate_predicted: String,
}

/// Per-class change at one level, on the paired rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassDelta {
    #[expect(missing_docs, reason = "label")]
    pub class: String,
    /// Paired rows expected to be this class.
    pub support: u64,
    #[expect(
        missing_docs,
        reason = "metric of each side and the difference (candidate - base)"
    )]
    pub base_recall: Option<f64>,
    #[expect(missing_docs, reason = "see base_recall")]
    pub candidate_recall: Option<f64>,
    #[expect(missing_docs, reason = "see base_recall")]
    pub recall_delta: Option<f64>,
    #[expect(missing_docs, reason = "see base_recall")]
    pub base_precision: Option<f64>,
    #[expect(missing_docs, reason = "see base_recall")]
    pub candidate_precision: Option<f64>,
    #[expect(missing_docs, reason = "see base_recall")]
    pub precision_delta: Option<f64>,
    #[expect(missing_docs, reason = "see base_recall")]
    pub base_f1: Option<f64>,
    #[expect(missing_docs, reason = "see base_recall")]
    pub candidate_f1: Option<f64>,
    #[expect(missing_docs, reason = "see base_recall")]
    pub f1_delta: Option<f64>,
    /// Rows of this class right in the base and wrong in the candidate.
    pub newly_wrong: u64,
    /// Rows of this class wrong in the base and right in the candidate.
    pub newly_right: u64,
    /// McNemar's exact p on this class's rows.
    pub p_value: f64,
    /// `newly_wrong > newly_right` and `p_value < alpha`.
    pub regressed: bool,
}

/// The comparison at one level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LevelDelta {
    /// The level compared.
    pub level: Level,
    /// Paired rows scored at this level.
    pub n: u64,
    #[expect(missing_docs, reason = "accuracy on the paired rows")]
    pub base_accuracy: f64,
    #[expect(missing_docs, reason = "accuracy on the paired rows")]
    pub candidate_accuracy: f64,
    /// candidate - base.
    pub delta: f64,
    /// Discordant pairs: right in the base, wrong in the candidate (McNemar's b).
    pub newly_wrong: u64,
    /// Discordant pairs: wrong in the base, right in the candidate (McNemar's c).
    pub newly_right: u64,
    /// McNemar's exact two-sided p-value.
    pub p_value: f64,
    /// `p_value < alpha` and `newly_wrong > newly_right`.
    pub significantly_worse: bool,
    /// `p_value < alpha` and `newly_right > newly_wrong`.
    pub significantly_better: bool,
    /// The accuracy dropped by more than `max_drop`.
    pub drop_exceeded: bool,
    /// Per class, in label order.
    pub classes: Vec<ClassDelta>,
    /// Newly wrong rows, easiest first (a regression on an easy case is the worst kind).
    pub flipped_wrong: Vec<Flip>,
    /// Newly right rows, easiest first.
    pub flipped_right: Vec<Flip>,
}

impl LevelDelta {
    /// Significantly worse, or the accuracy dropped by more than allowed.
    pub(crate) fn is_worse(&self) -> bool {
        self.significantly_worse || self.drop_exceeded
    }

    /// `worse` for a worse level, `better` for a significantly better one, else nothing.
    fn flag(&self, worse: &'static str, better: &'static str) -> &'static str {
        if self.is_worse() {
            worse
        } else if self.significantly_better {
            better
        } else {
            ""
        }
    }

    /// The classes worth showing: some row flipped, or the precision moved.
    fn changed_classes(&self) -> Vec<&ClassDelta> {
        self.classes
            .iter()
            .filter(|d| {
                d.newly_wrong + d.newly_right > 0
                    || d.precision_delta.is_some_and(|x| x.abs() > 1e-9)
            })
            .collect()
    }
}

/// Throughput of both sides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Throughput {
    #[expect(missing_docs, reason = "scenarios per second")]
    pub base: f64,
    #[expect(missing_docs, reason = "scenarios per second")]
    pub candidate: f64,
    /// candidate / base.
    pub ratio: f64,
    /// The candidate is slower than `max_slowdown` allows.
    pub exceeded: bool,
}

/// The whole comparison: the `--format json` document and `reports/compare-latest.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// [`COMPARE_SCHEMA_VERSION`].
    pub schema_version: String,
    #[expect(missing_docs, reason = "the base run")]
    pub base: Side,
    #[expect(missing_docs, reason = "the candidate run")]
    pub candidate: Side,
    /// The thresholds used.
    pub options: CompareOptions,
    /// Both runs are on the same corpus content.
    pub same_corpus: bool,
    /// (scenario, trial) pairs in both runs.
    pub paired: u64,
    /// Rows only in the base / only in the candidate (not compared).
    pub only_in_base: u64,
    #[expect(missing_docs, reason = "see only_in_base")]
    pub only_in_candidate: u64,
    /// Per level, in [`Level::ALL`] order.
    pub levels: Vec<LevelDelta>,
    #[expect(missing_docs, reason = "scenarios per second of each side")]
    pub throughput: Throughput,
    /// [`VERDICT_OK`] or [`VERDICT_WORSE`].
    pub verdict: String,
    /// Why the verdict is `worse`, one sentence per failed check, naming the classes.
    pub reasons: Vec<String>,
    /// `level:class` of every class that regressed significantly.
    pub regressed_classes: Vec<String>,
}

impl Comparison {
    /// Whether the gate failed.
    pub fn is_worse(&self) -> bool {
        self.verdict == VERDICT_WORSE
    }
}

/// Compares `candidate` against `base`.
pub fn compare(
    base: &RunReport,
    candidate: &RunReport,
    options: &CompareOptions,
) -> Result<Comparison, CompareError> {
    if !(options.alpha > 0.0 && options.alpha < 1.0) {
        return Err(CompareError::Option(format!(
            "--alpha: expected a number in (0, 1), got {}",
            options.alpha
        )));
    }
    if let Some(d) = options.max_drop.filter(|d| !(0.0..=1.0).contains(d)) {
        return Err(CompareError::Option(format!(
            "--max-drop: expected a number in 0..1, got {d}"
        )));
    }
    if let Some(s) = options.max_slowdown.filter(|s| !(0.0..1.0).contains(s)) {
        return Err(CompareError::Option(format!(
            "--max-slowdown: expected a number in 0..1, got {s}"
        )));
    }
    let same_corpus = base.info.corpus_hash == candidate.info.corpus_hash;
    if !same_corpus && !options.allow_different_corpus {
        let describe = |i: &RunInfo| {
            format!(
                "run {} (corpus {}, content hash {})",
                i.run_id, i.corpus_id, i.corpus_hash
            )
        };
        return Err(CompareError::DifferentCorpus {
            base: describe(&base.info),
            candidate: describe(&candidate.info),
        });
    }

    let key = |r: &PredictionRow| (r.scenario_id.clone(), r.trial);
    let cand_by_key: HashMap<(String, u32), &PredictionRow> =
        candidate.predictions.iter().map(|r| (key(r), r)).collect();
    let mut pairs: Vec<(&PredictionRow, &PredictionRow)> = base
        .predictions
        .iter()
        .filter_map(|b| cand_by_key.get(&key(b)).map(|c| (b, *c)))
        .collect();
    pairs.sort_by(|a, b| {
        (a.0.scenario_id.as_str(), a.0.trial).cmp(&(b.0.scenario_id.as_str(), b.0.trial))
    });
    if pairs.is_empty() {
        return Err(CompareError::NoPairs {
            base: base.info.run_id.clone(),
            candidate: candidate.info.run_id.clone(),
        });
    }
    let paired = pairs.len() as u64;
    let base_rows: Vec<PredictionRow> = pairs.iter().map(|p| p.0.clone()).collect();
    let cand_rows: Vec<PredictionRow> = pairs.iter().map(|p| p.1.clone()).collect();
    let (base_scores, cand_scores) = (score(&base_rows), score(&cand_rows));

    let mut levels = Vec::new();
    let mut reasons = Vec::new();
    let mut regressed_classes = Vec::new();
    for &level in Level::ALL {
        let Some(l) = level_delta(level, &pairs, (&base_scores, &cand_scores), options) else {
            continue;
        };
        reasons.extend(regression_reason(&l, options));
        regressed_classes.extend(
            l.classes
                .iter()
                .filter(|c| c.regressed)
                .map(|c| format!("{level}:{}", c.class)),
        );
        levels.push(l);
    }

    let (bs, cs) = (
        base.info.scenarios_per_second,
        candidate.info.scenarios_per_second,
    );
    let ratio = if bs > 0.0 { cs / bs } else { 1.0 };
    let exceeded = options
        .max_slowdown
        .is_some_and(|s| bs > 0.0 && cs < bs * (1.0 - s));
    if exceeded {
        reasons.push(format!(
            "throughput: {cs:.1} scenarios/s vs {bs:.1} ({:.1}% slower, more than --max-slowdown {:.0}%)",
            (1.0 - ratio) * 100.0,
            options.max_slowdown.unwrap_or(0.0) * 100.0
        ));
    }
    let only_in_base = base.predictions.len() as u64 - paired;
    let only_in_candidate = candidate.predictions.len() as u64 - paired;
    Ok(Comparison {
        schema_version: COMPARE_SCHEMA_VERSION.into(),
        base: Side::of(&base.info),
        candidate: Side::of(&candidate.info),
        options: options.clone(),
        same_corpus,
        paired,
        only_in_base,
        only_in_candidate,
        levels,
        throughput: Throughput {
            base: bs,
            candidate: cs,
            ratio,
            exceeded,
        },
        verdict: if reasons.is_empty() {
            VERDICT_OK
        } else {
            VERDICT_WORSE
        }
        .into(),
        reasons,
        regressed_classes,
    })
}

/// The comparison at one level of the paired rows; `None` where no pair is scored there.
fn level_delta(
    level: Level,
    pairs: &[(&PredictionRow, &PredictionRow)],
    (base_scores, cand_scores): (&crate::metrics::Scores, &crate::metrics::Scores),
    options: &CompareOptions,
) -> Option<LevelDelta> {
    let mut n = 0u64;
    let (mut base_right, mut cand_right, mut b, mut c) = (0u64, 0u64, 0u64, 0u64);
    let mut per_class: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let (mut flipped_wrong, mut flipped_right) = (Vec::new(), Vec::new());
    for (br, cr) in pairs {
        let (Some(bok), Some(cok)) = (correct_at(br, level), correct_at(cr, level)) else {
            continue;
        };
        n += 1;
        base_right += u64::from(bok);
        cand_right += u64::from(cok);
        if bok == cok {
            continue;
        }
        let (expected, base_pred) = labels_at(br, level).unwrap_or(("", ""));
        let cand_pred = labels_at(cr, level).map_or("", |l| l.1);
        let flip = Flip {
            scenario_id: br.scenario_id.clone(),
            trial: br.trial,
            difficulty: br.difficulty,
            family: br.family.clone(),
            expected: expected.to_owned(),
            base_predicted: base_pred.to_owned(),
            candidate_predicted: cand_pred.to_owned(),
        };
        let entry = per_class.entry(expected.to_owned()).or_default();
        if bok {
            b += 1;
            entry.0 += 1;
            flipped_wrong.push(flip);
        } else {
            c += 1;
            entry.1 += 1;
            flipped_right.push(flip);
        }
    }
    if n == 0 {
        return None;
    }
    let order = |f: &Flip| (f.difficulty, f.scenario_id.clone(), f.trial);
    flipped_wrong.sort_by_key(order);
    flipped_right.sort_by_key(order);
    let base_accuracy = base_right as f64 / n as f64;
    let candidate_accuracy = cand_right as f64 / n as f64;
    let p_value = mcnemar_exact(b, c);
    let significantly_worse = b > c && p_value < options.alpha;
    let significantly_better = c > b && p_value < options.alpha;
    let drop = base_accuracy - candidate_accuracy;
    let drop_exceeded = options.max_drop.is_some_and(|d| drop > d + 1e-12);

    let classes = class_deltas(level, &per_class, base_scores, cand_scores, options.alpha);
    Some(LevelDelta {
        level,
        n,
        base_accuracy,
        candidate_accuracy,
        delta: candidate_accuracy - base_accuracy,
        newly_wrong: b,
        newly_right: c,
        p_value,
        significantly_worse,
        significantly_better,
        drop_exceeded,
        classes,
        flipped_wrong,
        flipped_right,
    })
}

/// Per-class recall, precision and F1 of both sides at a level, with the class's flips
/// (`per_class`: label -> (newly wrong, newly right)) and McNemar's test on them.
fn class_deltas(
    level: Level,
    per_class: &BTreeMap<String, (u64, u64)>,
    base_scores: &crate::metrics::Scores,
    cand_scores: &crate::metrics::Scores,
    alpha: f64,
) -> Vec<ClassDelta> {
    let base_classes: HashMap<&str, _> = base_scores
        .classes(level)
        .filter_map(|m| m.class.as_deref().map(|c| (c, m)))
        .collect();
    let cand_classes: HashMap<&str, _> = cand_scores
        .classes(level)
        .filter_map(|m| m.class.as_deref().map(|c| (c, m)))
        .collect();
    let mut labels: Vec<&str> = base_classes
        .keys()
        .chain(cand_classes.keys())
        .copied()
        .collect();
    labels.sort_by_key(|l| crate::metrics::label_order(level, l));
    labels.dedup();
    let diff = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| b - a);
    labels
        .iter()
        .map(|label| {
            let bm = base_classes.get(label);
            let cm = cand_classes.get(label);
            let (kb, kc) = per_class.get(*label).copied().unwrap_or((0, 0));
            let p = mcnemar_exact(kb, kc);
            let get = |m: Option<&&crate::tables::MetricRow>,
                       f: fn(&crate::tables::MetricRow) -> Option<f64>| {
                m.and_then(|m| f(m))
            };
            let (br, cr) = (get(bm, |m| m.recall), get(cm, |m| m.recall));
            let (bp, cp) = (get(bm, |m| m.precision), get(cm, |m| m.precision));
            let (bf, cf) = (get(bm, |m| m.f1), get(cm, |m| m.f1));
            ClassDelta {
                class: (*label).to_owned(),
                support: bm.or(cm).map_or(0, |m| m.support),
                base_recall: br,
                candidate_recall: cr,
                recall_delta: diff(br, cr),
                base_precision: bp,
                candidate_precision: cp,
                precision_delta: diff(bp, cp),
                base_f1: bf,
                candidate_f1: cf,
                f1_delta: diff(bf, cf),
                newly_wrong: kb,
                newly_right: kc,
                p_value: p,
                regressed: kb > kc && p < alpha,
            }
        })
        .collect()
}

/// Why a level fails the gate (significantly worse, or a drop past `max_drop`), naming the
/// classes that regressed; `None` when it passes.
fn regression_reason(l: &LevelDelta, options: &CompareOptions) -> Option<String> {
    if !(l.significantly_worse || l.drop_exceeded) {
        return None;
    }
    let mut named: Vec<&ClassDelta> = l.classes.iter().filter(|c| c.regressed).collect();
    if named.is_empty() {
        // No single class is significant on its own: name those that lost the most.
        let mut losers: Vec<&ClassDelta> = l
            .classes
            .iter()
            .filter(|c| c.newly_wrong > c.newly_right)
            .collect();
        losers.sort_by_key(|c| std::cmp::Reverse(c.newly_wrong - c.newly_right));
        named = losers.into_iter().take(3).collect();
    }
    let names: Vec<String> = named
        .iter()
        .map(|c| {
            format!(
                "{} (recall {} -> {}, {} newly wrong)",
                c.class,
                fmt_opt(c.base_recall),
                fmt_opt(c.candidate_recall),
                c.newly_wrong
            )
        })
        .collect();
    let why = match (l.significantly_worse, l.drop_exceeded) {
        (true, true) => format!(
            "significantly worse (McNemar p = {} < {}) and dropped more than {:.3}",
            fmt_p(l.p_value),
            options.alpha,
            options.max_drop.unwrap_or(0.0)
        ),
        (true, false) => format!(
            "significantly worse (McNemar p = {} < {})",
            fmt_p(l.p_value),
            options.alpha
        ),
        _ => format!(
            "dropped more than --max-drop {:.3} (McNemar p = {})",
            options.max_drop.unwrap_or(0.0),
            fmt_p(l.p_value)
        ),
    };
    Some(format!(
        "{}: accuracy {:.4} -> {:.4} ({:+.4}), {} newly wrong vs {} newly right: {why}; regressed: {}",
        l.level,
        l.base_accuracy,
        l.candidate_accuracy,
        l.candidate_accuracy - l.base_accuracy,
        l.newly_wrong,
        l.newly_right,
        if names.is_empty() {
            "no single class".to_owned()
        } else {
            names.join(", ")
        }
    ))
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.3}"))
}

/// A p-value with four decimals, or in scientific notation when smaller than that shows.
pub fn fmt_p(p: f64) -> String {
    if p > 0.0 && p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

fn fmt_delta(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:+.3}"))
}

/// A column of the comparison tables, laid out once for both renders: its Markdown header,
/// and its text header and width (`None`: the text form leaves it out). The first column is
/// left-aligned, the others right-aligned, in both forms.
#[derive(Debug)]
struct Column {
    md: &'static str,
    text: Option<(&'static str, usize)>,
}

const fn col(md: &'static str, text: &'static str, width: usize) -> Column {
    Column {
        md,
        text: Some((text, width)),
    }
}

/// The per-level table: one row per level.
const LEVEL_COLUMNS: [Column; 7] = [
    col("level", "level", 20),
    col("base", "base", 8),
    col("candidate", "candidate", 9),
    col("Δ", "delta", 8),
    col("newly wrong", "b", 6),
    col("newly right", "c", 6),
    col("McNemar p", "p", 9),
];

/// The per-class table of a level: one row per class that changed.
const CLASS_COLUMNS: [Column; 8] = [
    col("class", "class", 26),
    col("support", "support", 7),
    col("recall Δ", "recall d", 9),
    col("precision Δ", "prec d", 9),
    col("F1 Δ", "F1 d", 8),
    col("newly wrong", "b", 5),
    col("newly right", "c", 5),
    Column {
        md: "p",
        text: None,
    },
];

fn level_cells(l: &LevelDelta) -> Vec<String> {
    vec![
        l.level.to_string(),
        format!("{:.4}", l.base_accuracy),
        format!("{:.4}", l.candidate_accuracy),
        format!("{:+.4}", l.delta),
        l.newly_wrong.to_string(),
        l.newly_right.to_string(),
        fmt_p(l.p_value),
    ]
}

fn class_cells(d: &ClassDelta) -> Vec<String> {
    vec![
        d.class.clone(),
        d.support.to_string(),
        fmt_delta(d.recall_delta),
        fmt_delta(d.precision_delta),
        fmt_delta(d.f1_delta),
        d.newly_wrong.to_string(),
        d.newly_right.to_string(),
        fmt_p(d.p_value),
    ]
}

/// `| a | b |` and the alignment row.
fn md_header(columns: &[Column]) -> String {
    let names: Vec<&str> = columns.iter().map(|c| c.md).collect();
    let align: Vec<&str> = (0..columns.len())
        .map(|i| if i == 0 { "---" } else { "---:" })
        .collect();
    format!("| {} |\n|{}|\n", names.join(" | "), align.join("|"))
}

/// A Markdown row; `flag` follows the first cell.
fn md_row(mut cells: Vec<String>, flag: &str) -> String {
    cells[0].push_str(flag);
    format!("| {} |\n", cells.join(" | "))
}

/// The text header: the text columns' names, padded to their widths.
fn text_header(columns: &[Column], indent: &str) -> String {
    let names = columns
        .iter()
        .map(|c| c.text.map_or_else(String::new, |(name, _)| name.to_owned()));
    text_row(columns, indent, names.collect(), "")
}

/// A text row: the text columns' cells, padded to their widths; `flag` ends the line.
fn text_row(columns: &[Column], indent: &str, cells: Vec<String>, flag: &str) -> String {
    let padded: Vec<String> = columns
        .iter()
        .zip(cells)
        .enumerate()
        .filter_map(|(i, (c, cell))| {
            let (_, w) = c.text?;
            Some(if i == 0 {
                format!("{cell:<w$}")
            } else {
                format!("{cell:>w$}")
            })
        })
        .collect();
    format!("{indent}{}{flag}\n", padded.join(" "))
}

/// How many flipped scenarios the text and Markdown forms list per level and direction.
pub const FLIPS_SHOWN: usize = 15;

/// How many flipped scenarios the text form lists per level and direction.
pub const TEXT_FLIPS_SHOWN: usize = 8;

/// Markdown for a pull-request comment.
pub fn render_markdown(c: &Comparison) -> String {
    let mut s = String::new();
    let mark = if c.is_worse() { "❌ worse" } else { "✅ ok" };
    let _ = writeln!(s, "### triagebench compare: {mark}\n");
    let _ = writeln!(
        s,
        "base `{}` ({} {}) vs candidate `{}` ({} {}), {} paired predictions on corpus `{}`{}\n",
        c.base.run_id,
        c.base.classifier,
        c.base.classifier_version,
        c.candidate.run_id,
        c.candidate.classifier,
        c.candidate.classifier_version,
        c.paired,
        c.candidate.corpus_id,
        if c.same_corpus {
            ""
        } else {
            " (**different corpora**)"
        }
    );
    for r in &c.reasons {
        let _ = writeln!(s, "- **{r}**");
    }
    if !c.reasons.is_empty() {
        s.push('\n');
    }
    s.push_str(&md_header(&LEVEL_COLUMNS));
    for l in &c.levels {
        s.push_str(&md_row(level_cells(l), l.flag(" ⚠️", " ⬆️")));
    }
    let _ = writeln!(
        s,
        "\nThroughput: {:.1} → {:.1} scenarios/s ({:+.1}%){}\n",
        c.throughput.base,
        c.throughput.candidate,
        (c.throughput.ratio - 1.0) * 100.0,
        if c.throughput.exceeded { " ⚠️" } else { "" }
    );
    for l in &c.levels {
        let changed = l.changed_classes();
        if changed.is_empty() && l.flipped_wrong.is_empty() && l.flipped_right.is_empty() {
            continue;
        }
        let _ = writeln!(
            s,
            "<details><summary>{}: {} newly wrong, {} newly right</summary>\n",
            l.level, l.newly_wrong, l.newly_right
        );
        if !changed.is_empty() {
            s.push_str(&md_header(&CLASS_COLUMNS));
            for d in changed {
                s.push_str(&md_row(
                    class_cells(d),
                    if d.regressed { " ⚠️" } else { "" },
                ));
            }
            s.push('\n');
        }
        for (title, flips) in [
            ("Newly wrong", &l.flipped_wrong),
            ("Newly right", &l.flipped_right),
        ] {
            if flips.is_empty() {
                continue;
            }
            let _ = writeln!(s, "{title} (easiest first):\n");
            for f in flips.iter().take(FLIPS_SHOWN) {
                let _ = writeln!(
                    s,
                    "- `{}` trial {} (difficulty {}): expected `{}`, base `{}`, candidate `{}`",
                    f.scenario_id,
                    f.trial,
                    f.difficulty,
                    f.expected,
                    f.base_predicted,
                    f.candidate_predicted
                );
            }
            if flips.len() > FLIPS_SHOWN {
                let _ = writeln!(s, "- … and {} more", flips.len() - FLIPS_SHOWN);
            }
            s.push('\n');
        }
        let _ = writeln!(s, "</details>\n");
    }
    s
}

/// Plain text for a terminal.
pub fn render_text(c: &Comparison) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "compare: {}: base {} ({} {}) vs candidate {} ({} {})",
        c.verdict.to_uppercase(),
        c.base.run_id,
        c.base.classifier,
        c.base.classifier_version,
        c.candidate.run_id,
        c.candidate.classifier,
        c.candidate.classifier_version
    );
    let _ = writeln!(
        s,
        "{} paired predictions on corpus {}{}; {} only in base, {} only in candidate\n",
        c.paired,
        c.candidate.corpus_id,
        if c.same_corpus {
            ""
        } else {
            " (DIFFERENT CORPORA)"
        },
        c.only_in_base,
        c.only_in_candidate
    );
    s.push_str(&text_header(&LEVEL_COLUMNS, ""));
    for l in &c.levels {
        s.push_str(&text_row(
            &LEVEL_COLUMNS,
            "",
            level_cells(l),
            l.flag("  WORSE", "  better"),
        ));
    }
    let _ = writeln!(
        s,
        "(b = newly wrong, c = newly right, p = McNemar exact two-sided)"
    );
    let _ = writeln!(
        s,
        "\nthroughput {:.1} -> {:.1} scenarios/s ({:+.1}%)",
        c.throughput.base,
        c.throughput.candidate,
        (c.throughput.ratio - 1.0) * 100.0
    );
    for l in &c.levels {
        let changed = l.changed_classes();
        if changed.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{}: per class", l.level);
        s.push_str(&text_header(&CLASS_COLUMNS, "  "));
        for d in changed {
            let flag = if d.regressed { "  REGRESSED" } else { "" };
            s.push_str(&text_row(&CLASS_COLUMNS, "  ", class_cells(d), flag));
        }
        for (title, flips) in [
            ("newly wrong", &l.flipped_wrong),
            ("newly right", &l.flipped_right),
        ] {
            if flips.is_empty() {
                continue;
            }
            let _ = writeln!(s, "  {title} ({}, easiest first):", flips.len());
            for f in flips.iter().take(TEXT_FLIPS_SHOWN) {
                let _ = writeln!(
                    s,
                    "    {} #{} d{}: expected {}, base {}, candidate {}",
                    f.scenario_id,
                    f.trial,
                    f.difficulty,
                    f.expected,
                    f.base_predicted,
                    f.candidate_predicted
                );
            }
            if flips.len() > TEXT_FLIPS_SHOWN {
                let _ = writeln!(
                    s,
                    "    ... and {} more (all of them: --format json)",
                    flips.len() - TEXT_FLIPS_SHOWN
                );
            }
        }
    }
    let _ = writeln!(s, "\nverdict: {}", c.verdict.to_uppercase());
    for r in &c.reasons {
        let _ = writeln!(s, "  - {r}");
    }
    s
}

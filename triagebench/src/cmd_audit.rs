//! `triagebench audit`: the shortcut audit of a corpus (the `audit` crate). Loads the audited
//! corpus and the train corpus, refuses a pair that cannot give meaningful figures (exit 2,
//! nothing written), prints the summary, writes `audit.parquet` and `audit.txt` into a new
//! audit directory (exit 3 if it exists, 4 if it cannot be written) and exits 1 naming every
//! gate threshold that failed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use anyhow::Context;
use audit::{AuditError, Options, Thresholds};
use evaluator::audit::AUDITS_DIR;
use evaluator::report::ReportError;
use indicatif::{ProgressBar, ProgressStyle};

/// A value of 0..1.
fn unit(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|e| format!("{e}"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("expected a number in 0..1, got {v}"))
    }
}

/// Arguments of `triagebench audit`.
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Tests a corpus for shortcuts: how far a learner gets without diagnosing.\n\n\
    Partial-input baselines (a softmax regression over hashed word 1-2-grams, trained on \
    --train and scored on CORPUS) for the alert alone, each evidence source alone and the whole \
    case, per level and difficulty tier, with the rules baseline beside them; fingerprints \
    (normalised message templates with one root cause only) traced to their template key; and \
    how often the alert names the answer's pod. Without --train the learned baselines are \
    skipped (an in-corpus estimate would share phrasings and seed with CORPUS).\n\n\
    Writes audit.parquet and audit.txt into <REPORTS>/audits/<ID>/ (the dashboard shows the \
    newest). Exit codes: 0 ok, 1 a --max-*/--min-* threshold failed, 2 bad input (the same \
    corpus or seed as train and test, a train corpus too small, a corpus that does not load), \
    3 the audit directory exists, 4 I/O failure."
)]
pub struct Args {
    /// The corpus to audit (ideally `generate --split test`).
    pub corpus: PathBuf,
    /// The corpus the baselines learn from: another seed (ideally `generate --split train`),
    /// at least 100 scenarios.
    #[arg(long)]
    pub train: Option<PathBuf>,
    /// Reports directory; the audit goes to <REPORTS>/audits/<ID>/.
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
    /// Audit id [default: <UTC start>-<audited corpus id>].
    #[arg(long)]
    pub id: Option<String>,
    /// Write the audit to this new directory instead of <REPORTS>/audits/<ID>/.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Templates the corpora were generated from, for tracing fingerprints [default: the
    /// templates built into this binary].
    #[arg(long)]
    pub templates: Option<PathBuf>,
    /// Fewest scenarios a fingerprint must occur in to be reported.
    #[arg(long, default_value_t = audit::DEFAULT_MIN_SUPPORT)]
    pub min_support: u64,
    /// Root-cause precision from which a fingerprint is listed as a shortcut.
    #[arg(long, default_value_t = audit::DEFAULT_PRECISION, value_parser = unit)]
    pub precision: f64,
    /// Gate: most the full surface model may reach on tier-3 root cause (needs --train).
    #[arg(long, value_parser = unit)]
    pub max_surface_accuracy: Option<f64>,
    /// Gate: most any single-source model may reach on tier-3 root cause (needs --train).
    #[arg(long, value_parser = unit)]
    pub max_source_accuracy: Option<f64>,
    /// Gate: most the alert-only model may reach on failure mode over misleading alerts
    /// (needs --train).
    #[arg(long, value_parser = unit)]
    pub max_misleading_alert_accuracy: Option<f64>,
    /// Gate: most root-cause precision any fingerprint of --min-support scenarios may have.
    #[arg(long, value_parser = unit)]
    pub max_fingerprint_precision: Option<f64>,
    /// Gate: most share of scenarios whose alert names the answer's pod.
    #[arg(long, value_parser = unit)]
    pub max_alert_localization: Option<f64>,
    /// Gate: least the rules baseline must beat the surface model by on tier-3 root cause
    /// (needs --train).
    #[arg(long, value_parser = unit)]
    pub min_rules_margin: Option<f64>,
    /// No progress display.
    #[arg(long, short)]
    pub quiet: bool,
}

/// indicatif bars for the audit's stages.
struct Bar(Mutex<Option<ProgressBar>>, bool);

impl audit::Progress for Bar {
    fn stage(&self, what: &str, total: u64) {
        let mut cur = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(b) = cur.take() {
            b.finish_and_clear();
        }
        if self.1 {
            return;
        }
        let b = ProgressBar::new(total);
        b.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        b.set_message(what.to_owned());
        b.enable_steady_tick(Duration::from_millis(120));
        *cur = Some(b);
    }
    fn advance(&self) {
        if let Some(b) = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
        {
            b.inc(1);
        }
    }
}

impl Bar {
    fn done(&self) {
        if let Some(b) = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
        {
            b.finish_and_clear();
        }
    }
}

fn coded(e: AuditError) -> anyhow::Error {
    match e {
        AuditError::Write(ReportError::Exists { .. }) => crate::exit::refused(e.to_string()),
        AuditError::Write(_) => anyhow::Error::new(e),
        other => crate::exit::bad_input(other.to_string()),
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let thresholds = Thresholds {
        max_surface_accuracy: args.max_surface_accuracy,
        max_source_accuracy: args.max_source_accuracy,
        max_misleading_alert_accuracy: args.max_misleading_alert_accuracy,
        max_fingerprint_precision: args.max_fingerprint_precision,
        max_alert_localization: args.max_alert_localization,
        min_rules_margin: args.min_rules_margin,
    };
    if args.train.is_none() && thresholds.needs_train() {
        return Err(crate::exit::bad_input(
            "--max-surface-accuracy, --max-source-accuracy, --max-misleading-alert-accuracy and \
             --min-rules-margin gate the learned baselines: they need --train <corpus>",
        ));
    }
    let options = Options {
        min_support: args.min_support,
        precision: args.precision,
    };
    options.check().map_err(coded)?;
    if let Some(id) = &args.id {
        evaluator::eval::check_run_id(id)
            .map_err(|m| crate::exit::bad_input(format!("--id: {m}")))?;
    }
    let templates = match &args.templates {
        Some(dir) => generator::load_templates(dir),
        None => generator::builtin_templates(),
    }
    .map_err(|e| crate::exit::bad_input(e.to_string()))?;

    let bar = Bar(Mutex::new(None), args.quiet);
    audit::Progress::stage(&bar, "loading corpora", 1);
    let test = audit::load_corpus(&args.corpus).map_err(coded)?;
    let train = match &args.train {
        Some(p) => Some(audit::load_corpus(p).map_err(coded)?),
        None => None,
    };
    // Where the audit goes is settled before the work, so a taken directory fails at once.
    let dir = match &args.out {
        Some(d) => d.clone(),
        None => {
            let id = args.id.clone().unwrap_or_else(|| {
                format!(
                    "{}-{}",
                    scenario::time::Utc::of(SystemTime::now()).compact(),
                    test.1.id
                )
            });
            args.reports.join(AUDITS_DIR).join(id)
        }
    };
    if dir.exists() {
        return Err(crate::exit::refused(format!(
            "{}: the audit directory already exists (pick another --id or --out)",
            dir.display()
        )));
    }
    let result = audit::run(
        (&test.0, test.1.clone()),
        train.as_ref().map(|(s, m)| (s, m.clone())),
        &templates,
        &options,
        &bar,
    );
    bar.done();
    let report = result.map_err(coded)?;
    out!("{}", audit::summary::render(&report));
    audit::write(&dir, &report)
        .map_err(coded)
        .with_context(|| format!("writing the audit to {}", dir.display()))?;
    outln!("\nwrote {}", dir.display());
    let failures = thresholds.failures(&report.goals());
    if failures.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("audit gate failed:");
        for f in &failures {
            eprintln!("  {f}");
        }
        Ok(ExitCode::from(crate::exit::GATE_FAILED))
    }
}

//! `triagebench generate`: render a seeded, reproducible corpus from the templates directory.
//! Arguments are parsed into a checked `generator::Config` before anything is written; the
//! corpus appears at `--out` only when complete (temporary directory, then rename). `--shard i/n`
//! (0-based; or the Indexed Job's `JOB_COMPLETION_INDEX` and `JOB_COMPLETIONS`) renders only that
//! block of the corpus, byte-identical to the whole corpus's files for it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use generator::{Config, GenError, Progress};
use indicatif::{ProgressBar, ProgressStyle};

/// Arguments of `triagebench generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of scenarios (1 to 10,000,000).
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true, value_parser = parse_count)]
    pub count: u64,
    /// Seed: the same templates, seed and count give a byte-identical corpus.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Output directory (refused if it exists and is not empty, unless --force).
    #[arg(long, default_value = "corpus/generated")]
    pub out: PathBuf,
    /// Weights of failure modes and/or root causes, e.g. `oom_killed=2,node_oom=3`
    /// (default: balanced over the modes, then over each mode's causes).
    #[arg(long)]
    pub mix: Option<String>,
    /// Templates directory (family spec, vocabulary, profile templates) [default: the templates
    /// built into this binary, the repository's templates/ at build time].
    #[arg(long)]
    pub templates: Option<PathBuf>,
    /// Evidence profiles to write: `opensre` (OpenSRE's tool files, what its loader reads),
    /// `k8s-api` (the raw Kubernetes and Datadog objects under k8s-api/) or `both` (the
    /// default: one corpus serves OpenSRE's loader, `eval` in either profile and `serve`).
    #[arg(long, default_value = "both", value_parser = generator::Profile::parse)]
    pub profile: generator::Profile,
    /// Draw only this phrasing split's variants and names (`train` or `test`), so a model
    /// tuned on train corpora meets unseen wording at test [default: every variant].
    #[arg(long, value_parser = generator::Split::parse)]
    pub split: Option<generator::Split>,
    /// Make each pair of consecutive scenarios, with this probability (0..1), a counterfactual
    /// twin pair: two scenarios that differ in one decisive fact (families.yml `twins`) and have
    /// different answers; reports then score pair accuracy per kind [default: 0, no twins].
    #[arg(long, value_name = "SHARE", default_value_t = 0.0)]
    pub twins: f64,
    /// Worker threads (default: all cores; at most 8 x the cores, or 256 if that is more).
    /// The output does not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Replace an existing corpus at --out (one with a manifest.json); any other non-empty
    /// directory is refused (exit 3), with or without --force.
    #[arg(long)]
    pub force: bool,
    /// Render only shard I of N (0-based: 0/4 to 3/4; default: from JOB_COMPLETION_INDEX and
    /// JOB_COMPLETIONS when set, as in a Kubernetes Indexed Job): the same files the whole
    /// corpus has for those scenarios, with a manifest naming the shard.
    #[arg(long, value_name = "I/N", value_parser = crate::shard::parse)]
    pub shard: Option<scenario::shard::Shard>,
    /// Output layout: `dir` (one directory per scenario, what OpenSRE reads) or `pack`
    /// (`pack.json`, shard indexes and tar + zstd shards: few inodes, one read per scenario;
    /// see `triagebench pack`).
    #[arg(long, value_enum, default_value = "dir")]
    pub format: Format,
    /// Scenarios per shard file of a pack (1 to 100,000).
    #[arg(long, value_name = "N", default_value_t = scenario::pack::DEFAULT_PACK_SIZE)]
    pub pack_size: u64,
    /// Shard compression of a pack: `zstd` (a frame per scenario, `.tar.zst`) or `none`
    /// (plain `.tar`).
    #[arg(long, value_enum, default_value = "zstd")]
    pub pack_compress: crate::cmd_pack::PackCompress,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A directory per scenario.
    Dir,
    /// A pack: `pack.json`, shard indexes and tar + zstd shards.
    Pack,
}

/// Most scenarios one corpus may have.
const MAX_COUNT: u64 = 10_000_000;

/// `--count`: an integer in 1..=10,000,000, with a range message for any other number (a
/// negative one included, which clap would otherwise take for a flag).
fn parse_count(s: &str) -> Result<u64, String> {
    let n: i128 = s
        .trim()
        .parse()
        .map_err(|_| format!("expected a whole number from 1 to {MAX_COUNT}, got \"{s}\""))?;
    u64::try_from(n)
        .ok()
        .filter(|n| (1..=MAX_COUNT).contains(n))
        .ok_or_else(|| format!("expected a whole number from 1 to {MAX_COUNT}, got {n}"))
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

fn coded(err: GenError) -> anyhow::Error {
    match err {
        GenError::Refused { .. } | GenError::NotACorpus { .. } => {
            crate::exit::refused(err.to_string())
        }
        GenError::Io { .. } => anyhow::Error::new(err),
        other => crate::exit::bad_input(other.to_string()),
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let shard = crate::shard::resolve(args.shard)?;
    let parent = match args.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    crate::cmd_clean::sweep_before_run(&parent);
    let templates = match &args.templates {
        Some(dir) => generator::load_templates(dir),
        None => generator::builtin_templates(),
    }
    .map_err(coded)?;
    let templates = match args.split {
        Some(split) => templates.for_split(split).map_err(coded)?,
        None => templates,
    };
    let config = Config::new(
        &templates,
        args.count,
        args.seed,
        args.out.clone(),
        args.mix.as_deref(),
        args.threads,
        args.force,
    )
    .map_err(coded)?
    .with_profile(args.profile)
    .with_twins(args.twins)
    .map_err(coded)?
    .with_shard(shard)
    .map_err(coded)?
    .with_pack((args.format == Format::Pack).then_some(args.pack_size))
    .map_err(coded)?
    .with_pack_compression(args.pack_compress.into());

    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(config.written())
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} generating [{bar:40}] {pos}/{len} scenarios ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let progress = Bar(bar);
    let summary = generator::generate(&config, &templates, &progress).map_err(coded)?;
    progress.0.finish_and_clear();

    let m = &summary.manifest;
    let of_shard = m.shard.map_or_else(String::new, |s| {
        format!(
            ", shard {}/{} of {} scenarios",
            s.index, s.count, s.corpus_count
        )
    });
    outln!(
        "generated {} scenarios into {} (corpus {}{of_shard}, seed {}, templates {})",
        m.count,
        summary.out.display(),
        m.corpus_id,
        m.seed,
        &m.templates_hash[..12]
    );
    let empty = BTreeMap::new();
    for (level, title) in [
        ("failure_mode", "mode"),
        ("root_cause", "cause"),
        ("difficulty", "difficulty"),
    ] {
        let counts = m.counts.get(level).unwrap_or(&empty);
        let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
        outln!("  {title:<11} {}", parts.join(", "));
    }
    let sig: Vec<String> = summary
        .signals
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    outln!(
        "  {:<11} {}",
        "signals",
        if sig.is_empty() {
            "none".to_owned()
        } else {
            sig.join(", ")
        }
    );
    outln!(
        "  {} files, {:.1} MiB, {:.2} s, {:.0} scenarios/s",
        m.files,
        m.bytes as f64 / (1024.0 * 1024.0),
        summary.seconds,
        summary.scenarios_per_second()
    );
    outln!("  content hash {}", m.content_hash);
    Ok(ExitCode::SUCCESS)
}

//! The triagebench generator: a seeded, reproducible corpus of Kubernetes failure scenarios.
//!
//! Data flows in one line: the templates directory (family spec, vocabulary, minijinja
//! templates) is loaded and checked ([`load_templates`]); each scenario samples a small world
//! from its own RNG ([`world::sample_world`]); the profile's templates render the world's
//! views ([`render_scenario`]); every rendered scenario is parsed back through the scenario
//! model; the corpus is written to a temporary directory and renamed into place with its
//! `manifest.json` ([`generate`]).
//!
//! Architecture invariant: the corpus is a pure function of templates, spec, mix, seed and
//! count. No wall clock, no thread-dependent state, no hash-map iteration order in output.

mod builtin;
pub mod render;
pub mod spec;
pub mod time;
pub mod world;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use scenario::manifest::{MANIFEST_FILE, Manifest, content_hash, enclosing_corpus, resolved};
use scenario::{FailureMode, RootCause};

pub use render::{Profile, RenderedScenario, render_scenario, render_scenario_twins, scenario_id};
pub use spec::{Split, Templates, builtin_templates, load_templates};
pub use world::{Mix, World, sample_world, sample_world_twins};

/// What can go wrong while generating. Messages name the file and the field.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// The family spec or vocabulary is wrong.
    #[error("{file}{}: {message}", if field.is_empty() { String::new() } else { format!(": {field}") })]
    Spec {
        /// The spec file.
        file: String,
        /// Path of the field inside it.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A template cannot be read or compiled.
    #[error("{file}: {message}")]
    Template {
        /// The template file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A template rendered something the scenario model rejects.
    #[error("scenario {scenario}: {file} (rendered by {template}): {message}")]
    Rendered {
        /// Scenario id.
        scenario: String,
        /// Rendered file.
        file: String,
        /// The template that rendered it.
        template: String,
        /// What is wrong.
        message: String,
    },
    /// A bad option value (`--mix`, `--count`, ...).
    #[error("{option}: {message}")]
    BadInput {
        /// The option.
        option: String,
        /// What is wrong.
        message: String,
    },
    /// The output exists and is not empty.
    #[error("{path}: refusing to overwrite a non-empty directory (use --force to replace it)")]
    Refused {
        /// The output directory.
        path: String,
    },
    /// `--force` was given but the output is not a corpus: it is never deleted.
    #[error(
        "{path}: refusing to replace it, even with --force: {reason} (--force only replaces a \
         triagebench corpus, one with a readable manifest.json, or an empty directory)"
    )]
    NotACorpus {
        /// The output directory.
        path: String,
        /// Why it is not taken for a corpus.
        reason: String,
    },
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> GenError + '_ {
    move |source| GenError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// A checked generation request.
#[derive(Clone, Debug)]
pub struct Config {
    count: u64,
    seed: u64,
    out: PathBuf,
    mix: Mix,
    threads: Option<usize>,
    force: bool,
    profile: Profile,
    twins: f64,
    shard: Option<scenario::shard::Shard>,
    /// `Some(scenarios per shard)`: write a pack (`scenario::pack`) instead of directories.
    pack: Option<u64>,
    /// How a pack's shards are stored.
    pack_compression: scenario::pack::Compression,
}

impl Config {
    /// Checks the request against the loaded templates: count, mix, threads, and that `out`
    /// is writable without clobbering (a non-empty `out` needs `force`).
    pub fn new(
        templates: &Templates,
        count: u64,
        seed: u64,
        out: PathBuf,
        mix: Option<&str>,
        threads: Option<usize>,
        force: bool,
    ) -> Result<Config, GenError> {
        if count == 0 {
            return Err(GenError::BadInput {
                option: "--count".into(),
                message: "must be at least 1".into(),
            });
        }
        if count > 10_000_000 {
            return Err(GenError::BadInput {
                option: "--count".into(),
                message: format!("{count} is over the 10000000 limit"),
            });
        }
        if threads == Some(0) {
            return Err(GenError::BadInput {
                option: "--threads".into(),
                message: "must be at least 1".into(),
            });
        }
        if let Some(n) = threads
            && n > max_threads()
        {
            return Err(GenError::BadInput {
                option: "--threads".into(),
                message: format!(
                    "{n} is over the limit of {} (8 x the cores, or 256 if that is more)",
                    max_threads()
                ),
            });
        }
        // More threads than scenarios only cost start-up time; the output does not depend on it.
        let threads = threads.map(|n| n.min(usize::try_from(count).unwrap_or(usize::MAX)));
        let mix = parse_mix(templates, mix.unwrap_or(""))?;
        if out.as_os_str().is_empty() || out.file_name().is_none() {
            return Err(GenError::BadInput {
                option: "--out".into(),
                message: format!("\"{}\" has no directory name", out.display()),
            });
        }
        if out.exists() && !out.is_dir() {
            return Err(GenError::BadInput {
                option: "--out".into(),
                message: format!("{} exists and is not a directory", out.display()),
            });
        }
        check_out_place(templates, &out)?;
        if is_non_empty_dir(&out) {
            if !force {
                return Err(GenError::Refused {
                    path: out.display().to_string(),
                });
            }
            check_replaceable(&out)?;
        }
        Ok(Config {
            count,
            seed,
            out,
            mix,
            threads,
            force,
            profile: Profile::Both,
            twins: 0.0,
            shard: None,
            pack: None,
            pack_compression: scenario::pack::Compression::Zstd,
        })
    }

    /// The same request writing only `profile`'s files.
    #[must_use]
    pub fn with_profile(mut self, profile: Profile) -> Config {
        self.profile = profile;
        self
    }

    /// Makes each pair of consecutive scenarios a counterfactual twin pair with probability
    /// `share` (when its cause has a partner in families.yml's `twins`); `share` in 0..=1.
    pub fn with_twins(mut self, share: f64) -> Result<Config, GenError> {
        if !(0.0..=1.0).contains(&share) {
            return Err(GenError::BadInput {
                option: "--twins".into(),
                message: format!("expected a share in 0..1, got {share}"),
            });
        }
        self.twins = share;
        Ok(self)
    }

    /// Renders only `shard`'s scenarios of the corpus (`--shard i/n`): exactly the files the
    /// whole corpus has for them (a scenario is a pure function of seed, index and count), with
    /// a manifest naming the shard and the whole corpus. A shard with no scenario (more shards
    /// than scenarios) is refused.
    pub fn with_shard(mut self, shard: Option<scenario::shard::Shard>) -> Result<Config, GenError> {
        if let Some(s) = shard
            && s.range(self.count).is_empty()
        {
            return Err(GenError::BadInput {
                option: "--shard".into(),
                message: format!(
                    "shard {s} of {} scenarios is empty: use at most {} shards",
                    self.count, self.count
                ),
            });
        }
        self.shard = shard;
        Ok(self)
    }

    /// Writes a pack with `size` scenarios per shard file (`None`: scenario directories).
    /// Fails outside 1..=[`scenario::pack::MAX_PACK_SIZE`].
    pub fn with_pack(mut self, size: Option<u64>) -> Result<Config, GenError> {
        if let Some(n) = size
            && !(1..=scenario::pack::MAX_PACK_SIZE).contains(&n)
        {
            return Err(GenError::BadInput {
                option: "--pack-size".into(),
                message: format!(
                    "expected 1 to {} scenarios per shard, got {n}",
                    scenario::pack::MAX_PACK_SIZE
                ),
            });
        }
        self.pack = size;
        Ok(self)
    }

    /// How a pack's shards are stored (zstd unless told otherwise; directories ignore it).
    pub fn with_pack_compression(mut self, compression: scenario::pack::Compression) -> Config {
        self.pack_compression = compression;
        self
    }

    /// The shard rendered, if any.
    pub fn shard(&self) -> Option<scenario::shard::Shard> {
        self.shard
    }

    /// Number of scenarios this request writes (the shard's, or the whole count).
    pub fn written(&self) -> u64 {
        self.shard.map_or(self.count, |s| {
            let r = s.range(self.count);
            r.end - r.start
        })
    }

    /// The evidence profiles written.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// Number of scenarios.
    pub fn count(&self) -> u64 {
        self.count
    }
    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// The output directory.
    pub fn out(&self) -> &Path {
        &self.out
    }
    /// The cause weights.
    pub fn mix(&self) -> &Mix {
        &self.mix
    }
}

/// Most `--threads` accepted: 8 per core, or 256 if that is more.
pub fn max_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    (8 * cores).max(256)
}

/// `out` must not be, or hold, the templates directory, nor lie inside another corpus.
fn check_out_place(templates: &Templates, out: &Path) -> Result<(), GenError> {
    let bad = |message: String| GenError::BadInput {
        option: "--out".into(),
        message,
    };
    if templates.dir.is_dir() {
        let t = resolved(&templates.dir);
        if t.starts_with(resolved(out)) {
            return Err(bad(format!(
                "{} is or holds the templates directory {}: pick another output directory",
                out.display(),
                templates.dir.display()
            )));
        }
    }
    if let Some(corpus) = enclosing_corpus(out) {
        return Err(bad(format!(
            "{} is inside the corpus {}: a corpus cannot hold another one (its content hash \
             would change); pick a directory outside it",
            out.display(),
            corpus.display()
        )));
    }
    Ok(())
}

/// `--force` replaces a non-empty `out` only when it is a corpus of ours.
fn check_replaceable(out: &Path) -> Result<(), GenError> {
    let refuse = |reason: String| GenError::NotACorpus {
        path: out.display().to_string(),
        reason,
    };
    let meta = std::fs::symlink_metadata(out).map_err(io(out))?;
    if meta.file_type().is_symlink() {
        return Err(refuse("it is a symbolic link".into()));
    }
    if !out.join(MANIFEST_FILE).is_file() {
        return Err(refuse(format!("it has no {MANIFEST_FILE}")));
    }
    Manifest::read(out).map_err(|e| refuse(format!("its manifest does not parse: {e}")))?;
    Ok(())
}

fn is_non_empty_dir(p: &Path) -> bool {
    std::fs::read_dir(p).is_ok_and(|mut d| d.next().is_some())
}

/// Parses `--mix` (`oom_killed=2,node_oom=3`): a failure mode's weight scales the mode, a
/// cause's weight scales it within its mode. The default is balanced over the spec's modes,
/// then over each mode's causes. Returns integer weights per cause.
pub fn parse_mix(t: &Templates, text: &str) -> Result<Mix, GenError> {
    let bad = |message: String| GenError::BadInput {
        option: "--mix".into(),
        message,
    };
    let mut mode_w: BTreeMap<FailureMode, f64> = BTreeMap::new();
    for (m, w) in &t.spec.modes {
        let mode = FailureMode::parse(m).map_err(|e| GenError::Spec {
            file: t.dir.join(spec::SPEC_FILE).display().to_string(),
            field: format!("modes.{m}"),
            message: e.to_string(),
        })?;
        mode_w.insert(mode, f64::from(*w));
    }
    let mut cause_w: BTreeMap<RootCause, f64> = t
        .causes()
        .filter(|c| mode_w.contains_key(&c.mode()))
        .map(|c| (c, 1.0))
        .collect();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (name, value) = item
            .split_once('=')
            .ok_or_else(|| bad(format!("\"{item}\" is not name=weight")))?;
        let (name, value) = (name.trim(), value.trim());
        let w: f64 = value
            .parse()
            .ok()
            .filter(|w: &f64| w.is_finite() && *w >= 0.0)
            .ok_or_else(|| {
                bad(format!(
                    "weight of {name}: expected a number >= 0, got \"{value}\""
                ))
            })?;
        if let Ok(mode) = FailureMode::parse(name) {
            if !mode_w.contains_key(&mode) {
                return Err(bad(format!(
                    "failure mode {name} has no causes in the family spec"
                )));
            }
            mode_w.insert(mode, w);
        } else if let Ok(cause) = RootCause::parse(name) {
            if !cause_w.contains_key(&cause) {
                return Err(bad(format!("root cause {name} is not in the family spec")));
            }
            cause_w.insert(cause, w);
        } else {
            let modes: Vec<String> = mode_w.keys().map(ToString::to_string).collect();
            let causes: Vec<String> = cause_w.keys().map(ToString::to_string).collect();
            return Err(bad(format!(
                "unknown name \"{name}\" (modes: {}; causes: {})",
                modes.join(", "),
                causes.join(", ")
            )));
        }
    }
    let mode_total: f64 = mode_w.values().sum();
    let mut out = Vec::new();
    for (cause, w) in &cause_w {
        let mode = cause.mode();
        let in_mode: f64 = cause_w
            .iter()
            .filter(|(c, _)| c.mode() == mode)
            .map(|(_, w)| *w)
            .sum();
        let mw = mode_w.get(&mode).copied().unwrap_or(0.0);
        if mode_total <= 0.0 || in_mode <= 0.0 {
            continue;
        }
        let weight = (mw / mode_total * w / in_mode * 1_000_000.0).round() as u32;
        if weight > 0 {
            out.push((*cause, weight));
        }
    }
    if out.is_empty() {
        return Err(bad("every weight is zero".into()));
    }
    Ok(Mix(out))
}

/// Receives progress while a corpus is generated.
pub trait Progress: Sync {
    /// `n` more scenarios are written.
    fn advance(&self, n: u64);
}

/// A progress sink that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn advance(&self, _n: u64) {}
}

/// What a generation produced.
#[derive(Clone, Debug)]
pub struct Summary {
    /// The manifest written.
    pub manifest: Manifest,
    /// Where the corpus is.
    pub out: PathBuf,
    /// Counts per adversarial signal.
    pub signals: BTreeMap<String, u64>,
    /// Wall time of rendering, writing and hashing the new corpus, seconds (the removal of
    /// a replaced corpus is not counted).
    pub seconds: f64,
}

impl Summary {
    /// Scenarios per second.
    pub fn scenarios_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.manifest.count as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// The version string recorded in manifests.
pub fn generator_version() -> String {
    format!("triagebench {}", env!("CARGO_PKG_VERSION"))
}

/// Generates the corpus of `config` into its output directory: rendered in parallel (rayon,
/// `threads` or the global pool), written to a temporary sibling directory, then renamed into
/// place. On any error the temporary directory is removed and `out` is untouched.
pub fn generate(
    config: &Config,
    templates: &Templates,
    progress: &dyn Progress,
) -> Result<Summary, GenError> {
    let started = Instant::now();
    let out = &config.out;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let name = out
        .file_name()
        .map_or_else(|| "corpus".into(), |n| n.to_string_lossy().into_owned());
    // Removed on drop (every early return below) unless it was renamed into place.
    // `.<name>.partial-<pid>-<random>`: the process id lets a later run (or `triagebench
    // clean`) remove the leftover of a killed generator, and never one still being written.
    let prefix = format!(".{name}.partial-{}-", std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        // 0777 less the umask, as `create_dir` gives, not tempfile's private 0700.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o777));
    }
    let tmp = builder.tempdir_in(&parent).map_err(io(&parent))?;
    let (manifest, signals) = write_corpus(config, templates, tmp.path(), progress)?;
    // Rendering and writing; moving an old corpus aside and deleting it is not counted.
    let seconds = started.elapsed().as_secs_f64();
    // Swap into place.
    if out.exists() {
        if is_non_empty_dir(out) {
            if !config.force {
                return Err(GenError::Refused {
                    path: out.display().to_string(),
                });
            }
            // Checked again: `out` may have changed since the request was checked.
            check_replaceable(out)?;
            let old = parent.join(format!(".{name}.old-{}", std::process::id()));
            std::fs::rename(out, &old).map_err(io(out))?;
            if let Err(e) = std::fs::rename(tmp.path(), out) {
                let _ = std::fs::rename(&old, out);
                return Err(io(out)(e));
            }
            let _ = tmp.keep(); // renamed into place: nothing to remove
            std::fs::remove_dir_all(&old).map_err(io(&old))?;
        } else {
            std::fs::remove_dir(out).map_err(io(out))?;
            std::fs::rename(tmp.path(), out).map_err(io(out))?;
            let _ = tmp.keep(); // renamed into place: nothing to remove
        }
    } else {
        std::fs::rename(tmp.path(), out).map_err(io(out))?;
        let _ = tmp.keep(); // renamed into place: nothing to remove
    }
    Ok(Summary {
        manifest,
        out: out.clone(),
        signals,
        seconds,
    })
}

type Written = (Manifest, BTreeMap<String, u64>);

/// Content hash, file count and byte count (`scenario::manifest::content_hash`'s result).
type Hashed = (String, u64, u64);

/// `(path relative to the corpus root, length, SHA-256)` of each file of a scenario, sorted.
type FileDigests = Vec<(String, u64, [u8; 32])>;

/// Writes scenario `s` as its directory under `dir` and returns its files' digests, computed
/// from the bytes written (the content hash never reads the corpus back).
fn write_scenario_dir(dir: &Path, s: &render::RenderedScenario) -> Result<FileDigests, GenError> {
    let sdir = dir.join(&s.dir_name);
    std::fs::create_dir(&sdir).map_err(io(&sdir))?;
    let mut made_sub = false;
    let mut digests = Vec::with_capacity(s.files.len());
    for (file, text) in &s.files {
        let p = sdir.join(file);
        if !made_sub && file.contains('/') {
            let sub = sdir.join(spec::K8S_API_DIR);
            std::fs::create_dir(&sub).map_err(io(&sub))?;
            made_sub = true;
        }
        std::fs::write(&p, text).map_err(io(&p))?;
        digests.push((
            format!("{}/{file}", s.dir_name),
            text.len() as u64,
            Sha256::digest(text.as_bytes()).into(),
        ));
    }
    digests.sort_unstable();
    Ok(digests)
}

/// The content hash fed scenario by scenario in the order they are written; gives up (and
/// the caller hashes the directory instead) if a path comes before one already fed.
#[derive(Default)]
struct OrderedHasher {
    hasher: scenario::manifest::ContentHasher,
    last: Option<String>,
    out_of_order: bool,
}

impl OrderedHasher {
    fn push_all(&mut self, digests: &FileDigests) {
        for (rel, len, digest) in digests {
            if self
                .last
                .as_deref()
                .is_some_and(|last| rel.as_str() <= last)
            {
                self.out_of_order = true;
            }
            self.hasher.push(rel, *len, digest);
        }
        if let Some((rel, ..)) = digests.last() {
            self.last = Some(rel.clone());
        }
    }

    fn finish(self) -> Option<Hashed> {
        (!self.out_of_order).then(|| self.hasher.finish())
    }
}

/// The labels of one written scenario, for the manifest counts.
type Labels = (
    FailureMode,
    RootCause,
    scenario::Category,
    u8,
    Vec<scenario::Signal>,
);

fn write_corpus(
    config: &Config,
    t: &Templates,
    dir: &Path,
    progress: &dyn Progress,
) -> Result<Written, GenError> {
    let render = |i: u64| {
        render_scenario_twins(
            t,
            &config.mix,
            config.seed,
            i,
            config.count,
            config.profile,
            config.twins,
        )
    };
    let range = config
        .shard
        .map_or(0..config.count, |s| s.range(config.count));
    // What a rendered scenario becomes in the parallel part: a pack's encoded members
    // (tar members, digests, zstd), or the digests of the directory just written.
    enum Done {
        Pack(scenario::pack::Encoded),
        Dir(FileDigests),
    }
    let write = || -> Result<(Vec<Labels>, Hashed), GenError> {
        let compression = config.pack_compression;
        let mut pack = config
            .pack
            .map(|size| scenario::pack::PackWriter::new(dir, size, compression));
        let mut hasher = OrderedHasher::default();
        let mut labels = Vec::with_capacity((range.end - range.start) as usize);
        // Rendered (and written or encoded, and digested) in parallel chunks, then taken in
        // order: the pack's appends and the content hash need the corpus order, and memory
        // stays one chunk's. Generated names are zero-padded to one width, so index order is
        // the content hash's order.
        let chunk = 64 * rayon::current_num_threads().max(1) as u64;
        let mut start = range.start;
        while start < range.end {
            let end = (start + chunk).min(range.end);
            let done: Vec<(Done, Labels)> = (start..end)
                .into_par_iter()
                .map(|i| {
                    let s = render(i)?;
                    let done = if pack.is_some() {
                        // Sorted by path, as `triagebench pack` reads a directory: the same
                        // corpus packs to the same bytes either way.
                        let mut files: Vec<(&str, &[u8])> = s
                            .files
                            .iter()
                            .map(|(f, text)| (f.as_str(), text.as_bytes()))
                            .collect();
                        files.sort_unstable();
                        Done::Pack(
                            scenario::pack::encode(&s.dir_name, &files, compression)
                                .map_err(io(dir))?,
                        )
                    } else {
                        Done::Dir(write_scenario_dir(dir, &s)?)
                    };
                    Ok((done, (s.mode, s.cause, s.category, s.difficulty, s.signals)))
                })
                .collect::<Result<_, GenError>>()?;
            for (done, l) in done {
                match (done, pack.as_mut()) {
                    (Done::Pack(e), Some(w)) => w.add_encoded(e).map_err(io(dir))?,
                    (Done::Dir(digests), _) => hasher.push_all(&digests),
                    (Done::Pack(_), None) => unreachable!("encoded only for a pack"),
                }
                progress.advance(1);
                labels.push(l);
            }
            start = end;
        }
        let hashed = match pack {
            Some(w) => w.finish().map_err(io(dir))?.content_hash,
            // Combined as the files were written; a corpus whose names do not sort in the
            // order they were written in (never the case for generated names, but the hash
            // must not depend on it) is hashed again from disk.
            None => match hasher.finish() {
                Some(h) => h,
                None => content_hash(dir).map_err(io(dir))?,
            },
        };
        Ok((labels, hashed))
    };
    let (labels, (hash, files, bytes)) = match config.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| GenError::BadInput {
                option: "--threads".into(),
                message: e.to_string(),
            })?
            .install(write)?,
        None => write()?,
    };
    let mut counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut signals: BTreeMap<String, u64> = BTreeMap::new();
    for (mode, cause, category, difficulty, sigs) in &labels {
        let mut bump = |level: &str, label: String| {
            *counts
                .entry(level.into())
                .or_default()
                .entry(label)
                .or_default() += 1;
        };
        bump("failure_mode", mode.to_string());
        bump("root_cause", cause.to_string());
        bump("root_cause_category", category.to_string());
        bump("difficulty", difficulty.to_string());
        for s in sigs {
            *signals.entry(s.to_string()).or_default() += 1;
        }
    }
    counts.insert("adversarial_signal".into(), signals.clone());
    let mut id = Sha256::new();
    id.update(config.seed.to_le_bytes());
    id.update(config.count.to_le_bytes());
    id.update(t.hash.as_bytes());
    id.update(config.profile.as_str().as_bytes());
    if let Some(split) = t.split() {
        id.update(split.as_str().as_bytes());
    }
    for (c, w) in &config.mix.0 {
        id.update(c.as_str().as_bytes());
        id.update(w.to_le_bytes());
    }
    let corpus_id = scenario::manifest::hex(&id.finalize()[..6]);
    let manifest = Manifest {
        schema_version: "1.0".into(),
        corpus_id,
        seed: config.seed,
        count: config.written(),
        generator_version: generator_version(),
        profile: config.profile.as_str().into(),
        templates_hash: t.hash.clone(),
        split: t.split().map(|s| s.as_str().to_owned()),
        twins: (config.twins > 0.0).then_some(config.twins),
        shard: config.shard.map(|s| scenario::manifest::CorpusShard {
            index: s.index,
            count: s.count,
            corpus_count: config.count,
        }),
        counts,
        files,
        bytes,
        content_hash: hash,
        derived: None,
    };
    let mut text = serde_json::to_string_pretty(&manifest).map_err(|e| GenError::Io {
        path: dir.join(MANIFEST_FILE).display().to_string(),
        source: std::io::Error::other(e),
    })?;
    text.push('\n');
    let mp = dir.join(MANIFEST_FILE);
    std::fs::write(&mp, text).map_err(io(&mp))?;
    Ok((manifest, signals))
}

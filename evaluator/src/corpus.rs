//! Which corpus a run is about: its id, content hash, path and seed, read from the generator's
//! `manifest.json` and checked against the files on disk (a corpus edited after generation is
//! refused unless the caller allows it). A corpus without a manifest (hand-written, like
//! `corpus/canonical`) is identified by its directory name and a freshly computed hash.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use scenario::manifest::{MANIFEST_FILE, Manifest, content_hash};

/// The identity of a corpus, as recorded in `run.json` and history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorpusInfo {
    /// Manifest `corpus_id`, or the directory name.
    pub id: String,
    /// Content hash of the files as they are now.
    pub hash: String,
    /// The directory as given.
    pub path: String,
    /// Generator seed, if there is a manifest.
    pub seed: Option<u64>,
    /// Whether there is a manifest.
    pub manifest: bool,
}

/// Why a corpus cannot be identified or was refused.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// `manifest.json` exists but cannot be read or parsed.
    #[error("{0}")]
    Manifest(String),
    /// The files cannot be hashed.
    #[error("{path}: cannot hash the corpus: {source}")]
    Io {
        /// The corpus directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A manifest field disagrees with the corpus it describes.
    #[error("{manifest}: {field}: {message}")]
    ManifestMismatch {
        /// Path of `manifest.json`.
        manifest: PathBuf,
        /// The manifest field.
        field: String,
        /// What disagrees.
        message: String,
    },
    /// The files changed since the manifest was written.
    #[error(
        "{manifest}: content_hash is {recorded} but the corpus now hashes to {actual}: the corpus \
         changed since it was generated (regenerate it, or allow a modified corpus)"
    )]
    Modified {
        /// Path of `manifest.json`.
        manifest: PathBuf,
        /// `content_hash` in the manifest.
        recorded: String,
        /// Hash of the files now.
        actual: String,
    },
}

/// Identifies the corpus at `root`, refusing one that changed since its manifest was written
/// unless `allow_modified` (then the current hash is recorded, so the run never pairs with runs
/// on the original corpus by accident).
pub fn corpus_info(root: &Path, allow_modified: bool) -> Result<CorpusInfo, CorpusError> {
    corpus_info_of(root, allow_modified, None)
}

/// What a loaded corpus looks like, for checking its manifest's fields beyond the hash.
#[derive(Clone, Copy, Debug)]
pub struct Loaded<'a> {
    /// The scenarios that loaded.
    pub scenarios: &'a [scenario::Scenario],
    /// How many scenario directories were left out (`skip_invalid`).
    pub skipped: usize,
}

/// Like [`corpus_info`], and checks the manifest's `count`, `files`, `bytes`, `profile` and
/// label counts against the corpus (`loaded`): the manifest itself is not covered by the
/// content hash, so an edited `count: 999999` would otherwise go unnoticed. Not checked when a
/// modified corpus is allowed and the hash differs; `seed` and `corpus_id` cannot be checked
/// without the templates.
pub fn corpus_info_checked(
    root: &Path,
    allow_modified: bool,
    loaded: Loaded<'_>,
) -> Result<CorpusInfo, CorpusError> {
    let dirs = loaded.scenarios.len() as u64 + loaded.skipped as u64;
    let counts = (loaded.skipped == 0).then(|| scenario::load::label_counts(loaded.scenarios));
    corpus_info_of(root, allow_modified, Some(Tally { dirs, counts }))
}

/// What a corpus read as a stream looks like: its content hash computed while loading
/// (`scenario::manifest::ContentHasher`), the scenario directories seen, and the label
/// counts of the scenarios (`None` when some were left out).
#[derive(Clone, Debug)]
pub struct Streamed {
    /// Content hash, file count and byte count, as `scenario::manifest::content_hash` gives.
    pub hashed: (String, u64, u64),
    /// Scenario directories, loaded or left out.
    pub dirs: u64,
    /// `scenario::load::label_counts` of every scenario, when none was left out.
    pub counts: Option<BTreeMap<String, BTreeMap<String, u64>>>,
}

/// [`corpus_info_checked`] for a corpus whose hash and counts were computed while it was
/// streamed: the same checks, without reading the files again.
pub fn corpus_info_streamed(
    root: &Path,
    allow_modified: bool,
    streamed: Streamed,
) -> Result<CorpusInfo, CorpusError> {
    let tally = Tally {
        dirs: streamed.dirs,
        counts: streamed.counts,
    };
    corpus_info_hashed(root, allow_modified, Some(tally), streamed.hashed)
}

/// The scenario directories and label counts a manifest is checked against.
struct Tally {
    dirs: u64,
    counts: Option<BTreeMap<String, BTreeMap<String, u64>>>,
}

fn corpus_info_of(
    root: &Path,
    allow_modified: bool,
    loaded: Option<Tally>,
) -> Result<CorpusInfo, CorpusError> {
    let hashed = if scenario::pack::is_pack(root) {
        // A pack's hash comes from its shard indexes, streamed one after the other (every
        // member is checked against its SHA-256 when loaded): the same value as the corpus unpacked to directories.
        let (pack, _) = scenario::pack::Pack::open(root).map_err(|p| CorpusError::Io {
            path: root.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, p.to_string()),
        })?;
        pack.content_hash().map_err(|p| CorpusError::Io {
            path: root.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, p.to_string()),
        })?
    } else {
        content_hash(root).map_err(|source| CorpusError::Io {
            path: root.to_path_buf(),
            source,
        })?
    };
    corpus_info_hashed(root, allow_modified, loaded, hashed)
}

fn corpus_info_hashed(
    root: &Path,
    allow_modified: bool,
    loaded: Option<Tally>,
    (actual, files, bytes): (String, u64, u64),
) -> Result<CorpusInfo, CorpusError> {
    let manifest_path = root.join(MANIFEST_FILE);
    let path = root.display().to_string();
    if manifest_path.is_file() {
        let manifest = Manifest::read(root).map_err(CorpusError::Manifest)?;
        if manifest.content_hash != actual && !allow_modified {
            return Err(CorpusError::Modified {
                manifest: manifest_path,
                recorded: manifest.content_hash,
                actual,
            });
        }
        if manifest.content_hash == actual {
            check_fields(&manifest_path, &manifest, files, bytes, loaded)?;
        }
        Ok(CorpusInfo {
            id: manifest.corpus_id,
            hash: actual,
            path,
            seed: Some(manifest.seed),
            manifest: true,
        })
    } else {
        let id = std::fs::canonicalize(root)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| path.clone());
        Ok(CorpusInfo {
            id,
            hash: actual,
            path,
            seed: None,
            manifest: false,
        })
    }
}

/// The manifest fields that can be checked against an unmodified corpus.
fn check_fields(
    path: &Path,
    m: &Manifest,
    files: u64,
    bytes: u64,
    loaded: Option<Tally>,
) -> Result<(), CorpusError> {
    let mismatch = |field: &str, message: String| CorpusError::ManifestMismatch {
        manifest: path.to_path_buf(),
        field: field.to_owned(),
        message,
    };
    if m.files != files {
        return Err(mismatch(
            "files",
            format!("says {} but the corpus has {files} files", m.files),
        ));
    }
    if m.bytes != bytes {
        return Err(mismatch(
            "bytes",
            format!("says {} but the corpus has {bytes} bytes", m.bytes),
        ));
    }
    if !matches!(m.profile.as_str(), "opensre" | "k8s-api" | "both") {
        return Err(mismatch(
            "profile",
            format!("\"{}\" is not one of opensre, k8s-api, both", m.profile),
        ));
    }
    let Some(loaded) = loaded else {
        return Ok(());
    };
    let dirs = loaded.dirs;
    if m.count != dirs {
        return Err(mismatch(
            "count",
            format!("says {} but the corpus has {dirs} scenarios", m.count),
        ));
    }
    if let Some(actual) = loaded.counts {
        for level in ["failure_mode", "root_cause"] {
            let (Some(recorded), Some(now)) = (m.counts.get(level), actual.get(level)) else {
                continue;
            };
            if recorded != now {
                let diff = now
                    .iter()
                    .find(|(k, v)| recorded.get(*k) != Some(v))
                    .map(|(k, v)| (k.clone(), *v, recorded.get(k).copied().unwrap_or(0)))
                    .or_else(|| {
                        recorded
                            .iter()
                            .find(|(k, _)| !now.contains_key(*k))
                            .map(|(k, v)| (k.clone(), 0, *v))
                    });
                if let Some((label, has, says)) = diff {
                    return Err(mismatch(
                        &format!("counts.{level}.{label}"),
                        format!("says {says} but the corpus has {has}"),
                    ));
                }
            }
        }
    }
    Ok(())
}

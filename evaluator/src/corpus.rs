//! Which corpus a run is about: its id, content hash, path and seed, read from the generator's
//! `manifest.json` and checked against the files on disk (a corpus edited after generation is
//! refused unless the caller allows it). A corpus without a manifest (hand-written, like
//! `corpus/canonical`) is identified by its directory name and a freshly computed hash.

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
    corpus_info_of(root, allow_modified, Some(loaded))
}

fn corpus_info_of(
    root: &Path,
    allow_modified: bool,
    loaded: Option<Loaded<'_>>,
) -> Result<CorpusInfo, CorpusError> {
    let (actual, files, bytes) = if scenario::pack::is_pack(root) {
        // A pack's hash comes from its index (every member is checked against its SHA-256
        // when loaded): the same value as the corpus unpacked to directories.
        let (pack, _) = scenario::pack::Pack::open(root).map_err(|p| CorpusError::Io {
            path: root.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, p.to_string()),
        })?;
        pack.index().content_hash()
    } else {
        content_hash(root).map_err(|source| CorpusError::Io {
            path: root.to_path_buf(),
            source,
        })?
    };
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
    loaded: Option<Loaded<'_>>,
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
    let dirs = loaded.scenarios.len() as u64 + loaded.skipped as u64;
    if m.count != dirs {
        return Err(mismatch(
            "count",
            format!("says {} but the corpus has {dirs} scenarios", m.count),
        ));
    }
    if loaded.skipped == 0 {
        let actual = scenario::load::label_counts(loaded.scenarios);
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

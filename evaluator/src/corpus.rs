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
    let (actual, _, _) = content_hash(root).map_err(|source| CorpusError::Io {
        path: root.to_path_buf(),
        source,
    })?;
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

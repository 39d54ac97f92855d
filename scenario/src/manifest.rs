//! `manifest.json` of a generated corpus and the corpus content hash the evaluator checks.
//!
//! The content hash covers every file under the corpus root except `manifest.json` itself:
//! SHA-256 over, per file in byte order of its `/`-separated relative path, the path, a NUL,
//! the length as 8 little-endian bytes, and the SHA-256 of the file's bytes (files are read and
//! hashed in parallel). Any edit, addition, removal or rename changes it. A symbolic link
//! anywhere in the corpus is an error (naming the link and its target), as it is for the loader,
//! so the hash always covers what the loader reads; other special files (FIFOs, sockets) are
//! not hashed, and the loader refuses them where it would read them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The manifest's own file name.
pub const MANIFEST_FILE: &str = "manifest.json";

/// What the generator records about a corpus.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Manifest schema version.
    pub schema_version: String,
    /// Short id of this corpus: derived from seed, count and the templates hash.
    pub corpus_id: String,
    /// The seed it was generated from.
    pub seed: u64,
    /// Number of scenarios.
    pub count: u64,
    /// `triagebench <version>` that generated it.
    pub generator_version: String,
    /// Evidence profile (`opensre`).
    pub profile: String,
    /// SHA-256 of the templates and family spec it was rendered from.
    pub templates_hash: String,
    /// The phrasing split it was drawn from (`train` / `test`), absent for a corpus that
    /// draws every variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<String>,
    /// Share of scenarios generated as counterfactual twin pairs (`--twins`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub twins: Option<f64>,
    /// Which shard of which corpus this is (`generate --shard`): absent for a whole corpus.
    /// `count` and `counts` are then the shard's own, `corpus_id` the whole corpus's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<CorpusShard>,
    /// Per level, label -> count.
    pub counts: BTreeMap<String, BTreeMap<String, u64>>,
    /// Number of files and bytes in the corpus (manifest excluded).
    pub files: u64,
    /// Total bytes.
    pub bytes: u64,
    /// [`content_hash`] of the corpus.
    pub content_hash: String,
    /// For a corpus derived by `triagebench perturb`: its parent and the rewrites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived: Option<Derived>,
}

/// Where a derived corpus comes from and what was done to it (`triagebench perturb`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Derived {
    /// The parent corpus as it was when the child was derived.
    pub parent: ParentRef,
    /// The rewrites, in the order applied (`rename`, `time-shift`, ...).
    pub rewrites: Vec<crate::perturb::Rewrite>,
    /// The seed of the rewrites.
    pub seed: u64,
    /// What was done to each scenario (the rename map, the time offset, the dropped pod), by
    /// scenario id.
    pub scenarios: BTreeMap<String, crate::perturb::ScenarioRecord>,
}

/// The parent of a derived corpus.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentRef {
    /// The parent directory as given to `perturb`.
    pub path: String,
    /// The parent's corpus id (its manifest's, or its directory name).
    pub corpus_id: String,
    /// The parent's content hash when the child was derived.
    pub content_hash: String,
}

/// The `shard` of a shard corpus's manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorpusShard {
    /// 0-based shard index.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
    /// Scenarios in the whole corpus.
    pub corpus_count: u64,
}

impl CorpusShard {
    /// The shard as a [`crate::shard::Shard`].
    pub fn shard(&self) -> crate::shard::Shard {
        crate::shard::Shard {
            index: self.index,
            count: self.count,
        }
    }
}

impl Manifest {
    /// Reads `root/manifest.json`.
    pub fn read(root: &Path) -> Result<Manifest, String> {
        let path = root.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// Hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A path with its existing part resolved (symlinks, `..`), the rest appended as given: where
/// a directory that does not exist yet would be.
pub fn resolved(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            let mut out = real;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return abs,
        }
    }
}

/// The corpus (a directory with `manifest.json`) that strictly contains `path`, if any.
pub fn enclosing_corpus(path: &Path) -> Option<PathBuf> {
    resolved(path)
        .ancestors()
        .skip(1)
        .find(|a| a.join(MANIFEST_FILE).is_file())
        .map(Path::to_path_buf)
}

/// Content hash, file count and byte count of a directory tree (manifest excluded).
pub fn content_hash(root: &Path) -> std::io::Result<(String, u64, u64)> {
    let mut files = Vec::new();
    collect(root, root, &mut files)?;
    files.sort();
    // Each file is read and digested on its own (in parallel); only the digests are kept.
    let digests: Vec<std::io::Result<(u64, [u8; 32])>> = files
        .par_iter()
        .map(|(_, path)| {
            let mut buf = Vec::new();
            std::fs::File::open(path)?.read_to_end(&mut buf)?;
            Ok((buf.len() as u64, Sha256::digest(&buf).into()))
        })
        .collect();
    let mut entries = Vec::with_capacity(files.len());
    for ((rel, _), digest) in files.iter().zip(digests) {
        let (len, digest) = digest?;
        entries.push((rel.as_str(), len, digest));
    }
    let total = entries.iter().map(|(_, len, _)| len).sum();
    Ok((combine(&entries), files.len() as u64, total))
}

/// The content hash of files given in memory as `(relative path, bytes)`, already sorted by
/// path: the same value [`content_hash`] computes for those files on disk.
pub fn hash_entries<'a>(entries: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let entries: Vec<(&str, u64, [u8; 32])> = entries
        .into_iter()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(rel, bytes)| (rel, bytes.len() as u64, Sha256::digest(bytes).into()))
        .collect();
    combine(&entries)
}

/// The one definition of the corpus hash over `(path, length, SHA-256 of the bytes)`.
pub(crate) fn combine(entries: &[(&str, u64, [u8; 32])]) -> String {
    let mut hasher = ContentHasher::default();
    for (rel, len, digest) in entries {
        hasher.push(rel, *len, digest);
    }
    hasher.finish().0
}

/// The corpus content hash computed as the files go by: fed `(relative path, length, SHA-256)`
/// in the order [`content_hash`] uses (relative paths sorted as strings), it gives the same
/// hash, file count and byte count while holding nothing but the running digest.
#[derive(Clone, Debug, Default)]
pub struct ContentHasher {
    hasher: Sha256,
    files: u64,
    bytes: u64,
}

impl ContentHasher {
    /// Adds one file; the caller feeds files in sorted relative-path order.
    pub fn push(&mut self, rel: &str, len: u64, digest: &[u8; 32]) {
        self.hasher.update(rel.as_bytes());
        self.hasher.update([0u8]);
        self.hasher.update(len.to_le_bytes());
        self.hasher.update(digest);
        self.files += 1;
        self.bytes += len;
    }

    /// The content hash, file count and byte count, as [`content_hash`] returns them.
    pub fn finish(self) -> (String, u64, u64) {
        (hex(&self.hasher.finalize()), self.files, self.bytes)
    }
}

/// `(path relative to root, length, SHA-256)` of every file under `root/sub` (a file or a
/// directory), sorted by path; a symbolic link is an error, as in [`content_hash`].
pub fn digest_tree(root: &Path, sub: &str) -> std::io::Result<Vec<(String, u64, [u8; 32])>> {
    let path = root.join(sub);
    let meta = std::fs::symlink_metadata(&path)?;
    let mut files = Vec::new();
    if meta.is_dir() {
        collect(root, &path, &mut files)?;
    } else if meta.file_type().is_symlink() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "{} is a symbolic link: symbolic links are not allowed in a corpus",
                path.display()
            ),
        ));
    } else if meta.is_file() && sub != MANIFEST_FILE {
        files.push((sub.to_owned(), path));
    }
    files.sort();
    files
        .into_iter()
        .map(|(rel, path)| {
            let mut buf = Vec::new();
            std::fs::File::open(&path)?.read_to_end(&mut buf)?;
            Ok((rel, buf.len() as u64, Sha256::digest(&buf).into()))
        })
        .collect()
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let ty = entry.file_type()?;
        if ty.is_symlink() {
            // The loader refuses links too: what is hashed is what is read.
            let target = std::fs::read_link(&path).map_or_else(
                |e| format!("an unreadable target ({e})"),
                |t| t.display().to_string(),
            );
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "{} is a symbolic link to {target}: symbolic links are not allowed in a corpus",
                    path.display()
                ),
            ));
        }
        if ty.is_dir() {
            collect(root, &path, out)?;
        } else if ty.is_file() {
            let rel = path
                .strip_prefix(root)
                .map_err(std::io::Error::other)?
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            if rel != MANIFEST_FILE {
                out.push((rel, path));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_changes_with_content_and_ignores_manifest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("000")).unwrap();
        std::fs::write(dir.path().join("000/a.json"), "{}").unwrap();
        let (h1, files, bytes) = content_hash(dir.path()).unwrap();
        assert_eq!((files, bytes), (1, 2));
        std::fs::write(dir.path().join(MANIFEST_FILE), "x").unwrap();
        assert_eq!(content_hash(dir.path()).unwrap().0, h1);
        std::fs::write(dir.path().join("000/a.json"), "{ }").unwrap();
        assert_ne!(content_hash(dir.path()).unwrap().0, h1);
    }
}

//! Packed corpora: a directory holding `manifest.json` (as for a directory corpus), the index
//! `pack.json` and shard files `shard-00000.tar`, ... of plain POSIX ustar (uncompressed), whose
//! members are the corpus files at their directory-layout paths (`00042/eks_pods.json`). The
//! index gives, for each scenario, its shard, byte range and, per file, its path, data offset,
//! length and SHA-256: a scenario is read with one seek and checked on its own, so a corrupt
//! member loses only its scenario. GNU tar and Python's `tarfile` read a shard as it is.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::load::Problem;
use crate::manifest::hex;

/// The index file of a pack.
pub const INDEX_FILE: &str = "pack.json";
/// The index format this build writes and reads.
pub const FORMAT: u32 = 1;
/// Scenarios per shard unless `--pack-size` says otherwise.
pub const DEFAULT_PACK_SIZE: u64 = 1000;
/// Most scenarios per shard.
pub const MAX_PACK_SIZE: u64 = 100_000;

const BLOCK: u64 = 512;

/// `pack.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackIndex {
    /// [`FORMAT`].
    pub format: u32,
    /// Shard file names, in order.
    pub shards: Vec<String>,
    /// Every scenario, sorted by name.
    pub scenarios: Vec<PackScenario>,
}

/// One scenario of a pack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackScenario {
    /// The scenario directory name.
    pub name: String,
    /// Index into [`PackIndex::shards`].
    pub shard: usize,
    /// Byte offset of its first member header in the shard.
    pub offset: u64,
    /// Bytes of its members (headers, data and padding).
    pub length: u64,
    /// Its files, in shard order.
    pub files: Vec<PackMember>,
}

/// One file of a packed scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackMember {
    /// Path relative to the corpus root, as in the directory layout.
    pub path: String,
    /// Byte offset of its data in the shard.
    pub offset: u64,
    /// Data length.
    pub length: u64,
    /// SHA-256 of the data, hex.
    pub sha256: String,
}

/// Whether `path` is a pack (a directory with a `pack.json`).
pub fn is_pack(path: &Path) -> bool {
    path.join(INDEX_FILE).is_file()
}

/// The shard file name of shard `i`.
pub fn shard_name(i: usize) -> String {
    format!("shard-{i:05}.tar")
}

fn octal(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    let text = format!("{value:0digits$o}");
    field[..digits].copy_from_slice(text.as_bytes());
    field[digits] = 0;
}

/// A ustar header for a regular file `path` of `size` bytes (mode 0644, owner 0, mtime 0: the
/// same corpus gives the same shard bytes).
fn header(path: &str, size: u64) -> std::io::Result<[u8; 512]> {
    let mut h = [0u8; 512];
    let bytes = path.as_bytes();
    let (prefix, name) = if bytes.len() <= 100 {
        (&[][..], bytes)
    } else {
        // Split at a '/' so that the name fits in 100 bytes and the prefix in 155.
        let split = path
            .char_indices()
            .filter(|&(i, c)| c == '/' && i <= 155 && bytes.len() - i - 1 <= 100)
            .map(|(i, _)| i)
            .next()
            .ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("{path}: path too long for a ustar member"),
                )
            })?;
        (&bytes[..split], &bytes[split + 1..])
    };
    h[..name.len()].copy_from_slice(name);
    octal(&mut h[100..108], 0o644);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], 0);
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[345..345 + prefix.len()].copy_from_slice(prefix);
    h[148..156].fill(b' ');
    let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
    octal(&mut h[148..155], sum);
    h[155] = b' ';
    Ok(h)
}

/// Parses a header written by [`header`] (or by any ustar writer): `(path, size)`, or why not.
fn parse_header(h: &[u8]) -> Result<(String, u64), String> {
    let field = |r: std::ops::Range<usize>| {
        let f = &h[r];
        let end = f.iter().position(|&b| b == 0).unwrap_or(f.len());
        &f[..end]
    };
    let num = |r: std::ops::Range<usize>| -> Result<u64, String> {
        let text = std::str::from_utf8(field(r)).map_err(|_| "a number field is not ASCII")?;
        let text = text.trim_matches(|c| c == ' ' || c == '\0');
        u64::from_str_radix(text, 8).map_err(|_| format!("bad octal number \"{text}\""))
    };
    if h.iter().all(|&b| b == 0) {
        return Err("an end-of-archive block where a member header should be".into());
    }
    let recorded = num(148..156)?;
    let sum: u64 = h
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u64::from(b)
            }
        })
        .sum();
    if sum != recorded {
        return Err(format!(
            "header checksum is {recorded} but the header sums to {sum} (not a tar header, or corrupt)"
        ));
    }
    if h[156] != b'0' && h[156] != 0 {
        return Err(format!(
            "member type '{}' is not a regular file",
            h[156] as char
        ));
    }
    let name = std::str::from_utf8(field(0..100)).map_err(|_| "member name is not UTF-8")?;
    let prefix = std::str::from_utf8(field(345..500)).map_err(|_| "member prefix is not UTF-8")?;
    let path = if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}/{name}")
    };
    Ok((path, num(124..136)?))
}

fn padded(len: u64) -> u64 {
    len.div_ceil(BLOCK) * BLOCK
}

/// Writes a pack: scenarios appended in order, `pack_size` per shard.
#[derive(Debug)]
pub struct PackWriter {
    dir: PathBuf,
    pack_size: u64,
    index: PackIndex,
    current: Option<(std::io::BufWriter<std::fs::File>, u64, u64)>,
}

impl PackWriter {
    /// Starts a pack in the existing directory `dir` (shards and `pack.json` are written there).
    pub fn new(dir: &Path, pack_size: u64) -> PackWriter {
        PackWriter {
            dir: dir.to_path_buf(),
            pack_size: pack_size.clamp(1, MAX_PACK_SIZE),
            index: PackIndex {
                format: FORMAT,
                shards: Vec::new(),
                scenarios: Vec::new(),
            },
            current: None,
        }
    }

    /// Appends scenario `name` with its `files` (paths relative to the scenario directory).
    pub fn add(&mut self, name: &str, files: &[(&str, &[u8])]) -> std::io::Result<()> {
        if self
            .current
            .as_ref()
            .is_some_and(|(_, _, n)| *n >= self.pack_size)
        {
            self.close_shard()?;
        }
        if self.current.is_none() {
            let file_name = shard_name(self.index.shards.len());
            let f = std::fs::File::create(self.dir.join(&file_name))?;
            self.index.shards.push(file_name);
            self.current = Some((std::io::BufWriter::new(f), 0, 0));
        }
        let shard = self.index.shards.len() - 1;
        let Some((w, pos, n)) = self.current.as_mut() else {
            unreachable!("a shard is open");
        };
        let start = *pos;
        let mut members = Vec::with_capacity(files.len());
        for (rel, bytes) in files {
            let path = format!("{name}/{rel}");
            let len = bytes.len() as u64;
            w.write_all(&header(&path, len)?)?;
            w.write_all(bytes)?;
            let pad = padded(len) - len;
            w.write_all(&vec![0u8; pad as usize])?;
            members.push(PackMember {
                path,
                offset: *pos + BLOCK,
                length: len,
                sha256: hex(&Sha256::digest(bytes)),
            });
            *pos += BLOCK + padded(len);
        }
        *n += 1;
        self.index.scenarios.push(PackScenario {
            name: name.to_owned(),
            shard,
            offset: start,
            length: *pos - start,
            files: members,
        });
        Ok(())
    }

    fn close_shard(&mut self) -> std::io::Result<()> {
        if let Some((mut w, _, _)) = self.current.take() {
            w.write_all(&[0u8; 1024])?;
            w.flush()?;
            w.into_inner()
                .map_err(std::io::IntoInnerError::into_error)?
                .sync_all()?;
        }
        Ok(())
    }

    /// Ends the last shard and writes `pack.json`; returns the index.
    pub fn finish(mut self) -> std::io::Result<PackIndex> {
        self.close_shard()?;
        self.index.scenarios.sort_by(|a, b| a.name.cmp(&b.name));
        let mut text = serde_json::to_string(&self.index).map_err(std::io::Error::other)?;
        text.push('\n');
        std::fs::write(self.dir.join(INDEX_FILE), text)?;
        Ok(self.index)
    }
}

impl PackIndex {
    /// Content hash, file count and byte count of the pack's files (what
    /// [`crate::manifest::content_hash`] gives for the same corpus as directories), from the
    /// index (each member is checked against its SHA-256 when read).
    pub fn content_hash(&self) -> (String, u64, u64) {
        let mut entries: Vec<(&str, u64, [u8; 32])> = Vec::new();
        for s in &self.scenarios {
            for f in &s.files {
                let mut d = [0u8; 32];
                for (i, chunk) in f.sha256.as_bytes().chunks(2).take(32).enumerate() {
                    d[i] = std::str::from_utf8(chunk)
                        .ok()
                        .and_then(|c| u8::from_str_radix(c, 16).ok())
                        .unwrap_or(0);
                }
                entries.push((f.path.as_str(), f.length, d));
            }
        }
        entries.sort_by(|a, b| a.0.cmp(b.0));
        let bytes = entries.iter().map(|e| e.1).sum();
        (
            crate::manifest::combine(&entries),
            entries.len() as u64,
            bytes,
        )
    }
}

/// A pack opened for reading.
#[derive(Debug)]
pub struct Pack {
    root: PathBuf,
    index: PackIndex,
    by_name: HashMap<String, usize>,
}

/// The files of one scenario read from a pack: `(path relative to the scenario directory,
/// bytes)`, in shard order.
pub type ScenarioFiles = Vec<(String, Vec<u8>)>;

impl Pack {
    /// Opens the pack at `root` and checks its index; returns it with a problem for each shard
    /// that is missing, truncated or holds bytes the index does not list (the scenarios of
    /// other shards stay readable).
    pub fn open(root: &Path) -> Result<(Pack, Vec<Problem>), Problem> {
        let index_path = root.join(INDEX_FILE);
        let text = std::fs::read_to_string(&index_path)
            .map_err(|e| Problem::file(INDEX_FILE, format!("cannot read: {e}")))?;
        let index: PackIndex = serde_json::from_str(&text)
            .map_err(|e| Problem::file(INDEX_FILE, format!("does not parse: {e}")))?;
        if index.format != FORMAT {
            return Err(Problem::field(
                INDEX_FILE,
                "format",
                format!("{} is not the supported format {FORMAT}", index.format),
            ));
        }
        for (i, s) in index.shards.iter().enumerate() {
            if *s != shard_name(i) {
                return Err(Problem::field(
                    INDEX_FILE,
                    format!("shards[{i}]"),
                    format!("\"{s}\" is not the expected {}", shard_name(i)),
                ));
            }
        }
        // Each shard's scenarios tile it from byte 0 without gaps or overlaps.
        let mut ends = vec![0u64; index.shards.len()];
        let mut by_name = HashMap::new();
        for (i, s) in index.scenarios.iter().enumerate() {
            let at = |field: &str| format!("scenarios[{i}].{field}");
            let bad = |field: &str, m: String| Problem::field(INDEX_FILE, at(field), m);
            if !crate::load::is_scenario_dir_name(&s.name) || s.name.contains('/') {
                return Err(bad(
                    "name",
                    format!("\"{}\" is not a scenario name", s.name),
                ));
            }
            if by_name.insert(s.name.clone(), i).is_some() {
                return Err(bad("name", format!("\"{}\" is listed twice", s.name)));
            }
            let Some(end) = ends.get_mut(s.shard) else {
                return Err(bad("shard", format!("{} is not a listed shard", s.shard)));
            };
            if s.offset != *end {
                return Err(bad(
                    "offset",
                    format!(
                        "{} but the previous scenario of {} ends at {}",
                        s.offset, index.shards[s.shard], end
                    ),
                ));
            }
            let mut pos = s.offset;
            for (j, f) in s.files.iter().enumerate() {
                let prefix = format!("{}/", s.name);
                if !f.path.starts_with(&prefix)
                    || f.path.split('/').any(|c| c.is_empty() || c == "..")
                {
                    return Err(bad(
                        &format!("files[{j}].path"),
                        format!("\"{}\" is not a path inside {}", f.path, prefix),
                    ));
                }
                if f.offset != pos + BLOCK {
                    return Err(bad(
                        &format!("files[{j}].offset"),
                        format!(
                            "{} but the member's data starts at {}",
                            f.offset,
                            pos + BLOCK
                        ),
                    ));
                }
                pos += BLOCK + padded(f.length);
            }
            if pos - s.offset != s.length {
                return Err(bad(
                    "length",
                    format!("{} but its members take {} bytes", s.length, pos - s.offset),
                ));
            }
            *end = pos;
        }
        let mut problems = Vec::new();
        for (i, name) in index.shards.iter().enumerate() {
            let expected = ends[i] + 1024;
            match std::fs::metadata(root.join(name)) {
                Err(e) => problems.push(Problem::file(
                    name,
                    format!("cannot open (listed in {INDEX_FILE}): {e}"),
                )),
                Ok(m) if m.len() < expected => problems.push(Problem::file(
                    name,
                    format!(
                        "truncated: {} bytes, {INDEX_FILE} expects {expected}",
                        m.len()
                    ),
                )),
                Ok(m) if m.len() > expected => problems.push(Problem::file(
                    name,
                    format!(
                        "{} bytes after its last listed member at byte offset {}: a member not \
                         listed in {INDEX_FILE}",
                        m.len() - expected,
                        ends[i]
                    ),
                )),
                Ok(_) => {}
            }
        }
        Ok((
            Pack {
                root: root.to_path_buf(),
                index,
                by_name,
            },
            problems,
        ))
    }

    /// The index.
    pub fn index(&self) -> &PackIndex {
        &self.index
    }

    /// Scenario names, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .index
            .scenarios
            .iter()
            .map(|s| s.name.clone())
            .collect();
        names.sort();
        names
    }

    /// Whether the pack lists scenario `name`.
    pub fn has(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// Reads and checks the files of scenario `name` (one seek, one read): every member header
    /// must match the index, every member its SHA-256. A problem names the shard, the scenario
    /// and the byte offset.
    pub fn read(&self, name: &str) -> Result<ScenarioFiles, Problem> {
        let Some(&i) = self.by_name.get(name) else {
            return Err(Problem::file(name, format!("not listed in {INDEX_FILE}")));
        };
        let s = &self.index.scenarios[i];
        let shard = &self.index.shards[s.shard];
        // Named by the scenario (or its member) so that the problem is the scenario's own;
        // the message gives the shard and the byte offset.
        let fail_in = |file: &str, offset: u64, m: String| {
            Problem::file(file, format!("in {shard} at byte offset {offset}: {m}"))
        };
        let fail = |offset: u64, m: String| fail_in(name, offset, m);
        let mut f = std::fs::File::open(self.root.join(shard))
            .map_err(|e| fail(s.offset, format!("cannot open: {e}")))?;
        f.seek(SeekFrom::Start(s.offset))
            .map_err(|e| fail(s.offset, format!("cannot seek: {e}")))?;
        let mut buf = Vec::with_capacity(s.length as usize);
        (&mut f)
            .take(s.length)
            .read_to_end(&mut buf)
            .map_err(|e| fail(s.offset, format!("cannot read: {e}")))?;
        if (buf.len() as u64) < s.length {
            return Err(fail(
                s.offset + buf.len() as u64,
                format!(
                    "the shard is truncated ({} of the scenario's {} bytes are there)",
                    buf.len(),
                    s.length
                ),
            ));
        }
        let mut out = Vec::with_capacity(s.files.len());
        let mut pos = 0usize;
        for m in &s.files {
            let at = s.offset + pos as u64;
            let (path, size) = parse_header(&buf[pos..pos + BLOCK as usize])
                .map_err(|e| fail_in(&m.path, at, e))?;
            if path != m.path {
                return Err(fail(
                    at,
                    format!(
                        "the member is {path} but {INDEX_FILE} lists {} here",
                        m.path
                    ),
                ));
            }
            if size != m.length {
                return Err(fail_in(
                    &m.path,
                    at,
                    format!(
                        "the member has {size} bytes but {INDEX_FILE} says {}",
                        m.length
                    ),
                ));
            }
            let data_at = pos + BLOCK as usize;
            let data = &buf[data_at..data_at + size as usize];
            let digest = hex(&Sha256::digest(data));
            if digest != m.sha256 {
                return Err(fail_in(
                    &m.path,
                    m.offset,
                    format!(
                        "SHA-256 is {digest} but {INDEX_FILE} records {} (the member is corrupt)",
                        m.sha256
                    ),
                ));
            }
            let rel = path[name.len() + 1..].to_owned();
            out.push((rel, data.to_vec()));
            pos = data_at + padded(size) as usize;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips_and_splits_long_paths() {
        let long = format!("00001/k8s-api/{}/x.json", "d".repeat(120));
        for p in ["00001/alert.json", long.as_str()] {
            let h = header(p, 1234).unwrap();
            assert_eq!(parse_header(&h).unwrap(), (p.to_owned(), 1234));
        }
        let mut h = header("00001/a.json", 3).unwrap();
        h[0] = b'1';
        assert!(parse_header(&h).unwrap_err().contains("checksum"));
    }
}

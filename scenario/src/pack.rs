//! Packed corpora, format 2: a directory holding `manifest.json` (as for a directory corpus),
//! the index `pack.json`, and per shard a data file `shard-00000.tar.zst` (or `.tar`) and its
//! index `shard-00000.json`. The data are POSIX ustar members whose paths are the corpus files'
//! directory-layout paths (`00042/eks_pods.json`); with zstd, each scenario's members (headers,
//! data, padding) are one zstd frame and the shard ends with a frame holding the two zero
//! end-of-archive blocks, so a shard is one valid zstd stream of one tar archive
//! (`tar --zstd -xf shard-00000.tar.zst` reads it as it is).
//!
//! `pack.json` is small (per shard: its files, its byte size and the names it holds); each
//! shard's index gives, per scenario, its byte range in the shard (the frame, for zstd), its
//! decompressed size and, per file, its path, data offset (in the scenario's decompressed
//! segment for zstd, in the shard for an uncompressed pack), length and SHA-256. A reader loads
//! and checks a shard's index the first time one of its scenarios is read and keeps a few of
//! them ([`CACHED_SHARDS`]): memory is the names plus those indexes, whatever the pack's size.
//! A scenario is read with one seek and checked on its own, so a corrupt member, frame or shard
//! index loses only its own scenarios. Scenarios are listed in the corpus content hash's order
//! (names sorted by `name + "/"`), so the hash streams shard by shard.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::VecDeque;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::load::Problem;
use crate::manifest::{ContentHasher, hex};

/// The index file of a pack.
pub const INDEX_FILE: &str = "pack.json";
/// The index format this build writes and reads.
pub const FORMAT: u32 = 2;
/// Scenarios per shard unless `--pack-size` says otherwise.
pub const DEFAULT_PACK_SIZE: u64 = 1000;
/// Most scenarios per shard.
pub const MAX_PACK_SIZE: u64 = 100_000;
/// The zstd level of a pack's frames (see ARCHITECTURE.md for the measurement behind it).
pub const ZSTD_LEVEL: i32 = 3;
/// Shard indexes a reader keeps loaded (the most recently used).
pub const CACHED_SHARDS: usize = 4;

const BLOCK: u64 = 512;
const END_OF_ARCHIVE: [u8; 1024] = [0; 1024];

/// How a pack's shards are stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// One zstd frame per scenario (`shard-NNNNN.tar.zst`).
    #[default]
    Zstd,
    /// Plain ustar (`shard-NNNNN.tar`).
    None,
}

impl Compression {
    /// `zstd` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::Zstd => "zstd",
            Compression::None => "none",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Compression::Zstd => "tar.zst",
            Compression::None => "tar",
        }
    }
}

/// `pack.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackIndex {
    /// [`FORMAT`].
    pub format: u32,
    /// How every shard is stored.
    pub compression: Compression,
    /// The shards, in order.
    pub shards: Vec<PackShard>,
}

/// One shard, as `pack.json` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackShard {
    /// The data file, `shard-NNNNN.tar.zst` (or `.tar`).
    pub file: String,
    /// Its index, `shard-NNNNN.json` ([`ShardIndex`]).
    pub index: String,
    /// The data file's size in bytes.
    pub bytes: u64,
    /// The names of its scenarios, in order.
    pub scenarios: Vec<String>,
}

/// `shard-NNNNN.json`: where each scenario of one shard is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardIndex {
    /// [`FORMAT`].
    pub format: u32,
    /// The data file it describes.
    pub shard: String,
    /// Its scenarios, in shard order (the order of [`PackShard::scenarios`]).
    pub scenarios: Vec<PackScenario>,
}

/// One scenario of a shard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackScenario {
    /// The scenario directory name.
    pub name: String,
    /// Byte offset in the shard of its zstd frame (or of its first member header).
    pub offset: u64,
    /// Bytes it takes in the shard.
    pub length: u64,
    /// Bytes of its members (headers, data and padding) decompressed.
    pub size: u64,
    /// Its files, in shard order.
    pub files: Vec<PackMember>,
}

/// One file of a packed scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackMember {
    /// Path relative to the corpus root, as in the directory layout.
    pub path: String,
    /// Byte offset of its data: in the scenario's decompressed members for zstd, in the shard
    /// for an uncompressed pack.
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

/// The data file name of shard `i`.
pub fn shard_name(i: usize, compression: Compression) -> String {
    format!("shard-{i:05}.{}", compression.extension())
}

/// The index file name of shard `i`.
pub fn shard_index_name(i: usize) -> String {
    format!("shard-{i:05}.json")
}

/// The order of the corpus content hash on scenario names: the files' relative paths sorted as
/// strings, so a directory `d` sorts as `d/`.
pub fn hash_order(a: &str, b: &str) -> Ordering {
    a.bytes().chain(*b"/").cmp(b.bytes().chain(*b"/"))
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

fn compress(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    thread_local! {
        static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> =
            const { RefCell::new(None) };
    }
    COMPRESSOR.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            let mut z = zstd::bulk::Compressor::new(ZSTD_LEVEL)?;
            z.include_checksum(true)?;
            z.include_contentsize(true)?;
            *c = Some(z);
        }
        let Some(z) = c.as_mut() else {
            unreachable!("set above");
        };
        z.compress(bytes)
    })
}

fn unhex(text: &str) -> [u8; 32] {
    let mut d = [0u8; 32];
    for (i, chunk) in text.as_bytes().chunks(2).take(32).enumerate() {
        d[i] = std::str::from_utf8(chunk)
            .ok()
            .and_then(|c| u8::from_str_radix(c, 16).ok())
            .unwrap_or(0);
    }
    d
}

fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    serde_json::to_writer(&mut w, value).map_err(std::io::Error::other)?;
    w.write_all(b"\n")?;
    w.flush()?;
    w.into_inner()
        .map_err(std::io::IntoInnerError::into_error)?
        .sync_all()
}

/// One scenario encoded for a shard ([`encode`]): its bytes as they go into the shard and its
/// members. Encoding is the costly part of writing (the tar members, the digests, the
/// compression) and needs no writer, so it can run in parallel; [`PackWriter::add_encoded`]
/// appends the results in order.
#[derive(Debug)]
pub struct Encoded {
    name: String,
    compression: Compression,
    data: Vec<u8>,
    size: u64,
    /// `(path, data offset in the members, length, SHA-256)`, in shard order.
    files: Vec<(String, u64, u64, [u8; 32])>,
}

/// Encodes scenario `name` with its `files` (paths relative to the scenario directory, in the
/// order they go into the shard).
pub fn encode(
    name: &str,
    files: &[(&str, &[u8])],
    compression: Compression,
) -> std::io::Result<Encoded> {
    let total: u64 = files
        .iter()
        .map(|(_, b)| BLOCK + padded(b.len() as u64))
        .sum();
    let mut segment = Vec::with_capacity(total as usize);
    let mut members = Vec::with_capacity(files.len());
    for (rel, bytes) in files {
        let path = format!("{name}/{rel}");
        let len = bytes.len() as u64;
        segment.extend_from_slice(&header(&path, len)?);
        let offset = segment.len() as u64;
        segment.extend_from_slice(bytes);
        segment.resize(segment.len() + (padded(len) - len) as usize, 0);
        members.push((path, offset, len, Sha256::digest(bytes).into()));
    }
    let size = segment.len() as u64;
    let data = match compression {
        Compression::None => segment,
        Compression::Zstd => compress(&segment)?,
    };
    Ok(Encoded {
        name: name.to_owned(),
        compression,
        data,
        size,
        files: members,
    })
}

/// What [`PackWriter::finish`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackSummary {
    /// Scenarios.
    pub scenarios: u64,
    /// Shard files.
    pub shards: usize,
    /// Content hash, file count and byte count (as [`crate::manifest::content_hash`] gives for
    /// the same corpus as directories).
    pub content_hash: (String, u64, u64),
}

/// Writes a pack: scenarios appended in content-hash order ([`hash_order`]), `pack_size` per
/// shard. A shard's index is written when the shard is closed; only the names stay in memory.
#[derive(Debug)]
pub struct PackWriter {
    dir: PathBuf,
    pack_size: u64,
    compression: Compression,
    shards: Vec<PackShard>,
    current: Option<OpenShard>,
    hasher: ContentHasher,
    last: Option<String>,
    count: u64,
}

#[derive(Debug)]
struct OpenShard {
    w: std::io::BufWriter<std::fs::File>,
    pos: u64,
    scenarios: Vec<PackScenario>,
}

impl PackWriter {
    /// Starts a pack in the existing directory `dir` (shards and indexes are written there).
    pub fn new(dir: &Path, pack_size: u64, compression: Compression) -> PackWriter {
        PackWriter {
            dir: dir.to_path_buf(),
            pack_size: pack_size.clamp(1, MAX_PACK_SIZE),
            compression,
            shards: Vec::new(),
            current: None,
            hasher: ContentHasher::default(),
            last: None,
            count: 0,
        }
    }

    /// Appends scenario `name` with its `files` (paths relative to the scenario directory).
    pub fn add(&mut self, name: &str, files: &[(&str, &[u8])]) -> std::io::Result<()> {
        let e = encode(name, files, self.compression)?;
        self.add_encoded(e)
    }

    /// Appends a scenario [`encode`]d for this pack's compression. Names must come in
    /// content-hash order, each once.
    pub fn add_encoded(&mut self, e: Encoded) -> std::io::Result<()> {
        let invalid = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, m);
        if e.compression != self.compression {
            return Err(invalid(format!(
                "{}: encoded for {} but the pack is {}",
                e.name,
                e.compression.as_str(),
                self.compression.as_str()
            )));
        }
        if !crate::load::is_scenario_dir_name(&e.name) || e.name.contains('/') {
            return Err(invalid(format!("\"{}\" is not a scenario name", e.name)));
        }
        if let Some(last) = &self.last
            && hash_order(last, &e.name) != Ordering::Less
        {
            return Err(invalid(format!(
                "scenario {} comes after {last}: a pack is written in content-hash order \
                 (names sorted by name + \"/\"), each name once",
                e.name
            )));
        }
        if self
            .current
            .as_ref()
            .is_some_and(|c| c.scenarios.len() as u64 >= self.pack_size)
        {
            self.close_shard()?;
        }
        if self.current.is_none() {
            let file = shard_name(self.shards.len(), self.compression);
            let f = std::fs::File::create(self.dir.join(&file))?;
            self.current = Some(OpenShard {
                w: std::io::BufWriter::new(f),
                pos: 0,
                scenarios: Vec::new(),
            });
        }
        let Some(cur) = self.current.as_mut() else {
            unreachable!("a shard is open");
        };
        let offset = cur.pos;
        cur.w.write_all(&e.data)?;
        cur.pos += e.data.len() as u64;
        let mut sorted: Vec<&(String, u64, u64, [u8; 32])> = e.files.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, _, len, digest) in sorted {
            self.hasher.push(path, *len, digest);
        }
        let base = match self.compression {
            Compression::None => offset,
            Compression::Zstd => 0,
        };
        cur.scenarios.push(PackScenario {
            name: e.name.clone(),
            offset,
            length: e.data.len() as u64,
            size: e.size,
            files: e
                .files
                .into_iter()
                .map(|(path, at, length, digest)| PackMember {
                    path,
                    offset: base + at,
                    length,
                    sha256: hex(&digest),
                })
                .collect(),
        });
        self.last = Some(e.name);
        self.count += 1;
        Ok(())
    }

    fn close_shard(&mut self) -> std::io::Result<()> {
        let Some(mut cur) = self.current.take() else {
            return Ok(());
        };
        let i = self.shards.len();
        let end = match self.compression {
            Compression::None => END_OF_ARCHIVE.to_vec(),
            Compression::Zstd => compress(&END_OF_ARCHIVE)?,
        };
        cur.w.write_all(&end)?;
        cur.pos += end.len() as u64;
        cur.w.flush()?;
        cur.w
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?
            .sync_all()?;
        let file = shard_name(i, self.compression);
        let index = shard_index_name(i);
        let names = cur.scenarios.iter().map(|s| s.name.clone()).collect();
        write_json(
            &self.dir.join(&index),
            &ShardIndex {
                format: FORMAT,
                shard: file.clone(),
                scenarios: cur.scenarios,
            },
        )?;
        self.shards.push(PackShard {
            file,
            index,
            bytes: cur.pos,
            scenarios: names,
        });
        Ok(())
    }

    /// Ends the last shard and writes `pack.json`.
    pub fn finish(mut self) -> std::io::Result<PackSummary> {
        self.close_shard()?;
        let index = PackIndex {
            format: FORMAT,
            compression: self.compression,
            shards: std::mem::take(&mut self.shards),
        };
        write_json(&self.dir.join(INDEX_FILE), &index)?;
        Ok(PackSummary {
            scenarios: self.count,
            shards: index.shards.len(),
            content_hash: self.hasher.finish(),
        })
    }
}

/// A pack opened for reading: the names, and the shard indexes loaded so far (at most
/// [`CACHED_SHARDS`]).
#[derive(Debug)]
pub struct Pack {
    root: PathBuf,
    compression: Compression,
    shards: Vec<ShardMeta>,
    /// Every scenario name, in content-hash order (checked at open).
    names: Vec<String>,
    cache: Mutex<VecDeque<(usize, LoadedShard)>>,
}

/// A shard's index as loaded and checked, or why it is not usable.
type LoadedShard = Arc<Result<ShardIndex, Problem>>;

#[derive(Debug)]
struct ShardMeta {
    file: String,
    index: String,
    bytes: u64,
    /// Position of its first scenario in [`Pack::names`].
    start: usize,
}

/// The files of one scenario read from a pack: `(path relative to the scenario directory,
/// bytes)`, in shard order.
pub type ScenarioFiles = Vec<(String, Vec<u8>)>;

impl Pack {
    /// Opens the pack at `root` and checks `pack.json`; returns it with a problem for each shard
    /// file that is missing, truncated or longer than `pack.json` says (the scenarios of other
    /// shards stay readable). Shard indexes are read later, when first needed.
    pub fn open(root: &Path) -> Result<(Pack, Vec<Problem>), Problem> {
        #[derive(Deserialize)]
        struct Version {
            format: u32,
        }
        let text = std::fs::read_to_string(root.join(INDEX_FILE))
            .map_err(|e| Problem::file(INDEX_FILE, format!("cannot read: {e}")))?;
        let parse =
            |e: serde_json::Error| Problem::file(INDEX_FILE, format!("does not parse: {e}"));
        let version: Version = serde_json::from_str(&text).map_err(parse)?;
        if version.format == 1 {
            return Err(Problem::field(
                INDEX_FILE,
                "format",
                "pack format 1: unpack with an older triagebench or regenerate (this build \
                 reads format 2)",
            ));
        }
        if version.format != FORMAT {
            return Err(Problem::field(
                INDEX_FILE,
                "format",
                format!("{} is not the supported format {FORMAT}", version.format),
            ));
        }
        let index: PackIndex = serde_json::from_str(&text).map_err(parse)?;
        drop(text);
        let total = index.shards.iter().map(|s| s.scenarios.len()).sum();
        let mut names: Vec<String> = Vec::with_capacity(total);
        let mut shards = Vec::with_capacity(index.shards.len());
        for (i, s) in index.shards.into_iter().enumerate() {
            let bad = |field: &str, m: String| {
                Problem::field(INDEX_FILE, format!("shards[{i}].{field}"), m)
            };
            let file = shard_name(i, index.compression);
            if s.file != file {
                return Err(bad(
                    "file",
                    format!("\"{}\" is not the expected {file}", s.file),
                ));
            }
            if s.index != shard_index_name(i) {
                return Err(bad(
                    "index",
                    format!(
                        "\"{}\" is not the expected {}",
                        s.index,
                        shard_index_name(i)
                    ),
                ));
            }
            if s.scenarios.is_empty() {
                return Err(bad(
                    "scenarios",
                    "a shard holds at least one scenario".into(),
                ));
            }
            let start = names.len();
            for (j, n) in s.scenarios.into_iter().enumerate() {
                let field = format!("scenarios[{j}]");
                if !crate::load::is_scenario_dir_name(&n) || n.contains('/') {
                    return Err(bad(&field, format!("\"{n}\" is not a scenario name")));
                }
                if let Some(prev) = names.last()
                    && hash_order(prev, &n) != Ordering::Less
                {
                    return Err(bad(
                        &field,
                        format!(
                            "\"{n}\" does not come after \"{prev}\": a pack lists its \
                             scenarios in content-hash order (names sorted by name + \"/\"), \
                             each once"
                        ),
                    ));
                }
                names.push(n);
            }
            shards.push(ShardMeta {
                file: s.file,
                index: s.index,
                bytes: s.bytes,
                start,
            });
        }
        let mut problems = Vec::new();
        for s in &shards {
            match std::fs::metadata(root.join(&s.file)) {
                Err(e) => problems.push(Problem::file(
                    &s.file,
                    format!("cannot open (listed in {INDEX_FILE}): {e}"),
                )),
                Ok(m) if m.len() < s.bytes => problems.push(Problem::file(
                    &s.file,
                    format!(
                        "truncated: {} bytes, {INDEX_FILE} expects {}",
                        m.len(),
                        s.bytes
                    ),
                )),
                Ok(m) if m.len() > s.bytes => problems.push(Problem::file(
                    &s.file,
                    format!(
                        "{} bytes after byte offset {}, where {INDEX_FILE} says it ends: data \
                         not listed in {INDEX_FILE}",
                        m.len() - s.bytes,
                        s.bytes
                    ),
                )),
                Ok(_) => {}
            }
        }
        Ok((
            Pack {
                root: root.to_path_buf(),
                compression: index.compression,
                shards,
                names,
                cache: Mutex::new(VecDeque::new()),
            },
            problems,
        ))
    }

    /// How the shards are stored.
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// Number of scenarios.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the pack holds no scenario.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Number of shards.
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// Scenario names, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names = self.names.clone();
        names.sort();
        names
    }

    /// Whether the pack lists scenario `name`.
    pub fn has(&self, name: &str) -> bool {
        self.locate(name).is_some()
    }

    /// `(shard, position in the shard)` of scenario `name`.
    fn locate(&self, name: &str) -> Option<(usize, usize)> {
        let g = self.names.binary_search_by(|n| hash_order(n, name)).ok()?;
        let i = self
            .shards
            .partition_point(|s| s.start <= g)
            .checked_sub(1)?;
        Some((i, g - self.shards[i].start))
    }

    fn end(&self, i: usize) -> usize {
        self.shards.get(i + 1).map_or(self.names.len(), |s| s.start)
    }

    /// The checked index of shard `i`, from the cache or read now (and cached, evicting the
    /// least recently used).
    fn shard(&self, i: usize) -> LoadedShard {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(at) = cache.iter().position(|(k, _)| *k == i)
            && let Some(entry) = cache.remove(at)
        {
            let loaded = Arc::clone(&entry.1);
            cache.push_back(entry);
            return loaded;
        }
        // Read under the lock: parallel readers of the same shard wait for one read.
        let loaded = Arc::new(self.load_shard(i));
        cache.push_back((i, Arc::clone(&loaded)));
        while cache.len() > CACHED_SHARDS {
            cache.pop_front();
        }
        loaded
    }

    /// Reads shard `i`'s index and checks it against `pack.json` and itself: the names, each
    /// scenario's place (the scenarios tile the shard from byte 0), each member's place in its
    /// scenario, and where the shard ends.
    fn load_shard(&self, i: usize) -> Result<ShardIndex, Problem> {
        let meta = &self.shards[i];
        let idx = meta.index.as_str();
        let text = std::fs::read_to_string(self.root.join(idx)).map_err(|e| {
            Problem::file(idx, format!("cannot read (listed in {INDEX_FILE}): {e}"))
        })?;
        let index: ShardIndex = serde_json::from_str(&text)
            .map_err(|e| Problem::file(idx, format!("does not parse: {e}")))?;
        if index.format != FORMAT {
            return Err(Problem::field(
                idx,
                "format",
                format!("{} is not the supported format {FORMAT}", index.format),
            ));
        }
        if index.shard != meta.file {
            return Err(Problem::field(
                idx,
                "shard",
                format!(
                    "\"{}\" but {INDEX_FILE} pairs this index with {}",
                    index.shard, meta.file
                ),
            ));
        }
        let names = &self.names[meta.start..self.end(i)];
        if index.scenarios.len() != names.len() {
            return Err(Problem::field(
                idx,
                "scenarios",
                format!(
                    "{} scenarios but {INDEX_FILE} lists {} for {}",
                    index.scenarios.len(),
                    names.len(),
                    meta.file
                ),
            ));
        }
        let mut end = 0u64;
        for (j, s) in index.scenarios.iter().enumerate() {
            let bad =
                |field: &str, m: String| Problem::field(idx, format!("scenarios[{j}].{field}"), m);
            if s.name != names[j] {
                return Err(bad(
                    "name",
                    format!(
                        "\"{}\" but {INDEX_FILE} lists \"{}\" here",
                        s.name, names[j]
                    ),
                ));
            }
            if s.offset != end {
                return Err(bad(
                    "offset",
                    format!("{} but the previous scenario ends at {end}", s.offset),
                ));
            }
            let base = match self.compression {
                Compression::None => s.offset,
                Compression::Zstd => 0,
            };
            let prefix = format!("{}/", s.name);
            let mut pos = base;
            for (k, f) in s.files.iter().enumerate() {
                if !f.path.starts_with(&prefix)
                    || f.path.split('/').any(|c| c.is_empty() || c == "..")
                {
                    return Err(bad(
                        &format!("files[{k}].path"),
                        format!("\"{}\" is not a path inside {prefix}", f.path),
                    ));
                }
                if f.offset != pos + BLOCK {
                    return Err(bad(
                        &format!("files[{k}].offset"),
                        format!(
                            "{} but the member's data starts at {}",
                            f.offset,
                            pos + BLOCK
                        ),
                    ));
                }
                if !is_sha256_hex(&f.sha256) {
                    return Err(bad(
                        &format!("files[{k}].sha256"),
                        format!("\"{}\" is not a SHA-256 in lowercase hex", f.sha256),
                    ));
                }
                pos += BLOCK + padded(f.length);
            }
            let members = pos - base;
            if s.size != members {
                return Err(bad(
                    "size",
                    format!("{} but its members take {members} bytes", s.size),
                ));
            }
            match self.compression {
                Compression::None if s.length != members => {
                    return Err(bad(
                        "length",
                        format!("{} but its members take {members} bytes", s.length),
                    ));
                }
                Compression::Zstd if s.length == 0 => {
                    return Err(bad("length", "0: a zstd frame is never empty".into()));
                }
                _ => {}
            }
            end = s.offset + s.length;
        }
        let fits = match self.compression {
            Compression::None => end + END_OF_ARCHIVE.len() as u64 == meta.bytes,
            Compression::Zstd => end < meta.bytes,
        };
        if !fits {
            return Err(Problem::field(
                idx,
                "scenarios",
                format!(
                    "they end at byte offset {end} but {INDEX_FILE} gives {} {} bytes (the \
                     end-of-archive {} after them)",
                    meta.file,
                    meta.bytes,
                    match self.compression {
                        Compression::None => "blocks",
                        Compression::Zstd => "frame",
                    }
                ),
            ));
        }
        Ok(index)
    }

    /// Content hash, file count and byte count of the pack's files (what
    /// [`crate::manifest::content_hash`] gives for the same corpus as directories), from the
    /// shard indexes, read one after the other (each member is checked against its SHA-256
    /// when read). Fails on the first shard index that does not load.
    pub fn content_hash(&self) -> Result<(String, u64, u64), Problem> {
        let mut hasher = ContentHasher::default();
        for i in 0..self.shards.len() {
            let loaded = self.shard(i);
            let index = loaded.as_ref().as_ref().map_err(Clone::clone)?;
            for s in &index.scenarios {
                let mut files: Vec<&PackMember> = s.files.iter().collect();
                files.sort_by(|a, b| a.path.cmp(&b.path));
                for f in files {
                    hasher.push(&f.path, f.length, &unhex(&f.sha256));
                }
            }
        }
        Ok(hasher.finish())
    }

    /// Reads and checks the files of scenario `name` (one seek, one read): the frame must
    /// decompress to the size its shard index gives, every member header must match the index,
    /// every member its SHA-256. A problem names the scenario (or its member), the shard and
    /// the byte offset, or the shard index and its field.
    pub fn read(&self, name: &str) -> Result<ScenarioFiles, Problem> {
        let Some((i, j)) = self.locate(name) else {
            return Err(Problem::file(name, format!("not listed in {INDEX_FILE}")));
        };
        let meta = &self.shards[i];
        let loaded = self.shard(i);
        let index = match loaded.as_ref() {
            Ok(index) => index,
            Err(p) => return Err(Problem::file(name, format!("{p}"))),
        };
        let s = &index.scenarios[j];
        let shard = &meta.file;
        let idx = &meta.index;
        let zstd = self.compression == Compression::Zstd;
        // Where a position in the scenario's members is, for a message.
        let at = |pos: u64| {
            if zstd {
                format!(
                    "in {shard} in the zstd frame at byte offset {}, at decompressed offset {pos}",
                    s.offset
                )
            } else {
                format!("in {shard} at byte offset {}", s.offset + pos)
            }
        };
        // Named by the scenario (or its member) so that the problem is the scenario's own.
        let fail_in =
            |file: &str, pos: u64, m: String| Problem::file(file, format!("{}: {m}", at(pos)));
        let fail_raw = |offset: u64, m: String| {
            Problem::file(name, format!("in {shard} at byte offset {offset}: {m}"))
        };
        let mut f = std::fs::File::open(self.root.join(shard))
            .map_err(|e| fail_raw(s.offset, format!("cannot open: {e}")))?;
        f.seek(SeekFrom::Start(s.offset))
            .map_err(|e| fail_raw(s.offset, format!("cannot seek: {e}")))?;
        let mut buf = Vec::with_capacity(s.length as usize);
        (&mut f)
            .take(s.length)
            .read_to_end(&mut buf)
            .map_err(|e| fail_raw(s.offset, format!("cannot read: {e}")))?;
        if (buf.len() as u64) < s.length {
            return Err(fail_raw(
                s.offset + buf.len() as u64,
                format!(
                    "the shard is truncated ({} of the scenario's {} bytes are there)",
                    buf.len(),
                    s.length
                ),
            ));
        }
        let segment = if zstd {
            match zstd::bulk::decompress(&buf, s.size as usize) {
                Ok(d) if d.len() as u64 == s.size => d,
                Ok(d) => {
                    return Err(fail_raw(
                        s.offset,
                        format!(
                            "the zstd frame holds {} bytes but {idx} says {}",
                            d.len(),
                            s.size
                        ),
                    ));
                }
                Err(e) => {
                    return Err(fail_raw(
                        s.offset,
                        format!("the zstd frame does not decompress ({e}): the shard is corrupt"),
                    ));
                }
            }
        } else {
            buf
        };
        let mut out = Vec::with_capacity(s.files.len());
        let mut pos = 0usize;
        for m in &s.files {
            let here = pos as u64;
            let (path, size) = parse_header(&segment[pos..pos + BLOCK as usize])
                .map_err(|e| fail_in(&m.path, here, e))?;
            if path != m.path {
                return Err(fail_in(
                    name,
                    here,
                    format!("the member is {path} but {idx} lists {} here", m.path),
                ));
            }
            if size != m.length {
                return Err(fail_in(
                    &m.path,
                    here,
                    format!("the member has {size} bytes but {idx} says {}", m.length),
                ));
            }
            let data_at = pos + BLOCK as usize;
            let data = &segment[data_at..data_at + size as usize];
            let digest = hex(&Sha256::digest(data));
            if digest != m.sha256 {
                return Err(fail_in(
                    &m.path,
                    data_at as u64,
                    format!(
                        "SHA-256 is {digest} but {idx} records {} (the member is corrupt)",
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

    fn scenario_files(i: u32) -> Vec<(String, Vec<u8>)> {
        let mut files = vec![
            (
                "alert.json".to_owned(),
                format!("{{\"n\": {i}}}").into_bytes(),
            ),
            (
                "k8s-api/pods.json".to_owned(),
                format!("[{}]", "1,".repeat(300 + i as usize)).into_bytes(),
            ),
            ("scenario.yml".to_owned(), b"id: x\n".to_vec()),
        ];
        files.sort();
        files
    }

    fn write(dir: &Path, names: &[&str], size: u64, c: Compression) -> PackSummary {
        let mut w = PackWriter::new(dir, size, c);
        for (i, name) in names.iter().enumerate() {
            let files = scenario_files(i as u32);
            let files: Vec<(&str, &[u8])> = files
                .iter()
                .map(|(p, b)| (p.as_str(), b.as_slice()))
                .collect();
            w.add(name, &files).unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn packs_round_trip_and_hash_as_the_directory_layout() {
        // "001-a" sorts before "001" in hash order ('-' < '/').
        let names = ["000", "001-a", "001", "002"];
        for c in [Compression::Zstd, Compression::None] {
            let tmp = tempfile::tempdir().unwrap();
            let summary = write(tmp.path(), &names, 3, c);
            assert_eq!((summary.scenarios, summary.shards), (4, 2));
            let (pack, problems) = Pack::open(tmp.path()).unwrap();
            assert!(problems.is_empty(), "{problems:?}");
            assert_eq!(pack.names(), ["000", "001", "001-a", "002"]);
            let mut expected = ContentHasher::default();
            let mut entries = Vec::new();
            for (i, name) in names.iter().enumerate() {
                let files = scenario_files(i as u32);
                assert_eq!(pack.read(name).unwrap(), files, "{c:?} {name}");
                for (p, b) in files {
                    entries.push((format!("{name}/{p}"), b));
                }
            }
            entries.sort();
            for (p, b) in &entries {
                expected.push(p, b.len() as u64, &Sha256::digest(b).into());
            }
            let expected = expected.finish();
            assert_eq!(summary.content_hash, expected);
            assert_eq!(pack.content_hash().unwrap(), expected);
            assert!(tmp.path().join(shard_name(1, c)).is_file());
            assert!(tmp.path().join(shard_index_name(1)).is_file());
        }
    }

    #[test]
    fn the_writer_refuses_names_out_of_hash_order() {
        let tmp = tempfile::tempdir().unwrap();
        let mut w = PackWriter::new(tmp.path(), 10, Compression::Zstd);
        w.add("001", &[("a", b"x")]).unwrap();
        let e = w.add("001-a", &[("a", b"x")]).unwrap_err();
        assert!(e.to_string().contains("content-hash order"), "{e}");
        assert!(w.add("001", &[("a", b"x")]).is_err());
    }

    #[test]
    fn a_full_pass_keeps_a_bounded_number_of_shard_indexes() {
        let tmp = tempfile::tempdir().unwrap();
        let names: Vec<String> = (0..12).map(|i| format!("{i:05}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        write(tmp.path(), &refs, 1, Compression::Zstd);
        let (pack, _) = Pack::open(tmp.path()).unwrap();
        assert_eq!(pack.shard_count(), 12);
        for n in &names {
            pack.read(n).unwrap();
            assert!(pack.cache.lock().unwrap().len() <= CACHED_SHARDS);
        }
        pack.content_hash().unwrap();
        assert_eq!(pack.cache.lock().unwrap().len(), CACHED_SHARDS);
    }

    #[test]
    fn format_1_is_refused_with_what_to_do() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join(INDEX_FILE),
            r#"{"format":1,"shards":[],"scenarios":[]}"#,
        )
        .unwrap();
        let p = Pack::open(tmp.path()).unwrap_err();
        assert!(
            p.to_string()
                .contains("pack format 1: unpack with an older triagebench or regenerate"),
            "{p}"
        );
    }
}

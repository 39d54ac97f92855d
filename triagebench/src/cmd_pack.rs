//! `triagebench pack` and `unpack`: convert a directory corpus to a pack (`pack.json`, shard
//! indexes and tar + zstd shards, `scenario::pack`) and back, with byte-identical files (and so the same content
//! hash). Both write to a temporary sibling and rename it into place; an existing output is
//! refused (exit 3) unless `--force` and it is a corpus (never anything else).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use scenario::manifest::{MANIFEST_FILE, Manifest};
use scenario::pack::{Compression, INDEX_FILE, Pack, PackWriter};

/// `--pack-compress`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PackCompress {
    /// One zstd frame per scenario: `shard-NNNNN.tar.zst`.
    Zstd,
    /// Plain ustar: `shard-NNNNN.tar`.
    None,
}

impl From<PackCompress> for Compression {
    fn from(c: PackCompress) -> Compression {
        match c {
            PackCompress::Zstd => Compression::Zstd,
            PackCompress::None => Compression::None,
        }
    }
}

/// Arguments of `triagebench pack`.
#[derive(Debug, clap::Args)]
pub struct PackArgs {
    /// The directory corpus to pack.
    pub corpus: PathBuf,
    /// Where to write the pack (a directory: manifest.json, pack.json, and per shard
    /// shard-NNNNN.tar.zst with its index shard-NNNNN.json).
    #[arg(long)]
    pub out: PathBuf,
    /// Scenarios per shard file (1 to 100,000).
    #[arg(long, value_name = "N", default_value_t = scenario::pack::DEFAULT_PACK_SIZE)]
    pub pack_size: u64,
    /// Shard compression: `zstd` (a frame per scenario, `.tar.zst`) or `none` (plain `.tar`).
    #[arg(long, value_enum, default_value = "zstd")]
    pub pack_compress: PackCompress,
    /// Replace an existing corpus or pack at --out (one with a manifest.json or pack.json);
    /// anything else is refused (exit 3).
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `triagebench unpack`.
#[derive(Debug, clap::Args)]
pub struct UnpackArgs {
    /// The pack to unpack.
    pub pack: PathBuf,
    /// Where to write the directory corpus.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an existing corpus or pack at --out (one with a manifest.json or pack.json);
    /// anything else is refused (exit 3).
    #[arg(long)]
    pub force: bool,
}

/// Runs `pack`.
pub fn run_pack(args: PackArgs) -> anyhow::Result<ExitCode> {
    if !(1..=scenario::pack::MAX_PACK_SIZE).contains(&args.pack_size) {
        return Err(crate::exit::bad_input(format!(
            "--pack-size: expected 1 to {} scenarios per shard, got {}",
            scenario::pack::MAX_PACK_SIZE,
            args.pack_size
        )));
    }
    let src = &args.corpus;
    let shown = src.display();
    if !src.is_dir() {
        return Err(crate::exit::bad_input(format!("{shown}: not a directory")));
    }
    if scenario::pack::is_pack(src) {
        return Err(crate::exit::bad_input(format!(
            "{shown}: is already a pack ({INDEX_FILE})"
        )));
    }
    check_out(&args.out, args.force)?;
    // Every entry must be a scenario directory (or the manifest): a pack holds scenarios only.
    let mut names = Vec::new();
    for entry in std::fs::read_dir(src)
        .map_err(|e| crate::exit::bad_input(format!("{shown}: cannot list: {e}")))?
    {
        let entry = entry.map_err(|e| crate::exit::bad_input(format!("{shown}: {e}")))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ty = entry
            .file_type()
            .map_err(|e| crate::exit::bad_input(format!("{shown}/{name}: {e}")))?;
        if name == MANIFEST_FILE && ty.is_file() {
            continue;
        }
        if !(ty.is_dir() && scenario::load::is_scenario_dir_name(&name)) {
            return Err(crate::exit::bad_input(format!(
                "{shown}/{name}: not a scenario directory: a pack holds scenario directories \
                 and manifest.json only"
            )));
        }
        names.push(name);
    }
    if names.is_empty() {
        return Err(crate::exit::bad_input(format!(
            "{shown}: no scenarios found"
        )));
    }
    // The content hash's order (a directory `d` sorts as `d/`): shard indexes taken in order
    // list the files in hash order, so the hash streams from them.
    names.sort_by(|a, b| scenario::pack::hash_order(a, b));
    let (parent, tmp) = temp_for(&args.out)?;
    let mut w = PackWriter::new(tmp.path(), args.pack_size, args.pack_compress.into());
    for name in &names {
        let files = scenario::load::read_scenario_dir(src, name).map_err(|p| {
            crate::exit::unloadable(src, "the corpus", &scenario::load::Problems(p))
        })?;
        let files: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(f, b)| (f.as_str(), b.as_slice()))
            .collect();
        w.add(name, &files)
            .map_err(|e| anyhow::anyhow!("{}: {e}", tmp.path().display()))?;
    }
    let summary = w
        .finish()
        .map_err(|e| anyhow::anyhow!("{}: {e}", tmp.path().display()))?;
    copy_manifest(src, tmp.path())?;
    let (hash, files, bytes) = summary.content_hash;
    place(tmp, &parent, &args.out, args.force)?;
    outln!(
        "packed {} scenarios ({files} files, {bytes} bytes) into {} shard(s) at {}",
        summary.scenarios,
        summary.shards,
        args.out.display()
    );
    outln!("  content hash {hash}");
    Ok(ExitCode::SUCCESS)
}

/// Runs `unpack`.
pub fn run_unpack(args: UnpackArgs) -> anyhow::Result<ExitCode> {
    let src = &args.pack;
    let shown = src.display();
    if !scenario::pack::is_pack(src) {
        return Err(crate::exit::bad_input(format!(
            "{shown}: not a pack (no {INDEX_FILE})"
        )));
    }
    let (pack, problems) =
        Pack::open(src).map_err(|p| crate::exit::bad_input(format!("{shown}/{p}")))?;
    if !problems.is_empty() {
        return Err(crate::exit::unloadable(
            src,
            "the pack",
            &scenario::load::Problems(problems),
        ));
    }
    check_out(&args.out, args.force)?;
    let (parent, tmp) = temp_for(&args.out)?;
    let mut bad = Vec::new();
    for name in pack.names() {
        match pack.read(&name) {
            Err(p) => bad.push(p),
            Ok(files) => {
                let dir = tmp.path().join(&name);
                std::fs::create_dir(&dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
                for (rel, bytes) in files {
                    let path = dir.join(&rel);
                    if let Some(p) = path.parent() {
                        std::fs::create_dir_all(p)
                            .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
                    }
                    std::fs::write(&path, bytes)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                }
            }
        }
    }
    if !bad.is_empty() {
        // Nothing is placed: the temporary directory is removed on drop.
        return Err(crate::exit::unloadable(
            src,
            "the pack",
            &scenario::load::Problems(bad),
        ));
    }
    copy_manifest(src, tmp.path())?;
    let (hash, files, _) = pack.content_hash().map_err(|p| {
        crate::exit::unloadable(src, "the pack", &scenario::load::Problems(vec![p]))
    })?;
    place(tmp, &parent, &args.out, args.force)?;
    outln!(
        "unpacked {} scenarios ({files} files) into {}",
        pack.len(),
        args.out.display()
    );
    outln!("  content hash {hash}");
    Ok(ExitCode::SUCCESS)
}

fn copy_manifest(src: &Path, dst: &Path) -> anyhow::Result<()> {
    let m = src.join(MANIFEST_FILE);
    if m.is_file() {
        std::fs::copy(&m, dst.join(MANIFEST_FILE))
            .map_err(|e| anyhow::anyhow!("{}: {e}", m.display()))?;
    }
    Ok(())
}

/// Whether `p` is a corpus `--force` may replace: a real directory with a manifest that
/// parses, or a pack index.
fn is_corpus(p: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(p) else {
        return false;
    };
    meta.is_dir()
        && (p.join(INDEX_FILE).is_file()
            || (p.join(MANIFEST_FILE).is_file() && Manifest::read(p).is_ok()))
}

fn non_empty(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| !m.is_dir())
        || std::fs::read_dir(p).is_ok_and(|mut d| d.next().is_some())
}

fn check_out(out: &Path, force: bool) -> anyhow::Result<()> {
    if non_empty(out) {
        if !force {
            return Err(crate::exit::refused(format!(
                "{}: exists and is not empty (pass --force to replace a corpus)",
                out.display()
            )));
        }
        if !is_corpus(out) {
            return Err(crate::exit::refused(format!(
                "{}: not a corpus (no {MANIFEST_FILE} or {INDEX_FILE}): refused even with --force",
                out.display()
            )));
        }
    }
    Ok(())
}

fn temp_for(out: &Path) -> anyhow::Result<(PathBuf, tempfile::TempDir)> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| anyhow::anyhow!("{}: {e}", parent.display()))?;
    let name = out
        .file_name()
        .map_or_else(|| "corpus".into(), |n| n.to_string_lossy().into_owned());
    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{name}.partial-{}-", std::process::id());
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o777));
    }
    let tmp = builder
        .tempdir_in(&parent)
        .map_err(|e| anyhow::anyhow!("{}: {e}", parent.display()))?;
    Ok((parent, tmp))
}

/// Renames `tmp` to `out`; an existing corpus at `out` (checked again) is moved aside first
/// and removed after.
fn place(tmp: tempfile::TempDir, parent: &Path, out: &Path, force: bool) -> anyhow::Result<()> {
    let err = |e: std::io::Error| anyhow::anyhow!("{}: {e}", out.display());
    if non_empty(out) {
        check_out(out, force)?;
        let name = out
            .file_name()
            .map_or_else(|| "corpus".into(), |n| n.to_string_lossy().into_owned());
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        std::fs::rename(out, &old).map_err(err)?;
        if let Err(e) = std::fs::rename(tmp.path(), out) {
            let _ = std::fs::rename(&old, out);
            return Err(err(e));
        }
        let _ = tmp.keep();
        std::fs::remove_dir_all(&old).map_err(err)?;
    } else {
        if out.exists() {
            std::fs::remove_dir(out).map_err(err)?;
        }
        std::fs::rename(tmp.path(), out).map_err(err)?;
        let _ = tmp.keep();
    }
    Ok(())
}

//! The write floor for `just bench`: write the files of an existing corpus again, exactly as
//! `triagebench generate` lays them out (a temporary sibling directory, one directory per
//! scenario, `k8s-api/` beneath it, every file written whole, `manifest.json`, then a rename
//! into place), with no sampling, no rendering and no checks. The files are read into memory
//! before the clock starts. Whatever `generate` takes beyond this is the cost of making the
//! files, not of storing them.
//!
//! `cargo run --release -p generator --example write_floor -- <corpus-dir> <out-dir> [threads]`
//! prints one line: `write floor: N scenarios, F files, B bytes in S s = X scenarios/s (T
//! threads)`. `<out-dir>` must not exist; it is left in place for the caller to remove.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

/// One scenario directory: its name and its files as (path relative to it, bytes).
type ScenarioFiles = (String, Vec<(String, Vec<u8>)>);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: write_floor <corpus-dir> <out-dir> [threads]";
    let root = PathBuf::from(args.next().ok_or(usage)?);
    let out = PathBuf::from(args.next().ok_or(usage)?);
    let threads: usize = args.next().map(|t| t.parse()).transpose()?.unwrap_or(0);
    if out.exists() {
        return Err(format!("{}: exists (the floor writes a new corpus)", out.display()).into());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let mut names: Vec<String> = std::fs::read_dir(&root)?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| scenario::load::is_scenario_dir_name(n))
        .collect();
    names.sort();
    let scenarios: Vec<ScenarioFiles> = names
        .into_iter()
        .map(|n| {
            let files = read_tree(&root.join(&n), "")?;
            Ok((n, files))
        })
        .collect::<Result<_, std::io::Error>>()?;
    let manifest = std::fs::read(root.join(scenario::manifest::MANIFEST_FILE)).ok();

    let start = Instant::now();
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".write-floor.partial-")
        .tempdir_in(&parent)?;
    let (files, bytes) = pool.install(|| {
        scenarios
            .par_iter()
            .map(|s| write_scenario(tmp.path(), s))
            .try_reduce(|| (0u64, 0u64), |a, b| Ok((a.0 + b.0, a.1 + b.1)))
    })?;
    if let Some(m) = &manifest {
        std::fs::write(tmp.path().join(scenario::manifest::MANIFEST_FILE), m)?;
    }
    std::fs::rename(tmp.path(), &out)?;
    let _ = tmp.keep();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "write floor: {} scenarios, {files} files, {bytes} bytes in {secs:.3} s = {:.0} scenarios/s ({} threads)",
        scenarios.len(),
        scenarios.len() as f64 / secs,
        pool.current_num_threads()
    );
    Ok(())
}

/// Every regular file under `dir`, as paths relative to the scenario directory (`prefix`).
fn read_tree(dir: &Path, prefix: &str) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        let ty = e.file_type()?;
        if ty.is_dir() {
            out.extend(read_tree(&e.path(), &format!("{name}/"))?);
        } else if ty.is_file() {
            out.push((name, std::fs::read(e.path())?));
        }
    }
    Ok(out)
}

/// Writes one scenario as the generator does: its directory, its subdirectories as the first
/// file in them comes, every file whole.
fn write_scenario(root: &Path, (name, files): &ScenarioFiles) -> std::io::Result<(u64, u64)> {
    let dir = root.join(name);
    std::fs::create_dir(&dir)?;
    let mut made: Vec<&str> = Vec::new();
    let mut bytes = 0;
    for (rel, data) in files {
        if let Some((sub, _)) = rel.rsplit_once('/')
            && !made.contains(&sub)
        {
            std::fs::create_dir_all(dir.join(sub))?;
            made.push(sub);
        }
        std::fs::write(dir.join(rel), data)?;
        bytes += data.len() as u64;
    }
    Ok((files.len() as u64, bytes))
}

//! The throughput floor for `just bench`: read every file of a corpus and parse the ones eval
//! parses in its default profile (the scenario's own JSON with serde_json, YAML with
//! serde-saphyr, into an untyped value), with no validation, no model and no classifier. Files
//! under a subdirectory (the raw `k8s-api/` objects) are read, as eval reads them for the corpus
//! hash, but not parsed. Whatever `triagebench eval` does on top of this is its real cost.
//!
//! `cargo run --release -p scenario --example parse_floor -- <corpus-dir> [threads]`
//! prints one line: `floor: N scenarios, F files, B bytes in S s = X scenarios/s (T threads)`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(
        args.next()
            .ok_or("usage: parse_floor <corpus-dir> [threads]")?,
    );
    let threads: usize = args.next().map(|t| t.parse()).transpose()?.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| scenario::load::is_scenario_dir_name(&n.to_string_lossy()))
        })
        .collect();
    dirs.sort();
    let start = Instant::now();
    let (files, bytes) = pool.install(|| {
        dirs.par_iter()
            .map(|d| parse_dir(d))
            .try_reduce(|| (0u64, 0u64), |a, b| Ok((a.0 + b.0, a.1 + b.1)))
    })?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "floor: {} scenarios, {files} files, {bytes} bytes in {secs:.3} s = {:.0} scenarios/s ({} threads)",
        dirs.len(),
        dirs.len() as f64 / secs,
        pool.current_num_threads()
    );
    Ok(())
}

fn parse_dir(dir: &Path) -> Result<(u64, u64), String> {
    walk(dir, true)
}

/// Reads every file under `dir`; with `parse`, parses its JSON and YAML files (the scenario's
/// own level), and only reads what lies in subdirectories.
fn walk(dir: &Path, parse: bool) -> Result<(u64, u64), String> {
    let mut files = 0;
    let mut bytes = 0;
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            let (f, b) = walk(&path, false)?;
            files += f;
            bytes += b;
            continue;
        }
        let data = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if parse {
            let text =
                std::str::from_utf8(&data).map_err(|e| format!("{}: {e}", path.display()))?;
            let parsed = match path.extension().and_then(|e| e.to_str()) {
                Some("json") => serde_json::from_str::<serde_json::Value>(text)
                    .map(drop)
                    .map_err(|e| e.to_string()),
                Some("yml" | "yaml") => serde_saphyr::from_str::<serde_json::Value>(text)
                    .map(drop)
                    .map_err(|e| e.to_string()),
                // other files at the scenario's level were never counted
                _ => continue,
            };
            parsed.map_err(|e| format!("{}: {e}", path.display()))?;
        }
        files += 1;
        bytes += data.len() as u64;
    }
    Ok((files, bytes))
}

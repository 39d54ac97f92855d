//! `triagebench clean`, and the sweep `generate` and `eval` run before they start: remove the
//! temporary files and directories an interrupted (killed) triagebench process left behind, and
//! never one of a process that is still running.
//!
//! Every temporary name carries its writer's process id:
//! * `.<corpus>.partial-<pid>-<random>/`: a corpus being generated (`generator::generate`);
//! * `.<corpus>.old-<pid>/`: a replaced corpus being deleted;
//! * `.tmp-<pid>-<run-id>-<random>/`: a run directory being written (`evaluator::report`);
//! * `.<file>.tmp-<pid>-<random>`: a report file being replaced (history, dashboard, compare).
//!
//! A leftover is stale when no process with its pid exists (`/proc/<pid>`). Where `/proc` is not
//! available, nothing is removed: a live writer is never at risk. A pid reused by an unrelated
//! process keeps its leftover until that process is gone (the safe side).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `triagebench clean`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory holding corpora (the parent of `generate --out`).
    #[arg(long, default_value = "corpus")]
    pub corpus_parent: PathBuf,
    /// Reports directory.
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
}

/// What a sweep found.
#[derive(Debug, Default)]
pub struct Swept {
    /// Leftovers of processes that are gone, removed.
    pub removed: Vec<PathBuf>,
    /// Leftovers of processes still running, kept.
    pub live: Vec<(PathBuf, u32)>,
}

/// The process id in a temporary name of ours, or `None` for any other name.
pub fn writer_pid(name: &str) -> Option<u32> {
    if !name.starts_with('.') {
        return None;
    }
    for marker in [".partial-", ".old-", ".tmp-"] {
        let Some(at) = name.find(marker) else {
            continue;
        };
        let rest = &name[at + marker.len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after = rest[digits.len()..].chars().next();
        let shape_ok = match marker {
            ".old-" => after.is_none(),
            _ => after == Some('-'),
        };
        if !digits.is_empty() && shape_ok {
            return digits.parse().ok();
        }
    }
    None
}

/// Whether process `pid` is known to be gone. `false` when that cannot be told.
fn is_gone(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    let proc_root = Path::new("/proc");
    proc_root.join("self").exists() && !proc_root.join(pid.to_string()).exists()
}

/// Removes the stale leftovers directly in `dir` (a missing `dir` has none).
pub fn sweep(dir: &Path) -> std::io::Result<Swept> {
    let mut out = Swept::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let Some(pid) = writer_pid(&name) else {
            continue;
        };
        let path = entry.path();
        if !is_gone(pid) {
            out.live.push((path, pid));
            continue;
        }
        // Never follow a link: only our own files and directories are removed.
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
        out.removed.push(path);
    }
    out.removed.sort();
    out.live.sort();
    Ok(out)
}

/// The sweep `generate` and `eval` run first: removes stale leftovers in `dir`, saying so on
/// stderr. A failure to sweep is only a warning: it never stops the run.
pub fn sweep_before_run(dir: &Path) {
    match sweep(dir) {
        Ok(s) => {
            for p in &s.removed {
                eprintln!(
                    "triagebench: removed {}, left by an interrupted run whose process is gone",
                    p.display()
                );
            }
        }
        Err(e) => eprintln!(
            "triagebench: warning: cannot remove leftovers in {}: {e}",
            dir.display()
        ),
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut removed = 0;
    for dir in [&args.corpus_parent, &args.reports] {
        let s = sweep(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
        for p in &s.removed {
            outln!("removed {}", p.display());
        }
        for (p, pid) in &s.live {
            outln!("kept {} (process {pid} is still running)", p.display());
        }
        removed += s.removed.len();
    }
    if removed == 0 {
        outln!("nothing to remove");
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_ours_give_their_pid() {
        assert_eq!(writer_pid(".generated.partial-123-AbC9z1"), Some(123));
        assert_eq!(writer_pid(".generated.old-77"), Some(77));
        assert_eq!(
            writer_pid(".tmp-4242-20261121T081500Z-rules-1a2b3c-XyZ123"),
            Some(4242)
        );
        assert_eq!(writer_pid(".history.parquet.tmp-9-abcdef"), Some(9));
        for other in [
            "generated",
            ".git",
            ".generated.partial-AbC9z1",
            ".generated.old-77x",
            ".tmp-20261121T081500Z-rules-1a2b3c-XyZ123",
            "x.tmp-9-a",
        ] {
            assert_eq!(writer_pid(other), None, "{other}");
        }
    }

    #[test]
    fn sweep_removes_only_leftovers_of_gone_processes() {
        let dir = std::env::temp_dir().join(format!("tb-clean-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // A pid that is gone: a child that has exited and been reaped.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        child.wait().unwrap();
        let dead = child.id();
        let me = std::process::id();
        let stale = dir.join(format!(".c.partial-{dead}-abc"));
        let live = dir.join(format!(".c.partial-{me}-abc"));
        let stale_file = dir.join(format!(".history.parquet.tmp-{dead}-x"));
        let user = dir.join(".c.partial-notapid");
        for d in [&stale, &live, &user] {
            std::fs::create_dir_all(d.join("00000")).unwrap();
        }
        std::fs::write(&stale_file, "x").unwrap();
        let s = sweep(&dir).unwrap();
        if Path::new("/proc/self").exists() {
            assert_eq!(s.removed.len(), 2, "{s:?}");
            assert!(!stale.exists() && !stale_file.exists());
        }
        assert!(live.exists() && user.exists());
        assert_eq!(s.live, vec![(live, me)]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

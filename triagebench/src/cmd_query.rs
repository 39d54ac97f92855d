//! `triagebench query ...`: slices the Parquet reports across runs with polars, in the separate
//! `triagebench-query` binary (its own cargo workspace, `query/`, so the main build never waits
//! for polars). This module only finds that binary, next to the running executable first and then
//! on `PATH`, and runs it with the arguments as given (on Unix it replaces this process, so the
//! exit code and signals are the query binary's own).

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

use crate::exit;

/// The query binary's file name.
const BIN: &str = "triagebench-query";

/// `triagebench query` arguments: everything is passed to `triagebench-query` unchanged.
#[derive(Debug, clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    /// The arguments of `triagebench-query` (`triagebench query --help` prints its help), e.g.
    /// `slice --reports reports --by run_id,difficulty` or `trend --reports reports`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    args: Vec<OsString>,
}

/// Where the query binary is: beside the running executable, else the first on `PATH`.
fn locate() -> Option<PathBuf> {
    let name = format!("{BIN}{}", std::env::consts::EXE_SUFFIX);
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(&name)));
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(&name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    beside.into_iter().chain(on_path).find(|p| p.is_file())
}

/// Runs the query binary with the arguments; its exit code is ours.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(bin) = locate() else {
        return Err(exit::bad_input(format!(
            "`triagebench query` needs the {BIN} binary (polars, built separately), found neither \
             next to this executable nor on PATH; build it with `just query-build`, or \
             `cargo build --release --locked --manifest-path query/Cargo.toml` and put \
             target/release/{BIN} next to triagebench or on PATH"
        )));
    };
    let mut cmd = Command::new(&bin);
    cmd.args(&args.args);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // exec only returns on failure
        let err = cmd.exec();
        Err(anyhow::anyhow!("cannot run {}: {err}", bin.display()))
    }
    #[cfg(not(unix))]
    {
        let status = cmd
            .status()
            .map_err(|e| anyhow::anyhow!("cannot run {}: {e}", bin.display()))?;
        Ok(ExitCode::from(
            status
                .code()
                .and_then(|c| u8::try_from(c).ok())
                .unwrap_or(1),
        ))
    }
}

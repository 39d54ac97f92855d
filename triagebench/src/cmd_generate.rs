//! `triagebench generate`: placeholder until its issue lands (the helper that owns it replaces this file).

use std::process::ExitCode;

/// Arguments of `triagebench generate`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the subcommand.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    Err(crate::exit::bad_input("`generate` is not available in this build"))
}

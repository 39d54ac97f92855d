//! `triagebench`: the one user-facing binary. Each subcommand lives in its own module with its
//! own clap `Args` and a `run` that returns the process exit code.
//!
//! Exit codes (documented in the README, shared by every subcommand):
//! * 0: success
//! * 1: a gate failed (`compare`: the candidate is significantly worse or slower; `selftest`:
//!   a control missed its figure; `audit`: a threshold failed)
//! * 2: bad input (arguments, scenario files, manifest, classifier spec, a modified corpus)
//! * 3: refused to overwrite existing output (use `--force`)
//! * 4: runtime failure (I/O while writing, a classifier that cannot start at all)

// Doc comments on the clap arguments are the `--help` text, written for a terminal
// (`<REPORTS>/<run-id>/`), not HTML.
#![allow(rustdoc::invalid_html_tags)]

/// `print!` that a closed stdout does not panic (see `out.rs`).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::out::emit(format_args!($($arg)*), false)
    };
}

/// `println!` that a closed stdout does not panic (see `out.rs`).
macro_rules! outln {
    () => {
        $crate::out::emit(format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::out::emit(format_args!($($arg)*), true)
    };
}

mod cmd_ablate;
mod cmd_audit;
mod cmd_clean;
mod cmd_compare;
mod cmd_consistency;
mod cmd_dashboard;
mod cmd_eval;
mod cmd_generate;
mod cmd_history;
mod cmd_import;
mod cmd_merge;
mod cmd_pack;
mod cmd_perturb;
mod cmd_query;
mod cmd_selftest;
mod cmd_serve;
mod cmd_validate;
mod exit;
mod interactive;
mod out;
mod shard;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Evaluation framework for agents that diagnose Kubernetes failures.
/// mimalloc rather than the system allocator: rendering and loading make many small
/// allocations, and glibc's malloc and free were ~30% of `generate` in a profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "triagebench", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load and validate a scenario suite (or one scenario directory).
    Validate(cmd_validate::Args),
    /// Render a seeded, reproducible corpus of failure scenarios from templates.
    Generate(cmd_generate::Args),
    /// Run a classifier over a corpus and write Parquet reports.
    Eval(cmd_eval::Args),
    /// Compare two runs: accuracy deltas, McNemar's test, flipped scenarios; a CI gate.
    Compare(cmd_compare::Args),
    /// Print the accuracy and throughput trend from reports/history.parquet.
    History(cmd_history::Args),
    /// Write reports/dashboard.html, a self-contained accuracy dashboard.
    Dashboard(cmd_dashboard::Args),
    /// Remove what interrupted runs left behind (temporary corpus and run directories of
    /// processes that are gone); never anything of a running process.
    Clean(cmd_clean::Args),
    /// Turn a real snapshot (kubectl -o json, logs, Datadog responses) and its answer into a
    /// scenario directory in both profiles.
    Import(Box<cmd_import::Args>),
    /// Run a classifier once per evidence source with that source taken away and print the
    /// dependence table (accuracy change per level per source).
    Ablate(cmd_ablate::Args),
    /// Combine the run directories of every shard of one evaluation (`eval --shard i/n`) into
    /// one run, with the tables of an unsharded run.
    Merge(cmd_merge::Args),
    /// Score control predictions with known figures (oracle, always-healthy, majority-class,
    /// uniform-random) and check every figure at every level.
    Selftest(cmd_selftest::Args),
    /// Serve a corpus as a read-only Kubernetes API that kubectl reads (one scenario per path
    /// prefix or bearer token; writes refused).
    Serve(cmd_serve::Args),
    /// Test a corpus for shortcuts: partial-input baselines, fingerprints, localization leak;
    /// a CI gate.
    Audit(Box<cmd_audit::Args>),
    /// Derive a corpus whose scenarios keep their labels but are renamed, reordered,
    /// time-shifted, reworded where unrelated to the cause, or short of a healthy pod.
    Perturb(cmd_perturb::Args),
    /// Pack a directory corpus into `pack.json`, shard indexes and tar + zstd shards
    /// (byte-identical files).
    Pack(cmd_pack::PackArgs),
    /// Unpack a pack into a directory corpus (byte-identical files).
    Unpack(cmd_pack::UnpackArgs),
    /// Pair a run on a corpus with runs on corpora derived by `perturb`: consistency rate and
    /// accuracy change per rewrite and level.
    Consistency(cmd_consistency::Args),
    /// Slice the Parquet reports across runs with polars (accuracy by any columns, history
    /// trends): runs the separately built `triagebench-query` binary (`just query-build`).
    Query(cmd_query::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate(args) => cmd_validate::run(args),
        Command::Generate(args) => cmd_generate::run(args),
        Command::Eval(args) => cmd_eval::run(args),
        Command::Compare(args) => cmd_compare::run(args),
        Command::History(args) => cmd_history::run(args),
        Command::Dashboard(args) => cmd_dashboard::run(args),
        Command::Import(args) => cmd_import::run(*args),
        Command::Clean(args) => cmd_clean::run(args),
        Command::Selftest(args) => cmd_selftest::run(args),
        Command::Ablate(args) => cmd_ablate::run(args),
        Command::Merge(args) => cmd_merge::run(args),
        Command::Audit(args) => cmd_audit::run(*args),
        Command::Serve(args) => cmd_serve::run(args),
        Command::Perturb(args) => cmd_perturb::run(args),
        Command::Consistency(args) => cmd_consistency::run(args),
        Command::Query(args) => cmd_query::run(args),
        Command::Pack(args) => cmd_pack::run_pack(args),
        Command::Unpack(args) => cmd_pack::run_unpack(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            exit::code_of(&err)
        }
    }
}

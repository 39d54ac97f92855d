//! `triagebench selftest [--corpus C]...`: scores control predictions with known figures (an
//! oracle built from the answers, always-healthy, majority-class, seeded uniform-random) on each
//! corpus and checks every figure at every level (`evaluator::selftest`), so a scoring bug
//! cannot hide. Without `--corpus` it checks the hand-written canonical suite
//! (`corpus/canonical`) and a small corpus generated from the built-in templates into a
//! temporary directory.
//!
//! Exit codes: 0 when every check passes, 1 when any fails, 2 when a corpus does not load.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use evaluator::selftest;

/// Arguments of `triagebench selftest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A corpus to check (repeatable) [default: corpus/canonical and a generated corpus].
    #[arg(long)]
    pub corpus: Vec<PathBuf>,
    /// Seed of the uniform-random control.
    #[arg(long, default_value_t = selftest::DEFAULT_SEED)]
    pub seed: u64,
    /// Scenarios of the generated corpus checked by default.
    #[arg(long, default_value_t = 500)]
    pub generated_count: u64,
}

/// The canonical suite's path when no `--corpus` is given.
const CANONICAL: &str = "corpus/canonical";

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut reports = Vec::new();
    if args.corpus.is_empty() {
        reports.push(check(Path::new(CANONICAL), args.seed)?);
        let tmp = tempfile::tempdir()?;
        let out = tmp.path().join("generated");
        let templates = generator::builtin_templates()
            .map_err(|e| anyhow::anyhow!("the built-in templates: {e}"))?;
        let config = generator::Config::new(
            &templates,
            args.generated_count,
            42,
            out.clone(),
            None,
            None,
            false,
        )
        .map_err(|e| crate::exit::bad_input(format!("--generated-count: {e}")))?;
        generator::generate(&config, &templates, &generator::NoProgress)
            .map_err(|e| anyhow::anyhow!("generating the selftest corpus: {e}"))?;
        let mut r = check(&out, args.seed)?;
        r.corpus = format!("generated-{}", args.generated_count);
        reports.push(r);
    } else {
        for c in &args.corpus {
            reports.push(check(c, args.seed)?);
        }
    }
    out!("{}", selftest::render(&reports));
    Ok(if reports.iter().all(selftest::Report::passed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::exit::GATE_FAILED)
    })
}

fn check(path: &Path, seed: u64) -> anyhow::Result<selftest::Report> {
    let suite = scenario::load(path)
        .map_err(|problems| crate::exit::unloadable(path, "the corpus", &problems))?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(selftest::run(&suite, &name, seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_passes_and_a_missing_corpus_is_bad_input() {
        let canonical = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/canonical");
        let args = Args {
            corpus: vec![canonical],
            seed: 1,
            generated_count: 10,
        };
        assert_eq!(run(args).unwrap(), ExitCode::SUCCESS);
        let err = run(Args {
            corpus: vec![PathBuf::from("/nonexistent/corpus")],
            seed: 1,
            generated_count: 10,
        })
        .unwrap_err();
        assert_eq!(crate::exit::code_of(&err), ExitCode::from(2));
        assert!(err.to_string().contains("/nonexistent/corpus"), "{err}");
    }
}

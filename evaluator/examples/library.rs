//! Generate and evaluate without the command line: render a small corpus in memory with the
//! generator's `render_scenario`, build a suite from it, and run the whole eval pipeline
//! (classifier, scores, reports, history) with the rule baseline.
//!
//! ```sh
//! cargo run -p evaluator --example library -- 200 /tmp/reports
//! ```
//!
//! `evaluator/tests/library_example.rs` runs [`generate_and_evaluate`] on a small corpus.

use std::path::Path;

use evaluator::CorpusInfo;
use evaluator::pipeline::{Corpus, EvalRequest, NoProgress, RunOutcome, run};
use scenario::{Scenario, Suite};

/// Renders `count` scenarios of seed `seed` in memory, evaluates the rule baseline on them and
/// writes the run under `reports`.
pub fn generate_and_evaluate(
    count: u64,
    seed: u64,
    reports: &Path,
) -> Result<RunOutcome, Box<dyn std::error::Error>> {
    let templates = generator::builtin_templates()?;
    let mix = generator::parse_mix(&templates, "")?;
    let mut scenarios = Vec::new();
    let mut files = Vec::new();
    for i in 0..count {
        let rendered =
            generator::render_scenario(&templates, &mix, seed, i, count, generator::Profile::Both)?;
        scenarios.push(Scenario::from_files(&rendered.dir_name, &rendered.files)?);
        for (name, text) in rendered.files {
            files.push((format!("{}/{name}", rendered.dir_name), text));
        }
    }
    // The content hash the same files would have on disk, so runs on this corpus pair with
    // runs on its written copy.
    files.sort();
    let hash =
        scenario::manifest::hash_entries(files.iter().map(|(p, t)| (p.as_str(), t.as_bytes())));
    let info = CorpusInfo {
        id: format!("memory-{seed}-{count}"),
        hash,
        path: "<memory>".into(),
        seed: Some(seed),
        manifest: false,
    };
    let suite = Suite::from_scenarios("<memory>", scenarios)?;
    let request = EvalRequest::new(Corpus::Suite { suite, info }, reports);
    Ok(run(&request, &classifier::RULES, &NoProgress)?)
}

#[allow(
    dead_code,
    reason = "the test includes this file and calls only the function above"
)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let count = args.next().map_or(Ok(100), |a| a.parse())?;
    let reports = args.next().unwrap_or_else(|| "reports".into());
    let outcome = generate_and_evaluate(count, 42, Path::new(&reports))?;
    print!(
        "{}",
        evaluator::summary::render(&outcome.run, &outcome.scores)
    );
    println!("\nreports: {}", outcome.dir.display());
    Ok(())
}

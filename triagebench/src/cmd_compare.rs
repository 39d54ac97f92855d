//! `triagebench compare <base> <candidate>`: the regression gate. Pairs the two runs'
//! predictions by (scenario, trial) and reports per level the accuracy of each, the difference,
//! McNemar's exact p-value (and Holm's correction of it over the levels and over each level's
//! classes), a paired bootstrap interval of the difference per level and per slice value,
//! per-class deltas and the scenarios that flipped; writes the JSON result to
//! `<reports>/compare-latest.json` for the dashboard.
//!
//! Exit codes: 0 when the candidate is not worse; 1 when it is significantly worse at any level
//! (McNemar p < `--alpha` with more newly wrong than newly right), drops more than `--max-drop`,
//! is slower than `--max-slowdown` allows, or costs more per case than `--max-cost-increase`
//! allows; 2 on bad input (a run that cannot be found or read, runs on different corpora
//! without `--allow-different-corpus`, bad thresholds, `--max-cost-increase` on a run without
//! reported cost);
//! 4 when compare-latest.json cannot be written.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use evaluator::compare::{CompareOptions, LATEST_FILE, compare, render_markdown, render_text};
use evaluator::report::{read_run, resolve_run};

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Plain text for a terminal.
    Text,
    /// Markdown for a pull-request comment.
    Md,
    /// The JSON document (same as compare-latest.json).
    Json,
}

/// Arguments of `triagebench compare`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The base run: a run directory, or a run id under --reports.
    pub base: String,
    /// The candidate run: a run directory, or a run id under --reports.
    pub candidate: String,
    /// Reports directory (where run ids are looked up and compare-latest.json is written).
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Significance level of McNemar's exact test.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// Fail when accuracy at any level drops by more than this (absolute, e.g. 0.02).
    #[arg(long)]
    pub max_drop: Option<f64>,
    /// Fail when the candidate's scenarios/s is lower than the base's by more than this fraction
    /// (0.2 = 20% slower). Off by default: throughput is noisy on shared machines.
    #[arg(long)]
    pub max_slowdown: Option<f64>,
    /// Compare runs made on corpora with different content hashes.
    #[arg(long)]
    pub allow_different_corpus: bool,
    /// Fail when the candidate's cost per case (reported `usage.cost_usd`) exceeds the base's by
    /// more than this fraction (0.1 = 10% more); both runs must have reported cost.
    #[arg(long)]
    pub max_cost_increase: Option<f64>,
    /// Resamples of the paired bootstrap intervals (0 turns them off).
    #[arg(long, default_value_t = evaluator::compare::DEFAULT_BOOTSTRAP_RESAMPLES)]
    pub bootstrap: u32,
    /// Seed of the bootstrap (the same runs and seed give the same intervals).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Do not write compare-latest.json.
    #[arg(long)]
    pub no_save: bool,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    fn bad(m: impl Into<String>) -> anyhow::Error {
        crate::exit::bad_input(m)
    }
    let load = |which: &str, run: &str| {
        let dir = resolve_run(&args.reports, run).ok_or_else(|| {
            bad(format!(
                "{which} run \"{run}\": no run.json in {run} or in {}",
                args.reports.join(run).display()
            ))
        })?;
        read_run(&dir).map_err(|e| bad(format!("{which} run: {e}")))
    };
    let base = load("base", &args.base)?;
    let candidate = load("candidate", &args.candidate)?;
    let options = CompareOptions {
        alpha: args.alpha,
        max_drop: args.max_drop,
        max_slowdown: args.max_slowdown,
        allow_different_corpus: args.allow_different_corpus,
        max_cost_increase: args.max_cost_increase,
        bootstrap_resamples: args.bootstrap,
        seed: args.seed,
    };
    let result = compare(&base, &candidate, &options).map_err(|e| bad(e.to_string()))?;
    let json = serde_json::to_string_pretty(&result)?;
    if !args.no_save {
        let path = args.reports.join(LATEST_FILE);
        evaluator::report::write_atomic(&path, format!("{json}\n").as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    match args.format {
        Format::Json => outln!("{json}"),
        Format::Md => out!("{}", render_markdown(&result)),
        Format::Text => out!("{}", render_text(&result)),
    }
    Ok(if result.is_worse() {
        ExitCode::from(crate::exit::GATE_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    //! The gate through the CLI: run directories written with the evaluator's own writer, a
    //! candidate that mislabels a fifth of the OOM cases, exit 1 and the class named in
    //! compare-latest.json; the same run twice exits 0; different corpora exit 2.

    use super::*;
    use evaluator::tables::{PredictionRow, RunInfo};

    fn info(run_id: &str, hash: &str) -> RunInfo {
        RunInfo {
            run_id: run_id.into(),
            started_at: "2026-11-21T08:15:00Z".into(),
            classifier: "fake".into(),
            classifier_version: "1".into(),
            classifier_spec: "fake".into(),
            corpus_id: "synthetic".into(),
            corpus_hash: hash.into(),
            corpus_path: "corpus".into(),
            corpus_seed: None,
            corpus_manifest: false,
            threads: 1,
            trials: 1,
            scenarios: 200,
            predictions: 200,
            errors: 0,
            wall_seconds: 1.0,
            scenarios_per_second: 200.0,
            latency_p50_ms: 1.0,
            latency_p95_ms: 1.0,
            latency_p99_ms: 1.0,
            peak_rss_bytes: None,
            triagebench_version: "0.1.0".into(),
            report_schema_version: "1".into(),
            classifier_notes: Vec::new(),
            skipped: 0,
            skipped_scenarios: Vec::new(),
            file_sha256: std::collections::BTreeMap::new(),
            ablated: Vec::new(),
            ablated_as: None,
            shard: None,
            merged_from: Vec::new(),
            end_to_end_seconds: None,
            end_to_end_scenarios_per_second: None,
        }
    }

    /// 200 scenarios over four modes; with `degrade`, every fifth OOM one is called a crash loop.
    fn rows(run_id: &str, degrade: bool) -> Vec<PredictionRow> {
        let modes = [
            "healthy",
            "crashloop_backoff",
            "oom_killed",
            "image_pull_backoff",
        ];
        (0..200)
            .map(|i| {
                let expected = modes[i % 4];
                let wrong = degrade && expected == "oom_killed" && (i / 4) % 5 == 0;
                let predicted = if wrong { "crashloop_backoff" } else { expected };
                PredictionRow {
                    run_id: run_id.into(),
                    scenario_id: format!("{i:04}"),
                    case_id: format!("c{i}"),
                    trial: 0,
                    family: expected.into(),
                    difficulty: (i % 4) as u8,
                    adversarial_signals: Vec::new(),
                    evidence_available: vec!["eks_pods".into()],
                    evidence_unavailable: Vec::new(),
                    twin_of: None,
                    twin_kind: None,
                    expected_failure_mode: expected.into(),
                    predicted_failure_mode: predicted.into(),
                    expected_category: expected.into(),
                    predicted_category: predicted.into(),
                    expected_root_cause: None,
                    predicted_root_cause: "unknown".into(),
                    expected_pod: None,
                    predicted_pod: None,
                    expected_container: None,
                    predicted_container: None,
                    correct_failure_mode: !wrong,
                    correct_category: !wrong,
                    correct_root_cause: None,
                    correct_localization: None,
                    confidence: None,
                    latency_ms: 1.0,
                    input_tokens: None,
                    output_tokens: None,
                    cost_usd: None,
                    tool_calls: None,
                    error: None,
                    explanation: String::new(),
                    opensre_pass: None,
                    opensre_reason: None,
                    trajectory: evaluator::trajectory::TrajectoryMetrics::default(),
                }
            })
            .collect()
    }

    fn write(reports: &std::path::Path, run_id: &str, hash: &str, degrade: bool) {
        let run = evaluator::Run {
            info: info(run_id, hash),
            predictions: rows(run_id, degrade),
        };
        evaluator::report::write_run(reports, &run, &evaluator::score(&run.predictions)).unwrap();
    }

    fn args(reports: &std::path::Path, base: &str, candidate: &str) -> Args {
        Args {
            base: base.into(),
            candidate: candidate.into(),
            reports: reports.to_path_buf(),
            format: Format::Json,
            alpha: 0.05,
            max_drop: None,
            max_slowdown: None,
            allow_different_corpus: false,
            max_cost_increase: None,
            bootstrap: 200,
            seed: 0,
            no_save: false,
        }
    }

    #[test]
    fn exit_codes_of_the_gate() {
        // No tempfile dev-dependency in this crate: a unique directory under the system temp dir.
        let dir =
            std::env::temp_dir().join(format!("triagebench-compare-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let reports = dir.as_path();
        write(reports, "base", "h1", false);
        write(reports, "same", "h1", false);
        write(reports, "degraded", "h1", true);
        write(reports, "elsewhere", "h2", false);

        assert_eq!(
            run(args(reports, "base", "same")).unwrap(),
            ExitCode::SUCCESS
        );
        assert_eq!(
            run(args(reports, "base", "degraded")).unwrap(),
            ExitCode::from(1)
        );
        let latest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(reports.join(LATEST_FILE)).unwrap())
                .unwrap();
        assert_eq!(latest["verdict"], "worse");
        assert_eq!(latest["regressed_classes"][0], "failure_mode:oom_killed");
        // The candidate given as a directory works too.
        let dir_arg = reports.join("degraded").display().to_string();
        assert_eq!(
            run(args(reports, "base", &dir_arg)).unwrap(),
            ExitCode::from(1)
        );

        let err = run(args(reports, "base", "elsewhere")).unwrap_err();
        assert_eq!(crate::exit::code_of(&err), ExitCode::from(2));
        assert!(format!("{err:#}").contains("different corpora"));
        let err = run(args(reports, "base", "missing")).unwrap_err();
        assert_eq!(crate::exit::code_of(&err), ExitCode::from(2));
        assert!(format!("{err:#}").contains("candidate run \"missing\""));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_dashboard_reads_the_file_compare_writes() {
        assert_eq!(LATEST_FILE, evaluator::dashboard::COMPARE_LATEST_FILE);
    }
}

//! `triagebench validate <dir>`: load a suite (or one scenario), print a table, and every
//! problem with its file and field. Exit 0 when everything loads, 2 otherwise.
//! `--opensre-loader` also applies OpenSRE's own loader rules (`scenario::opensre_rules`), for
//! suites meant for OpenSRE's harness: triagebench accepts more than OpenSRE's loader does
//! (an unavailable source without its list, a null event count, ...).

use std::path::PathBuf;
use std::process::ExitCode;

use scenario::{EvidenceKind, load_report_profile};
use serde::Serialize;

/// Arguments of `triagebench validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A suite directory (subdirectories named NNN...) or one scenario directory.
    pub dir: PathBuf,
    /// Print one JSON document instead of a table (for machines).
    #[arg(long)]
    pub json: bool,
    /// Also check that OpenSRE's own fixture loader would load every scenario.
    #[arg(long)]
    pub opensre_loader: bool,
    /// Evidence profile to read: `opensre` (the tools' answers, what OpenSRE's harness reads)
    /// or `k8s-api` (the raw objects under `k8s-api/`, strictly checked).
    #[arg(long, default_value = "opensre", value_parser = scenario::Profile::parse)]
    pub profile: scenario::Profile,
}

#[derive(Serialize)]
struct Row {
    scenario: String,
    scenario_id: Option<String>,
    failure_mode: Option<String>,
    difficulty: Option<u8>,
    evidence: Vec<&'static str>,
    status: &'static str,
}

#[derive(Serialize)]
struct Report {
    ok: bool,
    root: String,
    scenarios: Vec<Row>,
    problems: Vec<ProblemJson>,
}

/// One problem of `validate --json`: the file (relative to the suite root), the field path
/// inside it (`null` for the whole file) and what is wrong.
#[derive(Serialize)]
struct ProblemJson {
    file: String,
    field: Option<String>,
    message: String,
}

impl From<&scenario::Problem> for ProblemJson {
    fn from(p: &scenario::Problem) -> ProblemJson {
        ProblemJson {
            file: p.file.clone(),
            field: p.field.clone(),
            message: p.message.clone(),
        }
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let report = load_report_profile(&args.dir, args.profile);
    let mut rows: Vec<Row> = report
        .scenarios
        .iter()
        .map(|s| Row {
            scenario: s.dir_name().to_owned(),
            scenario_id: Some(s.id().to_owned()),
            failure_mode: Some(s.file().failure_mode.to_string()),
            difficulty: Some(s.file().scenario_difficulty),
            evidence: s
                .file()
                .available_evidence
                .iter()
                .map(|k| EvidenceKind::as_str(*k))
                .collect(),
            status: "ok",
        })
        .collect();
    rows.extend(report.failed.iter().map(|name| Row {
        scenario: name.clone(),
        scenario_id: None,
        failure_mode: None,
        difficulty: None,
        evidence: Vec::new(),
        status: "invalid",
    }));
    rows.sort_by(|a, b| a.scenario.cmp(&b.scenario));
    let mut problems: Vec<&scenario::Problem> = report.problems.iter().collect();
    let rules;
    if args.opensre_loader {
        rules = if args.dir.join("scenario.yml").is_file() {
            let name = args
                .dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            scenario::opensre_rules::check_scenario(&report.root, &name)
        } else {
            scenario::opensre_rules::check_suite(&args.dir)
        };
        problems.extend(rules.iter());
    }
    let ok = problems.is_empty();
    if args.json {
        let doc = Report {
            ok,
            root: report.root.display().to_string(),
            scenarios: rows,
            problems: problems.iter().map(|p| ProblemJson::from(*p)).collect(),
        };
        outln!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        print_table(&rows);
        if ok {
            outln!(
                "\n{} scenario(s) valid in {}",
                rows.len(),
                args.dir.display()
            );
        } else {
            eprintln!("\n{} problem(s) in {}:", problems.len(), args.dir.display());
            for p in &problems {
                eprintln!("  {p}");
            }
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::exit::BAD_INPUT)
    })
}

fn print_table(rows: &[Row]) {
    let header = ["SCENARIO", "FAILURE MODE", "DIFF", "EVIDENCE", "STATUS"];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                r.scenario.clone(),
                r.failure_mode.clone().unwrap_or_else(|| "-".into()),
                r.difficulty.map_or_else(|| "-".into(), |d| d.to_string()),
                if r.evidence.is_empty() {
                    "-".into()
                } else {
                    r.evidence.join(",")
                },
                r.status.to_owned(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.len());
        }
    }
    let line = |cols: [&str; 5]| {
        let mut out = String::new();
        for (i, (c, w)) in cols.iter().zip(widths).enumerate() {
            if i + 1 == cols.len() {
                out.push_str(c);
            } else {
                out.push_str(&format!("{c:<w$}  "));
            }
        }
        outln!("{}", out.trim_end());
    };
    line(header);
    for row in &cells {
        line([&row[0], &row[1], &row[2], &row[3], &row[4]]);
    }
}

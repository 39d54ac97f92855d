//! `evaluator::dashboard::load` on real reports: runs written by `evaluate` + `write_run` +
//! `history::append` over the shared synthetic corpus, and a `compare-latest.json` from
//! `compare`. Also leaves the resulting page in `target/tmp/dashboard-real/dashboard.html` for
//! the browser check (`.ci/browser-check.sh` with that path).

mod common;

use std::path::Path;

use common::{Fake, Fault, config, load, write_corpus};
use evaluator::compare::{CompareOptions, compare};
use evaluator::dashboard::{self, CHARTS, COMPARE_LATEST_FILE, DashboardError};
use evaluator::report::{RunReport, read_run, write_run};
use evaluator::{evaluate, history, score};
use scenario::Suite;

/// Evaluates `fault` as classifier `name` and records the run like `triagebench eval` does.
fn record(
    reports: &Path,
    corpus: &Path,
    suite: &Suite,
    name: &str,
    fault: Fault,
    run_id: &str,
    trials: u32,
) -> RunReport {
    let mut fake = Fake::new(suite, fault);
    name.clone_into(&mut fake.name);
    let run = evaluate(suite, &fake, &config(corpus, run_id, 2, trials), &|| {}).expect("evaluate");
    let scores = score(&run.predictions);
    let dir = write_run(reports, &run, &scores).expect("write run");
    history::append(
        &reports.join(history::HISTORY_FILE),
        &history::rows_of(&run.info, &scores),
    )
    .expect("append history");
    read_run(&dir).expect("read run back")
}

#[test]
fn no_history_is_a_clear_error() {
    let reports = tempfile::tempdir().expect("tempdir");
    let err = dashboard::load(reports.path()).expect_err("empty reports must fail");
    assert!(matches!(err, DashboardError::NoHistory(_)), "{err:?}");
    assert!(
        err.to_string().contains("run `triagebench eval` first"),
        "{err}"
    );
}

#[test]
fn real_reports_render_every_chart() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("corpus");
    let reports = tmp.path().join("reports");
    write_corpus(&corpus, 120);
    let suite = load(&corpus);
    let base = record(
        &reports,
        &corpus,
        &suite,
        "oracle",
        Fault::None,
        "r1-oracle",
        1,
    );
    let degraded = record(
        &reports,
        &corpus,
        &suite,
        "degraded",
        Fault::OomFifth,
        "r2-degraded",
        1,
    );
    record(
        &reports,
        &corpus,
        &suite,
        "errors",
        Fault::ErrorEvery(9),
        "r3-errors",
        1,
    );
    record(
        &reports,
        &corpus,
        &suite,
        "flaky",
        Fault::FlakyOddTrials,
        "r4-flaky",
        3,
    );

    // Before any compare: the page renders, the compare panel is empty.
    let data = dashboard::load(&reports).expect("load");
    assert!(data.compare.is_none());
    let latest = data.latest.as_ref().expect("latest run read");
    assert_eq!(latest.info.run_id, "r4-flaky");
    assert_eq!(latest.info.trials, 3);
    let html = dashboard::render(&data);
    assert!(html.contains("data-chart=\"compare\" data-empty=\"true\""));

    let comparison = compare(&base, &degraded, &CompareOptions::default()).expect("compare");
    assert!(
        comparison.is_worse(),
        "a fifth of OOM cases mislabelled must fail the gate"
    );
    let json = serde_json::to_string_pretty(&comparison).expect("serialize comparison");
    std::fs::write(reports.join(COMPARE_LATEST_FILE), json).expect("write compare-latest.json");

    let data = dashboard::load(&reports).expect("load");
    let cmp = data.compare.as_ref().expect("compare read");
    assert!(!cmp.passed);
    assert!(
        cmp.regressed_classes
            .iter()
            .any(|c| c.class == "oom_killed"),
        "{cmp:?}"
    );
    let html = dashboard::render(&data);
    // The audit charts come from `triagebench audit` and the consistency chart from
    // `triagebench consistency`, not from eval runs (triagebench's audit_cli and perturb_cli
    // tests draw them from real reports); every other chart has data here.
    for chart in CHARTS
        .iter()
        .filter(|c| !c.starts_with("audit-") && **c != "consistency")
    {
        let open = format!("data-chart=\"{chart}\"");
        let at = html
            .find(&open)
            .unwrap_or_else(|| panic!("missing {chart}"));
        let tag_end = at + html[at..].find('>').unwrap_or(0);
        assert!(
            !html[at..tag_end].contains("data-empty"),
            "{chart} is empty on real reports"
        );
    }
    for name in [
        "oracle",
        "degraded",
        "errors",
        "flaky",
        "r2-degraded",
        "oom_killed",
    ] {
        assert!(html.contains(name), "{name} not on the page");
    }

    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-real");
    std::fs::create_dir_all(&out).expect("create target/tmp/dashboard-real");
    std::fs::write(out.join("dashboard.html"), &html).expect("write dashboard");
}

#[test]
fn malformed_compare_file_names_the_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("corpus");
    let reports = tmp.path().join("reports");
    write_corpus(&corpus, 8);
    let suite = load(&corpus);
    record(&reports, &corpus, &suite, "oracle", Fault::None, "r1", 1);
    std::fs::write(reports.join(COMPARE_LATEST_FILE), "{\"verdict\": 3}").expect("write");
    let err = dashboard::load(&reports).expect_err("malformed compare must fail");
    assert!(err.to_string().contains(COMPARE_LATEST_FILE), "{err}");

    // A run directory that is gone leaves the history charts and empties the rest.
    std::fs::remove_file(reports.join(COMPARE_LATEST_FILE)).expect("rm");
    std::fs::remove_dir_all(reports.join("r1")).expect("rm run");
    let data = dashboard::load(&reports).expect("load without the run directory");
    assert!(data.latest.is_none());
    assert!(!dashboard::render(&data).contains("data-chart=\"accuracy-trend\" data-empty"));
}

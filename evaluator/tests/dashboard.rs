//! Tests of `evaluator::dashboard::render` on synthetic report rows: every chart is present, the
//! markup nests properly, data strings are escaped, nothing points at the network, and missing
//! data gives "no data yet" panels. `demo_dashboard_for_the_browser_check` also writes a realistic
//! dashboard to `target/tmp/dashboard-demo/dashboard.html` for `.ci/browser-check.sh`.

use evaluator::audit::AuditRow;
use evaluator::dashboard::{
    AuditSummary, CHARTS, ClassDelta, CompareLevel, CompareSummary, DashboardData, LatestRun,
    render,
};
use evaluator::tables::{ConfusionRow, HistoryRow, MetricRow, RunInfo, SliceRow};
use scenario::Level;

const MODES: &[&str] = &[
    "healthy",
    "crashloop_backoff",
    "oom_killed",
    "image_pull_backoff",
];
const CATEGORIES: &[&str] = &[
    "healthy",
    "resource_exhaustion",
    "configuration_error",
    "code_defect",
    "dependency_failure",
];
const CAUSES: &[&str] = &[
    "none",
    "container_oom",
    "node_oom",
    "app_error",
    "segfault",
    "missing_config",
    "dependency_unavailable",
    "image_not_found",
    "registry_auth",
    "rate_limited",
];
const SIGNALS: &[&str] = &[
    "healthy_siblings",
    "stale_events",
    "misleading_log_line",
    "recent_deploy",
    "noisy_neighbour",
    "restart_storm",
];
const EVIDENCE: &[&str] = &["datadog_logs", "k8s_events", "metrics", "pod_logs"];

/// A tiny deterministic generator so the synthetic data looks organic but never changes.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn wilson(k: u64, n: u64) -> (f64, f64) {
    let (k, n) = (k as f64, n as f64);
    let z = 1.96;
    let p = k / n;
    let d = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / d;
    let h = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / d;
    ((c - h).max(0.0), (c + h).min(1.0))
}

fn run_info(run_id: &str, started_at: &str, classifier: &str, trials: u32) -> RunInfo {
    RunInfo {
        run_id: run_id.to_owned(),
        started_at: started_at.to_owned(),
        classifier: classifier.to_owned(),
        classifier_version: "0.4.0".to_owned(),
        classifier_spec: classifier.to_owned(),
        corpus_id: "canonical-2k".to_owned(),
        corpus_hash: "9f2c4e1ab37d5e60c1d2".to_owned(),
        corpus_path: "corpus/canonical".to_owned(),
        corpus_seed: Some(7),
        corpus_manifest: true,
        threads: 2,
        trials,
        scenarios: 2000,
        predictions: 2000 * u64::from(trials),
        errors: 3,
        wall_seconds: 1.6,
        scenarios_per_second: 1250.0,
        latency_p50_ms: 0.4,
        latency_p95_ms: 1.1,
        latency_p99_ms: 2.3,
        peak_rss_bytes: None,
        triagebench_version: "0.1.0".to_owned(),
        report_schema_version: "1".to_owned(),
        classifier_notes: Vec::new(),
        skipped: 0,
        skipped_scenarios: Vec::new(),
        file_sha256: std::collections::BTreeMap::new(),
        ablated: Vec::new(),
        ablated_as: None,
        shard: None,
        merged_from: Vec::new(),
        end_to_end_seconds: Some(8.0),
        end_to_end_scenarios_per_second: Some(250.0 * f64::from(trials)),
    }
}

/// History of `runs` runs spread over two classifiers (names given), newest last.
fn history(names: &[&str], runs: usize, rng: &mut Lcg) -> Vec<HistoryRow> {
    let mut rows = Vec::new();
    for i in 0..runs {
        let classifier = names[i % names.len()];
        let skill = if i % names.len() == 0 { 0.80 } else { 0.70 } + 0.01 * i as f64;
        let run_id = format!("20261{:03}T0800Z-{}", 101 + i, i);
        let base = HistoryRow {
            run_id: run_id.clone(),
            started_at: format!(
                "2026-11-{:02}T{:02}:{:02}:00Z",
                1 + i,
                8 + i % 3,
                (i * 7) % 60
            ),
            classifier: classifier.to_owned(),
            classifier_version: format!("0.{}.0", 1 + i / 4),
            corpus_id: "canonical-2k".to_owned(),
            corpus_hash: "9f2c4e1ab37d5e60c1d2".to_owned(),
            level: Level::FailureMode,
            class: None,
            accuracy: None,
            macro_f1: None,
            recall: None,
            scenarios_per_second: 900.0 + 400.0 * rng.next() + 30.0 * i as f64,
            // The first runs predate the end-to-end figure.
            end_to_end_scenarios_per_second: (i >= 2).then_some(120.0 + 10.0 * i as f64),
            latency_p50_ms: 0.4 + 0.2 * rng.next(),
            latency_p95_ms: 1.0 + 0.5 * rng.next(),
            latency_p99_ms: 2.0 + rng.next(),
            errors: if i == 5 {
                14
            } else {
                (rng.next() * 3.0) as u64
            },
            scenarios: 2000,
            trials: 1,
        };
        for (li, level) in Level::ALL.iter().enumerate() {
            let acc = (skill - 0.08 * li as f64 + 0.03 * (rng.next() - 0.5)).clamp(0.0, 1.0);
            rows.push(HistoryRow {
                level: *level,
                accuracy: Some(acc),
                macro_f1: if *level == Level::Localization {
                    None
                } else {
                    Some(acc - 0.04)
                },
                ..base.clone()
            });
            if *level == Level::FailureMode {
                for m in MODES {
                    rows.push(HistoryRow {
                        level: *level,
                        class: Some((*m).to_owned()),
                        recall: Some((acc + 0.1 * (rng.next() - 0.5)).clamp(0.0, 1.0)),
                        ..base.clone()
                    });
                }
            }
        }
    }
    rows
}

/// Confusion, metric and slice rows of a plausible latest run.
fn latest(info: RunInfo, rng: &mut Lcg) -> LatestRun {
    let trials = info.trials;
    let mut confusion = Vec::new();
    let mut metrics = Vec::new();
    for (li, (level, labels)) in [
        (Level::FailureMode, MODES),
        (Level::RootCauseCategory, CATEGORIES),
        (Level::RootCause, CAUSES),
    ]
    .into_iter()
    .enumerate()
    {
        let mut predicted_labels: Vec<&str> = labels.to_vec();
        predicted_labels.push("unknown");
        predicted_labels.push("error");
        let mut matrix = Vec::new();
        for (i, e) in labels.iter().enumerate() {
            let support = 120 + (rng.next() * 400.0) as u64;
            let mut left = support;
            let mut row = vec![0u64; predicted_labels.len()];
            let right = (support as f64 * (0.72 + 0.26 * rng.next() - 0.06 * li as f64)) as u64;
            row[i] = right;
            left -= right;
            while left > 0 {
                let j =
                    (rng.next() * predicted_labels.len() as f64) as usize % predicted_labels.len();
                let take = (left as f64 * rng.next()).ceil().min(left as f64) as u64;
                row[j] += take.max(1).min(left);
                left -= take.max(1).min(left);
            }
            matrix.push(row);
            let _ = e;
        }
        for (i, e) in labels.iter().chain(["unknown", "error"].iter()).enumerate() {
            for (j, p) in predicted_labels.iter().enumerate() {
                let count = matrix.get(i).map_or(0, |r| r[j]);
                confusion.push(ConfusionRow {
                    level,
                    expected: (*e).to_owned(),
                    predicted: (*p).to_owned(),
                    count,
                });
            }
        }
        let total: u64 = matrix.iter().flatten().sum();
        let correct: u64 = (0..labels.len()).map(|i| matrix[i][i]).sum();
        let mut f1s = Vec::new();
        for (i, class) in labels.iter().enumerate() {
            let support: u64 = matrix[i].iter().sum();
            let predicted: u64 = matrix.iter().map(|r| r[i]).sum();
            let recall = matrix[i][i] as f64 / support as f64;
            let precision = if predicted > 0 {
                matrix[i][i] as f64 / predicted as f64
            } else {
                0.0
            };
            let f1 = if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            };
            f1s.push(f1);
            metrics.push(MetricRow::class_row(
                level,
                class,
                support,
                Some(precision),
                Some(recall),
                Some(f1),
            ));
        }
        let acc = correct as f64 / total as f64;
        let (lo, hi) = wilson(correct, total);
        metrics.push(overall(
            level,
            total,
            acc,
            lo,
            hi,
            Some(f1s.iter().sum::<f64>() / f1s.len() as f64),
            trials,
            rng,
        ));
    }
    // Calibration of the first level: an underconfident classifier (bins above the diagonal).
    {
        let level = Level::FailureMode;
        metrics.push(MetricRow {
            support: 2000,
            accuracy: Some(0.9),
            ece_equal_width: Some(0.2),
            ece_equal_mass: Some(0.19),
            brier: Some(0.08),
            selective_accuracy_50: Some(0.99),
            selective_accuracy_80: Some(0.95),
            selective_accuracy_100: Some(0.9),
            mean_confidence: Some(0.7),
            ..MetricRow::empty(level, evaluator::metrics::CALIBRATION_KIND)
        });
        for k in 0..10u32 {
            let low = f64::from(k) / 10.0;
            let n = u64::from(k) * 40;
            metrics.push(MetricRow {
                support: n,
                accuracy: (n > 0).then(|| (low + 0.25).min(1.0)),
                mean_confidence: (n > 0).then_some(low + 0.05),
                bin_low: Some(low),
                bin_high: Some(low + 0.1),
                ..MetricRow::empty(level, evaluator::metrics::RELIABILITY_WIDTH_KIND)
            });
        }
    }
    let loc = 0.58;
    let (lo, hi) = wilson(1160, 2000);
    metrics.push(overall(
        Level::Localization,
        2000,
        loc,
        lo,
        hi,
        None,
        trials,
        rng,
    ));
    let mut slices = Vec::new();
    let mut slice = |dimension: &str, value: &str, base: f64, n: u64, rng: &mut Lcg| {
        for (li, level) in Level::ALL.iter().enumerate() {
            let acc = (base - 0.07 * li as f64 + 0.04 * rng.next()).clamp(0.0, 1.0);
            let correct = (acc * n as f64).round() as u64;
            let (lo, hi) = wilson(correct, n);
            slices.push(SliceRow {
                dimension: dimension.to_owned(),
                value: value.to_owned(),
                level: *level,
                n,
                correct,
                accuracy: correct as f64 / n as f64,
                ci_low: lo,
                ci_high: hi,
            });
        }
    };
    for d in 0..4 {
        slice(
            "difficulty",
            &d.to_string(),
            0.97 - 0.12 * d as f64,
            800 - 150 * d as u64,
            rng,
        );
    }
    for (i, s) in SIGNALS.iter().enumerate() {
        slice(
            "adversarial_signal",
            s,
            0.55 + 0.06 * i as f64,
            40 + 25 * i as u64,
            rng,
        );
    }
    for (i, e) in EVIDENCE.iter().enumerate() {
        slice(
            "evidence_missing",
            e,
            0.66 + 0.07 * i as f64,
            60 + 30 * i as u64,
            rng,
        );
    }
    LatestRun {
        info,
        metrics,
        confusion,
        slices,
        trajectory: Vec::new(),
    }
}

#[expect(clippy::too_many_arguments, reason = "test fixture")]
fn overall(
    level: Level,
    n: u64,
    acc: f64,
    lo: f64,
    hi: f64,
    macro_f1: Option<f64>,
    trials: u32,
    rng: &mut Lcg,
) -> MetricRow {
    let repeated = trials > 1;
    MetricRow {
        level,
        kind: "overall".to_owned(),
        class: None,
        support: n,
        precision: None,
        recall: None,
        f1: None,
        accuracy: Some(acc),
        accuracy_ci_low: Some(lo),
        accuracy_ci_high: Some(hi),
        macro_f1,
        weighted_f1: macro_f1.map(|f| f + 0.01),
        kappa: Some(acc - 0.1),
        flip_rate: repeated.then(|| 0.04 + 0.05 * rng.next()),
        pass_k: repeated.then_some(acc - 0.06),
        majority_accuracy: repeated.then_some(acc + 0.01),
        ..MetricRow::empty(level, "overall")
    }
}

fn compare_summary() -> CompareSummary {
    CompareSummary {
        base_run: "20261110T0800Z-9".to_owned(),
        candidate_run: "20261111T0800Z-10".to_owned(),
        passed: false,
        reasons: vec!["root cause accuracy dropped 3.1 pts (McNemar p = 0.004)".to_owned()],
        levels: Level::ALL
            .iter()
            .enumerate()
            .map(|(i, l)| CompareLevel {
                level: *l,
                base_accuracy: 0.9 - 0.08 * i as f64,
                candidate_accuracy: 0.9 - 0.08 * i as f64 + if i == 2 { -0.031 } else { 0.006 },
                p_value: Some(if i == 2 { 0.004 } else { 0.41 }),
                newly_wrong: if i == 2 { 71 } else { 12 },
                newly_right: if i == 2 { 9 } else { 18 },
                regressed: i == 2,
            })
            .collect(),
        regressed_classes: vec![ClassDelta {
            level: Level::RootCause,
            class: "node_oom".to_owned(),
            metric: "recall".to_owned(),
            base: 0.81,
            candidate: 0.62,
        }],
        base_scenarios_per_second: Some(1210.0),
        candidate_scenarios_per_second: Some(1185.0),
    }
}

/// An audit with every section: baselines at two tiers, rules, alert honesty, localization,
/// a flagged fingerprint and a warning.
fn audit_summary() -> AuditSummary {
    let row = |section: &str, input: &str, level: &str, tier: &str, value: f64, n: u64| AuditRow {
        section: section.to_owned(),
        input: input.to_owned(),
        level: level.to_owned(),
        tier: tier.to_owned(),
        value,
        n,
        count: (value * n as f64).round() as u64,
        label: String::new(),
        text: String::new(),
        origin: String::new(),
    };
    let mut rows = Vec::new();
    for tier in ["all", "3"] {
        for (input, base) in [("alert", 0.6), ("eks_pod_logs", 0.8), ("all", 0.95)] {
            for (level, drop) in [
                ("failure_mode", 0.0),
                ("root_cause_category", 0.05),
                ("root_cause", 0.1),
            ] {
                rows.push(row("surface", input, level, tier, base - drop, 400));
            }
        }
        for level in ["failure_mode", "root_cause_category", "root_cause"] {
            rows.push(row("rules", "all", level, tier, 0.97, 400));
        }
    }
    let mut m = row("alert_signal", "alert", "failure_mode", "all", 0.7, 80);
    "misleading".clone_into(&mut m.label);
    rows.push(m);
    for input in ["all", "pod_level", "workload_level"] {
        rows.push(row("localization", input, "pod", "all", 0.9, 300));
        rows.push(row("localization", input, "container", "all", 0.5, 300));
    }
    let mut f = row("fingerprint", "eks_pod_logs", "root_cause", "all", 1.0, 120);
    "node_oom".clone_into(&mut f.label);
    "loaded chunk <n> of <n> into dataframe".clone_into(&mut f.text);
    "families.yml: causes.node_oom.tails[2].lines[0][1]".clone_into(&mut f.origin);
    rows.push(f);
    let mut w = row("warning", "", "", "all", 0.0, 0);
    "the audited corpus was generated without phrasing splits".clone_into(&mut w.text);
    rows.push(w);
    AuditSummary {
        id: "20260101T000000Z-demo".to_owned(),
        rows,
    }
}

/// A full, realistic dashboard input: two classifiers, 12 runs, 3 trials, a failed compare.
fn demo_data() -> DashboardData {
    let mut rng = Lcg(42);
    let history = history(&["rules-baseline", "llm-replay"], 12, &mut rng);
    let last = history
        .last()
        .map(|r| (r.run_id.clone(), r.started_at.clone(), r.classifier.clone()));
    let (run_id, started_at, classifier) = last.unwrap_or_default();
    let latest = latest(run_info(&run_id, &started_at, &classifier, 3), &mut rng);
    // The newest history rows are the latest run's headline rows.
    let mut history = history;
    for row in history
        .iter_mut()
        .filter(|r| r.run_id == run_id && r.class.is_none())
    {
        if let Some(m) = latest
            .metrics
            .iter()
            .find(|m| m.kind == "overall" && m.level == row.level)
        {
            row.accuracy = m.accuracy;
            row.macro_f1 = m.macro_f1;
        }
        row.trials = 3;
    }
    DashboardData {
        history,
        latest: Some(latest),
        compare: Some(compare_summary()),
        warnings: Vec::new(),
        audit: Some(audit_summary()),
        consistency: Some(consistency_summary()),
    }
}

/// A consistency report of two rewrites.
fn consistency_summary() -> evaluator::dashboard::ConsistencySummary {
    let row = |rewrite: &str, level: scenario::Level, same: u64, pa: f64, ca: f64| {
        evaluator::consistency::ConsistencyRow {
            rewrite: rewrite.into(),
            parent_run: "base".into(),
            child_run: format!("child-{rewrite}"),
            child_corpus: "c~1".into(),
            level,
            n: 200,
            consistent: same,
            consistency_rate: same as f64 / 200.0,
            parent_accuracy: pa,
            child_accuracy: ca,
            delta: ca - pa,
            newly_wrong: 3,
            newly_right: 1,
            p_value: 0.625,
            errors: 0,
        }
    };
    evaluator::dashboard::ConsistencySummary {
        id: "20260101T000000Z-base".into(),
        rows: vec![
            row("rename", scenario::Level::FailureMode, 196, 0.9, 0.89),
            row("rename", scenario::Level::Localization, 190, 0.8, 0.78),
            row("reorder", scenario::Level::FailureMode, 200, 0.9, 0.9),
        ],
    }
}

/// Checks that every element opened is closed in order (void and self-closing ones aside).
fn assert_balanced(html: &str) {
    const VOID: &[&str] = &["meta", "br", "hr", "img", "input", "link"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest
            .find('>')
            .unwrap_or_else(|| panic!("unterminated tag near {:?}", &rest[..rest.len().min(60)]));
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name.trim(), "</{name}> closes <{open}>");
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(!name.is_empty(), "stray '<' before {tag:?}");
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        if name == "style" {
            let close = rest
                .find("</style>")
                .unwrap_or_else(|| panic!("<style> not closed"));
            rest = &rest[close + "</style>".len()..];
            continue;
        }
        stack.push(name);
    }
    assert!(stack.is_empty(), "left open: {stack:?}");
}

/// The `data-chart` values of the page, with whether each is an empty panel.
fn charts(html: &str) -> Vec<(String, bool)> {
    html.match_indices("data-chart=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            let name = rest[..rest.find('"').unwrap_or(0)].to_owned();
            let tag_end = rest.find('>').unwrap_or(rest.len());
            (name, rest[..tag_end].contains("data-empty=\"true\""))
        })
        .collect()
}

fn check_self_contained(html: &str) {
    for needle in [
        "http://", "https://", "<script", "<link", "@import", "url(", "src=",
    ] {
        assert!(
            !html.contains(needle),
            "the page must be self-contained, found {needle:?}"
        );
    }
}

#[test]
fn full_data_renders_every_chart() {
    let html = render(&demo_data());
    assert!(html.starts_with("<!doctype html>"));
    assert_balanced(&html);
    check_self_contained(&html);
    let found = charts(&html);
    for chart in CHARTS {
        let hit = found
            .iter()
            .find(|(n, _)| n == chart)
            .unwrap_or_else(|| panic!("missing data-chart={chart}"));
        assert!(!hit.1, "{chart} is an empty panel despite full data");
    }
    assert_eq!(found.len(), CHARTS.len(), "each chart once: {found:?}");
    // Each chart's SVGs open with an accessible title.
    for (i, _) in html.match_indices("<svg role=\"img\"") {
        let open_end = i + html[i..].find('>').unwrap_or(0) + 1;
        assert!(
            html[open_end..].starts_with("<title>"),
            "svg without a leading <title>"
        );
    }
    // Numbers read as percent with one decimal.
    assert!(html.contains("% vs previous run") || html.contains("pts vs previous run"));
    assert!(html.contains("Regression"));
    assert!(html.contains("node_oom"));
    assert!(html.contains("pass^3"));
}

#[test]
fn data_strings_are_escaped() {
    let mut data = demo_data();
    let evil = "<script>alert('x')</script>";
    for row in &mut data.history {
        row.classifier = evil.to_owned();
        row.run_id = format!("{}\"><b>", row.run_id);
    }
    if let Some(latest) = &mut data.latest {
        latest.info.classifier = evil.to_owned();
        for r in &mut latest.confusion {
            if r.expected == "oom_killed" {
                "<img onerror=x>".clone_into(&mut r.expected);
            }
        }
        for r in &mut latest.slices {
            if r.value == "stale_events" {
                "<script>".clone_into(&mut r.value);
            }
        }
        for m in &mut latest.metrics {
            if m.class.as_deref() == Some("healthy") {
                m.class = Some("a&b<c>".to_owned());
            }
        }
    }
    if let Some(cmp) = &mut data.compare {
        cmp.base_run = evil.to_owned();
        cmp.reasons.push(evil.to_owned());
        cmp.regressed_classes[0].class = evil.to_owned();
    }
    let html = render(&data);
    assert!(!html.contains("<script"), "raw <script> in the page");
    assert!(!html.contains("<img"), "raw <img> in the page");
    assert!(
        !html.contains("<b>"),
        "an id broke out of its attribute or text"
    );
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("a&amp;b&lt;c&gt;"));
    assert_balanced(&html);
}

#[test]
fn empty_data_gives_empty_panels() {
    let html = render(&DashboardData::default());
    assert_balanced(&html);
    check_self_contained(&html);
    let found = charts(&html);
    for chart in CHARTS {
        let hit = found
            .iter()
            .find(|(n, _)| n == chart)
            .unwrap_or_else(|| panic!("missing data-chart={chart}"));
        assert!(hit.1, "{chart} should be an empty panel");
    }
    assert!(
        !html.contains("<svg role=\"img\""),
        "no chart SVG without data"
    );
    assert!(html.contains("No data yet."));
    assert!(html.contains("triagebench eval"));
}

#[test]
fn history_only_and_single_trial() {
    let mut data = demo_data();
    data.compare = None;
    if let Some(latest) = &mut data.latest {
        latest.info.trials = 1;
        latest.slices.retain(|s| s.dimension == "difficulty");
        // A classifier without confidences: no calibration rows.
        latest
            .metrics
            .retain(|m| m.kind == "overall" || m.kind == "class");
    }
    let html = render(&data);
    assert_balanced(&html);
    let found = charts(&html);
    let empty: Vec<&str> = found
        .iter()
        .filter(|(_, e)| *e)
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(
        empty,
        [
            "reliability",
            "signal-slices",
            "evidence-slices",
            "trials",
            "compare"
        ]
    );
    assert!(html.contains("--trials k"));

    // Only history: trend charts drawn, latest-run charts empty.
    data.latest = None;
    data.audit = None;
    data.consistency = None;
    let html = render(&data);
    assert_balanced(&html);
    let found = charts(&html);
    for (name, is_empty) in &found {
        let trend = name.ends_with("-trend");
        assert_eq!(*is_empty, !trend, "{name}");
    }
}

#[test]
fn one_run_is_drawn() {
    let mut rng = Lcg(1);
    let data = DashboardData {
        history: history(&["solo"], 1, &mut rng),
        latest: None,
        compare: None,
        warnings: Vec::new(),
        audit: None,
        consistency: None,
    };
    let html = render(&data);
    assert_balanced(&html);
    assert!(html.contains("1 run in history"));
    assert!(!html.contains("NaN"));
    assert!(!html.contains("inf%") && !html.contains(">inf<"));
}

#[test]
fn render_is_deterministic() {
    assert_eq!(render(&demo_data()), render(&demo_data()));
}

/// Writes the demo dashboard where `.ci/browser-check.sh` looks for it by default.
#[test]
fn demo_dashboard_for_the_browser_check() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-demo");
    std::fs::create_dir_all(&dir).expect("create target/tmp/dashboard-demo");
    let html = render(&demo_data());
    std::fs::write(dir.join("dashboard.html"), &html).expect("write demo dashboard");
    let mut data = demo_data();
    data.history.retain(|r| r.run_id.ends_with("-0"));
    data.latest = None;
    data.compare = None;
    data.audit = None;
    std::fs::write(dir.join("dashboard-sparse.html"), render(&data))
        .expect("write sparse dashboard");
}

/// Runs on different corpora are separate lines: their accuracies are not comparable.
#[test]
fn corpora_split_the_lines() {
    let mut data = demo_data();
    let html = render(&data);
    assert!(
        html.contains("rules-baseline</li>"),
        "legend names the classifier alone"
    );
    for row in data.history.iter_mut().filter(|r| r.run_id.ends_with("-0")) {
        "adversarial-500".clone_into(&mut row.corpus_id);
    }
    let html = render(&data);
    assert!(!html.contains("rules-baseline</li>"));
    assert!(html.contains("rules-baseline \u{b7} adversarial-500</li>"));
    assert!(html.contains("rules-baseline \u{b7} canonical-2k</li>"));
    assert_balanced(&html);
}

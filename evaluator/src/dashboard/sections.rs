//! The dashboard page, section by section: turns [`DashboardData`] into figures built from the
//! primitives in `svg`. Each figure is a `<figure data-chart="...">`; a figure without data is an
//! empty panel that says why and what to run.

use std::collections::{BTreeMap, BTreeSet};

use scenario::Level;

use super::fmt::{count, esc, ms, num, pct, pct_opt, pts, push, pval, short_time, tick_time};
use super::svg::{
    Axis, Bar, BarGroup, Dumbbell, LineSeries, Marker, PALETTE, ReliabilityPoint, dumbbell_chart,
    hbar_chart, heatmap, line_chart, reliability_chart,
};
use super::{AuditSummary, CompareSummary, ConsistencySummary, DashboardData, LatestRun};
use crate::audit::AuditRow;
use crate::history::RunTrend;
use crate::stats::wilson;
use crate::tables::{ERROR_LABEL, HistoryRow, MetricRow, SliceRow};

/// The page stylesheet.
const STYLE: &str = include_str!("style.css");

/// A level as people read it.
fn level_name(level: Level) -> &'static str {
    match level {
        Level::FailureMode => "failure mode",
        Level::RootCauseCategory => "root cause category",
        Level::RootCause => "root cause",
        Level::Localization => "localization",
    }
}

/// The fixed colour of a level in grouped bars.
fn level_color(level: Level) -> &'static str {
    match level {
        Level::FailureMode => PALETTE[0],
        Level::RootCauseCategory => PALETTE[5],
        Level::RootCause => PALETTE[4],
        Level::Localization => PALETTE[2],
    }
}

/// One run as read from its history rows ([`trend`](crate::history::trend) groups them), with
/// the series it is drawn in.
#[derive(Debug)]
struct Run {
    /// The run, its accuracies and macro F1s kept only where finite (a chart cannot draw NaN).
    head: RunTrend,
    /// The line this run belongs to: the classifier, and its corpus when the history holds
    /// more than one (accuracies on different corpora are not comparable).
    series: String,
}

/// Groups history rows into runs, oldest first (by start time, then run id).
fn runs(history: &[HistoryRow]) -> Vec<Run> {
    let mut out: Vec<Run> = crate::history::trend(history)
        .into_iter()
        .map(|mut head| {
            head.accuracy.retain(|_, v| v.is_finite());
            head.macro_f1.retain(|_, v| v.is_finite());
            Run {
                series: head.classifier.clone(),
                head,
            }
        })
        .collect();
    let corpora: BTreeSet<&str> = out.iter().map(|r| r.head.corpus_id.as_str()).collect();
    if corpora.len() > 1 {
        for r in &mut out {
            r.series = format!("{} \u{b7} {}", r.head.classifier, r.head.corpus_id);
        }
    }
    out
}

/// Series names (see [`Run::series`]) in a stable order, each with its colour and marker.
fn classifier_styles(runs: &[Run]) -> Vec<(&str, &'static str, Marker)> {
    let names: BTreeSet<&str> = runs.iter().map(|r| r.series.as_str()).collect();
    names
        .into_iter()
        .enumerate()
        .map(|(i, n)| (n, PALETTE[i % PALETTE.len()], Marker::nth(i)))
        .collect()
}

/// The whole page.
pub(super) fn page(data: &DashboardData) -> String {
    let runs = runs(&data.history);
    let mut out = String::with_capacity(64 * 1024);
    push(
        &mut out,
        format_args!(
            r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>triagebench dashboard</title>
<style>{STYLE}</style>
</head>
<body>
"#
        ),
    );
    header(&mut out, data, &runs);
    out.push_str("<main>\n");
    section(
        &mut out,
        "trends",
        "Accuracy and macro F1 over runs",
        "Each line is one classifier; hover a point for its run.",
        |o| {
            trend(o, &runs, "accuracy-trend", "Accuracy", |r| &r.head.accuracy);
            trend(o, &runs, "macro-f1-trend", "Macro F1", |r| &r.head.macro_f1);
        },
    );
    section(
        &mut out,
        "confusion",
        "Confusion matrices of the latest run",
        "Rows are the expected label, columns the prediction; colour is the share of the row.",
        |o| confusion(o, data.latest.as_ref()),
    );
    section(
        &mut out,
        "classes",
        "Per-class recall",
        "Recall of each expected class in the latest run, with 95% Wilson intervals.",
        |o| recall(o, data.latest.as_ref()),
    );
    section(
        &mut out,
        "calibration",
        "Calibration",
        "Does a confidence of 0.8 mean right four times in five? Per level, over the rows with a confidence.",
        |o| calibration(o, data.latest.as_ref()),
    );
    section(
        &mut out,
        "slices",
        "Where it fails",
        "Accuracy of subsets of the latest run, per level, with 95% Wilson intervals; hardest first.",
        |o| slices(o, data.latest.as_ref()),
    );
    section(
        &mut out,
        "throughput",
        "Throughput and errors",
        "Per run, oldest to newest.",
        |o| {
            throughput(o, &runs);
            errors(o, &runs);
        },
    );
    section(
        &mut out,
        "trials",
        "Repeated trials",
        "How stable the answers are when each scenario is asked k times.",
        |o| trials(o, data.latest.as_ref()),
    );
    section(
        &mut out,
        "compare",
        "Latest comparison",
        "The last `triagebench compare` gate.",
        |o| compare(o, data.compare.as_ref()),
    );
    section(
        &mut out,
        "audit",
        "Shortcut audit",
        "The newest `triagebench audit`: how far a learner gets on the corpus without diagnosing.",
        |o| audit(o, data.audit.as_ref()),
    );
    section(
        &mut out,
        "consistency",
        "Consistency under perturbation",
        "The newest `triagebench consistency`: how often a prediction stays the same when the corpus is renamed, reordered, time-shifted, reworded or short of a healthy pod.",
        |o| consistency(o, data.consistency.as_ref()),
    );
    if let Some(latest) = data.latest.as_ref().filter(|l| !l.trajectory.is_empty()) {
        section(
            &mut out,
            "trajectory",
            "Trajectories of the latest run",
            "An interactive run (`eval --interactive`): what the agent asked the scenario's API for, per case, and OpenSRE's trajectory checks (`-`: no answer field to check against).",
            |o| trajectory(o, &latest.trajectory),
        );
    }
    out.push_str("</main>\n<footer>Generated by <code>triagebench dashboard</code> from <code>reports/</code>. Self-contained: no scripts, no network.</footer>\n</body>\n</html>\n");
    out
}

/// The trajectory table of an interactive run (no `data-chart`: shown only when present).
fn trajectory(out: &mut String, table: &[(String, Vec<String>)]) {
    out.push_str("<figure class=\"chart wide\">\n<table><thead><tr><th>slice</th>");
    for c in crate::trajectory::TABLE_COLUMNS {
        push(out, format_args!("<th>{}</th>", esc(c)));
    }
    out.push_str("</tr></thead><tbody>");
    for (label, cells) in table {
        push(out, format_args!("<tr><td>{}</td>", esc(label)));
        for c in cells {
            push(out, format_args!("<td>{}</td>", esc(c)));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n</figure>\n");
}

/// A `<section>` with a heading, a lead line and its figures.
fn section(out: &mut String, id: &str, title: &str, lead: &str, body: impl FnOnce(&mut String)) {
    push(
        out,
        format_args!(
            "<section id=\"{id}\">\n<h2>{}</h2>\n<p class=\"lead\">{}</p>\n<div class=\"figures\">\n",
            esc(title),
            code_spans(lead)
        ),
    );
    body(out);
    out.push_str("</div>\n</section>\n");
}

/// Escapes `text`, turning `` `x` `` spans into `<code>`.
fn code_spans(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            push(&mut out, format_args!("<code>{}</code>", esc(part)));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

/// A chart figure: heading, caption, then the chart markup.
fn figure(out: &mut String, chart: &str, heading: &str, caption: &str, wide: bool, body: &str) {
    push(
        out,
        format_args!(
            "<figure class=\"chart{}\" data-chart=\"{}\">\n<figcaption><h3>{}</h3><p>{}</p></figcaption>\n{body}\n</figure>\n",
            if wide { " wide" } else { "" },
            esc(chart),
            esc(heading),
            code_spans(caption)
        ),
    );
}

/// An empty panel in place of a chart.
fn empty(out: &mut String, chart: &str, heading: &str, message: &str) {
    push(
        out,
        format_args!(
            "<figure class=\"chart empty\" data-chart=\"{}\" data-empty=\"true\">\n<figcaption><h3>{}</h3></figcaption>\n<div class=\"empty-note\"><strong>No data yet.</strong> {}</div>\n</figure>\n",
            esc(chart),
            esc(heading),
            code_spans(message)
        ),
    );
}

/// The page header: the latest run's facts and headline numbers.
fn header(out: &mut String, data: &DashboardData, runs: &[Run]) {
    out.push_str("<header>\n<div class=\"wrap\">\n<div class=\"title\"><h1>triagebench</h1><span class=\"subtitle\">Kubernetes failure triage: accuracy dashboard</span></div>\n");
    let last = runs.last();
    let info = data.latest.as_ref().map(|l| &l.info);
    match (info, last) {
        (Some(i), _) => push(
            out,
            format_args!(
                "<p class=\"meta\">Latest run <code>{}</code> · {} <span class=\"muted\">{}</span> · corpus <code>{}</code> <span class=\"muted\">{}</span> · {} · {} scenarios × {} trial{} · {} run{} in history</p>\n",
                esc(&i.run_id),
                esc(&i.classifier),
                esc(&i.classifier_version),
                esc(&i.corpus_id),
                esc(&short_hash(&i.corpus_hash)),
                esc(&short_time(&i.started_at)),
                count(i.scenarios),
                i.trials,
                if i.trials == 1 { "" } else { "s" },
                runs.len(),
                if runs.len() == 1 { "" } else { "s" }
            ),
        ),
        (None, Some(r)) => push(
            out,
            format_args!(
                "<p class=\"meta\">Latest run <code>{}</code> · {} <span class=\"muted\">{}</span> · corpus <code>{}</code> · {} · {} run{} in history</p>\n",
                esc(&r.head.run_id),
                esc(&r.head.classifier),
                esc(&r.head.classifier_version),
                esc(&r.head.corpus_id),
                esc(&short_time(&r.head.started_at)),
                runs.len(),
                if runs.len() == 1 { "" } else { "s" }
            ),
        ),
        (None, None) => out.push_str(
            "<p class=\"meta\">No runs yet: run <code>triagebench eval</code>, then <code>triagebench dashboard</code>.</p>\n",
        ),
    }
    out.push_str("<div class=\"kpis\">\n");
    let previous = last.and_then(|l| {
        runs.iter().rev().skip(1).find(|r| {
            r.head.classifier == l.head.classifier && r.head.corpus_id == l.head.corpus_id
        })
    });
    for level in [Level::FailureMode, Level::RootCause] {
        let overall = data
            .latest
            .as_ref()
            .and_then(|l| overall_row(&l.metrics, level));
        let value = overall
            .and_then(|m| m.accuracy)
            .or_else(|| last.and_then(|r| r.head.accuracy.get(&level).copied()));
        let mut sub = String::new();
        if let Some((lo, hi)) =
            overall.and_then(|m| Some((m.accuracy_ci_low?, m.accuracy_ci_high?)))
        {
            sub.push_str(&format!("95% CI {}–{}", pct(lo), pct(hi)));
        }
        if let (Some(v), Some(p)) = (value, previous.and_then(|p| p.head.accuracy.get(&level))) {
            if !sub.is_empty() {
                sub.push_str(" · ");
            }
            sub.push_str(&format!("{} vs previous run", pts(v - p)));
        }
        kpi(
            out,
            &format!("{} accuracy", level_name(level)),
            &pct_opt(value),
            &sub,
            "",
        );
    }
    let f1 = last.and_then(|r| r.head.macro_f1.get(&Level::FailureMode).copied());
    kpi(
        out,
        "failure mode macro F1",
        &pct_opt(f1),
        "unweighted mean over classes",
        "",
    );
    match last {
        Some(r) => {
            let latency = format!(
                "latency p50 {} ms · p95 {} ms",
                ms(r.head.latency_p50_ms),
                ms(r.head.latency_p95_ms)
            );
            // The headline is what a user waits for (load, hash, classify, write); a run
            // recorded before that figure existed shows its classification-only rate, named so.
            match r.head.end_to_end_scenarios_per_second {
                Some(e2e) => kpi(
                    out,
                    "throughput, end to end",
                    &format!("{}/s", num(e2e)),
                    &format!(
                        "load, hash, classify, write · classification only {}/s · {latency}",
                        num(r.head.scenarios_per_second)
                    ),
                    "",
                ),
                None => kpi(
                    out,
                    "throughput, classification only",
                    &format!("{}/s", num(r.head.scenarios_per_second)),
                    &format!("end to end not recorded for this run · {latency}"),
                    "",
                ),
            }
            let calls = r.head.scenarios * u64::from(r.head.trials.max(1));
            kpi(
                out,
                "errors",
                &count(r.head.errors),
                &format!("of {} classifier calls", count(calls)),
                if r.head.errors > 0 { "bad" } else { "" },
            );
        }
        None => {
            kpi(out, "throughput", "\u{2013}", "", "");
            kpi(out, "errors", "\u{2013}", "", "");
        }
    }
    if let Some(cmp) = &data.compare {
        kpi(
            out,
            "latest compare",
            if cmp.passed { "pass" } else { "regression" },
            &format!("{} → {}", cmp.base_run, cmp.candidate_run),
            if cmp.passed { "good" } else { "bad" },
        );
    }
    out.push_str("</div>\n<nav><a href=\"#trends\">Trends</a><a href=\"#confusion\">Confusion</a><a href=\"#classes\">Classes</a><a href=\"#slices\">Slices</a><a href=\"#throughput\">Throughput</a><a href=\"#trials\">Trials</a><a href=\"#compare\">Compare</a></nav>\n</div>\n</header>\n");
}

/// One headline tile. `sub` is plain text (escaped here).
fn kpi(out: &mut String, label: &str, value: &str, sub: &str, tone: &str) {
    push(
        out,
        format_args!(
            "<div class=\"kpi {tone}\"><div class=\"kpi-label\">{}</div><div class=\"kpi-value\">{}</div><div class=\"kpi-sub\">{}</div></div>\n",
            esc(label),
            esc(value),
            esc(sub)
        ),
    );
}

/// The first 12 characters of a hash.
fn short_hash(h: &str) -> String {
    h.chars().take(12).collect()
}

/// The overall metric row of a level.
fn overall_row(metrics: &[MetricRow], level: Level) -> Option<&MetricRow> {
    metrics
        .iter()
        .find(|m| m.kind == "overall" && m.level == level)
}

/// A legend of classifiers, as HTML.
fn classifier_legend(styles: &[(&str, &'static str, Marker)]) -> String {
    let mut out = String::from("<ul class=\"legend\">");
    for (name, color, marker) in styles {
        push(
            &mut out,
            format_args!("<li>{}{}</li>", marker.swatch(color), esc(name)),
        );
    }
    out.push_str("</ul>");
    out
}

/// `Macro F1` -> `macro F1`.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|f| f.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Tick labels of the run axis: `MM-DD HH:MM`; the time with seconds when every run is on one
/// day; the run's position (`#3`) when labels would still repeat.
fn x_labels(runs: &[Run]) -> Vec<String> {
    let distinct = |v: &[String]| v.iter().collect::<BTreeSet<_>>().len() == v.len();
    let labels: Vec<String> = runs.iter().map(|r| tick_time(&r.head.started_at)).collect();
    if distinct(&labels) {
        return labels;
    }
    let days: BTreeSet<&str> = runs
        .iter()
        .map(|r| r.head.started_at.get(..10).unwrap_or(""))
        .collect();
    let times: Vec<String> = runs
        .iter()
        .map(|r| r.head.started_at.get(11..19).unwrap_or("").to_owned())
        .collect();
    if days.len() == 1 && distinct(&times) && times.iter().all(|t| t.len() == 8) {
        return times;
    }
    (1..=runs.len()).map(|i| format!("#{i}")).collect()
}

/// Accuracy or macro F1 over runs: one panel per level, one line per classifier.
fn trend(
    out: &mut String,
    runs: &[Run],
    chart: &str,
    what: &str,
    pick: fn(&Run) -> &BTreeMap<Level, f64>,
) {
    let heading = what.to_owned();
    let levels: Vec<Level> = Level::ALL
        .iter()
        .copied()
        .filter(|l| runs.iter().any(|r| pick(r).contains_key(l)))
        .collect();
    if levels.is_empty() {
        empty(
            out,
            chart,
            &heading,
            "Run `triagebench eval` to record a first run in `reports/history.parquet`.",
        );
        return;
    }
    let styles = classifier_styles(runs);
    let x_labels = x_labels(runs);
    let min = runs
        .iter()
        .flat_map(|r| pick(r).values().copied())
        .fold(1.0_f64, f64::min);
    let lower = lower_first(what);
    let axis = Axis::share(min, &lower);
    let mut body = classifier_legend(&styles);
    body.push_str("<div class=\"panels fill\">");
    for level in levels {
        let series = per_classifier(runs, &styles, |r| {
            let v = *pick(r).get(&level)?;
            let tip = format!(
                "{} {} · run {} · {} · {} {}",
                r.head.classifier,
                r.head.classifier_version,
                r.head.run_id,
                short_time(&r.head.started_at),
                lower,
                pct(v)
            );
            Some((v, tip))
        });
        body.push_str(&line_chart(
            &heading,
            level_name(level),
            &x_labels,
            &series,
            &axis,
        ));
    }
    body.push_str("</div>");
    figure(
        out,
        chart,
        &heading,
        "One panel per level; same axis in every panel.",
        true,
        &body,
    );
}

/// The confusion heatmaps of the latest run.
fn confusion(out: &mut String, latest: Option<&LatestRun>) {
    for &level in Level::LABELED {
        let chart = format!("confusion-{level}");
        let heading = format!("Confusion: {}", level_name(level));
        let rows: Vec<_> = latest
            .map(|l| l.confusion.iter().filter(|r| r.level == level).collect())
            .unwrap_or_default();
        if rows.iter().all(|r| r.count == 0) {
            empty(
                out,
                &chart,
                &heading,
                "The latest run has no `confusion.parquet` rows for this level.",
            );
            continue;
        }
        // Labels in order of first appearance; `unknown` and `error` last.
        let mut labels: Vec<&str> = Vec::new();
        for r in &rows {
            for l in [r.expected.as_str(), r.predicted.as_str()] {
                if !labels.contains(&l) {
                    labels.push(l);
                }
            }
        }
        labels.sort_by_key(|l| matches!(*l, "unknown" | ERROR_LABEL));
        let total_expected = |l: &str| {
            rows.iter()
                .filter(|r| r.expected == l)
                .map(|r| r.count)
                .sum::<u64>()
        };
        let total_predicted = |l: &str| {
            rows.iter()
                .filter(|r| r.predicted == l)
                .map(|r| r.count)
                .sum::<u64>()
        };
        let row_labels: Vec<String> = labels
            .iter()
            .filter(|l| total_expected(l) > 0)
            .map(|l| (*l).to_owned())
            .collect();
        let col_labels: Vec<String> = labels
            .iter()
            .filter(|l| row_labels.iter().any(|r| r == *l) || total_predicted(l) > 0)
            .map(|l| (*l).to_owned())
            .collect();
        let counts: Vec<Vec<u64>> = row_labels
            .iter()
            .map(|e| {
                col_labels
                    .iter()
                    .map(|p| {
                        rows.iter()
                            .filter(|r| &r.expected == e && &r.predicted == p)
                            .map(|r| r.count)
                            .sum()
                    })
                    .collect()
            })
            .collect();
        let total: u64 = counts.iter().flatten().sum();
        let correct: u64 = row_labels
            .iter()
            .enumerate()
            .filter_map(|(i, r)| col_labels.iter().position(|c| c == r).map(|j| counts[i][j]))
            .sum();
        let svg = heatmap(&heading, &row_labels, &col_labels, &counts);
        let caption = format!(
            "{} of {} right ({}). Hover a cell for its count and row share.",
            count(correct),
            count(total),
            pct(if total > 0 {
                correct as f64 / total as f64
            } else {
                f64::NAN
            })
        );
        figure(
            out,
            &chart,
            &heading,
            &caption,
            level == Level::RootCause,
            &svg,
        );
    }
}

/// Per-class recall bars of the latest run, one block per level, and a metrics table.
fn recall(out: &mut String, latest: Option<&LatestRun>) {
    let heading = "Recall per class";
    let metrics = latest.map(|l| l.metrics.as_slice()).unwrap_or_default();
    let class_rows = |level: Level| -> Vec<&MetricRow> {
        metrics
            .iter()
            .filter(|m| m.kind == "class" && m.level == level && m.support > 0)
            .collect()
    };
    let levels: Vec<Level> = Level::LABELED
        .iter()
        .copied()
        .filter(|&l| !class_rows(l).is_empty())
        .collect();
    if levels.is_empty() {
        empty(
            out,
            "recall-bars",
            heading,
            "The latest run has no per-class rows in `metrics.parquet`.",
        );
        return;
    }
    let mut body = String::from("<div class=\"panels\">");
    let mut table = String::from(
        "<details><summary>Precision, recall, F1 and support per class</summary><table class=\"two-text\"><thead><tr><th>level</th><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead><tbody>",
    );
    for level in levels {
        let rows = class_rows(level);
        let groups: Vec<BarGroup> = rows
            .iter()
            .map(|m| {
                let class = m.class.clone().unwrap_or_default();
                // The recall's own counts: support rows, of which recall x support were right.
                let interval = m.recall.filter(|_| m.support > 0).map(|r| {
                    let right = (r * m.support as f64).round() as u64;
                    wilson(right, m.support)
                });
                BarGroup {
                    note: format!("n = {}", count(m.support)),
                    bars: vec![Bar {
                        value: m.recall,
                        interval,
                        color: level_color(level),
                        tip: format!(
                            "{}: recall {}, precision {}, F1 {}, support {}",
                            class,
                            pct_opt(m.recall),
                            pct_opt(m.precision),
                            pct_opt(m.f1),
                            m.support
                        ),
                    }],
                    label: class,
                }
            })
            .collect();
        push(
            &mut body,
            format_args!(
                "<div class=\"panel\"><h4>{}</h4>{}</div>",
                esc(level_name(level)),
                hbar_chart(
                    &format!("Recall per class: {}", level_name(level)),
                    &groups,
                    "recall"
                )
            ),
        );
        for m in rows {
            push(
                &mut table,
                format_args!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(level_name(level)),
                    esc(m.class.as_deref().unwrap_or("")),
                    pct_opt(m.precision),
                    pct_opt(m.recall),
                    pct_opt(m.f1),
                    count(m.support)
                ),
            );
        }
    }
    body.push_str("</div>");
    table.push_str("</tbody></table></details>");
    body.push_str(&table);
    figure(
        out,
        "recall-bars",
        heading,
        "Whiskers are 95% Wilson intervals; classes never expected are left out.",
        true,
        &body,
    );
}

/// A legend of levels, as HTML.
fn level_legend(levels: &[Level]) -> String {
    let mut out = String::from("<ul class=\"legend\">");
    for &l in levels {
        push(
            &mut out,
            format_args!(
                "<li><span class=\"chip\" style=\"background:{}\"></span>{}</li>",
                level_color(l),
                esc(level_name(l))
            ),
        );
    }
    out.push_str("</ul>");
    out
}

/// Accuracy by difficulty, adversarial signal and missing evidence.
fn slices(out: &mut String, latest: Option<&LatestRun>) {
    let rows = latest.map(|l| l.slices.as_slice()).unwrap_or_default();
    slice_chart(
        out,
        rows,
        "difficulty",
        "difficulty-slices",
        "Accuracy by difficulty",
        "0 is obvious, 3 adversarial.",
        "The latest run has no `difficulty` rows in `slices.parquet`.",
    );
    slice_chart(
        out,
        rows,
        "adversarial_signal",
        "signal-slices",
        "Accuracy by adversarial signal",
        "Scenarios carrying each misleading signal; hardest first.",
        "No scenario of the latest run carries an adversarial signal.",
    );
    slice_chart(
        out,
        rows,
        "evidence_missing",
        "evidence-slices",
        "Accuracy when evidence is missing",
        "Scenarios where the classifier could not see this evidence kind (not listed, or listed but unavailable); hardest first.",
        "No scenario of the latest run has unavailable evidence.",
    );
}

/// One slice dimension as grouped bars (one bar per level).
fn slice_chart(
    out: &mut String,
    rows: &[SliceRow],
    dimension: &str,
    chart: &str,
    heading: &str,
    caption: &str,
    none: &str,
) {
    let rows: Vec<&SliceRow> = rows
        .iter()
        .filter(|r| r.dimension == dimension && r.n > 0)
        .collect();
    if rows.is_empty() {
        empty(out, chart, heading, none);
        return;
    }
    let levels: Vec<Level> = Level::ALL
        .iter()
        .copied()
        .filter(|l| rows.iter().any(|r| r.level == *l))
        .collect();
    let mut values: Vec<&str> = Vec::new();
    for r in &rows {
        if !values.contains(&r.value.as_str()) {
            values.push(&r.value);
        }
    }
    let headline = |v: &str| -> f64 {
        levels
            .iter()
            .find_map(|l| rows.iter().find(|r| r.value == v && r.level == *l))
            .map_or(1.0, |r| r.accuracy)
    };
    if dimension == "difficulty" {
        values.sort_by_key(|v| (v.parse::<i64>().unwrap_or(i64::MAX), v.to_string()));
    } else {
        // Hardest first; `none` (no signal, nothing missing) last, as the reference.
        values.sort_by(|a, b| {
            (*a == "none")
                .cmp(&(*b == "none"))
                .then(headline(a).total_cmp(&headline(b)))
                .then(a.cmp(b))
        });
    }
    let groups: Vec<BarGroup> = values
        .iter()
        .map(|v| {
            let n = rows
                .iter()
                .filter(|r| r.value == *v)
                .map(|r| r.n)
                .max()
                .unwrap_or(0);
            let label = match (dimension, *v) {
                ("difficulty", "0") => "0 · obvious".to_owned(),
                ("difficulty", "3") => "3 · adversarial".to_owned(),
                ("adversarial_signal", "none") => "(no signal)".to_owned(),
                ("evidence_missing", "none") => "(nothing missing)".to_owned(),
                _ => (*v).to_owned(),
            };
            BarGroup {
                label,
                note: format!("n = {}", count(n)),
                bars: levels
                    .iter()
                    .map(
                        |&l| match rows.iter().find(|r| r.value == *v && r.level == l) {
                            Some(r) => Bar {
                                value: Some(r.accuracy),
                                interval: Some((r.ci_low, r.ci_high)),
                                color: level_color(l),
                                tip: format!(
                                    "{v} · {}: {} ({} of {}), 95% CI {}–{}",
                                    level_name(l),
                                    pct(r.accuracy),
                                    r.correct,
                                    r.n,
                                    pct(r.ci_low),
                                    pct(r.ci_high)
                                ),
                            },
                            None => Bar {
                                value: None,
                                interval: None,
                                color: level_color(l),
                                tip: format!("{v} · {}: not scored", level_name(l)),
                            },
                        },
                    )
                    .collect(),
            }
        })
        .collect();
    let mut body = format!(
        "{}{}",
        level_legend(&levels),
        hbar_chart(heading, &groups, "accuracy")
    );
    let caption = if values.len() > 8 {
        format!(
            "{caption} The number printed is the {} accuracy; hover a bar or open the table for the others.",
            level_name(levels[0])
        )
    } else {
        caption.to_owned()
    };
    body.push_str("<details><summary>All numbers</summary><table><thead><tr><th>");
    body.push_str(&esc(dimension));
    body.push_str("</th><th>n</th>");
    for &l in &levels {
        push(&mut body, format_args!("<th>{}</th>", esc(level_name(l))));
    }
    body.push_str("</tr></thead><tbody>");
    for (v, g) in values.iter().zip(&groups) {
        push(
            &mut body,
            format_args!(
                "<tr><td>{}</td><td>{}</td>",
                esc(v),
                esc(g.note.trim_start_matches("n = "))
            ),
        );
        for l in &levels {
            match rows.iter().find(|r| r.value == *v && r.level == *l) {
                Some(r) => push(
                    &mut body,
                    format_args!(
                        "<td>{} <span class=\"muted\">({}–{})</span></td>",
                        pct(r.accuracy),
                        pct(r.ci_low),
                        pct(r.ci_high)
                    ),
                ),
                None => body.push_str("<td>\u{2013}</td>"),
            }
        }
        body.push_str("</tr>");
    }
    body.push_str("</tbody></table></details>");
    figure(out, chart, heading, &caption, false, &body);
}

/// Scenarios per second over runs, per classifier.
fn throughput(out: &mut String, runs: &[Run]) {
    let (chart, heading) = ("throughput-trend", "Throughput over runs");
    if no_runs(out, runs, chart, heading) {
        return;
    }
    let max = runs
        .iter()
        .map(|r| r.head.scenarios_per_second)
        .fold(0.0_f64, f64::max);
    let axis = Axis::zero_based(max, num_tick, "scenarios per second");
    let body = classifier_lines(runs, heading, "scenarios per second", &axis, |r| {
        let h = &r.head;
        Some((
            h.scenarios_per_second,
            format!(
                "{} · run {} · {} scenarios/s classifying{} · p50 {} ms · p95 {} ms · p99 {} ms",
                h.classifier,
                h.run_id,
                num(h.scenarios_per_second),
                h.end_to_end_scenarios_per_second
                    .map_or_else(String::new, |v| format!(" · {}/s end to end", num(v))),
                ms(h.latency_p50_ms),
                ms(h.latency_p95_ms),
                ms(h.latency_p99_ms)
            ),
        ))
    });
    figure(
        out,
        chart,
        heading,
        "Classification-only throughput from `run.json` (the classifier's speed); hover for the \
         end-to-end rate and latency percentiles.",
        false,
        &body,
    );
}

/// Error rate over runs, per classifier.
fn errors(out: &mut String, runs: &[Run]) {
    let (chart, heading) = ("errors-trend", "Errors over runs");
    if no_runs(out, runs, chart, heading) {
        return;
    }
    let rate = |r: &Run| {
        let calls = r.head.scenarios * u64::from(r.head.trials.max(1));
        if calls == 0 {
            0.0
        } else {
            r.head.errors as f64 / calls as f64
        }
    };
    let max = runs.iter().map(rate).fold(0.0_f64, f64::max).max(0.01);
    let axis = Axis::zero_based(max, pct_axis, "share of calls that failed");
    let body = classifier_lines(runs, heading, "error rate", &axis, |r| {
        Some((
            rate(r),
            format!(
                "{} · run {} · {} errors ({})",
                r.head.classifier,
                r.head.run_id,
                r.head.errors,
                pct(rate(r))
            ),
        ))
    });
    let total: u64 = runs.iter().map(|r| r.head.errors).sum();
    let caption = if total == 0 {
        format!(
            "No classifier call failed in {} run{}.",
            runs.len(),
            if runs.len() == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "{} failed calls over {} runs; failed calls count as wrong answers.",
            count(total),
            runs.len()
        )
    };
    figure(out, chart, heading, &caption, false, &body);
}

/// Shows the first-run hint in place of a chart over runs when there are none; true when it did.
fn no_runs(out: &mut String, runs: &[Run], chart: &str, heading: &str) -> bool {
    if runs.is_empty() {
        empty(
            out,
            chart,
            heading,
            "Run `triagebench eval` to record a first run.",
        );
    }
    runs.is_empty()
}

/// The classifier legend and one line chart over runs with a line per classifier of `value`
/// (each run's value and tooltip).
fn classifier_lines(
    runs: &[Run],
    heading: &str,
    y_title: &str,
    axis: &Axis,
    value: impl Fn(&Run) -> Option<(f64, String)>,
) -> String {
    let styles = classifier_styles(runs);
    let series = per_classifier(runs, &styles, value);
    format!(
        "{}{}",
        classifier_legend(&styles),
        line_chart(heading, y_title, &x_labels(runs), &series, axis)
    )
}

/// A throughput tick: whole numbers without a decimal.
fn num_tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        count(v.round() as u64)
    } else {
        num(v)
    }
}

/// A percent tick for small shares: `0.5%`, `1%`.
fn pct_axis(v: f64) -> String {
    super::svg::pct_tick(v)
}

/// One series per classifier of a per-run value.
fn per_classifier(
    runs: &[Run],
    styles: &[(&str, &'static str, Marker)],
    value: impl Fn(&Run) -> Option<(f64, String)>,
) -> Vec<LineSeries> {
    styles
        .iter()
        .map(|(name, color, marker)| LineSeries {
            name: (*name).to_owned(),
            color,
            marker: *marker,
            points: runs
                .iter()
                .enumerate()
                .filter(|(_, r)| r.series == *name)
                .filter_map(|(i, r)| value(r).map(|(v, tip)| (i, v, tip)))
                .collect(),
        })
        .filter(|s| !s.points.is_empty())
        .collect()
}

/// Flip rate, pass^k and majority accuracy per level, when the latest run has trials > 1.
fn trials(out: &mut String, latest: Option<&LatestRun>) {
    let heading = "Stability over repeated trials";
    let Some(latest) = latest else {
        empty(out, "trials", heading, "No latest run to read.");
        return;
    };
    let k = latest.info.trials;
    let rows: Vec<&MetricRow> = Level::ALL
        .iter()
        .filter_map(|&l| overall_row(&latest.metrics, l))
        .filter(|m| m.flip_rate.is_some() || m.pass_k.is_some() || m.majority_accuracy.is_some())
        .collect();
    if k <= 1 || rows.is_empty() {
        empty(
            out,
            "trials",
            heading,
            "The latest run asked each scenario once; run `triagebench eval --trials k` (k > 1) to measure flip rate, pass^k and majority accuracy.",
        );
        return;
    }
    let metric = |name: &str, v: Option<f64>, color: &'static str, level: Level| Bar {
        value: v,
        interval: None,
        color,
        tip: format!("{}: {name} {}", level_name(level), pct_opt(v)),
    };
    let groups: Vec<BarGroup> = rows
        .iter()
        .map(|m| BarGroup {
            label: level_name(m.level).to_owned(),
            note: format!("k = {k}"),
            bars: vec![
                metric("accuracy (all trials)", m.accuracy, PALETTE[0], m.level),
                metric(
                    "majority accuracy",
                    m.majority_accuracy,
                    PALETTE[5],
                    m.level,
                ),
                metric(&format!("pass^{k}"), m.pass_k, PALETTE[2], m.level),
                metric("flip rate", m.flip_rate, PALETTE[1], m.level),
            ],
        })
        .collect();
    let mut body = format!(
        "<ul class=\"legend\"><li><span class=\"chip\" style=\"background:{}\"></span>accuracy (all trials)</li><li><span class=\"chip\" style=\"background:{}\"></span>majority accuracy</li><li><span class=\"chip\" style=\"background:{}\"></span>pass^{k} (right in all {k})</li><li><span class=\"chip\" style=\"background:{}\"></span>flip rate (lower is better)</li></ul>",
        PALETTE[0], PALETTE[5], PALETTE[2], PALETTE[1]
    );
    body.push_str(&hbar_chart(heading, &groups, "share of scenarios"));
    body.push_str("<table><thead><tr><th>level</th><th>accuracy</th><th>majority accuracy</th><th>pass^k</th><th>flip rate</th></tr></thead><tbody>");
    for m in &rows {
        push(
            &mut body,
            format_args!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(level_name(m.level)),
                pct_opt(m.accuracy),
                pct_opt(m.majority_accuracy),
                pct_opt(m.pass_k),
                pct_opt(m.flip_rate)
            ),
        );
    }
    body.push_str("</tbody></table>");
    figure(
        out,
        "trials",
        heading,
        &format!(
            "Each scenario asked {k} times. Flip rate: share of scenarios whose answers differ between trials."
        ),
        true,
        &body,
    );
}

/// The reliability diagram (equal-width bins) of every level and a table of the calibration
/// figures.
fn calibration(out: &mut String, latest: Option<&LatestRun>) {
    let heading = "Reliability diagram";
    let Some(latest) = latest else {
        empty(out, "reliability", heading, "No latest run to read.");
        return;
    };
    let rows: Vec<&MetricRow> = Level::ALL
        .iter()
        .filter_map(|&l| {
            latest
                .metrics
                .iter()
                .find(|m| m.level == l && m.kind == crate::metrics::CALIBRATION_KIND)
        })
        .collect();
    if rows.is_empty() {
        empty(
            out,
            "reliability",
            heading,
            "The latest run's classifier gave no confidence; a prediction's `confidence` (0..1) is what this section measures.",
        );
        return;
    }
    let series: Vec<(String, &'static str, Vec<ReliabilityPoint>)> = rows
        .iter()
        .map(|cal| {
            let level = cal.level;
            let points = latest
                .metrics
                .iter()
                .filter(|m| m.level == level && m.kind == crate::metrics::RELIABILITY_WIDTH_KIND)
                .filter_map(|b| {
                    Some(ReliabilityPoint {
                        confidence: b.mean_confidence?,
                        accuracy: b.accuracy?,
                        n: b.support,
                        tip: format!(
                            "{}: confidence {}–{}: {} rows, mean confidence {}, accuracy {}",
                            level_name(level),
                            pct(b.bin_low.unwrap_or(0.0)),
                            pct(b.bin_high.unwrap_or(1.0)),
                            count(b.support),
                            pct_opt(b.mean_confidence),
                            pct_opt(b.accuracy)
                        ),
                    })
                })
                .collect();
            (level_name(level).to_owned(), level_color(level), points)
        })
        .collect();
    let levels: Vec<Level> = rows.iter().map(|m| m.level).collect();
    let mut body = level_legend(&levels);
    body.push_str(&reliability_chart(heading, &series));
    body.push_str("<table><thead><tr><th>level</th><th>ECE (equal width)</th><th>ECE (equal mass)</th><th>Brier</th><th>acc. at 50% coverage</th><th>at 80%</th><th>at 100%</th><th>rows</th></tr></thead><tbody>");
    let num3 = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| format!("{v:.3}"));
    for m in &rows {
        push(
            &mut body,
            format_args!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(level_name(m.level)),
                num3(m.ece_equal_width),
                num3(m.ece_equal_mass),
                num3(m.brier),
                pct_opt(m.selective_accuracy_50),
                pct_opt(m.selective_accuracy_80),
                pct_opt(m.selective_accuracy_100),
                count(m.support)
            ),
        );
    }
    body.push_str("</tbody></table>");
    figure(
        out,
        "reliability",
        heading,
        "Accuracy against mean confidence in ten equal-width bins; the dashed diagonal is perfect calibration (below it: overconfident). Marker area grows with the bin's rows. Selective accuracy: accuracy of the most confident share of rows.",
        true,
        &body,
    );
}

/// The latest compare result: verdict, per-level dumbbells, a table and regressed classes.
fn compare(out: &mut String, cmp: Option<&CompareSummary>) {
    let heading = "Base vs candidate";
    let Some(cmp) = cmp else {
        empty(
            out,
            "compare",
            heading,
            "Run `triagebench compare <base-run> <candidate-run>` to write `reports/compare-latest.json`.",
        );
        return;
    };
    let mut body = String::new();
    push(
        &mut body,
        format_args!(
            "<p class=\"verdict {}\"><strong>{}</strong> base <code>{}</code> → candidate <code>{}</code></p>",
            if cmp.passed { "good" } else { "bad" },
            if cmp.passed {
                "Gate passed"
            } else {
                "Regression"
            },
            esc(&cmp.base_run),
            esc(&cmp.candidate_run)
        ),
    );
    if !cmp.reasons.is_empty() {
        body.push_str("<ul class=\"reasons\">");
        for r in &cmp.reasons {
            push(&mut body, format_args!("<li>{}</li>", esc(r)));
        }
        body.push_str("</ul>");
    }
    let rows: Vec<Dumbbell> = cmp
        .levels
        .iter()
        .map(|l| Dumbbell {
            label: level_name(l.level).to_owned(),
            base: l.base_accuracy,
            candidate: l.candidate_accuracy,
            worse: l.regressed,
            note: match l.p_value {
                Some(p) => format!(
                    "{} · {}",
                    pts(l.candidate_accuracy - l.base_accuracy),
                    pval(p)
                ),
                None => pts(l.candidate_accuracy - l.base_accuracy),
            },
        })
        .collect();
    if !rows.is_empty() {
        body.push_str(&dumbbell_chart(
            "Accuracy per level: base vs candidate",
            &rows,
        ));
    }
    body.push_str("<table><thead><tr><th>level</th><th>base</th><th>candidate</th><th>Δ</th><th>McNemar p</th><th>newly wrong</th><th>newly right</th><th>verdict</th></tr></thead><tbody>");
    for l in &cmp.levels {
        push(
            &mut body,
            format_args!(
                "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                if l.regressed { " class=\"bad\"" } else { "" },
                esc(level_name(l.level)),
                pct(l.base_accuracy),
                pct(l.candidate_accuracy),
                pts(l.candidate_accuracy - l.base_accuracy),
                l.p_value.map_or_else(
                    || "\u{2013}".to_owned(),
                    |p| pval(p)
                        .trim_start_matches("p ")
                        .trim_start_matches("= ")
                        .to_owned()
                ),
                count(l.newly_wrong),
                count(l.newly_right),
                if l.regressed { "worse" } else { "ok" }
            ),
        );
    }
    body.push_str("</tbody></table>");
    if let (Some(b), Some(c)) = (
        cmp.base_scenarios_per_second,
        cmp.candidate_scenarios_per_second,
    ) {
        let change = if b > 0.0 {
            format!(" ({})", pts_plain((c - b) / b))
        } else {
            String::new()
        };
        push(
            &mut body,
            format_args!(
                "<p class=\"note\">Throughput {}/s → {}/s{}.</p>",
                num(b),
                num(c),
                esc(&change)
            ),
        );
    }
    if cmp.regressed_classes.is_empty() {
        body.push_str("<p class=\"note\">No class regressed.</p>");
    } else {
        body.push_str("<h4>Regressed classes</h4><table class=\"two-text\"><thead><tr><th>level</th><th>class</th><th>metric</th><th>base</th><th>candidate</th><th>Δ</th></tr></thead><tbody>");
        for c in &cmp.regressed_classes {
            push(
                &mut body,
                format_args!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(level_name(c.level)),
                    esc(&c.class),
                    esc(&c.metric),
                    pct(c.base),
                    pct(c.candidate),
                    pts(c.candidate - c.base)
                ),
            );
        }
        body.push_str("</tbody></table>");
    }
    figure(
        out,
        "compare",
        heading,
        "McNemar's exact test on the scenarios the two runs disagree on.",
        true,
        &body,
    );
}

/// A relative change as a signed percent: `+12.0%`, `−3.5%`.
fn pts_plain(rel: f64) -> String {
    let p = pct(rel.abs());
    if rel >= 0.0 {
        format!("+{p}")
    } else {
        format!("\u{2212}{p}")
    }
}

/// The tier an audit's headline bars are drawn for: 3 (adversarial) when the audit has it.
fn audit_tier(rows: &[AuditRow]) -> &'static str {
    if rows.iter().any(|r| r.section == "surface" && r.tier == "3") {
        "3"
    } else {
        "all"
    }
}

/// The newest shortcut audit: baseline accuracies per input, the leak figures and the
/// fingerprints with one root cause.
fn audit(out: &mut String, a: Option<&AuditSummary>) {
    let Some(a) = a else {
        for (chart, heading) in [
            ("audit-baselines", "Partial-input baselines"),
            ("audit-fingerprints", "Fingerprints and localization leak"),
        ] {
            empty(
                out,
                chart,
                heading,
                "Run `triagebench audit <corpus> --train <corpus>` (or `just audit`) to write `reports/audits/`.",
            );
        }
        return;
    };
    audit_baselines(out, a);
    audit_fingerprints(out, a);
}

fn audit_baselines(out: &mut String, a: &AuditSummary) {
    let heading = "Partial-input baselines";
    let tier = audit_tier(&a.rows);
    let find = |section: &str, input: &str, level: Level| {
        a.rows.iter().find(|r| {
            r.section == section && r.input == input && r.level == level.as_str() && r.tier == tier
        })
    };
    let mut inputs: Vec<(&str, &str)> = Vec::new();
    for r in a.rows.iter().filter(|r| r.section == "surface") {
        if !inputs.iter().any(|(_, i)| *i == r.input) {
            inputs.push(("surface", r.input.as_str()));
        }
    }
    inputs.push(("rules", "all"));
    let groups: Vec<BarGroup> = inputs
        .iter()
        .filter(|(section, input)| {
            Level::LABELED
                .iter()
                .any(|l| find(section, input, *l).is_some())
        })
        .map(|(section, input)| {
            let label = match (*section, *input) {
                ("rules", _) => "rules baseline".to_owned(),
                (_, "all") => "whole case (surface)".to_owned(),
                (_, i) => format!("{i} alone"),
            };
            let n = Level::LABELED
                .iter()
                .filter_map(|l| find(section, input, *l).map(|r| r.n))
                .max()
                .unwrap_or(0);
            BarGroup {
                note: format!("n = {}", count(n)),
                bars: Level::LABELED
                    .iter()
                    .map(|&l| match find(section, input, l) {
                        Some(r) => Bar {
                            value: Some(r.value),
                            interval: Some(wilson(r.count, r.n)),
                            color: level_color(l),
                            tip: format!(
                                "{label} · {}: {} ({} of {})",
                                level_name(l),
                                pct(r.value),
                                r.count,
                                r.n
                            ),
                        },
                        None => Bar {
                            value: None,
                            interval: None,
                            color: level_color(l),
                            tip: format!("{label} · {}: not measured", level_name(l)),
                        },
                    })
                    .collect(),
                label,
            }
        })
        .collect();
    let mut body = String::new();
    let warnings: Vec<&AuditRow> = a.rows.iter().filter(|r| r.section == "warning").collect();
    if !warnings.is_empty() {
        body.push_str("<ul class=\"reasons\">");
        for w in &warnings {
            push(&mut body, format_args!("<li>{}</li>", esc(&w.text)));
        }
        body.push_str("</ul>");
    }
    body.push_str(&level_legend(Level::LABELED));
    body.push_str(&hbar_chart(heading, &groups, "accuracy"));
    let misleading = a
        .rows
        .iter()
        .find(|r| r.section == "alert_signal" && r.label == "misleading" && r.tier == "all");
    if let Some(m) = misleading {
        push(
            &mut body,
            format_args!(
                "<p class=\"note\">Alert alone, failure mode, on misleading alerts: {} ({} of {}).</p>",
                pct(m.value),
                count(m.count),
                count(m.n)
            ),
        );
    }
    figure(
        out,
        "audit-baselines",
        heading,
        &format!(
            "Audit `{}`, tier {tier}: a softmax regression over word 1-2-grams trained on another corpus, per input, beside the rules baseline. A surface model close to the rules means the corpus rewards pattern matching.",
            a.id
        ),
        true,
        &body,
    );
}

fn audit_fingerprints(out: &mut String, a: &AuditSummary) {
    let heading = "Fingerprints and localization leak";
    let mut body = String::new();
    body.push_str("<table><thead><tr><th>alerts</th><th>names the pod</th><th>names the container</th><th>n</th></tr></thead><tbody>");
    for input in ["all", "pod_level", "workload_level"] {
        let get = |level: &str| {
            a.rows.iter().find(|r| {
                r.section == "localization"
                    && r.input == input
                    && r.level == level
                    && r.tier == "all"
            })
        };
        if let Some(p) = get("pod") {
            push(
                &mut body,
                format_args!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(input),
                    pct(p.value),
                    get("container").map_or_else(|| "\u{2013}".to_owned(), |c| pct(c.value)),
                    count(p.n)
                ),
            );
        }
    }
    body.push_str("</tbody></table>");
    let flagged: Vec<&AuditRow> = a
        .rows
        .iter()
        .filter(|r| r.section == "fingerprint" && !r.origin.is_empty())
        .collect();
    if flagged.is_empty() {
        body.push_str("<p class=\"note\">No fingerprint occurs with one root cause only.</p>");
    } else {
        push(
            &mut body,
            format_args!(
                "<h4>{} fingerprint{} with one root cause</h4><table class=\"two-text\"><thead><tr><th>fingerprint</th><th>root cause</th><th>precision</th><th>scenarios</th><th>sources</th><th>template</th></tr></thead><tbody>",
                count(flagged.len() as u64),
                if flagged.len() == 1 { "" } else { "s" }
            ),
        );
        for r in flagged.iter().take(25) {
            push(
                &mut body,
                format_args!(
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&r.text),
                    esc(&r.label),
                    pct(r.value),
                    count(r.n),
                    esc(&r.input),
                    esc(&r.origin)
                ),
            );
        }
        body.push_str("</tbody></table>");
    }
    figure(
        out,
        "audit-fingerprints",
        heading,
        "Share of scenarios whose alert names the answer's pod, and normalised message templates that occur with a single root cause (the most frequent first).",
        true,
        &body,
    );
}

/// The newest consistency report: per rewrite and level, the share of predictions unchanged
/// and the accuracy of the parent and the child run.
fn consistency(out: &mut String, c: Option<&ConsistencySummary>) {
    let heading = "Consistency per rewrite";
    let Some(c) = c else {
        empty(
            out,
            "consistency",
            heading,
            "Run `triagebench perturb <corpus> --rewrite KIND --out DIR`, evaluate both corpora and `triagebench consistency <parent-run> <child-run>` to write `reports/consistency/`.",
        );
        return;
    };
    let mut body = String::new();
    push(
        &mut body,
        format_args!(
            "<p class=\"note\">Report <code>{}</code>, parent run <code>{}</code>.</p>",
            esc(&c.id),
            esc(c.rows.first().map_or("", |r| r.parent_run.as_str()))
        ),
    );
    body.push_str("<table><thead><tr><th>rewrite</th><th>child run</th><th>level</th><th>n</th><th>unchanged</th><th>accuracy parent</th><th>accuracy child</th><th>change</th><th>p</th></tr></thead><tbody>");
    for r in &c.rows {
        push(
            &mut body,
            format_args!(
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&r.rewrite),
                esc(&r.child_run),
                level_name(r.level),
                count(r.n),
                pct(r.consistency_rate),
                pct(r.parent_accuracy),
                pct(r.child_accuracy),
                pts(r.delta),
                pval(r.p_value)
            ),
        );
    }
    body.push_str("</tbody></table>");
    figure(
        out,
        "consistency",
        heading,
        "Paired by scenario and trial; at localization the parent's pod is mapped through the child's rename map. A rate below 100% is a prediction that changed with something that should not matter.",
        true,
        &body,
    );
}

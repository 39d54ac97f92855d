//! The regression gate on a 200-scenario synthetic corpus: the same classifier twice passes; a
//! classifier that mislabels a fifth of the OOM cases fails with the `worse` verdict and names
//! `oom_killed`; different corpora are refused; `--max-drop` and `--max-slowdown` bite; the
//! paired bootstrap intervals cover the known difference (and are [0, 0] for identical runs),
//! and Holm's correction over a level's classes gives the textbook adjusted p-values.

mod common;

use std::path::Path;

use classifier::Classifier;
use common::{Fake, Fault, config, load, write_corpus};
use evaluator::compare::{
    CompareOptions, VERDICT_OK, VERDICT_WORSE, compare, render_markdown, render_text,
};
use evaluator::report::{RunReport, read_run, write_run};
use evaluator::{evaluate, score};

fn run_to_disk(
    corpus: &Path,
    reports: &Path,
    run_id: &str,
    classifier: &dyn Classifier,
) -> RunReport {
    let suite = load(corpus);
    let run = evaluate(&suite, classifier, &config(corpus, run_id, 2, 1), &|| {}).unwrap();
    let dir = write_run(reports, &run, &score(&run.predictions)).unwrap();
    read_run(&dir).unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    base: RunReport,
    same: RunReport,
    degraded: RunReport,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let reports = dir.path().join("reports");
    write_corpus(&corpus, 200);
    let suite = load(&corpus);
    let base = run_to_disk(&corpus, &reports, "base", &Fake::new(&suite, Fault::None));
    let same = run_to_disk(&corpus, &reports, "same", &Fake::new(&suite, Fault::None));
    let degraded = run_to_disk(
        &corpus,
        &reports,
        "degraded",
        &Fake::new(&suite, Fault::OomFifth),
    );
    Fixture {
        _dir: dir,
        base,
        same,
        degraded,
    }
}

#[test]
fn the_gate_passes_the_same_classifier_and_fails_a_degraded_one_naming_the_class() {
    let f = fixture();
    let opts = CompareOptions::default();

    let ok = compare(&f.base, &f.same, &opts).unwrap();
    assert_eq!(ok.verdict, VERDICT_OK, "{:?}", ok.reasons);
    assert!(ok.reasons.is_empty() && ok.regressed_classes.is_empty());
    assert_eq!(ok.paired, 200);
    for l in &ok.levels {
        assert_eq!(
            (l.newly_wrong, l.newly_right, l.p_value),
            (0, 0, 1.0),
            "{}",
            l.level
        );
    }

    let worse = compare(&f.base, &f.degraded, &opts).unwrap();
    assert_eq!(worse.verdict, VERDICT_WORSE);
    assert!(worse.is_worse());
    // 50 OOM cases, every fifth mislabelled: b = 10, c = 0, p = 2 / 2^10.
    let fm = &worse.levels[0];
    assert_eq!(fm.level, scenario::Level::FailureMode);
    assert_eq!((fm.newly_wrong, fm.newly_right), (10, 0));
    assert!((fm.p_value - 2.0 / 1024.0).abs() < 1e-12);
    assert!((fm.delta + 10.0 / 200.0).abs() < 1e-12);
    assert!(fm.significantly_worse);
    let oom = fm.classes.iter().find(|c| c.class == "oom_killed").unwrap();
    assert!(oom.regressed);
    assert!((oom.recall_delta.unwrap() + 0.2).abs() < 1e-12);
    let crash = fm
        .classes
        .iter()
        .find(|c| c.class == "crashloop_backoff")
        .unwrap();
    assert!(
        !crash.regressed && crash.precision_delta.unwrap() < 0.0 && crash.recall_delta == Some(0.0)
    );
    assert!(
        worse
            .regressed_classes
            .contains(&"failure_mode:oom_killed".to_owned()),
        "{:?}",
        worse.regressed_classes
    );
    assert!(
        worse
            .reasons
            .iter()
            .any(|r| r.starts_with("failure_mode:") && r.contains("oom_killed")),
        "{:?}",
        worse.reasons
    );
    // Flipped scenarios: the ten OOM cases, easiest first.
    assert_eq!(fm.flipped_wrong.len(), 10);
    assert!(fm.flipped_right.is_empty());
    assert!(
        fm.flipped_wrong
            .windows(2)
            .all(|w| w[0].difficulty <= w[1].difficulty)
    );
    assert!(
        fm.flipped_wrong
            .iter()
            .all(|f| f.expected == "oom_killed" && f.candidate_predicted == "crashloop_backoff")
    );

    // Both renderings name the class and the verdict.
    let md = render_markdown(&worse);
    assert!(
        md.contains("worse") && md.contains("oom_killed") && md.contains("| failure_mode"),
        "{md}"
    );
    let text = render_text(&worse);
    assert!(
        text.contains("VERDICT: WORSE") || text.contains("verdict: WORSE"),
        "{text}"
    );
    assert!(
        text.contains("oom_killed") && text.contains("REGRESSED"),
        "{text}"
    );
    // The JSON document round-trips.
    let json = serde_json::to_string(&worse).unwrap();
    let back: evaluator::compare::Comparison = serde_json::from_str(&json).unwrap();
    assert_eq!(back.verdict, worse.verdict);

    // Reversed, the degraded run is the base: the candidate is significantly better, which passes.
    let better = compare(&f.degraded, &f.base, &opts).unwrap();
    assert_eq!(better.verdict, VERDICT_OK);
    assert!(better.levels[0].significantly_better);
}

#[test]
fn max_drop_and_max_slowdown_fail_the_gate_and_options_are_checked() {
    let f = fixture();
    // A looser alpha than any p here would not flag it, but the accuracy drop of 0.05 does.
    let strict_alpha = CompareOptions {
        alpha: 1e-6,
        ..CompareOptions::default()
    };
    assert_eq!(
        compare(&f.base, &f.degraded, &strict_alpha)
            .unwrap()
            .verdict,
        VERDICT_OK
    );
    let drop = CompareOptions {
        alpha: 1e-6,
        max_drop: Some(0.01),
        ..CompareOptions::default()
    };
    let c = compare(&f.base, &f.degraded, &drop).unwrap();
    assert_eq!(c.verdict, VERDICT_WORSE);
    assert!(c.levels[0].drop_exceeded);
    assert!(
        c.reasons[0].contains("max-drop") && c.reasons[0].contains("oom_killed"),
        "{:?}",
        c.reasons
    );

    let mut slow = f.same.clone();
    slow.info.scenarios_per_second = f.base.info.scenarios_per_second * 0.5;
    let opts = CompareOptions {
        max_slowdown: Some(0.2),
        ..CompareOptions::default()
    };
    let c = compare(&f.base, &slow, &opts).unwrap();
    assert_eq!(c.verdict, VERDICT_WORSE);
    assert!(
        c.throughput.exceeded && c.reasons[0].starts_with("throughput"),
        "{:?}",
        c.reasons
    );
    // Off by default.
    assert_eq!(
        compare(&f.base, &slow, &CompareOptions::default())
            .unwrap()
            .verdict,
        VERDICT_OK
    );

    let bad = CompareOptions {
        alpha: 0.0,
        ..CompareOptions::default()
    };
    assert!(
        compare(&f.base, &f.same, &bad)
            .unwrap_err()
            .to_string()
            .contains("--alpha")
    );
}

#[test]
fn runs_on_different_corpora_are_refused_unless_allowed() {
    let f = fixture();
    let mut other = f.same.clone();
    other.info.corpus_hash = "0000".into();
    let err = compare(&f.base, &other, &CompareOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("different corpora")
            && msg.contains("0000")
            && msg.contains(&f.base.info.corpus_hash),
        "{msg}"
    );
    let allowed = CompareOptions {
        allow_different_corpus: true,
        ..CompareOptions::default()
    };
    let c = compare(&f.base, &other, &allowed).unwrap();
    assert!(!c.same_corpus);
    assert_eq!(c.verdict, VERDICT_OK);

    // Partially overlapping runs pair what they share and count the rest.
    let mut half = f.same.clone();
    half.predictions.truncate(150);
    let c = compare(&f.base, &half, &CompareOptions::default()).unwrap();
    assert_eq!(
        (c.paired, c.only_in_base, c.only_in_candidate),
        (150, 50, 0)
    );
    half.predictions.clear();
    assert!(
        compare(&f.base, &half, &CompareOptions::default())
            .unwrap_err()
            .to_string()
            .contains("no (scenario_id, trial)")
    );
}

#[test]
fn identical_runs_have_zero_intervals_everywhere() {
    let f = fixture();
    let c = compare(&f.base, &f.same, &CompareOptions::default()).unwrap();
    for l in &c.levels {
        assert_eq!((l.delta_ci_low, l.delta_ci_high), (Some(0.0), Some(0.0)));
        assert_eq!(l.p_holm, 1.0);
    }
    assert!(!c.slices.is_empty());
    for s in &c.slices {
        assert_eq!(
            (s.ci_low, s.ci_high, s.delta),
            (Some(0.0), Some(0.0), 0.0),
            "{s:?}"
        );
    }
    // Every slice dimension shows up, with the values the corpus has.
    for dim in [
        "difficulty",
        "adversarial_signal",
        "evidence_missing",
        "family",
    ] {
        assert!(c.slices.iter().any(|s| s.dimension == dim), "{dim}");
    }
    let off = CompareOptions {
        bootstrap_resamples: 0,
        ..CompareOptions::default()
    };
    let c = compare(&f.base, &f.same, &off).unwrap();
    assert!(c.levels.iter().all(|l| l.delta_ci_low.is_none()));
    assert!(render_markdown(&c).contains("Intervals: off"));
}

#[test]
fn the_bootstrap_interval_covers_the_known_difference_per_level_and_slice() {
    let f = fixture();
    let opts = CompareOptions::default();
    let c = compare(&f.base, &f.degraded, &opts).unwrap();
    // 10 of 200 pairs newly wrong: -0.05, standard error sqrt(0.05 * 0.95 / 200) = 0.0154.
    let fm = &c.levels[0];
    let (lo, hi) = (fm.delta_ci_low.unwrap(), fm.delta_ci_high.unwrap());
    assert!(lo < -0.05 && -0.05 < hi && hi < 0.0, "[{lo}, {hi}]");
    assert!(
        (hi - lo - 2.0 * 1.96 * 0.0154).abs() < 0.015,
        "[{lo}, {hi}]"
    );
    // Seeded: the same again; another seed, nearly the same.
    let again = compare(&f.base, &f.degraded, &opts).unwrap();
    assert_eq!(again.levels[0].delta_ci_low, fm.delta_ci_low);
    let other = CompareOptions {
        seed: 99,
        ..CompareOptions::default()
    };
    let o = compare(&f.base, &f.degraded, &other).unwrap();
    assert!((o.levels[0].delta_ci_low.unwrap() - lo).abs() < 0.02);
    // The OOM family lost a fifth of its 50 rows; the other families lost nothing.
    let slice = |dim: &str, value: &str| {
        c.slices
            .iter()
            .find(|s| s.dimension == dim && s.value == value && s.level == fm.level)
            .unwrap_or_else(|| panic!("{dim}={value}"))
    };
    let oom = slice("family", "oom_killed");
    assert_eq!((oom.n, oom.scenarios), (50, 50));
    assert!((oom.delta + 0.2).abs() < 1e-12);
    let (lo, hi) = (oom.ci_low.unwrap(), oom.ci_high.unwrap());
    assert!(lo < -0.2 && -0.2 < hi && hi < 0.0, "[{lo}, {hi}]");
    let healthy = slice("family", "healthy");
    assert_eq!((healthy.ci_low, healthy.ci_high), (Some(0.0), Some(0.0)));
    // Per difficulty the deltas add up to the level's, weighted by size.
    let total: f64 = (0..4)
        .map(|d| {
            let s = slice("difficulty", &d.to_string());
            s.delta * s.n as f64
        })
        .sum();
    assert!((total / 200.0 - fm.delta).abs() < 1e-12);
    // Shown in both renderings.
    let md = render_markdown(&c);
    assert!(md.contains("Δ interval") && md.contains("Slices:"), "{md}");
    assert!(md.contains("| family | oom_killed | 50 | -0.200 ["), "{md}");
    let text = render_text(&c);
    assert!(
        text.contains("interval") && text.contains("slices:"),
        "{text}"
    );
}

#[test]
fn holm_over_the_classes_of_a_level_says_which_regressions_survive() {
    let f = fixture();
    // A candidate wrong on 10 OOM rows (McNemar p = 2/2^10), 6 crash-loop rows (2/2^6, under
    // 0.05 alone) and 1 image-pull row (p = 1): three classes tested at the failure-mode level.
    let mut cand = f.same.clone();
    let mut left = [
        ("oom_killed", 10),
        ("crashloop_backoff", 6),
        ("image_pull_backoff", 1),
    ];
    for row in &mut cand.predictions {
        for (family, k) in &mut left {
            if row.expected_failure_mode == *family && *k > 0 {
                *k -= 1;
                row.predicted_failure_mode = "healthy".into();
                row.correct_failure_mode = false;
            }
        }
    }
    let c = compare(&f.base, &cand, &CompareOptions::default()).unwrap();
    let fm = &c.levels[0];
    let class = |name: &str| fm.classes.iter().find(|d| d.class == name).unwrap();
    // Sorted p: 2/1024, 2/64, 1; scaled by 3, 2, 1; running maximum.
    let (oom, crash, pull) = (
        class("oom_killed"),
        class("crashloop_backoff"),
        class("image_pull_backoff"),
    );
    assert!(
        (oom.p_holm - 3.0 * 2.0 / 1024.0).abs() < 1e-12,
        "{}",
        oom.p_holm
    );
    assert!(
        (crash.p_holm - 2.0 * 2.0 / 64.0).abs() < 1e-12,
        "{}",
        crash.p_holm
    );
    assert_eq!(pull.p_holm, 1.0);
    // The untested class keeps 1 and does not count in the family.
    assert_eq!(class("healthy").p_holm, 1.0);
    assert!(oom.regressed && oom.regressed_holm);
    assert!(crash.regressed && !crash.regressed_holm);
    assert_eq!(
        c.regressed_classes_holm,
        vec!["failure_mode:oom_killed".to_owned()]
    );
    assert!(
        c.regressed_classes
            .contains(&"failure_mode:crashloop_backoff".to_owned())
    );
    assert!(
        c.reasons[0].contains("crashloop_backoff") && c.reasons[0].contains("not after Holm"),
        "{:?}",
        c.reasons
    );
    let text = render_text(&c);
    assert!(text.contains("regressed (not after Holm)"), "{text}");
    // Only the failure-mode level changed: the level family has one test, p unchanged.
    assert_eq!(fm.p_holm, fm.p_value);
}

#[test]
fn a_version_1_compare_document_still_reads() {
    let f = fixture();
    let c = compare(&f.base, &f.degraded, &CompareOptions::default()).unwrap();
    let mut v: serde_json::Value = serde_json::to_value(&c).unwrap();
    let obj = v.as_object_mut().unwrap();
    obj.remove("slices");
    obj.remove("regressed_classes_holm");
    let opts = obj["options"].as_object_mut().unwrap();
    opts.remove("bootstrap_resamples");
    opts.remove("seed");
    for l in obj["levels"].as_array_mut().unwrap() {
        let l = l.as_object_mut().unwrap();
        for k in ["p_holm", "delta_ci_low", "delta_ci_high"] {
            l.remove(k);
        }
        for class in l["classes"].as_array_mut().unwrap() {
            let class = class.as_object_mut().unwrap();
            class.remove("p_holm");
            class.remove("regressed_holm");
        }
    }
    let back: evaluator::compare::Comparison = serde_json::from_value(v).unwrap();
    assert!(back.slices.is_empty() && back.levels[0].delta_ci_low.is_none());
    assert_eq!(back.levels[0].p_holm, 1.0);
}

//! The audit on small corpora rendered in memory: the rules rows equal what the evaluator scores
//! for the same classifier on the same corpus; the learned full-case model beats the majority
//! class on a corpus of another seed; localization splits its scenarios between pod-level and
//! workload-level alerts; every flagged fingerprint meets the flags; the summary names every
//! section; and the pair checks refuse what they must.

use std::path::PathBuf;

use audit::{AuditError, CorpusMeta, NoProgress, Options, Thresholds, check_pair, split_warnings};
use evaluator::corpus::CorpusInfo;
use evaluator::eval::{EvalConfig, evaluate};
use evaluator::score;
use scenario::{Level, Scenario, Suite};

fn suite(seed: u64, count: u64) -> Suite {
    let templates = generator::builtin_templates().unwrap();
    let mix = generator::parse_mix(&templates, "").unwrap();
    let scenarios = (0..count)
        .map(|i| {
            let r = generator::render_scenario(
                &templates,
                &mix,
                seed,
                i,
                count,
                generator::Profile::Opensre,
            )
            .unwrap();
            Scenario::from_files(&r.dir_name, &r.files).unwrap()
        })
        .collect();
    Suite::from_scenarios("<memory>", scenarios).unwrap()
}

fn meta(name: &str, seed: u64, split: Option<&str>, scenarios: usize) -> CorpusMeta {
    CorpusMeta {
        path: PathBuf::from(format!("/nonexistent/{name}")),
        id: name.to_owned(),
        hash: format!("hash-{name}"),
        seed: Some(seed),
        split: split.map(str::to_owned),
        scenarios,
    }
}

#[test]
fn the_audit_of_a_pair_of_seeds() {
    let (train, test) = (suite(101, 240), suite(202, 160));
    let templates = generator::builtin_templates().unwrap();
    let a = audit::run(
        (&test, meta("test", 202, Some("test"), 160)),
        Some((&train, meta("train", 101, Some("train"), 240))),
        &templates,
        &Options::default(),
        &NoProgress,
    )
    .unwrap();
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);

    // The rules rows are the evaluator's figures for the same classifier and corpus.
    let info = CorpusInfo {
        id: "test".into(),
        hash: "h".into(),
        path: "<memory>".into(),
        seed: Some(202),
        manifest: false,
    };
    let config = EvalConfig {
        run_id: Some("r".into()),
        threads: 1,
        trials: 1,
        classifier_spec: "rules".into(),
        corpus: info,
        skipped: Vec::new(),
        ablate: Vec::new(),
        ablate_as: scenario::ablation::AblateAs::Absent,
        shard: None,
    };
    let run = evaluate(&test, &classifier::RULES, &config, &|| {}).unwrap();
    let scores = score(&run.predictions);
    for level in Level::LABELED {
        let want = scores.overall(*level).unwrap().accuracy.unwrap();
        let got = a.find("rules", "all", level.as_str(), "all", "").unwrap();
        assert!(
            (got.value - want).abs() < 1e-12,
            "{level}: {} vs {want}",
            got.value
        );
        assert_eq!(got.n, 160);
    }

    // The whole-case model learned something: above the majority failure mode of the test set.
    let mut counts = std::collections::BTreeMap::new();
    for s in test.scenarios() {
        *counts.entry(s.file().failure_mode).or_insert(0u64) += 1;
    }
    let majority = *counts.values().max().unwrap() as f64 / 160.0;
    let surface = a.find("surface", "all", "failure_mode", "all", "").unwrap();
    assert!(
        surface.value > majority + 0.2,
        "{} vs majority {majority}",
        surface.value
    );
    // Every input has a row per labeled level.
    for input in audit::text::Input::every() {
        for level in Level::LABELED {
            assert!(
                a.find("surface", input.name(), level.as_str(), "all", "")
                    .is_some()
            );
        }
    }

    // Pod-level and workload-level alerts partition the scenarios with an affected pod.
    let n = |input: &str| {
        a.find("localization", input, "pod", "all", "")
            .map_or(0, |r| r.n)
    };
    assert_eq!(n("pod_level") + n("workload_level"), n("all"));
    assert!(n("all") > 0);

    for f in &a.fingerprints {
        assert!(f.support >= 20 && f.top_count <= f.support, "{f:?}");
        assert!(f.precision() > 0.0 && f.precision() <= 1.0);
    }
    let flagged = a
        .fingerprints
        .iter()
        .filter(|f| f.precision() >= 0.95)
        .count();
    let flagged_rows = a
        .rows
        .iter()
        .filter(|r| r.section == "fingerprint" && !r.origin.is_empty())
        .count();
    assert_eq!(
        flagged, flagged_rows,
        "every flagged fingerprint has an origin"
    );

    let text = audit::summary::render(&a);
    for want in [
        "goal figures:",
        "partial-input baselines",
        "rules baseline",
        "localization leak",
        "fingerprints with",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }

    // Thresholds: a 0 ceiling on alert localization fails when alerts name pods, a 1 passes.
    let g = a.goals();
    let strict = Thresholds {
        max_alert_localization: Some(0.0),
        max_surface_accuracy: Some(1.0),
        ..Thresholds::default()
    };
    let fails = strict.failures(&g);
    assert_eq!(
        fails
            .iter()
            .any(|f| f.starts_with("max-alert-localization")),
        g.alert_localization.unwrap() > 0.0
    );
    assert!(
        !fails.iter().any(|f| f.starts_with("max-surface-accuracy")),
        "{fails:?}"
    );
}

#[test]
fn without_a_train_corpus_the_learned_baselines_are_skipped() {
    let test = suite(303, 40);
    let templates = generator::builtin_templates().unwrap();
    let a = audit::run(
        (&test, meta("test", 303, None, 40)),
        None,
        &templates,
        &Options {
            min_support: 5,
            precision: 0.9,
        },
        &NoProgress,
    )
    .unwrap();
    assert!(a.rows.iter().all(|r| r.section != "surface"));
    assert!(a.find("rules", "all", "root_cause", "all", "").is_some());
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains("learned baselines skipped"))
    );
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains("without phrasing splits"))
    );
    let g = a.goals();
    assert_eq!(g.surface_tier3, None);
    let gate = Thresholds {
        min_rules_margin: Some(0.1),
        ..Thresholds::default()
    };
    assert!(gate.failures(&g)[0].contains("could not be measured"));
}

#[test]
fn pair_checks() {
    let test = meta("test", 2, Some("test"), 500);
    assert!(check_pair(&meta("train", 1, Some("train"), 500), 500, &test).is_ok());
    let same_hash = CorpusMeta {
        hash: test.hash.clone(),
        ..meta("copy", 1, None, 500)
    };
    assert!(matches!(
        check_pair(&same_hash, 500, &test),
        Err(AuditError::SameCorpus { .. })
    ));
    let same_seed = meta("other", 2, Some("train"), 500);
    let e = check_pair(&same_seed, 500, &test).unwrap_err();
    assert!(
        e.to_string()
            .contains("seed: both corpora were generated from seed 2"),
        "{e}"
    );
    let e = check_pair(&meta("train", 1, None, 99), 99, &test).unwrap_err();
    assert!(e.to_string().contains("at least 100"), "{e}");

    assert!(split_warnings(&test, Some(&meta("train", 1, Some("train"), 1))).is_empty());
    let w = split_warnings(&test, Some(&meta("train", 1, Some("test"), 1)));
    assert!(w[0].contains("both corpora are of split `test`"), "{w:?}");
    let w = split_warnings(&meta("t", 2, None, 1), None);
    assert_eq!(w.len(), 1);
    assert!(w[0].contains("without phrasing splits"));
}

//! Evidence ablation end to end: ablating nothing is the plain run; an ablated source is gone
//! (or answers the tool's 403) in every case that had it, and both profiles agree on it (the
//! `k8s-api` case ablated and projected equals the `opensre` case ablated); the run records
//! the ablation; the dependence of a source the classifier reads is measured.

use std::path::Path;

use evaluator::CorpusInfo;
use evaluator::pipeline::{Corpus, EvalRequest, NoProgress, ablate_suite, run};
use scenario::ablation::{AblateAs, unavailable_error};
use scenario::projection::project_case;
use scenario::{EvidenceKind, Profile, SourceState, Suite};

fn generated(dir: &Path, count: u64) -> std::path::PathBuf {
    let templates = generator::builtin_templates().unwrap();
    let out = dir.join("corpus");
    let config =
        generator::Config::new(&templates, count, 11, out.clone(), None, Some(1), false).unwrap();
    generator::generate(&config, &templates, &generator::NoProgress).unwrap();
    out
}

fn info(path: &Path) -> CorpusInfo {
    evaluator::corpus_info(path, false).unwrap()
}

fn request(suite: &Suite, corpus: &Path, reports: &Path, id: &str) -> EvalRequest {
    EvalRequest {
        run_id: Some(id.to_owned()),
        threads: 2,
        history: false,
        ..EvalRequest::new(
            Corpus::Suite {
                suite: suite.clone(),
                info: info(corpus),
            },
            reports,
        )
    }
}

#[test]
fn ablating_nothing_equals_the_plain_run() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = generated(tmp.path(), 40);
    let suite = scenario::load(&corpus).unwrap();
    for how in [AblateAs::Absent, AblateAs::Unavailable] {
        let same = ablate_suite(&suite, &[], how);
        for (a, b) in suite.scenarios().iter().zip(same.scenarios()) {
            assert_eq!(a.case(), b.case());
        }
    }
    let reports = tmp.path().join("reports");
    let plain = run(
        &request(&suite, &corpus, &reports, "plain"),
        &classifier::RULES,
        &NoProgress,
    )
    .unwrap();
    let none = run(
        &EvalRequest {
            ablate: Vec::new(),
            ablate_as: AblateAs::Unavailable,
            ..request(&suite, &corpus, &reports, "none")
        },
        &classifier::RULES,
        &NoProgress,
    )
    .unwrap();
    let strip = |rows: &[evaluator::tables::PredictionRow]| {
        rows.iter()
            .map(|r| evaluator::tables::PredictionRow {
                run_id: String::new(),
                latency_ms: 0.0,
                ..r.clone()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&plain.run.predictions), strip(&none.run.predictions));
    assert_eq!(plain.scores, none.scores);
    assert!(none.run.info.ablated.is_empty() && none.run.info.ablated_as.is_none());
}

#[test]
fn an_ablated_source_is_gone_in_both_profiles_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = generated(tmp.path(), 30);
    let opensre = scenario::load_profile(&corpus, Profile::Opensre).unwrap();
    let k8s = scenario::load_profile(&corpus, Profile::K8sApi).unwrap();
    for &kind in EvidenceKind::ALL {
        for how in [AblateAs::Absent, AblateAs::Unavailable] {
            let a = ablate_suite(&opensre, &[kind], how);
            let b = ablate_suite(&k8s, &[kind], how);
            let mut had = 0;
            for (((orig, sa), sb), k8s_orig) in opensre
                .scenarios()
                .iter()
                .zip(a.scenarios())
                .zip(b.scenarios())
                .zip(k8s.scenarios())
            {
                let before = orig.case().evidence.state(kind);
                let after = sa.case().evidence.state(kind);
                match (before, how) {
                    (None, _) => assert_eq!(after, None),
                    (Some(_), AblateAs::Absent) => {
                        had += 1;
                        assert_eq!(after, None);
                    }
                    (Some(SourceState::Unavailable(_)), AblateAs::Unavailable) => {
                        // A tool that already failed stays as it failed.
                        assert_eq!(after, before);
                    }
                    (Some(SourceState::Available), AblateAs::Unavailable) => {
                        had += 1;
                        let want = unavailable_error(kind, &orig.case().context.namespace);
                        assert_eq!(after, Some(SourceState::Unavailable(want.as_str())));
                    }
                }
                // The other sources are untouched.
                for &other in EvidenceKind::ALL.iter().filter(|k| **k != kind) {
                    assert_eq!(
                        sa.case().evidence.state(other),
                        orig.case().evidence.state(other)
                    );
                }
                // Ablation commutes with the projection: the raw objects ablated and projected
                // give the source the projected case ablated has. (The projected case, not the
                // generated opensre file: `ToolCalls::for_case` names no container for the
                // pod-log call, the generator's calls may.)
                let mut expected = project_case(k8s_orig.case()).unwrap();
                scenario::ablation::ablate(&mut expected, kind, how);
                // Known limit: without the pod list the projection cannot tell which
                // container a pod-log call without one reads (the API would answer 400 for a
                // pod with several), so a k8s-api case without pods may not project.
                let projected = match project_case(sb.case()) {
                    Ok(p) => p,
                    Err(scenario::projection::ProjectionError::NoLogEntry { .. })
                        if kind == EvidenceKind::EksPods =>
                    {
                        continue;
                    }
                    Err(e) => panic!("{} {kind:?} {how:?}: {e}", orig.id()),
                };
                assert_eq!(
                    projected.evidence.state(kind),
                    expected.evidence.state(kind),
                    "{} {kind:?} {how:?}",
                    orig.id()
                );
            }
            assert!(had > 0, "no scenario lists {kind:?}");
        }
    }
}

#[test]
fn the_run_records_the_ablation_and_the_rules_depend_on_pods() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = generated(tmp.path(), 60);
    let suite = scenario::load(&corpus).unwrap();
    let reports = tmp.path().join("reports");
    let plain = run(
        &request(&suite, &corpus, &reports, "plain"),
        &classifier::RULES,
        &NoProgress,
    )
    .unwrap();
    let ablated = run(
        &EvalRequest {
            ablate: vec![EvidenceKind::EksPods, EvidenceKind::EksEvents],
            ablate_as: AblateAs::Absent,
            ..request(&suite, &corpus, &reports, "no-pods")
        },
        &classifier::RULES,
        &NoProgress,
    )
    .unwrap();
    assert_eq!(ablated.run.info.ablated, vec!["eks_pods", "eks_events"]);
    assert_eq!(ablated.run.info.ablated_as.as_deref(), Some("absent"));
    let back = evaluator::report::read_info(&ablated.dir).unwrap();
    assert_eq!(back.ablated, ablated.run.info.ablated);
    let rows = evaluator::dependence::dependence(
        &plain.run.predictions,
        &ablated.run.predictions,
        "eks_pods+eks_events",
        "absent",
    );
    let fm = rows
        .iter()
        .find(|r| r.level == scenario::Level::FailureMode)
        .unwrap();
    assert_eq!(fm.n, 60);
    assert!(fm.delta < 0.0 && fm.newly_wrong > 0, "{fm:?}");
}

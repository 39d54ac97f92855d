//! Counterfactual twins (`generate --twins`): a pair shares the plan (tier, signals) and the
//! identity stage's names, so the two scenarios name the same cluster, namespace and workload,
//! carry the pair's two causes (families.yml `twins`), point at each other, and have different
//! answers.

use generator::{Profile, builtin_templates, parse_mix, render_scenario_twins};

fn file<'a>(s: &'a generator::RenderedScenario, name: &str) -> &'a str {
    s.files.iter().find(|(n, _)| n == name).map_or_else(
        || panic!("{} has no {name}", s.dir_name),
        |(_, b)| b.as_str(),
    )
}

fn scenario_yml(s: &generator::RenderedScenario) -> scenario::ScenarioFile {
    serde_saphyr::from_str(file(s, "scenario.yml")).expect("scenario.yml parses")
}

#[test]
fn twin_pairs_differ_in_the_cause_only() {
    let t = builtin_templates().unwrap();
    let mix = parse_mix(&t, "").unwrap();
    let count = 120;
    let all: Vec<_> = (0..count)
        .map(|i| render_scenario_twins(&t, &mix, 7, i, count, Profile::Both, 1.0).unwrap())
        .collect();
    let mut pairs = 0;
    for i in (0..count as usize).step_by(2) {
        let (a, b) = (&all[i], &all[i + 1]);
        let (fa, fb) = (scenario_yml(a), scenario_yml(b));
        let Some(ta) = &fa.twin else {
            // A cause without a partner is not twinned, nor is its neighbour.
            assert!(
                fb.twin.is_none(),
                "{} is a twin of an untwinned scenario",
                b.dir_name
            );
            assert!(
                t.twin_of(a.cause).is_none(),
                "{}: {} has a partner",
                a.dir_name,
                a.cause
            );
            continue;
        };
        let tb = fb
            .twin
            .as_ref()
            .expect("the second of a pair is a twin too");
        pairs += 1;
        assert_eq!(
            (ta.of.as_str(), tb.of.as_str()),
            (b.dir_name.as_str(), a.dir_name.as_str())
        );
        assert_eq!(ta.kind, tb.kind);
        let (kind, partner) = t.twin_of(a.cause).unwrap();
        assert_eq!((kind, partner), (ta.kind.as_str(), b.cause));
        assert_ne!(a.cause, b.cause, "a pair has different answers");
        // Everything the identity and the cluster decide is shared.
        assert_eq!(
            (
                &fa.cluster_name,
                &fa.namespace,
                &fa.workload_name,
                fa.scenario_difficulty
            ),
            (
                &fb.cluster_name,
                &fb.namespace,
                &fb.workload_name,
                fb.scenario_difficulty
            )
        );
        // Not asserted (a known gap): the identity stage draws the workload kind, registry and
        // image from the cause's spec, so a pair can name a Deployment's pods in one scenario
        // and a StatefulSet's in the other (seen on seed 7, pair 00046/00047).
    }
    assert!(
        pairs >= 15,
        "only {pairs} pairs in {count} scenarios at share 1.0"
    );
}

#[test]
fn no_twins_without_the_flag_and_the_share_is_checked() {
    let t = builtin_templates().unwrap();
    let mix = parse_mix(&t, "").unwrap();
    for i in 0..20 {
        let s = render_scenario_twins(&t, &mix, 7, i, 20, Profile::Opensre, 0.0).unwrap();
        assert!(scenario_yml(&s).twin.is_none());
    }
    let tmp = tempfile::tempdir().unwrap();
    let config = generator::Config::new(&t, 4, 1, tmp.path().join("c"), None, None, false).unwrap();
    let err = config.with_twins(1.5).unwrap_err();
    assert!(err.to_string().contains("--twins"), "{err}");
}

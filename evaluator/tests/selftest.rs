//! The selftest on a generated corpus: every control gets exactly the figure it must at every
//! level (the uniform-random one within its binomial bound), on a corpus rendered in memory.

use evaluator::selftest::{self, Check, Control};
use scenario::{Level, Scenario, Suite};

fn generated(count: u64, seed: u64) -> Suite {
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

fn accuracy(checks: &[Check], control: Control, level: Level) -> f64 {
    checks
        .iter()
        .find(|c| c.control == control && c.level == level && c.metric == "accuracy")
        .and_then(|c| c.actual)
        .unwrap()
}

#[test]
fn generated_corpus_passes_every_check() {
    let suite = generated(150, 7);
    let report = selftest::run(&suite, "generated-150", selftest::DEFAULT_SEED);
    assert!(
        report.passed(),
        "{}",
        selftest::render(std::slice::from_ref(&report))
    );
    // Every level has rows and an exact healthy share to hit.
    let healthy = suite
        .scenarios()
        .iter()
        .filter(|s| s.answer().failure_mode == scenario::FailureMode::Healthy)
        .count() as f64
        / 150.0;
    assert!(healthy > 0.0 && healthy < 1.0);
    assert_eq!(
        accuracy(&report.checks, Control::AlwaysHealthy, Level::FailureMode),
        healthy
    );
    for &level in Level::ALL {
        assert_eq!(accuracy(&report.checks, Control::Oracle, level), 1.0);
    }
    // About 1/k for k = 11 failure modes.
    let random = accuracy(&report.checks, Control::UniformRandom, Level::FailureMode);
    assert!((0.0..0.25).contains(&random), "{random}");
}

#[test]
fn another_seed_draws_other_random_predictions() {
    let suite = generated(60, 3);
    let a = selftest::run(&suite, "g", 1);
    let b = selftest::run(&suite, "g", 2);
    assert!(a.passed() && b.passed());
    assert_ne!(a, b);
}

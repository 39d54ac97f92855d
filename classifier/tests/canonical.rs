//! The rule baseline on the four hand-written canonical scenarios (`corpus/canonical`): right at
//! every level (failure mode, category, root cause) and at localization (pod and container).

use std::path::PathBuf;

use classifier::rules;

fn canonical_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("corpus")
        .join("canonical")
}

#[test]
fn baseline_is_right_on_every_canonical_scenario_at_every_level() {
    let suite =
        scenario::load(&canonical_dir()).unwrap_or_else(|e| panic!("canonical corpus: {e}"));
    let names: Vec<&str> = suite
        .scenarios()
        .iter()
        .map(scenario::Scenario::dir_name)
        .collect();
    assert_eq!(
        names,
        [
            "000-healthy",
            "001-crashloop-backoff",
            "002-oom-killed",
            "003-image-pull-backoff"
        ],
        "the canonical suite changed"
    );
    let mut wrong = Vec::new();
    for s in suite.scenarios() {
        let p = rules::classify(s.case());
        let a = s.answer();
        let checks = [
            (
                "failure_mode",
                a.failure_mode.to_string(),
                p.failure_mode.to_string(),
            ),
            (
                "root_cause_category",
                a.root_cause_category.to_string(),
                p.root_cause_category.to_string(),
            ),
            (
                "root_cause",
                format!("{:?}", a.root_cause),
                format!("{:?}", Some(p.root_cause)),
            ),
            (
                "affected_pod",
                format!("{:?}", a.affected_pod),
                format!("{:?}", p.affected_pod),
            ),
            (
                "affected_container",
                format!("{:?}", a.affected_container),
                format!("{:?}", p.affected_container),
            ),
            (
                "exit_code",
                format!("{:?}", a.exit_code),
                format!("{:?}", p.exit_code),
            ),
        ];
        for (level, want, got) in checks {
            if want != got {
                wrong.push(format!(
                    "{}: {level}: expected {want}, got {got} ({})",
                    s.dir_name(),
                    p.explanation
                ));
            }
        }
        assert!(p.check().is_ok(), "{}: {:?}", s.dir_name(), p.check());
        assert!(!p.explanation.is_empty());
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn explanations_cite_file_and_object() {
    let suite = scenario::load(&canonical_dir()).unwrap();
    for s in suite.scenarios() {
        let p = rules::classify(s.case());
        assert!(
            p.explanation.contains(".json"),
            "{}: {}",
            s.dir_name(),
            p.explanation
        );
    }
    let oom = suite
        .scenarios()
        .iter()
        .find(|s| s.dir_name() == "002-oom-killed")
        .unwrap();
    let p = rules::classify(oom.case());
    assert!(
        p.explanation.contains("eks_pods.json pods["),
        "{}",
        p.explanation
    );
    assert!(
        p.explanation.contains("reason=OOMKilled"),
        "{}",
        p.explanation
    );
}

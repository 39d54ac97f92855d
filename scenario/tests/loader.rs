//! Loader tests: the canonical suite, inheritance, every bad-input case of the foundation issue
//! (each must name the file and the field, and never panic), and a load -> write -> load round trip.
//!
//! Bad-input cases are data: a mutation of a copy of `corpus/canonical` and the problem it must
//! produce (`check`).

use std::fs;
use std::path::{Path, PathBuf};

use scenario::files::{ContainerState, StateKind};
use scenario::{Category, FailureMode, RootCause, load};

fn canonical() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/canonical")
}

/// Copies the canonical suite into a fresh temp dir.
fn suite_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&canonical(), tmp.path());
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(
        text.contains(from),
        "{} does not contain {from:?}",
        path.display()
    );
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Applies `mutate` to a copy of the canonical suite, loads it, and checks that some problem
/// names `file` and contains every fragment of `expected` in its `file: field: message` form.
fn check(mutate: impl FnOnce(&Path), file: &str, expected: &[&str]) {
    let tmp = suite_copy();
    mutate(tmp.path());
    let problems = match load(tmp.path()) {
        Ok(suite) => panic!(
            "expected a problem in {file}, but {} scenarios loaded",
            suite.scenarios().len()
        ),
        Err(p) => p.0,
    };
    let hit = problems
        .iter()
        .find(|p| p.file == file && expected.iter().all(|e| p.to_string().contains(e)));
    assert!(
        hit.is_some(),
        "no problem in {file} containing {expected:?}; got:\n{}",
        problems
            .iter()
            .map(|p| format!("  {p}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn canonical_suite_loads_with_inheritance() {
    let suite = load(&canonical()).unwrap();
    let names: Vec<_> = suite
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
        ]
    );
    let oom = &suite.scenarios()[2];
    // Inherited from the base: context keys and the node-health evidence file.
    assert_eq!(oom.file().namespace, "payments");
    assert_eq!(oom.file().failure_mode, FailureMode::OomKilled);
    assert!(
        oom.case().evidence.nodes().is_some(),
        "eks_node_health inherited from 000-healthy"
    );
    // Overridden by the child: pods.
    let pods = oom.case().evidence.pods().unwrap();
    assert!(pods.pods.iter().any(|p| {
        p.containers
            .iter()
            .any(|c| c.state.reason.as_deref() == Some("OOMKilled"))
    }));
    let answer = oom.answer();
    assert_eq!(answer.root_cause, Some(RootCause::ContainerOom));
    assert_eq!(answer.root_cause_category, Category::ResourceExhaustion);
    assert_eq!(answer.exit_code, Some(137));
}

#[test]
fn opensre_quirk_exit_code_inside_waiting_state_is_accepted() {
    let suite = load(&canonical()).unwrap();
    let crash = &suite.scenarios()[1];
    let state: &ContainerState = &crash.case().evidence.pods().unwrap().pods[0].containers[0].state;
    assert_eq!(state.kind(), StateKind::Waiting);
    assert_eq!(state.exit_code, Some(1));
}

#[test]
fn unknown_keys_are_ignored_and_optional_pod_logs_may_be_absent() {
    let tmp = suite_copy();
    let yml = tmp.path().join("000-healthy/scenario.yml");
    let text =
        fs::read_to_string(&yml).unwrap() + "engine_version: \"1.30\"\nowner: team-payments\n";
    fs::write(&yml, text).unwrap();
    edit(
        &tmp.path().join("000-healthy/alert.json"),
        "\"title\"",
        "\"x_extra\": {\"a\": 1}, \"title\"",
    );
    let suite = load(tmp.path()).unwrap();
    assert!(suite.scenarios()[0].case().evidence.eks_pod_logs.is_none());
}

#[test]
fn a_single_scenario_directory_loads_with_its_base() {
    let suite = load(&canonical().join("002-oom-killed")).unwrap();
    assert_eq!(suite.scenarios().len(), 1);
    assert!(suite.scenarios()[0].case().evidence.nodes().is_some());
}

#[test]
fn case_carries_no_label_and_an_opaque_id() {
    let suite = load(&canonical()).unwrap();
    for s in suite.scenarios() {
        let json = serde_json::to_string(s.case()).unwrap();
        assert!(
            !json.contains(s.dir_name()),
            "case JSON contains the directory name"
        );
        assert!(
            !json.contains("failure_mode"),
            "case JSON contains a label key"
        );
        assert!(
            !json.contains("root_cause"),
            "case JSON contains a label key"
        );
        assert!(!json.contains("scenario_difficulty"));
        assert!(!s.case().id.contains(s.id()));
    }
}

#[test]
fn round_trip_load_write_load_gives_the_same_model() {
    let suite = load(&canonical()).unwrap();
    let out = tempfile::tempdir().unwrap();
    for s in suite.scenarios() {
        s.write_to(&out.path().join(s.dir_name())).unwrap();
    }
    let again = load(out.path()).unwrap();
    assert_eq!(suite.scenarios().len(), again.scenarios().len());
    for (a, b) in suite.scenarios().iter().zip(again.scenarios()) {
        let mut fa = a.file().clone();
        fa.base = None; // written self-contained
        assert_eq!(&fa, b.file());
        assert_eq!(a.answer_file(), b.answer_file());
        assert_eq!(a.case(), b.case());
        assert_eq!(a.answer(), b.answer());
    }
}

// ---- bad input: at least 20 distinct cases, each naming file and field ----

#[test]
fn bad_missing_scenario_yml() {
    check(
        |d| fs::remove_file(d.join("002-oom-killed/scenario.yml")).unwrap(),
        "002-oom-killed/scenario.yml",
        &["missing"],
    );
}

#[test]
fn bad_malformed_yaml() {
    check(
        |d| {
            fs::write(
                d.join("000-healthy/answer.yml"),
                "root_cause_category: [healthy\nrequired_keywords: x: y\n",
            )
            .unwrap();
        },
        "000-healthy/answer.yml",
        &["malformed YAML"],
    );
}

#[test]
fn bad_malformed_json() {
    check(
        |d| {
            fs::write(
                d.join("002-oom-killed/eks_events.json"),
                "{\"warning_events\": [",
            )
            .unwrap();
        },
        "002-oom-killed/eks_events.json",
        &["malformed JSON"],
    );
}

#[test]
fn bad_wrong_type_names_the_field_path() {
    check(
        |d| {
            edit(
                &d.join("002-oom-killed/eks_pods.json"),
                "\"restart_count\": 0",
                "\"restart_count\": \"8\"",
            );
        },
        "002-oom-killed/eks_pods.json",
        &[
            "pods[0].containers[0].restart_count",
            "expected integer, got \"8\"",
        ],
    );
}

#[test]
fn bad_wrong_type_in_node_condition() {
    check(
        |d| {
            edit(
                &d.join("000-healthy/eks_node_health.json"),
                "\"memory_pressure\": \"False\"",
                "\"memory_pressure\": false",
            );
        },
        "000-healthy/eks_node_health.json",
        &["nodes[0].memory_pressure", "expected"],
    );
}

#[test]
fn bad_unknown_failure_mode() {
    check(
        |d| {
            edit(
                &d.join("002-oom-killed/scenario.yml"),
                "failure_mode: oom_killed",
                "failure_mode: out_of_memory",
            );
        },
        "002-oom-killed/scenario.yml",
        &[
            "failure_mode",
            "unknown failure_mode \"out_of_memory\"",
            "oom_killed",
        ],
    );
}

#[test]
fn bad_unknown_category() {
    check(
        |d| {
            edit(
                &d.join("001-crashloop-backoff/answer.yml"),
                "root_cause_category: code_defect",
                "root_cause_category: bug",
            );
        },
        "001-crashloop-backoff/answer.yml",
        &["root_cause_category", "unknown root_cause_category \"bug\""],
    );
}

#[test]
fn bad_unknown_root_cause() {
    check(
        |d| {
            edit(
                &d.join("001-crashloop-backoff/answer.yml"),
                "root_cause: app_error",
                "root_cause: gremlins",
            );
        },
        "001-crashloop-backoff/answer.yml",
        &["root_cause", "unknown root_cause \"gremlins\""],
    );
}

#[test]
fn bad_root_cause_of_another_mode() {
    check(
        |d| {
            edit(
                &d.join("001-crashloop-backoff/answer.yml"),
                "root_cause: app_error",
                "root_cause: container_oom",
            );
            edit(
                &d.join("001-crashloop-backoff/answer.yml"),
                "root_cause_category: code_defect",
                "root_cause_category: resource_exhaustion",
            );
        },
        "001-crashloop-backoff/answer.yml",
        &["root_cause", "belongs to oom_killed"],
    );
}

/// Loads a mutated copy of the canonical suite, which must load.
fn loads(mutate: impl FnOnce(&Path)) -> scenario::Suite {
    let tmp = suite_copy();
    mutate(tmp.path());
    match load(tmp.path()) {
        Ok(suite) => suite,
        Err(p) => panic!("expected the suite to load; got:\n{p}"),
    }
}

#[test]
fn any_difficulty_or_none_is_accepted_as_opensres_loader_does() {
    // OpenSRE's loader takes any integer (its tests have level 4) and defaults a missing
    // one to 1.
    let suite = loads(|d| {
        edit(
            &d.join("002-oom-killed/scenario.yml"),
            "scenario_difficulty: 1",
            "scenario_difficulty: 7",
        );
        edit(
            &d.join("000-healthy/scenario.yml"),
            "scenario_difficulty: 0\n",
            "",
        );
    });
    let difficulty = |n: &str| {
        suite
            .scenarios()
            .iter()
            .find(|s| s.dir_name() == n)
            .unwrap()
            .file()
            .scenario_difficulty
    };
    assert_eq!(difficulty("002-oom-killed"), 7);
    assert_eq!(difficulty("000-healthy"), 1);
}

#[test]
fn bad_negative_difficulty() {
    check(
        |d| {
            edit(
                &d.join("002-oom-killed/scenario.yml"),
                "scenario_difficulty: 1",
                "scenario_difficulty: -1",
            );
        },
        "002-oom-killed/scenario.yml",
        &["scenario_difficulty", "expected"],
    );
}

#[test]
fn bad_empty_required_keywords() {
    check(
        |d| {
            let p = d.join("000-healthy/answer.yml");
            let text = fs::read_to_string(&p).unwrap();
            let text = text.replace(
                "required_keywords:\n  - healthy\n  - Running\n",
                "required_keywords: []\n",
            );
            fs::write(p, text).unwrap();
        },
        "000-healthy/answer.yml",
        &["required_keywords", "at least one"],
    );
}

#[test]
fn bad_evidence_listed_but_absent() {
    check(
        |d| fs::remove_file(d.join("001-crashloop-backoff/eks_pod_logs.json")).unwrap(),
        "001-crashloop-backoff/scenario.yml",
        &[
            "available_evidence[4]",
            "eks_pod_logs",
            "neither in 001-crashloop-backoff/ nor in its base 000-healthy/",
        ],
    );
}

#[test]
fn evidence_present_but_not_listed_is_ignored() {
    let tmp = suite_copy();
    fs::write(
        tmp.path().join("002-oom-killed/eks_pod_logs.json"),
        "this is not even JSON",
    )
    .unwrap();
    let suite = load(tmp.path()).unwrap();
    assert!(suite.scenarios()[2].case().evidence.eks_pod_logs.is_none());
}

#[test]
fn bad_base_missing() {
    check(
        |d| {
            edit(
                &d.join("002-oom-killed/scenario.yml"),
                "base: 000-healthy",
                "base: 000-nothing",
            );
        },
        "002-oom-killed/scenario.yml",
        &["base", "\"000-nothing\" does not exist"],
    );
}

#[test]
fn bad_base_chained() {
    check(
        |d| {
            copy_dir(&d.join("002-oom-killed"), &d.join("004-chained"));
            edit(
                &d.join("004-chained/scenario.yml"),
                "base: 000-healthy",
                "base: 002-oom-killed",
            );
            edit(
                &d.join("004-chained/scenario.yml"),
                "scenario_id: 002-oom-killed",
                "scenario_id: 004-chained",
            );
        },
        "004-chained/scenario.yml",
        &["base", "itself has base \"000-healthy\"", "chain"],
    );
}

#[test]
fn bad_base_cyclic() {
    check(
        |d| {
            let p = d.join("000-healthy/scenario.yml");
            let text = fs::read_to_string(&p).unwrap();
            fs::write(&p, format!("base: 002-oom-killed\n{text}")).unwrap();
        },
        "002-oom-killed/scenario.yml",
        &["base", "cycle"],
    );
}

#[test]
fn bad_base_self() {
    check(
        |d| {
            edit(
                &d.join("002-oom-killed/scenario.yml"),
                "base: 000-healthy",
                "base: 002-oom-killed",
            );
        },
        "002-oom-killed/scenario.yml",
        &["base", "cycle"],
    );
}

#[test]
fn bad_base_parent_path() {
    check(
        |d| {
            edit(
                &d.join("002-oom-killed/scenario.yml"),
                "base: 000-healthy",
                "base: ../x",
            );
        },
        "002-oom-killed/scenario.yml",
        &["base", "not a plain sibling directory name"],
    );
}

#[test]
fn bad_base_absolute_path() {
    check(
        |d| {
            edit(
                &d.join("002-oom-killed/scenario.yml"),
                "base: 000-healthy",
                "base: /etc",
            );
        },
        "002-oom-killed/scenario.yml",
        &["base", "not a plain sibling directory name"],
    );
}

#[test]
fn bad_duplicate_scenario_ids() {
    check(
        |d| {
            copy_dir(&d.join("002-oom-killed"), &d.join("004-copy"));
        },
        "004-copy/scenario.yml",
        &[
            "scenario_id",
            "duplicate scenario id \"002-oom-killed\"",
            "002-oom-killed/",
        ],
    );
}

#[test]
fn bad_not_utf8() {
    check(
        |d| {
            fs::write(
                d.join("000-healthy/eks_deployments.json"),
                b"{\"deployments\": [\xff\xfe]}",
            )
            .unwrap();
        },
        "000-healthy/eks_deployments.json",
        &["not valid UTF-8", "offset 17"],
    );
}

#[test]
fn bad_empty_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let err = load(tmp.path()).unwrap_err();
    assert_eq!(err.0.len(), 1);
    assert!(err.to_string().contains("no scenarios found"), "{err}");
    assert!(
        err.to_string().contains(&tmp.path().display().to_string()),
        "{err}"
    );
}

#[test]
fn bad_huge_file_is_refused_before_reading() {
    check(
        |d| {
            let f = fs::File::create(d.join("000-healthy/datadog_logs.json")).unwrap();
            f.set_len(scenario::load::MAX_FILE_BYTES + 1).unwrap(); // sparse: nothing is written
        },
        "000-healthy/datadog_logs.json",
        &["over the 16 MiB limit"],
    );
}

#[test]
fn bad_missing_required_field() {
    check(
        |d| {
            edit(
                &d.join("000-healthy/eks_pods.json"),
                "\"phase\": \"Running\",",
                "",
            );
        },
        "000-healthy/eks_pods.json",
        &["pods[0]", "missing required field \"phase\""],
    );
}

#[test]
fn bad_missing_answer_yml() {
    check(
        |d| fs::remove_file(d.join("003-image-pull-backoff/answer.yml")).unwrap(),
        "003-image-pull-backoff/answer.yml",
        &["missing"],
    );
}

#[test]
fn any_container_state_object_is_accepted_as_opensres_loader_does() {
    // No flag at all, and a flag spelled as the Kubernetes object (OpenSRE's 014 fixture).
    let suite = loads(|d| {
        edit(
            &d.join("002-oom-killed/eks_pods.json"),
            "\"terminated\": true,",
            "",
        );
        let p = d.join("001-crashloop-backoff/eks_pods.json");
        let text = fs::read_to_string(&p).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut v = v;
        v["pods"][0]["containers"][0]["state"] = serde_json::json!({"terminated": {"reason": "Evicted", "exitCode": 137, "finished_at": "2026-04-18T10:42:00Z"}});
        fs::write(&p, v.to_string()).unwrap();
    });
    let crash = suite
        .scenarios()
        .iter()
        .find(|s| s.dir_name() == "001-crashloop-backoff")
        .unwrap();
    let state = &crash.case().evidence.pods().unwrap().pods[0].containers[0].state;
    assert_eq!(state.kind(), StateKind::Terminated);
    assert_eq!(state.reason.as_deref(), Some("Evicted"));
    assert_eq!(state.exit_code, Some(137));
    let oom = suite
        .scenarios()
        .iter()
        .find(|s| s.dir_name() == "002-oom-killed")
        .unwrap();
    assert_eq!(
        oom.case().evidence.pods().unwrap().pods[1].containers[0]
            .state
            .kind(),
        StateKind::Unknown
    );
}

#[test]
fn monitors_without_id_and_nodes_without_pressure_are_accepted() {
    let suite = loads(|d| {
        let p = d.join("000-healthy/datadog_monitors.json");
        let mut v: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
        for m in v["monitors"].as_array_mut().unwrap() {
            m.as_object_mut().unwrap().remove("id");
        }
        fs::write(&p, v.to_string()).unwrap();
        let p = d.join("000-healthy/eks_node_health.json");
        let mut v: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
        v["nodes"][0]
            .as_object_mut()
            .unwrap()
            .remove("pid_pressure");
        fs::write(&p, v.to_string()).unwrap();
    });
    let healthy = &suite.scenarios()[0];
    let monitors = &healthy.case().evidence.datadog_monitors().unwrap().monitors;
    assert!(
        monitors
            .iter()
            .all(|m| m.id.is_none() && m.id_label() == "-")
    );
    assert_eq!(
        healthy.case().evidence.nodes().unwrap().nodes[0].pid_pressure,
        scenario::files::ConditionStatus::Unknown
    );
}

#[test]
fn bad_trajectory_action_outside_opensres_vocabulary() {
    check(
        |d| {
            edit(
                &d.join("001-crashloop-backoff/answer.yml"),
                "get_eks_pod_logs",
                "get_pod_logs",
            );
        },
        "001-crashloop-backoff/answer.yml",
        &["optimal_trajectory[2]", "unknown action \"get_pod_logs\""],
    );
}

#[test]
fn bad_empty_required_queries_and_zero_loops() {
    check(
        |d| {
            let p = d.join("001-crashloop-backoff/answer.yml");
            let text = fs::read_to_string(&p).unwrap();
            fs::write(
                &p,
                format!("{text}required_queries: []\n")
                    .replace("max_investigation_loops: 3", "max_investigation_loops: 0"),
            )
            .unwrap();
        },
        "001-crashloop-backoff/answer.yml",
        &["required_queries", "must be a non-empty list"],
    );
    check(
        |d| {
            edit(
                &d.join("001-crashloop-backoff/answer.yml"),
                "max_investigation_loops: 3",
                "max_investigation_loops: 0",
            );
        },
        "001-crashloop-backoff/answer.yml",
        &["max_investigation_loops", "positive integer"],
    );
}

#[test]
fn bad_inherited_key_is_reported_with_its_origin() {
    check(
        |d| {
            edit(
                &d.join("000-healthy/scenario.yml"),
                "engine: eks",
                "engine: openshift",
            );
        },
        "002-oom-killed/scenario.yml",
        &[
            "engine",
            "openshift",
            "inherited from 000-healthy/scenario.yml",
        ],
    );
}

#[test]
fn bad_empty_scenario_yml() {
    check(
        |d| fs::write(d.join("003-image-pull-backoff/scenario.yml"), "").unwrap(),
        "003-image-pull-backoff/scenario.yml",
        &["empty"],
    );
}

#[test]
fn unavailable_source_is_loaded_as_unavailable_not_as_empty() {
    let tmp = suite_copy();
    fs::write(
        tmp.path().join("000-healthy/datadog_logs.json"),
        r#"{"available": false, "error": "Datadog API returned 403 Forbidden"}"#,
    )
    .unwrap();
    let suite = load(tmp.path()).unwrap();
    let ev = &suite.scenarios()[0].case().evidence;
    assert!(ev.datadog_logs.is_some());
    assert!(ev.datadog_logs().is_none());
    assert!(!ev.has(scenario::EvidenceKind::DatadogLogs));
}

#[test]
fn every_problem_of_a_suite_is_collected() {
    let tmp = suite_copy();
    edit(
        &tmp.path().join("002-oom-killed/scenario.yml"),
        "severity: critical",
        "severity: [critical]",
    );
    edit(
        &tmp.path().join("003-image-pull-backoff/eks_events.json"),
        "\"count\": 8",
        "\"count\": \"eight\"",
    );
    fs::remove_file(tmp.path().join("001-crashloop-backoff/answer.yml")).unwrap();
    let report = scenario::load_report(tmp.path());
    let files: Vec<&str> = report.problems.iter().map(|p| p.file.as_str()).collect();
    assert!(files.contains(&"002-oom-killed/scenario.yml"), "{files:?}");
    assert!(
        files.contains(&"003-image-pull-backoff/eks_events.json"),
        "{files:?}"
    );
    assert!(
        files.contains(&"001-crashloop-backoff/answer.yml"),
        "{files:?}"
    );
    assert_eq!(report.scenarios.len(), 1, "000-healthy still loads");
    assert_eq!(report.failed.len(), 3);
}

#[test]
fn acceptable_root_causes_widen_the_answer_and_are_checked() {
    let suite = loads(|d| {
        let p = d.join("003-image-pull-backoff/answer.yml");
        let text = fs::read_to_string(&p).unwrap();
        fs::write(&p, format!("{text}acceptable_root_causes: [registry_auth, rate_limited]\nequivalent_root_cause_categories: [infrastructure]\n")).unwrap();
    });
    let a = suite
        .scenarios()
        .iter()
        .find(|s| s.dir_name() == "003-image-pull-backoff")
        .unwrap()
        .answer();
    assert_eq!(a.root_cause, Some(RootCause::ImageNotFound));
    assert_eq!(a.accepts_cause(RootCause::RegistryAuth), Some(true));
    assert_eq!(a.accepts_cause(RootCause::InvalidImageName), Some(false));
    // rate_limited brings its category; the equivalent one is listed.
    assert!(
        a.accepts_category(Category::DependencyFailure)
            && a.accepts_category(Category::Infrastructure)
    );
    assert!(!a.accepts_category(Category::CodeDefect));
    assert!(
        a.accepts_mode(FailureMode::ImagePullBackoff) && !a.accepts_mode(FailureMode::OomKilled)
    );
    check(
        |d| {
            let p = d.join("003-image-pull-backoff/answer.yml");
            let text = fs::read_to_string(&p).unwrap();
            fs::write(
                &p,
                format!("{text}acceptable_root_causes: [image_not_found]\n"),
            )
            .unwrap();
        },
        "003-image-pull-backoff/answer.yml",
        &[
            "acceptable_root_causes[0]",
            "is the primary root_cause already",
        ],
    );
}

#[test]
fn evidence_state_by_kind_walks_every_listed_source() {
    let suite = loads(|d| {
        fs::write(
            d.join("001-crashloop-backoff/eks_events.json"),
            r#"{"available": false, "error": "events is forbidden"}"#,
        )
        .unwrap();
    });
    let crash = suite
        .scenarios()
        .iter()
        .find(|s| s.dir_name() == "001-crashloop-backoff")
        .unwrap();
    let ev = &crash.case().evidence;
    assert_eq!(
        ev.listed(),
        crash
            .file()
            .available_evidence
            .iter()
            .copied()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );
    assert_eq!(
        ev.state(scenario::EvidenceKind::EksEvents),
        Some(scenario::SourceState::Unavailable("events is forbidden"))
    );
    assert!(!ev.has(scenario::EvidenceKind::EksEvents) && ev.has(scenario::EvidenceKind::EksPods));
}

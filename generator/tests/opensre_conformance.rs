//! OpenSRE loader conformance: every scenario of a generated corpus would load in OpenSRE's
//! own fixture loader (`scenario::opensre_rules`, written from the facts of its
//! `scenario_loader.py` and `k8s_schemas.py`). 2,000 scenarios in a release build, 400 in a
//! debug one (generating is the cost: about 12 ms a scenario in debug);
//! `TRIAGEBENCH_CONFORMANCE_COUNT` overrides. `.ci/run` also checks a 2,000 corpus through
//! `triagebench validate --opensre-loader`.

use std::path::Path;

use generator::{Config, NoProgress, load_templates};

#[test]
fn a_generated_corpus_passes_opensres_loader_rules() {
    let count = std::env::var("TRIAGEBENCH_CONFORMANCE_COUNT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) { 400 } else { 2000 });
    let templates = load_templates(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates"))
        .expect("repository templates load");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("corpus");
    let config = Config::new(&templates, count, 7, out.clone(), None, None, false).unwrap();
    generator::generate(&config, &templates, &NoProgress).unwrap();
    let problems = scenario::opensre_rules::check_suite(&out);
    let mut kinds: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for p in &problems {
        let file = p.file.split('/').next_back().unwrap_or("");
        let field: String = p
            .field
            .clone()
            .unwrap_or_default()
            .split('.')
            .next_back()
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect();
        *kinds
            .entry(format!("{file} {field}: {}", p.message))
            .or_default() += 1;
    }
    let mut shown: Vec<String> = kinds.iter().map(|(k, n)| format!("{n:>5} x {k}")).collect();
    shown.extend(problems.iter().take(5).map(ToString::to_string));
    assert!(
        problems.is_empty(),
        "{} problems in OpenSRE's loader rules over {count} scenarios:\n{}",
        problems.len(),
        shown.join("\n")
    );
}

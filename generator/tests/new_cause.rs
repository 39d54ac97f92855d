//! `templates/README.md`'s recipe for a root cause, followed on a copy of the templates: a
//! cause the spec does not cover is added as one `causes:` entry (and nothing else), and the
//! generator renders it, the loader accepts it, and the baseline classifies it, with no Rust
//! edit and no other file touched.

use std::path::{Path, PathBuf};

use classifier::Classifier;
use generator::{Config, NoProgress, load_templates};
use scenario::RootCause;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The `segfault` entry of families.yml, from its key to the next cause.
fn cut_cause(spec: &str, name: &str) -> (String, String) {
    let key = format!("\n  {name}:\n");
    let start = spec.find(&key).expect("cause in the spec") + 1;
    let rest = &spec[start + key.len() - 1..];
    let end = rest
        .find("\n\n  ")
        .map_or(spec.len(), |i| start + key.len() - 1 + i + 1);
    (
        format!("{}{}", &spec[..start], &spec[end..]),
        spec[start..end].to_owned(),
    )
}

/// A cause entry written the way a user would, from the README's recipe.
const NEW_CAUSE: &str = r#"
  segfault:
    presentations:
      - {pattern: crash_loop}
    run_seconds: [1, 30]
    terminations:
      - {value: {exit_code: 139, reason: Error}, weight: 1}
    tails:
      - {lines: [[info, "decoding frame {{ pid % 900 }}"], [raw, "Segmentation fault (core dumped)"]]}
    keywords: ["139", SIGSEGV]
    root_cause: "{{ container }} dies from SIGSEGV (exit code 139) and is restarted with back-off."
    claims:
      - "Container {{ container }} terminates with exit code 139."
    chain:
      - "Invalid memory access"
      - "SIGSEGV, exit 139"
      - "Restart with back-off"
"#;

fn generate(templates: &Path, out: &Path, mix: &str) -> generator::Summary {
    let t = load_templates(templates).expect("the edited templates load");
    let config = Config::new(&t, 120, 5, out.to_path_buf(), Some(mix), Some(2), false).unwrap();
    generator::generate(&config, &t, &NoProgress).expect("generates")
}

#[test]
fn a_cause_is_one_spec_entry() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../templates");
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    copy_dir(&repo, &templates);
    let spec_path = templates.join("families.yml");
    let spec = std::fs::read_to_string(&spec_path).unwrap();

    // Without the cause: signals that named it must not (the spec says which causes apply).
    let (without, original) = cut_cause(&spec, "segfault");
    assert!(original.contains("exit_code: 139"), "{original}");
    // Its mentions in other lists go too: signal `applies`, and a `twins:` pair naming it.
    let without = without
        .lines()
        .filter(|l| !(l.starts_with("  ") && l.contains(": [") && l.contains("segfault]")))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    let without = without.replace(", segfault", "").replace("segfault, ", "");
    std::fs::write(&spec_path, &without).unwrap();
    let summary = generate(&templates, &dir.path().join("before"), "");
    assert!(!summary.manifest.counts["root_cause"].contains_key("segfault"));

    // With the user's entry: rendered, loaded, classified.
    std::fs::write(&spec_path, format!("{}{NEW_CAUSE}", without.trim_end())).unwrap();
    let out = dir.path().join("after");
    let summary = generate(
        &templates,
        &out,
        "crashloop_backoff=1,healthy=0,oom_killed=0,image_pull_backoff=0,segfault=20",
    );
    let n = summary.manifest.counts["root_cause"]["segfault"];
    assert!(n > 60, "{n} of 120 are the new cause");
    let suite = scenario::load(&out).expect("the loader accepts the new cause");
    let rules = &classifier::RULES;
    let mut right = 0;
    for s in suite
        .scenarios()
        .iter()
        .filter(|s| s.answer().root_cause == Some(RootCause::Segfault))
    {
        let p = rules.classify(s.case(), 0).unwrap();
        right += usize::from(p.root_cause == RootCause::Segfault);
    }
    assert!(right > 0, "the baseline reads the new cause's evidence");
}

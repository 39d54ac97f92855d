//! Generated files: committed files that are a pure function of the code, compared with what
//! the code generates now, so a new label or chart needs no hand edit and a stale file fails:
//!
//! * `schemas/prediction.schema.json`: from the taxonomy (`adapters::schema`);
//! * `tests/browser/charts.json`: the charts the browser check expects
//!   (`evaluator::dashboard::CHARTS`);
//! * the root cause table of `docs/CONTRACT.md` (`scenario::taxonomy::markdown_table`), between
//!   its `<!-- generated: ... -->` and `<!-- end generated -->` lines.
//!
//! CI only compares. `just bless` (`TRIAGEBENCH_BLESS=1`) rewrites them.

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn blessing() -> bool {
    std::env::var_os("TRIAGEBENCH_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Compares (or with `TRIAGEBENCH_BLESS`, rewrites) one generated file.
fn check(rel: &str, generated: &str) {
    let path = repo().join(rel);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed == generated {
        return;
    }
    if blessing() {
        std::fs::write(&path, generated).unwrap_or_else(|e| panic!("{rel}: {e}"));
        eprintln!("blessed {rel}");
        return;
    }
    let diff = similar::TextDiff::from_lines(committed.as_str(), generated)
        .unified_diff()
        .header(&format!("{rel} (committed)"), &format!("{rel} (generated)"))
        .to_string();
    panic!("{rel} is stale; run `just bless` to regenerate it:\n{diff}");
}

#[test]
fn prediction_schema_is_generated_from_the_taxonomy() {
    check(
        adapters::schema::PREDICTION_SCHEMA_FILE,
        &adapters::schema::prediction_schema(),
    );
}

#[test]
fn browser_check_charts_are_the_dashboards() {
    let mut json = serde_json::to_string_pretty(evaluator::dashboard::CHARTS).unwrap();
    json.push('\n');
    check("tests/browser/charts.json", &json);
}

#[test]
fn contract_taxonomy_table_is_the_taxonomy() {
    const FILE: &str = "docs/CONTRACT.md";
    const BEGIN: &str = "<!-- generated: scenario::taxonomy::markdown_table -->\n";
    const END: &str = "<!-- end generated -->\n";
    let text = std::fs::read_to_string(repo().join(FILE)).unwrap();
    let start = text.find(BEGIN).map(|i| i + BEGIN.len()).expect(BEGIN);
    let end = start + text[start..].find(END).expect(END);
    let generated = format!(
        "{}{}{}",
        &text[..start],
        scenario::taxonomy::markdown_table(),
        &text[end..]
    );
    check(FILE, &generated);
}

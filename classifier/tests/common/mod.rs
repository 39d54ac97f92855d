//! Helpers shared by the integration tests: the workspace root and cases built from the
//! canonical healthy scenario.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::path::PathBuf;

use scenario::Case;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `n` distinct cases `case-0..n` whose workload is `w0..wn` (the fake worker keys on it).
pub fn cases(n: usize) -> Vec<Case> {
    let suite = scenario::load(&root().join("corpus/canonical")).expect("canonical corpus");
    let base = suite.scenarios()[0].case().clone();
    (0..n)
        .map(|i| {
            let mut c = base.clone();
            c.id = format!("case-{i}");
            c.context.workload_name = format!("w{i}");
            c
        })
        .collect()
}

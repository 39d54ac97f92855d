//! Helpers shared by the integration tests: cases built from the canonical healthy scenario,
//! and a driver that runs a classifier over them from several threads at once, as the
//! evaluator does.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use classifier::{CallError, Classifier};
use scenario::{Case, Prediction};

// The workspace root and the canonical cases, shared with the classifier crate's tests.
#[path = "../../../classifier/tests/common/mod.rs"]
mod canonical;
#[allow(unused_imports, reason = "each test binary uses a different subset")]
pub use canonical::{cases, root};

/// Runs every case through the classifier from `threads` threads; results by case id.
pub fn run_all(
    classifier: &dyn Classifier,
    cases: &[Case],
    threads: usize,
) -> BTreeMap<String, Result<Prediction, CallError>> {
    let next = AtomicUsize::new(0);
    let out = Mutex::new(BTreeMap::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(case) = cases.get(i) else { break };
                    let r = classifier.classify(case, 0);
                    out.lock().unwrap().insert(case.id.clone(), r);
                }
            });
        }
    });
    out.into_inner().unwrap()
}

/// Checks that exactly the listed ids failed, each with a reason starting with the given
/// prefix, and that every other case got its own answer (explanation = its id).
pub fn expect_errors(
    results: &BTreeMap<String, Result<Prediction, CallError>>,
    n: usize,
    expected: &[(&str, &str)],
) {
    assert_eq!(results.len(), n, "every case must have an outcome");
    let mut problems = Vec::new();
    for (id, r) in results {
        let want = expected.iter().find(|(i, _)| i == id).map(|(_, p)| *p);
        match (r, want) {
            (Ok(p), None) if p.explanation == *id => {}
            (Ok(p), None) => problems.push(format!("{id}: got the answer of {}", p.explanation)),
            (Ok(_), Some(prefix)) => {
                problems.push(format!("{id}: expected error {prefix:?}, got a prediction"));
            }
            (Err(e), None) => problems.push(format!("{id}: unexpected error {:?}", e.reason)),
            (Err(e), Some(prefix)) if e.reason.starts_with(prefix) => {}
            (Err(e), Some(prefix)) => problems.push(format!(
                "{id}: expected error {prefix:?}, got {:?}",
                e.reason
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

//! End to end: `examples/agent_example.py` through `cmd:python3 ...` over the canonical
//! scenarios, as the evaluator would run it.

mod common;

use std::time::Duration;

use adapters::{Options, from_spec};

#[test]
fn example_adapter_answers_the_canonical_scenarios() {
    let root = common::root();
    let suite = scenario::load(&root.join("corpus/canonical")).unwrap();
    let script = root.join("examples/agent_example.py");
    let spec = format!("cmd:python3 '{}'", script.display());
    let opts = Options {
        workers: 2,
        timeout: Duration::from_secs(10),
        retries: 0,
    };
    let c = from_spec(&spec, &opts).unwrap();
    let cases: Vec<scenario::Case> = suite.scenarios().iter().map(|s| s.case().clone()).collect();
    let results = common::run_all(c.as_ref(), &cases, 4);
    let mut wrong = Vec::new();
    for s in suite.scenarios() {
        let p = match &results[&s.case().id] {
            Ok(p) => p,
            Err(e) => {
                wrong.push(format!("{}: error {}", s.dir_name(), e.reason));
                continue;
            }
        };
        let a = s.answer();
        if (p.failure_mode, p.root_cause_category, Some(p.root_cause))
            != (a.failure_mode, a.root_cause_category, a.root_cause)
            || p.affected_pod != a.affected_pod
            || p.affected_container != a.affected_container
        {
            wrong.push(format!("{}: got {p:?}, expected {a:?}", s.dir_name()));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(c.finish().is_empty());
}

#[test]
fn example_adapter_reports_usage_on_the_calling_thread() {
    let root = common::root();
    let suite = scenario::load(&root.join("corpus/canonical")).unwrap();
    let script = root.join("examples/agent_example.py");
    let spec = format!("cmd:python3 '{}'", script.display());
    let opts = Options {
        workers: 1,
        timeout: Duration::from_secs(10),
        retries: 0,
    };
    let c = from_spec(&spec, &opts).unwrap();
    for s in suite.scenarios().iter().take(3) {
        let _ = scenario::usage::take();
        c.classify(s.case(), 0).unwrap();
        let u = scenario::usage::take().expect("the example reports usage");
        let request_bytes = adapters::wire::request(s.case(), 0).len() as u64;
        // About four bytes a token of the request line (the line the worker read).
        let input = u.input_tokens.unwrap();
        assert!(
            input > 0 && input.abs_diff(request_bytes / 4) <= 1,
            "{input} vs {request_bytes}"
        );
        assert!(u.output_tokens.unwrap() > 0 && u.cost_usd.unwrap() > 0.0);
        assert!(u.tool_calls.unwrap() <= 2);
        // Taken once.
        assert_eq!(scenario::usage::take(), None);
    }
    c.finish();
}

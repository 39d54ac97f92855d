//! The trajectory log: every request a client made of a scenario, in order, with what it was
//! answered, kept in memory for the interactive evaluation to read; and the per-scenario call
//! budget (a client past it is answered 429 and the refusal is recorded too).

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Serialize;

/// One request of a scenario's trajectory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Call {
    /// 0-based position in the scenario's trajectory.
    pub seq: u64,
    /// The kubectl-style verb: `get`, `list`, `log`, `discovery`, or the HTTP method of a
    /// refused write (`delete`, `patch`, ...).
    pub verb: String,
    /// The resource (`pods`, `events`, `nodes`, `deployments`, `pods/log`, `version`, ...;
    /// empty when the path names none).
    pub resource: String,
    /// The namespace the request was scoped to (empty: cluster-wide or all namespaces).
    pub namespace: String,
    /// The object name of a `get` or `log` (empty for a list).
    pub name: String,
    /// The query string as sent (`labelSelector=...&limit=500`).
    pub args: String,
    /// The HTTP status answered.
    pub status: u16,
    /// Bytes of the response body.
    pub bytes: u64,
    /// Milliseconds since the server started.
    pub at_ms: u64,
}

#[derive(Debug, Default)]
struct Trajectory {
    calls: Vec<Call>,
    admitted: u64,
    refused: u64,
}

/// The trajectories of every scenario, and the call budget.
#[derive(Debug)]
pub struct Recorder {
    budget: Option<u64>,
    started: std::time::Instant,
    by_scenario: Mutex<HashMap<String, Trajectory>>,
}

impl Recorder {
    /// A recorder that answers 429 once a scenario has had `budget` calls (`None`: no limit).
    pub fn new(budget: Option<u64>) -> Recorder {
        Recorder {
            budget,
            started: std::time::Instant::now(),
            by_scenario: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a call against the scenario's budget: `false` when it is spent (the call is then
    /// to be answered 429 and recorded with [`Recorder::record`] all the same).
    pub fn admit(&self, scenario: &str) -> bool {
        let mut map = self.lock();
        let t = map.entry(scenario.to_owned()).or_default();
        if self.budget.is_none_or(|b| t.admitted < b) {
            t.admitted += 1;
            true
        } else {
            t.refused += 1;
            false
        }
    }

    /// Appends a call to the scenario's trajectory (its `seq` and `at_ms` are set here).
    pub fn record(&self, scenario: &str, mut call: Call) {
        let mut map = self.lock();
        let t = map.entry(scenario.to_owned()).or_default();
        call.seq = t.calls.len() as u64;
        call.at_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        t.calls.push(call);
    }

    /// The scenario's calls so far, in order.
    pub fn calls(&self, scenario: &str) -> Vec<Call> {
        self.lock()
            .get(scenario)
            .map(|t| t.calls.clone())
            .unwrap_or_default()
    }

    /// How many of the scenario's calls were refused for the budget (429).
    pub fn refused(&self, scenario: &str) -> u64 {
        self.lock().get(scenario).map_or(0, |t| t.refused)
    }

    /// Forgets a scenario's trajectory and budget use (a new case on the same scenario).
    pub fn reset(&self, scenario: &str) {
        self.lock().remove(scenario);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Trajectory>> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.by_scenario
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(verb: &str) -> Call {
        Call {
            seq: 99,
            verb: verb.into(),
            resource: "pods".into(),
            namespace: String::new(),
            name: String::new(),
            args: String::new(),
            status: 200,
            bytes: 10,
            at_ms: 0,
        }
    }

    #[test]
    fn budget_counts_admitted_calls_per_scenario() {
        let r = Recorder::new(Some(2));
        for _ in 0..2 {
            assert!(r.admit("a"));
            r.record("a", call("list"));
        }
        assert!(!r.admit("a"));
        r.record("a", call("list"));
        assert!(!r.admit("a"));
        assert!(r.admit("b"), "budgets are per scenario");
        assert_eq!(r.refused("a"), 2);
        let calls = r.calls("a");
        assert_eq!(calls.iter().map(|c| c.seq).collect::<Vec<_>>(), [0, 1, 2]);
        r.reset("a");
        assert!(r.calls("a").is_empty());
        assert_eq!(r.refused("a"), 0);
        let unlimited = Recorder::new(None);
        assert!((0..1000).all(|_| unlimited.admit("x")));
    }
}

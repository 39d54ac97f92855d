//! `eval --interactive`: the corpus served in-process (`server::Server`, loopback, port 0,
//! timestamps shifted as `serve` does), a kubeconfig in a temporary file removed at the end,
//! and every case sent as an interactive case (no evidence; an `investigate` object naming
//! the scenario's endpoints). Before each call the scenario's trajectory is reset; after it,
//! the calls recorded are kept for `trajectories.parquet` and the trajectory metrics.

use std::collections::HashMap;
use std::sync::Mutex;

use classifier::{CallError, Classifier};
use evaluator::trajectory::TrajectoryRow;
use scenario::{Case, Prediction};
use server::{Call, Server};

/// A classifier that investigates each case through the in-process server.
#[derive(Debug)]
pub struct Interactive<'a> {
    /// The agent (`cmd:`, `http://`, `rules-agent`).
    pub inner: &'a dyn Classifier,
    /// The server.
    pub server: &'a Server,
    /// The kubeconfig written for the run.
    pub kubeconfig: String,
    /// The calls of each (case id, trial).
    pub calls: Mutex<HashMap<(String, u32), Vec<Call>>>,
}

/// The `investigate` object of a case.
pub fn investigate(url: &str, id: &str, kubeconfig: &str) -> serde_json::Value {
    serde_json::json!({
        "api_server": format!("{url}/s/{id}"),
        "token": id,
        "kubeconfig": kubeconfig,
        "context": id,
        "mcp": format!("{url}/s/{id}/mcp"),
        "datadog": format!("{url}/s/{id}/datadog"),
    })
}

impl Interactive<'_> {
    /// The recorded calls of a case and trial, as trajectory rows (run, scenario, source and
    /// action are filled in by the pipeline).
    pub fn trajectory(&self, case_id: &str, trial: u32) -> Vec<TrajectoryRow> {
        let map = self
            .calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(&(case_id.to_owned(), trial))
            .into_iter()
            .flatten()
            .map(|c| TrajectoryRow {
                run_id: String::new(),
                id: String::new(),
                trial,
                seq: c.seq,
                verb: c.verb.clone(),
                resource: c.resource.clone(),
                namespace: c.namespace.clone(),
                name: c.name.clone(),
                args: c.args.clone(),
                status: c.status,
                bytes: c.bytes,
                at_ms: c.at_ms,
                source: None,
                action: None,
            })
            .collect()
    }
}

impl Classifier for Interactive<'_> {
    fn name(&self) -> String {
        self.inner.name()
    }

    fn version(&self) -> String {
        self.inner.version()
    }

    /// Trials are successive passes over the corpus, so one scenario's trials never overlap:
    /// resetting its trajectory first leaves exactly this call's requests in it.
    fn classify(&self, case: &Case, trial: u32) -> Result<Prediction, CallError> {
        let recorder = self.server.recorder();
        recorder.reset(&case.id);
        let inv = investigate(&self.server.url(), &case.id, &self.kubeconfig);
        let result = adapters::wire::investigating(inv, || self.inner.classify(case, trial));
        let calls = recorder.calls(&case.id);
        self.calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert((case.id.clone(), trial), calls);
        result
    }

    fn concurrency(&self) -> Option<usize> {
        self.inner.concurrency()
    }

    fn finish(&self) -> Vec<String> {
        self.inner.finish()
    }
}

//! MCP tool calls served per second on loopback: `just bench-mcp` (or
//! `cargo run --release --locked -p server --example mcp_bench -- [CORPUS] [CLIENTS] [CALLS] [RUNS]`).
//!
//! Serves CORPUS (default: the golden scenarios) with `triagebench serve`'s server on an
//! ephemeral loopback port, opens CLIENTS MCP sessions (streamable HTTP, one thread each, on
//! different scenarios), and has them make CALLS tool calls in all per run, cycling over
//! OpenSRE's seven tools and two generic ones with the scenario's own arguments. Prints each
//! run's calls/s and the median, and the same calls answered in-process
//! (`server::tools::call`, no HTTP or JSON-RPC) as the floor the protocol adds to.

use std::time::Instant;

use serde_json::{Value, json};
use server::store::Cluster;
use server::{Clock, ServeOptions, Server, Store};

fn post(
    agent: &ureq::Agent,
    url: &str,
    session: Option<&str>,
    body: &str,
) -> (String, Option<String>) {
    let mut req = ureq::http::Request::builder()
        .method("POST")
        .uri(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    if let Some(s) = session {
        req = req.header("mcp-session-id", s);
    }
    let mut resp = agent
        .run(req.body(body.to_owned()).expect("a request"))
        .expect("the server answers");
    let sid = resp
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (resp.body_mut().read_to_string().expect("a body"), sid)
}

/// The calls of one scenario: every OpenSRE tool and two generic ones, with its arguments.
fn calls_of(c: &Cluster) -> Vec<(&'static str, Value)> {
    let pod = c
        .pods
        .items()
        .first()
        .and_then(|p| p.pointer("/metadata/name"))
        .and_then(Value::as_str)
        .unwrap_or("none")
        .to_owned();
    let ns = c.namespace.clone();
    vec![
        ("list_eks_pods", json!({"namespace": ns})),
        ("get_eks_events", json!({"namespace": ns})),
        ("list_eks_deployments", json!({"namespace": ns})),
        ("get_eks_node_health", json!({})),
        (
            "get_eks_pod_logs",
            json!({"namespace": ns, "pod_name": pod}),
        ),
        (
            "query_datadog_logs",
            json!({"query": format!("kube_namespace:{ns}")}),
        ),
        ("query_datadog_monitors", json!({})),
        (
            "list_k8s_resources",
            json!({"kind": "Pod", "api_version": "v1", "namespace": ns}),
        ),
        (
            "get_k8s_events",
            json!({"kind": "Pod", "name": pod, "namespace": ns}),
        ),
    ]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let corpus = args.first().cloned().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/golden/scenarios").to_owned()
    });
    let num = |i: usize, d: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(d);
    let (clients, total, runs) = (num(1, 4), num(2, 4000), num(3, 5));
    let store = Store::load(std::path::Path::new(&corpus), Clock::System.now())
        .unwrap_or_else(|p| panic!("{corpus} does not load: {} problem(s)", p.0.len()));
    let clusters: Vec<Cluster> = store.clusters().cloned().collect();
    let server = Server::start(
        store,
        ServeOptions {
            bind: "127.0.0.1:0".parse().expect("an address"),
            budget: None,
            clock: Clock::System,
        },
    )
    .expect("the server starts");
    println!(
        "{} scenarios, {clients} client sessions, {total} tool calls per run, {runs} runs, {} cores",
        clusters.len(),
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    let mut rates = Vec::new();
    for run in 0..runs {
        let start = Instant::now();
        let threads: Vec<_> = (0..clients)
            .map(|k| {
                let c = clusters[k % clusters.len()].clone();
                let url = format!("{}/s/{}/mcp", server.url(), c.id);
                let n = total / clients;
                std::thread::spawn(move || {
                    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
                    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                        "protocolVersion": "2025-06-18", "capabilities": {},
                        "clientInfo": {"name": "mcp_bench", "version": "1"}}});
                    let (_, sid) = post(&agent, &url, None, &init.to_string());
                    let sid = sid.expect("a session");
                    let done = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
                    post(&agent, &url, Some(&sid), &done.to_string());
                    let calls = calls_of(&c);
                    for i in 0..n {
                        let (tool, a) = &calls[i % calls.len()];
                        let body = json!({"jsonrpc": "2.0", "id": i + 1, "method": "tools/call",
                                          "params": {"name": tool, "arguments": a}});
                        let (text, _) = post(&agent, &url, Some(&sid), &body.to_string());
                        assert!(text.contains("\"result\""), "{tool}: {text}");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("a client thread");
        }
        let rate = (total / clients * clients) as f64 / start.elapsed().as_secs_f64();
        println!("run {}: {rate:.0} tool calls/s over MCP", run + 1);
        rates.push(rate);
    }
    println!(
        "median: {:.0} MCP tool calls/s (loopback, streamable HTTP)",
        median(rates)
    );
    let mut floor = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        for i in 0..total {
            let c = &clusters[i % clusters.len()];
            let calls = calls_of(c);
            let (tool, a) = &calls[i % calls.len()];
            let args = a.as_object().cloned().unwrap_or_default();
            server::tools::call(c, tool, &args, 0).expect("a known tool");
        }
        floor.push(total as f64 / start.elapsed().as_secs_f64());
    }
    println!(
        "median: {:.0} tool calls/s in-process (no HTTP, one thread)",
        median(floor)
    );
}

//! The MCP server over streamable HTTP on loopback (an ephemeral port), against the golden
//! scenarios of `tests/golden/scenarios` (generated with both profiles): the tool list and
//! schemas; OpenSRE's tools answering exactly the scenario's `opensre` evidence files (time
//! shifted like the Kubernetes API); unavailable sources; the EKS MCP server's generic tools;
//! recording and the call budget; malformed JSON-RPC, unknown scenarios and tools, bad
//! arguments, path traversal; sessions per scenario; and that nothing changes the corpus.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use scenario::case_id;
use scenario::k8s_api::{ApiAnswer, RawEvidence};
use scenario::time::{Utc, unix_seconds};
use serde_json::{Value, json};
use server::store::Cluster;
use server::{Clock, ServeOptions, Server, Store};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/scenarios")
}

const NOW: i64 = 1_900_000_000;

fn serve(store: Store, budget: Option<u64>) -> Server {
    Server::start(
        store,
        ServeOptions {
            bind: "127.0.0.1:0".parse().unwrap(),
            budget,
            clock: Clock::Fixed(NOW),
        },
    )
    .expect("the server starts")
}

fn golden(anchor: i64) -> Store {
    Store::load(&fixtures(), anchor).expect("the golden scenarios load")
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// A raw HTTP answer: status, session header, body.
struct Raw {
    status: u16,
    session: Option<String>,
    body: String,
}

fn post(url: &str, session: Option<&str>, headers: &[(&str, &str)], body: &str) -> Raw {
    let mut req = ureq::http::Request::builder()
        .method("POST")
        .uri(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    if let Some(s) = session {
        req = req.header("mcp-session-id", s);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut resp = agent()
        .run(req.body(body.to_owned()).unwrap())
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    Raw {
        status: resp.status().as_u16(),
        session: resp
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: resp.body_mut().read_to_string().unwrap(),
    }
}

/// The JSON-RPC message with `id` in a body (a JSON body, or the `data:` lines of an event
/// stream).
fn message(body: &str, id: u64) -> Value {
    let candidates: Vec<Value> = match serde_json::from_str::<Value>(body) {
        Ok(v) => vec![v],
        Err(_) => body
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .filter_map(|d| serde_json::from_str(d.trim()).ok())
            .collect(),
    };
    candidates
        .into_iter()
        .find(|m| m["id"] == json!(id))
        .unwrap_or_else(|| panic!("no message with id {id} in {body}"))
}

/// One MCP client session on one endpoint.
struct Session {
    url: String,
    id: String,
    headers: Vec<(String, String)>,
    next: u64,
}

impl Session {
    fn open(url: &str, headers: &[(&str, &str)]) -> Session {
        let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "triagebench-test", "version": "1"}}});
        let r = post(url, None, headers, &init.to_string());
        assert_eq!(r.status, 200, "{}", r.body);
        let m = message(&r.body, 0);
        assert_eq!(m["result"]["serverInfo"]["name"], "triagebench", "{m}");
        let id = r.session.expect("a session id");
        let done = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let r = post(url, Some(&id), headers, &done.to_string());
        assert_eq!(r.status, 202, "{}", r.body);
        Session {
            url: url.to_owned(),
            id,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            next: 1,
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = post(&self.url, Some(&self.id), &headers, &body.to_string());
        assert_eq!(r.status, 200, "{}", r.body);
        message(&r.body, id)
    }

    /// A tool call's result object (panics on a JSON-RPC error).
    fn call(&mut self, tool: &str, args: Value) -> Value {
        let m = self.request("tools/call", json!({"name": tool, "arguments": args}));
        assert!(m.get("error").is_none(), "{tool}: {m}");
        m["result"].clone()
    }

    /// A tool call's text parsed as JSON (panics on an error result).
    fn json(&mut self, tool: &str, args: Value) -> Value {
        let r = self.call(tool, args.clone());
        assert_ne!(r["isError"], json!(true), "{tool} {args}: {r}");
        serde_json::from_str(text(&r)).unwrap_or_else(|e| panic!("{tool}: {e}: {r}"))
    }
}

fn text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or("")
}

fn endpoint(server: &Server, id: &str) -> String {
    format!("{}/s/{id}/mcp", server.url())
}

fn file(scenario: &str, name: &str) -> Value {
    let path = fixtures().join(scenario).join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Every golden scenario's directory and case id.
fn scenarios() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .map(|d| (d.clone(), case_id(&d)))
        .collect();
    out.sort();
    out
}

/// The calls that reproduce a scenario's `opensre` files: what its files say was asked.
fn default_calls(dir: &str) -> Vec<(&'static str, &'static str, Value)> {
    let pods = file(dir, "eks_pods.json");
    let (cluster, ns) = (pods["cluster_name"].clone(), pods["namespace"].clone());
    let logs = file(dir, "eks_pod_logs.json");
    let dd = file(dir, "datadog_logs.json");
    let monitors = file(dir, "datadog_monitors.json");
    let mut mon_args = json!({});
    if let Some(q) = monitors["query_filter"].as_str() {
        mon_args["query"] = json!(q);
    }
    vec![
        (
            "list_eks_pods",
            "eks_pods.json",
            json!({"cluster_name": cluster, "namespace": ns, "role_arn": ""}),
        ),
        (
            "get_eks_events",
            "eks_events.json",
            json!({"cluster_name": cluster, "namespace": ns, "role_arn": ""}),
        ),
        (
            "list_eks_deployments",
            "eks_deployments.json",
            json!({"cluster_name": cluster, "namespace": ns}),
        ),
        (
            "get_eks_node_health",
            "eks_node_health.json",
            json!({"cluster_name": cluster}),
        ),
        (
            "get_eks_pod_logs",
            "eks_pod_logs.json",
            json!({"cluster_name": cluster, "namespace": logs["namespace"], "pod_name": logs["pod_name"]}),
        ),
        (
            "query_datadog_logs",
            "datadog_logs.json",
            json!({"query": dd["query"]}),
        ),
        ("query_datadog_monitors", "datadog_monitors.json", mon_args),
    ]
}

#[test]
fn the_tool_list_has_opensres_seven_tools_with_their_schemas_and_the_generic_ones() {
    let server = serve(golden(NOW), None);
    let (_, id) = &scenarios()[0];
    let mut s = Session::open(&endpoint(&server, id), &[]);
    let m = s.request("tools/list", json!({}));
    let tools = m["result"]["tools"].as_array().expect("tools");
    let by_name: BTreeMap<&str, &Value> = tools
        .iter()
        .map(|t| (t["name"].as_str().unwrap(), t))
        .collect();
    assert_eq!(
        tools
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        server::tools::TOOL_NAMES
    );
    let props = |name: &str| -> Vec<String> {
        let mut p: Vec<String> = by_name[name]["inputSchema"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        p.sort();
        p
    };
    let required = |name: &str| by_name[name]["inputSchema"]["required"].clone();
    // OpenSRE's own schemas (app/tools/EKS*/__init__.py, DataDog*/__init__.py).
    for t in ["list_eks_pods", "get_eks_events", "list_eks_deployments"] {
        assert_eq!(
            props(t),
            [
                "cluster_name",
                "external_id",
                "namespace",
                "region",
                "role_arn"
            ]
        );
        assert_eq!(
            required(t),
            json!(["cluster_name", "namespace", "role_arn"])
        );
    }
    assert_eq!(
        props("get_eks_node_health"),
        ["cluster_name", "external_id", "region", "role_arn"]
    );
    assert_eq!(
        props("get_eks_pod_logs"),
        [
            "cluster_name",
            "external_id",
            "namespace",
            "pod_name",
            "region",
            "role_arn",
            "tail_lines"
        ]
    );
    assert_eq!(
        required("get_eks_pod_logs"),
        json!(["cluster_name", "namespace", "pod_name", "role_arn"])
    );
    assert_eq!(
        by_name["get_eks_pod_logs"]["inputSchema"]["properties"]["tail_lines"],
        json!({"type": "integer", "default": 100})
    );
    assert_eq!(
        props("query_datadog_logs"),
        [
            "api_key",
            "app_key",
            "limit",
            "query",
            "site",
            "time_range_minutes"
        ]
    );
    assert_eq!(required("query_datadog_logs"), json!(["query"]));
    assert_eq!(
        props("query_datadog_monitors"),
        ["api_key", "app_key", "query", "site"]
    );
    assert_eq!(required("query_datadog_monitors"), json!([]));
    // The EKS MCP server's parameter names.
    assert_eq!(
        props("list_k8s_resources"),
        [
            "api_version",
            "cluster_name",
            "field_selector",
            "kind",
            "label_selector",
            "namespace"
        ]
    );
    assert_eq!(
        props("read_k8s_resource"),
        ["api_version", "cluster_name", "kind", "name", "namespace"]
    );
    assert_eq!(
        props("get_k8s_events"),
        ["cluster_name", "kind", "name", "namespace"]
    );
    assert_eq!(
        props("get_pod_logs"),
        [
            "cluster_name",
            "container_name",
            "limit_bytes",
            "namespace",
            "pod_name",
            "previous",
            "since_seconds",
            "tail_lines"
        ]
    );
    assert!(
        server.recorder().calls(id).is_empty(),
        "initialize and tools/list are not recorded"
    );
}

#[test]
fn opensre_tools_answer_the_scenarios_evidence_files() {
    // Anchored at each scenario's own snapshot, nothing moves: every answer is the file.
    let snapshots: Vec<(String, String, i64)> = {
        let store = golden(NOW);
        scenarios()
            .into_iter()
            .map(|(dir, id)| {
                let snap = store.get(&id).unwrap().snapshot;
                (dir, id, snap)
            })
            .collect()
    };
    for (dir, id, snapshot) in &snapshots {
        let server = serve(golden(*snapshot), None);
        let mut s = Session::open(&endpoint(&server, id), &[]);
        for (tool, name, args) in default_calls(dir) {
            let got = s.json(tool, args);
            assert_eq!(got, file(dir, name), "{dir} {tool}");
        }
        let calls = server.recorder().calls(id);
        assert_eq!(calls.len(), 7);
        assert!(calls.iter().all(|c| c.status == 200 && c.verb == "tool"));
    }
}

/// Python's `str(datetime)` moved by `shift` seconds.
fn py_shift(s: &str, shift: i64) -> String {
    let t = unix_seconds(&s[..19]).expect("a datetime");
    let u = Utc::from_unix(t + shift);
    format!("{} {}{}", u.date(), u.time(), &s[19..])
}

#[test]
fn answers_are_shifted_like_the_kubernetes_api() {
    let (dir, id) = scenarios()[2].clone();
    let server = serve(golden(NOW), None);
    let shift = NOW - golden(NOW).get(&id).unwrap().snapshot;
    assert_ne!(shift, 0);
    let mut s = Session::open(&endpoint(&server, &id), &[]);
    let calls = default_calls(&dir);
    let pods = s.json(calls[0].0, calls[0].2.clone());
    let want = file(&dir, "eks_pods.json");
    for (p, w) in pods["pods"]
        .as_array()
        .unwrap()
        .iter()
        .zip(want["pods"].as_array().unwrap())
    {
        assert_eq!(
            p["start_time"],
            json!(py_shift(w["start_time"].as_str().unwrap(), shift))
        );
    }
    // The same instant as the Kubernetes API's startTime of the pod.
    let ns = want["namespace"].as_str().unwrap();
    let name = want["pods"][0]["name"].as_str().unwrap();
    let api: Value = agent()
        .get(format!(
            "{}/s/{id}/api/v1/namespaces/{ns}/pods/{name}",
            server.url()
        ))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    let start = api["status"]["startTime"].as_str().unwrap();
    assert_eq!(
        pods["pods"][0]["start_time"],
        json!(format!("{} {}+00:00", &start[..10], &start[11..19]))
    );
    let events = s.json(calls[1].0, calls[1].2.clone());
    let want = file(&dir, "eks_events.json");
    for (e, w) in events["warning_events"]
        .as_array()
        .unwrap()
        .iter()
        .zip(want["warning_events"].as_array().unwrap())
    {
        if let Some(t) = w["last_time"].as_str().filter(|t| *t != "None") {
            assert_eq!(e["last_time"], json!(py_shift(t, shift)));
        }
    }
    let logs = s.json(calls[5].0, calls[5].2.clone());
    let want = file(&dir, "datadog_logs.json");
    let (got, want) = (
        logs["logs"][0]["timestamp"].as_str().unwrap(),
        want["logs"][0]["timestamp"].as_str().unwrap(),
    );
    assert_eq!(
        unix_seconds(got).unwrap() - unix_seconds(want).unwrap(),
        shift,
        "{got} vs {want}"
    );
}

#[test]
fn arguments_are_honoured_where_the_real_tools_honour_them() {
    let (dir, id) = scenarios()[2].clone();
    let server = serve(golden(NOW), None);
    let mut s = Session::open(&endpoint(&server, &id), &[]);
    let calls = default_calls(&dir);
    let cluster = calls[0].2["cluster_name"].clone();
    let all = s.json(
        "list_eks_pods",
        json!({"cluster_name": cluster, "namespace": "all"}),
    );
    let one = s.json("list_eks_pods", calls[0].2.clone());
    assert_eq!(all["namespace"], "all");
    assert!(all["total_pods"].as_u64() >= one["total_pods"].as_u64());
    let none = s.json(
        "list_eks_pods",
        json!({"cluster_name": cluster, "namespace": "no-such-ns"}),
    );
    assert_eq!(none["total_pods"], 0);
    let other = s.json(
        "list_eks_pods",
        json!({"cluster_name": "other-cluster", "namespace": "x"}),
    );
    assert_eq!(other["available"], false);
    assert!(
        other["error"]
            .as_str()
            .unwrap()
            .contains("No cluster found for name: other-cluster")
    );
    let tail = s.json("get_eks_pod_logs", {
        let mut a = calls[4].2.clone();
        a["tail_lines"] = json!(2);
        a
    });
    assert!(tail["logs"].as_str().unwrap().lines().count() <= 2);
    let missing = s.json(
        "get_eks_pod_logs",
        json!({"namespace": calls[4].2["namespace"], "pod_name": "no-such-pod"}),
    );
    assert_eq!(missing["available"], false);
    assert!(
        missing["error"].as_str().unwrap().starts_with("(404)"),
        "{missing}"
    );
    let dd = s.json("query_datadog_logs", json!({"query": "status:error"}));
    assert!(
        dd["logs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["status"] == "error"),
        "{dd}"
    );
    assert_eq!(dd["query"], "status:error");
    let dd = s.json(
        "query_datadog_logs",
        json!({"query": "kube_namespace:no-such-ns"}),
    );
    assert_eq!(dd["total"], 0);
    let mons = s.json(
        "query_datadog_monitors",
        json!({"query": "tag:no-such-tag"}),
    );
    assert_eq!(mons["total"], 0);
    let calls = server.recorder().calls(&id);
    let statuses: Vec<u16> = calls.iter().map(|c| c.status).collect();
    assert_eq!(statuses, [200, 200, 200, 404, 200, 404, 200, 200, 200]);
}

#[test]
fn sources_the_scenario_lacks_answer_the_tools_unavailable_envelopes() {
    let raw = RawEvidence {
        pods: Some(ApiAnswer::Failed(Box::new(
            k8s_openapi::apimachinery::pkg::apis::meta::v1::Status {
                code: Some(500),
                status: Some("Failure".into()),
                reason: Some("InternalError".into()),
                message: Some("etcdserver: request timed out".into()),
                ..Default::default()
            },
        ))),
        ..RawEvidence::default()
    };
    let store = Store::from_clusters([Cluster::build("c1", "default", &raw, NOW)]);
    let server = serve(store, None);
    let mut s = Session::open(&endpoint(&server, "c1"), &[]);
    let pods = s.json("list_eks_pods", json!({"namespace": "default"}));
    assert_eq!(
        (pods["source"].as_str(), pods["available"].as_bool()),
        (Some("eks"), Some(false))
    );
    assert!(
        pods["error"]
            .as_str()
            .unwrap()
            .starts_with("(500)\nReason: Internal Server Error"),
        "{pods}"
    );
    for tool in [
        "get_eks_events",
        "list_eks_deployments",
        "get_eks_node_health",
    ] {
        let v = s.json(tool, json!({"namespace": "default"}));
        assert_eq!(v["available"], false, "{tool}");
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .starts_with("(403)\nReason: Forbidden"),
            "{tool}: {v}"
        );
    }
    let logs = s.json(
        "get_eks_pod_logs",
        json!({"namespace": "default", "pod_name": "x"}),
    );
    assert_eq!(logs["available"], false);
    assert!(
        logs["error"].as_str().unwrap().contains("pods/log"),
        "{logs}"
    );
    let dd = s.json("query_datadog_logs", json!({"query": "*"}));
    assert_eq!(
        dd,
        json!({"source": "datadog_logs", "available": false, "error": "Datadog integration not configured", "logs": []})
    );
    let mons = s.json("query_datadog_monitors", json!({}));
    assert_eq!(
        mons,
        json!({"source": "datadog_monitors", "available": false, "error": "Datadog integration not configured", "monitors": []})
    );
    // The generic tools answer the API's refusal as a tool error.
    let r = s.call(
        "list_k8s_resources",
        json!({"kind": "Node", "api_version": "v1"}),
    );
    assert_eq!(r["isError"], true);
    assert!(text(&r).contains("forbidden"), "{r}");
    let last = server.recorder().calls("c1").pop().unwrap();
    assert_eq!(last.status, 403);
}

#[test]
fn the_generic_tools_answer_through_the_kubernetes_api() {
    let (_, id) = scenarios()[2].clone();
    let server = serve(golden(NOW), None);
    let mut s = Session::open(&endpoint(&server, &id), &[]);
    // The crash-looping pod of the segfault scenario (see server/tests/api.rs).
    let (ns, pod) = ("reporting", "shipment-consumer-wmzh8ml2vj-l4n2l");
    let list = s.json(
        "list_k8s_resources",
        json!({"kind": "Pod", "api_version": "v1", "namespace": ns, "field_selector": format!("metadata.name={pod}")}),
    );
    assert_eq!(list["count"], 1, "{list}");
    assert_eq!(list["items"][0]["name"], pod);
    let all = s.json(
        "list_k8s_resources",
        json!({"kind": "Pod", "api_version": "v1"}),
    );
    let api: Value = agent()
        .get(format!("{}/s/{id}/api/v1/pods", server.url()))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert_eq!(
        all["count"].as_u64().unwrap(),
        api["items"].as_array().unwrap().len() as u64
    );
    let read = s.json(
        "read_k8s_resource",
        json!({"kind": "Pod", "api_version": "v1", "name": pod, "namespace": ns}),
    );
    assert_eq!(read["resource"]["metadata"]["name"], pod);
    assert!(
        read["resource"]["status"]["containerStatuses"][0]["restartCount"]
            .as_u64()
            .unwrap()
            > 0
    );
    let events = s.json(
        "get_k8s_events",
        json!({"kind": "Pod", "name": pod, "namespace": ns}),
    );
    assert!(events["count"].as_u64().unwrap() > 0, "{events}");
    assert!(
        events["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["reason"] == "BackOff"),
        "{events}"
    );
    let logs = s.json(
        "get_pod_logs",
        json!({"namespace": ns, "pod_name": pod, "previous": true, "tail_lines": 5}),
    );
    let lines = logs["log_lines"].as_array().unwrap();
    assert!(!lines.is_empty() && lines.len() <= 6, "{logs}");
    let r = s.call(
        "read_k8s_resource",
        json!({"kind": "Pod", "api_version": "v1", "name": "nope", "namespace": ns}),
    );
    assert_eq!(r["isError"], true);
    let r = s.call(
        "list_k8s_resources",
        json!({"kind": "Service", "api_version": "v1"}),
    );
    assert_eq!(r["isError"], true);
    let statuses: Vec<u16> = server
        .recorder()
        .calls(&id)
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 200, 404, 404]);
}

#[test]
fn every_call_is_recorded_and_the_budget_answers_a_tool_error() {
    let (dir, id) = scenarios()[1].clone();
    let server = serve(golden(NOW), Some(4));
    let mut s = Session::open(&endpoint(&server, &id), &[]);
    let calls = default_calls(&dir);
    let ns = calls[0].2["namespace"].as_str().unwrap().to_owned();
    let ok = s.call("list_eks_pods", json!({"namespace": ns}));
    let bad = s.call("list_eks_pods", json!({"namespace": 5}));
    assert_eq!(bad["isError"], true);
    assert!(text(&bad).contains("namespace: expected a string"), "{bad}");
    let traversal = s.call(
        "get_eks_pod_logs",
        json!({"namespace": ns, "pod_name": "../../etc/passwd"}),
    );
    assert_eq!(traversal["isError"], true);
    assert!(text(&traversal).contains("invalid name"), "{traversal}");
    let unknown = s.request("tools/call", json!({"name": "delete_pod", "arguments": {}}));
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    let spent = s.call("get_eks_events", json!({}));
    assert_eq!(spent["isError"], true);
    assert!(text(&spent).contains("call budget"), "{spent}");
    let rec = server.recorder().calls(&id);
    let got: Vec<(u64, &str, &str, &str, u16)> = rec
        .iter()
        .map(|c| {
            (
                c.seq,
                c.verb.as_str(),
                c.resource.as_str(),
                c.namespace.as_str(),
                c.status,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (0, "tool", "list_eks_pods", ns.as_str(), 200),
            (1, "tool", "list_eks_pods", "", 400),
            (2, "tool", "get_eks_pod_logs", ns.as_str(), 400),
            (3, "tool", "delete_pod", "", 404),
            (4, "tool", "get_eks_events", "", 429),
        ]
    );
    assert_eq!(rec[0].args, format!("{{\"namespace\":\"{ns}\"}}"));
    assert_eq!(rec[0].bytes, text(&ok).len() as u64);
    assert_eq!(rec[2].name, "../../etc/passwd");
    assert_eq!(server.recorder().refused(&id), 1);
}

fn snapshot_of(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            snapshot_of(&p, out);
        } else {
            out.insert(p.clone(), std::fs::read(&p).unwrap());
        }
    }
}

#[test]
fn faults_get_json_rpc_errors_and_the_server_keeps_serving() {
    let mut before = BTreeMap::new();
    snapshot_of(&fixtures(), &mut before);
    let (_, id) = scenarios()[0].clone();
    let server = serve(golden(NOW), None);
    let url = endpoint(&server, &id);
    let mut s = Session::open(&url, &[]);
    let r = post(
        &url,
        Some(&s.id),
        &[],
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":",
    );
    assert_eq!(r.status, 400);
    let m: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(m["error"]["code"], -32700, "{m}");
    let r = post(&url, Some(&s.id), &[], "{\"hello\": 1}");
    assert_eq!(
        serde_json::from_str::<Value>(&r.body).unwrap()["error"]["code"],
        -32600
    );
    let r = post(&url, Some(&s.id), &[], "[]");
    assert_eq!(
        serde_json::from_str::<Value>(&r.body).unwrap()["error"]["code"],
        -32600
    );
    // Still serving, on the same session.
    assert_eq!(s.json("list_eks_pods", json!({}))["available"], true);
    // Unknown scenarios: 404, by path and by token.
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
    .to_string();
    let r = post(
        &format!("{}/s/cffffffffffffffff/mcp", server.url()),
        None,
        &[],
        &init,
    );
    assert_eq!(r.status, 404);
    assert_eq!(
        serde_json::from_str::<Value>(&r.body).unwrap()["kind"],
        "Status"
    );
    let r = post(
        &format!("{}/mcp", server.url()),
        None,
        &[("authorization", "Bearer nope")],
        &init,
    );
    assert_eq!(r.status, 404);
    let r = post(&format!("{}/mcp", server.url()), None, &[], &init);
    assert_eq!(r.status, 404);
    // The bearer token names the scenario at /mcp.
    let bearer = format!("Bearer {id}");
    let mut t = Session::open(
        &format!("{}/mcp", server.url()),
        &[("authorization", &bearer)],
    );
    assert_eq!(t.json("get_eks_node_health", json!({}))["available"], true);
    // A session belongs to its scenario's endpoint.
    let (_, other) = scenarios()[1].clone();
    let r = post(
        &endpoint(&server, &other),
        Some(&s.id),
        &[],
        &json!({"jsonrpc": "2.0", "id": 9, "method": "tools/list"}).to_string(),
    );
    assert_ne!(r.status, 200, "{}", r.body);
    // Ending a session: 204, and the session is gone.
    let ended = agent()
        .run(
            ureq::http::Request::builder()
                .method("DELETE")
                .uri(&url)
                .header("mcp-session-id", &s.id)
                .body(())
                .unwrap(),
        )
        .unwrap();
    assert_eq!(ended.status().as_u16(), 204);
    let r = post(
        &url,
        Some(&s.id),
        &[],
        &json!({"jsonrpc": "2.0", "id": 10, "method": "tools/list"}).to_string(),
    );
    assert_ne!(r.status, 200, "an ended session: {}", r.body);
    // Many sessions at once, on different scenarios.
    let handles: Vec<_> = scenarios()
        .into_iter()
        .map(|(_, id)| {
            let url = endpoint(&server, &id);
            std::thread::spawn(move || {
                let mut s = Session::open(&url, &[]);
                (0..5)
                    .map(|_| {
                        s.json("list_eks_pods", json!({}))["total_pods"]
                            .as_u64()
                            .unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for h in handles {
        let totals = h.join().unwrap();
        assert!(totals.windows(2).all(|w| w[0] == w[1]));
    }
    drop(server);
    let mut after = BTreeMap::new();
    snapshot_of(&fixtures(), &mut after);
    assert!(before == after, "the corpus changed");
}

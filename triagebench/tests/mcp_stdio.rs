//! `triagebench serve --stdio --scenario <case-id>`: one scenario's MCP tools over stdin and
//! stdout through the built binary (nothing but JSON-RPC on stdout; the session ends when
//! stdin closes), its bad input, and `--url-file` of the HTTP server.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/scenarios")
}

fn tb() -> Command {
    Command::new(env!("CARGO_BIN_EXE_triagebench"))
}

#[test]
fn stdio_serves_one_scenarios_tools_and_only_json_rpc_on_stdout() {
    let id = scenario::case_id("00002");
    let corpus = fixtures();
    let mut child = tb()
        .args(["serve", "--corpus"])
        .arg(&corpus)
        .args(["--stdio", "--scenario", &id, "--budget", "2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("triagebench starts");
    let mut stdin = child.stdin.take().unwrap();
    let messages = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "list_eks_pods", "arguments": {"namespace": "reporting"}}}),
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {
            "name": "get_eks_pod_logs", "arguments": {"namespace": "reporting",
            "pod_name": "shipment-consumer-wmzh8ml2vj-l4n2l"}}}),
        json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {
            "name": "get_eks_events", "arguments": {}}}),
    ];
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut answers = Vec::new();
    for m in &messages {
        writeln!(stdin, "{m}").unwrap();
        stdin.flush().unwrap();
        if m.get("id").is_some() {
            // Each request is answered before the next is sent: the budget order is fixed.
            let mut line = String::new();
            out.read_line(&mut line).unwrap();
            let v: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
            answers.push(v);
        }
    }
    drop(stdin);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "exit {status:?}");
    assert!(rest.trim().is_empty(), "more on stdout: {rest}");
    assert_eq!(
        answers.iter().map(|a| a["id"].clone()).collect::<Vec<_>>(),
        [json!(1), json!(2), json!(3), json!(4), json!(5)]
    );
    assert_eq!(answers[0]["result"]["serverInfo"]["name"], "triagebench");
    assert_eq!(answers[1]["result"]["tools"].as_array().unwrap().len(), 11);
    let pods: Value =
        serde_json::from_str(answers[2]["result"]["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(pods["source"], "eks");
    assert_eq!(pods["namespace"], "reporting");
    let logs: Value =
        serde_json::from_str(answers[3]["result"]["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(logs["pod_name"], "shipment-consumer-wmzh8ml2vj-l4n2l");
    assert_eq!(
        answers[4]["result"]["isError"], true,
        "the budget of 2 is spent"
    );
}

#[test]
fn stdio_bad_input_and_the_url_file() {
    let corpus = fixtures();
    let out = tb()
        .args(["serve", "--corpus"])
        .arg(&corpus)
        .args(["--stdio", "--scenario", "cffffffffffffffff"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cffffffffffffffff is not a scenario"));
    let out = tb()
        .args(["serve", "--corpus"])
        .arg(&corpus)
        .arg("--stdio")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--stdio needs --scenario");
    // --url-file: the base URL of the port `:0` picked, written once the server listens.
    let dir = tempfile::tempdir().unwrap();
    let url_file = dir.path().join("url");
    let mut child = tb()
        .args(["serve", "--corpus"])
        .arg(&corpus)
        .args(["--bind", "127.0.0.1:0", "--url-file"])
        .arg(&url_file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut url = String::new();
    for _ in 0..600 {
        if let Ok(t) = std::fs::read_to_string(&url_file)
            && t.ends_with('\n')
        {
            url = t.trim().to_owned();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(url.starts_with("http://127.0.0.1:"), "{url:?}");
    assert!(!url.ends_with(":0"));
    let out = tb()
        .args(["serve", "--corpus"])
        .arg(&corpus)
        .args(["--bind", "127.0.0.1:0", "--url-file"])
        .arg(&url_file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "an existing --url-file without --force"
    );
}

//! `triagebench serve` from the command line: it serves and writes its kubeconfig; a port in
//! use is exit 4, a corpus that does not load or a bad address exit 2, an existing kubeconfig
//! exit 3 (nothing served, nothing written).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn tb(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_triagebench"))
        .args(args)
        .output()
        .expect("triagebench runs")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/scenarios")
}

fn code(out: &std::process::Output) -> i32 {
    out.status.code().expect("an exit code")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_port_in_use_is_exit_4() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = tb(&[
        "serve",
        "--corpus",
        fixtures().to_str().unwrap(),
        "--bind",
        &addr,
    ]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("cannot listen on {addr}")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_input_is_exit_2_and_an_existing_kubeconfig_exit_3() {
    let corpus = fixtures();
    let corpus = corpus.to_str().unwrap();
    let out = tb(&["serve", "--corpus", corpus, "--bind", "localhost"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--bind"), "{}", stderr(&out));
    let out = tb(&["serve", "--corpus", corpus, "--budget", "2000000"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // The canonical suite has no k8s-api files: every missing one is listed.
    let canonical = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/canonical");
    let out = tb(&[
        "serve",
        "--corpus",
        canonical.to_str().unwrap(),
        "--bind",
        "127.0.0.1:0",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("k8s-api/pods.json: missing"),
        "{}",
        stderr(&out)
    );
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(&kc, "mine").unwrap();
    let out = tb(&[
        "serve",
        "--corpus",
        corpus,
        "--bind",
        "127.0.0.1:0",
        "--kubeconfig",
        kc.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&kc).unwrap(), "mine");
}

#[test]
fn serve_answers_kubectl_shaped_requests_and_writes_the_kubeconfig() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(&kc, "old").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_triagebench"))
        .args([
            "serve",
            "--corpus",
            fixtures().to_str().unwrap(),
            "--bind",
            "127.0.0.1:0",
            "--force",
        ])
        .arg("--kubeconfig")
        .arg(&kc)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches("/s/<case-id>")
        .to_owned();
    assert!(
        first.starts_with("serving 4 scenarios at http://127.0.0.1:"),
        "{first}"
    );
    let text = std::fs::read_to_string(&kc).unwrap();
    let id = scenario::case_id("00002");
    assert!(
        text.contains(&format!("server: \"{url}/s/{id}\"")),
        "{text}"
    );
    // One plain HTTP/1.1 request, as kubectl would send it.
    let host = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET /s/{id}/api/v1/namespaces/reporting/pods/shipment-consumer-wmzh8ml2vj-l4n2l HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"restartCount\":5"), "{response}");
}

//! The `http://` classifier against a tiny loopback server scripted per test: retries on 503,
//! `Retry-After` on 429, garbage, a slow answer past the timeout, client errors, refused
//! connections.

mod common;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use adapters::{Options, SpecError, from_spec};
use common::cases;

/// What the server does with one request.
#[derive(Clone, Debug)]
enum Reply {
    /// 200 with a valid prediction for the case's id (and its trial in the explanation).
    Answer,
    /// This status with a short body and optional Retry-After seconds.
    Status(u16, Option<u64>),
    /// 200 with a body that is not JSON.
    Garbage,
    /// 200 with an unknown label.
    BadLabel,
    /// Waits, then answers.
    Slow(Duration),
    /// 200 with a body of this many bytes (over the client's body limit when large).
    Huge(usize),
}

struct Server {
    url: String,
    hits: Arc<AtomicUsize>,
}

/// Serves the scripted replies in order, then `Answer` for ever.
fn serve(script: &[Reply]) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/classify", listener.local_addr().unwrap());
    let script = Arc::new(Mutex::new(script.iter().cloned().collect::<VecDeque<_>>()));
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let reply = script.lock().unwrap().pop_front().unwrap_or(Reply::Answer);
            counter.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || handle(stream, reply));
        }
    });
    Server { url, hits }
}

fn handle(stream: TcpStream, reply: Reply) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let case: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let answer = || {
        serde_json::json!({
            "id": case["id"],
            "failure_mode": "healthy",
            "explanation": format!("{} trial {}", case["id"].as_str().unwrap(), case["trial"]),
        })
        .to_string()
    };
    let (status, extra, text) = match reply {
        Reply::Answer => (200, String::new(), answer()),
        Reply::Status(code, retry_after) => (
            code,
            retry_after
                .map(|s| format!("Retry-After: {s}\r\n"))
                .unwrap_or_default(),
            "busy".to_owned(),
        ),
        Reply::Garbage => (200, String::new(), "<html>oops</html>".to_owned()),
        Reply::BadLabel => (
            200,
            String::new(),
            r#"{"failure_mode":"oomkilled"}"#.to_owned(),
        ),
        Reply::Slow(d) => {
            std::thread::sleep(d);
            (200, String::new(), answer())
        }
        Reply::Huge(n) => (200, String::new(), " ".repeat(n)),
    };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{text}",
        text.len()
    );
}

fn opts(timeout_ms: u64, retries: u32) -> Options {
    Options {
        workers: 2,
        timeout: Duration::from_millis(timeout_ms),
        retries,
    }
}

fn classify(server: &Server, o: &Options) -> Result<scenario::Prediction, classifier::CallError> {
    let c = from_spec(&server.url, o).unwrap();
    c.classify(&cases(1)[0], 1)
}

#[test]
fn answer_comes_back_with_trial_sent() {
    let s = serve(&[]);
    let p = classify(&s, &opts(10_000, 0)).unwrap();
    assert_eq!(p.explanation, "case-0 trial 1");
}

#[test]
fn retries_after_503_then_succeeds() {
    let s = serve(&[Reply::Status(503, None), Reply::Status(502, None)]);
    let p = classify(&s, &opts(10_000, 3)).unwrap();
    assert_eq!(p.explanation, "case-0 trial 1");
    assert_eq!(s.hits.load(Ordering::SeqCst), 3);
}

#[test]
fn honours_a_small_retry_after_on_429() {
    let s = serve(&[Reply::Status(429, Some(1))]);
    let started = Instant::now();
    classify(&s, &opts(10_000, 2)).unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(s.hits.load(Ordering::SeqCst), 2);
}

#[test]
fn refuses_to_wait_for_a_long_retry_after() {
    let s = serve(&[Reply::Status(429, Some(120))]);
    let e = classify(&s, &opts(10_000, 2)).unwrap_err();
    assert!(
        e.reason.starts_with("HTTP 429 from endpoint: busy"),
        "{}",
        e.reason
    );
    assert!(
        e.reason
            .ends_with("(Retry-After 120s is longer than the 10s we wait)"),
        "{}",
        e.reason
    );
}

#[test]
fn gives_up_after_the_retries() {
    let s = serve(&[
        Reply::Status(503, None),
        Reply::Status(503, None),
        Reply::Status(503, None),
    ]);
    let e = classify(&s, &opts(10_000, 2)).unwrap_err();
    assert_eq!(
        e.reason,
        "HTTP 503 from endpoint: busy (gave up after 3 attempts)"
    );
    assert_eq!(s.hits.load(Ordering::SeqCst), 3);
}

#[test]
fn client_errors_are_not_retried() {
    let s = serve(&[Reply::Status(400, None)]);
    let e = classify(&s, &opts(10_000, 3)).unwrap_err();
    assert_eq!(e.reason, "HTTP 400 from endpoint: busy");
    assert_eq!(s.hits.load(Ordering::SeqCst), 1);
}

#[test]
fn a_body_over_the_limit_is_not_retried() {
    // Issue 14 item 14: the same answer cannot fit on a second try, so it is a
    // deterministic failure, not a transient one.
    let s = serve(&[Reply::Huge(11 * 1024 * 1024), Reply::Huge(11 * 1024 * 1024)]);
    let e = classify(&s, &opts(10_000, 3)).unwrap_err();
    assert!(e.reason.contains("over the"), "{}", e.reason);
    assert!(!e.reason.contains("gave up after"), "{}", e.reason);
    assert_eq!(s.hits.load(Ordering::SeqCst), 1);
}

#[test]
fn garbage_and_unknown_labels_are_errors() {
    let s = serve(&[Reply::Garbage, Reply::BadLabel]);
    let e = classify(&s, &opts(10_000, 3)).unwrap_err();
    assert!(
        e.reason.starts_with("invalid JSON from endpoint: "),
        "{}",
        e.reason
    );
    let e = classify(&s, &opts(10_000, 3)).unwrap_err();
    assert_eq!(e.reason, "unknown failure_mode \"oomkilled\"");
}

#[test]
fn slow_answer_past_the_timeout_is_a_timeout() {
    // The answer would come after 30 s: only the timeout can end the call, however busy the
    // machine is (a timed-out attempt is not retried, or the next reply would answer).
    let s = serve(&[Reply::Slow(Duration::from_secs(30))]);
    let started = Instant::now();
    let e = classify(&s, &opts(300, 3)).unwrap_err();
    assert_eq!(e.reason, "timeout after 300ms");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn refused_connection_is_retried_then_reported() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = from_spec(&format!("http://127.0.0.1:{port}/classify"), &opts(1000, 1)).unwrap();
    let e = c.classify(&cases(1)[0], 0).unwrap_err();
    assert!(e.reason.starts_with("connection failed: "), "{}", e.reason);
    assert!(
        e.reason.ends_with("(gave up after 2 attempts)"),
        "{}",
        e.reason
    );
}

#[test]
fn bad_specs_are_refused_up_front() {
    let o = opts(1000, 0);
    assert!(matches!(
        from_spec("https://127.0.0.1:1/x", &o),
        Err(SpecError::Https(_))
    ));
    assert!(matches!(
        from_spec("http://", &o),
        Err(SpecError::BadUrl { .. })
    ));
    let c = from_spec("http://127.0.0.1:9/classify", &o).unwrap();
    assert_eq!(c.concurrency(), Some(2));
    assert_eq!(c.name(), "http://127.0.0.1:9/classify");
}

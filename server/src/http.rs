//! The HTTP side: [`Server::start`] binds the address first (so a port in use is an error the
//! caller sees at once), then serves [`crate::api::handle`] with axum on a tokio runtime of its
//! own, on a background thread; [`kubeconfig`] writes one kubeconfig context per scenario.
//! The same server answers MCP (streamable HTTP, [`crate::mcp`]) at `/s/<case-id>/mcp` and at
//! `/mcp` with the case id as bearer token.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header;

use crate::api::{self, Request};
use crate::mcp::{self, Endpoint};
use crate::record::Recorder;
use crate::store::{Cluster, Store};

/// Where "now" comes from for Table ages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// The wall clock (what a real API server uses; kubectl's own ages agree with it).
    System,
    /// A fixed instant (Unix seconds), for tests that check ages exactly.
    Fixed(i64),
}

impl Clock {
    /// The current instant, in Unix seconds.
    pub fn now(self) -> i64 {
        match self {
            Clock::Fixed(t) => t,
            Clock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        }
    }
}

/// How to serve.
#[derive(Clone, Copy, Debug)]
pub struct ServeOptions {
    /// The address to listen on (port 0: any free port).
    pub bind: SocketAddr,
    /// Calls per scenario before 429 (`None`: no limit).
    pub budget: Option<u64>,
    /// The clock of Table ages.
    pub clock: Clock,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be bound (in use, not local, no permission).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The async runtime could not be built.
    #[error("cannot start the HTTP runtime: {0}")]
    Runtime(std::io::Error),
}

struct Shared {
    store: Arc<Store>,
    recorder: Arc<Recorder>,
    clock: Clock,
    mcp: HashMap<String, Endpoint>,
}

/// A running server; dropping it stops it.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    recorder: Arc<Recorder>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("scenarios", &self.store.len())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Binds `options.bind` and serves `store` on a background thread.
    pub fn start(store: Store, options: ServeOptions) -> Result<Server, ServeError> {
        let bind_err = |source| ServeError::Bind {
            addr: options.bind,
            source,
        };
        let listener = TcpListener::bind(options.bind).map_err(bind_err)?;
        listener.set_nonblocking(true).map_err(bind_err)?;
        let addr = listener.local_addr().map_err(bind_err)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_io()
            // MCP sessions keep time (keep-alive pings, idle session expiry).
            .enable_time()
            .build()
            .map_err(ServeError::Runtime)?;
        let recorder = Arc::new(Recorder::new(options.budget));
        let store = Arc::new(store);
        // Ends every MCP session (and so its open event streams) when the server stops.
        let cancel = tokio_util::sync::CancellationToken::new();
        let endpoints = mcp::endpoints(
            &store,
            &recorder,
            options.clock,
            &cancel,
            !options.bind.ip().is_loopback(),
        );
        let shared = Arc::new(Shared {
            store,
            recorder: Arc::clone(&recorder),
            clock: options.clock,
            mcp: endpoints,
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = axum::Router::new()
            .route("/s/{id}/mcp", axum::routing::any(mcp_by_path))
            .route("/mcp", axum::routing::any(mcp_by_token))
            .fallback(answer)
            .with_state(shared);
        // Registering the listener with the runtime can only fail if the runtime has no IO
        // driver, which `enable_io` rules out; an error still ends the thread quietly.
        let thread = std::thread::Builder::new()
            .name("triagebench-serve".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    // Small answers go out at once: without this, a response written in two
                    // parts (an MCP event stream's frames) waits on the client's delayed ACK.
                    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                        let _ = tcp.set_nodelay(true);
                    });
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async move {
                            let _ = rx.await;
                            cancel.cancel();
                        })
                        .await;
                });
            })
            .map_err(ServeError::Runtime)?;
        Ok(Server {
            addr,
            recorder,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The trajectories recorded so far.
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// Blocks until the server stops (it only stops when dropped from another thread or
    /// the process ends).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn mcp_by_path(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> axum::response::Response {
    mcp_answer(&shared, &id, req).await
}

async fn mcp_by_token(
    State(shared): State<Arc<Shared>>,
    req: axum::extract::Request,
) -> axum::response::Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map_or("", str::trim)
        .to_owned();
    mcp_answer(&shared, &token, req).await
}

/// Hands an MCP request to its scenario's endpoint; an unknown scenario is a 404 `Status`.
async fn mcp_answer(
    shared: &Shared,
    id: &str,
    req: axum::extract::Request,
) -> axum::response::Response {
    match shared.mcp.get(id) {
        Some(endpoint) => {
            let delete = req.method() == axum::http::Method::DELETE;
            let req = match checked_json_rpc(req).await {
                Ok(req) => req,
                Err(response) => return response,
            };
            let mut out = endpoint.handle(req).await.map(Body::new);
            // A session ended by DELETE is answered 202 by the transport; the MCP Python SDK
            // takes only 200 or 204 as success and warns otherwise: answer 204, no content.
            if delete && out.status() == axum::http::StatusCode::ACCEPTED {
                *out.status_mut() = axum::http::StatusCode::NO_CONTENT;
                *out.body_mut() = Body::empty();
            }
            out
        }
        None => {
            let message = if id.is_empty() {
                "no scenario: use /s/<case-id>/mcp or /mcp with the bearer token <case-id>"
                    .to_owned()
            } else {
                format!("scenarios \"{id}\" not found")
            };
            let body =
                serde_json::to_vec(&api::status(404, "NotFound", &message)).unwrap_or_default();
            let mut out = axum::response::Response::new(Body::from(body));
            *out.status_mut() = axum::http::StatusCode::NOT_FOUND;
            out.headers_mut().insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("application/json"),
            );
            out
        }
    }
}

/// The most bytes of one MCP POST body.
const MAX_MCP_BODY: usize = 4 << 20;

/// A POST whose body is not a JSON-RPC message (or batch of them) is answered here with the
/// JSON-RPC error a client can read (`-32700` parse error, `-32600` invalid request) and HTTP
/// 400, instead of the transport's plain-text refusal; anything else goes on unchanged.
async fn checked_json_rpc(
    req: axum::extract::Request,
) -> Result<axum::extract::Request, axum::response::Response> {
    if req.method() != axum::http::Method::POST {
        return Ok(req);
    }
    let (parts, body) = req.into_parts();
    let refuse = |code: i64, message: String| {
        let v = serde_json::json!({"jsonrpc": "2.0", "id": null, "error": {"code": code, "message": message}});
        let mut out = axum::response::Response::new(Body::from(v.to_string()));
        *out.status_mut() = axum::http::StatusCode::BAD_REQUEST;
        out.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/json"),
        );
        out
    };
    let bytes = axum::body::to_bytes(body, MAX_MCP_BODY)
        .await
        .map_err(|e| {
            refuse(
                -32600,
                format!("Invalid Request: cannot read the body: {e}"),
            )
        })?;
    let message_ok = |m: &serde_json::Value| {
        m.get("jsonrpc").and_then(serde_json::Value::as_str) == Some("2.0")
            && (m.get("method").is_some_and(serde_json::Value::is_string)
                || m.get("result").is_some()
                || m.get("error").is_some())
    };
    match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Err(e) => return Err(refuse(-32700, format!("Parse error: {e}"))),
        Ok(serde_json::Value::Array(items))
            if !items.is_empty() && items.iter().all(message_ok) => {}
        Ok(v) if message_ok(&v) => {}
        Ok(_) => {
            return Err(refuse(
                -32600,
                "Invalid Request: not a JSON-RPC 2.0 message".into(),
            ));
        }
    }
    Ok(axum::extract::Request::from_parts(parts, Body::from(bytes)))
}

async fn answer(
    State(shared): State<Arc<Shared>>,
    req: axum::extract::Request,
) -> axum::response::Response {
    let header_str = |name: header::HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let accept = header_str(header::ACCEPT);
    let authorization = header_str(header::AUTHORIZATION);
    let token = authorization
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let request = Request {
        method: req.method().as_str(),
        path: req.uri().path(),
        query: req.uri().query().unwrap_or(""),
        accept: &accept,
        token,
    };
    let response = api::handle(
        &shared.store,
        &shared.recorder,
        &request,
        shared.clock.now(),
    );
    let mut out = axum::response::Response::new(Body::from(response.body));
    *out.status_mut() = axum::http::StatusCode::from_u16(response.status)
        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    out.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(response.content_type),
    );
    out
}

fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A kubeconfig with one context per scenario: context `<case-id>`, server
/// `<base_url>/s/<case-id>`, the case id as bearer token, the alert's namespace as default;
/// the first scenario is the current context.
pub fn kubeconfig<'a>(clusters: impl IntoIterator<Item = &'a Cluster>, base_url: &str) -> String {
    let (mut c, mut x, mut u) = (String::new(), String::new(), String::new());
    let mut first = None;
    for cl in clusters {
        let id = &cl.id;
        first.get_or_insert_with(|| id.clone());
        c.push_str(&format!(
            "- name: {id}\n  cluster:\n    server: {}\n",
            yaml_str(&format!("{base_url}/s/{id}"))
        ));
        x.push_str(&format!(
            "- name: {id}\n  context:\n    cluster: {id}\n    user: {id}\n    namespace: {}\n",
            yaml_str(&cl.namespace)
        ));
        u.push_str(&format!("- name: {id}\n  user:\n    token: {id}\n"));
    }
    format!(
        "apiVersion: v1\nkind: Config\npreferences: {{}}\ncurrent-context: {}\nclusters:\n{c}contexts:\n{x}users:\n{u}",
        first.unwrap_or_default()
    )
}

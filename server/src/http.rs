//! The HTTP side: [`Server::start`] binds the address first (so a port in use is an error the
//! caller sees at once), then serves [`crate::api::handle`] with axum on a tokio runtime of its
//! own, on a background thread; [`kubeconfig`] writes one kubeconfig context per scenario.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;

use axum::body::Body;
use axum::extract::State;
use axum::http::header;

use crate::api::{self, Request};
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
    store: Store,
    recorder: Arc<Recorder>,
    clock: Clock,
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
            .build()
            .map_err(ServeError::Runtime)?;
        let recorder = Arc::new(Recorder::new(options.budget));
        let shared = Arc::new(Shared {
            store,
            recorder: Arc::clone(&recorder),
            clock: options.clock,
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = axum::Router::new().fallback(answer).with_state(shared);
        // Registering the listener with the runtime can only fail if the runtime has no IO
        // driver, which `enable_io` rules out; an error still ends the thread quietly.
        let thread = std::thread::Builder::new()
            .name("triagebench-serve".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = rx.await;
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

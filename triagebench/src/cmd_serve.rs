//! `triagebench serve --corpus C`: a read-only Kubernetes API over the corpus's raw `k8s-api`
//! profile that the real `kubectl` reads, one scenario per path prefix (`/s/<case-id>`) or
//! bearer token, every timestamp shifted so each scenario's snapshot is the moment the server
//! started (see the `server` crate). Loopback only unless `--bind` names another address.
//! The same server is an MCP server (streamable HTTP) per scenario at `/s/<case-id>/mcp` (or
//! `/mcp` with the bearer token `<case-id>`); `--stdio --scenario <case-id>` serves one
//! scenario's MCP tools over stdin/stdout instead, and prints nothing else on stdout.
//! Exit 2 for a corpus that does not load, a bad address or an unknown `--scenario`, 3 for a
//! kubeconfig or URL file that exists (without `--force`), 4 when the address cannot be bound
//! (a port in use) or the stdio session fails.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use server::{Clock, ServeOptions, Server, Store};

use crate::exit;

/// The most calls per scenario `--budget` accepts.
const MAX_BUDGET: u64 = 1_000_000;

/// Arguments of `triagebench serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The corpus to serve (its scenarios must have the `k8s-api/` files: `generate` writes
    /// them with the default `--profile both`).
    #[arg(long)]
    pub corpus: PathBuf,
    /// The address to listen on. Loopback by default; any other address exposes the corpus to
    /// the network and is only used when given here. Port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8001")]
    pub bind: String,
    /// Write a kubeconfig with one context per scenario (named by its case id, server
    /// `http://ADDR/s/<case-id>`, the alert's namespace as default).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// Replace an existing `--kubeconfig` file.
    #[arg(long)]
    pub force: bool,
    /// Calls per scenario before the server answers 429 Too Many Requests (counted in the
    /// trajectory); 0 or absent: no limit. At most 1,000,000. MCP tool calls count too.
    #[arg(long)]
    pub budget: Option<u64>,
    /// Write the server's base URL (`http://127.0.0.1:PORT`) to this file once it listens:
    /// how a script finds the port `--bind 127.0.0.1:0` picked.
    #[arg(long, conflicts_with = "stdio")]
    pub url_file: Option<PathBuf>,
    /// Serve one scenario's MCP tools over stdio (JSON-RPC on stdin/stdout) instead of HTTP;
    /// needs `--scenario`. Ends when stdin closes.
    #[arg(long, requires = "scenario", conflicts_with_all = ["kubeconfig"])]
    pub stdio: bool,
    /// The case id of the scenario `--stdio` serves.
    #[arg(long, requires = "stdio")]
    pub scenario: Option<String>,
}

/// A checked `serve` request.
struct Config {
    bind: SocketAddr,
    budget: Option<u64>,
}

fn check(args: &Args) -> anyhow::Result<Config> {
    let bind: SocketAddr = args.bind.parse().map_err(|e| {
        exit::bad_input(format!(
            "--bind: \"{}\" is not an address like 127.0.0.1:8001 ({e})",
            args.bind
        ))
    })?;
    let budget = match args.budget {
        Some(0) | None => None,
        Some(b) if b > MAX_BUDGET => {
            return Err(exit::bad_input(format!(
                "--budget: {b} is more than the cap of {MAX_BUDGET}"
            )));
        }
        Some(b) => Some(b),
    };
    for (flag, path) in [
        ("--kubeconfig", &args.kubeconfig),
        ("--url-file", &args.url_file),
    ] {
        if let Some(k) = path
            && k.exists()
            && !args.force
        {
            return Err(exit::refused(format!(
                "{flag}: {} exists (pass --force to replace it)",
                k.display()
            )));
        }
    }
    Ok(Config { bind, budget })
}

/// Writes `text` to `path` through a temporary file beside it, renamed into place.
fn write_atomic(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Runs `triagebench serve`; returns only on an error (the server runs until the process is
/// stopped).
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = check(&args)?;
    let anchor = Clock::System.now();
    let store = Store::load(&args.corpus, anchor).map_err(|problems| {
        let list: Vec<String> = problems.0.iter().map(ToString::to_string).collect();
        exit::bad_input(format!(
            "{} (served in the k8s-api profile) does not load:\n  {}",
            args.corpus.display(),
            list.join("\n  ")
        ))
    })?;
    if store.is_empty() {
        return Err(exit::bad_input(format!(
            "{}: no scenarios to serve",
            args.corpus.display()
        )));
    }
    if args.stdio {
        let id = args.scenario.as_deref().unwrap_or_default();
        if store.get(id).is_none() {
            return Err(exit::bad_input(format!(
                "--scenario: {id} is not a scenario of {}",
                args.corpus.display()
            )));
        }
        server::mcp::serve_stdio(store, id, config.budget, Clock::System)?;
        return Ok(ExitCode::SUCCESS);
    }
    let kubeconfig_clusters: Vec<server::store::Cluster> = store.clusters().cloned().collect();
    let count = store.len();
    let server = Server::start(
        store,
        ServeOptions {
            bind: config.bind,
            budget: config.budget,
            clock: Clock::System,
        },
    )?;
    let url = server.url();
    if let Some(path) = &args.kubeconfig {
        write_atomic(path, &server::kubeconfig(&kubeconfig_clusters, &url))?;
    }
    if let Some(path) = &args.url_file {
        write_atomic(path, &format!("{url}\n"))?;
    }
    if !config.bind.ip().is_loopback() {
        eprintln!(
            "warning: listening on {}, not a loopback address: any host that reaches it can read the corpus",
            server.addr()
        );
    }
    outln!("serving {count} scenarios at {url}/s/<case-id> (or a bearer token <case-id>)");
    outln!("MCP (streamable HTTP): {url}/s/<case-id>/mcp (or {url}/mcp with the bearer token)");
    if let Some(path) = &args.kubeconfig {
        outln!(
            "kubeconfig: {} (one context per scenario; kubectl --kubeconfig {} --context <case-id> get pods)",
            path.display(),
            path.display()
        );
    }
    if let Some(first) = kubeconfig_clusters.first() {
        outln!(
            "example: curl {url}/s/{}/api/v1/namespaces/{}/pods",
            first.id,
            first.namespace
        );
    }
    outln!("read-only; Ctrl-C stops");
    server.wait();
    Ok(ExitCode::SUCCESS)
}

//! The MCP server (the official Rust SDK, `rmcp`): one MCP endpoint per scenario, with the
//! tools of [`crate::tools`].
//!
//! * Streamable HTTP, on the same axum server as the Kubernetes API: `/s/<case-id>/mcp`, or
//!   `/mcp` with `Authorization: Bearer <case-id>`; an unknown scenario is a 404. Each scenario
//!   has its own session manager, so a session of one scenario cannot be used on another, and
//!   many sessions (of one scenario or of many) run at once.
//! * stdio ([`serve_stdio`]): one scenario, JSON-RPC on stdin/stdout, nothing else on stdout.
//!
//! Every `tools/call` goes through the scenario's call budget ([`Recorder::admit`]; past it the
//! answer is a tool error saying so, recorded with status 429) and is recorded
//! ([`Recorder::record`]) with verb `tool`, the tool's name as resource, its `namespace` and
//! `pod_name`/`name` arguments, the arguments as compact JSON, the status of
//! [`crate::tools::Outcome`] (a tool the server does not have: 404, and a JSON-RPC
//! invalid-params error) and the bytes of the result text. Protocol messages (`initialize`,
//! `tools/list`, pings) are not recorded. Nothing a client sends can change the store.

use std::collections::HashMap;
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::Value;

use crate::http::Clock;
use crate::record::{Call, Recorder};
use crate::store::Store;
use crate::tools::{self, Outcome};

/// The longest tool name recorded as given (an unknown one is cut there).
const MAX_RECORDED_NAME: usize = 128;

/// The MCP server of one scenario: what `rmcp` calls a server handler.
#[derive(Clone)]
pub struct ScenarioServer {
    store: Arc<Store>,
    id: String,
    recorder: Arc<Recorder>,
    clock: Clock,
}

impl std::fmt::Debug for ScenarioServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScenarioServer")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl ScenarioServer {
    /// The server of scenario `id` of `store` (which must hold it), recording into `recorder`.
    pub fn new(store: Arc<Store>, id: &str, recorder: Arc<Recorder>, clock: Clock) -> Self {
        ScenarioServer {
            store,
            id: id.to_owned(),
            recorder,
            clock,
        }
    }

    /// Answers one tool call and records it: the MCP result, or the protocol error of a tool
    /// the server does not have.
    pub fn answer(
        &self,
        name: &str,
        args: &serde_json::Map<String, Value>,
    ) -> Result<CallToolResult, ErrorData> {
        let (namespace, object) = tools::call_target(args);
        let outcome = if !self.recorder.admit(&self.id) {
            Ok(Outcome {
                status: 429,
                text: "the call budget of this scenario is spent: no more tool calls are answered"
                    .into(),
                is_error: true,
            })
        } else {
            match self.store.get(&self.id) {
                Some(cluster) => tools::call(cluster, name, args, self.clock.now()),
                None => Ok(Outcome {
                    status: 404,
                    text: format!("no scenario {}", self.id),
                    is_error: true,
                }),
            }
        };
        let (status, bytes) = match &outcome {
            Ok(o) => (o.status, o.text.len() as u64),
            Err(_) => (404, 0),
        };
        let mut resource: String = name.chars().take(MAX_RECORDED_NAME).collect();
        if resource.len() < name.len() {
            resource.push('…');
        }
        self.recorder.record(
            &self.id,
            Call {
                seq: 0,
                verb: "tool".into(),
                resource,
                namespace,
                name: object,
                args: serde_json::to_string(args).unwrap_or_default(),
                status,
                bytes,
                at_ms: 0,
            },
        );
        match outcome {
            Ok(o) if o.is_error => Ok(CallToolResult::error(vec![ContentBlock::text(o.text)])),
            Ok(o) => Ok(CallToolResult::success(vec![ContentBlock::text(o.text)])),
            Err(e) => Err(ErrorData::invalid_params(
                format!("{e} (tools/list names the tools of this server)"),
                None,
            )),
        }
    }
}

/// The tools as MCP lists them.
pub fn tool_list() -> Vec<Tool> {
    tools::specs()
        .into_iter()
        .map(|s| {
            let schema = match s.input_schema {
                Value::Object(m) => m,
                _ => serde_json::Map::new(),
            };
            Tool::new(s.name, s.description, Arc::new(schema))
        })
        .collect()
}

impl ServerHandler for ScenarioServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "triagebench",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(format!(
                "One frozen Kubernetes scenario ({}): OpenSRE's EKS and Datadog tools and the EKS MCP server's generic Kubernetes tools, read-only. Every tool call is recorded.",
                self.id
            ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tool_list()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.unwrap_or_default();
        self.answer(&request.name, &args)
            .map(CallToolResponse::from)
    }
}

/// One scenario's streamable HTTP endpoint.
pub(crate) type Endpoint = StreamableHttpService<ScenarioServer, LocalSessionManager>;

/// The streamable HTTP endpoint of every scenario of `store`, each with its own sessions.
/// `cancel` ends every session (the server's shutdown); `any_host` accepts any `Host` header
/// (a non-loopback `--bind`; by default only loopback hosts are, against DNS rebinding).
pub(crate) fn endpoints(
    store: &Arc<Store>,
    recorder: &Arc<Recorder>,
    clock: Clock,
    cancel: &tokio_util::sync::CancellationToken,
    any_host: bool,
) -> HashMap<String, Endpoint> {
    let mut config = StreamableHttpServerConfig::default().with_cancellation_token(cancel.clone());
    if any_host {
        config = config.disable_allowed_hosts();
    }
    store
        .clusters()
        .map(|c| {
            let server = ScenarioServer::new(Arc::clone(store), &c.id, Arc::clone(recorder), clock);
            let endpoint = StreamableHttpService::new(
                move || Ok(server.clone()),
                Arc::new(LocalSessionManager::default()),
                config.clone(),
            );
            (c.id.clone(), endpoint)
        })
        .collect()
}

/// Why stdio serving failed.
#[derive(Debug, thiserror::Error)]
pub enum StdioError {
    /// The store has no scenario with this case id.
    #[error("no scenario {0} in the corpus")]
    UnknownScenario(String),
    /// The async runtime could not be built.
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    /// The MCP session failed (the client never initialized, or the transport broke).
    #[error("MCP over stdio: {0}")]
    Session(String),
}

/// Serves scenario `id` over stdio (JSON-RPC on stdin and stdout) until the client closes
/// stdin; returns the recorder holding the session's calls.
pub fn serve_stdio(
    store: Store,
    id: &str,
    budget: Option<u64>,
    clock: Clock,
) -> Result<Arc<Recorder>, StdioError> {
    if store.get(id).is_none() {
        return Err(StdioError::UnknownScenario(id.to_owned()));
    }
    let recorder = Arc::new(Recorder::new(budget));
    let server = ScenarioServer::new(Arc::new(store), id, Arc::clone(&recorder), clock);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(StdioError::Runtime)?;
    runtime.block_on(async move {
        let running = server
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| StdioError::Session(e.to_string()))?;
        running
            .waiting()
            .await
            .map_err(|e| StdioError::Session(e.to_string()))?;
        Ok::<(), StdioError>(())
    })?;
    Ok(recorder)
}

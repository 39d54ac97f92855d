//! `triagebench serve`: a read-only Kubernetes API over the raw `k8s-api` profile of a corpus,
//! one server for the whole corpus, each scenario reachable on its own by path prefix
//! (`/s/<case-id>/api/v1/...`) or bearer token (`Authorization: Bearer <case-id>`), so many
//! agents can investigate different scenarios at once with the real `kubectl`.
//!
//! * [`store`]: the corpus loaded once, every timestamp shifted so each scenario's snapshot is
//!   the moment the server started; nothing is ever written back.
//! * [`api`]: the API as a pure function of the request (discovery, get, list, selectors, pod
//!   logs, `Status` errors, 405 for writes, 429 past the call budget).
//! * [`table`]: the server-side `Table` printing that decides what `kubectl get` shows.
//! * [`select`]: label and field selectors.
//! * [`datadog`]: the scenario's stored Datadog answers (Logs v2 search, Monitors v1 list).
//! * [`record`]: the per-scenario trajectory log and call budget.
//! * [`http`]: the HTTP server (axum on tokio), started on a background thread, and the
//!   kubeconfig with one context per scenario.
//! * [`mcp`]: the MCP server (`rmcp`), per scenario over streamable HTTP (`/s/<case-id>/mcp`)
//!   and over stdio; [`tools`]: its tools (OpenSRE's seven and the EKS MCP server's generic
//!   ones) as pure functions of a scenario.

pub mod api;
pub mod datadog;
pub mod http;
pub mod mcp;
pub mod record;
pub mod select;
pub mod store;
pub mod table;
pub mod tools;

pub use http::{Clock, ServeError, ServeOptions, Server, kubeconfig};
pub use record::{Call, Recorder};
pub use store::Store;

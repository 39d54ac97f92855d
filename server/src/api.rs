//! The read-only Kubernetes API of one scenario, as a pure function of the request:
//! [`handle`] resolves the scenario (path prefix `/s/<case-id>` or bearer token), refuses
//! writes (405) and calls past the budget (429), routes discovery, `get`, `list` and pod
//! `log`, and records the call. Every error is a Kubernetes `Status` object, never an HTML
//! page: kubectl prints its `message`.
//!
//! Routes (each also under `/s/<case-id>`): `/version`, `/api`, `/apis`, `/api/v1`,
//! `/apis/apps/v1`, `/apis/events.k8s.io/v1`; core/v1 `pods`, `events`, `nodes`, `namespaces`;
//! apps/v1 `deployments`, `statefulsets`, `replicasets`; events.k8s.io/v1 `events` (converted
//! from the core form); namespaced (`/namespaces/NS/RES[/NAME]`) and across namespaces
//! (`/RES`); `/api/v1/namespaces/NS/pods/NAME/log` with `container`, `previous`, `tailLines`
//! and `limitBytes`. A list or get asked for as a `Table` is printed by [`crate::table`].
//! `/s/<case-id>/datadog/...` is the scenario's Datadog API ([`crate::datadog`]).

use serde_json::{Value, json};

use crate::record::{Call, Recorder};
use crate::select::{self, BadSelector, FieldSet, Fields, Labels};
use crate::store::{Cluster, LogEntry, Source, Store};
use crate::table::{Printer, table};

/// The Kubernetes version the server reports (`/version`).
pub const KUBE_VERSION: (&str, &str) = ("1", "33");

/// An HTTP request, as far as the API reads it.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// `GET`, `DELETE`, ...
    pub method: &'a str,
    /// The path, percent-encoded as sent.
    pub path: &'a str,
    /// The query string without `?` (may be empty).
    pub query: &'a str,
    /// The `Accept` header (may be empty).
    pub accept: &'a str,
    /// The bearer token of the `Authorization` header, if any.
    pub token: Option<&'a str>,
}

/// An HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// `application/json` or `text/plain`.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    fn json(status: u16, v: &Value) -> Response {
        Response {
            status,
            content_type: "application/json",
            body: serde_json::to_vec(v).unwrap_or_default(),
        }
    }

    fn text(text: String) -> Response {
        Response {
            status: 200,
            content_type: "text/plain",
            body: text.into_bytes(),
        }
    }
}

/// A Kubernetes error `Status`.
pub fn status(code: u16, reason: &str, message: &str) -> Value {
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    })
}

fn error(code: u16, reason: &str, message: &str) -> Response {
    Response::json(code, &status(code, reason, message))
}

fn not_found(resource: &str, name: &str) -> Response {
    let mut st = status(404, "NotFound", &format!("{resource} \"{name}\" not found"));
    st["details"] = json!({"name": name, "kind": resource});
    Response::json(404, &st)
}

/// What a request was, for the trajectory log.
#[derive(Debug, Default)]
struct Target {
    verb: String,
    resource: String,
    namespace: String,
    name: String,
}

/// Answers one request against the store and records it in the scenario's trajectory.
/// `now` (Unix seconds) is the instant Table ages are computed at.
pub fn handle(store: &Store, recorder: &Recorder, req: &Request<'_>, now: i64) -> Response {
    let segments: Vec<String> = req
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let (cluster, rest) = match segments.first().map(String::as_str) {
        Some("s") => {
            let Some(id) = segments.get(1) else {
                return error(404, "NotFound", "no scenario: /s/<case-id>/...");
            };
            match store.get(id) {
                Some(c) => (c, &segments[2..]),
                None => return not_found("scenarios", id),
            }
        }
        Some("healthz" | "readyz" | "livez") if segments.len() == 1 => {
            return Response::text("ok".into());
        }
        _ => match req.token {
            Some(token) => match store.get(token) {
                Some(c) => (c, &segments[..]),
                None => {
                    return error(
                        401,
                        "Unauthorized",
                        "Unauthorized: the bearer token names no scenario of this server",
                    );
                }
            },
            None => {
                return error(
                    404,
                    "NotFound",
                    "no scenario: use the path prefix /s/<case-id> or a bearer token",
                );
            }
        },
    };
    let query = Query::parse(req.query);
    let mut target = Target::default();
    let response = if rest.first().map(String::as_str) == Some("datadog") {
        let parts: Vec<&str> = rest[1..].iter().map(String::as_str).collect();
        let (response, verb, resource) =
            crate::datadog::route(&cluster.datadog, req.method, &parts);
        target.verb = verb.into();
        target.resource = resource;
        // A refused write is not a call of the budget, as on the Kubernetes side.
        if response.status != 405 && !recorder.admit(&cluster.id) {
            error(
                429,
                "TooManyRequests",
                "the call budget of this scenario is spent",
            )
        } else {
            response
        }
    } else if !matches!(req.method, "GET" | "HEAD") {
        target.verb = req.method.to_lowercase();
        error(
            405,
            "MethodNotAllowed",
            &format!(
                "{} is not allowed: this API server is read-only (a frozen scenario)",
                req.method
            ),
        )
    } else if !recorder.admit(&cluster.id) {
        target.verb = "get".into();
        error(
            429,
            "TooManyRequests",
            "the call budget of this scenario is spent",
        )
    } else {
        route(cluster, rest, &query, req.accept, now, &mut target)
    };
    if target.verb.is_empty() {
        target.verb = "get".into();
    }
    recorder.record(
        &cluster.id,
        Call {
            seq: 0,
            verb: target.verb,
            resource: target.resource,
            namespace: target.namespace,
            name: target.name,
            args: req.query.to_owned(),
            status: response.status,
            bytes: response.body.len() as u64,
            at_ms: 0,
        },
    );
    response
}

/// Answers a `GET` of `path` (below the scenario's prefix, e.g. `/api/v1/namespaces/x/pods`)
/// with the `query` string, as [`handle`] does but without the call budget or the trajectory:
/// the MCP tools' way into the same routes, selectors and logs (they admit and record the
/// tool call themselves). Always JSON, never a `Table`.
pub fn get(cluster: &Cluster, path: &str, query: &str, now: i64) -> Response {
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    route(
        cluster,
        &segments,
        &Query::parse(query),
        "",
        now,
        &mut Target::default(),
    )
}

/// The decoded query parameters.
#[derive(Debug, Default)]
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(q: &str) -> Query {
        Query(
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (percent_decode(k), percent_decode(&v.replace('+', " ")))
                })
                .collect(),
        )
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Percent-decoding of a path segment or query part (invalid escapes are kept as they are).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A name the API could serve: letters, digits, `-`, `.`, `_`, `:`, not `.`/`..`, no `/`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name != "."
        && !name.contains("..")
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b':'))
}

/// A resource the server serves.
struct Resource {
    name: &'static str,
    kind: &'static str,
    list_kind: &'static str,
    api_version: &'static str,
    namespaced: bool,
    printer: Option<Printer>,
    fields: FieldSet,
}

const PODS: Resource = Resource {
    name: "pods",
    kind: "Pod",
    list_kind: "PodList",
    api_version: "v1",
    namespaced: true,
    printer: Some(Printer::Pod),
    fields: select::POD_FIELDS,
};
const EVENTS: Resource = Resource {
    name: "events",
    kind: "Event",
    list_kind: "EventList",
    api_version: "v1",
    namespaced: true,
    printer: Some(Printer::Event),
    fields: select::EVENT_FIELDS,
};
const EVENTS_V1: Resource = Resource {
    name: "events",
    kind: "Event",
    list_kind: "EventList",
    api_version: "events.k8s.io/v1",
    namespaced: true,
    printer: Some(Printer::Event),
    fields: select::EVENT_V1_FIELDS,
};
const NODES: Resource = Resource {
    name: "nodes",
    kind: "Node",
    list_kind: "NodeList",
    api_version: "v1",
    namespaced: false,
    printer: Some(Printer::Node),
    fields: select::NODE_FIELDS,
};
const NAMESPACES: Resource = Resource {
    name: "namespaces",
    kind: "Namespace",
    list_kind: "NamespaceList",
    api_version: "v1",
    namespaced: false,
    printer: None,
    fields: &[("metadata.name", "/metadata/name")],
};
const DEPLOYMENTS: Resource = Resource {
    name: "deployments",
    kind: "Deployment",
    list_kind: "DeploymentList",
    api_version: "apps/v1",
    namespaced: true,
    printer: Some(Printer::Deployment),
    fields: select::META_FIELDS,
};
const STATEFULSETS: Resource = Resource {
    name: "statefulsets",
    kind: "StatefulSet",
    list_kind: "StatefulSetList",
    api_version: "apps/v1",
    namespaced: true,
    printer: Some(Printer::StatefulSet),
    fields: select::META_FIELDS,
};
const REPLICASETS: Resource = Resource {
    name: "replicasets",
    kind: "ReplicaSet",
    list_kind: "ReplicaSetList",
    api_version: "apps/v1",
    namespaced: true,
    printer: Some(Printer::ReplicaSet),
    fields: select::META_FIELDS,
};

/// The resources of a group version, `None` for one the server does not serve.
fn group_resources(group_version: &str) -> Option<&'static [Resource]> {
    const CORE: &[Resource] = &[PODS, EVENTS, NODES, NAMESPACES];
    const APPS: &[Resource] = &[DEPLOYMENTS, STATEFULSETS, REPLICASETS];
    const EVENTS_GROUP: &[Resource] = &[EVENTS_V1];
    match group_version {
        "v1" => Some(CORE),
        "apps/v1" => Some(APPS),
        "events.k8s.io/v1" => Some(EVENTS_GROUP),
        _ => None,
    }
}

fn short_names(resource: &str) -> &'static [&'static str] {
    match resource {
        "pods" => &["po"],
        "events" => &["ev"],
        "nodes" => &["no"],
        "namespaces" => &["ns"],
        "deployments" => &["deploy"],
        "statefulsets" => &["sts"],
        "replicasets" => &["rs"],
        _ => &[],
    }
}

fn resource_list(group_version: &str, resources: &[Resource]) -> Value {
    let mut list: Vec<Value> = Vec::new();
    for r in resources {
        let mut entry = json!({
            "name": r.name,
            "singularName": r.kind.to_lowercase(),
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": ["get", "list"],
            "shortNames": short_names(r.name),
        });
        if matches!(
            r.name,
            "pods" | "deployments" | "statefulsets" | "replicasets"
        ) {
            entry["categories"] = json!(["all"]);
        }
        list.push(entry);
        if r.name == "pods" {
            list.push(json!({"name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]}));
        }
    }
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": list})
}

fn group(name: &str) -> Value {
    let gv = json!({"groupVersion": format!("{name}/v1"), "version": "v1"});
    json!({"name": name, "versions": [gv], "preferredVersion": gv})
}

fn route(
    cluster: &Cluster,
    rest: &[String],
    query: &Query,
    accept: &str,
    now: i64,
    target: &mut Target,
) -> Response {
    let parts: Vec<&str> = rest.iter().map(String::as_str).collect();
    target.verb = "discovery".into();
    match parts.as_slice() {
        [] => {
            target.resource = "/".into();
            return Response::json(
                200,
                &json!({"paths": ["/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1",
                                  "/apis/events.k8s.io", "/apis/events.k8s.io/v1", "/version"]}),
            );
        }
        ["version"] => {
            target.resource = "version".into();
            let (major, minor) = KUBE_VERSION;
            return Response::json(
                200,
                &json!({"major": major, "minor": minor, "gitVersion": format!("v{major}.{minor}.0-triagebench"),
                        "gitCommit": "", "gitTreeState": "clean", "buildDate": "", "goVersion": "",
                        "compiler": "triagebench", "platform": "linux/amd64"}),
            );
        }
        ["api"] => {
            target.resource = "api".into();
            return Response::json(
                200,
                &json!({"kind": "APIVersions", "versions": ["v1"],
                        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": ""}]}),
            );
        }
        ["apis"] => {
            target.resource = "apis".into();
            return Response::json(
                200,
                &json!({"kind": "APIGroupList", "apiVersion": "v1",
                        "groups": [group("apps"), group("events.k8s.io")]}),
            );
        }
        ["apis", g] if matches!(*g, "apps" | "events.k8s.io") => {
            target.resource = format!("apis/{g}");
            let mut v = group(g);
            v["kind"] = json!("APIGroup");
            v["apiVersion"] = json!("v1");
            return Response::json(200, &v);
        }
        _ => {}
    }
    let (group_version, tail) = match parts.as_slice() {
        ["api", "v1", tail @ ..] => ("v1".to_owned(), tail),
        ["apis", g, v, tail @ ..] => (format!("{g}/{v}"), tail),
        _ => {
            target.resource = rest.join("/");
            return error(
                404,
                "NotFound",
                "the server could not find the requested resource",
            );
        }
    };
    let Some(resources) = group_resources(&group_version) else {
        target.resource = rest.join("/");
        return error(
            404,
            "NotFound",
            &format!("the server could not find the requested resource ({group_version})"),
        );
    };
    if tail.is_empty() {
        target.resource.clone_from(&group_version);
        return Response::json(200, &resource_list(&group_version, resources));
    }
    // [RES], [RES, NAME], [namespaces, NS, RES], [namespaces, NS, RES, NAME], [.., NAME, log]
    let (namespace, res, name, sub) = match tail {
        [res] => (None, *res, None, None),
        ["namespaces", ns] => (None, "namespaces", Some(*ns), None),
        [res, name] => (None, *res, Some(*name), None),
        ["namespaces", ns, res] => (Some(*ns), *res, None, None),
        ["namespaces", ns, res, name] => (Some(*ns), *res, Some(*name), None),
        ["namespaces", ns, res, name, sub] => (Some(*ns), *res, Some(*name), Some(*sub)),
        _ => {
            target.resource = tail.join("/");
            return error(
                404,
                "NotFound",
                "the server could not find the requested resource",
            );
        }
    };
    res.clone_into(&mut target.resource);
    namespace.unwrap_or("").clone_into(&mut target.namespace);
    name.unwrap_or("").clone_into(&mut target.name);
    target.verb = if name.is_some() { "get" } else { "list" }.into();
    for n in namespace.iter().chain(name.iter()) {
        if !valid_name(n) {
            return error(
                400,
                "BadRequest",
                &format!("invalid resource name {n:?}: may not contain '/' or '..'"),
            );
        }
    }
    let Some(resource) = resources.iter().find(|r| r.name == res) else {
        return error(
            404,
            "NotFound",
            &format!("the server could not find the requested resource ({group_version} {res})"),
        );
    };
    if namespace.is_some() && !resource.namespaced {
        return error(
            404,
            "NotFound",
            "the server could not find the requested resource",
        );
    }
    if let Some(ns) = namespace
        && !cluster.namespaces.contains(ns)
    {
        return not_found("namespaces", ns);
    }
    match sub {
        None => {}
        Some("log") if resource.name == "pods" && group_version == "v1" => {
            target.verb = "log".into();
            target.resource = "pods/log".into();
            return pod_log(cluster, namespace.unwrap_or(""), name.unwrap_or(""), query);
        }
        Some(_) => {
            return error(
                404,
                "NotFound",
                "the server could not find the requested resource",
            );
        }
    }
    let items = match objects(cluster, resource) {
        Ok(items) => items,
        Err(response) => return response,
    };
    let in_scope: Vec<&Value> = items
        .iter()
        .filter(|o| {
            namespace.is_none_or(|ns| {
                o.pointer("/metadata/namespace").and_then(Value::as_str) == Some(ns)
            })
        })
        .collect();
    let as_table = accept.contains("as=Table");
    let printer = resource.printer.filter(|_| as_table);
    if let Some(name) = name {
        let Some(obj) = in_scope
            .iter()
            .find(|o| o.pointer("/metadata/name").and_then(Value::as_str) == Some(name))
        else {
            return not_found(resource.name, name);
        };
        return match printer {
            Some(p) => Response::json(200, &table(p, &[table_form(obj)], now)),
            None => Response::json(200, &served(obj)),
        };
    }
    let selected = match select(&in_scope, query, resource.fields) {
        Ok(s) => s,
        Err(BadSelector(message)) => return error(400, "BadRequest", &message),
    };
    match printer {
        Some(p) => {
            let forms: Vec<&Value> = selected.iter().map(|o| table_form(o)).collect();
            Response::json(200, &table(p, &forms, now))
        }
        None => Response::json(
            200,
            &json!({
                "kind": resource.list_kind,
                "apiVersion": resource.api_version,
                "metadata": {"resourceVersion": "1"},
                "items": selected.iter().map(|o| served(o)).collect::<Vec<_>>(),
            }),
        ),
    }
}

/// The object a Table row prints from: an events.k8s.io event prints from its core form,
/// which [`to_events_v1`] keeps under a private key.
fn table_form(obj: &Value) -> &Value {
    obj.get(CORE_FORM).unwrap_or(obj)
}

const CORE_FORM: &str = "\u{0}core";

/// An object as served (without the core form an events.k8s.io event keeps for printing).
fn served(obj: &Value) -> Value {
    let mut o = obj.clone();
    if let Some(map) = o.as_object_mut() {
        map.remove(CORE_FORM);
    }
    o
}

fn select<'a>(
    items: &[&'a Value],
    query: &Query,
    fields: FieldSet,
) -> Result<Vec<&'a Value>, BadSelector> {
    let labels = Labels::parse(query.get("labelSelector").unwrap_or(""))?;
    let fields = Fields::parse(query.get("fieldSelector").unwrap_or(""), fields)?;
    Ok(items
        .iter()
        .copied()
        .filter(|o| labels.matches(o) && fields.matches(o))
        .collect())
}

/// Every object of a resource (with `kind` and `apiVersion` set), or the error to answer.
fn objects(cluster: &Cluster, resource: &Resource) -> Result<Vec<Value>, Response> {
    let source = match (resource.api_version, resource.name) {
        ("v1", "namespaces") => {
            return Ok(cluster
                .namespaces
                .iter()
                .map(|ns| {
                    json!({"apiVersion": "v1", "kind": "Namespace",
                           "metadata": {"name": ns}, "spec": {"finalizers": ["kubernetes"]},
                           "status": {"phase": "Active"}})
                })
                .collect());
        }
        (_, "pods") => &cluster.pods,
        (_, "events") => &cluster.events,
        (_, "nodes") => &cluster.nodes,
        (_, "deployments") => &cluster.deployments,
        (_, "statefulsets") => &cluster.statefulsets,
        _ => &cluster.replicasets,
    };
    match source {
        Source::Items(items) => Ok(items
            .iter()
            .map(|o| {
                let mut o = o.clone();
                if resource.api_version == "events.k8s.io/v1" {
                    o = to_events_v1(o);
                } else if let Some(map) = o.as_object_mut() {
                    map.insert("apiVersion".into(), json!(resource.api_version));
                    map.insert("kind".into(), json!(resource.kind));
                }
                o
            })
            .collect()),
        Source::Failed(st) => {
            let code = st
                .get("code")
                .and_then(Value::as_u64)
                .and_then(|c| u16::try_from(c).ok())
                .filter(|c| (400..600).contains(c))
                .unwrap_or(500);
            Err(Response::json(code, st))
        }
        Source::NotListed => Err(forbidden(resource)),
    }
}

fn forbidden(resource: &Resource) -> Response {
    let group = resource.api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let mut st = status(
        403,
        "Forbidden",
        &format!(
            "{} is forbidden: User \"triagebench-agent\" cannot list resource \"{}\" in API group \"{group}\" (this scenario does not expose it)",
            resource.name, resource.name
        ),
    );
    st["details"] = json!({"kind": resource.name, "group": group});
    Response::json(403, &st)
}

/// A core/v1 event in its events.k8s.io/v1 form (the core form kept for printing).
fn to_events_v1(core: Value) -> Value {
    let g = |k: &str| core.get(k).cloned().filter(|v| !v.is_null());
    let non_empty = |v: Option<Value>| v.filter(|v| v.as_str() != Some(""));
    let mut out = serde_json::Map::new();
    out.insert("apiVersion".into(), json!("events.k8s.io/v1"));
    out.insert("kind".into(), json!("Event"));
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            out.insert(k.into(), v);
        }
    };
    put("metadata", g("metadata"));
    put("eventTime", g("eventTime"));
    put("series", g("series"));
    put(
        "reportingController",
        non_empty(g("reportingComponent"))
            .or_else(|| non_empty(core.pointer("/source/component").cloned())),
    );
    put(
        "reportingInstance",
        non_empty(g("reportingInstance"))
            .or_else(|| non_empty(core.pointer("/source/host").cloned())),
    );
    put("action", g("action"));
    put("reason", g("reason"));
    put("regarding", g("involvedObject"));
    put("related", g("related"));
    put("note", g("message"));
    put("type", g("type"));
    put("deprecatedSource", g("source"));
    put("deprecatedFirstTimestamp", g("firstTimestamp"));
    put("deprecatedLastTimestamp", g("lastTimestamp"));
    put("deprecatedCount", g("count"));
    let mut core = core;
    if let Some(map) = core.as_object_mut() {
        map.insert("apiVersion".into(), json!("v1"));
        map.insert("kind".into(), json!("Event"));
    }
    out.insert(CORE_FORM.into(), core);
    Value::Object(out)
}

/// `GET /api/v1/namespaces/NS/pods/NAME/log`.
fn pod_log(cluster: &Cluster, namespace: &str, pod: &str, query: &Query) -> Response {
    let Some(logs) = &cluster.logs else {
        let mut st = status(
            403,
            "Forbidden",
            &format!(
                "pods \"{pod}\" is forbidden: User \"triagebench-agent\" cannot get resource \"pods/log\" in API group \"\" (this scenario does not expose container logs)"
            ),
        );
        st["details"] = json!({"name": pod, "kind": "pods"});
        return Response::json(403, &st);
    };
    let pod_obj = cluster.pods.items().iter().find(|o| {
        o.pointer("/metadata/namespace").and_then(Value::as_str) == Some(namespace)
            && o.pointer("/metadata/name").and_then(Value::as_str) == Some(pod)
    });
    let captured: Vec<&LogEntry> = logs
        .iter()
        .filter(|e| e.namespace == namespace && e.pod == pod)
        .collect();
    let mut containers: Vec<String> = match pod_obj {
        Some(o) => ["/spec/initContainers", "/spec/containers"]
            .iter()
            .flat_map(|p| o.pointer(p).and_then(Value::as_array).into_iter().flatten())
            .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect(),
        None => captured.iter().map(|e| e.container.clone()).collect(),
    };
    containers.dedup();
    if pod_obj.is_none() && captured.is_empty() {
        return not_found("pods", pod);
    }
    let main: Vec<String> = pod_obj
        .and_then(|o| o.pointer("/spec/containers").and_then(Value::as_array))
        .map_or_else(
            || containers.clone(),
            |cs| {
                cs.iter()
                    .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_owned))
                    .collect()
            },
        );
    let container = match query.get("container").filter(|c| !c.is_empty()) {
        Some(c) => c.to_owned(),
        None if main.len() == 1 => main[0].clone(),
        None => {
            return error(
                400,
                "BadRequest",
                &format!(
                    "a container name must be specified for pod {pod}, choose one of: [{}]",
                    main.join(" ")
                ),
            );
        }
    };
    if !containers.contains(&container) {
        return error(
            400,
            "BadRequest",
            &format!("container {container} is not valid for pod {pod}"),
        );
    }
    let previous = matches!(query.get("previous"), Some("true" | "1"));
    let entry = captured
        .iter()
        .find(|e| e.container == container && e.previous == previous);
    let text = match entry.map(|e| &e.answer) {
        Some(Ok(text)) => text.clone(),
        Some(Err(st)) => {
            let code = st
                .get("code")
                .and_then(Value::as_u64)
                .and_then(|c| u16::try_from(c).ok())
                .unwrap_or(400);
            return Response::json(code, st);
        }
        None if previous => {
            return error(
                400,
                "BadRequest",
                &format!(
                    "previous terminated container \"{container}\" in pod \"{pod}\" not found"
                ),
            );
        }
        None => String::new(),
    };
    let mut text = match query.get("tailLines").map(str::parse::<usize>) {
        Some(Ok(n)) => tail_lines(&text, n),
        Some(Err(_)) => {
            return error(
                400,
                "BadRequest",
                "tailLines: expected a non-negative integer",
            );
        }
        None => text,
    };
    if let Some(limit) = query.get("limitBytes") {
        let Ok(limit) = limit.parse::<usize>() else {
            return error(400, "BadRequest", "limitBytes: expected a positive integer");
        };
        if text.len() > limit {
            let mut cut = limit;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
    }
    Response::text(text)
}

/// The last `n` lines of a log.
fn tail_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    lines[lines.len().saturating_sub(n)..].concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
    use scenario::k8s_api::{ApiAnswer, RawEvidence};

    fn get(store: &Store, rec: &Recorder, method: &str, path: &str) -> (u16, Value) {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let r = handle(
            store,
            rec,
            &Request {
                method,
                path,
                query,
                accept: "",
                token: None,
            },
            100,
        );
        let body = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        (r.status, body)
    }

    #[test]
    fn failed_and_unlisted_sources_answer_their_status() {
        let raw = RawEvidence {
            pods: Some(ApiAnswer::Failed(Box::new(Status {
                code: Some(403),
                status: Some("Failure".into()),
                reason: Some("Forbidden".into()),
                message: Some("pods is forbidden: recorded".into()),
                ..Status::default()
            }))),
            ..RawEvidence::default()
        };
        let store = Store::from_clusters([Cluster::build("c1", "default", &raw, 100)]);
        let rec = Recorder::new(None);
        let (code, v) = get(&store, &rec, "GET", "/s/c1/api/v1/namespaces/default/pods");
        assert_eq!(
            (code, v["message"].as_str()),
            (403, Some("pods is forbidden: recorded"))
        );
        let (code, v) = get(&store, &rec, "GET", "/s/c1/api/v1/nodes");
        assert_eq!((code, v["reason"].as_str()), (403, Some("Forbidden")));
        assert!(v["message"].as_str().unwrap().contains("does not expose"));
        let (code, v) = get(&store, &rec, "GET", "/s/c1/apis/apps/v1/deployments");
        assert_eq!((code, v["details"]["group"].as_str()), (403, Some("apps")));
        let (code, v) = get(
            &store,
            &rec,
            "GET",
            "/s/c1/api/v1/namespaces/default/pods/x/log",
        );
        assert_eq!((code, v["reason"].as_str()), (403, Some("Forbidden")));
        // HEAD is a read; the root and a group answer discovery.
        assert_eq!(get(&store, &rec, "HEAD", "/s/c1/version").0, 200);
        let (code, v) = get(&store, &rec, "GET", "/s/c1/");
        assert!(code == 200 && v["paths"].as_array().is_some_and(|p| !p.is_empty()));
        let (_, v) = get(&store, &rec, "GET", "/s/c1/apis/apps");
        assert_eq!(
            (v["kind"].as_str(), v["name"].as_str()),
            (Some("APIGroup"), Some("apps"))
        );
        assert_eq!(get(&store, &rec, "GET", "/s").0, 404);
        assert_eq!(
            get(
                &store,
                &rec,
                "GET",
                "/s/c1/apis/apps/v1/namespaces/default/deployments/a/scale"
            )
            .0,
            404
        );
        assert_eq!(get(&store, &rec, "GET", "/s/c1/unknown/path").0, 404);
        // The namespace of the alert exists even with no objects in it.
        assert_eq!(
            get(&store, &rec, "GET", "/s/c1/api/v1/namespaces/default").0,
            200
        );
        let calls = rec.calls("c1");
        assert_eq!(
            calls.len(),
            10,
            "the request without a scenario is nobody's"
        );
        assert_eq!(calls[0].status, 403);
    }

    #[test]
    fn datadog_routes_answer_and_are_recorded() {
        let store = Store::from_clusters([Cluster::build(
            "c1",
            "default",
            &RawEvidence::default(),
            100,
        )]);
        let rec = Recorder::new(Some(1));
        let (code, v) = get(&store, &rec, "GET", "/s/c1/datadog/api/v1/monitor");
        assert_eq!(
            (code, v["errors"][0].as_str()),
            (403, Some(crate::datadog::NOT_LISTED))
        );
        let (code, _) = get(
            &store,
            &rec,
            "POST",
            "/s/c1/datadog/api/v2/logs/events/search",
        );
        assert_eq!(code, 429, "the budget of 1 is spent");
        let calls = rec.calls("c1");
        assert_eq!(
            calls
                .iter()
                .map(|c| (c.verb.as_str(), c.resource.as_str(), c.status))
                .collect::<Vec<_>>(),
            [
                ("list", "datadog/monitors", 403),
                ("list", "datadog/logs", 429)
            ]
        );
        assert_eq!(rec.refused("c1"), 1);
    }

    #[test]
    fn names_that_could_leave_the_tree_are_invalid() {
        for ok in [
            "api-7d9c-x2",
            "feed.17f1caff2b5d80a73",
            "ip-10-0-0-1.ec2.internal",
        ] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in [
            "", ".", "..", "../etc", "a/b", "a\\b", "x..y", "a\0", "pod%2F",
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
        assert_eq!(percent_decode("a%2Fb%zz%41"), "a/b%zzA");
        assert_eq!(tail_lines("a\nb\nc\n", 2), "b\nc\n");
        assert_eq!(tail_lines("a\nb", 5), "a\nb");
        assert_eq!(tail_lines("a\nb\n", 0), "");
        let q = Query::parse("fieldSelector=involvedObject.name%3Dx%2Cb%3D&a+b=c+d&flag");
        assert_eq!(q.get("fieldSelector"), Some("involvedObject.name=x,b="));
        assert_eq!(q.get("flag"), Some(""));
    }
}

//! The API over HTTP on loopback (an ephemeral port), against the golden scenarios of
//! `tests/golden/scenarios` (generated, with their `k8s-api/` files): shapes of discovery,
//! lists, gets, Tables, selectors, logs and errors; the trajectory log; the call budget; a
//! port in use; and that nothing a client does changes the corpus.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use scenario::case_id;
use scenario::time::unix_seconds;
use serde_json::Value;
use server::{Clock, ServeError, ServeOptions, Server, Store};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/scenarios")
}

/// The instant the server places every snapshot at, and computes Table ages at.
const NOW: i64 = 1_900_000_000;

fn start(budget: Option<u64>) -> Server {
    let store = Store::load(&fixtures(), NOW).expect("the golden scenarios load");
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

struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn call(server: &Server, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let url = format!("{}{path}", server.url());
    let req = ureq::http::Request::builder().method(method).uri(&url);
    let req = headers.iter().fold(req, |r, (k, v)| r.header(*k, *v));
    let mut resp = agent()
        .run(req.body(()).unwrap())
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    Answer {
        status: resp.status().as_u16(),
        content_type: resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned(),
        body: resp.body_mut().read_to_string().unwrap(),
    }
}

fn get(server: &Server, path: &str) -> Answer {
    call(server, "GET", path, &[])
}

const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/// The crashlooping scenario (segfault): `reporting/shipment-consumer-wmzh8ml2vj-l4n2l`.
fn crash() -> String {
    format!("/s/{}", case_id("00002"))
}
const CRASH_POD: &str = "shipment-consumer-wmzh8ml2vj-l4n2l";

fn assert_status(a: &Answer, code: u16, reason: &str) {
    assert_eq!(a.status, code, "{}", a.body);
    let v = a.json();
    assert_eq!(v["kind"], "Status", "{}", a.body);
    assert_eq!(v["apiVersion"], "v1");
    assert_eq!(v["status"], "Failure");
    assert_eq!(v["code"], code);
    assert_eq!(v["reason"], reason, "{}", a.body);
}

fn raw(scenario: &str, file: &str) -> Value {
    let text =
        std::fs::read_to_string(fixtures().join(scenario).join("k8s-api").join(file)).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn discovery_answers_what_kubectl_asks_for() {
    let s = start(None);
    let base = crash();
    let v = get(&s, &format!("{base}/version?timeout=5s")).json();
    assert_eq!(
        (v["major"].as_str(), v["minor"].as_str()),
        (Some("1"), Some("33"))
    );
    assert!(v["gitVersion"].as_str().unwrap().starts_with("v1.33."));
    let v = get(&s, &format!("{base}/api?timeout=32s")).json();
    assert_eq!(v["kind"], "APIVersions");
    assert_eq!(v["versions"], serde_json::json!(["v1"]));
    let v = get(&s, &format!("{base}/apis")).json();
    assert_eq!(v["kind"], "APIGroupList");
    let groups: Vec<&str> = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["apps", "events.k8s.io"]);
    let names = |gv: &str| -> Vec<String> {
        let v = get(&s, &format!("{base}{gv}")).json();
        assert_eq!(v["kind"], "APIResourceList");
        v["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                assert!(r["verbs"].as_array().unwrap().contains(&"get".into()));
                r["name"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    assert_eq!(
        names("/api/v1"),
        ["pods", "pods/log", "events", "nodes", "namespaces"]
    );
    assert_eq!(
        names("/apis/apps/v1"),
        ["deployments", "statefulsets", "replicasets"]
    );
    assert_eq!(names("/apis/events.k8s.io/v1"), ["events"]);
    let v = get(&s, &format!("{base}/api/v1")).json();
    assert_eq!(v["resources"][0]["shortNames"], serde_json::json!(["po"]));
    assert_eq!(v["resources"][0]["namespaced"], true);
    assert_eq!(v["resources"][3]["namespaced"], false);
    assert_status(&get(&s, &format!("{base}/apis/batch/v1")), 404, "NotFound");
    assert_eq!(get(&s, "/healthz").body, "ok");
}

#[test]
fn lists_and_gets_carry_the_scenario_objects_shifted_to_now() {
    let s = start(None);
    let base = crash();
    let list = get(
        &s,
        &format!("{base}/api/v1/namespaces/reporting/pods?limit=500"),
    );
    assert_eq!(list.status, 200);
    assert!(list.content_type.starts_with("application/json"));
    let v = list.json();
    assert_eq!(
        (v["kind"].as_str(), v["apiVersion"].as_str()),
        (Some("PodList"), Some("v1"))
    );
    let file = raw("00002", "pods.json");
    assert_eq!(
        v["items"].as_array().unwrap().len(),
        file["items"].as_array().unwrap().len()
    );
    let pod = get(
        &s,
        &format!("{base}/api/v1/namespaces/reporting/pods/{CRASH_POD}"),
    )
    .json();
    assert_eq!(pod["kind"], "Pod");
    assert_eq!(pod["metadata"]["name"], CRASH_POD);
    let cs = &pod["status"]["containerStatuses"][0];
    assert_eq!(cs["state"]["waiting"]["reason"], "CrashLoopBackOff");
    assert_eq!(cs["restartCount"], 5);
    // Every time moved by the same amount: the scenario's snapshot is now.
    let raw_pod = file["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["metadata"]["name"] == CRASH_POD)
        .unwrap();
    let t = |v: &Value| unix_seconds(v.as_str().unwrap()).unwrap();
    let shift = t(&cs["lastState"]["terminated"]["finishedAt"])
        - t(&raw_pod["status"]["containerStatuses"][0]["lastState"]["terminated"]["finishedAt"]);
    assert_eq!(
        t(&pod["metadata"]["creationTimestamp"]) - t(&raw_pod["metadata"]["creationTimestamp"]),
        shift
    );
    let all = get(&s, &format!("{base}/api/v1/pods")).json();
    assert_eq!(
        all["items"].as_array().unwrap().len(),
        v["items"].as_array().unwrap().len()
    );
    let nodes = get(&s, &format!("{base}/api/v1/nodes")).json();
    assert_eq!(nodes["kind"], "NodeList");
    let latest = nodes["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|n| n["status"]["conditions"].as_array().unwrap())
        .map(|c| t(&c["lastHeartbeatTime"]))
        .max()
        .unwrap();
    assert!(latest <= NOW, "no timestamp after the snapshot");
    let deploy = get(
        &s,
        &format!("{base}/apis/apps/v1/namespaces/reporting/deployments/shipment-consumer"),
    )
    .json();
    assert_eq!(
        (deploy["kind"].as_str(), deploy["apiVersion"].as_str()),
        (Some("Deployment"), Some("apps/v1"))
    );
    let rs = get(&s, &format!("{base}/apis/apps/v1/replicasets")).json();
    assert_eq!(rs["kind"], "ReplicaSetList");
    let sts = get(
        &s,
        &format!("{base}/apis/apps/v1/namespaces/reporting/statefulsets"),
    )
    .json();
    assert_eq!(sts["items"], serde_json::json!([]));
    let ns = get(&s, &format!("{base}/api/v1/namespaces")).json();
    assert!(
        ns["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["metadata"]["name"] == "reporting")
    );
    assert_eq!(
        get(&s, &format!("{base}/api/v1/namespaces/reporting")).json()["kind"],
        "Namespace"
    );
}

#[test]
fn tables_print_status_and_restarts_as_the_api_server_does() {
    let s = start(None);
    let base = crash();
    let v = call(
        &s,
        "GET",
        &format!("{base}/api/v1/namespaces/reporting/pods?limit=500"),
        &[("Accept", TABLE)],
    )
    .json();
    assert_eq!(
        (v["kind"].as_str(), v["apiVersion"].as_str()),
        (Some("Table"), Some("meta.k8s.io/v1"))
    );
    let cols: Vec<&str> = v["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(cols[..5], ["Name", "Ready", "Status", "Restarts", "Age"]);
    let row = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][0] == CRASH_POD)
        .unwrap();
    assert_eq!(row["cells"][1], "0/1");
    assert_eq!(row["cells"][2], "CrashLoopBackOff");
    // The restart's age, computed from the file: snapshot minus the last finish.
    let store = Store::load(&fixtures(), NOW).unwrap();
    let snapshot = store.get(&case_id("00002")).unwrap().snapshot;
    let finished = unix_seconds("2026-03-17T17:40:42Z").unwrap();
    assert_eq!(
        row["cells"][3],
        format!(
            "5 ({} ago)",
            server::table::human_duration(snapshot - finished)
        )
    );
    assert_eq!(row["object"]["kind"], "PartialObjectMetadata");
    assert_eq!(row["object"]["metadata"]["namespace"], "reporting");
    // The OOM-killed container of the other scenario.
    let oom = call(
        &s,
        "GET",
        &format!(
            "/s/{}/api/v1/namespaces/catalog/pods/invoice-consumer-75cpcwf9kk-cg95c",
            case_id("00000")
        ),
        &[("Accept", TABLE)],
    )
    .json();
    assert_eq!(oom["rows"].as_array().unwrap().len(), 1);
    assert_eq!(oom["rows"][0]["cells"][2], "OOMKilled");
    assert!(
        oom["rows"][0]["cells"][3]
            .as_str()
            .unwrap()
            .starts_with("7 (")
    );
    let image = call(
        &s,
        "GET",
        &format!("/s/{}/api/v1/namespaces/ledger/pods", case_id("00001")),
        &[("Accept", TABLE)],
    )
    .json();
    assert!(
        image["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["cells"][2] == "InvalidImageName")
    );
    for (path, first) in [
        ("/api/v1/events", "Last Seen"),
        ("/api/v1/nodes", "Name"),
        ("/apis/apps/v1/deployments", "Name"),
        ("/apis/apps/v1/replicasets", "Name"),
        ("/apis/apps/v1/statefulsets", "Name"),
        ("/apis/events.k8s.io/v1/events", "Last Seen"),
    ] {
        let v = call(&s, "GET", &format!("{base}{path}"), &[("Accept", TABLE)]).json();
        assert_eq!(v["kind"], "Table", "{path}");
        assert_eq!(v["columnDefinitions"][0]["name"], first, "{path}");
    }
    let nodes = call(
        &s,
        "GET",
        &format!("{base}/api/v1/nodes"),
        &[("Accept", TABLE)],
    )
    .json();
    assert!(
        nodes["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["cells"][1] == "Ready")
    );
    let deploys = call(
        &s,
        "GET",
        &format!("{base}/apis/apps/v1/namespaces/reporting/deployments"),
        &[("Accept", TABLE)],
    )
    .json();
    let d = deploys["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][0] == "shipment-consumer")
        .unwrap();
    assert_eq!(d["cells"][1], "0/1");
    let events = call(
        &s,
        "GET",
        &format!("{base}/api/v1/namespaces/reporting/events"),
        &[("Accept", TABLE)],
    )
    .json();
    let backoff = events["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][2] == "BackOff")
        .unwrap();
    assert_eq!(backoff["cells"][3], format!("pod/{CRASH_POD}"));
    assert_eq!(backoff["cells"][8], 45);
}

#[test]
fn selectors_filter_as_kubectl_describe_sends_them() {
    let s = start(None);
    let base = crash();
    let pod = get(
        &s,
        &format!("{base}/api/v1/namespaces/reporting/pods/{CRASH_POD}"),
    )
    .json();
    let uid = pod["metadata"]["uid"].as_str().unwrap().to_owned();
    let q = format!(
        "fieldSelector=involvedObject.uid%3D{uid}%2CinvolvedObject.name%3D{CRASH_POD}%2CinvolvedObject.namespace%3Dreporting&limit=500"
    );
    let v = get(
        &s,
        &format!("{base}/api/v1/namespaces/reporting/events?{q}"),
    )
    .json();
    let reasons: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["Scheduled", "Pulled", "Created", "Started", "BackOff"]
    );
    let node = "ip-10-0-173-213.eu-central-1.compute.internal";
    let q = format!(
        "fieldSelector=spec.nodeName%3D{node}%2Cstatus.phase%21%3DFailed%2Cstatus.phase%21%3DSucceeded"
    );
    let v = get(&s, &format!("{base}/api/v1/pods?{q}")).json();
    let names: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "shipment-sync-8thmfwjk28-n9lrg",
            "shipment-sync-8thmfwjk28-vpsjc"
        ]
    );
    let q = format!(
        "fieldSelector=involvedObject.kind%3DNode%2CinvolvedObject.name%3D{node}%2CinvolvedObject.namespace%3D"
    );
    let v = get(&s, &format!("{base}/api/v1/events?{q}")).json();
    let reasons: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["NodeHasInsufficientMemory", "EvictionThresholdMet"]
    );
    let v = get(
        &s,
        &format!("{base}/api/v1/namespaces/reporting/pods?labelSelector=app%3Dshipment-sync"),
    )
    .json();
    assert_eq!(v["items"].as_array().unwrap().len(), 3);
    let v = get(&s, &format!("{base}/api/v1/namespaces/reporting/pods?labelSelector=app+in+%28webhook%2Ccoupon-svc%29")).json();
    assert_eq!(v["items"].as_array().unwrap().len(), 5);
    assert_status(
        &get(&s, &format!("{base}/api/v1/pods?fieldSelector=bogus%3D1")),
        400,
        "BadRequest",
    );
    assert_status(
        &get(&s, &format!("{base}/api/v1/pods?labelSelector=a+in+b")),
        400,
        "BadRequest",
    );
    // events.k8s.io/v1: the new form, selectable by its own field names, no private keys.
    let a = get(
        &s,
        &format!(
            "{base}/apis/events.k8s.io/v1/namespaces/reporting/events?fieldSelector=regarding.name%3D{CRASH_POD}"
        ),
    );
    assert!(!a.body.contains("\\u0000"), "{}", a.body);
    let v = a.json();
    assert_eq!(v["apiVersion"], "events.k8s.io/v1");
    let first = &v["items"][0];
    assert_eq!(first["regarding"]["name"], CRASH_POD);
    assert_eq!(first["reportingController"], "default-scheduler");
    assert!(
        first["note"]
            .as_str()
            .unwrap()
            .starts_with("Successfully assigned")
    );
    assert_eq!(v["items"].as_array().unwrap().len(), 5);
}

#[test]
fn pod_logs_with_previous_container_and_tail_lines() {
    let s = start(None);
    let base = crash();
    let store = Store::load(&fixtures(), NOW).unwrap();
    let cluster = store.get(&case_id("00002")).unwrap();
    let previous = cluster
        .logs
        .as_ref()
        .unwrap()
        .iter()
        .find(|e| e.pod == CRASH_POD && e.previous)
        .unwrap()
        .answer
        .clone()
        .unwrap();
    assert!(previous.contains("Segmentation fault"));
    let path = format!("{base}/api/v1/namespaces/reporting/pods/{CRASH_POD}/log");
    let a = get(&s, &format!("{path}?container=shipment&previous=true"));
    assert_eq!((a.status, a.content_type.as_str()), (200, "text/plain"));
    assert_eq!(a.body, previous);
    // One container: no name needed.
    assert_eq!(get(&s, &format!("{path}?previous=true")).body, previous);
    let last = previous.lines().last().unwrap();
    assert_eq!(
        get(&s, &format!("{path}?previous=true&tailLines=1"))
            .body
            .trim_end(),
        last
    );
    assert_eq!(
        get(&s, &format!("{path}?previous=true&limitBytes=4")).body,
        previous[..4]
    );
    assert_status(
        &get(&s, &format!("{path}?container=sidecar")),
        400,
        "BadRequest",
    );
    assert_status(&get(&s, &format!("{path}?tailLines=x")), 400, "BadRequest");
    assert_status(
        &get(
            &s,
            &format!("{base}/api/v1/namespaces/reporting/pods/nope/log"),
        ),
        404,
        "NotFound",
    );
    // A previous instance that never existed, and the capture's own error answer.
    let never = get(
        &s,
        &format!(
            "{base}/api/v1/namespaces/reporting/pods/webhook-26t7dzfj9c-c7lrp/log?previous=true"
        ),
    );
    assert_status(&never, 400, "BadRequest");
    assert!(
        never.json()["message"]
            .as_str()
            .unwrap()
            .contains("previous terminated container")
    );
    let image = get(
        &s,
        &format!(
            "/s/{}/api/v1/namespaces/ledger/pods/feed-rqxmxjzpzv-qvldm/log",
            case_id("00001")
        ),
    );
    assert_status(&image, 400, "BadRequest");
    assert!(
        image.json()["message"]
            .as_str()
            .unwrap()
            .contains("waiting to start")
    );
}

#[test]
fn errors_are_kubernetes_status_objects() {
    let s = start(None);
    let base = crash();
    assert_status(
        &get(&s, &format!("{base}/api/v1/namespaces/reporting/pods/nope")),
        404,
        "NotFound",
    );
    let nf = get(&s, &format!("{base}/api/v1/namespaces/reporting/pods/nope")).json();
    assert_eq!(nf["message"], "pods \"nope\" not found");
    assert_eq!(nf["details"]["name"], "nope");
    assert_status(
        &get(&s, &format!("{base}/api/v1/namespaces/nowhere/pods")),
        404,
        "NotFound",
    );
    assert_status(
        &get(&s, "/s/cffffffffffffffff/api/v1/pods"),
        404,
        "NotFound",
    );
    assert_status(&get(&s, "/api/v1/pods"), 404, "NotFound");
    assert_status(&get(&s, &format!("{base}/api/v1/secrets")), 404, "NotFound");
    assert_status(
        &get(
            &s,
            &format!("{base}/api/v1/namespaces/reporting/pods/{CRASH_POD}/exec"),
        ),
        404,
        "NotFound",
    );
    assert_status(
        &get(&s, &format!("{base}/api/v1/namespaces/reporting/nodes")),
        404,
        "NotFound",
    );
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        let a = call(
            &s,
            method,
            &format!("{base}/api/v1/namespaces/reporting/pods/{CRASH_POD}"),
            &[],
        );
        assert_status(&a, 405, "MethodNotAllowed");
    }
    for path in [
        "/api/v1/namespaces/reporting/pods/..",
        "/api/v1/namespaces/reporting/pods/..%2F..%2Fscenario.yml",
        "/api/v1/namespaces/..%2F00001/pods",
        "/api/v1/namespaces/reporting/pods/a%5Cb/log",
    ] {
        assert_status(&get(&s, &format!("{base}{path}")), 400, "BadRequest");
    }
    assert_status(&get(&s, "/s/..%2F00001/api/v1/pods"), 404, "NotFound");
    // The token, instead of the path prefix.
    let id = case_id("00002");
    let auth = format!("Bearer {id}");
    let v = call(
        &s,
        "GET",
        "/api/v1/namespaces/reporting/pods",
        &[("Authorization", &auth)],
    )
    .json();
    assert_eq!(v["kind"], "PodList");
    assert_status(
        &call(
            &s,
            "GET",
            "/api/v1/pods",
            &[("Authorization", "Bearer nope")],
        ),
        401,
        "Unauthorized",
    );
}

#[test]
fn every_call_is_recorded_in_order_per_scenario() {
    let s = start(None);
    let base = crash();
    let bodies: Vec<Answer> = [
        format!("{base}/api/v1/namespaces/reporting/pods?limit=500"),
        format!("{base}/api/v1/namespaces/reporting/pods/{CRASH_POD}"),
        format!("{base}/api/v1/namespaces/reporting/pods/{CRASH_POD}/log?previous=true"),
        format!("{base}/api/v1/nodes/nope"),
    ]
    .iter()
    .map(|p| get(&s, p))
    .collect();
    call(
        &s,
        "DELETE",
        &format!("{base}/api/v1/namespaces/reporting/pods/{CRASH_POD}"),
        &[],
    );
    get(&s, &format!("/s/{}/version", case_id("00001")));
    let calls = s.recorder().calls(&case_id("00002"));
    let summary: Vec<(u64, &str, &str, &str, &str, u16)> = calls
        .iter()
        .map(|c| {
            (
                c.seq,
                c.verb.as_str(),
                c.resource.as_str(),
                c.namespace.as_str(),
                c.name.as_str(),
                c.status,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (0, "list", "pods", "reporting", "", 200),
            (1, "get", "pods", "reporting", CRASH_POD, 200),
            (2, "log", "pods/log", "reporting", CRASH_POD, 200),
            (3, "get", "nodes", "", "nope", 404),
            (4, "delete", "", "", "", 405),
        ]
    );
    assert_eq!(calls[0].args, "limit=500");
    assert_eq!(calls[2].args, "previous=true");
    for (c, a) in calls.iter().zip(&bodies) {
        assert_eq!(c.bytes, a.body.len() as u64);
    }
    assert!(calls.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
    let other = s.recorder().calls(&case_id("00001"));
    assert_eq!(other.len(), 1);
    assert_eq!(
        (other[0].verb.as_str(), other[0].resource.as_str()),
        ("discovery", "version")
    );
}

#[test]
fn the_call_budget_answers_429_and_counts_the_refusals() {
    let s = start(Some(3));
    let base = crash();
    for _ in 0..3 {
        assert_eq!(get(&s, &format!("{base}/api/v1/nodes")).status, 200);
    }
    for _ in 0..2 {
        assert_status(
            &get(&s, &format!("{base}/api/v1/nodes")),
            429,
            "TooManyRequests",
        );
    }
    assert_eq!(
        get(&s, &format!("/s/{}/api/v1/nodes", case_id("00001"))).status,
        200
    );
    let id = case_id("00002");
    assert_eq!(s.recorder().refused(&id), 2);
    let statuses: Vec<u16> = s.recorder().calls(&id).iter().map(|c| c.status).collect();
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
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
fn a_port_in_use_is_an_error_and_clients_cannot_change_the_corpus() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let store = Store::load(&fixtures(), NOW).unwrap();
    let err = Server::start(
        store,
        ServeOptions {
            bind: taken.local_addr().unwrap(),
            budget: None,
            clock: Clock::System,
        },
    )
    .unwrap_err();
    assert!(matches!(err, ServeError::Bind { .. }), "{err}");
    assert!(
        err.to_string().starts_with("cannot listen on 127.0.0.1:"),
        "{err}"
    );

    let mut before = BTreeMap::new();
    snapshot_of(&fixtures(), &mut before);
    let s = start(None);
    let base = crash();
    for method in ["DELETE", "PUT", "PATCH", "POST"] {
        for path in [
            "/api/v1/namespaces/reporting/pods".to_owned(),
            format!("/api/v1/namespaces/reporting/pods/{CRASH_POD}"),
            "/api/v1/nodes".to_owned(),
        ] {
            let a = call(
                &s,
                method,
                &format!("{base}{path}"),
                &[("Content-Type", "application/json")],
            );
            assert_eq!(a.status, 405);
        }
    }
    get(
        &s,
        &format!("{base}/api/v1/namespaces/reporting/pods/..%2F..%2F..%2Fanswer.yml"),
    );
    drop(s);
    let mut after = BTreeMap::new();
    snapshot_of(&fixtures(), &mut after);
    assert_eq!(before, after);
}

#[test]
fn the_kubeconfig_has_one_context_per_scenario() {
    let store = Store::load(&fixtures(), NOW).unwrap();
    let text = server::kubeconfig(store.clusters(), "http://127.0.0.1:9");
    for dir in ["00000", "00001", "00002", "00007"] {
        let id = case_id(dir);
        assert!(
            text.contains(&format!("    server: \"http://127.0.0.1:9/s/{id}\"\n")),
            "{text}"
        );
        assert!(text.contains(&format!(
            "- name: {id}\n  context:\n    cluster: {id}\n    user: {id}\n"
        )));
        assert!(text.contains(&format!("    token: {id}\n")));
    }
    assert!(text.contains("    namespace: \"reporting\"\n"));
    assert!(text.starts_with("apiVersion: v1\nkind: Config\n"));
}

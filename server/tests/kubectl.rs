//! The real `kubectl` of the machine against the server on loopback (an ephemeral port),
//! through the kubeconfig the server writes: `get pods -o wide`, `get pods -o json`,
//! `describe pod`, `get events`, `logs --previous`, `get nodes`, `describe node`,
//! `get deploy`, and a refused `delete`, each output checked for the facts of the golden
//! scenarios. Skipped, with a notice, only when `kubectl` is not installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use scenario::case_id;
use server::{Clock, ServeOptions, Server, Store};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/scenarios")
}

fn kubectl_present() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
}

struct Session {
    server: Server,
    _dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

fn session() -> Option<Session> {
    if !kubectl_present() {
        eprintln!("notice: kubectl is not installed; the kubectl tests are skipped");
        return None;
    }
    let store = Store::load(&fixtures(), Clock::System.now()).expect("the golden scenarios load");
    let clusters: Vec<server::store::Cluster> = store.clusters().cloned().collect();
    let server = Server::start(
        store,
        ServeOptions {
            bind: "127.0.0.1:0".parse().unwrap(),
            budget: None,
            clock: Clock::System,
        },
    )
    .expect("the server starts");
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, server::kubeconfig(&clusters, &server.url())).unwrap();
    Some(Session {
        server,
        _dir: dir,
        kubeconfig,
    })
}

impl Session {
    /// Runs kubectl in the context of scenario `dir`; (success, stdout, stderr).
    fn kubectl(&self, dir: &str, args: &[&str]) -> (bool, String, String) {
        let out = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(["--context", &case_id(dir), "--request-timeout", "20s"])
            .args(args)
            // No cache or config of the machine is read or written.
            .env("HOME", self._dir.path())
            .env("KUBECACHEDIR", self._dir.path().join("cache"))
            .output()
            .expect("kubectl runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ok(&self, dir: &str, args: &[&str]) -> String {
        let (ok, stdout, stderr) = self.kubectl(dir, args);
        assert!(ok, "kubectl {args:?} failed: {stderr}\n{stdout}");
        stdout
    }
}

/// The row of `name` in a `kubectl get` table, split into columns.
fn row<'a>(table: &'a str, name: &str) -> Vec<&'a str> {
    let line = table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no row {name} in\n{table}"));
    // Columns are separated by 3+ spaces; a cell like `5 (4m ago)` has single spaces.
    line.split("   ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

const CRASH_POD: &str = "shipment-consumer-wmzh8ml2vj-l4n2l";

#[test]
fn kubectl_reads_pods_events_logs_nodes_and_deployments() {
    let Some(s) = session() else { return };

    let wide = s.ok("00002", &["get", "pods", "-o", "wide"]);
    let header: Vec<&str> = wide
        .lines()
        .next()
        .unwrap()
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        header,
        [
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
            "NOMINATED NODE",
            "READINESS GATES"
        ]
    );
    let r = row(&wide, CRASH_POD);
    assert_eq!(r[1..3], ["0/1", "CrashLoopBackOff"]);
    assert!(r[3].starts_with("5 (") && r[3].ends_with(" ago)"), "{r:?}");
    assert_eq!(r[6], "ip-10-0-12-15.eu-central-1.compute.internal");
    assert_eq!(wide.lines().count(), 11, "{wide}");

    let json: serde_json::Value =
        serde_json::from_str(&s.ok("00002", &["get", "pods", "-o", "json"])).unwrap();
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    let pod = items
        .iter()
        .find(|p| p["metadata"]["name"] == CRASH_POD)
        .unwrap();
    assert_eq!(pod["status"]["containerStatuses"][0]["restartCount"], 5);
    assert_eq!(
        pod["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"],
        139
    );

    let describe = s.ok("00002", &["describe", "pod", CRASH_POD]);
    for fact in [
        "Status:           Running",
        "State:          Waiting",
        "Reason:       CrashLoopBackOff",
        "Last State:     Terminated",
        "Reason:       Error",
        "Exit Code:    139",
        "Restart Count:  5",
    ] {
        assert!(
            describe.contains(fact),
            "describe pod lacks {fact:?}:\n{describe}"
        );
    }
    let events_section = describe.split("Events:").nth(1).expect("an Events section");
    assert!(
        events_section.contains("Back-off restarting failed container shipment"),
        "{events_section}"
    );
    assert!(events_section.contains("(x45 over"), "{events_section}");

    let events = s.ok("00002", &["get", "events"]);
    let backoff = events
        .lines()
        .find(|l| l.contains("BackOff"))
        .expect("a BackOff event");
    assert!(
        backoff.contains("Warning") && backoff.contains(&format!("pod/{CRASH_POD}")),
        "{backoff}"
    );
    let all = s.ok("00000", &["get", "events", "-A"]);
    assert!(
        all.lines()
            .any(|l| l.contains("OOMKilling") && l.contains("node/ip-10-48-62-29")),
        "{all}"
    );

    let store = Store::load(&fixtures(), 0).unwrap();
    let previous = store
        .get(&case_id("00002"))
        .unwrap()
        .logs
        .as_ref()
        .unwrap()
        .iter()
        .find(|e| e.pod == CRASH_POD && e.previous)
        .unwrap()
        .answer
        .clone()
        .unwrap();
    let logs = s.ok(
        "00002",
        &["logs", CRASH_POD, "--previous", "-c", "shipment"],
    );
    assert!(logs.trim_end().ends_with("Segmentation fault"), "{logs}");
    assert_eq!(logs.lines().count(), previous.lines().count());
    let tail = s.ok("00002", &["logs", CRASH_POD, "--previous", "--tail", "1"]);
    assert_eq!(tail.trim_end(), "Segmentation fault");

    let nodes = s.ok("00002", &["get", "nodes"]);
    assert_eq!(nodes.lines().count(), 6, "{nodes}");
    assert_eq!(
        row(&nodes, "ip-10-0-173-213.eu-central-1.compute.internal")[1],
        "Ready"
    );

    let node = s.ok(
        "00002",
        &[
            "describe",
            "node",
            "ip-10-0-173-213.eu-central-1.compute.internal",
        ],
    );
    let pressure = node
        .lines()
        .find(|l| l.trim_start().starts_with("MemoryPressure"))
        .expect("a MemoryPressure condition");
    assert!(
        pressure.contains("True") && pressure.contains("KubeletHasInsufficientMemory"),
        "{pressure}"
    );
    assert!(
        node.contains("Non-terminated Pods:          (2 in total)"),
        "{node}"
    );
    assert!(
        node.contains("shipment-sync-8thmfwjk28-n9lrg")
            && node.contains("shipment-sync-8thmfwjk28-vpsjc")
    );
    assert!(node.contains("EvictionThresholdMet"), "{node}");

    let deploy = s.ok("00002", &["get", "deploy"]);
    assert_eq!(row(&deploy, "shipment-consumer")[1..4], ["0/1", "1", "0"]);
    assert_eq!(row(&deploy, "webhook")[1], "3/3");

    // Other scenarios of the same server: an OOM kill and a bad image reference.
    let oom = s.ok("00000", &["get", "pods"]);
    assert_eq!(
        row(&oom, "invoice-consumer-75cpcwf9kk-cg95c")[2],
        "OOMKilled"
    );
    let image = s.ok("00001", &["get", "pods", "-n", "ledger"]);
    assert_eq!(row(&image, "feed-rqxmxjzpzv-qvldm")[2], "InvalidImageName");

    // Writes are refused with the API's own Status; nothing changes.
    let (ok, _, err) = s.kubectl("00002", &["delete", "pod", CRASH_POD]);
    assert!(!ok);
    assert!(
        err.contains("Error from server (MethodNotAllowed)"),
        "{err}"
    );
    assert_eq!(
        row(&s.ok("00002", &["get", "pods"]), CRASH_POD)[2],
        "CrashLoopBackOff"
    );
    let (ok, _, err) = s.kubectl("00002", &["get", "pod", "nope"]);
    assert!(!ok && err.contains("pods \"nope\" not found"), "{err}");

    // Every kubectl request was recorded in the scenario's trajectory.
    let calls = s.server.recorder().calls(&case_id("00002"));
    assert!(
        calls
            .iter()
            .any(|c| c.verb == "log" && c.args.contains("previous=true"))
    );
    assert!(calls.iter().any(|c| c.verb == "delete" && c.status == 405));
}

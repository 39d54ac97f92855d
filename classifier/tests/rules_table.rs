//! Table-driven tests of the rule baseline's tricky rules: each row is a case built from the
//! canonical healthy scenario with a few edits, and the expected answer at every level.

mod common;

use classifier::rules;
use scenario::files::{ContainerState, DatadogLog, Event, Pod};
use scenario::{Case, Category, FailureMode, RootCause, Source};

const NS: &str = "payments";
const POD: &str = "payments-api-7f9dd8b6c4-k2m4p";
const NODE: &str = "ip-10-0-2-17.us-east-1.compute.internal";
const OTHER_NODE: &str = "ip-10-0-1-42.us-east-1.compute.internal";
const C: &str = "payments-api";

/// The expected prediction at every level.
struct Expected {
    mode: FailureMode,
    category: Category,
    cause: RootCause,
    /// Pod name (namespace added by the check) and container ("" for none), if the answer
    /// names them.
    at: Option<(&'static str, &'static str)>,
    exit_code: Option<i32>,
    /// Text the explanation must contain.
    cites: &'static [&'static str],
}

fn expect(
    cause: RootCause,
    at: Option<(&'static str, &'static str)>,
    exit_code: Option<i32>,
) -> Expected {
    Expected {
        mode: cause.mode(),
        category: cause.category(),
        cause,
        at,
        exit_code,
        cites: &[],
    }
}

fn here(cause: RootCause, exit_code: Option<i32>) -> Expected {
    expect(cause, Some((POD, C)), exit_code)
}

fn healthy() -> Expected {
    expect(RootCause::None, None, None)
}

/// The canonical healthy case.
fn base() -> Case {
    common::cases(1).remove(0).tap(|c| {
        c.context.workload_name = "payments-api".into();
    })
}

trait Tap: Sized {
    fn tap(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}
impl<T> Tap for T {}

fn pods(c: &mut Case) -> &mut Vec<Pod> {
    match c.evidence.eks_pods.as_mut() {
        Some(Source::Available(p)) => &mut p.pods,
        _ => panic!("base has pods"),
    }
}

fn events(c: &mut Case) -> &mut Vec<Event> {
    match c.evidence.eks_events.as_mut() {
        Some(Source::Available(e)) => &mut e.warning_events,
        _ => panic!("base has events"),
    }
}

fn datadog(c: &mut Case) -> &mut Vec<DatadogLog> {
    match c.evidence.datadog_logs.as_mut() {
        Some(Source::Available(l)) => &mut l.logs,
        _ => panic!("base has datadog logs"),
    }
}

/// Sets the state of the `payments-api` container of pod POD.
fn set_state(c: &mut Case, ready: bool, restarts: u32, state: ContainerState) {
    let pod = pods(c)
        .iter_mut()
        .find(|p| p.name == POD)
        .expect("POD in base");
    let container = &mut pod.containers[0];
    container.ready = ready;
    container.restart_count = restarts;
    container.state = state;
}

fn terminated(reason: &str, code: i32, message: &str) -> ContainerState {
    ContainerState {
        terminated: Some(true),
        reason: Some(reason.into()),
        exit_code: Some(code),
        message: (!message.is_empty()).then(|| message.into()),
        ..ContainerState::default()
    }
}

fn waiting(reason: &str, message: &str, code: Option<i32>) -> ContainerState {
    ContainerState {
        waiting: Some(true),
        reason: Some(reason.into()),
        message: Some(message.into()),
        exit_code: code,
        ..ContainerState::default()
    }
}

fn running() -> ContainerState {
    ContainerState {
        running: Some(true),
        started_at: Some("2026-04-18T10:40:00Z".into()),
        ..ContainerState::default()
    }
}

fn event(reason: &str, object: &str, message: &str) -> Event {
    Event {
        namespace: NS.into(),
        reason: reason.into(),
        message: message.into(),
        kind: "Warning".into(),
        count: Some(12),
        involved_object: object.into(),
        first_time: Some("2026-04-18T10:01:00Z".into()),
        last_time: Some("2026-04-18T10:44:00Z".into()),
    }
}

fn backoff() -> Event {
    event(
        "BackOff",
        &format!("Pod/{POD}"),
        &format!("Back-off restarting failed container {C} in pod {POD}_{NS}(uid)"),
    )
}

fn dd(service: &str, host: &str, message: &str) -> DatadogLog {
    DatadogLog {
        timestamp: "2026-04-18T10:44:09.000Z".into(),
        message: message.into(),
        status: Some("error".into()),
        service: Some(service.into()),
        host: Some(host.into()),
        tags: vec![
            format!("kube_namespace:{NS}"),
            format!("kube_deployment:{service}"),
        ],
        attributes: std::collections::BTreeMap::default(),
    }
}

fn set_pod_logs(c: &mut Case, logs: &str) {
    c.evidence.eks_pod_logs = Some(Source::Available(scenario::files::PodLogsFile {
        pod_name: POD.into(),
        namespace: NS.into(),
        logs: logs.into(),
    }));
}

fn check(name: &str, case: Case, want: Expected, failures: &mut Vec<String>) {
    let p = rules::classify(&case);
    let got_at = (p.affected_pod.clone(), p.affected_container.clone());
    let want_at = match want.at {
        Some((pod, c)) => (
            Some(format!("{NS}/{pod}")),
            (!c.is_empty()).then(|| c.to_owned()),
        ),
        None => (None, None),
    };
    let mut wrong = Vec::new();
    if p.failure_mode != want.mode {
        wrong.push(format!(
            "failure_mode {} (expected {})",
            p.failure_mode, want.mode
        ));
    }
    if p.root_cause_category != want.category {
        wrong.push(format!(
            "category {} (expected {})",
            p.root_cause_category, want.category
        ));
    }
    if p.root_cause != want.cause {
        wrong.push(format!(
            "root_cause {} (expected {})",
            p.root_cause, want.cause
        ));
    }
    if got_at != want_at {
        wrong.push(format!("at {got_at:?} (expected {want_at:?})"));
    }
    if p.exit_code != want.exit_code {
        wrong.push(format!(
            "exit_code {:?} (expected {:?})",
            p.exit_code, want.exit_code
        ));
    }
    for cite in want.cites {
        if !p.explanation.contains(cite) {
            wrong.push(format!("explanation lacks {cite:?}"));
        }
    }
    if let Err(e) = p.check() {
        wrong.push(e);
    }
    if !wrong.is_empty() {
        failures.push(format!(
            "{name}: {}\n    explanation: {}",
            wrong.join(", "),
            p.explanation
        ));
    }
}

#[test]
fn tricky_rules() {
    let mut failures = Vec::new();
    let f = &mut failures;

    // Exit codes and reasons.
    check(
        "137 without OOMKilled is not an OOM",
        base().tap(|c| {
            set_state(c, false, 7, terminated("Error", 137, ""));
            events(c).push(backoff());
        }),
        Expected {
            mode: FailureMode::CrashloopBackoff,
            category: Category::Unknown,
            cause: RootCause::Unknown,
            at: Some((POD, C)),
            exit_code: Some(137),
            cites: &["exit_code=137", "not evidence of OOM"],
        },
        f,
    );
    check(
        "137 after liveness kills is a probe failure",
        base().tap(|c| {
            set_state(c, false, 7, terminated("Error", 137, ""));
            events(c).push(event("Unhealthy", &format!("Pod/{POD}"), "Liveness probe failed: Get \"http://10.0.2.31:8080/healthz\": context deadline exceeded"));
            events(c).push(event("Killing", &format!("Pod/{POD}"), &format!("Container {C} failed liveness probe, will be restarted")));
        }),
        Expected {
            mode: FailureMode::ProbeFailure,
            category: Category::ConfigurationError,
            cause: RootCause::Unknown,
            at: Some((POD, C)),
            exit_code: Some(137),
            cites: &["Liveness probe failed"],
        },
        f,
    );
    check(
        "OOMKilled with a kernel OOM on its node under memory pressure is node_oom",
        base().tap(|c| {
            set_state(c, false, 3, terminated("OOMKilled", 137, ""));
            events(c).push(event("OOMKilling", &format!("Node/{NODE}"), "Out of memory: Killed process 4121 (java) total-vm:8123456kB, anon-rss:6123456kB, file-rss:0kB, shmem-rss:0kB"));
            if let Some(Source::Available(n)) = c.evidence.eks_node_health.as_mut() {
                n.nodes.iter_mut().find(|n| n.name == NODE).unwrap().memory_pressure = scenario::files::ConditionStatus::True;
            }
        }),
        Expected { cites: &["OOMKilling Node/", "memory_pressure=True"], ..here(RootCause::NodeOom, Some(137)) },
        f,
    );
    check(
        "OOMKilled with the kernel OOM on another node is container_oom",
        base().tap(|c| {
            set_state(c, false, 3, terminated("OOMKilled", 137, ""));
            events(c).push(event("OOMKilling", &format!("Node/{OTHER_NODE}"), "Out of memory: Killed process 99 (ruby) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB"));
        }),
        here(RootCause::ContainerOom, Some(137)),
        f,
    );
    check(
        "OOMKilled with exit 1 (a child process was killed) is still OOM",
        base().tap(|c| set_state(c, false, 2, terminated("OOMKilled", 1, ""))),
        here(RootCause::ContainerOom, Some(1)),
        f,
    );
    let pressured = |c: &mut Case| {
        if let Some(Source::Available(n)) = c.evidence.eks_node_health.as_mut() {
            n.nodes
                .iter_mut()
                .find(|n| n.name == NODE)
                .unwrap()
                .memory_pressure = scenario::files::ConditionStatus::True;
        }
    };
    check(
        "OOMKilled on a node under memory pressure, no kernel log in Datadog, is node_oom",
        base().tap(|c| {
            set_state(c, false, 3, terminated("OOMKilled", 137, ""));
            pressured(c);
        }),
        Expected {
            cites: &["memory_pressure=True on the pod's node"],
            ..here(RootCause::NodeOom, Some(137))
        },
        f,
    );
    check(
        "OOMKilled under node pressure with a kernel log that shows no global kill is container_oom",
        base().tap(|c| {
            set_state(c, false, 3, terminated("OOMKilled", 137, ""));
            pressured(c);
            let mut line = dd(
                "kernel",
                NODE,
                "EXT4-fs (nvme0n1p1): re-mounted. Opts: (null)",
            );
            line.tags.push("source:kernel".into());
            datadog(c).push(line);
        }),
        here(RootCause::ContainerOom, Some(137)),
        f,
    );
    check(
        "OOMKilled under node pressure with a cgroup kill line is container_oom",
        base().tap(|c| {
            set_state(c, false, 3, terminated("OOMKilled", 137, ""));
            pressured(c);
            events(c).push(event("OOMKilling", &format!("Node/{NODE}"), "Memory cgroup out of memory: Killed process 4121 (java) total-vm:1123456kB, anon-rss:523456kB, file-rss:0kB, shmem-rss:0kB"));
        }),
        here(RootCause::ContainerOom, Some(137)),
        f,
    );
    for line in [
        "sh: 1: exec: /srv/main: not found",
        "/bin/sh: entrypoint: not found",
    ] {
        check(
            &format!("a shell that cannot find the command ({line}) is command_not_found"),
            base().tap(|c| {
                set_state(
                    c,
                    false,
                    7,
                    waiting(
                        "CrashLoopBackOff",
                        "back-off 2m40s restarting failed container",
                        None,
                    ),
                );
                events(c).push(backoff());
                set_pod_logs(c, &format!("{line}\n"));
            }),
            here(RootCause::CommandNotFound, None),
            f,
        );
    }
    for line in [
        "Caused by: java.net.SocketTimeoutException: Connect timed out",
        "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
        "Error: pool timed out while waiting for an open connection",
        "wait-for-it.sh: timeout occurred after waiting 30 seconds for payments-db:5432",
    ] {
        check(
            &format!("a connection that timed out ({line}) is dependency_unavailable"),
            base().tap(|c| {
                set_state(
                    c,
                    false,
                    7,
                    waiting(
                        "CrashLoopBackOff",
                        "back-off 2m40s restarting failed container",
                        None,
                    ),
                );
                events(c).push(backoff());
                set_pod_logs(c, &format!("INFO starting payments-api\n{line}\n"));
            }),
            here(RootCause::DependencyUnavailable, None),
            f,
        );
    }
    check(
        "StartError 128 with executable not found is command_not_found",
        base().tap(|c| {
            set_state(c, false, 5, terminated("StartError", 128, "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"payments-server\": executable file not found in $PATH: unknown"));
        }),
        Expected { cites: &["reason=StartError"], ..here(RootCause::CommandNotFound, Some(128)) },
        f,
    );
    check(
        "ContainerCannotRun 127 is command_not_found",
        base().tap(|c| {
            set_state(
                c,
                false,
                5,
                terminated(
                    "ContainerCannotRun",
                    127,
                    "exec: \"/app/run\": stat /app/run: no such file or directory",
                ),
            );
        }),
        here(RootCause::CommandNotFound, Some(127)),
        f,
    );
    check(
        "StartError with exec format error is permission_denied",
        base().tap(|c| {
            set_state(
                c,
                false,
                5,
                terminated(
                    "StartError",
                    128,
                    "exec /usr/local/bin/server: exec format error",
                ),
            );
        }),
        here(RootCause::PermissionDenied, Some(128)),
        f,
    );
    check(
        "126 is permission_denied",
        base().tap(|c| set_state(c, false, 5, terminated("Error", 126, ""))),
        here(RootCause::PermissionDenied, Some(126)),
        f,
    );
    check(
        "139 is a segfault",
        base().tap(|c| set_state(c, false, 9, terminated("Error", 139, ""))),
        here(RootCause::Segfault, Some(139)),
        f,
    );
    check(
        "CreateContainerConfigError is missing_config",
        base().tap(|c| {
            set_state(
                c,
                false,
                0,
                waiting(
                    "CreateContainerConfigError",
                    "configmap \"payments-config\" not found",
                    None,
                ),
            );
            events(c).push(event(
                "Failed",
                &format!("Pod/{POD}"),
                "Error: configmap \"payments-config\" not found",
            ));
        }),
        Expected {
            cites: &["CreateContainerConfigError", "payments-config"],
            ..here(RootCause::MissingConfig, None)
        },
        f,
    );
    check(
        "exit code inside a waiting state (hand-written fixture) plus an unset env var is missing_config",
        base().tap(|c| {
            set_state(c, false, 14, waiting("CrashLoopBackOff", "back-off 5m0s restarting failed container", Some(1)));
            events(c).push(backoff());
            set_pod_logs(c, "INFO starting payments-api 2.14.1\nFATAL environment variable DATABASE_URL is not set\n");
        }),
        Expected { cites: &["DATABASE_URL"], ..here(RootCause::MissingConfig, Some(1)) },
        f,
    );

    // History and scope.
    check(
        "healthy pod with old OOM history is healthy",
        base().tap(|c| {
            set_state(c, true, 4, running());
            datadog(c).push(dd(
                "payments-api",
                NODE,
                "java.lang.OutOfMemoryError: Java heap space",
            ));
        }),
        Expected {
            cites: &["old restarts are history"],
            ..healthy()
        },
        f,
    );
    check(
        "unrelated failing workload in the namespace leaves the alerted one healthy",
        base().tap(|c| {
            let mut other = pods(c)[0].clone();
            other.name = "payments-api-worker-6b7c9d8f5-zz9xq".into();
            other.containers[0].name = "worker".into();
            other.containers[0].ready = false;
            other.containers[0].restart_count = 31;
            other.containers[0].state = waiting("CrashLoopBackOff", "back-off 5m0s restarting failed container", Some(1));
            pods(c).push(other);
            if let Some(Source::Available(d)) = c.evidence.eks_deployments.as_mut() {
                let mut w = d.deployments[0].clone();
                w.name = "payments-api-worker".into();
                d.deployments.push(w);
            }
            events(c).push(event("BackOff", "Pod/payments-api-worker-6b7c9d8f5-zz9xq", "Back-off restarting failed container worker in pod payments-api-worker-6b7c9d8f5-zz9xq_payments(uid)"));
            datadog(c).push(dd("payments-api-worker", OTHER_NODE, "FATAL could not connect to postgres: connection refused"));
        }),
        healthy(),
        f,
    );

    // Sources missing or unavailable.
    check(
        "Datadog unavailable: the pod log still names the dependency",
        base().tap(|c| {
            set_state(c, false, 9, waiting("CrashLoopBackOff", "back-off 2m40s restarting failed container", None));
            events(c).push(backoff());
            c.evidence.datadog_logs = Some(Source::Unavailable { error: "403 Forbidden: API key invalid".into() });
            set_pod_logs(c, "INFO connecting to postgres at payments-db:5432\nERROR dial tcp 10.0.3.12:5432: connect: connection refused\nFATAL giving up after 5 attempts, exiting\n");
        }),
        Expected { cites: &["datadog_logs.json unavailable", "connection refused"], ..here(RootCause::DependencyUnavailable, None) },
        f,
    );
    check(
        "pods unavailable: judged from the workload's events and logs",
        base().tap(|c| {
            c.evidence.eks_pods = Some(Source::Unavailable {
                error: "Unauthorized".into(),
            });
            events(c).push(backoff());
            set_pod_logs(c, "starting\nSegmentation fault (core dumped)\n");
        }),
        here(RootCause::Segfault, None),
        f,
    );
    check(
        "an exit code found only in the events",
        base().tap(|c| {
            set_state(
                c,
                false,
                9,
                waiting(
                    "CrashLoopBackOff",
                    "back-off 5m0s restarting failed container",
                    None,
                ),
            );
            events(c).push(backoff());
            events(c).push(event(
                "Failed",
                &format!("Pod/{POD}"),
                "Error: container payments-api exited with code 139",
            ));
        }),
        here(RootCause::Segfault, Some(139)),
        f,
    );
    check(
        "a warning about a dependency before an application panic is an app error",
        base().tap(|c| {
            set_state(c, false, 6, terminated("Error", 2, ""));
            set_pod_logs(c, "WARN redis cache: dial tcp 10.0.4.2:6379: connect: connection refused, running without cache\npanic: runtime error: index out of range [3] with length 3\n");
        }),
        here(RootCause::AppError, Some(2)),
        f,
    );
    check(
        "between two crashes (running, not ready) the logs decide",
        base().tap(|c| {
            set_state(c, false, 22, running());
            events(c).push(backoff());
            datadog(c).push(dd("payments-api", NODE, "FATAL: could not connect to server: Connection refused. Is the server running on host \"payments-db\" and accepting TCP/IP connections on port 5432?"));
        }),
        here(RootCause::DependencyUnavailable, None),
        f,
    );

    // Image pulls.
    for (message, cause) in [
        (
            "Failed to pull image \"r.example.com/payments-api:2.15.0\": unexpected status from HEAD request: 401 Unauthorized",
            RootCause::RegistryAuth,
        ),
        (
            "Failed to pull image \"docker.io/library/payments-api:2.15.0\": 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit",
            RootCause::RateLimited,
        ),
        (
            "Failed to pull image \"registry.internal/payments-api:2.15.0\": dial tcp: lookup registry.internal on 10.0.0.2:53: no such host",
            RootCause::RegistryUnreachable,
        ),
        (
            "Failed to pull image \"ghcr.io/acme/payments-api:2.15.0\": failed to resolve reference \"ghcr.io/acme/payments-api:2.15.0\": failed to do request: Head \"https://ghcr.io/v2/acme/payments-api/manifests/2.15.0\": dial tcp: lookup ghcr.io on 10.0.0.2:53: server misbehaving",
            RootCause::RegistryUnreachable,
        ),
    ] {
        check(
            &format!("image pull: {cause}"),
            base().tap(|c| {
                pods(c).iter_mut().find(|p| p.name == POD).unwrap().phase = "Pending".into();
                set_state(
                    c,
                    false,
                    0,
                    waiting(
                        "ImagePullBackOff",
                        "Back-off pulling image \"payments-api:2.15.0\"",
                        None,
                    ),
                );
                events(c).push(event("Failed", &format!("Pod/{POD}"), message));
            }),
            Expected {
                cites: &["Failed to pull image"],
                ..here(cause, None)
            },
            f,
        );
    }
    check(
        "image pull: ErrImagePull carries the error text itself",
        base().tap(|c| set_state(c, false, 0, waiting("ErrImagePull", "rpc error: code = Unknown desc = Error response from daemon: pull access denied for payments-api, repository does not exist or may require 'docker login'", None))),
        here(RootCause::RegistryAuth, None),
        f,
    );
    check(
        "image pull: InvalidImageName",
        base().tap(|c| set_state(c, false, 0, waiting("InvalidImageName", "Failed to apply default image tag \"Payments-API:latest\": couldn't parse image reference", None))),
        here(RootCause::InvalidImageName, None),
        f,
    );

    check(
        "a waiting container on a node where the kernel OOM killer fired is node_oom",
        base().tap(|c| {
            set_state(c, false, 6, waiting("CrashLoopBackOff", "back-off 2m40s restarting failed container", None));
            events(c).push(backoff());
            events(c).push(event("OOMKilling", &format!("Node/{NODE}"), "Out of memory: Killed process 3725 (python3) total-vm:12341307kB, anon-rss:11501311kB, file-rss:0kB, shmem-rss:0kB"));
            if let Some(Source::Available(n)) = c.evidence.eks_node_health.as_mut() {
                n.nodes.iter_mut().find(|n| n.name == NODE).unwrap().memory_pressure = scenario::files::ConditionStatus::True;
            }
        }),
        Expected { cites: &["OOMKilling Node/"], ..here(RootCause::NodeOom, None) },
        f,
    );
    check(
        "an image tag that looks like a status code is not one",
        base().tap(|c| {
            set_state(c, false, 0, waiting("ImagePullBackOff", "Back-off pulling image \"quay.io/acme/payments-api:main-429\"", None));
            events(c).push(event("Failed", &format!("Pod/{POD}"), "Failed to pull image \"quay.io/acme/payments-api:main-429\": failed to resolve reference \"quay.io/acme/payments-api:main-429\": failed to do request: Head \"https://quay.io/v2/acme/payments-api/manifests/main-429\": dial tcp 10.32.88.59:443: i/o timeout"));
        }),
        here(RootCause::RegistryUnreachable, None),
        f,
    );
    check(
        "a Go SIGSEGV panic with no exit code in sight is segfault evidence",
        base().tap(|c| {
            set_state(c, false, 6, waiting("CrashLoopBackOff", "back-off 2m40s restarting failed container", None));
            events(c).push(backoff());
            set_pod_logs(c, "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a5b2c]\n");
        }),
        here(RootCause::Segfault, None),
        f,
    );

    check(
        "waiting with no exit code, logs ending mid-flow at the memory limit is container_oom",
        base().tap(|c| {
            set_state(c, false, 9, waiting("CrashLoopBackOff", "back-off 5m0s restarting failed container", None));
            events(c).push(backoff());
            set_pod_logs(c, "INFO processing batch of 900 records\nWARN heap usage at 93% of 512Mi\nINFO processing batch of 900 records\n");
        }),
        Expected { cites: &["93%"], ..here(RootCause::ContainerOom, None) },
        f,
    );
    check(
        "a memory warning does not outweigh an application panic",
        base().tap(|c| {
            set_state(c, false, 9, waiting("CrashLoopBackOff", "back-off 5m0s restarting failed container", None));
            events(c).push(backoff());
            set_pod_logs(c, "WARN heap usage at 93% of 512Mi\npanic: runtime error: index out of range [7] with length 7\n");
        }),
        here(RootCause::AppError, None),
        f,
    );

    // A workload short of replicas is not healthy (issue 9 item 8).
    fn short(c: &mut Case, desired: u32, ready: u32) {
        if let Some(Source::Available(d)) = c.evidence.eks_deployments.as_mut() {
            d.deployments[0].desired = desired;
            d.deployments[0].ready = Some(ready);
            d.deployments[0].available = Some(ready);
            d.deployments[0].unavailable = Some(desired - ready);
        }
    }
    let mode_only = |mode, category, cites| Expected {
        mode,
        category,
        cause: RootCause::Unknown,
        at: None,
        exit_code: None,
        cites,
    };
    check(
        "pods the ResourceQuota admission refused: quota exceeded",
        base().tap(|c| {
            short(c, 5, 3);
            events(c).push(event("FailedCreate", "ReplicaSet/payments-api-7f9dd8b6c4", "Error creating: pods \"payments-api-7f9dd8b6c4-zz9kq\" is forbidden: exceeded quota: payments-quota, requested: limits.memory=512Mi, used: limits.memory=1536Mi, limited: limits.memory=2Gi"));
        }),
        mode_only(FailureMode::ResourceQuotaExceeded, Category::ResourceExhaustion, &["ready 3/5", "exceeded quota"]),
        f,
    );
    check(
        "a rollout past its progress deadline is stuck",
        base().tap(|c| {
            short(c, 5, 3);
            events(c).push(event(
                "ProgressDeadlineExceeded",
                "Deployment/payments-api",
                "Deployment payments-api has timed out progressing",
            ));
        }),
        mode_only(
            FailureMode::DeploymentRolloutStuck,
            Category::Unknown,
            &["ProgressDeadlineExceeded"],
        ),
        f,
    );
    check(
        "replicas missing without a reason in sight: unknown, not healthy",
        base().tap(|c| short(c, 5, 3)),
        mode_only(FailureMode::Unknown, Category::Unknown, &["not explained"]),
        f,
    );
    let liveness = |c: &mut Case, kills: u32| {
        let mut probe = event(
            "Unhealthy",
            &format!("Pod/{POD}"),
            "Liveness probe failed: HTTP probe failed with statuscode: 500",
        );
        probe.count = Some(kills * 3);
        let mut kill = event(
            "Killing",
            &format!("Pod/{POD}"),
            &format!("Container {C} failed liveness probe, will be restarted"),
        );
        kill.count = Some(kills);
        events(c).push(probe);
        events(c).push(kill);
        set_state(c, true, kills, running());
    };
    check(
        "a container its liveness probe keeps killing (OpenSRE 004): probe failure, not healthy",
        base().tap(|c| liveness(c, 6)),
        Expected {
            at: Some((POD, C)),
            ..mode_only(
                FailureMode::ProbeFailure,
                Category::ConfigurationError,
                &["6 liveness kills", "Liveness probe failed"],
            )
        },
        f,
    );
    check(
        "a single liveness kill is a blip: healthy",
        base().tap(|c| liveness(c, 1)),
        healthy(),
        f,
    );
    check(
        "running pods whose own logs cannot resolve a dependency (OpenSRE 006): DNS failure",
        base().tap(|c| {
            datadog(c).push(dd("payments-api", NODE, "[payments-api] dial tcp: lookup payments-db.payments.svc.cluster.local on 172.20.0.10:53: no such host"));
        }),
        mode_only(FailureMode::DnsResolutionFailure, Category::DependencyFailure, &["no such host"]),
        f,
    );
    check(
        "another service's DNS errors do not make a running workload fail",
        base().tap(|c| {
            datadog(c).push(dd("ledger", NODE, "dial tcp: lookup ledger-db.payments.svc.cluster.local on 172.20.0.10:53: no such host"));
        }),
        healthy(),
        f,
    );
    let starting = |c: &mut Case, start: &str, reason: &str| {
        let p = pods(c).iter_mut().find(|p| p.name == POD).unwrap();
        p.phase = "Pending".into();
        p.start_time = Some(start.into());
        set_state(c, false, 0, waiting(reason, "", None));
    };
    check(
        "a pod waiting in PodInitializing for 40 minutes: unknown, not healthy",
        base().tap(|c| starting(c, "2026-04-18T10:04:31Z", "PodInitializing")),
        Expected {
            at: Some((POD, C)),
            ..mode_only(
                FailureMode::Unknown,
                Category::Unknown,
                &["stuck starting", "40 min"],
            )
        },
        f,
    );
    check(
        "a pod in ContainerCreating for seconds is coming up: healthy",
        base().tap(|c| starting(c, "2026-04-18T10:44:25Z", "ContainerCreating")),
        healthy(),
        f,
    );
    check(
        "a pod still starting explains the shortfall: healthy",
        base().tap(|c| {
            short(c, 3, 2);
            pods(c)[1].containers[0].ready = false;
        }),
        healthy(),
        f,
    );
    check(
        "the alert's pod of a new ReplicaSet is a lead, not a filter",
        base().tap(|c| {
            let mut new = pods(c)[0].clone();
            new.name = "payments-api-9c1d2e3f4-2hk8w".into();
            new.phase = "Pending".into();
            new.containers[0].ready = false;
            new.containers[0].state = waiting(
                "ImagePullBackOff",
                "Back-off pulling image \"payments:v2.1.0-bad\"",
                None,
            );
            pods(c).push(new);
            c.alert.common_annotations.kube_pod = Some("payments-api-9c1d2e3f4-2hk8w".into());
            events(c).push(event(
                "Failed",
                "Pod/payments-api-9c1d2e3f4-2hk8w",
                "Failed to pull image \"payments:v2.1.0-bad\": manifest unknown",
            ));
        }),
        Expected {
            mode: FailureMode::ImagePullBackoff,
            category: RootCause::ImageNotFound.category(),
            cause: RootCause::ImageNotFound,
            at: Some(("payments-api-9c1d2e3f4-2hk8w", C)),
            exit_code: None,
            cites: &["found through the alert's kube_pod"],
        },
        f,
    );

    // Init containers (Kubernetes: the kubelet runs them before the app containers, which wait
    // in PodInitializing meanwhile; a failing one is restarted with the usual back-off). The
    // pods view lists no init container, so only the pod's events name it.
    let held = |c: &mut Case| {
        let p = pods(c).iter_mut().find(|p| p.name == POD).unwrap();
        p.phase = "Pending".into();
        p.start_time = Some("2026-04-18T10:41:00Z".into());
        set_state(c, false, 0, waiting("PodInitializing", "", None));
    };
    check(
        "an init container in a crash loop holds the pod (its back-off names a container the pods view does not list)",
        base().tap(|c| {
            held(c);
            events(c).push(event(
                "BackOff",
                &format!("Pod/{POD}"),
                &format!("Back-off restarting failed container db-migrate in pod {POD}_{NS}(uid)"),
            ));
            set_pod_logs(c, "Error: connect ECONNREFUSED 10.0.3.12:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)");
        }),
        Expected {
            cites: &["wait for an init container", "db-migrate"],
            ..expect(RootCause::DependencyUnavailable, Some((POD, "db-migrate")), None)
        },
        f,
    );
    check(
        "an init container whose image does not pull holds the pod",
        base().tap(|c| {
            held(c);
            events(c).push(event(
                "Failed",
                &format!("Pod/{POD}"),
                "Failed to pull image \"busybox:1.36-nonexistent\": rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/busybox:1.36-nonexistent\": failed to resolve reference \"docker.io/library/busybox:1.36-nonexistent\": docker.io/library/busybox:1.36-nonexistent: not found",
            ));
        }),
        Expected {
            cites: &["wait for an init container"],
            ..expect(RootCause::ImageNotFound, Some((POD, "")), None)
        },
        f,
    );
    check(
        "a pod initialising with an old readiness failure of its last run is coming up, not failing its probe: healthy",
        base().tap(|c| {
            held(c);
            events(c).push(event(
                "Unhealthy",
                &format!("Pod/{POD}"),
                "Readiness probe failed: Get \"http://10.0.2.31:8080/ready\": dial tcp 10.0.2.31:8080: connect: connection refused",
            ));
        }),
        healthy(),
        f,
    );
    check(
        "a pod initialising for a minute with no failing event is coming up: healthy",
        base().tap(held),
        healthy(),
        f,
    );

    assert!(
        failures.is_empty(),
        "{} rule(s) wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

//! Stage 11, details: what the raw API objects hold beyond the tools' views, drawn from its
//! own stream so that none of it moves a byte of the earlier stages: nodes' age, image and
//! labels, pods' controllers and their ReplicaSets, image pull secrets and configuration
//! references, Deployments' revisions, monitors' creation times, and every container log in
//! time order.

use rand::RngExt;

use crate::GenError;
use crate::spec::Templates;
use crate::time::Ts;

use super::identity::Identity;
use super::nodes::Nodes;
use super::others::Scene;
use super::rng::{StageRng, pick};
use super::types::{ConfigRefs, Failure, LogRequest, Monitor, ReplicaSet, Sources, StateKind};

/// Fills in the details of the scene, the nodes and the monitors; returns the log capture.
pub fn fill(
    t: &Templates,
    id: &Identity,
    nodes: &mut Nodes,
    scene: &mut Scene,
    sources: &Sources,
    monitors: &mut [Monitor],
    rng: &mut StageRng,
) -> Result<Vec<LogRequest>, GenError> {
    let snapshot = scene.snapshot;
    let image = pick(rng, &t.vocab.node_images).clone();
    let label = rng.random_bool(0.9);
    let joined = snapshot - rng.random_range(3 * 86_400..120 * 86_400i64);
    for n in &mut nodes.nodes {
        n.created = Ts(joined + rng.random_range(0..86_400));
        n.instance_type_label = label;
        n.os_image.clone_from(&image.os_image);
        let arch_kernel = if n.arch == "arm64" {
            "aarch64"
        } else {
            "x86_64"
        };
        n.kernel_version = t.expand(&image.kernel, &minijinja::context! { arch_kernel })?;
        n.runtime_version.clone_from(&image.runtime);
    }

    // Private registries need a pull secret; a team sets one for every workload or none.
    let needs_secret = !matches!(id.registry_kind.as_str(), "ecr" | "dockerhub");
    let pull_secret = if needs_secret && rng.random_bool(0.85) {
        let tpl = pick(rng, &t.vocab.pull_secrets);
        Some(t.expand(
            tpl,
            &minijinja::context! { registry_kind => &id.registry_kind },
        )?)
    } else {
        None
    };
    let refs = ConfigRefs {
        config_map: id.vars.text("config_name"),
        secret: id.vars.text("secret_name"),
        secret_key: id.vars.text("config_key"),
    };
    let deployments: Vec<String> = scene.deployments.iter().map(|d| d.name.clone()).collect();
    for p in &mut scene.pods {
        let own = p.workload == id.service;
        if own {
            p.pull_secret.clone_from(&pull_secret);
            p.config_refs = Some(refs.clone());
        }
        if own && id.workload_kind == "statefulset" {
            p.owner_kind = "StatefulSet".into();
            p.owner_name.clone_from(&p.workload);
        } else if deployments.contains(&p.workload) || own {
            // `<deployment>-<hash>-<suffix>`
            let stem = p.name.rsplit_once('-').map_or("", |(a, _)| a);
            p.hash = stem.rsplit_once('-').map_or("", |(_, h)| h).to_owned();
            p.owner_kind = "ReplicaSet".into();
            p.owner_name = stem.to_owned();
        } else {
            // A CronJob's pod: `<job>-<minute>-<suffix>`, owned by its Job.
            p.owner_kind = "Job".into();
            p.owner_name = p.name.rsplit_once('-').map_or("", |(a, _)| a).to_owned();
            p.restart_policy = "OnFailure".into();
        }
        for c in &mut p.containers {
            c.log.sort_by_key(|l| l.ms);
        }
    }
    if let Some(sts) = scene.statefulsets.first_mut() {
        let hash = super::rng::k8s_suffix(rng, 10);
        sts.hash = format!("{}-{hash}", sts.name);
        for p in scene
            .pods
            .iter_mut()
            .filter(|p| p.owner_kind == "StatefulSet")
        {
            p.hash.clone_from(&sts.hash);
        }
        sts.created = Ts(snapshot - rng.random_range(30 * 86_400..400 * 86_400i64));
    }

    // ReplicaSets: one per revision that has pods, and the current one of every Deployment.
    let mut replicasets = Vec::new();
    for d in &mut scene.deployments {
        d.created = Ts(snapshot - rng.random_range(30 * 86_400..400 * 86_400i64));
        let mut hashes: Vec<String> = scene
            .pods
            .iter()
            .filter(|p| p.workload == d.name && p.owner_kind == "ReplicaSet")
            .map(|p| p.hash.clone())
            .collect();
        hashes.sort();
        hashes.dedup();
        if !hashes.contains(&d.hash) {
            hashes.push(d.hash.clone());
        }
        let older: Vec<&String> = hashes.iter().filter(|h| **h != d.hash).collect();
        d.revision = 1 + older.len() as u32;
        for (i, h) in hashes.iter().enumerate() {
            let current = *h == d.hash;
            let pods: Vec<_> = scene
                .pods
                .iter()
                .filter(|p| p.workload == d.name && p.hash == *h)
                .collect();
            let image = pods
                .first()
                .map_or_else(|| d.image.clone(), |p| p.containers[0].image.clone());
            let ready = pods
                .iter()
                .filter(|p| p.containers.iter().all(|c| c.ready))
                .count() as u32;
            replicasets.push(ReplicaSet {
                name: format!("{}-{h}", d.name),
                namespace: d.namespace.clone(),
                deployment: d.name.clone(),
                hash: h.clone(),
                revision: if current { d.revision } else { 1 + i as u32 },
                replicas: pods.len() as u32,
                ready,
                container: d.container.clone(),
                image,
                memory_limit: d.memory_limit.clone(),
                created: if current {
                    Ts(snapshot
                        - rng
                            .random_range(3_600..30 * 86_400i64)
                            .min(snapshot - d.created.0))
                } else {
                    d.created
                },
            });
        }
    }
    scene.replicasets = replicasets;

    kubelet_log_answers(t, scene)?;
    for d in &mut scene.datadog {
        d.attributes = pipeline_attributes(&d.message);
    }
    event_objects(nodes, scene);

    for m in monitors.iter_mut() {
        let ms = (snapshot - rng.random_range(20 * 86_400..700 * 86_400i64)) * 1000
            + rng.random_range(0..1000);
        let micros = rng.random_range(0..1000);
        m.created_ms = ms;
        let (date, time) = crate::time::civil(ms.div_euclid(1000));
        m.created = format!("{date}T{time}.{:03}{micros:03}+00:00", ms.rem_euclid(1000));
    }
    Ok(log_capture(id, scene, sources))
}

/// The log requests of the capture: the current log of every container, and `--previous`
/// where the container has a `lastState` and for the alerted container (its answer may be
/// the kubelet's "not found"). A log request RBAC forbids answers 403 for the alerted pod.
fn log_capture(id: &Identity, scene: &Scene, sources: &Sources) -> Vec<LogRequest> {
    let forbidden = match &sources.eks_pod_logs.error {
        Some(Failure::Kube {
            code,
            reason,
            message,
            ..
        }) => Some((*code, reason.clone(), message.clone())),
        _ => None,
    };
    let mut out = Vec::new();
    for p in &scene.pods {
        let alerted = p.name == scene.target_pod;
        let language = if p.workload == id.service {
            id.language.clone()
        } else {
            "plain".to_owned()
        };
        for (i, c) in p.containers.iter().enumerate() {
            for previous in [false, true] {
                if previous && c.last_state.is_none() && !(alerted && i == 0) {
                    continue;
                }
                let error = if previous {
                    &c.previous_error
                } else {
                    &c.log_error
                };
                let status = match (&forbidden, error) {
                    (Some(f), _) if alerted => Some(f.clone()),
                    (_, Some(m)) => Some((400, "BadRequest".to_owned(), m.clone())),
                    _ => None,
                };
                out.push(LogRequest {
                    namespace: p.namespace.clone(),
                    pod: p.name.clone(),
                    container: c.name.clone(),
                    previous,
                    language: language.clone(),
                    workload: p.workload.clone(),
                    lines: if status.is_some() {
                        Vec::new()
                    } else if previous {
                        c.previous_log.clone()
                    } else {
                        c.log.clone()
                    },
                    status,
                });
            }
        }
    }
    out
}

/// What the kubelet answers a log request it cannot serve (its `validateContainerLogStatus`):
/// a container waiting to be created has no log, and `--previous` needs a `lastState`.
fn kubelet_log_answers(t: &Templates, scene: &mut Scene) -> Result<(), GenError> {
    let tools = &t.text.tools;
    for p in &mut scene.pods {
        for c in &mut p.containers {
            let ctx = |why: &str| minijinja::context! { container => &c.name, pod => &p.name, why };
            if c.last_state.is_none() {
                c.previous_error = Some(t.expand(&tools.pod_logs_no_previous, &ctx(""))?);
            }
            let never_ran = c.state.kind == StateKind::Waiting && c.last_state.is_none();
            if never_ran {
                let reason = c.state.reason.clone().unwrap_or_default();
                let why = tools.waiting_why.get(&reason).cloned().unwrap_or(reason);
                c.log_error = Some(t.expand(&tools.pod_logs_waiting, &ctx(&why))?);
            }
        }
    }
    Ok(())
}

/// Reasons of pod events that are not about one container (`involvedObject` has no
/// `fieldPath`).
const POD_LEVEL_REASONS: &[&str] = &[
    "Scheduled",
    "FailedScheduling",
    "FailedMount",
    "FailedCreatePodSandBox",
    "NetworkNotReady",
];

/// The uid and field path of every event's involved object. Node events name the node by
/// its name as uid, as the kubelet writes them.
fn event_objects(nodes: &Nodes, scene: &mut Scene) {
    for e in &mut scene.events {
        if e.object_kind == "Node" {
            e.object_uid = nodes
                .nodes
                .iter()
                .find(|n| n.name == e.object_name)
                .map_or_else(|| e.object_name.clone(), |n| n.name.clone());
            continue;
        }
        if let Some(p) = scene.pods.iter().find(|p| p.name == e.object_name) {
            e.object_uid.clone_from(&p.uid);
            if !POD_LEVEL_REASONS.contains(&e.reason.as_str())
                && let Some(c) = p.containers.first()
            {
                e.field_path = Some(format!("spec.containers{{{}}}", c.name));
            }
        }
    }
}

/// Attribute names Datadog keeps for its own fields (a pipeline never writes them as custom
/// attributes of the same name).
const RESERVED: &[&str] = &[
    "status",
    "message",
    "service",
    "host",
    "timestamp",
    "tags",
    "source",
];

/// What Datadog's standard log pipelines parse out of a message: an access line
/// (`GET /path 200 12ms`), a JSON log line, or `key=value` pairs.
pub fn pipeline_attributes(message: &str) -> Option<serde_json::Value> {
    use serde_json::{Map, Value, json};
    let first = message.lines().next().unwrap_or("");
    if first.starts_with('{')
        && let Ok(Value::Object(m)) = serde_json::from_str::<Value>(first)
    {
        return Some(Value::Object(m));
    }
    let words: Vec<&str> = first.split_whitespace().collect();
    if let [method, path, status, took, ..] = words.as_slice()
        && matches!(*method, "GET" | "POST" | "PUT" | "PATCH" | "DELETE")
        && path.starts_with('/')
        && let Ok(code) = status.parse::<u16>()
        && let Some(ms) = took.strip_suffix("ms").and_then(|n| n.parse::<u64>().ok())
    {
        return Some(json!({
            "http": {
                "method": method,
                "url": path,
                "url_details": {"path": path},
                "status_code": code,
                "status_category": if code < 400 { "OK" } else { "error" },
            },
            "duration": ms * 1_000_000,
        }));
    }
    let pairs: Map<String, Value> = words
        .iter()
        .filter_map(|w| w.split_once('='))
        .filter(|(k, v)| {
            !k.is_empty()
                && !v.is_empty()
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !RESERVED.contains(k)
        })
        .map(|(k, v)| {
            let v = v.trim_matches('"');
            let value = v
                .parse::<i64>()
                .map_or_else(|_| Value::from(v), Value::from);
            (k.to_owned(), value)
        })
        .collect();
    (pairs.len() >= 2).then_some(Value::Object(pairs))
}

#[cfg(test)]
mod tests {
    use super::pipeline_attributes;

    #[test]
    fn pipelines_parse_access_json_and_pairs() {
        let a = pipeline_attributes("GET /v1/cart 200 12ms").unwrap();
        assert_eq!(a["http"]["status_code"], 200);
        assert_eq!(a["duration"], 12_000_000);
        let j = pipeline_attributes(r#"{"level":30,"msg":"hi"}"#).unwrap();
        assert_eq!(j["level"], 30);
        let p = pipeline_attributes("request completed status=200 route=/v1/items duration_ms=7")
            .unwrap();
        assert!(
            p.get("status").is_none(),
            "Datadog's own field names are not custom attributes"
        );
        assert_eq!(p["route"], "/v1/items");
        assert!(pipeline_attributes("loaded configuration from /etc/x").is_none());
    }
}

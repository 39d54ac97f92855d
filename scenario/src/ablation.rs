//! Evidence ablation: take one evidence source away from a case, to measure how much a
//! classifier depends on it (`triagebench eval --ablate`, `triagebench ablate`).
//!
//! Two ways to take it away:
//!
//! * [`AblateAs::Absent`]: the source is not there at all (the tool was never called): the
//!   `opensre` field is `None`, the raw `k8s-api` objects of the source are gone.
//! * [`AblateAs::Unavailable`]: the tool was called and failed, as the `opensre` profile
//!   writes a failed call: the API server (or Datadog) answered 403 Forbidden, and the case
//!   carries the error text the tool reports for it (the Python client's `ApiException` text
//!   for Kubernetes, `HTTP 403: <body>` for Datadog), computed by the same functions the
//!   projection uses. In a `k8s-api` case the raw answer becomes that failed answer, so
//!   projecting the case gives the same unavailable source.
//!
//! Only the case changes; the answer and `scenario.yml` stay as they were.
//!
//! Known limit: in a `k8s-api` case, taking `eks_pods` away also takes away the pod list the
//! projection reads to pick the container of a pod-log call that names none, so such a case
//! may no longer project (`ProjectionError::NoLogEntry`); the `opensre` profile has no such
//! coupling.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Status, StatusDetails};

use crate::case::Case;
use crate::files::{EvidenceKind, Profile, Source};
use crate::k8s_api::ApiAnswer;
use crate::k8s_api::datadog::{DatadogAnswer, DatadogErrorBody, DatadogFailure};
use crate::projection::api_exception_text;

/// How an ablated source is taken away.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AblateAs {
    /// Not listed: the tool was never called.
    #[default]
    Absent,
    /// Listed, and its tool failed with 403 Forbidden.
    Unavailable,
}

impl AblateAs {
    /// The wire string (`absent`, `unavailable`).
    pub const fn as_str(self) -> &'static str {
        match self {
            AblateAs::Absent => "absent",
            AblateAs::Unavailable => "unavailable",
        }
    }

    /// Parses the wire string; the error lists the valid values.
    pub fn parse(s: &str) -> Result<AblateAs, String> {
        match s {
            "absent" => Ok(AblateAs::Absent),
            "unavailable" => Ok(AblateAs::Unavailable),
            other => Err(format!(
                "unknown ablation \"{other}\" (expected one of: absent, unavailable)"
            )),
        }
    }
}

/// Parses a comma-separated list of evidence source names (`eks_events,datadog_logs`), in the
/// order given, without repeats; the error names the unknown one and lists the valid ones.
pub fn parse_sources(text: &str) -> Result<Vec<EvidenceKind>, String> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let kind = EvidenceKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == part)
            .ok_or_else(|| {
                format!(
                    "unknown evidence source \"{part}\" (expected one of: {})",
                    EvidenceKind::ALL
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        if !out.contains(&kind) {
            out.push(kind);
        }
    }
    Ok(out)
}

/// The resource the source's Kubernetes call lists (`None` for the Datadog sources).
const fn resource(kind: EvidenceKind) -> Option<&'static str> {
    match kind {
        EvidenceKind::EksPods | EvidenceKind::EksPodLogs => Some("pods"),
        EvidenceKind::EksEvents => Some("events"),
        EvidenceKind::EksDeployments => Some("deployments"),
        EvidenceKind::EksNodeHealth => Some("nodes"),
        EvidenceKind::DatadogLogs | EvidenceKind::DatadogMonitors => None,
    }
}

/// The 403 an RBAC-denied list call gets from the API server.
pub fn forbidden_status(kind: EvidenceKind, namespace: &str) -> Status {
    let res = resource(kind).unwrap_or("pods");
    let sub = if kind == EvidenceKind::EksPodLogs {
        "pods/log"
    } else {
        res
    };
    let scope = if kind == EvidenceKind::EksNodeHealth {
        "at the cluster scope".to_owned()
    } else {
        format!("in the namespace \"{namespace}\"")
    };
    let (group, verb) = match kind {
        EvidenceKind::EksDeployments => ("apps", "list"),
        EvidenceKind::EksPodLogs => ("", "get"),
        _ => ("", "list"),
    };
    Status {
        code: Some(403),
        message: Some(format!(
            "{sub} is forbidden: User \"system:serviceaccount:opensre:agent\" cannot {verb} \
             resource \"{sub}\" in API group \"{group}\" {scope}"
        )),
        reason: Some("Forbidden".into()),
        status: Some("Failure".into()),
        details: Some(StatusDetails {
            kind: Some(res.to_owned()),
            group: (!group.is_empty()).then(|| group.to_owned()),
            ..StatusDetails::default()
        }),
        ..Status::default()
    }
}

/// The 403 a Datadog call gets with a key that lacks the scope.
pub fn datadog_forbidden() -> DatadogFailure {
    DatadogFailure {
        http_status: Some(403),
        body: Some(DatadogErrorBody {
            errors: vec!["Forbidden".to_owned()],
        }),
        transport_error: None,
    }
}

/// The error text the tool reports for an ablated (403) source, as the `opensre` profile
/// carries it.
pub fn unavailable_error(kind: EvidenceKind, namespace: &str) -> String {
    match resource(kind) {
        Some(_) => api_exception_text(&forbidden_status(kind, namespace)),
        None => datadog_forbidden().client_error_text(),
    }
}

/// Takes `kind` away from `case`, `how` says how. A source the case does not have stays
/// absent (an unavailable source of a case that never listed it is not invented), and
/// `Unavailable` leaves a source whose tool already failed as it was (a pod-log call that
/// already got its 400, say: the tool failed either way).
pub fn ablate(case: &mut Case, kind: EvidenceKind, how: AblateAs) {
    let ns = case.context.namespace.clone();
    if case.profile == Profile::Opensre || case.k8s_api.is_none() {
        let error = unavailable_error(kind, &ns);
        let ev = &mut case.evidence;
        macro_rules! take {
            ($field:ident) => {
                match (how, &ev.$field) {
                    (_, None) | (AblateAs::Unavailable, Some(Source::Unavailable { .. })) => {}
                    (AblateAs::Absent, Some(_)) => ev.$field = None,
                    (AblateAs::Unavailable, Some(Source::Available(_))) => {
                        ev.$field = Some(Source::Unavailable { error });
                    }
                }
            };
        }
        match kind {
            EvidenceKind::EksPods => take!(eks_pods),
            EvidenceKind::EksEvents => take!(eks_events),
            EvidenceKind::EksDeployments => take!(eks_deployments),
            EvidenceKind::EksNodeHealth => take!(eks_node_health),
            EvidenceKind::EksPodLogs => take!(eks_pod_logs),
            EvidenceKind::DatadogLogs => take!(datadog_logs),
            EvidenceKind::DatadogMonitors => take!(datadog_monitors),
        }
    }
    let Some(raw) = case.k8s_api.as_mut() else {
        return;
    };
    let failed = || Box::new(forbidden_status(kind, &ns));
    macro_rules! api {
        ($field:ident) => {
            match (how, &raw.$field) {
                (_, None) | (AblateAs::Unavailable, Some(ApiAnswer::Failed(_))) => {}
                (AblateAs::Absent, Some(_)) => raw.$field = None,
                (AblateAs::Unavailable, Some(ApiAnswer::Ok(_))) => {
                    raw.$field = Some(ApiAnswer::Failed(failed()));
                }
            }
        };
    }
    macro_rules! datadog {
        ($field:ident) => {
            match (how, &raw.$field) {
                (_, None) | (AblateAs::Unavailable, Some(DatadogAnswer::Failed(_))) => {}
                (AblateAs::Absent, Some(_)) => raw.$field = None,
                (AblateAs::Unavailable, Some(DatadogAnswer::Ok(_))) => {
                    raw.$field = Some(DatadogAnswer::Failed(datadog_forbidden()));
                }
            }
        };
    }
    match kind {
        EvidenceKind::EksPods => api!(pods),
        EvidenceKind::EksEvents => api!(events),
        EvidenceKind::EksDeployments => {
            api!(deployments);
            api!(statefulsets);
            api!(replicasets);
        }
        EvidenceKind::EksNodeHealth => api!(nodes),
        EvidenceKind::EksPodLogs => {
            if let Some(capture) = raw.pod_logs.as_mut() {
                match how {
                    AblateAs::Absent => raw.pod_logs = None,
                    AblateAs::Unavailable => {
                        for e in capture.logs.iter_mut().filter(|e| e.text.is_some()) {
                            e.text = None;
                            e.status = Some(forbidden_status(kind, &ns));
                        }
                    }
                }
            }
        }
        EvidenceKind::DatadogLogs => datadog!(datadog_logs),
        EvidenceKind::DatadogMonitors => datadog!(datadog_monitors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse_and_unknown_ones_are_named() {
        assert_eq!(
            parse_sources("eks_events, datadog_logs,eks_events"),
            Ok(vec![EvidenceKind::EksEvents, EvidenceKind::DatadogLogs])
        );
        let err = parse_sources("eks_events,kubelet").unwrap_err();
        assert!(
            err.contains("\"kubelet\"") && err.contains("eks_pods"),
            "{err}"
        );
        assert!(
            AblateAs::parse("gone")
                .unwrap_err()
                .contains("absent, unavailable")
        );
    }

    #[test]
    fn the_error_texts_are_the_tools() {
        let k = unavailable_error(EvidenceKind::EksEvents, "shop");
        assert!(
            k.starts_with("(403)\nReason: Forbidden\nHTTP response body: {"),
            "{k}"
        );
        assert!(k.contains("in the namespace \\\"shop\\\""), "{k}");
        assert_eq!(
            unavailable_error(EvidenceKind::DatadogLogs, "shop"),
            "HTTP 403: {\"errors\":[\"Forbidden\"]}"
        );
    }
}

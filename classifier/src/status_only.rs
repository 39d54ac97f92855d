//! `status-only`: a deliberately naive reference classifier that reads nothing but the container
//! state reasons in `eks_pods.json` (the first container that is not running, in any pod) and
//! maps the reason to a failure mode. It ignores the alert, events, nodes, logs and monitors.
//!
//! It exists as a yardstick: the score a classifier gets for free from `state.waiting.reason`.
//! The corpus's difficulty tiers are meant to separate real diagnosis from this, and a test in
//! `generator/tests/difficulty.rs` checks that tier 3 is much harder for it than tier 0.

use scenario::files::StateKind;
use scenario::{Case, Category, FailureMode, Prediction, RootCause};

use crate::Builtin;

/// The spec string and report name.
pub const NAME: &str = "status-only";
/// Version for reports and history.
pub const VERSION: &str = "1";

/// The naive reference classifier; see the module docs.
pub const STATUS_ONLY: Builtin = Builtin::new(NAME, VERSION, classify);

/// Maps the first non-running container state reason to a failure mode.
pub fn classify(case: &Case) -> Prediction {
    let Some(pods) = case.evidence.pods() else {
        return Prediction::unknown("eks_pods.json unavailable: status-only reads nothing else");
    };
    for pod in &pods.pods {
        for c in &pod.containers {
            if c.state.kind() == StateKind::Running {
                continue;
            }
            let reason = c.state.reason.as_deref().unwrap_or("");
            let (mode, cause) = match reason {
                "CrashLoopBackOff" | "Error" | "StartError" | "ContainerCannotRun" => {
                    (FailureMode::CrashloopBackoff, RootCause::Unknown)
                }
                "CreateContainerConfigError" => {
                    (FailureMode::CrashloopBackoff, RootCause::MissingConfig)
                }
                "OOMKilled" => (FailureMode::OomKilled, RootCause::ContainerOom),
                "ImagePullBackOff" | "ErrImagePull" => {
                    (FailureMode::ImagePullBackoff, RootCause::Unknown)
                }
                "InvalidImageName" => (FailureMode::ImagePullBackoff, RootCause::InvalidImageName),
                _ => continue,
            };
            let category = if cause == RootCause::Unknown {
                Category::Unknown
            } else {
                cause.category()
            };
            return Prediction {
                failure_mode: mode,
                root_cause_category: category,
                root_cause: cause,
                exit_code: c.state.exit_code,
                affected_pod: Some(format!("{}/{}", pod.namespace, pod.name)),
                affected_container: Some(c.name.clone()),
                confidence: Some(0.5),
                explanation: format!(
                    "eks_pods.json pods[{}].containers[{}]: state reason {reason}",
                    pod.name, c.name
                ),
            };
        }
    }
    Prediction {
        failure_mode: FailureMode::Healthy,
        root_cause_category: Category::Healthy,
        root_cause: RootCause::None,
        exit_code: None,
        affected_pod: None,
        affected_container: None,
        confidence: Some(0.5),
        explanation: "eks_pods.json: every container is running".into(),
    }
}

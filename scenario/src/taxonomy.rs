//! The label taxonomy (`docs/CONTRACT.md` section 1), as data in one place.
//!
//! Each label set is declared once through `labels!` (the enum, its wire string and its
//! place in `ALL`), and each root cause is one row of `root_causes!` carrying its failure
//! mode, category and the exit codes that point at it. Adding a cause is one row here.

/// Declares a closed label vocabulary: the enum, its exact wire strings, `ALL`, parsing,
/// `Display` and serde as a plain string.
macro_rules! labels {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $(#[doc = concat!("`", $text, "`")] $variant),+ }

        impl $name {
            /// Every label of this set, in taxonomy order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// What this set is called in files and messages.
            pub const FIELD: &'static str = $what;

            /// The exact wire string.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses an exact wire string; an unknown one is an error that lists the valid ones.
            pub fn parse(s: &str) -> Result<Self, $crate::taxonomy::UnknownLabel> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::taxonomy::UnknownLabel {
                        field: $what,
                        value: s.to_owned(),
                        expected: Self::ALL.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", "),
                    }),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                // `pad`, not `write_str`: `{:<20}` pads a label like a `&str`.
                f.pad(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::taxonomy::UnknownLabel;
            fn from_str(s: &str) -> Result<Self, Self::Err> { Self::parse(s) }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use labels;

/// A label string that is not in the taxonomy (or a vocabulary declared like it).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {field} \"{value}\" (expected one of: {expected})")]
pub struct UnknownLabel {
    /// Which vocabulary was asked (`failure_mode`, `root_cause_category`, ...).
    pub field: &'static str,
    /// The string that was given.
    pub value: String,
    /// The valid strings, comma separated.
    pub expected: String,
}

labels! {
    /// The failure mode (OpenSRE K8s vocabulary). `Unknown` is only valid in a prediction.
    FailureMode, "failure_mode" {
        Healthy = "healthy",
        CrashloopBackoff = "crashloop_backoff",
        OomKilled = "oom_killed",
        ImagePullBackoff = "image_pull_backoff",
        NodeNotReady = "node_not_ready",
        PendingPod = "pending_pod",
        DeploymentRolloutStuck = "deployment_rollout_stuck",
        EvictedPods = "evicted_pods",
        DnsResolutionFailure = "dns_resolution_failure",
        ProbeFailure = "probe_failure",
        ResourceQuotaExceeded = "resource_quota_exceeded",
        Unknown = "unknown",
    }
}

labels! {
    /// The root cause category (OpenSRE answer vocabulary).
    Category, "root_cause_category" {
        Healthy = "healthy",
        ResourceExhaustion = "resource_exhaustion",
        ConfigurationError = "configuration_error",
        CodeDefect = "code_defect",
        Infrastructure = "infrastructure",
        DependencyFailure = "dependency_failure",
        DataQuality = "data_quality",
        Unknown = "unknown",
    }
}

labels! {
    /// An adversarial signal: a confounder the generator puts into a scenario's evidence on
    /// purpose (recorded in `scenario.yml`, never shown to a classifier). What each one does to
    /// the world is documented in the generator's `world` module.
    Signal, "adversarial_signal" {
        HealthySiblingReplicas = "healthy_sibling_replicas",
        BenignOldWarningEvent = "benign_old_warning_event",
        HealthyPodWithRestartHistory = "healthy_pod_with_restart_history",
        UnrelatedFailingWorkload = "unrelated_failing_workload",
        MisleadingAlertTitle = "misleading_alert_title",
        DatadogUnavailable = "datadog_unavailable",
        EventsUnavailable = "events_unavailable",
        EventsExpired = "events_expired",
        NoPodLogs = "no_pod_logs",
        NoisyErrorLogs = "noisy_error_logs",
        SigkillNotOom = "sigkill_not_oom",
        CgroupOomNodeEvent = "cgroup_oom_node_event",
        LegacyKubeletMessages = "legacy_kubelet_messages",
        CreateContainerConfigError = "create_container_config_error",
        WaitingStateOnly = "waiting_state_only",
        PullErrorInEventsOnly = "pull_error_in_events_only",
        SidecarContainer = "sidecar_container",
        PodStarting = "pod_starting",
        CompletedJobPod = "completed_job_pod",
        NodePressureElsewhere = "node_pressure_elsewhere",
    }
}

impl FailureMode {
    /// The four modes the generator and the baseline cover first.
    pub const CORE: &'static [FailureMode] = &[
        FailureMode::Healthy,
        FailureMode::CrashloopBackoff,
        FailureMode::OomKilled,
        FailureMode::ImagePullBackoff,
    ];

    /// Whether a scenario may carry this mode as its ground truth (`unknown` may not).
    pub const fn is_ground_truth(self) -> bool {
        !matches!(self, FailureMode::Unknown)
    }
}

/// Facts about one root cause: its mode, category and the exit codes that point at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RootCauseInfo {
    /// The failure mode this cause belongs to.
    pub mode: FailureMode,
    /// Its root cause category.
    pub category: Category,
    /// Exit codes (or signals as 128+n) typical of it; empty where the container never ran.
    pub exit_codes: &'static [i32],
}

/// Declares the root causes: one row each with mode, category and exit codes.
macro_rules! root_causes {
    ($($variant:ident = $text:literal => $mode:ident, $cat:ident, [$($code:expr),*];)+) => {
        labels! {
            /// The fine root cause (SOP K3 and the image-pull causes). `Unknown` only in predictions.
            RootCause, "root_cause" { $($variant = $text),+ }
        }

        impl RootCause {
            /// Mode, category and exit codes of this cause.
            pub const fn info(self) -> RootCauseInfo {
                match self {
                    $(RootCause::$variant => RootCauseInfo {
                        mode: FailureMode::$mode,
                        category: Category::$cat,
                        exit_codes: &[$($code),*],
                    }),+
                }
            }
        }
    };
}

root_causes! {
    None = "none" => Healthy, Healthy, [];
    ContainerOom = "container_oom" => OomKilled, ResourceExhaustion, [137];
    NodeOom = "node_oom" => OomKilled, ResourceExhaustion, [137];
    AppError = "app_error" => CrashloopBackoff, CodeDefect, [1, 2, 3, 255];
    Segfault = "segfault" => CrashloopBackoff, CodeDefect, [139];
    CommandNotFound = "command_not_found" => CrashloopBackoff, ConfigurationError, [127, 128];
    PermissionDenied = "permission_denied" => CrashloopBackoff, ConfigurationError, [126];
    MissingConfig = "missing_config" => CrashloopBackoff, ConfigurationError, [1];
    DependencyUnavailable = "dependency_unavailable" => CrashloopBackoff, DependencyFailure, [1];
    ImageNotFound = "image_not_found" => ImagePullBackoff, ConfigurationError, [];
    RegistryAuth = "registry_auth" => ImagePullBackoff, ConfigurationError, [];
    RegistryUnreachable = "registry_unreachable" => ImagePullBackoff, DependencyFailure, [];
    RateLimited = "rate_limited" => ImagePullBackoff, DependencyFailure, [];
    InvalidImageName = "invalid_image_name" => ImagePullBackoff, ConfigurationError, [];
    Unknown = "unknown" => Unknown, Unknown, [];
}

/// The root causes as a Markdown table (failure mode, root cause, category, exit codes), in
/// taxonomy order, without `unknown`: the generated block of `docs/CONTRACT.md`.
#[must_use]
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| failure_mode | root_cause | root_cause_category | exit codes |\n|---|---|---|---|\n",
    );
    for cause in RootCause::ALL.iter().filter(|c| **c != RootCause::Unknown) {
        let info = cause.info();
        let codes = if info.exit_codes.is_empty() {
            "-".to_owned()
        } else {
            info.exit_codes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "| {} | `{cause}` | {} | {codes} |\n",
            info.mode, info.category
        ));
    }
    out
}

impl RootCause {
    /// The causes that belong to a failure mode, in taxonomy order.
    pub fn of_mode(mode: FailureMode) -> impl Iterator<Item = RootCause> {
        RootCause::ALL
            .iter()
            .copied()
            .filter(move |c| c.info().mode == mode)
    }

    /// Shorthand for `info().mode`.
    pub const fn mode(self) -> FailureMode {
        self.info().mode
    }

    /// Shorthand for `info().category`.
    pub const fn category(self) -> Category {
        self.info().category
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_strings_round_trip() {
        for m in FailureMode::ALL {
            assert_eq!(FailureMode::parse(m.as_str()), Ok(*m));
        }
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Ok(*c));
        }
        for r in RootCause::ALL {
            assert_eq!(RootCause::parse(r.as_str()), Ok(*r));
        }
    }

    #[test]
    fn unknown_label_names_field_and_choices() {
        let err = FailureMode::parse("oom").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("unknown failure_mode \"oom\""), "{msg}");
        assert!(msg.contains("oom_killed"), "{msg}");
    }

    #[test]
    fn every_core_mode_has_causes_and_every_cause_is_consistent() {
        for mode in FailureMode::CORE {
            assert!(RootCause::of_mode(*mode).count() >= 1, "{mode}");
        }
        for cause in RootCause::ALL {
            let info = cause.info();
            let unknown = *cause == RootCause::Unknown;
            // Only `unknown` abstains; every other cause is a ground truth at all three levels.
            assert_eq!(!unknown, info.mode.is_ground_truth(), "{cause}");
            assert_eq!(unknown, info.category == Category::Unknown, "{cause}");
            assert_eq!(
                *cause == RootCause::None,
                info.mode == FailureMode::Healthy,
                "{cause}"
            );
            assert!(
                info.exit_codes.iter().all(|c| (0..=255).contains(c)),
                "{cause}"
            );
        }
    }

    #[test]
    fn the_markdown_table_has_a_row_per_cause() {
        let table = markdown_table();
        let rows = table.lines().filter(|l| l.contains(" | `")).count();
        assert_eq!(rows, RootCause::ALL.len() - 1, "{table}");
        assert!(table.contains("| crashloop_backoff | `segfault` | code_defect | 139 |"));
    }
}

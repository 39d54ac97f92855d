//! The triagebench scenario model, the code side of `docs/CONTRACT.md`: the taxonomy and the
//! scoring levels (section 1), the serde types of every file of a scenario (sections 2-3), the
//! `Case`/`Answer`/`Prediction` split of the classifier interface (section 4), the loader with
//! its inheritance rules and validation, suites built in memory, the corpus manifest, and the
//! one calendar routine of the workspace (`time`). Every other crate reads and writes scenarios
//! through this one.
//!
//! Two profiles of evidence: `opensre` (the files OpenSRE's tools return, [`files`]) and
//! `k8s-api` (the raw Kubernetes and Datadog objects those tools read, [`k8s_api`], with its
//! strict check and its `k8s-api/` directory layout). [`projection`] computes the first
//! from the second exactly as the tools do.

pub mod ablation;
pub mod case;
pub mod files;
pub mod import;
pub mod json_check;
pub mod k8s_api;
pub mod level;
pub mod load;
pub mod manifest;
pub mod opensre_rules;
pub mod pack;
pub mod perturb;
pub mod projection;
pub mod shard;
pub mod taxonomy;
pub mod time;
pub mod usage;

pub use case::{Answer, Case, Context, Evidence, Prediction, SourceState, case_id};
pub use files::{EvidenceKind, Profile, ScenarioFile, Source};
pub use level::Level;
pub use load::{
    LoadReport, Problem, Problems, Scenario, Suite, load, load_profile, load_report,
    load_report_profile,
};
pub use taxonomy::{Category, FailureMode, RootCause, Signal};
pub use usage::Usage;

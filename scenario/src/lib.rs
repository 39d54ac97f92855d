//! The triagebench scenario model: the taxonomy (SPEC section 2), the serde types of every file
//! of a scenario (sections 3-4), the `Case`/`Answer`/`Prediction` split of the classifier
//! interface (section 5), the loader with its inheritance rules and validation, and the corpus
//! manifest. Every other crate reads and writes scenarios through this one.

pub mod case;
pub mod files;
pub mod k8s_api;
pub mod load;
pub mod manifest;
pub mod taxonomy;

pub use case::{Answer, Case, Context, Evidence, Prediction, case_id};
pub use files::{EvidenceKind, ScenarioFile, Source};
pub use load::{LoadReport, Problem, Problems, Scenario, Suite, load, load_report};
pub use taxonomy::{Category, FailureMode, RootCause, Signal};

//! The evaluator: runs a classifier over a loaded corpus in parallel, scores it, and writes the
//! Parquet reports of `docs/CONTRACT.md` section 5.
//!
//! The flow is one straight line: [`corpus_info`] identifies the corpus (and refuses one changed
//! since its manifest), [`evaluate`] runs the classifier and scores every call into a
//! `PredictionRow`, [`score`] derives every other table from those rows alone, `report` writes
//! and reads the run directory, `history` appends to `reports/history.parquet` under a lock,
//! `compare` is the regression gate, `summary` the terminal view. Aggregations are plain Rust
//! over exact counts; arrow-rs and parquet are used only for the files (`columns`).

pub mod audit;
pub mod calibration;
pub mod compare;
pub mod consistency;
pub mod corpus;
pub mod cost;
pub mod dashboard;
pub mod dependence;
pub mod eval;
pub mod history;
pub mod merge;
pub mod metrics;
pub mod opensre_score;
pub mod pipeline;
pub mod report;
pub mod selftest;
pub mod stats;
pub mod summary;
pub mod tables;
pub mod trajectory;

mod columns;

pub use corpus::{CorpusError, CorpusInfo, Loaded, corpus_info, corpus_info_checked};
pub use eval::{EvalConfig, EvalError, Run, evaluate};
pub use metrics::{Scores, score};

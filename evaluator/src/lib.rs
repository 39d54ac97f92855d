//! The evaluator: runs a classifier over a loaded corpus in parallel, scores it, and writes the
//! Parquet reports of SPEC section 6.

pub mod compare;
pub mod corpus;
pub mod dashboard;
pub mod eval;
pub mod history;
pub mod metrics;
pub mod report;
pub mod stats;
pub mod summary;
pub mod tables;

mod columns;
mod timefmt;

pub use corpus::{CorpusError, CorpusInfo, corpus_info};
pub use eval::{EvalConfig, EvalError, Run, evaluate};
pub use metrics::{Scores, score};

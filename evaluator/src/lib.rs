//! The evaluator: runs a classifier over a loaded corpus in parallel, scores it, and writes the
//! Parquet reports of SPEC section 6.

pub mod dashboard;
pub mod tables;

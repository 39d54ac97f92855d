//! Shards: one of `n` disjoint parts of a corpus, so that generation and evaluation can run as
//! `n` processes (a Kubernetes Indexed Job, one pod per shard) whose outputs merge into one.
//!
//! The convention is **0-based** like Kubernetes' `JOB_COMPLETION_INDEX`: `--shard i/n` with
//! `0 <= i < n`, `1 <= n <= `[`MAX_SHARDS`]. Shard `i` of a corpus of `total` scenarios is the
//! contiguous block of positions `[i * total / n, (i + 1) * total / n)` (integer division):
//! the blocks of `0..n` cover `0..total` exactly once, in order, and differ in size by at most
//! one. For a generated corpus a position is the scenario index (directory names are the
//! zero-padded index, so sorted order is index order); for any suite it is the position in the
//! loader's sorted order.
//!
//! In a Kubernetes Indexed Job, [`Shard::from_env`] reads `JOB_COMPLETION_INDEX` (which
//! Kubernetes sets) and `JOB_COMPLETIONS` (which it does not: the Job's manifest must set it to
//! the same number as `spec.completions`).

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

/// Most shards a corpus may be cut into.
pub const MAX_SHARDS: u64 = 10_000;

/// The environment variable Kubernetes sets to a pod's index in an Indexed Job.
pub const INDEX_ENV: &str = "JOB_COMPLETION_INDEX";

/// The environment variable the Job manifest sets to `spec.completions` (Kubernetes does not).
pub const COUNT_ENV: &str = "JOB_COMPLETIONS";

/// Shard `index` of `count` (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shard {
    /// 0-based index, below `count`.
    pub index: u64,
    /// Number of shards, 1 to [`MAX_SHARDS`].
    pub count: u64,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// A checked shard: `count` in 1..=[`MAX_SHARDS`], `index` below `count`.
    pub fn new(index: u64, count: u64) -> Result<Shard, String> {
        if count == 0 || count > MAX_SHARDS {
            return Err(format!(
                "the shard count must be 1 to {MAX_SHARDS}, got {count}"
            ));
        }
        if index >= count {
            return Err(format!(
                "shard index {index} is not below the shard count {count} (shards are 0-based: \
                 0/{count} to {}/{count})",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }

    /// Parses `i/n` (0-based: `0/4` to `3/4`).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (i, n) = s
            .trim()
            .split_once('/')
            .ok_or_else(|| format!("expected i/n (0-based, e.g. 0/4), got \"{s}\""))?;
        let number = |what: &str, v: &str| {
            v.trim().parse::<u64>().map_err(|_| {
                format!("{what} of \"{s}\": expected a whole number >= 0, got \"{v}\"")
            })
        };
        Shard::new(number("index", i)?, number("count", n)?)
    }

    /// The shard of an Indexed Job pod from `index` (`JOB_COMPLETION_INDEX`) and `count`
    /// (`JOB_COMPLETIONS`), as read from the environment: `Ok(None)` when neither is set; an
    /// error naming the variable when one is missing or either is not a valid number, or the
    /// index is outside the count.
    pub fn from_vars(index: Option<&str>, count: Option<&str>) -> Result<Option<Shard>, String> {
        let parse = |name: &str, v: &str| {
            v.trim()
                .parse::<u64>()
                .map_err(|_| format!("{name}: expected a whole number >= 0, got \"{v}\""))
        };
        match (index, count) {
            (None, None) => Ok(None),
            (Some(_), None) => Err(format!(
                "{INDEX_ENV} is set but {COUNT_ENV} is not: Kubernetes does not set the \
                 completion count, so the Job manifest must set {COUNT_ENV} to spec.completions"
            )),
            (None, Some(_)) => Err(format!("{COUNT_ENV} is set but {INDEX_ENV} is not")),
            (Some(i), Some(n)) => {
                let (i, n) = (parse(INDEX_ENV, i)?, parse(COUNT_ENV, n)?);
                Shard::new(i, n)
                    .map(Some)
                    .map_err(|e| format!("{INDEX_ENV}={i}, {COUNT_ENV}={n}: {e}"))
            }
        }
    }

    /// [`Shard::from_vars`] over this process's environment.
    pub fn from_env() -> Result<Option<Shard>, String> {
        let get = |name: &str| std::env::var(name).ok();
        Shard::from_vars(get(INDEX_ENV).as_deref(), get(COUNT_ENV).as_deref())
    }

    /// The positions of this shard among `total` items: a contiguous block; the blocks of all
    /// shards cover `0..total` exactly once.
    pub fn range(&self, total: u64) -> Range<u64> {
        let at = |i: u64| (u128::from(i) * u128::from(total) / u128::from(self.count)) as u64;
        at(self.index)..at(self.index + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_refuses() {
        assert_eq!(Shard::parse("0/4"), Ok(Shard { index: 0, count: 4 }));
        assert_eq!(Shard::parse(" 3/4 "), Ok(Shard { index: 3, count: 4 }));
        assert!(Shard::parse("3/2").unwrap_err().contains("not below"));
        assert!(Shard::parse("4/4").unwrap_err().contains("0-based"));
        assert!(Shard::parse("0/0").unwrap_err().contains("1 to"));
        assert!(Shard::parse("-1/4").unwrap_err().contains("\"-1\""));
        assert!(Shard::parse("1").unwrap_err().contains("i/n"));
        assert!(Shard::parse("0/10001").is_err());
        assert_eq!(Shard { index: 2, count: 5 }.to_string(), "2/5");
    }

    #[test]
    fn reads_the_job_variables() {
        assert_eq!(Shard::from_vars(None, None), Ok(None));
        assert_eq!(
            Shard::from_vars(Some("2"), Some("3")),
            Ok(Some(Shard { index: 2, count: 3 }))
        );
        let e = Shard::from_vars(Some("3"), Some("3")).unwrap_err();
        assert!(
            e.contains("JOB_COMPLETION_INDEX=3") && e.contains("not below"),
            "{e}"
        );
        assert!(
            Shard::from_vars(Some("0"), None)
                .unwrap_err()
                .contains("JOB_COMPLETIONS")
        );
        assert!(Shard::from_vars(None, Some("2")).is_err());
        assert!(
            Shard::from_vars(Some("x"), Some("2"))
                .unwrap_err()
                .contains("JOB_COMPLETION_INDEX")
        );
    }

    proptest! {
        /// The shards of any corpus cover it exactly once, in order, in blocks whose sizes
        /// differ by at most one.
        #[test]
        fn shards_cover_exactly_once(total in 0u64..5000, count in 1u64..64) {
            let mut next = 0;
            let mut sizes = Vec::new();
            for index in 0..count {
                let r = Shard { index, count }.range(total);
                prop_assert_eq!(r.start, next);
                next = r.end;
                sizes.push(r.end - r.start);
            }
            prop_assert_eq!(next, total);
            let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            prop_assert!(hi - lo <= 1);
        }
    }
}

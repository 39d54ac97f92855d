//! `--shard i/n` of `generate` and `eval`, or the shard of a Kubernetes Indexed Job pod
//! (`JOB_COMPLETION_INDEX`, and `JOB_COMPLETIONS` which the Job manifest sets to
//! `spec.completions`). Shards are 0-based; see `scenario::shard`.

use scenario::shard::{COUNT_ENV, INDEX_ENV, Shard};

/// `--shard`'s value parser.
pub fn parse(s: &str) -> Result<Shard, String> {
    Shard::parse(s)
}

/// The shard to run: `--shard` when given, else the Indexed Job's variables, else none. Both
/// given and different is bad input (exit 2), as is a variable that is not a valid shard.
pub fn resolve(flag: Option<Shard>) -> anyhow::Result<Option<Shard>> {
    resolve_from(flag, Shard::from_env())
}

fn resolve_from(
    flag: Option<Shard>,
    env: Result<Option<Shard>, String>,
) -> anyhow::Result<Option<Shard>> {
    let env = env.map_err(crate::exit::bad_input)?;
    match (flag, env) {
        (Some(f), Some(e)) if f != e => Err(crate::exit::bad_input(format!(
            "--shard {f} disagrees with {INDEX_ENV}/{COUNT_ENV} ({e}): give one or the other"
        ))),
        (Some(f), _) => Ok(Some(f)),
        (None, e) => Ok(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::code_of;
    use std::process::ExitCode;

    #[test]
    fn flag_or_environment() {
        let s = |i, n| Shard::new(i, n).unwrap();
        assert_eq!(resolve_from(None, Ok(None)).unwrap(), None);
        assert_eq!(
            resolve_from(Some(s(1, 3)), Ok(None)).unwrap(),
            Some(s(1, 3))
        );
        assert_eq!(
            resolve_from(None, Ok(Some(s(2, 3)))).unwrap(),
            Some(s(2, 3))
        );
        assert_eq!(
            resolve_from(Some(s(2, 3)), Ok(Some(s(2, 3)))).unwrap(),
            Some(s(2, 3))
        );
        let e = resolve_from(Some(s(1, 3)), Ok(Some(s(2, 3)))).unwrap_err();
        assert_eq!(code_of(&e), ExitCode::from(2));
        let e = resolve_from(None, Err("JOB_COMPLETION_INDEX=5".into())).unwrap_err();
        assert_eq!(code_of(&e), ExitCode::from(2));
        assert!(format!("{e}").contains("JOB_COMPLETION_INDEX"));
    }
}

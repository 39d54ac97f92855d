//! An OpenSRE-compatible pass/fail per case: the checks of `score_result` in Tracer-Cloud/opensre
//! `tests/synthetic/eks/run_suite.py`, in its order, with its failure messages, applied to a
//! triagebench prediction.
//!
//! | run_suite.py | here |
//! |---|---|
//! | `root_cause_present`: non-empty root cause, not "unable to determine root cause" | the failure mode is not `unknown`/`error` and the explanation is not empty |
//! | `actual_category != root_cause_category` | the predicted category differs from the answer's (exactly) |
//! | `missing_keywords`: `_normalize_text(keyword) in normalized_output` | the same on the explanation (lowercase, whitespace collapsed, substring) |
//! | `actual_category in forbidden_categories` | the same |
//! | `_normalize_text(kw) in normalized_output` for `forbidden_keywords` | the same |
//! | `required_evidence_sources`: `evidence.get(key)` truthy | gathered: present and available in the case (non-interactive) or touched with a 200 (interactive) |
//!
//! The reason is OpenSRE's `failure_reason` text (Python reprs: `['a', 'b']`, `'x'`), empty on
//! a pass.

/// What one prediction said, as far as the pass/fail reads it.
#[derive(Clone, Copy, Debug)]
pub struct Predicted<'a> {
    /// The predicted failure mode (`unknown` or `error` count as no root cause).
    pub failure_mode: &'a str,
    /// The predicted category.
    pub category: &'a str,
    /// The prediction's explanation (OpenSRE's output text).
    pub explanation: &'a str,
}

/// The parts of `answer.yml` the pass/fail reads.
#[derive(Clone, Copy, Debug)]
pub struct Key<'a> {
    /// `root_cause_category`.
    pub category: &'a str,
    /// `required_keywords`.
    pub required_keywords: &'a [String],
    /// `forbidden_categories`.
    pub forbidden_categories: &'a [&'a str],
    /// `forbidden_keywords`.
    pub forbidden_keywords: &'a [String],
    /// `required_evidence_sources`.
    pub required_evidence_sources: &'a [String],
}

/// OpenSRE's `_normalize_text`: lowercase, runs of whitespace collapsed to one space, trimmed.
pub fn normalize(text: &str) -> String {
    text.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A Python `repr` of a string (single quotes; a quote inside switches to double quotes).
fn py_repr(s: &str) -> String {
    if s.contains('\'') && !s.contains('"') {
        format!("\"{s}\"")
    } else {
        format!("'{}'", s.replace('\'', "\\'"))
    }
}

fn py_list(items: &[&String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| py_repr(s)).collect();
    format!("[{}]", inner.join(", "))
}

/// Scores one prediction: `Ok(())` on a pass, else OpenSRE's failure reason. `gathered`
/// says whether an evidence source (`eks_pods`, ...) was gathered.
pub fn score(
    p: &Predicted<'_>,
    key: &Key<'_>,
    gathered: &dyn Fn(&str) -> bool,
) -> Result<(), String> {
    let output = normalize(p.explanation);
    let present =
        !matches!(p.failure_mode, "unknown" | "error") && !p.explanation.trim().is_empty();
    if !present {
        return Err("no root cause in output".into());
    }
    if p.category != key.category {
        return Err(format!(
            "wrong category: got {}, expected {}",
            py_repr(p.category),
            py_repr(key.category)
        ));
    }
    let missing: Vec<&String> = key
        .required_keywords
        .iter()
        .filter(|k| !output.contains(&normalize(k)))
        .collect();
    if !missing.is_empty() {
        return Err(format!("missing required keywords: {}", py_list(&missing)));
    }
    if key.forbidden_categories.contains(&p.category) {
        return Err(format!(
            "forbidden category in output: {}",
            py_repr(p.category)
        ));
    }
    let hits: Vec<&String> = key
        .forbidden_keywords
        .iter()
        .filter(|k| output.contains(&normalize(k)))
        .collect();
    if !hits.is_empty() {
        return Err(format!("forbidden keywords in output: {}", py_list(&hits)));
    }
    if let Some(s) = key.required_evidence_sources.iter().find(|s| !gathered(s)) {
        return Err(format!("required evidence not gathered: {}", py_repr(s)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    /// One row per check of `run_suite.score_result`, in its order; the first failing check
    /// wins, as there.
    #[test]
    fn the_checks_of_run_suite_score_result_in_order() {
        let kw = strings(&["OOMKilled", "memory  limit"]);
        let forbidden_kw = strings(&["image pull"]);
        let sources = strings(&["eks_pods", "eks_pod_logs"]);
        let key = Key {
            category: "resource_exhaustion",
            required_keywords: &kw,
            forbidden_categories: &["configuration_error"],
            forbidden_keywords: &forbidden_kw,
            required_evidence_sources: &sources,
        };
        let all = |_: &str| true;
        let no_logs = |s: &str| s != "eks_pod_logs";
        let good = "Container was OOMKilled:\n the MEMORY limit   is too low";
        type Gathered<'a> = &'a dyn Fn(&str) -> bool;
        let cases: &[(&str, &str, &str, Gathered<'_>, &str)] = &[
            // (failure_mode, category, explanation, gathered, reason)
            ("oom_killed", "resource_exhaustion", good, &all, ""),
            // `if not root_cause_present: "no root cause in output"`
            (
                "unknown",
                "resource_exhaustion",
                good,
                &all,
                "no root cause in output",
            ),
            (
                "error",
                "resource_exhaustion",
                good,
                &all,
                "no root cause in output",
            ),
            (
                "oom_killed",
                "resource_exhaustion",
                "  ",
                &all,
                "no root cause in output",
            ),
            // `elif actual_category != answer_key.root_cause_category`
            (
                "oom_killed",
                "configuration_error",
                good,
                &all,
                "wrong category: got 'configuration_error', expected 'resource_exhaustion'",
            ),
            // `elif missing_keywords` (normalized substring: case and whitespace ignored)
            (
                "oom_killed",
                "resource_exhaustion",
                "OOMKilled",
                &all,
                "missing required keywords: ['memory  limit']",
            ),
            // `elif forbidden_keywords` hits
            (
                "oom_killed",
                "resource_exhaustion",
                "oomkilled, memory limit, not an Image  Pull problem",
                &all,
                "forbidden keywords in output: ['image pull']",
            ),
            // `required_evidence_sources`: `evidence.get(state_key)` falsy
            (
                "oom_killed",
                "resource_exhaustion",
                good,
                &no_logs,
                "required evidence not gathered: 'eks_pod_logs'",
            ),
        ];
        for (fm, cat, expl, gathered, reason) in cases {
            let got = score(
                &Predicted {
                    failure_mode: fm,
                    category: cat,
                    explanation: expl,
                },
                &key,
                *gathered,
            );
            assert_eq!(
                got.err().unwrap_or_default(),
                *reason,
                "{fm} {cat} {expl:?}"
            );
        }
        // A forbidden category that is also the expected one is reached only after the
        // category check (OpenSRE's order): the answer names it, so it fails there.
        let odd = Key {
            forbidden_categories: &["resource_exhaustion"],
            ..key
        };
        let got = score(
            &Predicted {
                failure_mode: "oom_killed",
                category: "resource_exhaustion",
                explanation: good,
            },
            &odd,
            &all,
        );
        assert_eq!(
            got.unwrap_err(),
            "forbidden category in output: 'resource_exhaustion'"
        );
        assert_eq!(normalize("  A\t b\n\nC "), "a b c");
    }
}

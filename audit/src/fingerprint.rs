//! Fingerprints: the message templates of a corpus's text, found by normalising every line of
//! every string a classifier sees (the alert and each listed evidence source) and counting, per
//! normalised line, the scenarios it occurs in by root cause. A fingerprint that occurs with one
//! root cause only, in many scenarios, is a shortcut a learner can take without diagnosing.
//!
//! Normalisation: the case's own names (cluster, namespace, workload, region, pods,
//! containers, nodes, IPs, the alerted pod and node) become `<name>`; then per word (a run of
//! letters and digits) a number becomes `<n>`, a hex string of 6+ characters with a digit
//! `<hex>`, a word mixing letters with two or more digit runs (`k2m4p`) `<id>`, and any other
//! digit run inside a word `<n>` (`512Mi` is `<n>Mi`). Lines with fewer than three letters
//! outside placeholders (timestamps, bare names) are not fingerprints.
//!
//! Tracing: each spec string of the templates ([`generator::Templates::spec_strings`]) becomes
//! a pattern, its literal parts normalised the same way with every `{{ ... }}` / `{% ... %}`
//! a wildcard; a fingerprint is traced to the most specific pattern (most literal letters) whose
//! parts occur in it in order.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use scenario::{Case, EvidenceKind, RootCause};

use crate::text::{source_value, strings};

/// One normalised message template with its root-cause counts over the audited corpus.
#[derive(Clone, Debug, PartialEq)]
pub struct Fingerprint {
    /// The normalised line.
    pub text: String,
    /// Where it occurs: `alert` and/or evidence source names, in report order.
    pub sources: Vec<&'static str>,
    /// Scenarios it occurs in (with a root cause in their answer).
    pub support: u64,
    /// The root cause it occurs with most.
    pub top_cause: RootCause,
    /// Scenarios of that cause it occurs in.
    pub top_count: u64,
    /// `<template file>: <key>` of the spec string that writes it, or `None`.
    pub origin: Option<String>,
}

impl Fingerprint {
    /// Root-cause precision: the share of its scenarios that have its top cause.
    pub fn precision(&self) -> f64 {
        self.top_count as f64 / self.support as f64
    }
}

/// The names of a case that normalisation replaces by `<name>`, longest first.
pub fn names_of(case: &Case) -> Vec<String> {
    let mut names: BTreeSet<String> = BTreeSet::new();
    let c = &case.context;
    for n in [&c.cluster_name, &c.namespace, &c.workload_name, &c.region] {
        names.insert(n.clone());
    }
    let a = &case.alert.common_annotations;
    for n in [&a.kube_pod, &a.kube_node, &a.kube_deployment]
        .into_iter()
        .flatten()
    {
        names.insert(n.clone());
    }
    if let Some(pods) = case.evidence.pods() {
        for p in &pods.pods {
            names.insert(p.name.clone());
            names.extend(p.node_name.clone());
            names.extend(p.containers.iter().map(|c| c.name.clone()));
        }
    }
    if let Some(nodes) = case.evidence.nodes() {
        for n in &nodes.nodes {
            names.insert(n.name.clone());
            names.extend(n.internal_ip.clone());
        }
    }
    if let Some(d) = case.evidence.deployments() {
        names.extend(d.deployments.iter().map(|d| d.name.clone()));
    }
    if let Some(l) = case.evidence.pod_logs() {
        names.insert(l.pod_name.clone());
    }
    // Short names ("db", "api") would eat parts of ordinary words.
    let mut out: Vec<String> = names.into_iter().filter(|n| n.len() >= 4).collect();
    out.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    out
}

/// Normalises one line (see the module doc).
pub fn normalise(line: &str, names: &[String]) -> String {
    let mut s = line.trim().to_owned();
    for n in names {
        if s.contains(n.as_str()) {
            s = s.replace(n.as_str(), "\u{1}");
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            out.push_str(&normalise_word(word));
            word.clear();
        }
    };
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            word.push(ch);
        } else {
            flush(&mut word, &mut out);
            if ch == '\u{1}' {
                out.push_str("<name>");
            } else {
                out.push(ch);
            }
        }
    }
    flush(&mut word, &mut out);
    out
}

fn normalise_word(w: &str) -> String {
    let digits = w.bytes().filter(u8::is_ascii_digit).count();
    if digits == 0 {
        return w.to_owned();
    }
    if digits == w.len() {
        return "<n>".to_owned();
    }
    if w.len() >= 6 && w.bytes().all(|b| b.is_ascii_hexdigit()) {
        return "<hex>".to_owned();
    }
    let runs = w
        .as_bytes()
        .windows(2)
        .filter(|p| !p[0].is_ascii_digit() && p[1].is_ascii_digit())
        .count()
        + usize::from(w.as_bytes()[0].is_ascii_digit());
    if runs >= 2 {
        return "<id>".to_owned();
    }
    let mut out = String::new();
    let mut in_digits = false;
    for ch in w.chars() {
        if ch.is_ascii_digit() {
            if !in_digits {
                out.push_str("<n>");
            }
            in_digits = true;
        } else {
            out.push(ch);
            in_digits = false;
        }
    }
    out
}

/// Letters outside placeholders.
fn letters(s: &str) -> usize {
    let stripped = ["<name>", "<hex>", "<id>", "<n>"]
        .iter()
        .fold(s.to_owned(), |acc, p| acc.replace(p, ""));
    stripped.chars().filter(char::is_ascii_alphabetic).count()
}

/// The distinct fingerprints of one case, each with the source it occurs in.
pub fn of_case(case: &Case) -> BTreeMap<String, BTreeSet<&'static str>> {
    let names = names_of(case);
    let mut out: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    let mut add = |source: &'static str, v: &serde_json::Value| {
        for s in strings(v) {
            for line in s.lines() {
                let n = normalise(line, &names);
                if letters(&n) >= 3 {
                    out.entry(n).or_default().insert(source);
                }
            }
        }
    };
    if let Ok(alert) = serde_json::to_value(&case.alert) {
        add("alert", &alert);
    }
    for kind in EvidenceKind::ALL {
        if let Some(v) = source_value(case, *kind) {
            add(kind.as_str(), &v);
        }
    }
    out
}

/// Counts fingerprints over `(case, root cause)` pairs and keeps those in at least
/// `min_support` scenarios, most frequent first (then by text).
pub fn count<'a>(
    cases: impl IntoIterator<Item = (&'a Case, RootCause)>,
    min_support: u64,
) -> Vec<Fingerprint> {
    #[derive(Default)]
    struct Agg {
        by_cause: BTreeMap<RootCause, u64>,
        sources: BTreeSet<&'static str>,
    }
    let per_case: Vec<(BTreeMap<String, BTreeSet<&'static str>>, RootCause)> = {
        use rayon::prelude::*;
        let v: Vec<(&Case, RootCause)> = cases.into_iter().collect();
        v.par_iter().map(|(c, rc)| (of_case(c), *rc)).collect()
    };
    let mut agg: HashMap<String, Agg> = HashMap::new();
    for (fps, rc) in per_case {
        for (text, sources) in fps {
            let a = agg.entry(text).or_default();
            *a.by_cause.entry(rc).or_default() += 1;
            a.sources.extend(sources);
        }
    }
    let order = |s: &str| {
        std::iter::once("alert")
            .chain(EvidenceKind::ALL.iter().map(|k| k.as_str()))
            .position(|x| x == s)
    };
    let mut out: Vec<Fingerprint> = agg
        .into_iter()
        .filter_map(|(text, a)| {
            let support: u64 = a.by_cause.values().sum();
            if support < min_support {
                return None;
            }
            // The most frequent cause; on a tie the first in taxonomy order.
            let (top_cause, top_count) = a.by_cause.iter().fold(
                None,
                |best: Option<(RootCause, u64)>, (c, n)| match best {
                    Some((_, b)) if b >= *n => best,
                    _ => Some((*c, *n)),
                },
            )?;
            let mut sources: Vec<&'static str> = a.sources.into_iter().collect();
            sources.sort_by_key(|s| order(s));
            Some(Fingerprint {
                text,
                sources,
                support,
                top_cause,
                top_count,
                origin: None,
            })
        })
        .collect();
    out.sort_by(|a, b| b.support.cmp(&a.support).then_with(|| a.text.cmp(&b.text)));
    out
}

/// The spec strings of the templates as patterns, for [`Tracer::trace`].
#[derive(Clone, Debug)]
pub struct Tracer {
    patterns: Vec<(String, Vec<String>, usize)>,
}

/// Literal letters a spec string needs to be traced to (a bare `{{ name }}` traces nothing).
const MIN_PATTERN_LETTERS: usize = 6;

impl Tracer {
    /// Patterns of `(file, key, template source)` triples, as `spec_strings` lists them.
    pub fn new<'a>(spec: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) -> Tracer {
        let patterns = spec
            .into_iter()
            .filter_map(|(file, key, source)| {
                let parts: Vec<String> = literal_parts(source)
                    .into_iter()
                    .map(|p| normalise_piece(&p))
                    .filter(|p| !p.trim().is_empty())
                    .collect();
                let weight: usize = parts.iter().map(|p| letters(p)).sum();
                (weight >= MIN_PATTERN_LETTERS).then(|| (format!("{file}: {key}"), parts, weight))
            })
            .collect();
        Tracer { patterns }
    }

    /// The `<file>: <key>` of the most specific spec string that writes `fingerprint`.
    pub fn trace(&self, fingerprint: &str) -> Option<&str> {
        self.patterns
            .iter()
            .filter(|(_, parts, _)| matches_in_order(fingerprint, parts))
            .max_by(|a, b| a.2.cmp(&b.2).then_with(|| b.0.cmp(&a.0)))
            .map(|(origin, _, _)| origin.as_str())
    }
}

/// A literal piece of a template, normalised as a line is but without trimming its edges
/// (the spaces around a placeholder are part of the pattern).
fn normalise_piece(piece: &str) -> String {
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    let core = normalise(piece, &[]);
    format!("{}{core}{}", &piece[..lead], &piece[piece.len() - trail..])
}

/// The text between `{{ }}`, `{% %}` and `{# #}` tags of a minijinja source.
fn literal_parts(source: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = source;
    while let Some(start) = ["{{", "{%", "{#"].iter().filter_map(|t| rest.find(t)).min() {
        parts.push(rest[..start].to_owned());
        let close = match &rest[start..start + 2] {
            "{{" => "}}",
            "{%" => "%}",
            _ => "#}",
        };
        match rest[start + 2..].find(close) {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => {
                rest = "";
                break;
            }
        }
    }
    parts.push(rest.to_owned());
    parts
}

fn matches_in_order(text: &str, parts: &[String]) -> bool {
    let mut at = 0;
    for p in parts {
        match text[at..].find(p.as_str()) {
            Some(i) => at += i + p.len(),
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_ids_hex_and_names_become_placeholders() {
        let names = vec![
            "payments-api-7f9dd8b6c4-k2m4p".to_owned(),
            "payments".to_owned(),
        ];
        assert_eq!(
            normalise(
                "  heap usage at 91% of 512Mi in payments-api-7f9dd8b6c4-k2m4p  ",
                &names
            ),
            "heap usage at <n>% of <n>Mi in <name>"
        );
        assert_eq!(
            normalise("pod abc123def id k2m4p v20 at 10.0.3.7", &[]),
            "pod <hex> id <id> v<n> at <n>.<n>.<n>.<n>"
        );
        assert_eq!(letters("<n>-<n>-<n>T<n>:<n>Z"), 2);
    }

    #[test]
    fn a_fingerprint_traces_to_the_most_specific_template() {
        let tracer = Tracer::new([
            (
                "families.yml",
                "causes.node_oom.tails[2]",
                "loaded chunk {{ pid % 70 }} of 128 into dataframe",
            ),
            ("families.yml", "causes.x.generic", "{{ a }} into {{ b }}"),
            ("world.yml", "kubelet.name", "{{ pod }}"),
        ]);
        assert_eq!(
            tracer.trace("<n>-<n>-<n> INFO loaded chunk <n> of <n> into dataframe"),
            Some("families.yml: causes.node_oom.tails[2]")
        );
        assert_eq!(tracer.trace("something else entirely"), None);
    }
}

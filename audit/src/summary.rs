//! The text view of an audit: the goal figures first, then the baselines by input, level and
//! tier, the rules baseline beside them, localization and the shortcut fingerprints. Printed by
//! `triagebench audit` and stored as `audit.txt`.

use std::fmt::Write as _;

use scenario::Level;

use crate::{Audit, CorpusMeta, Goals};

/// Fingerprints listed in the text (all are in `audit.parquet`).
pub const LISTED_FINGERPRINTS: usize = 40;

fn corpus_line(m: &CorpusMeta) -> String {
    format!(
        "{} (corpus {}, seed {}, split {}, {} scenarios)",
        m.path.display(),
        m.id,
        m.seed.map_or_else(|| "-".to_owned(), |s| s.to_string()),
        m.split.as_deref().unwrap_or("none"),
        m.scenarios
    )
}

fn f3(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"))
}

/// The goal figures as `(name, value)` lines, in the order.
pub fn goal_lines(g: &Goals, min_support: u64) -> Vec<(String, String)> {
    vec![
        (
            "surface model, root cause, tier 3".into(),
            f3(g.surface_tier3),
        ),
        (
            "rules minus surface, root cause, tier 3".into(),
            match g.rules_margin() {
                Some(m) => format!("{m:+.3} (rules {})", f3(g.rules_tier3)),
                None => format!("- (rules {})", f3(g.rules_tier3)),
            },
        ),
        (
            "best single source, root cause, tier 3".into(),
            g.max_source_tier3
                .as_ref()
                .map_or_else(|| "-".to_owned(), |(k, v)| format!("{v:.3} ({k})")),
        ),
        (
            "alert only, failure mode, misleading alerts".into(),
            f3(g.misleading_alert_mode),
        ),
        (
            format!("max fingerprint precision, >= {min_support} scenarios"),
            g.max_fingerprint.as_ref().map_or_else(
                || "-".to_owned(),
                |(p, n, t)| format!("{p:.3} in {n}: \"{}\"", clip(t, 70)),
            ),
        ),
        (
            "alert names the answer's pod".into(),
            format!(
                "{} (pod-level alerts {}, workload-level {})",
                f3(g.alert_localization),
                f3(g.pod_level_localization),
                f3(g.workload_level_localization)
            ),
        ),
    ]
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max - 3).collect();
        out.push_str("...");
        out
    }
}

/// Renders the whole summary.
pub fn render(a: &Audit) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "shortcut audit of {}", corpus_line(&a.test));
    match &a.train {
        Some(t) => {
            let _ = writeln!(s, "baselines trained on {}", corpus_line(t));
        }
        None => {
            let _ = writeln!(s, "no train corpus: learned baselines not computed");
        }
    }
    if !a.warnings.is_empty() {
        let _ = writeln!(s, "\nwarnings:");
        for w in &a.warnings {
            let _ = writeln!(s, "  ! {w}");
        }
    }
    let _ = writeln!(s, "\ngoal figures:");
    for (name, value) in goal_lines(&a.goals(), a.options.min_support) {
        let _ = writeln!(s, "  {name:<46} {value}");
    }

    let mut tiers: Vec<String> = a.rows.iter().map(|r| r.tier.clone()).collect();
    tiers.sort();
    tiers.dedup();
    tiers.retain(|t| t != "all");
    tiers.insert(0, "all".into());
    let header = |s: &mut String, first: &str| {
        let _ = write!(s, "  {first:<26}{:<21}", "level");
        for t in &tiers {
            let _ = write!(
                s,
                "{:>7}",
                if t == "all" {
                    "all".to_owned()
                } else {
                    format!("t{t}")
                }
            );
        }
        let _ = writeln!(s, "{:>8}", "n");
    };
    let line =
        |s: &mut String, section: &str, input: &str, shown: &str, level: &str, label: &str| {
            if a.find(section, input, level, "all", label).is_none() {
                return;
            }
            let _ = write!(s, "  {shown:<26}{level:<21}");
            for t in &tiers {
                let _ = write!(
                    s,
                    "{:>7}",
                    f3(a.find(section, input, level, t, label).map(|r| r.value))
                );
            }
            let n = a
                .find(section, input, level, "all", label)
                .map_or(0, |r| r.n);
            let _ = writeln!(s, "{n:>8}");
        };

    if a.train.is_some() {
        let _ = writeln!(
            s,
            "\npartial-input baselines (softmax regression over hashed 1-2-grams; accuracy on the audited corpus):"
        );
        header(&mut s, "input");
        let mut inputs: Vec<&str> = Vec::new();
        for r in a.rows.iter().filter(|r| r.section == "surface") {
            if !inputs.contains(&r.input.as_str()) {
                inputs.push(&r.input);
            }
        }
        for input in inputs {
            for level in Level::LABELED {
                line(&mut s, "surface", input, input, level.as_str(), "");
            }
        }
        for label in ["misleading", "honest"] {
            line(
                &mut s,
                "alert_signal",
                "alert",
                &format!("alert, {label} alerts"),
                Level::FailureMode.as_str(),
                label,
            );
        }
    }
    let _ = writeln!(s, "\nrules baseline (built-in) on the same corpus:");
    header(&mut s, "classifier");
    for level in Level::LABELED {
        line(&mut s, "rules", "all", "rules", level.as_str(), "");
    }
    if a.train.is_some() {
        let _ = writeln!(s, "  rules minus surface model (all inputs):");
        for level in Level::LABELED {
            let _ = write!(s, "  {:<26}{:<21}", "rules - surface", level.as_str());
            for t in &tiers {
                let d = a
                    .find("rules", "all", level.as_str(), t, "")
                    .zip(a.find("surface", "all", level.as_str(), t, ""))
                    .map(|(r, m)| r.value - m.value);
                let _ = write!(
                    s,
                    "{:>7}",
                    d.map_or_else(|| "-".to_owned(), |d| format!("{d:+.3}"))
                );
            }
            let _ = writeln!(s);
        }
    }

    let _ = writeln!(
        s,
        "\nevidence coverage (share of scenarios whose source answered):"
    );
    header(&mut s, "source");
    for r in a
        .rows
        .iter()
        .filter(|r| r.section == "coverage" && r.tier == "all")
    {
        line(&mut s, "coverage", &r.input, &r.input, "", "");
    }

    let _ = writeln!(
        s,
        "\nlocalization leak (share of scenarios with an affected pod whose alert names it):"
    );
    header(&mut s, "alerts");
    for input in ["all", "pod_level", "workload_level"] {
        for level in ["pod", "container"] {
            line(&mut s, "localization", input, input, level, "");
        }
    }

    let flagged: Vec<_> = a
        .fingerprints
        .iter()
        .filter(|f| f.precision() >= a.options.precision)
        .collect();
    let _ = writeln!(
        s,
        "\nfingerprints with root-cause precision >= {:.2} in >= {} scenarios: {} (of {} in >= {})",
        a.options.precision,
        a.options.min_support,
        flagged.len(),
        a.fingerprints.len(),
        a.options.min_support
    );
    if !flagged.is_empty() {
        let _ = writeln!(
            s,
            "  {:>6} {:>7}  {:<24}{:<22}fingerprint  <- template",
            "prec", "support", "root cause", "sources"
        );
    }
    for f in flagged.iter().take(LISTED_FINGERPRINTS) {
        let _ = writeln!(
            s,
            "  {:>6.3} {:>7}  {:<24}{:<22}\"{}\"  <- {}",
            f.precision(),
            f.support,
            f.top_cause.as_str(),
            clip(&f.sources.join("+"), 21),
            clip(&f.text, 90),
            f.origin.as_deref().unwrap_or("not from a template")
        );
    }
    if flagged.len() > LISTED_FINGERPRINTS {
        let _ = writeln!(
            s,
            "  ... {} more in audit.parquet (section fingerprint)",
            flagged.len() - LISTED_FINGERPRINTS
        );
    }
    s
}

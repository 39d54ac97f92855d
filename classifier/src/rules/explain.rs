//! The explanation of a verdict: the prediction it becomes, its labels followed by every piece
//! of evidence it rests on, cited as `file object: fact` with short quotes.

use scenario::files::Event;
use scenario::{FailureMode, Prediction};

use super::target::View;
use super::verdict::Verdict;

impl Verdict {
    pub(super) fn into_prediction(self, view: &View<'_>) -> Prediction {
        let mut explanation = format!(
            "{}/{}/{} for {}/{}",
            self.mode, self.category, self.cause, view.ns, view.workload
        );
        let mut cites = self.cites;
        cites.dedup();
        for c in cites.iter().take(8) {
            explanation.push_str("; ");
            explanation.push_str(c);
        }
        for note in &view.notes {
            explanation.push_str("; ");
            explanation.push_str(note);
        }
        let healthy = self.mode == FailureMode::Healthy;
        Prediction {
            failure_mode: self.mode,
            root_cause_category: self.category,
            root_cause: self.cause,
            exit_code: if healthy { None } else { self.exit_code },
            affected_pod: if healthy {
                None
            } else {
                self.pod.map(|p| format!("{}/{p}", view.ns))
            },
            affected_container: if healthy { None } else { self.container },
            confidence: Some(self.confidence.clamp(0.0, 1.0)),
            explanation,
        }
    }
}

/// Longest quoted evidence text in an explanation.
const QUOTE_MAX: usize = 160;

pub(super) fn cite_event(e: &Event) -> String {
    let count = e.count.map(|c| format!(" count={c}")).unwrap_or_default();
    format!(
        "eks_events.json warning_events[{} {}]: {}{count}",
        e.reason,
        e.involved_object,
        quote(&e.message)
    )
}

/// A short quoted excerpt.
pub(super) fn quote(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() <= QUOTE_MAX {
        format!("\"{s}\"")
    } else {
        let cut: String = s.chars().take(QUOTE_MAX).collect();
        format!("\"{cut}...\"")
    }
}

//! Datadog monitors (`datadog_monitors.json`): which monitors are about the workload, and
//! memory at the container's limit (a memory-vs-limit monitor alerting, or a log line putting
//! memory or heap at 90% or more), the weak sign of an OOM kill when nothing else is seen.

use super::logs::{Origin, Text, cite_text, max_percent};
use super::target::View;

impl<'a> View<'a> {
    /// The messages of the monitors in an alerting state that name the workload.
    pub(super) fn monitor_texts(&self, texts: &mut Vec<Text<'a>>) {
        if let Some(monitors) = self.case.evidence.datadog_monitors() {
            for m in &monitors.monitors {
                let state = m.overall_state.to_lowercase();
                if state != "alert" && state != "warn" {
                    continue;
                }
                let mut all = m.name.clone();
                for part in [m.query.as_deref(), m.message.as_deref()]
                    .into_iter()
                    .flatten()
                {
                    all.push(' ');
                    all.push_str(part);
                }
                let about_us = contains_word(&all, self.workload)
                    || m.tags.iter().any(|t| tag_value(t) == Some(self.workload));
                if about_us && let Some(message) = m.message.as_deref() {
                    texts.push(Text::new(Origin::Monitor(m), message));
                }
            }
        }
    }

    /// Memory of the workload at its limit: a monitor about it alerting on memory against the
    /// limit (or OOM), or a log line putting memory or heap usage at 90% or more.
    pub(super) fn memory_at_limit(&self) -> Option<String> {
        if let Some(monitors) = self.case.evidence.datadog_monitors() {
            for m in &monitors.monitors {
                let state = m.overall_state.to_lowercase();
                if state != "alert" && state != "warn" {
                    continue;
                }
                let text = format!(
                    "{} {} {}",
                    m.name,
                    m.query.as_deref().unwrap_or(""),
                    m.message.as_deref().unwrap_or("")
                )
                .to_lowercase();
                let about_us = contains_word(&text, self.workload)
                    || m.tags.iter().any(|t| tag_value(t) == Some(self.workload));
                if about_us
                    && text.contains("memory")
                    && (text.contains("limit") || text.contains("oom"))
                {
                    return Some(format!(
                        "datadog_monitors.json monitors[{} \"{}\"]: {}",
                        m.id_label(),
                        m.name,
                        m.overall_state
                    ));
                }
            }
        }
        self.texts()
            .iter()
            .rev()
            .find(|t| {
                (t.lower.contains("memory") || t.lower.contains("heap"))
                    && max_percent(&t.lower) >= 90
            })
            .map(cite_text)
    }
}

/// Whether `word` occurs in `text` delimited by non-name characters.
pub(super) fn contains_word(text: &str, word: &str) -> bool {
    !word.is_empty()
        && text.match_indices(word).any(|(i, _)| {
            let name_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
            text[..i].chars().next_back().is_none_or(|c| !name_char(c))
                && text[i + word.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !name_char(c))
        })
}

pub(super) fn tag_value(tag: &str) -> Option<&str> {
    tag.split_once(':').map(|(_, v)| v)
}

//! The text-level part of the perturbations: identifier tokens (what a rename substitutes),
//! timestamps in every format a corpus uses (what a time shift moves), and the phrase table of
//! a rewording.
//!
//! **Tokens.** A token is a maximal run of `[A-Za-z0-9_-]` (so `.`, `/`, `:`, quotes and
//! spaces separate tokens: the first label of `ip-10-0-1-42.us-east-1.compute.internal` is
//! one token), or a dotted IPv4 address (`10.0.1.42`). A backslash escape (`\n`, `\"`,
//! `\u00e9`) separates tokens too, so `\nfeed` in a JSON or YAML string holds the token
//! `feed`. A rename replaces whole tokens only, by tokens of the same alphabet, so it never
//! touches quotes, escapes or structure: a JSON or YAML file stays well-formed, and a token
//! that is not in the map (a JSON key, a label such as `oom_killed`) is never changed.

use std::collections::BTreeMap;

use crate::time::{Utc, unix_seconds};

/// A byte that belongs to a token.
pub fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The end of a dotted IPv4 address starting at `i` (four groups of 1-3 digits, not followed
/// by a token byte or by `.` and a digit).
fn quad_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    for group in 0..4 {
        if group > 0 {
            if b.get(j) != Some(&b'.') {
                return None;
            }
            j += 1;
        }
        let start = j;
        while j < b.len() && b[j].is_ascii_digit() && j - start < 3 {
            j += 1;
        }
        if j == start {
            return None;
        }
    }
    let after = b.get(j).copied();
    if after.is_some_and(is_name_byte)
        || (after == Some(b'.') && b.get(j + 1).is_some_and(u8::is_ascii_digit))
    {
        return None;
    }
    Some(j)
}

/// The byte spans of the tokens of `text`, in order (escape sequences skipped, a dotted IPv4
/// address one token); the one scanner [`map_tokens`] and [`tokens`] share.
fn token_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let b = text.as_bytes();
    let mut i = 0usize;
    std::iter::from_fn(move || {
        while i < b.len() {
            if b[i] == b'\\' {
                i = (i + if b.get(i + 1) == Some(&b'u') { 6 } else { 2 }).min(b.len());
                continue;
            }
            if !is_name_byte(b[i]) {
                i += 1;
                continue;
            }
            let start = i;
            let end = quad_end(b, i).unwrap_or_else(|| {
                let mut j = i;
                while j < b.len() && is_name_byte(b[j]) {
                    j += 1;
                }
                j
            });
            i = end;
            return Some((start, end));
        }
        None
    })
}

/// Calls `f` on every token of `text` in order and replaces the token by what `f` returns
/// (`None` keeps it).
pub fn map_tokens<'m>(text: &str, mut f: impl FnMut(&str) -> Option<&'m str>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0usize;
    for (start, end) in token_spans(text) {
        if let Some(new) = f(&text[start..end]) {
            out.push_str(&text[last..start]);
            out.push_str(new);
            last = end;
        }
    }
    out.push_str(&text[last..]);
    out
}

/// Every token of `text`.
pub fn tokens(text: &str) -> Vec<&str> {
    token_spans(text).map(|(s, e)| &text[s..e]).collect()
}

/// `text` with every token that is a key of `map` replaced by its value.
pub fn rename(text: &str, map: &BTreeMap<String, String>) -> String {
    map_tokens(text, |t| map.get(t).map(String::as_str))
}

/// `text` with every timestamp moved by `shift` seconds: RFC 3339 (`2026-03-04T17:20:19Z`,
/// with a fraction or an offset), Python's `str(datetime)` (`2026-03-04 17:20:19+00:00`) and
/// the log lines' `2026-03-04 17:20:19.123` all share the `YYYY-MM-DD?HH:MM:SS` head, which is
/// rewritten in place (the separator, fraction and zone are kept); epoch milliseconds or
/// seconds of a JSON key ending in `_at` (`"created_at": 1772409600000`) move too.
pub fn shift_times(text: &str, shift: i64) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut last) = (0usize, 0usize);
    while i < b.len() {
        if b[i].is_ascii_digit()
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && let Some(head) = text.get(i..i + 19)
            && head
                .as_bytes()
                .get(10)
                .is_some_and(|c| matches!(c, b'T' | b' '))
            && !b.get(i + 19).is_some_and(u8::is_ascii_digit)
            && let Some(secs) = unix_seconds(head)
        {
            let t = Utc::from_unix(secs + shift);
            out.push_str(&text[last..i]);
            out.push_str(&t.date());
            out.push(char::from(head.as_bytes()[10]));
            out.push_str(&t.time());
            i += 19;
            last = i;
            continue;
        }
        if text[i..].starts_with("_at\":") {
            let mut j = i + 5;
            while b.get(j) == Some(&b' ') {
                j += 1;
            }
            let start = j;
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            let scale = match j - start {
                13 => Some(1000),
                10 => Some(1),
                _ => None,
            };
            if let (Some(scale), Ok(v)) = (scale, text[start..j].parse::<i64>()) {
                out.push_str(&text[last..start]);
                out.push_str(&(v + shift * scale).to_string());
                last = j;
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    out.push_str(&text[last..]);
    out
}

/// The rewording table: benign words of steady-state log lines and the word put in their
/// place. No entry holds or makes a word the tools or the baseline read as a signal (no error
/// keyword, no state, no number).
pub const REWORDINGS: &[(&str, &str)] = &[
    ("completed", "finished"),
    ("Completed", "Finished"),
    ("processed", "handled"),
    ("processing", "handling"),
    ("loaded", "read"),
    ("written", "saved"),
    ("Compacting", "Compaction of"),
    ("confirmed", "accepted"),
    ("refresh", "reload"),
    ("finished", "done"),
    ("warmup", "preload"),
    ("progress", "status"),
    ("records", "rows"),
    ("messages", "events"),
    ("stats", "metrics"),
    ("chunk", "block"),
    ("checkpoint", "snapshot"),
    ("started", "began"),
    ("listening", "serving"),
    ("ready", "up"),
    ("request", "call"),
    ("batch", "group"),
];

/// A line reworded through [`REWORDINGS`] (token by token), or `None` when no word of the
/// table occurs in it.
pub fn reword_line(line: &str) -> Option<String> {
    let mut changed = false;
    let out = map_tokens(line, |t| {
        let hit = REWORDINGS.iter().find(|(w, _)| *w == t).map(|(_, r)| *r);
        changed |= hit.is_some();
        hit
    });
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_on_dots_escapes_and_keep_addresses() {
        assert_eq!(
            tokens("ip-10-0-1-42.us-east-1.compute.internal"),
            vec!["ip-10-0-1-42", "us-east-1", "compute", "internal"]
        );
        assert_eq!(tokens("\\nfeed \\\"x\\u00e9y"), vec!["feed", "x", "y"]);
        assert_eq!(tokens("at 10.0.1.42:8080"), vec!["at", "10.0.1.42", "8080"]);
        assert_eq!(tokens("1.2.3.4.5"), vec!["1", "2.3.4.5"]);
    }

    #[test]
    fn rename_replaces_whole_tokens_only() {
        let map: BTreeMap<String, String> = [("api".to_owned(), "gate".to_owned())].into();
        assert_eq!(
            rename(
                "{\"apiVersion\": \"v1\", \"c\": \"api\", \"p\": \"/api/x\", \"q\": \"api-x\"}",
                &map
            ),
            "{\"apiVersion\": \"v1\", \"c\": \"gate\", \"p\": \"/gate/x\", \"q\": \"api-x\"}"
        );
    }

    #[test]
    fn shifts_every_format() {
        let s = "a 2026-03-04T17:20:19Z b 2026-03-04 17:20:19.123456+00:00 c [2026-12-31 23:59:59.120 +0000] \"created_at\": 1772409600000, \"x_at\": 1772409600";
        let out = shift_times(s, 3600);
        assert_eq!(
            out,
            "a 2026-03-04T18:20:19Z b 2026-03-04 18:20:19.123456+00:00 c [2027-01-01 00:59:59.120 +0000] \"created_at\": 1772413200000, \"x_at\": 1772413200"
        );
        assert_eq!(shift_times(&out, -3600), s);
        // A date without a time, a version and a longer number are left alone.
        let other = "2026-03-04 v2026.01.8777 12026-03-04T17:20:19Z";
        assert_eq!(shift_times(other, 60), other);
    }

    #[test]
    fn rewording_touches_table_words_only() {
        assert_eq!(
            reword_line("request completed status=200").as_deref(),
            Some("call finished status=200")
        );
        assert_eq!(reword_line("GET /v1/tax 200 82ms"), None);
    }
}

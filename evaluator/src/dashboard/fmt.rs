//! Text helpers of the dashboard: HTML escaping and the number formats every chart shares
//! (percent with one decimal, percentage-point deltas, p-values, throughput).

use std::fmt::Write as _;

/// Escapes text for HTML element content and attribute values (`&`, `<`, `>`, `"`, `'`).
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A share as a percent with one decimal: `0.8423` -> `84.2%`; not finite -> an en dash.
pub(crate) fn pct(v: f64) -> String {
    if !v.is_finite() {
        return "\u{2013}".to_owned();
    }
    format!("{}%", one_decimal(v * 100.0))
}

/// An optional share as a percent; `None` -> an en dash.
pub(crate) fn pct_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "\u{2013}".to_owned(), pct)
}

/// A difference of two shares in percentage points with its sign: `+1.2 pts`, `−3.0 pts`.
pub(crate) fn pts(delta: f64) -> String {
    if !delta.is_finite() {
        return "\u{2013}".to_owned();
    }
    let v = delta * 100.0;
    let text = one_decimal(v.abs());
    if text == "0.0" {
        "\u{b1}0.0 pts".to_owned()
    } else if v > 0.0 {
        format!("+{text} pts")
    } else {
        format!("\u{2212}{text} pts")
    }
}

/// A p-value: `p < 0.001` or three decimals.
pub(crate) fn pval(p: f64) -> String {
    if !p.is_finite() {
        "\u{2013}".to_owned()
    } else if p < 0.001 {
        "p < 0.001".to_owned()
    } else {
        format!("p = {p:.3}")
    }
}

/// A throughput or count with thousands separators; one decimal below 100.
pub(crate) fn num(v: f64) -> String {
    if !v.is_finite() {
        return "\u{2013}".to_owned();
    }
    if v.abs() < 100.0 {
        return one_decimal(v);
    }
    let rounded = v.round() as i64;
    let digits = rounded.unsigned_abs().to_string();
    let mut out = String::new();
    if rounded < 0 {
        out.push('\u{2212}');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A latency in milliseconds: two decimals below 1 ms, `<0.01` below that, else like [`num`].
pub(crate) fn ms(v: f64) -> String {
    if !v.is_finite() {
        "\u{2013}".to_owned()
    } else if v < 0.01 {
        "<0.01".to_owned()
    } else if v < 1.0 {
        format!("{v:.2}")
    } else {
        num(v)
    }
}

/// An integer count with thousands separators.
pub(crate) fn count(v: u64) -> String {
    num(v as f64).trim_end_matches(".0").to_owned()
}

/// One decimal, never `-0.0`.
fn one_decimal(v: f64) -> String {
    let s = format!("{v:.1}");
    if s == "-0.0" { "0.0".to_owned() } else { s }
}

/// An SVG coordinate: one decimal, trailing `.0` dropped, so the markup stays small and stable.
pub(crate) fn c(v: f64) -> String {
    let s = format!("{v:.1}");
    let s = s.strip_suffix(".0").map(str::to_owned).unwrap_or(s);
    if s == "-0" { "0".to_owned() } else { s }
}

/// A short, readable form of an RFC 3339 time: `2026-11-20T07:13:20Z` -> `2026-11-20 07:13`.
pub(crate) fn short_time(t: &str) -> String {
    if t.len() >= 16 && t.as_bytes().get(10) == Some(&b'T') {
        format!("{} {}", &t[..10], &t[11..16])
    } else {
        t.to_owned()
    }
}

/// The month-day-time part of an RFC 3339 time for axis ticks: `11-20 07:13`.
pub(crate) fn tick_time(t: &str) -> String {
    let s = short_time(t);
    if s.len() >= 16 && s.is_char_boundary(5) {
        s[5..].to_owned()
    } else {
        s
    }
}

/// Approximate rendered width in pixels of `s` at `size` px. The advance widths are DejaVu Sans
/// (the sans-serif of Debian's Chromium), the widest of the fonts the page asks for, so labels
/// measured here fit in every browser.
pub(crate) fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|ch| match ch {
            'i' | 'j' | 'l' | '\'' | '|' => 0.28,
            '.' | ',' | ':' | ';' | ' ' | '!' | '\u{b7}' => 0.32,
            'f' | 't' => 0.37,
            'r' | '(' | ')' | '-' | '/' => 0.40,
            's' | 'z' | 'c' => 0.54,
            'k' | 'v' | 'x' | 'y' => 0.59,
            'm' => 0.97,
            'w' => 0.82,
            '_' => 0.50,
            '%' => 0.95,
            '=' | '+' | '<' | '>' | '\u{2212}' => 0.84,
            'M' | 'W' => 0.90,
            c if c.is_ascii_uppercase() => 0.72,
            c if c.is_ascii_digit() => 0.64,
            c if c.is_ascii_lowercase() => 0.63,
            _ => 0.70,
        })
        .sum::<f64>()
        * size
}

/// A label shortened with an ellipsis to fit `max_px` at `size` px.
pub(crate) fn fit(s: &str, size: f64, max_px: f64) -> String {
    if text_width(s, size) <= max_px {
        return s.to_owned();
    }
    let mut out = String::new();
    for ch in s.chars() {
        let mut next = out.clone();
        next.push(ch);
        if text_width(&next, size) + 0.6 * size > max_px {
            break;
        }
        out = next;
    }
    out.push('\u{2026}');
    out
}

/// Appends formatted text to a `String` (writing to a `String` cannot fail).
pub(crate) fn push(out: &mut String, args: std::fmt::Arguments<'_>) {
    out.write_fmt(args)
        .expect("writing to a String cannot fail");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(pct(0.8423), "84.2%");
        assert_eq!(pct(1.0), "100.0%");
        assert_eq!(pct(-0.00001), "0.0%");
        assert_eq!(pts(0.012), "+1.2 pts");
        assert_eq!(pts(-0.03), "\u{2212}3.0 pts");
        assert_eq!(pts(0.0001), "\u{b1}0.0 pts");
        assert_eq!(pval(0.0386), "p = 0.039");
        assert_eq!(pval(0.0001), "p < 0.001");
        assert_eq!(num(1234.4), "1,234");
        assert_eq!(num(12.34), "12.3");
        assert_eq!(count(1_000_000), "1,000,000");
        assert_eq!(count(7), "7");
        assert_eq!(ms(0.004), "<0.01");
        assert_eq!(ms(0.456), "0.46");
        assert_eq!(ms(12.34), "12.3");
        assert_eq!(c(3.0), "3");
        assert_eq!(c(-0.01), "0");
        assert_eq!(c(2.25), "2.2");
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(short_time("2026-11-20T07:13:20Z"), "2026-11-20 07:13");
        assert_eq!(tick_time("2026-11-20T07:13:20Z"), "11-20 07:13");
        assert_eq!(tick_time("run 3"), "run 3");
        assert!(fit("dependency_unavailable", 12.0, 60.0).ends_with('\u{2026}'));
    }
}

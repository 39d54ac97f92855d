//! The chart primitives of the dashboard, drawn as inline SVG strings: a line chart over runs,
//! horizontal bars with Wilson interval whiskers, a row-normalised heatmap and a dumbbell chart.
//! They know nothing about triagebench's tables; `sections` feeds them. Every string that reaches
//! the markup goes through [`esc`]; every chart opens with an accessible `<title>`.

use super::fmt::{c, esc, fit, pct, push, text_width};

/// Colour-blind-safe categorical palette (Okabe & Ito), without the yellow that fades on white.
pub(crate) const PALETTE: &[&str] = &[
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
];

/// Neutral ink colours.
const INK: &str = "#1f2933";
const MUTED: &str = "#616e7c";
const GRID: &str = "#e4e7eb";
const AXIS: &str = "#9aa5b1";

/// Marker shapes, cycled with the palette so series differ by more than colour.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
}

impl Marker {
    /// The marker for series number `i`.
    pub(crate) fn nth(i: usize) -> Marker {
        [
            Marker::Circle,
            Marker::Square,
            Marker::Triangle,
            Marker::Diamond,
        ][i % 4]
    }

    /// The marker as an SVG element centred on (x, y), with a tooltip.
    fn draw(self, x: f64, y: f64, color: &str, tip: &str) -> String {
        let body = match self {
            Marker::Circle => format!(r#"<circle cx="{}" cy="{}" r="3.6""#, c(x), c(y)),
            Marker::Square => format!(
                r#"<rect x="{}" y="{}" width="6.6" height="6.6""#,
                c(x - 3.3),
                c(y - 3.3)
            ),
            Marker::Triangle => format!(
                r#"<path d="M{} {}L{} {}L{} {}Z""#,
                c(x),
                c(y - 4.4),
                c(x + 4.2),
                c(y + 3.2),
                c(x - 4.2),
                c(y + 3.2)
            ),
            Marker::Diamond => format!(
                r#"<path d="M{} {}L{} {}L{} {}L{} {}Z""#,
                c(x),
                c(y - 4.6),
                c(x + 4.6),
                c(y),
                c(x),
                c(y + 4.6),
                c(x - 4.6),
                c(y)
            ),
        };
        let tag = if matches!(self, Marker::Circle) {
            "circle"
        } else if matches!(self, Marker::Square) {
            "rect"
        } else {
            "path"
        };
        format!(
            r##"{body} fill="{color}" stroke="#fff" stroke-width="1.2"><title>{}</title></{tag}>"##,
            esc(tip)
        )
    }

    /// A small inline SVG swatch of the marker and line for a legend.
    pub(crate) fn swatch(self, color: &str) -> String {
        format!(
            r#"<svg class="swatch" width="26" height="12" viewBox="0 0 26 12" aria-hidden="true"><line x1="1" y1="6" x2="25" y2="6" stroke="{color}" stroke-width="2.2"/>{}</svg>"#,
            self.draw(13.0, 6.0, color, "")
                .replace("<title></title>", "")
        )
    }
}

/// A linear map from a data interval to a pixel interval.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    /// Maps `[d0, d1]` onto `[r0, r1]`.
    pub(crate) fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Scale {
        let d1 = if (d1 - d0).abs() < f64::EPSILON {
            d0 + 1.0
        } else {
            d1
        };
        Scale { d0, d1, r0, r1 }
    }

    /// The pixel position of `v`, clamped to the range.
    pub(crate) fn at(&self, v: f64) -> f64 {
        let t = ((v - self.d0) / (self.d1 - self.d0)).clamp(0.0, 1.0);
        self.r0 + t * (self.r1 - self.r0)
    }
}

/// A value axis: its domain, ticks, how tick labels read, and its title.
#[derive(Clone, Debug)]
pub(crate) struct Axis {
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    pub(crate) ticks: Vec<f64>,
    pub(crate) format: fn(f64) -> String,
    pub(crate) title: String,
}

impl Axis {
    /// A percent axis from `lo` (rounded down to a tidy step) to 100%.
    pub(crate) fn share(min_value: f64, title: &str) -> Axis {
        let min_value = if min_value.is_finite() {
            min_value.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let lo = ((min_value - 0.02) * 10.0).floor().max(0.0) / 10.0;
        let span = 1.0 - lo;
        let step = [0.02, 0.05, 0.1, 0.2, 0.25]
            .into_iter()
            .find(|s| span / s <= 6.0 + 1e-9)
            .unwrap_or(0.25);
        Axis {
            lo,
            hi: 1.0,
            ticks: ticks(lo, 1.0, step),
            format: pct_tick,
            title: title.to_owned(),
        }
    }

    /// The full 0–100% axis.
    pub(crate) fn full_share(title: &str) -> Axis {
        Axis {
            lo: 0.0,
            hi: 1.0,
            ticks: ticks(0.0, 1.0, 0.25),
            format: pct_tick,
            title: title.to_owned(),
        }
    }

    /// A zero-based axis up to a tidy value above `max_value`.
    pub(crate) fn zero_based(max_value: f64, format: fn(f64) -> String, title: &str) -> Axis {
        let max_value = if max_value.is_finite() && max_value > 0.0 {
            max_value
        } else {
            1.0
        };
        let raw = max_value / 5.0;
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .into_iter()
            .map(|m| m * mag)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * mag);
        let hi = (max_value / step).ceil() * step;
        Axis {
            lo: 0.0,
            hi,
            ticks: ticks(0.0, hi, step),
            format,
            title: title.to_owned(),
        }
    }
}

/// Ticks from `lo` to `hi` inclusive by `step`.
fn ticks(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let n = ((hi - lo) / step + 1e-6).floor() as usize;
    (0..=n).map(|i| lo + step * i as f64).collect()
}

/// A percent tick label without a needless decimal: `80%`, `82.5%`.
pub(crate) fn pct_tick(v: f64) -> String {
    let p = v * 100.0;
    if (p - p.round()).abs() < 1e-6 {
        format!("{}%", p.round())
    } else {
        format!("{p:.1}%")
    }
}

/// Opens an `<svg>` of the given size with its accessible title.
fn open_svg(out: &mut String, width: f64, height: f64, title: &str) {
    push(
        out,
        format_args!(
            r#"<svg role="img" width="{w}" height="{h}" viewBox="0 0 {w} {h}"><title>{t}</title>"#,
            w = c(width),
            h = c(height),
            t = esc(title)
        ),
    );
}

/// The width of the row label column of a horizontal chart: the widest label, within 60–190 px
/// (a longer label is cut to fit).
fn row_label_width<'a>(labels: impl Iterator<Item = &'a str>) -> f64 {
    labels
        .map(|l| text_width(l, 12.0))
        .fold(60.0_f64, f64::max)
        .min(190.0)
}

/// The value axis of a horizontal chart: a grid line and tick label per tick across the plot
/// (`top` to `top + plot_h`), and the axis title below, centred on `title_x`.
fn x_grid(
    out: &mut String,
    axis: &Axis,
    xs: &Scale,
    top: f64,
    plot_h: f64,
    title_x: f64,
    title: &str,
) {
    for t in &axis.ticks {
        let x = c(xs.at(*t));
        push(
            out,
            format_args!(
                r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{GRID}"/><text class="tick" x="{x}" y="{}" text-anchor="middle">{}</text>"#,
                c(top),
                c(top + plot_h),
                c(top + plot_h + 14.0),
                (axis.format)(*t)
            ),
        );
    }
    push(
        out,
        format_args!(
            r#"<text class="axis-title" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            c(title_x),
            c(top + plot_h + 32.0),
            esc(title)
        ),
    );
}

/// One line of a line chart.
#[derive(Debug)]
pub(crate) struct LineSeries {
    /// Legend and tooltip name.
    pub(crate) name: String,
    /// Stroke and marker colour.
    pub(crate) color: &'static str,
    /// Marker shape.
    pub(crate) marker: Marker,
    /// (x index, value, tooltip), in x order.
    pub(crate) points: Vec<(usize, f64, String)>,
}

/// A line chart over an ordinal x axis (runs by start time), with a shared value axis.
pub(crate) fn line_chart(
    title: &str,
    subtitle: &str,
    x_labels: &[String],
    series: &[LineSeries],
    y: &Axis,
) -> String {
    let (width, height) = (500.0, 250.0);
    let tick_w = y
        .ticks
        .iter()
        .map(|t| text_width(&(y.format)(*t), 11.0))
        .fold(0.0_f64, f64::max);
    let (left, right, top, bottom) = ((tick_w + 34.0).max(56.0), 24.0, 30.0, 46.0);
    let xs = x_scale(x_labels.len(), left, width - right);
    let ys = Scale::new(y.lo, y.hi, height - bottom, top);
    let mut out = String::new();
    open_svg(&mut out, width, height, &format!("{title}: {subtitle}"));
    push(
        &mut out,
        format_args!(
            r#"<text class="panel-title" x="{}" y="18">{}</text>"#,
            c(left),
            esc(subtitle)
        ),
    );
    value_grid(&mut out, y, &ys, left, width - right);
    // X ticks: as many labels as fit without touching, evenly spread, always the last run.
    let n = x_labels.len();
    let label_w = x_labels
        .iter()
        .map(|l| text_width(l, 11.0))
        .fold(0.0_f64, f64::max)
        + 14.0;
    let fit_n = (((width - right - left) / label_w).floor() as usize).max(2);
    let step = n.div_ceil(fit_n).max(1);
    let base = height - bottom;
    push(
        &mut out,
        format_args!(
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{AXIS}"/>"#,
            c(left),
            c(base),
            c(width - right),
            c(base)
        ),
    );
    for (i, label) in x_labels.iter().enumerate() {
        let last = i == n - 1;
        if !last && (i % step != 0 || n - 1 - i < step) {
            continue; // not a tick, or too close to the last label
        }
        let x = xs(i);
        let half = text_width(label, 11.0) / 2.0;
        let (anchor, tx) = if x + half > width - 2.0 {
            ("end", x.min(width - 2.0))
        } else if x - half < 2.0 {
            ("start", x.max(2.0))
        } else {
            ("middle", x)
        };
        push(
            &mut out,
            format_args!(
                r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{AXIS}"/><text class="tick" x="{}" y="{}" text-anchor="{anchor}">{}</text>"#,
                c(base),
                c(base + 4.0),
                c(tx),
                c(base + 16.0),
                esc(label),
                x = c(x)
            ),
        );
    }
    push(
        &mut out,
        format_args!(
            r#"<text class="axis-title" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            c((left + width - right) / 2.0),
            c(height - 8.0),
            if x_labels.first().is_some_and(|l| l.starts_with('#')) {
                "run, oldest to newest"
            } else {
                "run start time (UTC), oldest to newest"
            }
        ),
    );
    y_title(&mut out, &y.title, top, base);
    let show_markers = n <= 60;
    for s in series {
        let pts: Vec<(f64, f64, &str)> = s
            .points
            .iter()
            .map(|(i, v, tip)| (xs(*i), ys.at(*v), tip.as_str()))
            .collect();
        if pts.len() > 1 {
            let d: String = pts
                .iter()
                .enumerate()
                .map(|(k, (x, y, _))| {
                    format!("{}{} {}", if k == 0 { "M" } else { "L" }, c(*x), c(*y))
                })
                .collect();
            push(
                &mut out,
                format_args!(
                    r#"<path d="{d}" fill="none" stroke="{}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"><title>{}</title></path>"#,
                    s.color,
                    esc(&s.name)
                ),
            );
        }
        for (k, (x, y, tip)) in pts.iter().enumerate() {
            if show_markers || k == pts.len() - 1 {
                out.push_str(&s.marker.draw(*x, *y, s.color, tip));
            }
        }
    }
    out.push_str("</svg>");
    out
}

/// The x position of ordinal index `i` of `n` between `x0` and `x1`.
fn x_scale(n: usize, x0: f64, x1: f64) -> impl Fn(usize) -> f64 {
    let pad = 12.0;
    move |i| {
        if n <= 1 {
            (x0 + x1) / 2.0
        } else {
            x0 + pad + (x1 - x0 - 2.0 * pad) * i as f64 / (n - 1) as f64
        }
    }
}

/// Horizontal grid lines and tick labels of a vertical value axis.
fn value_grid(out: &mut String, y: &Axis, ys: &Scale, x0: f64, x1: f64) {
    for t in &y.ticks {
        let py = ys.at(*t);
        push(
            out,
            format_args!(
                r#"<line x1="{}" y1="{py}" x2="{}" y2="{py}" stroke="{GRID}"/><text class="tick" x="{}" y="{}" text-anchor="end">{}</text>"#,
                c(x0),
                c(x1),
                c(x0 - 6.0),
                c(ys.at(*t) + 4.0),
                esc(&(y.format)(*t)),
                py = c(py)
            ),
        );
    }
}

/// A rotated title for a vertical axis.
fn y_title(out: &mut String, title: &str, top: f64, base: f64) {
    push(
        out,
        format_args!(
            r#"<text class="axis-title" transform="translate(13 {}) rotate(-90)" text-anchor="middle">{}</text>"#,
            c((top + base) / 2.0),
            esc(title)
        ),
    );
}

/// One bar of a horizontal bar chart.
#[derive(Debug)]
pub(crate) struct Bar {
    /// The share, `None` when undefined (drawn as "n/a").
    pub(crate) value: Option<f64>,
    /// Wilson 95% interval, drawn as a whisker.
    pub(crate) interval: Option<(f64, f64)>,
    /// Fill colour.
    pub(crate) color: &'static str,
    /// Tooltip.
    pub(crate) tip: String,
}

/// A labelled group of bars (one row label, one bar per series).
#[derive(Debug)]
pub(crate) struct BarGroup {
    /// Row label.
    pub(crate) label: String,
    /// Small grey note right of the values (`n = 120`).
    pub(crate) note: String,
    /// The bars, top to bottom.
    pub(crate) bars: Vec<Bar>,
}

/// Horizontal bars on a 0–100% axis, grouped by row, with whiskers and value labels.
pub(crate) fn hbar_chart(title: &str, groups: &[BarGroup], axis_title: &str) -> String {
    let bars_per_group = groups
        .iter()
        .map(|g| g.bars.len())
        .max()
        .unwrap_or(1)
        .max(1);
    // Many groups of several bars: thinner bars, and only the first bar's value is printed
    // (at the group's middle); the other values are in the tooltips and the table below.
    let compact = bars_per_group > 1 && groups.len() > 8;
    let (bar_h, gap, group_pad) = match (bars_per_group, compact) {
        (1, _) => (14.0, 2.0, 8.0),
        (_, false) => (11.0, 2.0, 12.0),
        (_, true) => (6.0, 1.0, 10.0),
    };
    let group_h = bars_per_group as f64 * (bar_h + gap) - gap + group_pad;
    let label_w = row_label_width(groups.iter().map(|g| g.label.as_str()));
    let left = label_w + 16.0;
    let plot_w = 300.0;
    let value_w = 54.0;
    let note_w = groups
        .iter()
        .map(|g| text_width(&g.note, 11.0))
        .fold(0.0_f64, f64::max)
        + 8.0;
    let width = left + plot_w + 10.0 + value_w + note_w + 6.0;
    let top = 8.0;
    let plot_h = group_h * groups.len() as f64;
    let height = top + plot_h + 40.0;
    let xs = Scale::new(0.0, 1.0, left, left + plot_w);
    let mut out = String::new();
    open_svg(&mut out, width, height, title);
    let axis = Axis::full_share(axis_title);
    x_grid(
        &mut out,
        &axis,
        &xs,
        top,
        plot_h,
        left + plot_w / 2.0,
        axis_title,
    );
    for (gi, g) in groups.iter().enumerate() {
        let gy = top + group_pad / 2.0 + gi as f64 * group_h;
        let inner_h = group_h - group_pad;
        if gi % 2 == 1 {
            push(
                &mut out,
                format_args!(
                    r##"<rect x="0" y="{}" width="{}" height="{}" fill="#f7f8fa"/>"##,
                    c(gy - group_pad / 2.0),
                    c(width),
                    c(group_h)
                ),
            );
        }
        push(
            &mut out,
            format_args!(
                r#"<text class="label" x="{}" y="{}" text-anchor="end">{}<title>{}</title></text>"#,
                c(left - 8.0),
                c(gy + inner_h / 2.0 + 4.0),
                esc(&fit(&g.label, 12.0, label_w)),
                esc(&g.label)
            ),
        );
        push(
            &mut out,
            format_args!(
                r#"<text class="note" x="{}" y="{}">{}</text>"#,
                c(left + plot_w + 10.0 + value_w),
                c(gy + inner_h / 2.0 + 4.0),
                esc(&g.note)
            ),
        );
        for (bi, b) in g.bars.iter().enumerate() {
            let y = gy + bi as f64 * (bar_h + gap);
            let mid = y + bar_h / 2.0;
            match b.value {
                Some(v) => {
                    let w = (xs.at(v) - left).max(if v > 0.0 { 1.5 } else { 0.0 });
                    push(
                        &mut out,
                        format_args!(
                            r#"<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"><title>{}</title></rect>"#,
                            c(left),
                            c(y),
                            c(w),
                            c(bar_h),
                            b.color,
                            esc(&b.tip)
                        ),
                    );
                    if let Some((lo, hi)) = b.interval {
                        let (x0, x1) = (xs.at(lo), xs.at(hi));
                        let cap = bar_h / 2.0 - 1.0;
                        push(
                            &mut out,
                            format_args!(
                                r#"<path class="whisker" d="M{x0} {m}H{x1}M{x0} {a}V{b}M{x1} {a}V{b}" stroke="{INK}" stroke-width="1.2" fill="none"><title>95% interval {} – {}</title></path>"#,
                                pct(lo),
                                pct(hi),
                                x0 = c(x0),
                                x1 = c(x1),
                                m = c(mid),
                                a = c(mid - cap),
                                b = c(mid + cap)
                            ),
                        );
                    }
                    let (class, y) = match (bars_per_group, compact) {
                        (1, _) => ("value", mid + 4.0),
                        (_, false) => ("value small", mid + 3.6),
                        (_, true) => ("value", gy + inner_h / 2.0 + 4.0),
                    };
                    if !compact || bi == 0 {
                        push(
                            &mut out,
                            format_args!(
                                r#"<text class="{class}" x="{}" y="{}" text-anchor="end">{}</text>"#,
                                c(left + plot_w + 10.0 + value_w - 6.0),
                                c(y),
                                pct(v)
                            ),
                        );
                    }
                }
                None if compact => {}
                None => push(
                    &mut out,
                    format_args!(
                        r#"<text class="note" x="{}" y="{}">not scored<title>{}</title></text>"#,
                        c(left + 4.0),
                        c(mid + 4.0),
                        esc(&b.tip)
                    ),
                ),
            }
        }
    }
    push(
        &mut out,
        format_args!(
            r#"<line x1="{l}" y1="{}" x2="{l}" y2="{}" stroke="{AXIS}"/>"#,
            c(top),
            c(top + plot_h),
            l = c(left)
        ),
    );
    out.push_str("</svg>");
    out
}

/// A confusion matrix: rows expected, columns predicted, colour by row share (blue on the
/// diagonal, vermillion off it), counts in the cells, recall at the right.
pub(crate) fn heatmap(
    title: &str,
    rows: &[String],
    cols: &[String],
    counts: &[Vec<u64>],
) -> String {
    let cell = if cols.len() > 10 { 34.0 } else { 42.0 };
    let label_w = rows
        .iter()
        .map(|r| text_width(r, 12.0))
        .fold(40.0_f64, f64::max)
        .min(170.0);
    // Column labels (and `recall`) are rotated by 40 degrees: cos 40 = 0.77, sin 40 = 0.64.
    let col_w = |s: &str| text_width(s, 12.0).min(170.0);
    let col_label_h = cols
        .iter()
        .map(|r| col_w(r))
        .fold(col_w("recall"), f64::max)
        * 0.64
        + 16.0;
    let left = label_w + 34.0;
    let top = col_label_h + 16.0;
    let grid_w = cell * cols.len() as f64;
    let grid_h = cell * rows.len() as f64;
    let reach = cols
        .iter()
        .enumerate()
        .map(|(j, col)| left + (j as f64 + 0.5) * cell + col_w(col) * 0.77)
        .fold(left + grid_w + 26.0 + col_w("recall") * 0.77, f64::max);
    let legend = "colour: share of the expected row; blue = right, orange = wrong";
    let width = reach
        .max(left + grid_w + 76.0)
        .max(left + text_width(legend, 11.0))
        + 8.0;
    let height = top + grid_h + 30.0;
    let mut out = String::new();
    open_svg(&mut out, width, height, title);
    push(
        &mut out,
        format_args!(
            r#"<text class="axis-title" x="{}" y="12" text-anchor="middle">predicted</text>"#,
            c(left + grid_w / 2.0)
        ),
    );
    for (j, col) in cols.iter().enumerate() {
        let x = left + (j as f64 + 0.5) * cell;
        push(
            &mut out,
            format_args!(
                r#"<text class="label" transform="translate({} {}) rotate(-40)">{}<title>predicted {}</title></text>"#,
                c(x - 2.0),
                c(top - 6.0),
                esc(&fit(col, 12.0, 170.0)),
                esc(col)
            ),
        );
    }
    push(
        &mut out,
        format_args!(
            r#"<text class="axis-title" transform="translate({} {}) rotate(-40)">recall</text>"#,
            c(left + grid_w + 24.0),
            c(top - 6.0)
        ),
    );
    for (i, row) in rows.iter().enumerate() {
        let y = top + i as f64 * cell;
        let total: u64 = counts[i].iter().sum();
        push(
            &mut out,
            format_args!(
                r#"<text class="label" x="{}" y="{}" text-anchor="end">{}<title>expected {}</title></text>"#,
                c(left - 8.0),
                c(y + cell / 2.0 + 4.0),
                esc(&fit(row, 12.0, label_w)),
                esc(row)
            ),
        );
        for (j, col) in cols.iter().enumerate() {
            let n = counts[i][j];
            let share = if total > 0 {
                n as f64 / total as f64
            } else {
                0.0
            };
            let diagonal = row == col;
            let fill = if n == 0 {
                "#f5f7fa".to_owned()
            } else {
                let t = 0.12 + 0.88 * share;
                if diagonal {
                    mix((0, 114, 178), t)
                } else {
                    mix((213, 94, 0), t)
                }
            };
            let x = left + j as f64 * cell;
            let ink = if n > 0 && 0.12 + 0.88 * share > 0.55 {
                "#ffffff"
            } else {
                INK
            };
            push(
                &mut out,
                format_args!(
                    r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}" stroke="#ffffff" stroke-width="1.5"><title>expected {}, predicted {}: {} ({} of the row)</title></rect>"##,
                    c(x),
                    c(y),
                    c(cell),
                    c(cell),
                    esc(row),
                    esc(col),
                    n,
                    pct(share)
                ),
            );
            if n > 0 {
                let size = if n >= 10_000 {
                    9.0
                } else if n >= 1000 {
                    10.0
                } else {
                    11.5
                };
                push(
                    &mut out,
                    format_args!(
                        r#"<text class="cell" x="{}" y="{}" text-anchor="middle" fill="{ink}" font-size="{size}">{n}</text>"#,
                        c(x + cell / 2.0),
                        c(y + cell / 2.0 + 4.0)
                    ),
                );
            }
            if diagonal {
                push(
                    &mut out,
                    format_args!(
                        r#"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{INK}" stroke-opacity="0.35" stroke-width="1"/>"#,
                        c(x + 1.0),
                        c(y + 1.0),
                        c(cell - 2.0),
                        c(cell - 2.0)
                    ),
                );
            }
        }
        let correct = rows
            .get(i)
            .and_then(|r| cols.iter().position(|col| col == r))
            .map_or(0, |j| counts[i][j]);
        let recall = if total > 0 {
            pct(correct as f64 / total as f64)
        } else {
            "\u{2013}".to_owned()
        };
        push(
            &mut out,
            format_args!(
                r#"<text class="value" x="{}" y="{}">{recall}</text><text class="note" x="{}" y="{}">n = {total}</text>"#,
                c(left + grid_w + 10.0),
                c(y + cell / 2.0 - 1.0),
                c(left + grid_w + 10.0),
                c(y + cell / 2.0 + 11.0)
            ),
        );
    }
    push(
        &mut out,
        format_args!(
            r#"<text class="axis-title" transform="translate(14 {}) rotate(-90)" text-anchor="middle">expected</text>"#,
            c(top + grid_h / 2.0)
        ),
    );
    push(
        &mut out,
        format_args!(
            r#"<text class="note" x="{}" y="{}">{legend}</text>"#,
            c(left),
            c(top + grid_h + 20.0)
        ),
    );
    out.push_str("</svg>");
    out
}

/// White mixed towards `rgb` by `t` in 0..1, as `#rrggbb`.
fn mix(rgb: (u8, u8, u8), t: f64) -> String {
    let t = t.clamp(0.0, 1.0);
    let ch = |v: u8| (255.0 + (f64::from(v) - 255.0) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", ch(rgb.0), ch(rgb.1), ch(rgb.2))
}

/// One row of a dumbbell chart: a base and a candidate value.
#[derive(Debug)]
pub(crate) struct Dumbbell {
    /// Row label.
    pub(crate) label: String,
    /// Base run value.
    pub(crate) base: f64,
    /// Candidate run value.
    pub(crate) candidate: f64,
    /// Whether the change counts as a regression (drawn in vermillion).
    pub(crate) worse: bool,
    /// Text at the right (`−1.2 pts · p = 0.039`).
    pub(crate) note: String,
}

/// Base (hollow) to candidate (filled) per row on a shared percent axis.
pub(crate) fn dumbbell_chart(title: &str, rows: &[Dumbbell]) -> String {
    let min = rows
        .iter()
        .flat_map(|r| [r.base, r.candidate])
        .fold(1.0_f64, f64::min);
    let axis = Axis::share(min, "accuracy");
    let label_w = row_label_width(rows.iter().map(|r| r.label.as_str()));
    let left = label_w + 16.0;
    let plot_w = 320.0;
    let note_w = rows
        .iter()
        .map(|r| text_width(&r.note, 12.0))
        .fold(60.0_f64, f64::max)
        + 12.0;
    let row_h = 30.0;
    let top = 8.0;
    let plot_h = row_h * rows.len() as f64;
    let width = left + plot_w + 16.0 + note_w;
    let height = top + plot_h + 40.0;
    let xs = Scale::new(axis.lo, axis.hi, left, left + plot_w);
    let mut out = String::new();
    open_svg(&mut out, width, height, title);
    x_grid(
        &mut out,
        &axis,
        &xs,
        top,
        plot_h,
        left + plot_w / 2.0,
        "accuracy: base (hollow) to candidate (filled)",
    );
    for (i, r) in rows.iter().enumerate() {
        let y = top + (i as f64 + 0.5) * row_h;
        let color = if r.worse { PALETTE[1] } else { PALETTE[0] };
        let (xb, xc) = (xs.at(r.base), xs.at(r.candidate));
        push(
            &mut out,
            format_args!(
                r##"<text class="label" x="{}" y="{}" text-anchor="end">{}</text><line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{color}" stroke-width="3" stroke-opacity="0.45"/><circle cx="{}" cy="{y}" r="5" fill="#ffffff" stroke="{MUTED}" stroke-width="2"><title>{} base: {}</title></circle><circle cx="{}" cy="{y}" r="5.5" fill="{color}"><title>{} candidate: {}</title></circle><text class="value" x="{}" y="{}">{}</text>"##,
                c(left - 8.0),
                c(y + 4.0),
                esc(&fit(&r.label, 12.0, label_w)),
                c(xb),
                c(xc),
                c(xb),
                esc(&r.label),
                pct(r.base),
                c(xc),
                esc(&r.label),
                pct(r.candidate),
                c(left + plot_w + 16.0),
                c(y + 4.0),
                esc(&r.note),
                y = c(y)
            ),
        );
    }
    out.push_str("</svg>");
    out
}

/// One bin of a reliability diagram series.
#[derive(Debug)]
pub(crate) struct ReliabilityPoint {
    /// Mean confidence of the bin (x).
    pub(crate) confidence: f64,
    /// Accuracy of the bin (y).
    pub(crate) accuracy: f64,
    /// Rows in the bin (the marker's area grows with it).
    pub(crate) n: u64,
    /// Tooltip.
    pub(crate) tip: String,
}

/// A reliability diagram: accuracy against mean confidence per bin, one series per level, over
/// the diagonal a perfectly calibrated classifier follows (points below it are overconfident,
/// above it underconfident). Marker area grows with the bin's share of the rows.
pub(crate) fn reliability_chart(
    title: &str,
    series: &[(String, &'static str, Vec<ReliabilityPoint>)],
) -> String {
    let (size, left, top, right, bottom) = (260.0, 56.0, 14.0, 16.0, 44.0);
    let (width, height) = (left + size + right, top + size + bottom);
    let axis = Axis::full_share("accuracy of the bin");
    let xs = Scale::new(0.0, 1.0, left, left + size);
    let ys = Scale::new(0.0, 1.0, top + size, top);
    let mut out = String::new();
    open_svg(&mut out, width, height, title);
    value_grid(&mut out, &axis, &ys, left, left + size);
    for t in &axis.ticks {
        let x = c(xs.at(*t));
        push(
            &mut out,
            format_args!(
                r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{GRID}"/><text class="tick" x="{x}" y="{}" text-anchor="middle">{}</text>"#,
                c(top),
                c(top + size),
                c(top + size + 14.0),
                pct_tick(*t)
            ),
        );
    }
    push(
        &mut out,
        format_args!(
            r#"<text class="axis-title" x="{}" y="{}" text-anchor="middle">mean confidence of the bin</text><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{AXIS}" stroke-dasharray="4 3"><title>perfect calibration</title></line>"#,
            c(left + size / 2.0),
            c(top + size + 34.0),
            c(xs.at(0.0)),
            c(ys.at(0.0)),
            c(xs.at(1.0)),
            c(ys.at(1.0))
        ),
    );
    y_title(&mut out, &axis.title, top, top + size);
    let total: u64 = series
        .iter()
        .flat_map(|(_, _, pts)| pts.iter().map(|p| p.n))
        .max()
        .unwrap_or(1)
        .max(1);
    for (name, color, pts) in series {
        let d: String = pts
            .iter()
            .enumerate()
            .map(|(k, p)| {
                format!(
                    "{}{} {}",
                    if k == 0 { "M" } else { "L" },
                    c(xs.at(p.confidence)),
                    c(ys.at(p.accuracy))
                )
            })
            .collect();
        if pts.len() > 1 {
            push(
                &mut out,
                format_args!(
                    r#"<path d="{d}" fill="none" stroke="{}" stroke-width="1.6" stroke-opacity="0.7"><title>{}</title></path>"#,
                    color,
                    esc(name)
                ),
            );
        }
        for p in pts {
            let r = 2.5 + 5.5 * (p.n as f64 / total as f64).sqrt();
            push(
                &mut out,
                format_args!(
                    r##"<circle cx="{}" cy="{}" r="{}" fill="{}" fill-opacity="0.75" stroke="#fff" stroke-width="1"><title>{}</title></circle>"##,
                    c(xs.at(p.confidence)),
                    c(ys.at(p.accuracy)),
                    c(r),
                    color,
                    esc(&p.tip)
                ),
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_are_tidy() {
        let a = Axis::share(0.843, "accuracy");
        assert_eq!(a.lo, 0.8);
        assert_eq!(a.ticks.first().copied(), Some(0.8));
        assert!((a.ticks.last().copied().unwrap_or(0.0) - 1.0).abs() < 1e-9);
        let z = Axis::zero_based(1234.0, |v| format!("{v}"), "scenarios/s");
        assert!(z.hi >= 1234.0);
        assert!(z.ticks.len() <= 7);
        assert_eq!(pct_tick(0.8), "80%");
        assert_eq!(pct_tick(0.825), "82.5%");
    }

    #[test]
    fn scale_clamps() {
        let s = Scale::new(0.0, 1.0, 10.0, 110.0);
        assert_eq!(s.at(0.5), 60.0);
        assert_eq!(s.at(2.0), 110.0);
    }

    #[test]
    fn mix_ends() {
        assert_eq!(mix((0, 114, 178), 0.0), "#ffffff");
        assert_eq!(mix((0, 114, 178), 1.0), "#0072b2");
    }
}

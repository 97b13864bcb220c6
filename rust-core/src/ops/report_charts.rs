//! The report's charts as inline SVG: pure functions from data to markup, no script, no external
//! asset, so the page stays one self-contained file that a Content-Security-Policy of
//! `default-src 'none'` still renders.
//!
//! Every chart is `<svg role="img">` with a `<title>` and a `<desc>` that says in words what the
//! marks show (screen readers, and anyone who cannot tell the colours apart); every mark carries
//! its own `<title>` (the tooltip) and `data-*` values, which the rendering test counts.

use std::fmt::Write as _;

use super::report::escape;
use super::report_numbers::NumberFormat;

const WIDTH: f64 = 720.0;

/// One day of the sign-in chart: the UTC date (`YYYY-MM-DD`) and its count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayValue<'a> {
    pub date: &'a str,
    pub value: u64,
}

/// How a protection layer stands, for its colour; the diagram always says it in words as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// The layer stops the QR-code sign-in.
    Closed,
    /// It stops it for most, with gaps (exclusions).
    Partial,
    /// It lets the QR-code sign-in through.
    Open,
    Unknown,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Closed => "closed",
            Tone::Partial => "partial",
            Tone::Open => "open",
            Tone::Unknown => "unknown",
        }
    }
}

/// One box of the three-layers diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer<'a> {
    pub name: &'a str,
    /// The setting behind it, e.g. `MobileAppEducationEnabled`.
    pub setting: &'a str,
    /// A qualifier shown under the setting, e.g. "semi-documented"; empty for none.
    pub note: &'a str,
    /// The state in words, e.g. "Report-only".
    pub state: &'a str,
    pub tone: Tone,
}

fn open_svg(out: &mut String, id: &str, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg id=\"{id}\" class=\"chart\" role=\"img\" aria-label=\"{t}\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\"><title id=\"{id}-title\">{t}</title><desc id=\"{id}-desc\">{d}</desc>",
        id = escape(id),
        t = escape(title),
        d = escape(desc),
    );
}

/// The smallest 1, 2 or 5 times a power of ten that is at least `max` (at least 1): the top of
/// the value axis, so its middle tick is a round number too.
fn axis_top(max: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for m in [1u64, 2, 5] {
            let top = step.saturating_mul(m);
            if top >= max || top == u64::MAX {
                return top.max(1);
            }
        }
        step = step.saturating_mul(10);
    }
}

/// Vertical bars, one per day over the whole window (days without sign-ins are bars of height 0,
/// so the count of bars is the count of days). `id` names the `<svg>`.
pub fn daily_bars(id: &str, title: &str, days: &[DayValue<'_>], numbers: NumberFormat) -> String {
    let total: u64 = days.iter().map(|d| d.value).sum();
    let busiest = days
        .iter()
        .fold(None::<&DayValue<'_>>, |best, d| match best {
            Some(b) if b.value >= d.value => Some(b),
            _ => Some(d),
        })
        .filter(|d| d.value > 0);
    let desc = match (days.first(), days.last()) {
        (Some(first), Some(last)) => {
            let mut desc = format!(
                "{} days from {} to {} (UTC), {} sign-ins in total",
                numbers.format(days.len() as u64),
                first.date,
                last.date,
                numbers.format(total)
            );
            if let Some(b) = busiest {
                let _ = write!(desc, "; most on {} ({})", b.date, numbers.format(b.value));
            }
            desc.push('.');
            desc
        }
        _ => "No days to show.".to_owned(),
    };
    let (left, right, top, bottom) = (56.0, 12.0, 12.0, 36.0);
    let height = 220.0;
    let plot_w = WIDTH - left - right;
    let plot_h = height - top - bottom;
    let base = top + plot_h;
    let mut out = String::new();
    open_svg(&mut out, id, height, title, &desc);
    let max = axis_top(days.iter().map(|d| d.value).max().unwrap_or(0));
    // Value axis: 0, the middle and the top, with grid lines.
    for tick in [0, max / 2, max] {
        let y = base - plot_h * tick as f64 / max as f64;
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/><text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left + plot_w,
            left - 6.0,
            y + 4.0,
            escape(&numbers.format(tick))
        );
    }
    if days.is_empty() {
        let _ = write!(
            out,
            "<text class=\"empty\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">No data</text>",
            left + plot_w / 2.0,
            top + plot_h / 2.0
        );
    }
    let slot = plot_w / days.len().max(1) as f64;
    let bar_w = (slot * 0.8).max(1.0);
    // About six date labels whatever the window, always including the first and the last day.
    let label_every = days.len().div_ceil(6).max(1);
    for (i, d) in days.iter().enumerate() {
        let h = plot_h * d.value as f64 / max as f64;
        let x = left + slot * i as f64 + (slot - bar_w) / 2.0;
        let _ = write!(
            out,
            "<rect class=\"bar{}\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar_w:.1}\" height=\"{h:.1}\" data-date=\"{}\" data-value=\"{}\"><title>{}: {}</title></rect>",
            if d.value == 0 { " zero" } else { "" },
            base - h,
            escape(d.date),
            d.value,
            escape(d.date),
            escape(&numbers.format(d.value))
        );
        if i % label_every == 0 || i + 1 == days.len() {
            // MM-DD under the bar; the full dates are in the description.
            let short = d.date.get(5..).unwrap_or(d.date);
            let _ = write!(
                out,
                "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x + bar_w / 2.0,
                base + 16.0,
                escape(short)
            );
        }
    }
    let _ = write!(
        out,
        "<line class=\"baseline\" x1=\"{left}\" y1=\"{base:.1}\" x2=\"{:.1}\" y2=\"{base:.1}\"/></svg>",
        left + plot_w
    );
    out
}

/// Horizontal bars, one per name, labelled with the name and the formatted value.
pub fn labelled_bars(
    id: &str,
    title: &str,
    unit: &str,
    rows: &[(&str, u64)],
    numbers: NumberFormat,
) -> String {
    let total: u64 = rows.iter().map(|r| r.1).sum();
    let mut desc = format!(
        "{} {unit} in {} groups",
        numbers.format(total),
        numbers.format(rows.len() as u64)
    );
    for (name, value) in rows {
        let _ = write!(desc, "; {name}: {}", numbers.format(*value));
    }
    desc.push('.');
    let (label_w, value_w, row_h, pad) = (160.0, 90.0, 26.0, 8.0);
    let height = (rows.len().max(1) as f64 * row_h + 2.0 * pad).ceil();
    let bar_room = WIDTH - label_w - value_w;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let mut out = String::new();
    open_svg(&mut out, id, height, title, &desc);
    if rows.is_empty() {
        let _ = write!(
            out,
            "<text class=\"empty\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">No data</text>",
            WIDTH / 2.0,
            pad + row_h / 2.0 + 4.0
        );
    }
    for (i, (name, value)) in rows.iter().enumerate() {
        let y = pad + row_h * i as f64;
        let w = bar_room * *value as f64 / max as f64;
        let shown = numbers.format(*value);
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect class=\"bar\" x=\"{label_w}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" data-name=\"{}\" data-value=\"{value}\"><title>{}: {} {}</title></rect><text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            label_w - 8.0,
            y + row_h / 2.0 + 4.0,
            escape(name),
            y + 3.0,
            row_h - 6.0,
            escape(name),
            escape(name),
            escape(&shown),
            escape(unit),
            label_w + w + 6.0,
            y + row_h / 2.0 + 4.0,
            escape(&shown)
        );
    }
    out.push_str("</svg>");
    out
}

/// The layers a QR-code sign-in passes, left to right, each a box with its setting and its
/// state in words (the colour only repeats it).
pub fn layers_diagram(id: &str, title: &str, layers: &[Layer<'_>]) -> String {
    let mut desc = String::new();
    for (i, l) in layers.iter().enumerate() {
        let _ = write!(
            desc,
            "{}{}. {} ({}{}{}): {}.",
            if i == 0 { "" } else { " " },
            i + 1,
            l.name,
            l.setting,
            if l.note.is_empty() { "" } else { ", " },
            l.note,
            l.state
        );
    }
    let height = 132.0;
    let gap = 36.0;
    let n = layers.len().max(1) as f64;
    let box_w = (WIDTH - gap * (n - 1.0) - 4.0) / n;
    let mut out = String::new();
    open_svg(&mut out, id, height, title, &desc);
    out.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" class=\"arrowhead\"/></marker></defs>");
    for (i, l) in layers.iter().enumerate() {
        let x = 2.0 + (box_w + gap) * i as f64;
        let cx = x + box_w / 2.0;
        let _ = write!(
            out,
            "<g class=\"layer-box\"><rect class=\"layer {tone}\" x=\"{x:.1}\" y=\"2\" width=\"{box_w:.1}\" height=\"{:.1}\" rx=\"8\" data-state=\"{state}\"><title>{name}: {state}</title></rect>\
<text class=\"layer-name\" x=\"{cx:.1}\" y=\"26\" text-anchor=\"middle\">{num}. {name}</text>\
<text class=\"layer-setting\" x=\"{cx:.1}\" y=\"48\" text-anchor=\"middle\">{setting}</text>\
<text class=\"layer-note\" x=\"{cx:.1}\" y=\"66\" text-anchor=\"middle\">{note}</text>\
<text class=\"layer-state {tone}\" x=\"{cx:.1}\" y=\"100\" text-anchor=\"middle\">{state}</text></g>",
            height - 4.0,
            tone = l.tone.class(),
            state = escape(l.state),
            name = escape(l.name),
            num = i + 1,
            setting = escape(l.setting),
            note = escape(l.note),
        );
        if i + 1 < layers.len() {
            let _ = write!(
                out,
                "<line class=\"flow\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" marker-end=\"url(#arrow)\"/>",
                x + box_w + 3.0,
                height / 2.0,
                x + box_w + gap - 3.0,
                height / 2.0
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(haystack: &str, needle: &str) -> usize {
        haystack.matches(needle).count()
    }

    fn days(values: &[u64]) -> Vec<(String, u64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("2026-11-{:02}", i + 1), *v))
            .collect()
    }

    fn daily(values: &[(String, u64)], numbers: NumberFormat) -> String {
        let days: Vec<DayValue<'_>> = values
            .iter()
            .map(|(date, value)| DayValue {
                date,
                value: *value,
            })
            .collect();
        daily_bars("chart-days", "QR sign-ins per day", &days, numbers)
    }

    #[test]
    fn one_bar_per_day_including_the_days_without_sign_ins() {
        let data = days(&[
            0, 3, 0, 0, 7, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0,
        ]);
        let svg = daily(&data, NumberFormat::INVARIANT);
        assert_eq!(count(&svg, "<rect class=\"bar"), 30);
        assert_eq!(count(&svg, "<rect class=\"bar zero\""), 26);
        assert!(svg.contains("data-date=\"2026-11-05\" data-value=\"7\""));
        // Bars are in date order, left to right.
        let x = |date: &str| {
            let at = svg.find(&format!("data-date=\"{date}\"")).unwrap_or(0);
            let rect = svg[..at].rfind("x=\"").unwrap_or(0);
            svg[rect + 3..]
                .split('"')
                .next()
                .unwrap_or("")
                .parse::<f64>()
                .unwrap_or(-1.0)
        };
        assert!(x("2026-11-01") < x("2026-11-02") && x("2026-11-29") < x("2026-11-30"));
        // Value axis 0 / middle / a round top (7 -> 10); the first and the last date are labelled.
        assert!(
            svg.contains(">0</text>") && svg.contains(">5</text>") && svg.contains(">10</text>")
        );
        assert!(svg.contains(">11-01</text>") && svg.contains(">11-30</text>"));
        assert!(svg.contains(
            "30 days from 2026-11-01 to 2026-11-30 (UTC), 13 sign-ins in total; most on 2026-11-05 (7)."
        ));
        assert!(svg.contains("role=\"img\"") && svg.contains("<title id=\"chart-days-title\">"));
    }

    #[test]
    fn one_day_and_no_days() {
        let one = daily(&days(&[4]), NumberFormat::INVARIANT);
        assert_eq!(count(&one, "<rect class=\"bar"), 1);
        assert!(one.contains("1 days from 2026-11-01 to 2026-11-01"));
        let none = daily(&[], NumberFormat::INVARIANT);
        assert_eq!(count(&none, "<rect class=\"bar"), 0);
        assert!(none.contains("No data") && none.contains("No days to show."));
        // All zero: bars of height 0 on an axis that still goes to 1, nothing divided by zero.
        let zeros = daily(&days(&[0, 0, 0]), NumberFormat::INVARIANT);
        assert_eq!(count(&zeros, "height=\"0.0\""), 3);
        assert!(!zeros.contains("NaN") && !zeros.contains("inf"));
    }

    #[test]
    fn numbers_follow_the_culture_and_the_data_values_stay_raw() {
        let svg = daily(&days(&[1200, 4000]), NumberFormat::for_culture("de-DE"));
        assert!(svg.contains(">5.000</text>"), "axis top in de-DE: {svg}");
        assert!(svg.contains("<title>2026-11-02: 4.000</title>"));
        assert!(svg.contains("data-value=\"4000\""));
        assert!(svg.contains("5.200 sign-ins in total"));
    }

    #[test]
    fn labelled_bars_escape_names_and_count_one_bar_each() {
        let rows = [("iOS", 1500u64), ("Android <x>", 20), ("(unknown)", 0)];
        let svg = labelled_bars(
            "chart-os",
            "Devices by OS",
            "devices",
            &rows,
            NumberFormat::for_culture("en-US"),
        );
        assert_eq!(count(&svg, "<rect class=\"bar\""), 3);
        assert!(svg.contains("Android &lt;x&gt;") && !svg.contains("<x>"));
        assert!(svg.contains("<title>iOS: 1,500 devices</title>"));
        assert!(svg.contains(">1,500</text>"));
        // The longest bar is the largest value; zero is a bar of width 0.
        assert!(svg.contains("width=\"470.0\" height=\"20.0\" data-name=\"iOS\""));
        assert!(svg.contains("width=\"0.0\" height=\"20.0\" data-name=\"(unknown)\""));
        assert!(svg.contains(
            "1,520 devices in 3 groups; iOS: 1,500; Android &lt;x&gt;: 20; (unknown): 0."
        ));
        let empty = labelled_bars("chart-os", "t", "devices", &[], NumberFormat::INVARIANT);
        assert_eq!(count(&empty, "<rect class=\"bar\""), 0);
        assert!(empty.contains("No data"));
    }

    #[test]
    fn the_layers_say_their_state_in_words_not_only_in_colour() {
        let layers = [
            Layer {
                name: "Prompt",
                setting: "MobileAppEducationEnabled",
                note: "",
                state: "Shown",
                tone: Tone::Open,
            },
            Layer {
                name: "OWA <policy>",
                setting: "AccountTransferEnabled",
                note: "semi-documented",
                state: "Off",
                tone: Tone::Closed,
            },
            Layer {
                name: "Conditional Access",
                setting: "Authentication transfer block",
                note: "",
                state: "Enforced, with exclusions",
                tone: Tone::Partial,
            },
        ];
        let svg = layers_diagram("chart-layers", "Three layers", &layers);
        assert_eq!(count(&svg, "<rect class=\"layer "), 3);
        assert_eq!(count(&svg, "class=\"flow\""), 2);
        assert!(
            svg.contains("<rect class=\"layer open\"")
                && svg.contains("<rect class=\"layer closed\"")
                && svg.contains("<rect class=\"layer partial\"")
        );
        assert!(svg.contains(">Shown</text>") && svg.contains(">Enforced, with exclusions</text>"));
        assert!(svg.contains("2. OWA &lt;policy&gt;") && !svg.contains("<policy>"));
        assert!(svg.contains("1. Prompt (MobileAppEducationEnabled): Shown. 2. OWA &lt;policy&gt; (AccountTransferEnabled, semi-documented): Off."));
    }

    #[test]
    fn the_axis_top_is_round() {
        assert_eq!(axis_top(0), 1);
        assert_eq!(axis_top(1), 1);
        assert_eq!(axis_top(3), 5);
        assert_eq!(axis_top(7), 10);
        assert_eq!(axis_top(11), 20);
        assert_eq!(axis_top(200), 200);
        assert_eq!(axis_top(201), 500);
        assert_eq!(axis_top(u64::MAX), u64::MAX);
    }
}

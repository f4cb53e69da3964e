//! Charts as inline SVG, drawn from the response's decimal figures. Geometry is computed on
//! exact decimals and written with two decimals of a pixel; the labels are the figures'
//! own text, so a chart can never show a number the response does not.
//!
//! Each chart is laid out first (rectangles and lines in pixels, tested on their own) and
//! then written out.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::pb;

use super::escape::escape;
use super::grouping::group_thousands;
use super::labels::{self, Label};

/// Plot-area fills, one per chart and used nowhere else, so a screenshot test can find each
/// chart by its colour.
pub const DSCR_BACKGROUND: &str = "#f3f7fb";
pub const EMISSIONS_BACKGROUND: &str = "#f8f6ee";
/// DSCR bars at or above the hurdle (or with no hurdle), and below it.
pub const DSCR_MET: &str = "#2e7d32";
pub const DSCR_NOT_MET: &str = "#c62828";

const GRID: &str = "#d9dde3";
const AXIS: &str = "#444444";
const INK: &str = "#1a1a1a";

/// The largest magnitude drawn. A larger figure is still printed but not drawn: keeping every
/// value below it keeps each product of a value and a pixel size far inside a decimal's range,
/// so the geometry needs no overflow handling.
fn chart_limit() -> Decimal {
    Decimal::new(1_000_000_000_000_000, 0)
}

/// The value a figure's text stands for, when a chart can draw it.
pub fn chartable(text: &str) -> Option<Decimal> {
    Decimal::from_str_exact(text)
        .ok()
        .filter(|v| v.abs() <= chart_limit())
}

/// Pixels with exactly two decimals, rounded half away from zero, never "-0.00".
pub fn px(value: Decimal) -> String {
    let mut rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if rounded.is_zero() {
        rounded = Decimal::ZERO;
    }
    rounded.rescale(2);
    rounded.to_string()
}

fn int(n: i64) -> Decimal {
    Decimal::from(n)
}

/// A figure of the response as a chart uses it: the text for its label (grouped in thousands
/// like the page's figures), the value for its geometry (absent when the text is not
/// drawable), the path for its hook.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub text: String,
    pub value: Option<Decimal>,
    pub path: String,
}

impl Figure {
    pub fn of(path: String, decimal: &Option<pb::Decimal>) -> Option<Figure> {
        decimal.as_ref().map(|d| Figure {
            value: chartable(&d.value),
            text: group_thousands(&d.value),
            path,
        })
    }

    /// The figure inside a text element, hooked like the figures of the page.
    fn tspan(&self) -> String {
        format!(
            r#"<tspan data-figure="{}">{}</tspan>"#,
            escape(&self.path),
            escape(&self.text)
        )
    }

    /// The figure as SVG text, hooked like the figures of the page.
    fn text_element(&self, x: Decimal, y: Decimal, anchor: &str, class: &str) -> String {
        format!(
            r#"<text x="{}" y="{}" text-anchor="{anchor}" class="{class}" data-figure="{}">{}</text>"#,
            px(x),
            px(y),
            escape(&self.path),
            escape(&self.text)
        )
    }
}

/// At most this many intervals between ticks.
const MAX_INTERVALS: i64 = 6;

/// A value axis from `low` to `high` in steps of `step`, both ends multiples of the step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    pub low: Decimal,
    pub high: Decimal,
    pub step: Decimal,
}

impl Axis {
    /// The tightest axis of 1, 2 or 5 times a power of ten that holds every value and zero,
    /// since bars grow from zero.
    pub fn covering(values: &[Decimal]) -> Axis {
        let least = values.iter().copied().fold(Decimal::ZERO, Decimal::min);
        let mut most = values.iter().copied().fold(Decimal::ZERO, Decimal::max);
        if most == least {
            // Nothing but zeros: a unit axis rather than one a millionth tall.
            most = Decimal::ONE;
        }
        let step = nice_step(most - least);
        let low = (least / step).floor() * step;
        let mut high = (most / step).ceil() * step;
        if high == low {
            high = low + step;
        }
        Axis { low, high, step }
    }

    pub fn ticks(&self) -> Vec<Decimal> {
        let mut ticks = Vec::new();
        let mut tick = self.low;
        while tick <= self.high {
            ticks.push(tick);
            tick += self.step;
        }
        ticks
    }
}

/// The smallest of 1, 2 or 5 times a power of ten (from 10^-6) that spans `span` in at most
/// MAX_INTERVALS steps.
fn nice_step(span: Decimal) -> Decimal {
    let mut power = Decimal::new(1, 6);
    // 10^-6 .. 10^16 covers every span below twice the chart limit.
    for _ in 0..=22 {
        for multiple in [1, 2, 5] {
            let step = power * int(multiple);
            if span <= step * int(MAX_INTERVALS) {
                return step;
            }
        }
        power *= Decimal::TEN;
    }
    power
}

/// A rectangle in pixels, unrounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rect {
    pub x: Decimal,
    pub y: Decimal,
    pub width: Decimal,
    pub height: Decimal,
}

impl Rect {
    fn svg(&self, fill: &str, class: &str) -> String {
        format!(
            r#"<rect class="{class}" x="{}" y="{}" width="{}" height="{}" fill="{fill}"/>"#,
            px(self.x),
            px(self.y),
            px(self.width),
            px(self.height)
        )
    }
}

/// The plot area in pixels and the axis it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plot {
    pub area: Rect,
    pub axis: Axis,
}

impl Plot {
    /// The pixel row of a value: the axis's high at the top, its low at the bottom.
    pub fn y(&self, value: Decimal) -> Decimal {
        self.area.y + (self.axis.high - value) * self.area.height / (self.axis.high - self.axis.low)
    }

    /// A bar of width `width` at `x` spanning `from` to `to`, whichever is higher.
    pub fn bar(&self, x: Decimal, width: Decimal, from: Decimal, to: Decimal) -> Rect {
        let (y_from, y_to) = (self.y(from), self.y(to));
        Rect {
            x,
            y: y_from.min(y_to),
            width,
            height: (y_from - y_to).abs(),
        }
    }

    /// Left edge and width of slot `index` of `count` equal slots across the plot.
    fn slot(&self, index: usize, count: usize) -> (Decimal, Decimal) {
        let width = self.area.width / int(count.max(1) as i64);
        (self.area.x + width * int(index as i64), width)
    }

    /// Background, grid lines with their values, and the zero line.
    fn frame(&self, background: &str, unit: &str) -> String {
        let a = &self.area;
        let mut svg = a.svg(background, "plot");
        let right = a.x + a.width;
        for tick in self.axis.ticks() {
            let y = self.y(tick);
            svg.push_str(&format!(
                r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{GRID}" stroke-width="1"/><text x="{}" y="{}" text-anchor="end" class="tick">{}</text>"#,
                px(a.x),
                px(right),
                px(a.x - int(6)),
                px(y + int(4)),
                group_thousands(&tick.normalize().to_string()),
                y = px(y),
            ));
        }
        let zero = px(self.y(Decimal::ZERO));
        svg.push_str(&format!(
            r#"<line x1="{}" y1="{zero}" x2="{}" y2="{zero}" stroke="{AXIS}" stroke-width="1.5"/><line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{AXIS}" stroke-width="1"/><text x="{x}" y="{}" text-anchor="start" class="unit">{}</text>"#,
            px(a.x),
            px(right),
            px(a.y),
            px(a.y + a.height),
            px(a.y - int(10)),
            escape(unit),
            x = px(a.x),
        ));
        svg
    }
}

fn open_svg(id: &str, title: Label, width: i64, height: i64) -> String {
    format!(
        r#"<svg id="{id}" class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="{id}-title"><title id="{id}-title">{}</title>"#,
        escape(&title.text())
    )
}

/// A column's two-line label, Chinese above English, under the axis.
fn column_label(centre: Decimal, y: Decimal, label: Label) -> String {
    format!(
        r#"<text x="{x}" y="{}" text-anchor="middle" class="label" lang="zh-CN">{}</text><text x="{x}" y="{}" text-anchor="middle" class="label" lang="en">{}</text>"#,
        px(y),
        escape(label.zh),
        px(y + int(14)),
        escape(label.en),
        x = px(centre),
    )
}

// ---------------------------------------------------------------------------------------------
// DSCR per loan year
// ---------------------------------------------------------------------------------------------

const DSCR_WIDTH: i64 = 720;
const DSCR_HEIGHT: i64 = 290;

/// One loan year's bar: its DSCR, absent when no debt service falls due that year.
#[derive(Debug, Clone, PartialEq)]
pub struct DscrYear {
    pub loan_year: u32,
    pub dscr: Option<Figure>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DscrLayout {
    pub plot: Plot,
    /// One per loan year; absent when the year has no drawable DSCR.
    pub bars: Vec<Option<Rect>>,
    /// Pixel row of the hurdle line, when a hurdle is drawn.
    pub hurdle_y: Option<Decimal>,
}

fn drawable(figure: Option<&Figure>) -> Option<Decimal> {
    figure.and_then(|f| f.value)
}

pub fn dscr_layout(years: &[DscrYear], hurdle: Option<&Figure>) -> DscrLayout {
    let mut values: Vec<Decimal> = years
        .iter()
        .filter_map(|y| drawable(y.dscr.as_ref()))
        .collect();
    values.extend(drawable(hurdle));
    let plot = Plot {
        area: Rect {
            x: int(70),
            y: int(34),
            width: int(630),
            height: int(190),
        },
        axis: Axis::covering(&values),
    };
    let bars = years
        .iter()
        .enumerate()
        .map(|(i, year)| {
            let value = drawable(year.dscr.as_ref())?;
            let (left, slot) = plot.slot(i, years.len());
            let width = (slot * Decimal::new(6, 1)).min(int(80));
            Some(plot.bar(left + (slot - width) / int(2), width, Decimal::ZERO, value))
        })
        .collect();
    let hurdle_y = drawable(hurdle).map(|h| plot.y(h));
    DscrLayout {
        plot,
        bars,
        hurdle_y,
    }
}

/// DSCR per loan year as bars from zero, the hurdle as a dashed line; a bar below the hurdle
/// is red.
pub fn dscr_chart(years: &[DscrYear], hurdle: Option<&Figure>) -> String {
    let layout = dscr_layout(years, hurdle);
    let plot = &layout.plot;
    let mut svg = open_svg("chart-dscr", labels::DSCR_CHART, DSCR_WIDTH, DSCR_HEIGHT);
    svg.push_str(&plot.frame(DSCR_BACKGROUND, &labels::DSCR.text()));
    let bottom = plot.area.y + plot.area.height;
    let (_, slot) = plot.slot(0, years.len());
    // A figure is about 48 px wide and a year number 24 px: on a long loan the bars are
    // narrower, so the figures stay in the table above and every k-th year is numbered.
    let show_values = slot >= int(48);
    let every = year_label_interval(slot);
    for (i, (year, bar)) in years.iter().zip(&layout.bars).enumerate() {
        let (left, slot) = plot.slot(i, years.len());
        let centre = left + slot / int(2);
        svg.push_str(&dscr_bar(
            plot,
            year,
            bar.as_ref(),
            hurdle,
            centre,
            show_values,
        ));
        if i % every == 0 {
            svg.push_str(&format!(
                r#"<text x="{}" y="{}" text-anchor="middle" class="label">{}</text>"#,
                px(centre),
                px(bottom + int(16)),
                year.loan_year
            ));
        }
    }
    let middle = plot.area.x + plot.area.width / int(2);
    svg.push_str(&column_label(middle, bottom + int(36), labels::LOAN_YEAR));
    if let (Some(y), Some(hurdle)) = (layout.hurdle_y, hurdle) {
        svg.push_str(&hurdle_line(plot, y, hurdle));
    }
    svg.push_str("</svg>");
    svg
}

/// Number every k-th year, k the least that leaves a year number 24 px.
fn year_label_interval(slot: Decimal) -> usize {
    let mut every = 1;
    while slot * int(every as i64) < int(24) && every < 100 {
        every += 1;
    }
    every
}

fn dscr_bar(
    plot: &Plot,
    year: &DscrYear,
    bar: Option<&Rect>,
    hurdle: Option<&Figure>,
    centre: Decimal,
    show_value: bool,
) -> String {
    let (Some(bar), Some(dscr)) = (bar, year.dscr.as_ref()) else {
        if !show_value {
            return String::new();
        }
        let text = match &year.dscr {
            Some(dscr) => escape(&dscr.text),
            None => escape(&labels::NO_DEBT_SERVICE.text()),
        };
        return format!(
            r#"<text x="{}" y="{}" text-anchor="middle" class="value">{text}</text>"#,
            px(centre),
            px(plot.y(Decimal::ZERO) - int(8))
        );
    };
    let below = matches!(
        (dscr.value, drawable(hurdle)),
        (Some(v), Some(h)) if v < h
    );
    let fill = if below { DSCR_NOT_MET } else { DSCR_MET };
    let mut svg = bar.svg(fill, "bar");
    if show_value {
        // Above the bar's top edge: for a bar hanging below zero that is the zero line,
        // which keeps its figure clear of the axis labels under the plot.
        svg.push_str(&dscr.text_element(centre, bar.y - int(5), "middle", "value"));
    }
    svg
}

/// The hurdle as a dashed line across the plot, named in a legend under it at the right: a
/// label on the line itself would sit on the last bars and their figures.
fn hurdle_line(plot: &Plot, y: Decimal, hurdle: &Figure) -> String {
    let a = &plot.area;
    let right = a.x + a.width;
    let legend = a.y + a.height + int(36);
    format!(
        r#"<line class="hurdle" x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{DSCR_NOT_MET}" stroke-width="2" stroke-dasharray="8 5"/><line class="hurdle-key" x1="{}" y1="{key}" x2="{}" y2="{key}" stroke="{DSCR_NOT_MET}" stroke-width="2" stroke-dasharray="8 5"/><text x="{}" y="{}" text-anchor="end" class="hurdle-label">{} {}</text>"#,
        px(a.x),
        px(right),
        px(right - int(26)),
        px(right),
        px(right - int(32)),
        px(legend),
        escape(&labels::HURDLE.text()),
        hurdle.tspan(),
        y = px(y),
        key = px(legend - int(4)),
    )
}

// ---------------------------------------------------------------------------------------------
// Emissions: stacked bars by source with low-high whiskers
// ---------------------------------------------------------------------------------------------

const EMISSIONS_WIDTH: i64 = 720;
const LEGEND_ITEM_WIDTH: i64 = 320;
const LEGEND_PER_ROW: usize = 2;

/// A colour with what it stands for, shown once in the legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Swatch {
    pub colour: &'static str,
    pub label: Label,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub value: Decimal,
    pub swatch: Swatch,
}

/// One bar: its parts stacked from zero (positive up, negative down), and its total's low,
/// central and high.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub label: Label,
    pub segments: Vec<Segment>,
    pub low: Option<Figure>,
    pub central: Option<Figure>,
    pub high: Option<Figure>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnLayout {
    pub centre: Decimal,
    /// One per segment, in stacking order.
    pub segments: Vec<Rect>,
    /// Pixel rows of the low and high ends, when both are drawable.
    pub whisker: Option<(Decimal, Decimal)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmissionsLayout {
    pub plot: Plot,
    pub columns: Vec<ColumnLayout>,
}

/// Every value a column shows: the tops of its two stacks and its bounds.
fn column_extent(column: &Column) -> Vec<Decimal> {
    let (mut up, mut down) = (Decimal::ZERO, Decimal::ZERO);
    for segment in &column.segments {
        if segment.value.is_sign_negative() {
            down += segment.value;
        } else {
            up += segment.value;
        }
    }
    let mut values = vec![up, down];
    for end in [&column.low, &column.central, &column.high] {
        values.extend(drawable(end.as_ref()));
    }
    values
}

pub fn emissions_layout(columns: &[Column]) -> EmissionsLayout {
    let values: Vec<Decimal> = columns.iter().flat_map(column_extent).collect();
    let plot = Plot {
        area: Rect {
            x: int(70),
            y: int(34),
            width: int(630),
            height: int(230),
        },
        axis: Axis::covering(&values),
    };
    let columns = columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let (left, slot) = plot.slot(i, columns.len());
            let width = (slot * Decimal::new(5, 1)).min(int(110));
            let x = left + (slot - width) / int(2);
            ColumnLayout {
                centre: left + slot / int(2),
                segments: stack(&plot, x, width, &column.segments),
                whisker: drawable(column.low.as_ref())
                    .zip(drawable(column.high.as_ref()))
                    .map(|(low, high)| (plot.y(low), plot.y(high))),
            }
        })
        .collect();
    EmissionsLayout { plot, columns }
}

/// Positive parts stack upwards from zero, negative parts downwards, each in its own stack.
fn stack(plot: &Plot, x: Decimal, width: Decimal, segments: &[Segment]) -> Vec<Rect> {
    let (mut up, mut down) = (Decimal::ZERO, Decimal::ZERO);
    segments
        .iter()
        .map(|segment| {
            let base = if segment.value.is_sign_negative() {
                &mut down
            } else {
                &mut up
            };
            let from = *base;
            *base += segment.value;
            plot.bar(x, width, from, *base)
        })
        .collect()
}

pub fn emissions_chart(columns: &[Column]) -> String {
    let layout = emissions_layout(columns);
    let plot = &layout.plot;
    let legend = legend_swatches(columns);
    let legend_top = plot.area.y + plot.area.height + int(70);
    let rows = legend.len().div_ceil(LEGEND_PER_ROW) as i64;
    let height = 34 + 230 + 70 + rows * 20 + 8;
    let mut svg = open_svg(
        "chart-emissions",
        labels::EMISSIONS_CHART,
        EMISSIONS_WIDTH,
        height,
    );
    svg.push_str(&plot.frame(EMISSIONS_BACKGROUND, &labels::TCO2E_PER_YEAR.text()));
    for (column, placed) in columns.iter().zip(&layout.columns) {
        svg.push_str(&column_svg(plot, column, placed));
    }
    svg.push_str(&legend_svg(&legend, legend_top));
    svg.push_str("</svg>");
    svg
}

fn column_svg(plot: &Plot, column: &Column, placed: &ColumnLayout) -> String {
    let mut svg = String::new();
    for (segment, rect) in column.segments.iter().zip(&placed.segments) {
        if !rect.height.is_zero() {
            svg.push_str(&rect.svg(segment.swatch.colour, "segment"));
        }
    }
    let centre = placed.centre;
    if let Some((y_low, y_high)) = placed.whisker {
        svg.push_str(&whisker(centre, y_low, y_high));
    }
    let top = placed
        .segments
        .iter()
        .map(|r| r.y)
        .chain(placed.whisker.map(|(_, high)| high))
        .fold(plot.y(Decimal::ZERO), Decimal::min);
    if let Some(central) = &column.central {
        svg.push_str(&central.text_element(centre, top - int(6), "middle", "value"));
    }
    let bottom = plot.area.y + plot.area.height;
    svg.push_str(&column_label(centre, bottom + int(18), column.label));
    svg.push_str(&range_label(centre, bottom + int(50), column));
    svg
}

/// A vertical line from the low to the high end, with caps.
fn whisker(centre: Decimal, y_low: Decimal, y_high: Decimal) -> String {
    let (left, right) = (px(centre - int(9)), px(centre + int(9)));
    let (x, low, high) = (px(centre), px(y_low), px(y_high));
    format!(
        r#"<g class="whisker" stroke="{INK}" stroke-width="1.5"><line x1="{x}" y1="{low}" x2="{x}" y2="{high}"/><line x1="{left}" y1="{low}" x2="{right}" y2="{low}"/><line x1="{left}" y1="{high}" x2="{right}" y2="{high}"/></g>"#
    )
}

/// "low … – high …" under a column's label, each end hooked.
fn range_label(centre: Decimal, y: Decimal, column: &Column) -> String {
    let end = |figure: &Option<Figure>| figure.as_ref().map_or("—".to_owned(), Figure::tspan);
    format!(
        r#"<text x="{}" y="{}" text-anchor="middle" class="range">{} {} – {} {}</text>"#,
        px(centre),
        px(y),
        escape(&labels::LOW.text()),
        end(&column.low),
        escape(&labels::HIGH.text()),
        end(&column.high)
    )
}

/// Each colour drawn, once, in the order the columns first use it: a part that is zero
/// draws nothing, so it has no key.
fn legend_swatches(columns: &[Column]) -> Vec<Swatch> {
    let mut swatches: Vec<Swatch> = Vec::new();
    let drawn = columns
        .iter()
        .flat_map(|c| &c.segments)
        .filter(|s| !s.value.is_zero());
    for segment in drawn {
        if !swatches.iter().any(|s| s.colour == segment.swatch.colour) {
            swatches.push(segment.swatch);
        }
    }
    swatches
}

fn legend_svg(swatches: &[Swatch], top: Decimal) -> String {
    let mut svg = String::new();
    for (i, swatch) in swatches.iter().enumerate() {
        let x = int(70 + (i % LEGEND_PER_ROW) as i64 * LEGEND_ITEM_WIDTH);
        let y = top + int((i / LEGEND_PER_ROW) as i64 * 20);
        let key = Rect {
            x,
            y: y - int(10),
            width: int(12),
            height: int(12),
        };
        svg.push_str(&key.svg(swatch.colour, "key"));
        svg.push_str(&format!(
            r#"<text x="{}" y="{}" class="legend">{}</text>"#,
            px(x + int(18)),
            px(y),
            escape(&swatch.label.text())
        ));
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn fig(path: &str, text: &str) -> Figure {
        Figure {
            text: text.to_owned(),
            value: chartable(text),
            path: path.to_owned(),
        }
    }

    fn year(loan_year: u32, dscr: &str) -> DscrYear {
        DscrYear {
            loan_year,
            dscr: Some(fig(&format!("years[{}].dscr", loan_year - 1), dscr)),
        }
    }

    const SWATCH: Swatch = Swatch {
        colour: "#123456",
        label: Label { zh: "甲", en: "a" },
    };
    const OTHER: Swatch = Swatch {
        colour: "#654321",
        label: Label { zh: "乙", en: "b" },
    };

    fn column(segments: &[&str], low: &str, central: &str, high: &str) -> Column {
        Column {
            label: labels::BASELINE,
            segments: segments
                .iter()
                .enumerate()
                .map(|(i, v)| Segment {
                    value: d(v),
                    swatch: if i % 2 == 0 { SWATCH } else { OTHER },
                })
                .collect(),
            low: Some(fig("c.low", low)),
            central: Some(fig("c.central", central)),
            high: Some(fig("c.high", high)),
        }
    }

    #[test]
    fn pixels_have_two_decimals_and_no_negative_zero() {
        assert_eq!(px(Decimal::ONE / int(3)), "0.33");
        assert_eq!(px(d("2")), "2.00");
        assert_eq!(px(d("2.005")), "2.01");
        assert_eq!(px(d("-2.005")), "-2.01");
        assert_eq!(px(d("-0.001")), "0.00");
    }

    #[test]
    fn only_exact_decimals_within_the_limit_are_drawn() {
        assert_eq!(chartable("3.1165"), Some(d("3.1165")));
        assert_eq!(chartable("1e3"), None);
        assert_eq!(chartable("NaN"), None);
        assert_eq!(chartable("79228162514264337593543950335"), None);
    }

    #[test]
    fn the_axis_is_nice_and_holds_every_value_and_zero() {
        let axis = Axis::covering(&[d("3.1165"), d("1.25")]);
        assert_eq!((axis.low, axis.high, axis.step), (d("0"), d("4"), d("1")));
        assert_eq!(axis.ticks(), vec![d("0"), d("1"), d("2"), d("3"), d("4")]);
        let axis = Axis::covering(&[d("1173.985"), d("776.98")]);
        assert_eq!(
            (axis.low, axis.high, axis.step),
            (d("0"), d("1200"), d("200"))
        );
    }

    #[test]
    fn negative_and_zero_values_get_an_axis_too() {
        let axis = Axis::covering(&[d("-2"), d("3")]);
        assert_eq!((axis.low, axis.high), (d("-2"), d("3")));
        let axis = Axis::covering(&[Decimal::ZERO]);
        assert_eq!((axis.low, axis.high), (d("0"), d("1")));
        let axis = Axis::covering(&[]);
        assert!(axis.high > axis.low);
        let axis = Axis::covering(&[d("-0.4")]);
        assert_eq!((axis.low, axis.high), (d("-0.4"), d("0")));
    }

    #[test]
    fn bar_heights_are_proportional_to_the_figures() {
        let layout = dscr_layout(&[year(1, "1"), year(2, "2"), year(3, "3.1165")], None);
        let heights: Vec<Decimal> = layout
            .bars
            .iter()
            .map(|b| b.as_ref().unwrap().height)
            .collect();
        // Axis 0..4 over 190 px.
        assert_eq!(heights[0], d("47.5"));
        assert_eq!(heights[1], heights[0] * int(2));
        assert_eq!(heights[2], d("47.5") * d("3.1165"));
        let zero = layout.plot.y(Decimal::ZERO);
        for bar in layout.bars.iter().flatten() {
            assert_eq!(bar.y + bar.height, zero, "every bar stands on zero");
        }
    }

    #[test]
    fn a_negative_dscr_hangs_below_zero_and_is_red_under_a_hurdle() {
        let hurdle = fig("dscr_hurdle", "1.25");
        let years = [year(1, "-0.5"), year(2, "2")];
        let layout = dscr_layout(&years, Some(&hurdle));
        let zero = layout.plot.y(Decimal::ZERO);
        let negative = layout.bars[0].as_ref().unwrap();
        assert_eq!(negative.y, zero);
        assert!(negative.height > Decimal::ZERO);
        let hurdle_y = layout.hurdle_y.unwrap();
        assert!(hurdle_y < zero && hurdle_y > layout.bars[1].as_ref().unwrap().y);
        let svg = dscr_chart(&years, Some(&hurdle));
        assert_eq!(
            svg.matches(&format!(r#"fill="{DSCR_NOT_MET}""#)).count(),
            1,
            "one red bar: {svg}"
        );
        assert!(
            svg.contains(r#"data-figure="years[0].dscr">-0.5</text>"#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"data-figure="dscr_hurdle">1.25</tspan>"#),
            "{svg}"
        );
        // The hurdle is named under the plot, below the year numbers, clear of every bar.
        let label = &svg[..svg
            .find(r#"" text-anchor="end" class="hurdle-label""#)
            .unwrap()];
        let label_y = d(&label[label.rfind("y=\"").unwrap() + 3..]);
        let plot_bottom = layout.plot.area.y + layout.plot.area.height;
        assert!(label_y > plot_bottom + int(16), "{label_y}: {svg}");
        assert!(label_y < int(DSCR_HEIGHT), "{label_y}: {svg}");
    }

    #[test]
    fn a_one_period_loan_has_one_bar_and_a_year_without_debt_service_none() {
        let layout = dscr_layout(&[year(1, "3.1165")], None);
        assert_eq!(layout.bars.len(), 1);
        assert_eq!(layout.hurdle_y, None);
        let bar = layout.bars[0].as_ref().unwrap();
        assert!(bar.width <= int(80) && bar.x >= layout.plot.area.x);

        let years = [
            year(1, "2"),
            DscrYear {
                loan_year: 2,
                dscr: None,
            },
        ];
        let svg = dscr_chart(&years, None);
        assert_eq!(svg.matches(r#"class="bar""#).count(), 1, "{svg}");
        assert!(svg.contains("no debt service"), "{svg}");
        assert!(svg.starts_with(r#"<svg id="chart-dscr""#));
    }

    #[test]
    fn a_long_loan_has_a_bar_a_year_and_leaves_its_figures_to_the_table() {
        let years: Vec<DscrYear> = (1..=50).map(|y| year(y, "1.5")).collect();
        let svg = dscr_chart(&years, None);
        assert_eq!(svg.matches(r#"class="bar""#).count(), 50);
        assert_eq!(svg.matches(r#"class="value""#).count(), 0, "{svg}");
        // 630 px / 50 = 12.6 px a year: every second year is numbered.
        assert!(
            svg.contains(">49</text>") && !svg.contains(">50</text>"),
            "{svg}"
        );
        let short: Vec<DscrYear> = (1..=3).map(|y| year(y, "1.5")).collect();
        assert_eq!(
            dscr_chart(&short, None).matches(r#"class="value""#).count(),
            3
        );
    }

    #[test]
    fn stacked_parts_add_up_to_the_bar_and_negative_parts_hang_below_zero() {
        let columns = [
            column(&["600", "300", "100"], "800", "1000", "1200"),
            column(&["900", "-100"], "700", "800", "900"),
        ];
        let layout = emissions_layout(&columns);
        let plot = &layout.plot;
        let zero = plot.y(Decimal::ZERO);
        let first = &layout.columns[0].segments;
        let stacked: Decimal = first.iter().map(|r| r.height).sum();
        assert_eq!(stacked, zero - plot.y(d("1000")));
        assert_eq!(first[0].y + first[0].height, zero);
        assert_eq!(
            first[1].y + first[1].height,
            first[0].y,
            "each part sits on the last"
        );
        let second = &layout.columns[1].segments;
        assert_eq!(second[1].y, zero, "the negative part starts at zero");
        assert_eq!(second[1].height, plot.y(d("-100")) - zero);
        let (low, high) = layout.columns[0].whisker.unwrap();
        assert_eq!((low, high), (plot.y(d("800")), plot.y(d("1200"))));
    }

    #[test]
    fn the_emissions_chart_labels_every_end_and_lists_each_colour_once() {
        let columns = [
            column(&["900"], "800", "900", "1000"),
            column(&["100", "0"], "90", "100", "110"),
        ];
        let svg = emissions_chart(&columns);
        assert!(svg.starts_with(r#"<svg id="chart-emissions""#));
        for text in ["800", "900", "1000", "90", "100", "110"] {
            assert!(svg.contains(&format!(">{text}<")), "{text}: {svg}");
        }
        assert_eq!(
            svg.matches(r#"class="segment""#).count(),
            2,
            "a zero part draws nothing"
        );
        assert_eq!(
            svg.matches(r#"class="key""#).count(),
            1,
            "nor has a key: {svg}"
        );
        assert_eq!(svg.matches(r#"class="whisker""#).count(), 2);
    }

    #[test]
    fn an_undrawable_figure_is_printed_but_not_drawn() {
        let huge = "79228162514264337593543950335";
        let years = [year(1, huge), year(2, "2")];
        let layout = dscr_layout(&years, None);
        assert_eq!(layout.bars[0], None);
        assert!(dscr_chart(&years, None).contains(huge));
    }
}

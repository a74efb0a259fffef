//! The review pack's charts, drawn as SVG with `plotters` from the pack's own figures.
//!
//! `plotters` is built with its SVG backend only and no font feature: text is laid out with
//! the crate's fixed size estimate and written as `<text>` elements for the viewer to set, so
//! the files do not depend on the fonts installed where they are made, and the same pack
//! gives the same bytes. Categories sit at whole-number positions of a continuous axis whose
//! tick marks are exactly those positions, so every bar and cell is placed by arithmetic the
//! pack fixes, never by a layout heuristic. A chart with nothing to draw is left out, and the
//! documents say so where it would have been.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ReviewPack;
use crate::error::{Error, Result};
use crate::format::MoneyText;

/// One chart of a pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// Its file name without extension, such as `coverage`.
    pub name: &'static str,
    /// Its title, also the text alternative of the image.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

impl Chart {
    /// The chart's path beside a Markdown pack: `charts/<name>.svg`.
    pub fn path(&self) -> String {
        format!("charts/{}.svg", self.name)
    }
}

/// The chart of this name among `charts`, if it was drawn.
pub fn find<'a>(charts: &'a [Chart], name: &str) -> Option<&'a Chart> {
    charts.iter().find(|chart| chart.name == name)
}

const WIDTH: u32 = 860;
const FONT: &str = "sans-serif";
const LIGHT_BLUE: RGBColor = RGBColor(166, 196, 226);
const DARK_BLUE: RGBColor = RGBColor(31, 78, 121);
const ORANGE: RGBColor = RGBColor(230, 145, 56);
const RED: RGBColor = RGBColor(192, 57, 43);
const GREY: RGBColor = RGBColor(120, 120, 120);
const PALE: RGBColor = RGBColor(245, 247, 250);

/// Every chart the pack has data for, in the order the documents show them.
pub fn render(pack: &ReviewPack) -> Result<Vec<Chart>> {
    let mut charts = Vec::new();
    let mut add = |name: &'static str, title: String, svg: Option<String>| {
        if let Some(svg) = svg {
            charts.push(Chart { name, title, svg });
        }
    };
    let achievements = &pack.achievements;
    let areas: Vec<String> = achievements
        .by_thematic_area
        .iter()
        .map(|area| area.thematic_area.clone())
        .collect();
    add(
        "activities",
        "Activities held against the work programme, by thematic area".to_owned(),
        bars(&Bars {
            title: "Activities held against the work programme",
            axis: "activities",
            categories: &areas,
            series: vec![
                Series::new(
                    "approved",
                    LIGHT_BLUE,
                    achievements.by_thematic_area.iter().map(|area| area.approved as f64),
                ),
                Series::new(
                    "held",
                    DARK_BLUE,
                    achievements.by_thematic_area.iter().map(|area| area.held as f64),
                ),
            ],
            layout: Layout::Bullet,
            marker: None,
        })?,
    );
    let measured: Vec<_> = achievements
        .indicators
        .iter()
        .filter_map(|row| Some((row, row.progress_percent.as_deref()?.parse::<f64>().ok()?)))
        .collect();
    add(
        "indicators",
        "Indicators: progress from baseline to target, per cent".to_owned(),
        bars(&Bars {
            title: "Indicators: progress from baseline to target (100 = target)",
            axis: "per cent of the way from baseline to target",
            categories: &measured
                .iter()
                .map(|(row, _)| format!("{}: {}", short(&row.activity, 28), short(&row.indicator, 28)))
                .collect::<Vec<_>>(),
            series: vec![Series::new(
                "progress",
                DARK_BLUE,
                measured.iter().map(|(_, percent)| percent.max(0.0)),
            )],
            layout: Layout::Stacked,
            marker: Some(100.0),
        })?,
    );
    let participants = &pack.participants;
    if participants.total > 0 {
        add(
            "participants-by-sex",
            "Participants by sex".to_owned(),
            bars(&Bars {
                title: "Participants by sex",
                axis: "participants",
                categories: &participants
                    .by_sex
                    .iter()
                    .map(|row| row.label.clone())
                    .collect::<Vec<_>>(),
                series: vec![Series::new(
                    "participants",
                    DARK_BLUE,
                    participants.by_sex.iter().map(|row| row.count as f64),
                )],
                layout: Layout::Stacked,
                marker: None,
            })?,
        );
        add(
            "participants-by-member-state",
            "Participants by Member State".to_owned(),
            bars(&Bars {
                title: "Participants by Member State",
                axis: "participants",
                categories: &participants
                    .by_member_state
                    .iter()
                    .map(|row| row.label.clone())
                    .collect::<Vec<_>>(),
                series: vec![Series::new(
                    "participants",
                    DARK_BLUE,
                    participants.by_member_state.iter().map(|row| row.count as f64),
                )],
                layout: Layout::Stacked,
                marker: None,
            })?,
        );
    }
    add(
        "coverage",
        "Coverage: activities by thematic area and host Member State".to_owned(),
        coverage(pack)?,
    );
    if let Some(currency) = main_currency(pack) {
        let funding = &pack.funding;
        let amount = |values: &[MoneyText]| {
            values
                .iter()
                .filter(|money| money.currency == currency)
                .filter_map(|money| money.amount.parse::<f64>().ok())
                .sum::<f64>()
        };
        let sources: Vec<_> = funding
            .by_source
            .iter()
            .filter(|row| amount(&row.committed) + amount(&row.in_kind) > 0.0)
            .collect();
        add(
            "funding-sources",
            format!("Funding by source, {currency}"),
            bars(&Bars {
                title: &format!("Funding by source ({currency})"),
                axis: &currency,
                categories: &sources.iter().map(|row| short(&row.name, 48)).collect::<Vec<_>>(),
                series: vec![
                    Series::new("committed", DARK_BLUE, sources.iter().map(|row| amount(&row.committed))),
                    Series::new("in kind", ORANGE, sources.iter().map(|row| amount(&row.in_kind))),
                ],
                layout: Layout::Stacked,
                marker: None,
            })?,
        );
        let gaps: Vec<_> = funding.gaps.iter().filter(|row| row.gap.currency == currency).collect();
        let gap = |row: &super::GapRow| row.gap.amount.parse::<f64>().unwrap_or(0.0);
        let budget = |row: &super::GapRow| {
            row.budget
                .as_ref()
                .and_then(|budget| budget.amount.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        add(
            "funding-gaps",
            format!("Funding gaps of activities, {currency}"),
            bars(&Bars {
                title: &format!("Funding gaps of activities ({currency})"),
                axis: &currency,
                categories: &gaps.iter().map(|row| short(&row.title, 48)).collect::<Vec<_>>(),
                series: vec![
                    Series::new(
                        "covered",
                        LIGHT_BLUE,
                        gaps.iter().map(|row| (budget(row) - gap(row)).max(0.0)),
                    ),
                    Series::new("gap", RED, gaps.iter().map(|row| gap(row))),
                ],
                layout: Layout::Stacked,
                marker: None,
            })?,
        );
    }
    Ok(charts)
}

/// The currency the funding charts are drawn in: the first work programme's budget currency,
/// else the first currency of the budgets. Amounts in other currencies stay in the tables.
pub fn main_currency(pack: &ReviewPack) -> Option<String> {
    pack.work_programmes
        .iter()
        .find_map(|programme| programme.budget.as_ref())
        .or_else(|| pack.funding.budget.first())
        .map(|money| money.currency.clone())
}

/// A label cut to `limit` characters, with an ellipsis when cut.
fn short(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(limit - 1).collect();
        cut.push('…');
        cut
    }
}

fn draw_error(error: impl std::fmt::Display) -> Error {
    Error::Render {
        format: "svg",
        detail: error.to_string(),
    }
}

/// How several series share a bar.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// One after the other along the bar.
    Stacked,
    /// The first as a wide bar (the target), the second as a narrow bar over it (the
    /// achievement).
    Bullet,
}

struct Series {
    label: &'static str,
    color: RGBColor,
    values: Vec<f64>,
}

impl Series {
    fn new(label: &'static str, color: RGBColor, values: impl Iterator<Item = f64>) -> Series {
        Series {
            label,
            color,
            values: values.collect(),
        }
    }
}

struct Bars<'a> {
    title: &'a str,
    axis: &'a str,
    categories: &'a [String],
    series: Vec<Series>,
    layout: Layout,
    /// A vertical line at this value, such as 100 for a target.
    marker: Option<f64>,
}

/// A category axis: `count` categories at the whole numbers from 0, each with a tick mark,
/// and no other tick.
struct CategoryAxis {
    count: usize,
}

impl Ranged for CategoryAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let share = (value + 0.5) / self.count as f64;
        limit.0 + (f64::from(limit.1 - limit.0) * share).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Light points would draw a second, fainter line at each category.
        if hint.weight().allow_light_points() {
            return Vec::new();
        }
        (0..self.count).map(|index| index as f64).collect()
    }

    fn range(&self) -> Range<f64> {
        -0.5..self.count as f64 - 0.5
    }
}

fn category_axis(count: usize) -> CategoryAxis {
    CategoryAxis { count }
}

/// The category at a tick of a category axis; `reversed` puts the first category at the top.
fn category_at(categories: &[String], value: f64, reversed: bool) -> String {
    let index = value.round();
    if (value - index).abs() > 1e-6 || index < 0.0 || index as usize >= categories.len() {
        return String::new();
    }
    let index = index as usize;
    let index = if reversed { categories.len() - 1 - index } else { index };
    categories[index].clone()
}

/// Horizontal bars, the first category at the top; `None` when there is nothing to draw.
fn bars(spec: &Bars<'_>) -> Result<Option<String>> {
    let count = spec.categories.len();
    if count == 0 {
        return Ok(None);
    }
    let totals: Vec<f64> = (0..count)
        .map(|index| match spec.layout {
            Layout::Stacked => spec.series.iter().map(|series| series.values[index]).sum(),
            Layout::Bullet => spec
                .series
                .iter()
                .map(|series| series.values[index])
                .fold(0.0, f64::max),
        })
        .collect();
    let largest = totals.iter().copied().chain(spec.marker).fold(0.0, f64::max);
    let top = if largest > 0.0 { largest * 1.1 } else { 1.0 };
    let height = 120 + 34 * count as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(spec.title, (FONT, 22))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(290)
            .build_cartesian_2d(0.0..top, category_axis(count))
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc(spec.axis)
            .x_labels(8)
            .x_label_formatter(&|value| format!("{value:.0}"))
            .y_label_formatter(&|value| category_at(spec.categories, *value, true))
            .label_style((FONT, 15))
            .draw()
            .map_err(draw_error)?;
        let row = |index: usize| (count - 1 - index) as f64;
        let mut start = vec![0.0; count];
        for (number, series) in spec.series.iter().enumerate() {
            let half = match (spec.layout, number) {
                (Layout::Bullet, 0) => 0.38,
                (Layout::Bullet, _) => 0.18,
                (Layout::Stacked, _) => 0.36,
            };
            let color = series.color;
            let rectangles: Vec<Rectangle<(f64, f64)>> = (0..count)
                .map(|index| {
                    let from = if spec.layout == Layout::Stacked {
                        start[index]
                    } else {
                        0.0
                    };
                    let to = from + series.values[index];
                    Rectangle::new([(from, row(index) - half), (to, row(index) + half)], color.filled())
                })
                .collect();
            if spec.layout == Layout::Stacked {
                for (index, value) in series.values.iter().enumerate() {
                    start[index] += value;
                }
            }
            chart
                .draw_series(rectangles)
                .map_err(draw_error)?
                .label(series.label)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
        }
        if let Some(marker) = spec.marker {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(marker, -0.5), (marker, count as f64 - 0.5)],
                    RED.stroke_width(2),
                )))
                .map_err(draw_error)?;
        }
        for (index, total) in totals.iter().enumerate() {
            let label = format!("{total:.0}");
            chart
                .draw_series(std::iter::once(Text::new(
                    label,
                    // Just past the end of the bar.
                    (*total + top * 0.008, row(index)),
                    TextStyle::from((FONT, 15).into_font())
                        .color(&GREY)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                )))
                .map_err(draw_error)?;
        }
        if spec.series.len() > 1 {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerRight)
                .background_style(WHITE.mix(0.9))
                .border_style(GREY)
                .label_font((FONT, 15))
                .draw()
                .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)?;
    }
    Ok(Some(svg))
}

/// The coverage heat map: thematic areas down, host Member States across, each cell shaded
/// by its number of activities and labelled with it; `None` when no activity or need is in
/// the table.
fn coverage(pack: &ReviewPack) -> Result<Option<String>> {
    let coverage = &pack.coverage;
    if coverage.cells.is_empty() {
        return Ok(None);
    }
    let areas = &coverage.thematic_areas;
    let states = &coverage.member_states;
    let most = coverage
        .cells
        .iter()
        .map(|cell| cell.activities)
        .max()
        .unwrap_or(0)
        .max(1);
    let height = 150 + 30 * areas.len() as u32;
    let width = (330 + 46 * states.len() as u32).max(520);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Coverage: activities by thematic area and host", (FONT, 22))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(250)
            .build_cartesian_2d(category_axis(states.len()), category_axis(areas.len()))
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("host Member State")
            .x_label_formatter(&|value| category_at(states, *value, false))
            .y_label_formatter(&|value| category_at(areas, *value, true))
            .label_style((FONT, 15))
            .draw()
            .map_err(draw_error)?;
        let column = |state: &str| states.iter().position(|known| known == state).unwrap_or(0) as f64;
        let row = |area: &str| {
            let index = areas.iter().position(|known| known == area).unwrap_or(0);
            (areas.len() - 1 - index) as f64
        };
        let background = (0..states.len()).flat_map(|x| {
            (0..areas.len()).map(move |y| {
                Rectangle::new(
                    [(x as f64 - 0.46, y as f64 - 0.46), (x as f64 + 0.46, y as f64 + 0.46)],
                    PALE.filled(),
                )
            })
        });
        chart.draw_series(background).map_err(draw_error)?;
        let shade = |activities: usize| {
            let share = activities as f64 / most as f64;
            let mix =
                |light: u8, dark: u8| (f64::from(light) + (f64::from(dark) - f64::from(light)) * share).round() as u8;
            RGBColor(mix(214, DARK_BLUE.0), mix(229, DARK_BLUE.1), mix(243, DARK_BLUE.2))
        };
        let cells: Vec<_> = coverage.cells.iter().filter(|cell| cell.activities > 0).collect();
        chart
            .draw_series(cells.iter().map(|cell| {
                let (x, y) = (column(&cell.member_state), row(&cell.thematic_area));
                Rectangle::new(
                    [(x - 0.46, y - 0.46), (x + 0.46, y + 0.46)],
                    shade(cell.activities).filled(),
                )
            }))
            .map_err(draw_error)?;
        chart
            .draw_series(cells.iter().map(|cell| {
                let (x, y) = (column(&cell.member_state), row(&cell.thematic_area));
                let color: &'static RGBColor = if cell.activities * 2 > most { &WHITE } else { &BLACK };
                Text::new(
                    cell.activities.to_string(),
                    (x, y),
                    TextStyle::from((FONT, 16).into_font())
                        .color(color)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                )
            }))
            .map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    Ok(Some(svg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_sit_at_whole_numbers_and_only_there() {
        let categories = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
        assert_eq!(category_at(&categories, 0.0, false), "a");
        assert_eq!(category_at(&categories, 0.0, true), "c");
        assert_eq!(category_at(&categories, 2.0, true), "a");
        assert_eq!(category_at(&categories, 0.5, false), "");
        assert_eq!(category_at(&categories, 3.0, false), "");
        assert_eq!(category_at(&categories, -1.0, false), "");
    }

    #[test]
    fn long_labels_are_cut_with_an_ellipsis() {
        assert_eq!(short("Financing", 28), "Financing");
        assert_eq!(short("abcdef", 4), "abc…");
    }

    #[test]
    fn bars_are_deterministic_text_with_no_font_lookup() {
        let categories = vec!["financing".to_owned(), "gender & equality".to_owned()];
        let spec = Bars {
            title: "A <test>",
            axis: "activities",
            categories: &categories,
            series: vec![
                Series::new("approved", LIGHT_BLUE, [3.0, 1.0].into_iter()),
                Series::new("held", DARK_BLUE, [2.0, 0.0].into_iter()),
            ],
            layout: Layout::Bullet,
            marker: None,
        };
        let first = bars(&spec).unwrap().unwrap();
        let second = bars(&spec).unwrap().unwrap();
        assert_eq!(first, second);
        assert!(first.starts_with("<svg"), "{}", &first[..80]);
        // Text is written as text, escaped, for the viewer's own fonts to set.
        assert!(first.contains(">\ngender &amp; equality\n</text>"), "{first}");
        assert!(first.contains(">\nA &lt;test&gt;\n</text>"), "{first}");
        // Four bars (two categories, two series) and the two legend swatches, drawn as
        // rectangles of the stated colours.
        assert_eq!(first.matches("fill=\"#1F4E79\"").count(), 3, "{first}");
        let empty = Bars {
            categories: &[],
            series: Vec::new(),
            ..spec
        };
        assert_eq!(bars(&empty).unwrap(), None);
    }
}

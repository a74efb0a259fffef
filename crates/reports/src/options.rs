//! The options of the reports, parsed from the text given on a command line or in a query.
//!
//! Every parser names the option, the value given and the values allowed, so a mistyped area or
//! date is answered with what would have been accepted.

use std::collections::BTreeSet;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use smes_domain::values::{MemberStateCode, ThematicArea, WorkProgrammeYear};
use smes_projections::Cut;
use smes_projections::activities::ActivityState;

use crate::error::{Error, Result};

/// The formats a report can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    /// JSON, pretty-printed.
    Json,
    /// CSV (RFC 4180), one row per activity.
    Csv,
    /// One self-contained HTML page.
    Html,
    /// Graphviz `dot` text.
    Dot,
}

impl Format {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Html => "html",
            Format::Dot => "dot",
        }
    }

    /// Parses `text` as one of `allowed`.
    pub fn parse(text: &str, allowed: &[Format]) -> Result<Format> {
        allowed
            .iter()
            .copied()
            .find(|format| format.name() == text)
            .ok_or_else(|| Error::InvalidOption {
                option: "--format",
                value: text.to_owned(),
                allowed: one_of(allowed.iter().map(|format| format.name())),
            })
    }
}

/// Which activities a snapshot lists: each set that is not empty must contain the activity's
/// value.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Filter {
    /// Thematic areas.
    pub areas: BTreeSet<ThematicArea>,
    /// Host Member States.
    pub countries: BTreeSet<MemberStateCode>,
    pub statuses: BTreeSet<ActivityState>,
}

impl Filter {
    /// Parses the values of `--area`, `--country` and `--status`; each value may be a
    /// comma-separated list.
    pub fn parse(areas: &[String], countries: &[String], statuses: &[String]) -> Result<Filter> {
        let mut filter = Filter::default();
        for area in split(areas) {
            filter.areas.insert(parse_area(area)?);
        }
        for country in split(countries) {
            filter.countries.insert(parse_country(country)?);
        }
        for status in split(statuses) {
            filter.statuses.insert(parse_status(status)?);
        }
        Ok(filter)
    }

    /// Whether an activity with these values is listed.
    pub fn admits(&self, area: Option<ThematicArea>, host: Option<MemberStateCode>, status: ActivityState) -> bool {
        (self.areas.is_empty() || area.is_some_and(|area| self.areas.contains(&area)))
            && (self.countries.is_empty() || host.is_some_and(|host| self.countries.contains(&host)))
            && (self.statuses.is_empty() || self.statuses.contains(&status))
    }
}

/// The values of a repeatable option, each a comma-separated list, trimmed, empty ones left out.
pub(crate) fn split(values: &[String]) -> impl Iterator<Item = &str> {
    values
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

fn one_of<'a>(values: impl Iterator<Item = &'a str>) -> String {
    format!("expected one of {}", values.collect::<Vec<_>>().join(", "))
}

/// Parses `--year`: a work-programme year from 1975 to 9999.
pub fn parse_year(text: &str) -> Result<WorkProgrammeYear> {
    text.trim()
        .parse::<i16>()
        .ok()
        .and_then(|year| WorkProgrammeYear::new(year).ok())
        .ok_or_else(|| Error::InvalidOption {
            option: "--year",
            value: text.to_owned(),
            allowed: "expected a year from 1975 to 9999".to_owned(),
        })
}

/// Parses one `--area`: a slug (`financing`) or the area's number (`5`).
pub fn parse_area(text: &str) -> Result<ThematicArea> {
    ThematicArea::from_str(text).map_err(|_| Error::InvalidOption {
        option: "--area",
        value: text.to_owned(),
        allowed: format!(
            "{} (or the area's number, 1 to 10)",
            one_of(ThematicArea::ALL.iter().map(|area| area.slug()))
        ),
    })
}

/// Parses one `--country`: an ISO 3166-1 alpha-2 code, in either case.
pub fn parse_country(text: &str) -> Result<MemberStateCode> {
    MemberStateCode::new(&text.to_ascii_uppercase()).map_err(|_| Error::InvalidOption {
        option: "--country",
        value: text.to_owned(),
        allowed: "expected a Member State's two-letter ISO 3166-1 code, such as VE".to_owned(),
    })
}

/// The statuses an activity can have, by name.
pub const STATUSES: [(ActivityState, &str); 7] = [
    (ActivityState::Proposed, "proposed"),
    (ActivityState::Deferred, "deferred"),
    (ActivityState::Approved, "approved"),
    (ActivityState::Rejected, "rejected"),
    (ActivityState::Held, "held"),
    (ActivityState::Cancelled, "cancelled"),
    (ActivityState::Unknown, "unknown"),
];

/// The name of a status.
pub fn status_name(status: ActivityState) -> &'static str {
    STATUSES
        .iter()
        .find(|(state, _)| *state == status)
        .map_or("unknown", |(_, name)| name)
}

/// Parses one `--status`.
pub fn parse_status(text: &str) -> Result<ActivityState> {
    STATUSES
        .iter()
        .find(|(_, name)| *name == text)
        .map(|(state, _)| *state)
        .ok_or_else(|| Error::InvalidOption {
            option: "--status",
            value: text.to_owned(),
            allowed: one_of(STATUSES.iter().map(|(_, name)| *name)),
        })
}

/// Parses a business date (`--as-of`): `YYYY-MM-DD`.
pub fn parse_date(option: &'static str, text: &str) -> Result<Date> {
    text.trim().parse::<Date>().map_err(|_| Error::InvalidOption {
        option,
        value: text.to_owned(),
        allowed: "expected a date as YYYY-MM-DD, such as 2013-06-30".to_owned(),
    })
}

/// Parses a record time (`--known-at`): an RFC 3339 instant.
pub fn parse_timestamp(option: &'static str, text: &str) -> Result<Timestamp> {
    text.trim().parse::<Timestamp>().map_err(|_| Error::InvalidOption {
        option,
        value: text.to_owned(),
        allowed: "expected an RFC 3339 time with its offset, such as 2013-06-30T12:00:00Z".to_owned(),
    })
}

/// Parses a log position (`--at-position`): a whole number from 1.
pub fn parse_position(option: &'static str, text: &str) -> Result<u64> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|position| *position >= 1)
        .ok_or_else(|| Error::InvalidOption {
            option,
            value: text.to_owned(),
            allowed: "expected a log position, a whole number from 1".to_owned(),
        })
}

/// Builds a cut from the optional `--as-of`, `--known-at` and `--at-position` values.
pub fn parse_cut(as_of: Option<&str>, known_at: Option<&str>, at_position: Option<&str>) -> Result<Cut> {
    Ok(Cut {
        as_of: as_of.map(|text| parse_date("--as-of", text)).transpose()?,
        known_at: known_at.map(|text| parse_timestamp("--known-at", text)).transpose()?,
        at_position: at_position
            .map(|text| parse_position("--at-position", text))
            .transpose()?,
    })
}

/// A point of the log a diff compares: a business date, a record time or a log position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// As of the end of a business date: `2013-06-30`.
    AsOf(Date),
    /// As known at a record time: `known:2013-06-30T12:00:00Z`.
    KnownAt(Timestamp),
    /// At a log position: `position:42`.
    Position(u64),
}

impl Point {
    /// Parses `--from` or `--to`.
    pub fn parse(option: &'static str, text: &str) -> Result<Point> {
        let invalid = || Error::InvalidOption {
            option,
            value: text.to_owned(),
            allowed: "expected a business date (2013-06-30), a record time (known:2013-06-30T12:00:00Z) \
                      or a log position (position:42)"
                .to_owned(),
        };
        let text = text.trim();
        if let Some(instant) = text.strip_prefix("known:") {
            return instant.parse().map(Point::KnownAt).map_err(|_| invalid());
        }
        if let Some(position) = text.strip_prefix("position:") {
            return position.parse::<u64>().map(Point::Position).map_err(|_| invalid());
        }
        text.parse().map(Point::AsOf).map_err(|_| invalid())
    }

    /// The cut the point stands for.
    pub fn cut(self) -> Cut {
        match self {
            Point::AsOf(date) => Cut::as_of(date),
            Point::KnownAt(instant) => Cut::known_at(instant),
            Point::Position(position) => Cut::at_position(position),
        }
    }
}

impl std::fmt::Display for Point {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Point::AsOf(date) => write!(formatter, "{date}"),
            Point::KnownAt(instant) => write!(formatter, "known:{instant}"),
            Point::Position(position) => write!(formatter, "position:{position}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_name_the_option_and_what_is_allowed() {
        let error = parse_area("finance").unwrap_err().to_string();
        assert!(error.starts_with("--area: \"finance\""), "{error}");
        assert!(error.contains("financing"), "{error}");
        let error = parse_status("done").unwrap_err().to_string();
        assert!(error.contains("approved, rejected, held"), "{error}");
        assert!(parse_year("1974").unwrap_err().to_string().contains("1975 to 9999"));
        assert!(
            parse_date("--as-of", "2013-13-01")
                .unwrap_err()
                .to_string()
                .contains("YYYY-MM-DD")
        );
        assert!(
            Format::parse("pdf", &[Format::Markdown, Format::Json])
                .unwrap_err()
                .to_string()
                .contains("md, json")
        );
    }

    #[test]
    fn good_values_parse() {
        assert_eq!(parse_area("5").unwrap(), ThematicArea::Financing);
        assert_eq!(parse_country("pe").unwrap().as_str(), "PE");
        let filter = Filter::parse(&["financing,gender-equality".to_owned()], &[], &["held".to_owned()]).unwrap();
        assert_eq!(filter.areas.len(), 2);
        assert!(filter.admits(Some(ThematicArea::Financing), None, ActivityState::Held));
        assert!(!filter.admits(Some(ThematicArea::Financing), None, ActivityState::Approved));
        assert_eq!(Point::parse("--from", "position:42").unwrap(), Point::Position(42));
        assert_eq!(Point::parse("--from", "2013-06-30").unwrap().to_string(), "2013-06-30");
        assert!(matches!(
            Point::parse("--to", "known:2013-06-30T12:00:00Z").unwrap(),
            Point::KnownAt(_)
        ));
        assert!(Point::parse("--to", "yesterday").is_err());
    }
}

//! Checks of the command subcommands' flags, so that a wrong flag is refused with the command's
//! kind, the flag (clap names it and the value), and what is allowed, before anything is read
//! from the log. Each returns the value in the form the command line takes.

use std::fmt::Display;
use std::str::FromStr;

use jiff::civil::Date;
use smes_domain::values::WorkProgrammeYear;
use uuid::Uuid;

/// A checker clap calls with the flag's text.
pub trait Check<T>: Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static {}

impl<T, F: Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static> Check<T> for F {}

/// A record's id.
pub fn id(kind: &'static str) -> impl Check<Uuid> {
    move |text: &str| {
        Uuid::parse_str(text)
            .map_err(|_| format!("{kind}: expected a UUID, such as 5e1a0000-0000-4000-8000-000000000001"))
    }
}

/// The `--command-id` of any command.
pub fn command_id(text: &str) -> Result<Uuid, String> {
    Uuid::parse_str(text).map_err(|_| "expected a UUID, such as 5e1a0000-0000-4000-8000-000000000101".to_owned())
}

/// A count, a position or a size.
pub fn number<T: FromStr>(text: &str) -> Result<T, String> {
    text.parse::<T>()
        .map_err(|_| "expected a whole number from 0, such as 100".to_owned())
}

/// A date, kept as written.
pub fn date(kind: &'static str) -> impl Check<String> {
    let day = day(kind);
    move |text: &str| day(text).map(|_| text.to_owned())
}

/// A date.
pub fn day(kind: &'static str) -> impl Check<Date> {
    move |text: &str| {
        text.parse::<Date>()
            .map_err(|_| format!("{kind}: expected a date as YYYY-MM-DD, such as 2013-04-10"))
    }
}

/// A work programme's year.
pub fn year(kind: &'static str) -> impl Check<i16> {
    move |text: &str| {
        text.parse::<i16>()
            .ok()
            .and_then(|year| WorkProgrammeYear::new(year).ok())
            .map(WorkProgrammeYear::get)
            .ok_or_else(|| format!("{kind}: expected a year from 1975 to 9999, such as 2013"))
    }
}

/// A value of one of the programme's closed lists (or a code such as a Member State's), kept
/// as written; the refusal lists what is allowed.
pub fn word<T>(kind: &'static str) -> impl Check<String>
where
    T: FromStr,
    T::Err: Display,
{
    move |text: &str| {
        text.parse::<T>()
            .map(|_| text.to_owned())
            .map_err(|error| format!("{kind}: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use smes_domain::values::CounterpartKind;

    use super::*;

    #[test]
    fn refusals_name_the_kind_and_what_is_allowed() {
        assert_eq!(
            id("hold-consultation")("nope").unwrap_err(),
            "hold-consultation: expected a UUID, such as 5e1a0000-0000-4000-8000-000000000001"
        );
        assert_eq!(
            date("identify-need")("2013-02-30").unwrap_err(),
            "identify-need: expected a date as YYYY-MM-DD, such as 2013-04-10"
        );
        assert_eq!(year("approve-activity")("2013"), Ok(2013));
        assert!(
            year("approve-activity")("1900")
                .unwrap_err()
                .contains("from 1975 to 9999")
        );
        let error = word::<CounterpartKind>("join-counterpart")("party").unwrap_err();
        assert!(error.starts_with("join-counterpart: invalid counterpart kind \"party\": expected one of public"));
        assert_eq!(
            word::<CounterpartKind>("join-counterpart")("mixed"),
            Ok("mixed".to_owned())
        );
    }
}

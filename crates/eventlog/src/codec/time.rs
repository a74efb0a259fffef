//! The times of records: the range a log accepts, and the fixed-width text
//! (`YYYY-MM-DDTHH:MM:SS.ffffffZ`) records hold, written for every event appended and read back
//! for every event read or verified.
//!
//! The day counts are converted by hand rather than through jiff: measured both ways, neither
//! was faster (docs/benchmarks.md), and the hand-written conversion covers every count a damaged
//! column can hold, where jiff's civil times stop at the years ±9999, so the text of every
//! message stays as it was.

use std::fmt::Write as _;

use jiff::Timestamp;

/// Earliest business or record time accepted: 1000-01-01T00:00:00Z, in microseconds.
pub(super) const MIN_TIME_MICROS: i64 = -30_610_224_000_000_000;
/// Latest accepted: 9999-12-31T23:59:59.999999Z, in microseconds.
pub(super) const MAX_TIME_MICROS: i64 = 253_402_300_799_999_999;

/// The time in whole microseconds, if it lies in the accepted range.
pub(crate) fn checked_micros(time: Timestamp) -> Option<i64> {
    let micros = time.as_microsecond();
    (MIN_TIME_MICROS..=MAX_TIME_MICROS).contains(&micros).then_some(micros)
}

/// Formats microseconds since 1970 as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (fixed width, so that text
/// order is time order).
pub(crate) fn format_micros(micros: i64) -> String {
    let seconds = micros.div_euclid(1_000_000);
    let fraction = micros.rem_euclid(1_000_000);
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let mut text = String::with_capacity(27);
    write!(
        text,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{fraction:06}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
    .expect("writing to a String cannot fail");
    text
}

/// Parses the fixed-width form written by [`format_micros`]; anything else goes through jiff's
/// RFC 3339 parser.
pub(crate) fn parse_time(text: &str) -> Option<Timestamp> {
    fn digits(bytes: &[u8]) -> Option<i64> {
        bytes.iter().try_fold(0i64, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
        })
    }
    let bytes = text.as_bytes();
    let fixed = bytes.len() == 27
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T'
        && bytes[13] == b':'
        && bytes[16] == b':'
        && bytes[19] == b'.'
        && bytes[26] == b'Z';
    if fixed {
        let (year, month, day) = (digits(&bytes[0..4])?, digits(&bytes[5..7])?, digits(&bytes[8..10])?);
        let (hour, minute, second) = (
            digits(&bytes[11..13])?,
            digits(&bytes[14..16])?,
            digits(&bytes[17..19])?,
        );
        let fraction = digits(&bytes[20..26])?;
        if (1..=12).contains(&month) && (1..=31).contains(&day) && hour < 24 && minute < 60 && second < 60 {
            let days = days_from_civil(year, month, day);
            let micros = ((days * 86_400 + hour * 3600 + minute * 60 + second) * 1_000_000) + fraction;
            return Timestamp::from_microsecond(micros).ok();
        }
        return None;
    }
    text.parse().ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn fixed_time_format_round_trips() {
        let time: Timestamp = "2013-10-17T09:30:05.123456Z".parse().unwrap();
        let text = format_micros(time.as_microsecond());
        assert_eq!(text, "2013-10-17T09:30:05.123456Z");
        assert_eq!(parse_time(&text), Some(time));
        assert_eq!(format_micros(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(format_micros(MIN_TIME_MICROS), "1000-01-01T00:00:00.000000Z");
        assert_eq!(format_micros(MAX_TIME_MICROS), "9999-12-31T23:59:59.999999Z");
    }

    proptest! {
        #[test]
        fn time_text_matches_jiff_and_parses_back(micros in MIN_TIME_MICROS..=MAX_TIME_MICROS) {
            let time = Timestamp::from_microsecond(micros).unwrap();
            let text = format_micros(micros);
            let jiff_text = time.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string();
            prop_assert_eq!(&text, &jiff_text);
            prop_assert_eq!(parse_time(&text), Some(time));
        }
    }
}

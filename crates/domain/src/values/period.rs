//! Date ranges and work-programme years.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// An inclusive range of business dates: both `start` and `end` belong to the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "PeriodFields")]
pub struct Period {
    start: Date,
    end: Date,
}

/// The serde form of [`Period`], checked on the way in.
#[derive(Deserialize)]
struct PeriodFields {
    start: Date,
    end: Date,
}

impl TryFrom<PeriodFields> for Period {
    type Error = DomainError;

    fn try_from(fields: PeriodFields) -> Result<Self, DomainError> {
        Period::new(fields.start, fields.end)
    }
}

impl Period {
    /// Builds a period, refusing one that ends before it starts.
    pub fn new(start: Date, end: Date) -> Result<Self, DomainError> {
        if end < start {
            return Err(DomainError::PeriodEndsBeforeStart { start, end });
        }
        Ok(Self { start, end })
    }

    /// A period of one day.
    pub fn single_day(day: Date) -> Self {
        Self { start: day, end: day }
    }

    /// The first day.
    pub fn start(&self) -> Date {
        self.start
    }

    /// The last day.
    pub fn end(&self) -> Date {
        self.end
    }

    /// Whether the two periods share at least one day.
    pub fn overlaps(&self, other: &Period) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    /// Whether `day` falls inside the period.
    pub fn contains(&self, day: Date) -> bool {
        self.start <= day && day <= self.end
    }
}

impl fmt::Display for Period {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} to {}", self.start, self.end)
    }
}

/// The year of a work programme, such as 2013. SELA was founded in 1975, so earlier years are
/// refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "i16")]
pub struct WorkProgrammeYear(i16);

impl WorkProgrammeYear {
    /// Builds a year from 1975 to 9999.
    pub fn new(year: i16) -> Result<Self, DomainError> {
        if !(1975..=9999).contains(&year) {
            return Err(DomainError::InvalidValue {
                field: "work programme year",
                value: year.to_string(),
                reason: "expected a year from 1975 to 9999".to_owned(),
            });
        }
        Ok(Self(year))
    }

    /// The year as a number.
    pub fn get(self) -> i16 {
        self.0
    }
}

impl TryFrom<i16> for WorkProgrammeYear {
    type Error = DomainError;

    fn try_from(year: i16) -> Result<Self, DomainError> {
        Self::new(year)
    }
}

/// Read from a whole number, as before; what is expected is said as a year rather than as the
/// range of the number type it is kept in.
impl<'de> Deserialize<'de> for WorkProgrammeYear {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct YearVisitor;

        impl serde::de::Visitor<'_> for YearVisitor {
            type Value = WorkProgrammeYear;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a year from 1975 to 9999, such as 2013")
            }

            fn visit_i64<E: serde::de::Error>(self, year: i64) -> Result<WorkProgrammeYear, E> {
                let year =
                    i16::try_from(year).map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(year), &self))?;
                WorkProgrammeYear::new(year).map_err(E::custom)
            }

            fn visit_u64<E: serde::de::Error>(self, year: u64) -> Result<WorkProgrammeYear, E> {
                let year =
                    i16::try_from(year).map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(year), &self))?;
                WorkProgrammeYear::new(year).map_err(E::custom)
            }
        }

        deserializer.deserialize_i16(YearVisitor)
    }
}

impl From<WorkProgrammeYear> for i16 {
    fn from(year: WorkProgrammeYear) -> i16 {
        year.0
    }
}

impl fmt::Display for WorkProgrammeYear {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn period(start: (i16, i8, i8), end: (i16, i8, i8)) -> Period {
        Period::new(date(start.0, start.1, start.2), date(end.0, end.1, end.2)).unwrap()
    }

    #[test]
    fn a_year_reads_from_a_whole_number_and_says_what_is_expected() {
        let read = |json: serde_json::Value| serde_json::from_value::<WorkProgrammeYear>(json);
        assert_eq!(read(serde_json::json!(2013)).unwrap().get(), 2013);
        let wrong_type = read(serde_json::json!("2013")).unwrap_err().to_string();
        assert!(
            wrong_type.ends_with("expected a year from 1975 to 9999, such as 2013"),
            "{wrong_type}"
        );
        let too_early = read(serde_json::json!(1900)).unwrap_err().to_string();
        assert!(
            too_early.contains("invalid work programme year \"1900\""),
            "{too_early}"
        );
        let too_large = read(serde_json::json!(70000)).unwrap_err().to_string();
        assert!(
            too_large.ends_with("expected a year from 1975 to 9999, such as 2013"),
            "{too_large}"
        );
        assert_eq!(
            serde_json::to_value(WorkProgrammeYear::new(2013).unwrap()).unwrap(),
            2013
        );
    }

    #[test]
    fn a_period_cannot_end_before_it_starts() {
        assert_eq!(
            Period::new(date(2013, 5, 2), date(2013, 5, 1)),
            Err(DomainError::PeriodEndsBeforeStart {
                start: date(2013, 5, 2),
                end: date(2013, 5, 1)
            })
        );
        let json = serde_json::json!({"start": "2013-05-02", "end": "2013-05-01"});
        assert!(serde_json::from_value::<Period>(json).is_err());
    }

    #[test]
    fn inclusive_ends_overlap() {
        let may = period((2013, 5, 1), (2013, 5, 31));
        assert!(may.overlaps(&period((2013, 5, 31), (2013, 6, 2))));
        assert!(may.overlaps(&period((2013, 4, 1), (2013, 5, 1))));
        assert!(may.overlaps(&period((2013, 5, 10), (2013, 5, 11))));
        assert!(!may.overlaps(&period((2013, 6, 1), (2013, 6, 2))));
        assert!(may.contains(date(2013, 5, 31)));
        assert!(Period::single_day(date(2013, 5, 31)).overlaps(&may));
    }

    #[test]
    fn work_programme_years_start_with_sela() {
        assert_eq!(WorkProgrammeYear::new(2013).unwrap().get(), 2013);
        assert!(WorkProgrammeYear::new(1974).is_err());
    }
}

//! The membership history of SELA as data: `data/member-states.csv`, embedded in the crate.
//!
//! Each row is one change (a state joined or left) with an ISO 3166-1 alpha-2 code, an English
//! name, the date or the literal `unknown`, and the source that supports it. The source is the
//! last column and may itself contain commas, so a row is split on its first four commas only.
//! [`load_commands`] turns the rows into the [`MemberStateCommand`]s that put the history in a
//! log; the CLI and the demo run them through the Member State decider. [`MembershipHistory`]
//! is the other way round: the history folded from a log's events, which says who was a Member
//! State on a date.

mod history;

use jiff::civil::Date;

use crate::error::{DomainError, Result};
use crate::member_state::{JoinSystem, LeaveSystem, MemberStateCommand};
use crate::values::MemberStateCode;

pub use history::MembershipHistory;

/// The membership file as shipped with the crate.
pub const EMBEDDED_MEMBER_STATES: &str = include_str!("../data/member-states.csv");

const HEADER: &str = "code,name,change,date,source";

/// Whether a row records a state joining or leaving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipChange {
    /// The state joined the system.
    Joined,
    /// The state left the system.
    Left,
}

/// One row of the membership file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipRow {
    /// The 1-based line the row came from.
    pub line: usize,
    /// The state.
    pub code: MemberStateCode,
    /// Its English name.
    pub name: String,
    /// Joined or left.
    pub change: MembershipChange,
    /// The date, or `None` where the file says `unknown`.
    pub date: Option<Date>,
    /// The source of the fact.
    pub source: String,
}

/// Parses a membership file. Blank lines and lines starting with `#` are skipped; the first
/// other line must be the header `code,name,change,date,source`. Errors name the line.
pub fn parse_membership(text: &str) -> Result<Vec<MembershipRow>> {
    let mut rows = Vec::new();
    let mut header_seen = false;
    for (index, raw_line) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw_line.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if !header_seen {
            if content != HEADER {
                return Err(file_error(line, format!("expected the header {HEADER:?}")));
            }
            header_seen = true;
            continue;
        }
        rows.push(parse_row(line, content)?);
    }
    if !header_seen {
        return Err(file_error(1, format!("missing the header {HEADER:?}")));
    }
    Ok(rows)
}

/// Parses the embedded membership file.
pub fn embedded_membership() -> Result<Vec<MembershipRow>> {
    parse_membership(EMBEDDED_MEMBER_STATES)
}

/// The commands that load the given rows into a log, in file order.
pub fn load_commands(rows: &[MembershipRow]) -> Vec<MemberStateCommand> {
    rows.iter()
        .map(|row| match row.change {
            MembershipChange::Joined => MemberStateCommand::Join(JoinSystem {
                code: row.code,
                name: row.name.clone(),
                joined_on: row.date,
                source: row.source.clone(),
            }),
            MembershipChange::Left => MemberStateCommand::Leave(LeaveSystem {
                code: row.code,
                left_on: row.date,
                source: row.source.clone(),
            }),
        })
        .collect()
}

/// The commands that load the embedded membership history.
pub fn embedded_load_commands() -> Result<Vec<MemberStateCommand>> {
    embedded_membership().map(|rows| load_commands(&rows))
}

fn file_error(line: usize, reason: String) -> DomainError {
    DomainError::MembershipFile { line, reason }
}

fn parse_row(line: usize, content: &str) -> Result<MembershipRow> {
    let fields: Vec<&str> = content.splitn(5, ',').map(str::trim).collect();
    let [code, name, change, date, source] = fields[..] else {
        return Err(file_error(
            line,
            format!("expected 5 columns ({HEADER}), found {}", fields.len()),
        ));
    };
    let code = MemberStateCode::new(code).map_err(|error| file_error(line, format!("column code: {error}")))?;
    if name.is_empty() {
        return Err(file_error(line, "column name is empty".to_owned()));
    }
    let change = match change {
        "joined" => MembershipChange::Joined,
        "left" => MembershipChange::Left,
        other => {
            return Err(file_error(
                line,
                format!("column change is {other:?}; expected joined or left"),
            ));
        }
    };
    let date = match date {
        "unknown" => None,
        text => Some(text.parse::<Date>().map_err(|error| {
            file_error(
                line,
                format!("column date {text:?} is neither an ISO date nor unknown: {error}"),
            )
        })?),
    };
    if source.is_empty() {
        return Err(file_error(line, "column source is empty".to_owned()));
    }
    Ok(MembershipRow {
        line,
        code,
        name: name.to_owned(),
        change,
        date,
        source: source.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::decider::Decider;
    use crate::member_state::{MemberState, MemberStateDecider, Membership};

    /// Runs the embedded history through the decider, one stream per state.
    fn load_embedded() -> BTreeMap<String, MemberState> {
        let mut streams: BTreeMap<String, MemberState> = BTreeMap::new();
        for command in embedded_load_commands().unwrap() {
            let stream = MemberStateDecider::stream_name(&MemberStateDecider::target(&command));
            let state = streams.remove(&stream).unwrap_or_default();
            let events = MemberStateDecider::decide(&state, &command)
                .unwrap_or_else(|error| panic!("{command:?} refused: {error}"));
            let state = crate::testing::check_accepted::<MemberStateDecider>(state, &events);
            streams.insert(stream, state);
        }
        streams
    }

    #[test]
    fn the_embedded_history_has_28_states_of_2012_and_25_members_today() {
        let streams = load_embedded();
        assert_eq!(streams.len(), 28);
        let members: Vec<String> = streams
            .values()
            .filter(|state| matches!(state.membership, Membership::Member { .. }))
            .map(|state| state.code.unwrap().to_string())
            .collect();
        assert_eq!(members.len(), 25);
        for former in ["CR", "GD", "JM"] {
            assert!(!members.iter().any(|code| code == former), "{former}");
        }
    }

    #[test]
    fn every_row_has_a_source_and_unknown_dates_stay_unknown() {
        let rows = embedded_membership().unwrap();
        assert!(rows.iter().all(|row| !row.source.is_empty()));
        let jamaica_left = rows
            .iter()
            .find(|row| row.code.as_str() == "JM" && row.change == MembershipChange::Left)
            .unwrap();
        assert_eq!(jamaica_left.date, None);
        assert!(jamaica_left.source.contains("November 2021"));
    }

    #[test]
    fn errors_name_the_line_and_column() {
        let cases = [
            ("", 1, "missing the header"),
            ("code,name\n", 1, "expected the header"),
            (
                "# c\ncode,name,change,date,source\nVE,Venezuela,joined\n",
                3,
                "5 columns",
            ),
            (
                "code,name,change,date,source\nve,Venezuela,joined,unknown,s\n",
                2,
                "column code",
            ),
            ("code,name,change,date,source\nVE,,joined,unknown,s\n", 2, "column name"),
            (
                "code,name,change,date,source\nVE,Venezuela,entered,unknown,s\n",
                2,
                "column change",
            ),
            (
                "code,name,change,date,source\nVE,Venezuela,joined,1975-13-01,s\n",
                2,
                "column date",
            ),
            (
                "code,name,change,date,source\nVE,Venezuela,joined,unknown,\n",
                2,
                "column source",
            ),
        ];
        for (text, expected_line, expected_reason) in cases {
            match parse_membership(text) {
                Err(DomainError::MembershipFile { line, reason }) => {
                    assert_eq!(line, expected_line, "{text:?}");
                    assert!(reason.contains(expected_reason), "{reason}");
                }
                other => panic!("{text:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn sources_may_contain_commas_and_dates_may_be_known() {
        let rows =
            parse_membership("code,name,change,date,source\nPA,Panama,joined,1975-10-17,Convention, Panama, 1975\n")
                .unwrap();
        assert_eq!(rows[0].source, "Convention, Panama, 1975");
        assert_eq!(rows[0].date, Some(jiff::civil::date(1975, 10, 17)));
        assert_eq!(rows[0].line, 2);
    }
}

//! The Member State aggregate: a country joining and leaving SELA, one stream per ISO code
//! (`member-state-VE`).
//!
//! Membership is data with dates, not a constant. Sources do not always give the date of a
//! change, so dates are optional and every change carries its source. Leaving does not touch
//! past records: activities held in a state while it was a member stay valid.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{DomainError, Result};
use crate::values::{MemberStateCode, require_text};

/// Records that a state joined the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinSystem {
    /// The state.
    pub code: MemberStateCode,
    /// Its English name.
    pub name: String,
    /// When it joined, if a source gives the date.
    #[serde(default)]
    pub joined_on: Option<Date>,
    /// The document the fact comes from (title and date).
    pub source: String,
}

/// Records that a state left the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaveSystem {
    /// The state.
    pub code: MemberStateCode,
    /// When it left, if a source gives the date.
    #[serde(default)]
    pub left_on: Option<Date>,
    /// The document the fact comes from, with any bounds known on an unknown date.
    pub source: String,
}

/// Commands of the Member State aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberStateCommand {
    /// See [`JoinSystem`].
    Join(JoinSystem),
    /// See [`LeaveSystem`].
    Leave(LeaveSystem),
}

/// A state joined the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberStateJoined {
    /// The state.
    pub code: MemberStateCode,
    /// Its English name.
    pub name: String,
    /// When it joined; `None` when no source gives the date.
    pub joined_on: Option<Date>,
    /// The source of the fact.
    pub source: String,
}

/// A state left the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberStateLeft {
    /// The state.
    pub code: MemberStateCode,
    /// When it left; `None` when no source gives the date.
    pub left_on: Option<Date>,
    /// The source of the fact, with any bounds known on an unknown date.
    pub source: String,
}

/// Events of the Member State aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberStateEvent {
    /// See [`MemberStateJoined`].
    Joined(MemberStateJoined),
    /// See [`MemberStateLeft`].
    Left(MemberStateLeft),
}

/// Where a state stands in the system after its recorded changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Membership {
    /// No change recorded.
    #[default]
    NeverJoined,
    /// A member since the date, when known.
    Member {
        /// When it joined, if known.
        since: Option<Date>,
    },
    /// Left on the date, when known.
    Left {
        /// When it left, if known.
        on: Option<Date>,
    },
}

/// The folded state of one Member State stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemberState {
    /// The state's code, once it joined.
    pub code: Option<MemberStateCode>,
    /// Its English name, once it joined.
    pub name: Option<String>,
    /// Its current membership.
    pub membership: Membership,
    /// The latest known date of any change, to keep dated changes in order.
    pub latest_known_change: Option<Date>,
}

#[derive(Debug, Clone, Copy)]
pub struct MemberStateDecider;

impl MemberStateDecider {
    fn check_code(state: &MemberState, given: MemberStateCode) -> Result<()> {
        match state.code {
            Some(recorded) if recorded != given => Err(DomainError::MemberStateMismatch { given, recorded }),
            _ => Ok(()),
        }
    }

    fn check_order(state: &MemberState, code: MemberStateCode, date: Option<Date>) -> Result<()> {
        if let (Some(date), Some(previous)) = (date, state.latest_known_change)
            && date < previous
        {
            return Err(DomainError::MembershipChangeOutOfOrder { code, date, previous });
        }
        Ok(())
    }
}

impl Decider for MemberStateDecider {
    type Id = MemberStateCode;
    type State = MemberState;
    type Command = MemberStateCommand;
    type Event = MemberStateEvent;

    const STREAM_PREFIX: &'static str = "member-state";

    fn target(command: &MemberStateCommand) -> MemberStateCode {
        match command {
            MemberStateCommand::Join(join) => join.code,
            MemberStateCommand::Leave(leave) => leave.code,
        }
    }

    fn decide(state: &MemberState, command: &MemberStateCommand) -> Result<Vec<MemberStateEvent>> {
        match command {
            MemberStateCommand::Join(join) => {
                Self::check_code(state, join.code)?;
                join.code.require_iso_3166("join-system", "code")?;
                require_text("member state name", &join.name)?;
                require_text("membership source", &join.source)?;
                if matches!(state.membership, Membership::Member { .. }) {
                    return Err(DomainError::AlreadyMember { code: join.code });
                }
                Self::check_order(state, join.code, join.joined_on)?;
                Ok(vec![MemberStateEvent::Joined(MemberStateJoined {
                    code: join.code,
                    name: join.name.clone(),
                    joined_on: join.joined_on,
                    source: join.source.clone(),
                })])
            }
            MemberStateCommand::Leave(leave) => {
                Self::check_code(state, leave.code)?;
                require_text("membership source", &leave.source)?;
                if !matches!(state.membership, Membership::Member { .. }) {
                    return Err(DomainError::NotMember { code: leave.code });
                }
                Self::check_order(state, leave.code, leave.left_on)?;
                Ok(vec![MemberStateEvent::Left(MemberStateLeft {
                    code: leave.code,
                    left_on: leave.left_on,
                    source: leave.source.clone(),
                })])
            }
        }
    }

    fn evolve(mut state: MemberState, event: &MemberStateEvent) -> MemberState {
        let date = match event {
            MemberStateEvent::Joined(joined) => {
                state.code = Some(joined.code);
                state.name = Some(joined.name.clone());
                state.membership = Membership::Member {
                    since: joined.joined_on,
                };
                joined.joined_on
            }
            MemberStateEvent::Left(left) => {
                state.membership = Membership::Left { on: left.left_on };
                left.left_on
            }
        };
        state.latest_known_change = state.latest_known_change.max(date);
        state
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::testing::DeciderTesting;

    fn code(text: &str) -> MemberStateCode {
        MemberStateCode::new(text).unwrap()
    }

    fn join(joined_on: Option<Date>) -> MemberStateCommand {
        MemberStateCommand::Join(JoinSystem {
            code: code("JM"),
            name: "Jamaica".to_owned(),
            joined_on,
            source: "SELA list of Member States".to_owned(),
        })
    }

    fn joined(joined_on: Option<Date>) -> MemberStateEvent {
        MemberStateEvent::Joined(MemberStateJoined {
            code: code("JM"),
            name: "Jamaica".to_owned(),
            joined_on,
            source: "SELA list of Member States".to_owned(),
        })
    }

    fn leave(left_on: Option<Date>) -> MemberStateCommand {
        MemberStateCommand::Leave(LeaveSystem {
            code: code("JM"),
            left_on,
            source: "listed October 2017, absent by November 2021".to_owned(),
        })
    }

    fn left(left_on: Option<Date>) -> MemberStateEvent {
        MemberStateEvent::Left(MemberStateLeft {
            code: code("JM"),
            left_on,
            source: "listed October 2017, absent by November 2021".to_owned(),
        })
    }

    #[test]
    fn a_state_joins_with_or_without_a_known_date() {
        MemberStateDecider::given([]).when(join(None)).then([joined(None)]);
        let state = MemberStateDecider::given([])
            .when(join(Some(date(1975, 10, 17))))
            .then([joined(Some(date(1975, 10, 17)))]);
        assert_eq!(
            state.membership,
            Membership::Member {
                since: Some(date(1975, 10, 17))
            }
        );
    }

    #[test]
    fn a_member_cannot_join_twice() {
        MemberStateDecider::given([joined(None)])
            .when(join(None))
            .then_error(DomainError::AlreadyMember { code: code("JM") });
    }

    #[test]
    fn a_member_leaves_and_may_join_again() {
        let state = MemberStateDecider::given([joined(None)])
            .when(leave(None))
            .then([left(None)]);
        assert_eq!(state.membership, Membership::Left { on: None });
        MemberStateDecider::given([joined(None), left(None)])
            .when(join(Some(date(2030, 1, 1))))
            .then([joined(Some(date(2030, 1, 1)))]);
    }

    #[test]
    fn only_a_member_can_leave() {
        MemberStateDecider::given([])
            .when(leave(None))
            .then_error(DomainError::NotMember { code: code("JM") });
        MemberStateDecider::given([joined(None), left(None)])
            .when(leave(None))
            .then_error(DomainError::NotMember { code: code("JM") });
    }

    #[test]
    fn known_dates_stay_in_order() {
        MemberStateDecider::given([joined(Some(date(1975, 10, 17)))])
            .when(leave(Some(date(1970, 1, 1))))
            .then_error(DomainError::MembershipChangeOutOfOrder {
                code: code("JM"),
                date: date(1970, 1, 1),
                previous: date(1975, 10, 17),
            });
    }

    #[test]
    fn the_stream_belongs_to_one_state() {
        MemberStateDecider::given([joined(None)])
            .when(MemberStateCommand::Leave(LeaveSystem {
                code: code("CR"),
                left_on: None,
                source: "decree".to_owned(),
            }))
            .then_error(DomainError::MemberStateMismatch {
                given: code("CR"),
                recorded: code("JM"),
            });
        assert_eq!(MemberStateDecider::stream_name(&code("VE")), "member-state-VE");
    }

    #[test]
    fn a_member_state_is_a_country_of_iso_3166() {
        MemberStateDecider::given([])
            .when(MemberStateCommand::Join(JoinSystem {
                code: code("XX"),
                name: "Nowhere".to_owned(),
                joined_on: None,
                source: "s".to_owned(),
            }))
            .then_error(DomainError::UnknownCountry {
                command: "join-system",
                field: "code",
                code: code("XX"),
            });
    }

    #[test]
    fn name_and_source_are_required() {
        let mut command = JoinSystem {
            code: code("JM"),
            name: " ".to_owned(),
            joined_on: None,
            source: "s".to_owned(),
        };
        MemberStateDecider::given([])
            .when(MemberStateCommand::Join(command.clone()))
            .then_error(DomainError::EmptyField {
                field: "member state name",
            });
        command.name = "Jamaica".to_owned();
        command.source = String::new();
        MemberStateDecider::given([])
            .when(MemberStateCommand::Join(command))
            .then_error(DomainError::EmptyField {
                field: "membership source",
            });
    }
}

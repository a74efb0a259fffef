//! Who was a Member State on a date: the membership history folded from the Member State
//! events, the look-up the deciders use to check the countries a command names.
//!
//! What "a Member State on a date" means where a source gives no date:
//! - a state whose joining date is unknown is a member from the start of the record;
//! - a state whose leaving date is unknown stays a member until the log knows otherwise: until
//!   the business date under which its leaving was recorded (the date by which the sources show
//!   it had left), or, when that date is not known either, for good;
//! - a leaving date, known or bounded, ends membership on that day: the state is no longer a
//!   member on the date itself.
//!
//! Past records are never re-checked: an activity held in a state while it was a member stays
//! valid after it left.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::Date;

use crate::error::{DomainError, Result};
use crate::member_state::MemberStateEvent;
use crate::values::MemberStateCode;

/// One stretch of membership: joined (on a date or at an unknown one) and perhaps left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spell {
    joined_on: Option<Date>,
    left: Option<Leaving>,
}

/// How a spell ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Leaving {
    /// The date the state left, when a source gives it.
    on: Option<Date>,
    /// The business date the log recorded the leaving under.
    known_by: Option<Date>,
}

impl Spell {
    fn covers(&self, day: Date) -> bool {
        let joined = self.joined_on.is_none_or(|joined_on| joined_on <= day);
        let not_yet_left = match self.left {
            None => true,
            Some(Leaving { on: Some(on), .. }) => day < on,
            Some(Leaving {
                on: None,
                known_by: Some(known_by),
            }) => day < known_by,
            Some(Leaving {
                on: None,
                known_by: None,
            }) => true,
        };
        joined && not_yet_left
    }
}

/// The membership history of a log: every state's spells of membership, in the order the
/// log recorded them. Cheap to clone: commands carry it as a look-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MembershipHistory {
    spells: Arc<BTreeMap<MemberStateCode, Vec<Spell>>>,
}

impl MembershipHistory {
    /// Folds one Member State event, recorded under the business date `known_by` when the
    /// caller knows it.
    pub fn record(&mut self, event: &MemberStateEvent, known_by: Option<Date>) {
        let spells = Arc::make_mut(&mut self.spells);
        match event {
            MemberStateEvent::Joined(joined) => spells.entry(joined.code).or_default().push(Spell {
                joined_on: joined.joined_on,
                left: None,
            }),
            MemberStateEvent::Left(left) => {
                if let Some(spell) = spells
                    .get_mut(&left.code)
                    .and_then(|spells| spells.last_mut())
                    .filter(|spell| spell.left.is_none())
                {
                    spell.left = Some(Leaving {
                        on: left.left_on,
                        known_by,
                    });
                }
            }
        }
    }

    /// The history of the given events, each with the business date it was recorded under.
    pub fn from_events<'a>(events: impl IntoIterator<Item = (&'a MemberStateEvent, Option<Date>)>) -> Self {
        let mut history = MembershipHistory::default();
        for (event, known_by) in events {
            history.record(event, known_by);
        }
        history
    }

    /// Every state the history records as a Member State, now or once, in order of code.
    pub fn states(&self) -> Vec<MemberStateCode> {
        self.spells.keys().copied().collect()
    }

    /// Whether the log holds no membership history at all.
    pub fn is_empty(&self) -> bool {
        self.spells.is_empty()
    }

    /// Whether `code` was a Member State on `day`.
    pub fn is_member_on(&self, code: MemberStateCode, day: Date) -> bool {
        self.spells
            .get(&code)
            .is_some_and(|spells| spells.iter().any(|spell| spell.covers(day)))
    }

    /// The Member States on `day`, in order of code.
    pub fn members_on(&self, day: Date) -> Vec<MemberStateCode> {
        self.spells
            .iter()
            .filter(|(_, spells)| spells.iter().any(|spell| spell.covers(day)))
            .map(|(code, _)| *code)
            .collect()
    }

    /// Checks that the country a command names in `field` was a Member State on `day`; the
    /// refusal names the command, the field, the code, the day and the Member States then.
    /// A log with no membership history at all is refused with how to load it.
    pub fn require_member(
        &self,
        command: &'static str,
        field: &'static str,
        code: MemberStateCode,
        day: Date,
    ) -> Result<()> {
        if self.is_empty() {
            return Err(DomainError::MembershipNotLoaded { command, field, code });
        }
        if self.is_member_on(code, day) {
            return Ok(());
        }
        Err(DomainError::NotAMemberState {
            command,
            field,
            code,
            on: day,
            members: self.members_on(day),
        })
    }

    /// [`MembershipHistory::require_member`] for each of several codes.
    pub fn require_members(
        &self,
        command: &'static str,
        field: &'static str,
        codes: &[MemberStateCode],
        day: Date,
    ) -> Result<()> {
        codes
            .iter()
            .try_for_each(|code| self.require_member(command, field, *code, day))
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::member_state::{MemberStateJoined, MemberStateLeft};
    use crate::membership::embedded_load_commands;
    use crate::testing::fixtures::state;

    fn joined(code: &str, on: Option<Date>) -> MemberStateEvent {
        MemberStateEvent::Joined(MemberStateJoined {
            code: state(code),
            name: code.to_owned(),
            joined_on: on,
            source: "a source".to_owned(),
        })
    }

    fn left(code: &str, on: Option<Date>) -> MemberStateEvent {
        MemberStateEvent::Left(MemberStateLeft {
            code: state(code),
            left_on: on,
            source: "a source".to_owned(),
        })
    }

    /// Given these events, each with its business date, when asked about `code` on `day`,
    /// then membership is `expected`.
    fn check(events: &[(MemberStateEvent, Option<Date>)], code: &str, day: Date, expected: bool) {
        let history = MembershipHistory::from_events(events.iter().map(|(event, known_by)| (event, *known_by)));
        assert_eq!(history.is_member_on(state(code), day), expected, "{code} on {day}");
    }

    #[test]
    fn an_unknown_joining_date_is_membership_from_the_start_of_the_record() {
        let events = [(joined("VE", None), None)];
        check(&events, "VE", date(1976, 1, 1), true);
        check(&events, "VE", date(2030, 1, 1), true);
        check(&events, "US", date(2013, 1, 1), false);
    }

    #[test]
    fn a_known_joining_date_starts_membership_that_day() {
        let events = [(joined("CR", Some(date(2030, 1, 1))), None)];
        check(&events, "CR", date(2029, 12, 31), false);
        check(&events, "CR", date(2030, 1, 1), true);
    }

    #[test]
    fn a_known_leaving_date_ends_membership_that_day() {
        let events = [
            (joined("CR", None), None),
            (left("CR", Some(date(2017, 3, 1))), Some(date(2017, 3, 1))),
        ];
        check(&events, "CR", date(2017, 2, 28), true);
        check(&events, "CR", date(2017, 3, 1), false);
    }

    #[test]
    fn an_unknown_leaving_date_keeps_membership_until_the_log_knows_otherwise() {
        let bounded = [(joined("JM", None), None), (left("JM", None), Some(date(2021, 11, 30)))];
        check(&bounded, "JM", date(2013, 5, 1), true);
        check(&bounded, "JM", date(2021, 11, 29), true);
        check(&bounded, "JM", date(2021, 11, 30), false);
        let unbounded = [(joined("JM", None), None), (left("JM", None), None)];
        check(&unbounded, "JM", date(2040, 1, 1), true);
    }

    #[test]
    fn a_state_that_left_and_joined_again_is_a_member_in_both_spells() {
        let events = [
            (joined("CR", None), None),
            (left("CR", Some(date(2017, 3, 1))), None),
            (joined("CR", Some(date(2030, 1, 1))), None),
        ];
        check(&events, "CR", date(2013, 1, 1), true);
        check(&events, "CR", date(2020, 1, 1), false);
        check(&events, "CR", date(2031, 1, 1), true);
    }

    #[test]
    fn refusals_name_the_command_the_field_and_the_members_then() {
        let history = MembershipHistory::from_events(
            [
                (joined("PE", None), None),
                (joined("VE", None), None),
                (joined("JM", None), None),
                (left("JM", None), Some(date(2021, 11, 30))),
            ]
            .iter()
            .map(|(event, known_by)| (event, *known_by)),
        );
        let error = history
            .require_member("propose-activity", "host", state("US"), date(2013, 5, 1))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "propose-activity: host `US` is not a Member State of SELA on 2013-05-01 (Member States then: JM, PE, VE)"
        );
        let error = history
            .require_members(
                "identify-need",
                "member_states",
                &[state("PE"), state("JM")],
                date(2022, 1, 1),
            )
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "identify-need: member_states `JM` is not a Member State of SELA on 2022-01-01 (Member States then: PE, VE)"
        );
        let error = MembershipHistory::default()
            .require_member("join-counterpart", "member_state", state("PE"), date(2013, 1, 1))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "join-counterpart: member_state `PE` cannot be checked: the log holds no membership history \
             (load the Member States first: smes member-state load)"
        );
    }

    #[test]
    fn the_embedded_history_makes_the_28_states_of_2012_members_in_2013() {
        use crate::decider::Decider;
        use crate::member_state::{MemberState, MemberStateDecider};

        let mut history = MembershipHistory::default();
        let mut states: BTreeMap<MemberStateCode, MemberState> = BTreeMap::new();
        for command in embedded_load_commands().unwrap() {
            let code = MemberStateDecider::target(&command);
            let state = states.remove(&code).unwrap_or_default();
            let events = MemberStateDecider::decide(&state, &command).unwrap();
            for event in &events {
                history.record(event, None);
            }
            states.insert(code, events.iter().fold(state, MemberStateDecider::evolve));
        }
        assert_eq!(history.members_on(date(2013, 5, 1)).len(), 28);
        assert!(!history.is_member_on(state("US"), date(2013, 5, 1)));
    }
}

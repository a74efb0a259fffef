//! The one given/when/then harness every decider test goes through.
//!
//! Besides comparing results, each `then` checks what must hold for every accepted command:
//! the events fold with `evolve` and survive `stored::encode`/`decode` unchanged.

use crate::decider::Decider;
use crate::error::DomainError;
use crate::stored::{self, StoredEvent};

/// Starts a test from a history of events.
pub trait DeciderTesting: Decider + Sized {
    /// The history already in the stream.
    fn given(history: impl IntoIterator<Item = Self::Event>) -> Given<Self> {
        let history: Vec<Self::Event> = history.into_iter().collect();
        Given {
            state: Self::fold(&history),
        }
    }
}

impl<D: Decider> DeciderTesting for D {}

/// A state built from a history.
pub struct Given<D: Decider> {
    state: D::State,
}

impl<D: Decider> Given<D>
where
    D::Event: StoredEvent,
{
    /// Decides a command on that state.
    pub fn when(self, command: D::Command) -> Outcome<D> {
        let result = D::decide(&self.state, &command);
        Outcome {
            state: self.state,
            command,
            result,
        }
    }
}

/// What a command produced.
pub struct Outcome<D: Decider> {
    state: D::State,
    command: D::Command,
    result: Result<Vec<D::Event>, DomainError>,
}

impl<D: Decider> Outcome<D>
where
    D::Event: StoredEvent,
{
    /// Expects exactly these events, and returns the state after them.
    #[track_caller]
    pub fn then(self, expected: impl IntoIterator<Item = D::Event>) -> D::State {
        let expected: Vec<D::Event> = expected.into_iter().collect();
        match self.result {
            Ok(events) => {
                assert_eq!(events, expected, "for command {:?}", self.command);
                check_accepted::<D>(self.state, &events)
            }
            Err(error) => panic!(
                "expected events {expected:?}\nbut {:?} was refused: {error}",
                self.command
            ),
        }
    }

    /// Expects the command to be accepted, whatever its events, and returns the state after
    /// them.
    #[track_caller]
    pub fn then_accepted(self) -> D::State {
        match self.result {
            Ok(events) => check_accepted::<D>(self.state, &events),
            Err(error) => panic!("{:?} was refused: {error}", self.command),
        }
    }

    /// Expects a refusal and returns it, for tests that look at some of its fields.
    #[track_caller]
    pub fn then_refused(self) -> DomainError {
        match self.result {
            Ok(events) => panic!("expected a refusal but {:?} produced {events:?}", self.command),
            Err(error) => error,
        }
    }

    /// Expects exactly this error.
    #[track_caller]
    pub fn then_error(self, expected: DomainError) {
        match self.result {
            Ok(events) => panic!(
                "expected error {expected:?}\nbut {:?} produced {events:?}",
                self.command
            ),
            Err(error) => {
                assert_eq!(error, expected, "for command {:?}", self.command);
                // Every error must say something readable.
                assert!(!error.to_string().is_empty());
            }
        }
    }
}

/// Checks what holds for every accepted command: its events evolve the state and round-trip
/// through the stored shapes unchanged. Returns the state after them.
#[track_caller]
pub fn check_accepted<D: Decider>(state: D::State, events: &[D::Event]) -> D::State
where
    D::Event: StoredEvent,
{
    for event in events {
        let (event_type, schema_version, payload) = stored::encode(event);
        let decoded: D::Event = stored::decode(event_type, schema_version, &payload, fixtures::STORED_ON)
            .unwrap_or_else(|error| panic!("{event_type} did not decode: {error}"));
        assert_eq!(&decoded, event, "{event_type} changed through the stored shape");
    }
    events.iter().fold(state, D::evolve)
}

/// Small builders shared by the tests.
pub mod fixtures {
    /// The business date a test's stored event is read back with: only an older shape that
    /// lacks a date of its own takes it.
    pub const STORED_ON: jiff::civil::Date = jiff::civil::date(2013, 1, 1);

    use jiff::civil::Date;
    use rust_decimal::Decimal;
    use uuid::Uuid;

    use crate::ids::*;
    use crate::membership::MembershipHistory;
    use crate::personal_data::SealedPersonalData;
    use crate::values::{Currency, MemberStateCode, Money, Period};

    /// A UUID from a small number.
    fn uuid(number: u128) -> Uuid {
        Uuid::from_u128(number)
    }

    macro_rules! id_builders {
        ($($function:ident => $type:ident),+ $(,)?) => {
            $(
                /// An id from a small number.
                pub fn $function(number: u128) -> $type {
                    $type::new(uuid(number)).expect("test ids are not nil")
                }
            )+
        };
    }

    id_builders!(
        activity_id => ActivityId,
        commitment_id => CommitmentId,
        consultation_id => ConsultationId,
        counterpart_id => CounterpartId,
        event_id => EventId,
        indicator_id => IndicatorId,
        need_id => NeedId,
        offer_id => OfferId,
        person_id => PersonId,
        source_id => CooperationSourceId,
    );

    /// A business date.
    pub fn day(year: i16, month: i8, day: i8) -> Date {
        jiff::civil::date(year, month, day)
    }

    /// A period between two dates.
    pub fn period(start: Date, end: Date) -> Period {
        Period::new(start, end).expect("test periods are ordered")
    }

    /// A Member State code.
    pub fn state(code: &str) -> MemberStateCode {
        MemberStateCode::new(code).expect("test codes are valid")
    }

    /// The membership history of the embedded file with no bounds on unknown dates: the 28
    /// Member States of 2012, members on every date.
    pub fn members() -> MembershipHistory {
        use crate::decider::Decider;
        use crate::member_state::MemberStateDecider;

        let mut history = MembershipHistory::default();
        for command in crate::membership::embedded_load_commands().expect("the embedded file parses") {
            if matches!(command, crate::member_state::MemberStateCommand::Join(_)) {
                let events = MemberStateDecider::decide(&Default::default(), &command).expect("a first joining");
                for event in &events {
                    history.record(event, None);
                }
            }
        }
        history
    }

    pub fn currency(code: &str) -> Currency {
        Currency::new(code).expect("test currencies are valid")
    }

    /// Money in a currency, valued on 1 January 2013.
    pub fn money(amount: i64, code: &str) -> Money {
        Money::new(Decimal::from(amount), currency(code), day(2013, 1, 1)).expect("test amounts are not negative")
    }

    /// A sealed envelope for a person.
    pub fn sealed(person: u128) -> SealedPersonalData {
        SealedPersonalData::new(
            person_id(person),
            format!("key-{person}"),
            "bm9uY2U=".to_owned(),
            "Y2lwaGVydGV4dA==".to_owned(),
        )
        .expect("test envelopes are well formed")
    }
}

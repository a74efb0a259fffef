//! The shape every aggregate shares: a pure decision from state and command to events, and a
//! pure fold of events into state.

use std::fmt;

use crate::error::Result;

/// One aggregate's rules.
///
/// The app loads the stream named by [`Decider::stream_name`] for the command's
/// [`Decider::target`], folds its events with [`Decider::evolve`] starting from
/// [`Decider::initial`], calls [`Decider::decide`] and appends the events it returns with the
/// stream version it loaded. Both functions are pure: ids, business dates and every fact
/// looked up elsewhere arrive inside the command.
pub trait Decider {
    /// The id of one instance, the suffix of its stream name.
    type Id: fmt::Display;
    /// What the aggregate knows after folding its events.
    type State: Default + Clone + PartialEq + fmt::Debug;
    /// What callers ask for.
    type Command: fmt::Debug;
    /// What happened.
    type Event: Clone + fmt::Debug + PartialEq;

    /// The stream name prefix, such as `activity`.
    const STREAM_PREFIX: &'static str;

    /// The instance a command is about.
    fn target(command: &Self::Command) -> Self::Id;

    /// Decides which events a command produces, or why it is refused.
    fn decide(state: &Self::State, command: &Self::Command) -> Result<Vec<Self::Event>>;

    /// Applies one event. Never fails: events are facts already recorded, so an event that
    /// does not fit the state leaves the state as it is rather than stopping a replay.
    fn evolve(state: Self::State, event: &Self::Event) -> Self::State;

    /// The stream an instance lives in: `<prefix>-<id>`, such as `activity-<uuid>`.
    fn stream_name(id: &Self::Id) -> String {
        format!("{}-{}", Self::STREAM_PREFIX, id)
    }

    /// The state before any event.
    fn initial() -> Self::State {
        Self::State::default()
    }

    /// Folds a stream's events, in order, from the initial state.
    fn fold<'a, I>(events: I) -> Self::State
    where
        I: IntoIterator<Item = &'a Self::Event>,
        Self::Event: 'a,
    {
        events.into_iter().fold(Self::initial(), Self::evolve)
    }
}

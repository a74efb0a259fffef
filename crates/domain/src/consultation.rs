//! The consultation aggregate: a regular meeting with counterparts that evaluates the
//! programme's achievements and identifies the needs the Work Programme should address
//! (`consultation-<uuid>`).
//!
//! Whether a participant was an active counterpart on the day is a fact of other streams: the
//! app looks up each participant's [`CounterpartStanding`] and passes it in
//! [`HoldConsultation`], and the decider checks it.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::counterpart::CounterpartStanding;
use crate::decider::Decider;
use crate::error::{DomainError, Result};
use crate::ids::{ActivityId, ConsultationId, CounterpartId, NeedId};
use crate::membership::MembershipHistory;
use crate::values::{MemberStateCode, Priority, ThematicArea, require_distinct, require_non_empty, require_text};

/// What an evaluation of achievements is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "subject", content = "activity", rename_all = "kebab-case")]
pub enum EvaluationSubject {
    /// One activity.
    Activity(ActivityId),
    /// The programme as a whole.
    Programme,
}

/// A score on one criterion, such as relevance, on the programme's five-point scale, the one
/// common in development evaluation: 5 highly satisfactory, 4 satisfactory, 3 moderately
/// satisfactory, 2 unsatisfactory, 1 highly unsatisfactory. The log keeps the number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RatingFields")]
pub struct Rating {
    criterion: String,
    score: u8,
}

/// The serde form of [`Rating`], checked on the way in.
#[derive(Deserialize)]
struct RatingFields {
    criterion: String,
    score: u8,
}

impl TryFrom<RatingFields> for Rating {
    type Error = DomainError;

    fn try_from(fields: RatingFields) -> Result<Self> {
        Rating::new(fields.criterion, fields.score)
    }
}

/// A score as a caller gives it: its number, or its label on the scale (`satisfactory`,
/// `Highly satisfactory`, `moderately-satisfactory`; case and hyphens do not matter).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum GivenScore {
    /// The number, 1 to 5.
    Number(i64),
    /// The label, or the number written as text.
    Label(String),
}

impl<'de> Deserialize<'de> for GivenScore {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct ScoreVisitor;

        impl serde::de::Visitor<'_> for ScoreVisitor {
            type Value = GivenScore;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(formatter, "a rating score: {}", Rating::scale_in_words())
            }

            fn visit_i64<E: serde::de::Error>(self, value: i64) -> std::result::Result<GivenScore, E> {
                Ok(GivenScore::Number(value))
            }

            fn visit_u64<E: serde::de::Error>(self, value: u64) -> std::result::Result<GivenScore, E> {
                // Beyond i64 it is off the scale all the same; kept as written for the refusal.
                Ok(i64::try_from(value).map_or_else(|_| GivenScore::Label(value.to_string()), GivenScore::Number))
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> std::result::Result<GivenScore, E> {
                Ok(GivenScore::Label(value.to_owned()))
            }
        }

        deserializer.deserialize_any(ScoreVisitor)
    }
}

impl Rating {
    /// The scale's labels, from score 1 to score 5.
    pub const SCALE: [&'static str; 5] = [
        "highly unsatisfactory",
        "unsatisfactory",
        "moderately satisfactory",
        "satisfactory",
        "highly satisfactory",
    ];

    /// Builds a rating, refusing an empty criterion or a score outside 1 to 5.
    pub fn new(criterion: String, score: u8) -> Result<Self> {
        require_text("rating criterion", &criterion)?;
        if !(1..=5).contains(&score) {
            return Err(DomainError::RatingOutOfRange { criterion, score });
        }
        Ok(Self { criterion, score })
    }

    /// Builds a rating from a score given by number or by label.
    pub fn given(criterion: String, score: &GivenScore) -> Result<Self> {
        let number = match score {
            GivenScore::Number(number) => *number,
            GivenScore::Label(text) => match text.trim().parse::<i64>() {
                Ok(number) => number,
                Err(_) => {
                    let words = text
                        .split(|character: char| character.is_whitespace() || character == '-' || character == '_')
                        .filter(|word| !word.is_empty())
                        .map(str::to_lowercase)
                        .collect::<Vec<_>>()
                        .join(" ");
                    match Self::SCALE.iter().position(|label| *label == words) {
                        Some(index) => index as i64 + 1,
                        None => return Err(Self::not_on_the_scale(&criterion, text.clone())),
                    }
                }
            },
        };
        match u8::try_from(number) {
            Ok(score) => Self::new(criterion, score),
            Err(_) => Err(Self::not_on_the_scale(&criterion, number.to_string())),
        }
    }

    fn not_on_the_scale(criterion: &str, value: String) -> DomainError {
        DomainError::InvalidValue {
            field: "rating score",
            value,
            reason: format!("the rating of {criterion:?} is {}", Self::scale_in_words()),
        }
    }

    /// The scale as refusals state it: `a number from 1 to 5 or its label: 1 highly
    /// unsatisfactory, ..., 5 highly satisfactory`.
    pub fn scale_in_words() -> String {
        let labels: Vec<String> = Self::SCALE
            .iter()
            .enumerate()
            .map(|(index, label)| format!("{} {label}", index + 1))
            .collect();
        format!("a number from 1 to 5 or its label: {}", labels.join(", "))
    }

    /// The criterion rated.
    pub fn criterion(&self) -> &str {
        &self.criterion
    }

    /// The score, 1 to 5.
    pub fn score(&self) -> u8 {
        self.score
    }

    /// The score's label on the scale, such as `satisfactory`.
    pub fn label(&self) -> &'static str {
        Self::SCALE[usize::from(self.score - 1)]
    }
}

/// Plans a consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConsultation {
    /// The new consultation's id.
    pub consultation: ConsultationId,
    /// What it is, such as "Regional consultation on SME financing".
    pub title: String,
    /// The planned date.
    pub scheduled_for: Date,
    /// The planned venue.
    pub venue: String,
}

/// Records that a consultation took place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldConsultation {
    pub consultation: ConsultationId,
    /// When it took place.
    pub held_on: Date,
    /// Where.
    pub venue: String,
    /// The participating counterparts, each with its standing as looked up by the app.
    pub participants: Vec<CounterpartStanding>,
    /// The reference of the minutes.
    pub minutes_reference: String,
}

/// Records a need identified in a consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentifyNeed {
    pub consultation: ConsultationId,
    /// The new need's id.
    pub need: NeedId,
    /// The participating counterparts that raised it.
    pub raised_by: Vec<CounterpartId>,
    pub thematic_area: ThematicArea,
    /// The Member States it concerns.
    pub member_states: Vec<MemberStateCode>,
    /// How urgent it is.
    pub priority: Priority,
    /// What is needed.
    pub description: String,
    /// When it was identified: the consultation's date unless given; never before the
    /// consultation was held nor after `recorded_on`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identified_on: Option<Date>,
    /// The day the command is recorded (the app's clock), which no business date may pass.
    #[serde(skip)]
    pub recorded_on: Date,
    /// Look-up: the log's membership history; the Member States the need concerns must be
    /// ones on the date it was identified.
    #[serde(skip)]
    pub membership: MembershipHistory,
}

/// Records an evaluation of achievements made in a consultation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluateAchievements {
    pub consultation: ConsultationId,
    /// What was evaluated.
    pub subject: EvaluationSubject,
    pub findings: String,
    /// Scores by criterion, each criterion once.
    pub ratings: Vec<Rating>,
    /// When it was made: the consultation's date unless given; never before the consultation
    /// was held nor after `recorded_on`.
    pub evaluated_on: Option<Date>,
    /// The day the command is recorded (the app's clock), which no business date may pass.
    pub recorded_on: Date,
}

/// Closes a consultation: no more needs or evaluations are recorded in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseConsultation {
    pub consultation: ConsultationId,
    /// When it was closed.
    pub closed_on: Date,
}

/// Commands of the consultation aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsultationCommand {
    /// See [`ScheduleConsultation`].
    Schedule(ScheduleConsultation),
    /// See [`HoldConsultation`].
    Hold(HoldConsultation),
    /// See [`IdentifyNeed`].
    IdentifyNeed(IdentifyNeed),
    /// See [`EvaluateAchievements`].
    EvaluateAchievements(EvaluateAchievements),
    /// See [`CloseConsultation`].
    Close(CloseConsultation),
}

/// A consultation was scheduled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationScheduled {
    pub consultation: ConsultationId,
    /// What it is.
    pub title: String,
    /// The planned date.
    pub scheduled_for: Date,
    /// The planned venue.
    pub venue: String,
}

/// A consultation took place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationHeld {
    pub consultation: ConsultationId,
    /// When.
    pub held_on: Date,
    /// Where.
    pub venue: String,
    /// The counterparts that took part.
    pub participants: Vec<CounterpartId>,
    /// The reference of the minutes.
    pub minutes_reference: String,
}

/// A need was identified in a consultation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedIdentified {
    pub consultation: ConsultationId,
    pub need: NeedId,
    /// The counterparts that raised it.
    pub raised_by: Vec<CounterpartId>,
    pub thematic_area: ThematicArea,
    /// The Member States it concerns.
    pub member_states: Vec<MemberStateCode>,
    /// How urgent it is.
    pub priority: Priority,
    /// What is needed.
    pub description: String,
    /// When it was identified.
    pub identified_on: Date,
}

/// Achievements were evaluated in a consultation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AchievementsEvaluated {
    pub consultation: ConsultationId,
    /// What was evaluated.
    pub subject: EvaluationSubject,
    pub findings: String,
    /// Scores by criterion.
    pub ratings: Vec<Rating>,
    /// When.
    pub evaluated_on: Date,
}

/// A consultation was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationClosed {
    pub consultation: ConsultationId,
    /// When.
    pub closed_on: Date,
}

/// Events of the consultation aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsultationEvent {
    /// See [`ConsultationScheduled`].
    Scheduled(ConsultationScheduled),
    /// See [`ConsultationHeld`].
    Held(ConsultationHeld),
    /// See [`NeedIdentified`].
    NeedIdentified(NeedIdentified),
    /// See [`AchievementsEvaluated`].
    AchievementsEvaluated(AchievementsEvaluated),
    /// See [`ConsultationClosed`].
    Closed(ConsultationClosed),
}

/// What is known of a consultation that took place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldRecord {
    /// When it took place.
    pub held_on: Date,
    /// Who took part.
    pub participants: Vec<CounterpartId>,
}

/// The folded state of one consultation stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Consultation {
    /// The planned date, once scheduled.
    pub scheduled_for: Option<Date>,
    /// The meeting, once held.
    pub held: Option<HeldRecord>,
    /// The needs identified, in order.
    pub needs: Vec<NeedId>,
    /// How many evaluations were recorded.
    pub evaluations: usize,
    /// The latest date of a need identified or an evaluation made in it, which its closing
    /// may not precede.
    pub last_dated: Option<Date>,
    /// When it was closed, if it was.
    pub closed_on: Option<Date>,
}

#[derive(Debug, Clone, Copy)]
pub struct ConsultationDecider;

/// The meeting of a consultation that was held and is not closed.
fn open_meeting(state: &Consultation, consultation: ConsultationId) -> Result<&HeldRecord> {
    if state.scheduled_for.is_none() {
        return Err(DomainError::ConsultationNotScheduled { consultation });
    }
    if state.closed_on.is_some() {
        return Err(DomainError::ConsultationClosed { consultation });
    }
    state
        .held
        .as_ref()
        .ok_or(DomainError::ConsultationNotHeld { consultation })
}

fn decide_hold(state: &Consultation, hold: &HoldConsultation) -> Result<ConsultationEvent> {
    let consultation = hold.consultation;
    if state.scheduled_for.is_none() {
        return Err(DomainError::ConsultationNotScheduled { consultation });
    }
    if let Some(held) = &state.held {
        return Err(DomainError::ConsultationAlreadyHeld {
            consultation,
            held_on: held.held_on,
        });
    }
    require_text("venue", &hold.venue)?;
    require_text("minutes reference", &hold.minutes_reference)?;
    let participants: Vec<CounterpartId> = hold.participants.iter().map(|standing| standing.counterpart).collect();
    require_non_empty("participants", &participants)?;
    require_distinct("participants", &participants)?;
    if let Some(inactive) = hold
        .participants
        .iter()
        .find(|standing| !standing.is_active_on(hold.held_on))
    {
        return Err(DomainError::ParticipantNotActive {
            consultation,
            counterpart: inactive.counterpart,
            on: hold.held_on,
        });
    }
    Ok(ConsultationEvent::Held(ConsultationHeld {
        consultation,
        held_on: hold.held_on,
        venue: hold.venue.clone(),
        participants,
        minutes_reference: hold.minutes_reference.clone(),
    }))
}

fn decide_need(state: &Consultation, identify: &IdentifyNeed) -> Result<ConsultationEvent> {
    let consultation = identify.consultation;
    let meeting = open_meeting(state, consultation)?;
    if state.needs.contains(&identify.need) {
        return Err(DomainError::NeedAlreadyIdentified {
            consultation,
            need: identify.need,
        });
    }
    require_non_empty("raised by", &identify.raised_by)?;
    require_distinct("raised by", &identify.raised_by)?;
    if let Some(outsider) = identify
        .raised_by
        .iter()
        .find(|counterpart| !meeting.participants.contains(counterpart))
    {
        return Err(DomainError::NeedRaisedByNonParticipant {
            consultation,
            need: identify.need,
            counterpart: *outsider,
        });
    }
    require_non_empty("need member states", &identify.member_states)?;
    require_distinct("need member states", &identify.member_states)?;
    require_text("need description", &identify.description)?;
    let identified_on = dated_in_meeting(
        consultation,
        meeting,
        ("need identification", "identified_on"),
        identify.identified_on,
        identify.recorded_on,
    )?;
    identify
        .membership
        .require_members("identify-need", "member_states", &identify.member_states, identified_on)?;
    Ok(ConsultationEvent::NeedIdentified(NeedIdentified {
        consultation,
        need: identify.need,
        raised_by: identify.raised_by.clone(),
        thematic_area: identify.thematic_area,
        member_states: identify.member_states.clone(),
        priority: identify.priority,
        description: identify.description.clone(),
        identified_on,
    }))
}

/// The business date of a need or an evaluation: the one given, else the day the consultation
/// was held; never before it, nor after the day it is recorded.
fn dated_in_meeting(
    consultation: ConsultationId,
    meeting: &HeldRecord,
    (what, field): (&'static str, &'static str),
    given: Option<Date>,
    recorded_on: Date,
) -> Result<Date> {
    let date = given.unwrap_or(meeting.held_on);
    if date < meeting.held_on {
        return Err(DomainError::DateBeforeStart {
            what,
            date,
            record: format!("consultation {consultation}"),
            since: meeting.held_on,
        });
    }
    if date > recorded_on {
        return Err(DomainError::DateInFuture {
            field,
            date,
            today: recorded_on,
        });
    }
    Ok(date)
}

impl Decider for ConsultationDecider {
    type Id = ConsultationId;
    type State = Consultation;
    type Command = ConsultationCommand;
    type Event = ConsultationEvent;

    const STREAM_PREFIX: &'static str = "consultation";

    fn target(command: &ConsultationCommand) -> ConsultationId {
        match command {
            ConsultationCommand::Schedule(command) => command.consultation,
            ConsultationCommand::Hold(command) => command.consultation,
            ConsultationCommand::IdentifyNeed(command) => command.consultation,
            ConsultationCommand::EvaluateAchievements(command) => command.consultation,
            ConsultationCommand::Close(command) => command.consultation,
        }
    }

    fn decide(state: &Consultation, command: &ConsultationCommand) -> Result<Vec<ConsultationEvent>> {
        let event = match command {
            ConsultationCommand::Schedule(schedule) => {
                if state.scheduled_for.is_some() {
                    return Err(DomainError::ConsultationAlreadyScheduled {
                        consultation: schedule.consultation,
                    });
                }
                require_text("consultation title", &schedule.title)?;
                require_text("venue", &schedule.venue)?;
                ConsultationEvent::Scheduled(ConsultationScheduled {
                    consultation: schedule.consultation,
                    title: schedule.title.clone(),
                    scheduled_for: schedule.scheduled_for,
                    venue: schedule.venue.clone(),
                })
            }
            ConsultationCommand::Hold(hold) => decide_hold(state, hold)?,
            ConsultationCommand::IdentifyNeed(identify) => decide_need(state, identify)?,
            ConsultationCommand::EvaluateAchievements(evaluate) => {
                let meeting = open_meeting(state, evaluate.consultation)?;
                require_text("findings", &evaluate.findings)?;
                let criteria: Vec<&str> = evaluate.ratings.iter().map(Rating::criterion).collect();
                require_distinct("rating criteria", &criteria)?;
                let evaluated_on = dated_in_meeting(
                    evaluate.consultation,
                    meeting,
                    ("evaluation", "evaluated_on"),
                    evaluate.evaluated_on,
                    evaluate.recorded_on,
                )?;
                ConsultationEvent::AchievementsEvaluated(AchievementsEvaluated {
                    consultation: evaluate.consultation,
                    subject: evaluate.subject,
                    findings: evaluate.findings.clone(),
                    ratings: evaluate.ratings.clone(),
                    evaluated_on,
                })
            }
            ConsultationCommand::Close(close) => {
                let meeting = open_meeting(state, close.consultation)?;
                let since = state
                    .last_dated
                    .map_or(meeting.held_on, |last| last.max(meeting.held_on));
                if close.closed_on < since {
                    return Err(DomainError::DateBeforeStart {
                        what: "closing",
                        date: close.closed_on,
                        record: format!("consultation {}", close.consultation),
                        since,
                    });
                }
                ConsultationEvent::Closed(ConsultationClosed {
                    consultation: close.consultation,
                    closed_on: close.closed_on,
                })
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut state: Consultation, event: &ConsultationEvent) -> Consultation {
        match event {
            ConsultationEvent::Scheduled(scheduled) => {
                state.scheduled_for = Some(scheduled.scheduled_for);
            }
            ConsultationEvent::Held(held) => {
                state.held = Some(HeldRecord {
                    held_on: held.held_on,
                    participants: held.participants.clone(),
                });
            }
            ConsultationEvent::NeedIdentified(identified) => {
                if !state.needs.contains(&identified.need) {
                    state.needs.push(identified.need);
                }
                state.last_dated = state.last_dated.max(Some(identified.identified_on));
            }
            ConsultationEvent::AchievementsEvaluated(evaluated) => {
                state.evaluations += 1;
                state.last_dated = state.last_dated.max(Some(evaluated.evaluated_on));
            }
            ConsultationEvent::Closed(closed) => state.closed_on = Some(closed.closed_on),
        }
        state
    }
}

#[cfg(test)]
mod tests;

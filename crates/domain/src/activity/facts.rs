//! The activity's own value types: who proposed it, where it stands, what came out of it, and
//! the pure duplicate rule.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::ids::{ActivityId, CounterpartId};
use crate::values::{
    ActivityKind, MemberStateCode, OutputKind, Period, Sex, ThematicArea, require_distinct, require_text,
};

/// Who proposed an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "proposer", content = "counterpart", rename_all = "kebab-case")]
pub enum Proposer {
    Counterpart(CounterpartId),
    /// The Permanent Secretariat.
    Secretariat,
}

/// Where an activity stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityStatus {
    /// Proposed, not yet decided.
    Proposed,
    /// Decision postponed.
    Deferred,
    /// Approved into a work programme.
    Approved,
    Rejected,
    /// Took place.
    Held,
    /// Called off.
    Cancelled,
}

impl ActivityStatus {
    /// Whether an activity with this status can still take place, and so can be duplicated.
    pub fn is_live(self) -> bool {
        !matches!(self, Self::Rejected | Self::Cancelled)
    }
}

impl fmt::Display for ActivityStatus {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::Proposed => "proposed",
            Self::Deferred => "deferred",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Held => "held",
            Self::Cancelled => "cancelled",
        })
    }
}

/// What the duplicate rule needs to know of an existing activity; the app looks these up
/// (for example from a projection of activities by thematic area and kind) and passes them in
/// [`super::ProposeActivity`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityOutline {
    /// The existing activity.
    pub activity: ActivityId,
    pub kind: ActivityKind,
    /// Its title, to name it in the warning.
    pub title: String,
    pub thematic_area: ThematicArea,
    /// Its host Member State.
    pub host: MemberStateCode,
    /// Its planned period.
    pub planned: Period,
    /// Where it stands.
    pub status: ActivityStatus,
}

impl ActivityOutline {
    /// Why this activity may duplicate a proposal planned for `planned`: its title, what they
    /// share, the two periods, its host and where it stands.
    pub fn grounds(&self, planned: &Period) -> String {
        format!(
            "\"{}\" (same thematic area ({}) and kind ({}), planned {} overlapping {}, hosted in {}, {})",
            self.title,
            words(self.thematic_area.slug()),
            words(self.kind.slug()),
            self.planned,
            planned,
            self.host.as_str(),
            self.status,
        )
    }
}

/// A slug in words: `training-workshop` reads `training workshop`.
fn words(slug: &str) -> String {
    slug.replace('-', " ")
}

/// The existing activities a new one may duplicate: those of the same thematic area and the
/// same kind whose planned periods overlap, that were neither rejected nor cancelled, wherever
/// they are hosted (two workshops on the same subject in the same weeks compete for the same
/// people and funds, in Bolivia or in Honduras). The activity itself is never its own
/// duplicate.
pub fn find_duplicate_activities<'a>(
    activity: ActivityId,
    kind: ActivityKind,
    thematic_area: ThematicArea,
    planned: &Period,
    existing: &'a [ActivityOutline],
) -> Vec<&'a ActivityOutline> {
    existing
        .iter()
        .filter(|outline| {
            outline.activity != activity
                && outline.status.is_live()
                && outline.thematic_area == thematic_area
                && outline.kind == kind
                && outline.planned.overlaps(planned)
        })
        .collect()
}

/// Something an activity produced and published: a report, a presentation or a video.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Output {
    /// Report, presentation or video.
    pub kind: OutputKind,
    pub title: String,
    /// Where it is published: an `http://` or `https://` link.
    pub link: String,
}

impl Output {
    /// Checks the title and the link.
    pub fn validate(&self) -> Result<()> {
        require_text("output title", &self.title)?;
        if !(self.link.starts_with("https://") || self.link.starts_with("http://"))
            || self.link.contains(char::is_whitespace)
            || self.link.contains(crate::values::is_refused_control)
        {
            return Err(DomainError::InvalidValue {
                field: "output link",
                value: self.link.clone(),
                reason: "expected an http:// or https:// link without spaces".to_owned(),
            });
        }
        Ok(())
    }
}

/// A figure for one sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SexShare<T> {
    pub sex: Sex,
    /// The figure.
    pub value: T,
}

/// A figure for one Member State.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MemberStateShare<T> {
    pub member_state: MemberStateCode,
    /// The figure.
    pub value: T,
}

/// How many people took part in an activity: by sex always, and by Member State when that
/// breakdown is known. Both breakdowns count the same people, so when both are given their
/// totals must agree.
///
/// Its serde form is also the stored form of `ActivityHeld`'s participants: the breakdown by
/// Member State may be left out (an empty list), and a negative count is refused by field
/// and value as it is read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ParticipantCountsFields")]
pub struct ParticipantCounts {
    /// Participants by sex, each sex once.
    pub by_sex: Vec<SexShare<u32>>,
    /// Participants by Member State, each state once; empty when not known.
    pub by_member_state: Vec<MemberStateShare<u32>>,
}

/// The serde form of [`ParticipantCounts`], read with signed counts so that a negative one is
/// refused in the programme's words rather than serde's.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParticipantCountsFields {
    by_sex: Vec<SexShare<i64>>,
    #[serde(default)]
    by_member_state: Vec<MemberStateShare<i64>>,
}

impl TryFrom<ParticipantCountsFields> for ParticipantCounts {
    type Error = DomainError;

    fn try_from(fields: ParticipantCountsFields) -> Result<Self> {
        let by_sex = fields
            .by_sex
            .into_iter()
            .map(|share| {
                Ok(SexShare {
                    sex: share.sex,
                    value: headcount("participants by sex", share.sex.slug(), share.value)?,
                })
            })
            .collect::<Result<_>>()?;
        let by_member_state = fields
            .by_member_state
            .into_iter()
            .map(|share| {
                Ok(MemberStateShare {
                    member_state: share.member_state,
                    value: headcount("participants by Member State", share.member_state.as_str(), share.value)?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(ParticipantCounts {
            by_sex,
            by_member_state,
        })
    }
}

/// A count of people as read: not negative, and within what a count can hold.
fn headcount(field: &'static str, whom: &str, value: i64) -> Result<u32> {
    u32::try_from(value).map_err(|_| DomainError::InvalidValue {
        field,
        value: format!("{whom}: {value}"),
        reason: format!(
            "a count of people is a whole number from 0 to {}",
            ParticipantCounts::MOST_AT_ONE_ACTIVITY
        ),
    })
}

impl ParticipantCounts {
    /// More people than this at one activity is taken for a typing error: the programme's
    /// largest events (business fairs) draw a few thousand.
    pub const MOST_AT_ONE_ACTIVITY: u32 = 100_000;

    /// The total by sex.
    pub fn total(&self) -> u32 {
        self.by_sex.iter().map(|share| share.value).sum()
    }

    /// Checks that each sex and state is listed once, that each count and the total are
    /// plausible (at least one participant, at most [`Self::MOST_AT_ONE_ACTIVITY`]), and that
    /// a breakdown by Member State, when given, agrees with the total by sex.
    pub fn validate(&self, activity: ActivityId) -> Result<()> {
        let sexes: Vec<Sex> = self.by_sex.iter().map(|share| share.sex).collect();
        require_distinct("participants by sex", &sexes)?;
        let states: Vec<MemberStateCode> = self.by_member_state.iter().map(|share| share.member_state).collect();
        require_distinct("participants by member state", &states)?;
        let most = Self::MOST_AT_ONE_ACTIVITY;
        let too_many = |field: &'static str, value: String| DomainError::InvalidValue {
            field,
            value,
            reason: format!("at most {most} people take part in one activity"),
        };
        for share in &self.by_sex {
            if share.value > most {
                return Err(too_many(
                    "participants by sex",
                    format!("{}: {}", share.sex, share.value),
                ));
            }
        }
        for share in &self.by_member_state {
            if share.value > most {
                return Err(too_many(
                    "participants by Member State",
                    format!("{}: {}", share.member_state.as_str(), share.value),
                ));
            }
        }
        // Each count is at most `most`, so these sums stay far within u32.
        let by_sex = self.total();
        if by_sex == 0 {
            return Err(DomainError::InvalidValue {
                field: "participants by sex",
                value: "0".to_owned(),
                reason: "an activity that took place had at least one participant; give the count of each sex"
                    .to_owned(),
            });
        }
        if by_sex > most {
            return Err(too_many("participants by sex", format!("{by_sex} in all")));
        }
        if self.by_member_state.is_empty() {
            return Ok(());
        }
        let by_member_state = self.by_member_state.iter().map(|share| share.value).sum();
        if by_sex != by_member_state {
            return Err(DomainError::ParticipantTotalsDisagree {
                activity,
                by_sex,
                by_member_state,
            });
        }
        Ok(())
    }
}

/// A result's breakdowns must list each sex and state once and, when given, add up to the
/// result's value.
pub(super) fn check_result_breakdowns(
    activity: ActivityId,
    indicator: crate::ids::IndicatorId,
    value: Decimal,
    by_sex: &[SexShare<Decimal>],
    by_member_state: &[MemberStateShare<Decimal>],
) -> Result<()> {
    let sexes: Vec<Sex> = by_sex.iter().map(|share| share.sex).collect();
    require_distinct("result by sex", &sexes)?;
    let states: Vec<MemberStateCode> = by_member_state.iter().map(|share| share.member_state).collect();
    require_distinct("result by member state", &states)?;
    let totals = [
        ("by sex", by_sex.iter().map(|share| share.value).collect::<Vec<_>>()),
        (
            "by Member State",
            by_member_state.iter().map(|share| share.value).collect(),
        ),
    ];
    for (breakdown, values) in totals {
        let total: Decimal = values.iter().sum();
        if !values.is_empty() && total != value {
            return Err(DomainError::BreakdownDoesNotAddUp {
                activity,
                indicator,
                breakdown,
                total,
                value,
            });
        }
    }
    Ok(())
}

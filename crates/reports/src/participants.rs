//! Participants as the reports write them: by sex with the share of women, from the one sum
//! of `smes-projections` ([`Participation`]).

use serde::Serialize;
use smes_domain::values::Sex;
use smes_projections::participation::Participation;

/// Participants by sex with the share of women, as plain numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParticipantsRow {
    /// Everyone counted by sex.
    pub total: u64,
    pub women: u64,
    pub men: u64,
    /// Other or not stated.
    pub other: u64,
    /// Women over everyone counted by sex, in percent to one decimal place (`47.9`); `None`
    /// when nobody was counted by sex.
    pub women_share_percent: Option<String>,
}

impl ParticipantsRow {
    /// The row of a sum.
    pub fn of(participation: &Participation) -> Self {
        ParticipantsRow {
            total: participation.total(),
            women: participation.count(Sex::Female),
            men: participation.count(Sex::Male),
            other: participation.count(Sex::OtherOrUnspecified),
            women_share_percent: participation.women_share().map(|mut share| {
                share.rescale(1);
                share.to_string()
            }),
        }
    }

    /// The share of women in words: `47.9%`, or `–` when nobody was counted by sex.
    pub fn share_text(&self) -> String {
        self.women_share_percent
            .as_ref()
            .map_or_else(|| "–".to_owned(), |share| format!("{share}%"))
    }

    /// The counts in words: `119 (women 57, men 62, other or not stated 0; 47.9% women)`.
    pub fn summary(&self) -> String {
        match &self.women_share_percent {
            Some(share) => format!(
                "{} (women {}, men {}, other or not stated {}; {share}% women)",
                self.total, self.women, self.men, self.other
            ),
            None => "none counted by sex".to_owned(),
        }
    }
}

//! Who took part: participants summed by sex, with the share of women.
//!
//! One definition serves every view that sums participants (an activity, a year's totals, a
//! review period), so the share of women is computed once: the women counted, over everyone
//! counted by sex (women, men, and other or not stated), as a percentage rounded to one
//! decimal place. With nobody counted by sex there is no share, never a zero.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smes_domain::activity::ParticipantCounts;
use smes_domain::values::Sex;

/// Participants summed by sex.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Participation {
    /// How many people of each sex; a sex nobody was counted under is absent.
    pub by_sex: BTreeMap<Sex, u64>,
}

impl Participation {
    /// The participants of one activity.
    pub fn of(counts: &ParticipantCounts) -> Self {
        let mut participation = Participation::default();
        participation.add(counts);
        participation
    }

    /// Adds the participants of one activity.
    pub fn add(&mut self, counts: &ParticipantCounts) {
        for share in &counts.by_sex {
            let count = self.by_sex.entry(share.sex).or_default();
            *count = count.saturating_add(u64::from(share.value));
        }
    }

    /// Adds another sum.
    pub fn add_all(&mut self, other: &Participation) {
        for (sex, value) in &other.by_sex {
            let count = self.by_sex.entry(*sex).or_default();
            *count = count.saturating_add(*value);
        }
    }

    /// How many people of one sex.
    pub fn count(&self, sex: Sex) -> u64 {
        self.by_sex.get(&sex).copied().unwrap_or(0)
    }

    /// Everyone counted by sex.
    pub fn total(&self) -> u64 {
        self.by_sex.values().fold(0, |sum, count| sum.saturating_add(*count))
    }

    /// The share of women in percent, rounded to one decimal place; `None` when nobody was
    /// counted by sex.
    pub fn women_share(&self) -> Option<Decimal> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let women = Decimal::from(self.count(Sex::Female));
        let share = women
            .checked_mul(Decimal::ONE_HUNDRED)?
            .checked_div(Decimal::from(total))?;
        Some(share.round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
    }
}

#[cfg(test)]
mod tests {
    use smes_domain::activity::SexShare;

    use super::*;

    fn counts(women: u32, men: u32, other: u32) -> ParticipantCounts {
        ParticipantCounts {
            by_sex: vec![
                SexShare {
                    sex: Sex::Female,
                    value: women,
                },
                SexShare {
                    sex: Sex::Male,
                    value: men,
                },
                SexShare {
                    sex: Sex::OtherOrUnspecified,
                    value: other,
                },
            ],
            by_member_state: Vec::new(),
        }
    }

    #[test]
    fn the_share_of_women_counts_everyone_counted_by_sex() {
        let mut year = Participation::of(&counts(57, 62, 0));
        assert_eq!(year.total(), 119);
        assert_eq!(year.women_share(), Some(Decimal::new(479, 1)));
        year.add(&counts(1, 0, 1));
        assert_eq!(year.count(Sex::Female), 58);
        assert_eq!(year.total(), 121);
        assert_eq!(year.women_share(), Some(Decimal::new(479, 1)));
        assert_eq!(
            Participation::of(&counts(1, 1, 0)).women_share(),
            Some(Decimal::new(500, 1))
        );
        assert_eq!(
            Participation::of(&counts(2, 1, 0)).women_share(),
            Some(Decimal::new(667, 1))
        );
    }

    #[test]
    fn nobody_counted_by_sex_gives_no_share() {
        assert_eq!(Participation::default().women_share(), None);
        assert_eq!(Participation::of(&counts(0, 0, 0)).women_share(), None);
        assert_eq!(Participation::of(&counts(0, 3, 0)).women_share(), Some(Decimal::ZERO));
    }
}

//! Closed sets of the programme's words: thematic areas, activity kinds, priorities, and the
//! kinds of counterparts, cooperation sources, offers and outputs.
//!
//! Each is stored and parsed as a lower-case slug (`training-workshop`), so the log reads like
//! the programme's own vocabulary and does not depend on Rust variant names.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

macro_rules! slug_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $field:literal {
            $($(#[$variant_meta:meta])* $variant:ident => $slug:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $name {
            /// Every value, in the programme's order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// What the list is called in refusals and in docs/import.md.
            pub const LIST: &'static str = $field;

            /// The stable slug used in the log, files and command lines.
            pub fn slug(self) -> &'static str {
                match self {
                    $($name::$variant => $slug,)+
                }
            }

            fn from_slug(text: &str) -> Option<Self> {
                match text {
                    $($slug => Some($name::$variant),)+
                    _ => None,
                }
            }

            fn parse_error(text: &str) -> DomainError {
                let known: Vec<&str> = Self::ALL.iter().map(|value| value.slug()).collect();
                DomainError::InvalidValue {
                    field: $field,
                    value: text.to_owned(),
                    reason: format!("expected one of {}", known.join(", ")),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = DomainError;

            fn try_from(text: String) -> Result<Self, DomainError> {
                text.parse()
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.slug().to_owned()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str(self.slug())
            }
        }
    };
}

macro_rules! parse_by_slug {
    ($($name:ident),+) => {
        $(
            impl FromStr for $name {
                type Err = DomainError;

                fn from_str(text: &str) -> Result<Self, DomainError> {
                    Self::from_slug(text).ok_or_else(|| Self::parse_error(text))
                }
            }
        )+

        /// Every closed list of slugs, by its name, with its values in the programme's order:
        /// what docs/import.md must list (a test holds the two equal).
        pub fn closed_lists() -> Vec<(&'static str, Vec<&'static str>)> {
            let slugs = |all: &[ThematicArea]| all.iter().map(|value| value.slug()).collect();
            let mut lists = vec![(ThematicArea::LIST, slugs(ThematicArea::ALL))];
            $(
                lists.push(($name::LIST, $name::ALL.iter().map(|value| value.slug()).collect()));
            )+
            lists
        }
    };
}

slug_enum!(
    /// The ten thematic areas of the programme, in the order of the 2012 proposal.
    ThematicArea, "thematic area" {
        /// 1. Strengthen government institutions; identify and disseminate best practice.
        PublicPolicies => "public-policies",
        /// 2. Clusters, productive consortiums, integration projects.
        ProductiveArticulation => "productive-articulation",
        /// 3. Partnerships, business missions, business fairs and events.
        Internationalization => "internationalization",
        /// 4. Productivity, quality, technology adoption.
        InnovationIctsAndCompetitiveness => "innovation-icts-competitiveness",
        /// 5. New financial instruments and guarantee systems for SMEs.
        Financing => "financing",
        /// 6. Business organisations, national business-incubation systems.
        Entrepreneurship => "entrepreneurship",
        /// 7. Programmes and instruments for women entrepreneurs.
        GenderEquality => "gender-equality",
        /// 8. Personnel policies, fair play with consumers, environment, accountability.
        CorporateSocialResponsibility => "corporate-social-responsibility",
        /// 9. Support to national programmes (e.g. CARICOM and its members).
        BilateralTechnicalAssistance => "bilateral-technical-assistance",
        /// 10. A web site with presentations, reports and videos of all events.
        Dissemination => "dissemination",
    }
);

impl ThematicArea {
    /// The area's number in the 2012 proposal, 1 to 10.
    pub fn code(self) -> u8 {
        // ALL lists the areas in the proposal's order, so the position gives the number.
        let position = Self::ALL.iter().position(|area| *area == self).unwrap_or(0);
        u8::try_from(position + 1).unwrap_or(0)
    }

    /// The area with the given number, 1 to 10.
    pub fn from_code(code: u8) -> Result<Self, DomainError> {
        usize::from(code)
            .checked_sub(1)
            .and_then(|index| Self::ALL.get(index).copied())
            .ok_or_else(|| DomainError::InvalidValue {
                field: "thematic area",
                value: code.to_string(),
                reason: "expected a number from 1 to 10".to_owned(),
            })
    }
}

impl FromStr for ThematicArea {
    type Err = DomainError;

    /// Parses a slug (`financing`) or a number (`5`).
    fn from_str(text: &str) -> Result<Self, DomainError> {
        if let Some(area) = Self::from_slug(text) {
            return Ok(area);
        }
        match text.parse::<u8>() {
            Ok(code) => Self::from_code(code),
            Err(_) => Err(Self::parse_error(text)),
        }
    }
}

slug_enum!(
    /// What kind of event or work an activity is.
    ActivityKind, "activity kind" {
        /// A seminar.
        Seminar => "seminar",
        /// A training workshop.
        TrainingWorkshop => "training-workshop",
        /// A business meeting (business round).
        BusinessMeeting => "business-meeting",
        /// A business mission.
        BusinessMission => "business-mission",
        /// A business fair.
        BusinessFair => "business-fair",
        /// Technical assistance to a national or subregional programme.
        TechnicalAssistance => "technical-assistance",
        /// A study or publication.
        StudyOrPublication => "study-or-publication",
        /// Dissemination (web site, materials).
        Dissemination => "dissemination",
    }
);

slug_enum!(
    /// How urgent a need is.
    Priority, "priority" {
        /// Address first.
        High => "high",
        /// Address when resources allow.
        Medium => "medium",
        /// Address later.
        Low => "low",
    }
);

slug_enum!(
    /// Sex, used only to disaggregate participant counts and results.
    Sex, "sex" {
        /// Women.
        Female => "female",
        /// Men.
        Male => "male",
        /// Other, or not stated.
        OtherOrUnspecified => "other-or-unspecified",
    }
);

slug_enum!(
    /// The nature of a counterpart.
    CounterpartKind, "counterpart kind" {
        /// A national public body: ministry, agency, development bank.
        Public => "public",
        /// A national private body: chamber, SME network, association.
        Private => "private",
        /// A national body with public and private members.
        Mixed => "mixed",
        /// A regional or subregional body (e.g. CARICOM).
        Regional => "regional",
        /// An international body.
        International => "international",
    }
);

impl CounterpartKind {
    /// Whether a counterpart of this kind belongs to one Member State.
    pub fn is_national(self) -> bool {
        matches!(self, Self::Public | Self::Private | Self::Mixed)
    }
}

slug_enum!(
    /// The reach of a cooperation source.
    CooperationSourceKind, "cooperation source kind" {
        /// An international agency or bank.
        International => "international",
        /// A regional body or development bank.
        Regional => "regional",
        /// A subregional body or bank.
        Subregional => "subregional",
        /// A country's bilateral cooperation programme.
        Bilateral => "bilateral",
        /// A local source in a host country.
        Local => "local",
    }
);

slug_enum!(
    /// What a cooperation offer brings.
    OfferKind, "offer kind" {
        /// Money.
        Money => "money",
        /// Experts' time, valued.
        Expertise => "expertise",
        /// Goods or services in kind, valued.
        InKind => "in-kind",
    }
);

slug_enum!(
    /// The kind of an activity's output, published on the programme's web site.
    OutputKind, "output kind" {
        /// A written report.
        Report => "report",
        /// A presentation.
        Presentation => "presentation",
        /// A video.
        Video => "video",
    }
);

slug_enum!(
    /// How a cooperation source answered a request for assistance.
    AssistanceAnswer, "assistance answer" {
        /// Granted in full.
        Granted => "granted",
        /// Granted in part.
        PartlyGranted => "partly-granted",
        /// Declined.
        Declined => "declined",
    }
);

parse_by_slug!(
    ActivityKind,
    AssistanceAnswer,
    Priority,
    Sex,
    CounterpartKind,
    CooperationSourceKind,
    OfferKind,
    OutputKind
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thematic_areas_have_codes_one_to_ten_and_parse_from_code_or_slug() {
        assert_eq!(ThematicArea::ALL.len(), 10);
        for (index, area) in ThematicArea::ALL.iter().enumerate() {
            let code = u8::try_from(index + 1).unwrap();
            assert_eq!(area.code(), code);
            assert_eq!(ThematicArea::from_code(code), Ok(*area));
            assert_eq!(code.to_string().parse::<ThematicArea>(), Ok(*area));
            assert_eq!(area.slug().parse::<ThematicArea>(), Ok(*area));
        }
        assert_eq!("5".parse(), Ok(ThematicArea::Financing));
        assert_eq!("public-policies".parse(), Ok(ThematicArea::PublicPolicies));
        assert!(ThematicArea::from_code(0).is_err());
        assert!(ThematicArea::from_code(11).is_err());
        assert!("Financing".parse::<ThematicArea>().is_err());
    }

    #[test]
    fn slugs_are_the_serde_form() {
        let json = serde_json::to_value(ActivityKind::TrainingWorkshop).unwrap();
        assert_eq!(json, serde_json::json!("training-workshop"));
        assert_eq!(
            serde_json::from_value::<Sex>(serde_json::json!("other-or-unspecified")).unwrap(),
            Sex::OtherOrUnspecified
        );
        let error = "workshop".parse::<ActivityKind>().unwrap_err();
        assert!(error.to_string().contains("training-workshop"), "{error}");
    }

    #[test]
    fn every_value_of_every_list_round_trips_through_serde() {
        fn check<T>(all: &[T])
        where
            T: Serialize + serde::de::DeserializeOwned + PartialEq + fmt::Debug + fmt::Display,
        {
            let mut slugs: Vec<String> = all.iter().map(ToString::to_string).collect();
            for value in all {
                let json = serde_json::to_value(value).unwrap();
                assert_eq!(json, serde_json::json!(value.to_string()));
                assert_eq!(&serde_json::from_value::<T>(json).unwrap(), value);
            }
            slugs.sort();
            slugs.dedup();
            assert_eq!(slugs.len(), all.len(), "a slug names one value");
        }
        check(ThematicArea::ALL);
        check(ActivityKind::ALL);
        check(Priority::ALL);
        check(Sex::ALL);
        check(CounterpartKind::ALL);
        check(CooperationSourceKind::ALL);
        check(OfferKind::ALL);
        check(OutputKind::ALL);
        check(AssistanceAnswer::ALL);
    }

    #[test]
    fn only_public_private_and_mixed_counterparts_are_national() {
        let national: Vec<_> = CounterpartKind::ALL.iter().filter(|kind| kind.is_national()).collect();
        assert_eq!(
            national,
            [
                &CounterpartKind::Public,
                &CounterpartKind::Private,
                &CounterpartKind::Mixed
            ]
        );
    }
}

//! Country and currency codes.
//!
//! The types check only the form of a code, because their serde forms are part of the stored
//! event shapes: an event recorded with a code now refused must still decode. Whether a code is
//! assigned by its standard is checked where commands enter, against the lists the project
//! keeps as data ([`super::code_lists`]): [`MemberStateCode::require_iso_3166`] and
//! [`Currency::require_iso_4217`].

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::code_lists;

use crate::error::DomainError;

/// Checks that `text` is exactly `N` upper-case ASCII letters.
fn upper_case_letters<const N: usize>(field: &'static str, text: &str) -> Result<[u8; N], DomainError> {
    let bytes: [u8; N] = text.as_bytes().try_into().map_err(|_| DomainError::InvalidValue {
        field,
        value: text.to_owned(),
        reason: format!("expected {N} upper-case letters"),
    })?;
    if !bytes.iter().all(u8::is_ascii_uppercase) {
        return Err(DomainError::InvalidValue {
            field,
            value: text.to_owned(),
            reason: format!("expected {N} upper-case letters"),
        });
    }
    Ok(bytes)
}

/// A Member State (or any country) as an ISO 3166-1 alpha-2 code, such as `VE` or `JM`.
///
/// Only the format is checked here: whether a country is a Member State on a date is data
/// (see [`crate::membership`] and [`crate::member_state`]), not a property of the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MemberStateCode([u8; 2]);

impl MemberStateCode {
    /// Parses a two-letter upper-case code.
    pub fn new(code: &str) -> Result<Self, DomainError> {
        upper_case_letters("member state code", code).map(Self)
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only upper-case ASCII letters are ever stored, so this is always valid UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The country's English short name in ISO 3166-1, or `None` for a code the standard
    /// does not assign.
    pub fn country_name(&self) -> Option<&'static str> {
        code_lists::country_name(self.as_str())
    }

    /// Checks that ISO 3166-1 assigns the code; the refusal names the command and the field.
    pub fn require_iso_3166(&self, command: &'static str, field: &'static str) -> Result<(), DomainError> {
        match self.country_name() {
            Some(_) => Ok(()),
            None => Err(DomainError::UnknownCountry {
                command,
                field,
                code: *self,
            }),
        }
    }
}

/// A currency as an ISO 4217 alphabetic code, such as `USD` or `VES`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// The United States dollar, the programme's reporting currency.
    pub const USD: Currency = Currency(*b"USD");

    /// Parses a three-letter upper-case code.
    pub fn new(code: &str) -> Result<Self, DomainError> {
        upper_case_letters("currency", code).map(Self)
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only upper-case ASCII letters are ever stored, so this is always valid UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The currency's English name in ISO 4217, or `None` for a code the list does not hold.
    pub fn name(&self) -> Option<&'static str> {
        code_lists::currency_entry(self.as_str()).map(|entry| entry.name.as_str())
    }

    /// Checks that ISO 4217 lists the code and that it was still in use on `value_date` (a
    /// withdrawn currency is accepted for amounts valued before its withdrawal); the refusal
    /// names the command and the field.
    pub fn require_iso_4217(
        &self,
        command: &'static str,
        field: &'static str,
        value_date: Date,
    ) -> Result<(), DomainError> {
        let refuse = |withdrawn| DomainError::UnknownCurrency {
            command,
            field,
            currency: *self,
            value_date,
            withdrawn,
        };
        match code_lists::currency_entry(self.as_str()) {
            None => Err(refuse(None)),
            Some(entry) => match entry.withdrawn {
                Some(withdrawn) if withdrawn <= value_date => Err(refuse(Some(withdrawn))),
                _ => Ok(()),
            },
        }
    }
}

macro_rules! code_conversions {
    ($name:ident) => {
        impl FromStr for $name {
            type Err = DomainError;

            fn from_str(text: &str) -> Result<Self, DomainError> {
                Self::new(text)
            }
        }

        impl TryFrom<String> for $name {
            type Error = DomainError;

            fn try_from(text: String) -> Result<Self, DomainError> {
                Self::new(&text)
            }
        }

        impl From<$name> for String {
            fn from(code: $name) -> String {
                code.as_str().to_owned()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str(self.as_str())
            }
        }
    };
}

code_conversions!(MemberStateCode);
code_conversions!(Currency);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_state_codes_are_two_upper_case_letters() {
        assert_eq!(MemberStateCode::new("JM").unwrap().as_str(), "JM");
        for bad in ["jm", "J", "JAM", "J1", "", "ÉE"] {
            assert!(
                matches!(
                    MemberStateCode::new(bad),
                    Err(DomainError::InvalidValue {
                        field: "member state code",
                        ..
                    })
                ),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn currencies_are_three_upper_case_letters_and_round_trip() {
        let currency: Currency = "USD".parse().unwrap();
        assert_eq!(currency, Currency::USD);
        assert!(Currency::new("usd").is_err());
        assert!(Currency::new("US").is_err());
        let json = serde_json::to_value(currency).unwrap();
        assert_eq!(json, serde_json::json!("USD"));
        assert!(serde_json::from_value::<Currency>(serde_json::json!("usd")).is_err());
    }

    #[test]
    fn codes_outside_the_standards_still_decode_but_are_refused_where_commands_enter() {
        // Stored events keep decoding: the form is all serde checks.
        let stored: MemberStateCode = serde_json::from_value(serde_json::json!("XX")).unwrap();
        let currency: Currency = serde_json::from_value(serde_json::json!("XYZ")).unwrap();
        assert_eq!(
            stored.require_iso_3166("join-system", "code").unwrap_err().to_string(),
            "join-system: code `XX` is not an ISO 3166-1 alpha-2 country code"
        );
        assert_eq!(
            MemberStateCode::new("US").unwrap().country_name(),
            Some("United States")
        );
        assert!(
            MemberStateCode::new("VE")
                .unwrap()
                .require_iso_3166("join-system", "code")
                .is_ok()
        );
        let day = jiff::civil::date(2013, 2, 1);
        assert_eq!(
            currency
                .require_iso_4217("record-offer", "amount.currency", day)
                .unwrap_err()
                .to_string(),
            "record-offer: amount.currency `XYZ` is not an ISO 4217 currency code (a three-letter code such as USD, EUR or VES)"
        );
        assert!(
            Currency::USD
                .require_iso_4217("record-offer", "amount.currency", day)
                .is_ok()
        );
    }

    #[test]
    fn a_withdrawn_currency_is_accepted_only_before_its_withdrawal() {
        let bolivar_fuerte = Currency::new("VEF").unwrap();
        let check = |day| bolivar_fuerte.require_iso_4217("record-offer", "amount.currency", day);
        assert!(check(jiff::civil::date(2013, 2, 1)).is_ok());
        assert!(check(jiff::civil::date(2018, 8, 19)).is_ok());
        assert_eq!(
            check(jiff::civil::date(2019, 1, 10)).unwrap_err().to_string(),
            "record-offer: amount.currency `VEF` was withdrawn from ISO 4217 on 2018-08-20 and is not in use on \
             the value date 2019-01-10; use the code that replaced it"
        );
        assert_eq!(bolivar_fuerte.name(), Some("Bolívar"));
    }
}

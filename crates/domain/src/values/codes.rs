//! Country and currency codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

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
}

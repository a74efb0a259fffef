//! The ISO code lists the project owns: `data/iso3166-1.tsv` (countries) and `data/iso4217.tsv`
//! (currencies), embedded in the crate and parsed once on first use.
//!
//! Each file opens with comments naming the standard's list and its date. A test parses both
//! files line by line, so a malformed line fails the build's tests rather than a command.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use jiff::civil::Date;

/// The ISO 3166-1 alpha-2 file as shipped with the crate.
pub const EMBEDDED_ISO_3166_1: &str = include_str!("../../data/iso3166-1.tsv");
/// The ISO 4217 file as shipped with the crate.
pub const EMBEDDED_ISO_4217: &str = include_str!("../../data/iso4217.tsv");

const COUNTRY_HEADER: &str = "code\tname";
const CURRENCY_HEADER: &str = "code\tnumeric\tname\twithdrawn";

/// One currency of the ISO 4217 list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyEntry {
    /// The alphabetic code.
    pub code: String,
    /// The English name.
    pub name: String,
    /// From when the code is no longer in use, for a withdrawn currency.
    pub withdrawn: Option<Date>,
}

/// The data lines of a list: not blank, not a comment, after the header, which must be
/// `header`. A malformed file is a defect of the crate, found by its tests.
fn data_lines<'a>(text: &'a str, header: &'static str) -> Result<Vec<(usize, Vec<&'a str>)>, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'));
    match lines.next() {
        Some((_, first)) if first == header => {}
        other => return Err(format!("expected the header {header:?}, found {other:?}")),
    }
    Ok(lines
        .map(|(index, line)| (index + 1, line.split('\t').collect()))
        .collect())
}

/// Parses the country list into code → name.
pub(crate) fn parse_countries(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut countries = BTreeMap::new();
    for (line, fields) in data_lines(text, COUNTRY_HEADER)? {
        let [code, name] = fields[..] else {
            return Err(format!("line {line}: expected 2 columns ({COUNTRY_HEADER})"));
        };
        if code.len() != 2 || !code.bytes().all(|byte| byte.is_ascii_uppercase()) || name.is_empty() {
            return Err(format!("line {line}: {code:?} {name:?} is not a code and a name"));
        }
        if countries.insert(code.to_owned(), name.to_owned()).is_some() {
            return Err(format!("line {line}: {code} is listed twice"));
        }
    }
    Ok(countries)
}

/// Parses the currency list into code → entry.
pub(crate) fn parse_currencies(text: &str) -> Result<BTreeMap<String, CurrencyEntry>, String> {
    let mut currencies = BTreeMap::new();
    for (line, fields) in data_lines(text, CURRENCY_HEADER)? {
        let [code, numeric, name, withdrawn] = fields[..] else {
            return Err(format!("line {line}: expected 4 columns ({CURRENCY_HEADER})"));
        };
        let valid_code = code.len() == 3 && code.bytes().all(|byte| byte.is_ascii_uppercase());
        let valid_numeric = numeric.len() == 3 && numeric.bytes().all(|byte| byte.is_ascii_digit());
        if !valid_code || !valid_numeric || name.is_empty() {
            return Err(format!(
                "line {line}: {code:?} {numeric:?} {name:?} is not a code, a number and a name"
            ));
        }
        let withdrawn = match withdrawn {
            "" => None,
            text => Some(
                text.parse::<Date>()
                    .map_err(|error| format!("line {line}: withdrawal date {text:?}: {error}"))?,
            ),
        };
        let entry = CurrencyEntry {
            code: code.to_owned(),
            name: name.to_owned(),
            withdrawn,
        };
        if currencies.insert(code.to_owned(), entry).is_some() {
            return Err(format!("line {line}: {code} is listed twice"));
        }
    }
    Ok(currencies)
}

static COUNTRIES: LazyLock<BTreeMap<String, String>> = LazyLock::new(|| {
    parse_countries(EMBEDDED_ISO_3166_1).unwrap_or_else(|error| panic!("data/iso3166-1.tsv: {error}"))
});

static CURRENCIES: LazyLock<BTreeMap<String, CurrencyEntry>> =
    LazyLock::new(|| parse_currencies(EMBEDDED_ISO_4217).unwrap_or_else(|error| panic!("data/iso4217.tsv: {error}")));

/// The English short name of an ISO 3166-1 alpha-2 code, or `None` for a code the standard
/// does not assign.
pub fn country_name(code: &str) -> Option<&'static str> {
    COUNTRIES.get(code).map(String::as_str)
}

/// Every ISO 3166-1 alpha-2 code, in order.
pub fn country_codes() -> impl Iterator<Item = &'static str> {
    COUNTRIES.keys().map(String::as_str)
}

/// The ISO 4217 entry of a code, current or withdrawn, or `None` for a code the list does not
/// hold.
pub fn currency_entry(code: &str) -> Option<&'static CurrencyEntry> {
    CURRENCIES.get(code)
}

/// Every ISO 4217 entry the project holds, in order of code.
pub fn currency_entries() -> impl Iterator<Item = &'static CurrencyEntry> {
    CURRENCIES.values()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_lists_parse_and_hold_the_programme_s_codes() {
        let countries = parse_countries(EMBEDDED_ISO_3166_1).unwrap();
        assert_eq!(countries.len(), 249);
        for code in ["VE", "JM", "CR", "GD", "US", "ES"] {
            assert!(countries.contains_key(code), "{code}");
        }
        assert!(!countries.contains_key("XX"));
        let currencies = parse_currencies(EMBEDDED_ISO_4217).unwrap();
        for code in ["USD", "EUR", "VES", "BRL", "XCD", "VEF"] {
            assert!(currencies.contains_key(code), "{code}");
        }
        for code in ["XYZ", "XTS", "XXX"] {
            assert!(!currencies.contains_key(code), "{code}");
        }
        assert_eq!(currencies["VEF"].withdrawn, Some(jiff::civil::date(2018, 8, 20)));
        assert_eq!(currencies["VES"].withdrawn, None);
    }

    #[test]
    fn malformed_lists_are_refused_with_the_line() {
        type Parse = fn(&str) -> Result<(), String>;
        let cases: [(&str, Parse, &str); 6] = [
            (
                "code\tname\nVE\n",
                |text| parse_countries(text).map(drop),
                "line 2: expected 2 columns",
            ),
            (
                "code,name\n",
                |text| parse_countries(text).map(drop),
                "expected the header",
            ),
            (
                "# c\ncode\tname\nve\tVenezuela\n",
                |text| parse_countries(text).map(drop),
                "line 3:",
            ),
            (
                "code\tname\nVE\tVenezuela\nVE\tVenezuela\n",
                |text| parse_countries(text).map(drop),
                "listed twice",
            ),
            (
                "code\tnumeric\tname\twithdrawn\nUSD\t840\tUS Dollar\tsoon\n",
                |text| parse_currencies(text).map(drop),
                "withdrawal date",
            ),
            (
                "code\tnumeric\tname\twithdrawn\nUSD\tx40\tUS Dollar\t\n",
                |text| parse_currencies(text).map(drop),
                "line 2:",
            ),
        ];
        for (text, parse, expected) in cases {
            let error = parse(text).unwrap_err();
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }
}

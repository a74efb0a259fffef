//! The IATI 2.03 codes the export writes, each from its official codelist, and [`ALL`], the
//! list a test checks against the codelist files.

use smes_domain::values::{Currency, MemberStateCode, OutputKind};
use smes_projections::activities::ActivityState;

use crate::error::{Error, Result};

/// The version of the standard (codelist `Version`).
pub const VERSION: &str = "2.03";
/// DAC 5-digit sector 32130, SME development (codelist `Sector`, vocabulary 1).
pub const DAC_SME_DEVELOPMENT: &str = "32130";
/// SELA is an intergovernmental organisation: Multilateral (codelist `OrganisationType`).
pub const SELA_ORGANISATION_TYPE: &str = "40";
/// Participating organisation roles (codelist `OrganisationRole`).
pub const ROLE_FUNDING: &str = "1";
/// Accountable.
pub const ROLE_ACCOUNTABLE: &str = "2";
/// Extending.
pub const ROLE_EXTENDING: &str = "3";
/// Implementing.
pub const ROLE_IMPLEMENTING: &str = "4";
/// Budget type Original (codelist `BudgetType`).
pub const BUDGET_ORIGINAL: &str = "1";
/// Budget status Indicative (codelist `BudgetStatus`): an activity's estimated cost.
pub const BUDGET_INDICATIVE: &str = "1";
/// Budget status Committed: a work programme adopted by a decision.
pub const BUDGET_COMMITTED: &str = "2";
/// Result type Output (codelist `ResultType`).
pub const RESULT_OUTPUT: &str = "1";
/// Indicator measure Unit (codelist `IndicatorMeasure`).
pub const MEASURE_UNIT: &str = "1";

/// ISO 4217 codes the `Currency` codelist does not take: units that are not currencies
/// (funds and complementary units, precious metals, bond-market units, the SUCRE and the ADB
/// unit of account) and the codes ISO assigned after the codelist version the export writes
/// (ZWG, XCG).
pub const CURRENCIES_NOT_IN_CODELIST: [&str; 15] = [
    "CHE", "CHW", "UYW", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XPD", "XPT", "XSU", "XUA", "ZWG", "XCG",
];

/// Whether the `Country` codelist (ISO 3166-1 alpha-2, which the project keeps as data) takes
/// a code.
pub fn is_country(code: MemberStateCode) -> bool {
    code.country_name().is_some()
}

/// Whether the `Currency` codelist (ISO 4217, which the project keeps as data, withdrawn codes
/// included as the codelist keeps them) takes a code.
pub fn is_currency(currency: Currency) -> bool {
    currency.name().is_some() && !CURRENCIES_NOT_IN_CODELIST.contains(&currency.as_str())
}

/// Refuses a country code the `Country` codelist does not take, naming the record and field.
pub(crate) fn require_country(record: &dyn Fn() -> String, field: &'static str, code: MemberStateCode) -> Result<()> {
    if is_country(code) {
        return Ok(());
    }
    Err(Error::CodeNotInCodelist {
        record: record(),
        field,
        code: code.to_string(),
        codelist: "Country",
        allowed: "ISO 3166-1 alpha-2 country codes",
    })
}

/// Refuses a currency the `Currency` codelist does not take, naming the record and field.
pub(crate) fn require_currency(record: &dyn Fn() -> String, field: &'static str, currency: Currency) -> Result<()> {
    if is_currency(currency) {
        return Ok(());
    }
    Err(Error::CodeNotInCodelist {
        record: record(),
        field,
        code: currency.to_string(),
        codelist: "Currency",
        allowed: "ISO 4217 currency codes",
    })
}

/// Activity date types (codelist `ActivityDateType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityDateType {
    /// 1.
    PlannedStart,
    /// 2.
    ActualStart,
    /// 3.
    PlannedEnd,
    /// 4.
    ActualEnd,
}

impl ActivityDateType {
    pub fn code(self) -> &'static str {
        match self {
            ActivityDateType::PlannedStart => "1",
            ActivityDateType::ActualStart => "2",
            ActivityDateType::PlannedEnd => "3",
            ActivityDateType::ActualEnd => "4",
        }
    }
}

/// Transaction types (codelist `TransactionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionType {
    /// 1: money paid in by an outside source under its commitment.
    IncomingFunds,
    /// 2: SELA's own regular budget committed to the activity.
    OutgoingCommitment,
    /// 3: SELA's own money paid out.
    Disbursement,
    /// 4: money spent.
    Expenditure,
    /// 13: an outside source's offer committed to the activity.
    IncomingPledge,
}

impl TransactionType {
    pub fn code(self) -> &'static str {
        match self {
            TransactionType::IncomingFunds => "1",
            TransactionType::OutgoingCommitment => "2",
            TransactionType::Disbursement => "3",
            TransactionType::Expenditure => "4",
            TransactionType::IncomingPledge => "13",
        }
    }
}

/// The activity status (codelist `ActivityStatus`): proposed or deferred 1 (pipeline),
/// approved 2 (implementation), held 3 (finalisation) or 4 (closed, once the year's work
/// programme is closed), cancelled or rejected 5.
pub fn activity_status(state: ActivityState, year_closed: bool) -> &'static str {
    match state {
        ActivityState::Unknown | ActivityState::Proposed | ActivityState::Deferred => "1",
        ActivityState::Approved => "2",
        ActivityState::Held if year_closed => "4",
        ActivityState::Held => "3",
        ActivityState::Cancelled | ActivityState::Rejected => "5",
    }
}

/// The document category of an output (codelist `DocumentCategory`): reports, presentations
/// and videos of an event are its results and outputs, A08.
pub fn document_category(kind: OutputKind) -> &'static str {
    match kind {
        OutputKind::Report | OutputKind::Presentation | OutputKind::Video => "A08",
    }
}

/// The format of an output's link (codelist `FileFormat`): the programme records web pages,
/// not files, so `text/html`.
pub fn file_format() -> &'static str {
    "text/html"
}

/// Every fixed code the export can write, by codelist file name (without `.xml`). Codes that
/// come from the log (currencies, countries) are checked on the exported files instead.
pub const ALL: &[(&str, &str)] = &[
    ("Version", VERSION),
    ("Sector", DAC_SME_DEVELOPMENT),
    ("SectorVocabulary", "1"),
    ("SectorVocabulary", "99"),
    ("OrganisationType", "10"),
    ("OrganisationType", "30"),
    ("OrganisationType", "40"),
    ("OrganisationType", "72"),
    ("OrganisationType", "90"),
    ("OrganisationRole", ROLE_FUNDING),
    ("OrganisationRole", ROLE_ACCOUNTABLE),
    ("OrganisationRole", ROLE_EXTENDING),
    ("OrganisationRole", ROLE_IMPLEMENTING),
    ("ActivityStatus", "1"),
    ("ActivityStatus", "2"),
    ("ActivityStatus", "3"),
    ("ActivityStatus", "4"),
    ("ActivityStatus", "5"),
    ("ActivityDateType", "1"),
    ("ActivityDateType", "2"),
    ("ActivityDateType", "3"),
    ("ActivityDateType", "4"),
    ("TransactionType", "1"),
    ("TransactionType", "2"),
    ("TransactionType", "3"),
    ("TransactionType", "4"),
    ("TransactionType", "13"),
    ("BudgetType", BUDGET_ORIGINAL),
    ("BudgetStatus", BUDGET_INDICATIVE),
    ("BudgetStatus", BUDGET_COMMITTED),
    ("DescriptionType", "1"),
    ("DescriptionType", "2"),
    ("ResultType", RESULT_OUTPUT),
    ("IndicatorMeasure", MEASURE_UNIT),
    ("DocumentCategory", "A08"),
    ("FileFormat", "text/html"),
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::io::Write as _;
    use std::path::{Path, PathBuf};

    use quick_xml::Reader;
    use quick_xml::events::Event;

    use super::*;

    /// The folder of the official codelists, or `None` (after saying so on stderr) when
    /// `SMES_VECTORS_DIR` is unset and there is no `../shared/vectors`. A folder named by the
    /// variable must hold them.
    fn codelist_dir() -> Option<PathBuf> {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let vectors = match std::env::var_os("SMES_VECTORS_DIR") {
            Some(dir) => workspace.join(dir),
            None => {
                let default = workspace.join("../shared/vectors");
                if !default.is_dir() {
                    let mut stderr = std::io::stderr().lock();
                    writeln!(
                        stderr,
                        "IATI codelists not found: set SMES_VECTORS_DIR; the export's codes NOT checked"
                    )
                    .expect("writing to stderr");
                    return None;
                }
                default
            }
        };
        let dir = std::fs::canonicalize(&vectors)
            .unwrap_or(vectors)
            .join("iati-2.03/codelists/xml");
        assert!(
            dir.is_dir(),
            "the IATI codelists are missing: {} is not a directory",
            dir.display()
        );
        Some(dir)
    }

    fn codes(dir: &Path, list: &str) -> BTreeSet<String> {
        let path = dir.join(format!("{list}.xml"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let mut reader = Reader::from_str(&text);
        let mut codes = BTreeSet::new();
        let mut in_code = false;
        loop {
            match reader.read_event().expect("a codelist is XML") {
                Event::Start(start) if start.name().as_ref() == b"code" => in_code = true,
                Event::End(end) if end.name().as_ref() == b"code" => in_code = false,
                Event::Text(text) if in_code => {
                    codes.insert(text.decode().expect("UTF-8").trim().to_owned());
                }
                Event::Eof => break,
                _ => {}
            }
        }
        codes
    }

    #[test]
    fn every_fixed_code_is_in_its_official_codelist() {
        let Some(dir) = codelist_dir() else { return };
        for (list, code) in ALL {
            assert!(
                codes(&dir, list).contains(*code),
                "{code} is not in the {list} codelist"
            );
        }
        // The functions' values are among the listed codes.
        let listed = |list: &str, code: &str| ALL.contains(&(list, code));
        for state in [
            ActivityState::Unknown,
            ActivityState::Proposed,
            ActivityState::Deferred,
            ActivityState::Approved,
            ActivityState::Rejected,
            ActivityState::Held,
            ActivityState::Cancelled,
        ] {
            assert!(listed("ActivityStatus", activity_status(state, false)));
            assert!(listed("ActivityStatus", activity_status(state, true)));
        }
        for kind in [
            TransactionType::IncomingFunds,
            TransactionType::OutgoingCommitment,
            TransactionType::Disbursement,
            TransactionType::Expenditure,
            TransactionType::IncomingPledge,
        ] {
            assert!(listed("TransactionType", kind.code()));
        }
        for kind in [OutputKind::Report, OutputKind::Presentation, OutputKind::Video] {
            assert!(listed("DocumentCategory", document_category(kind)));
        }
        assert!(listed("FileFormat", file_format()));
    }

    #[test]
    fn every_country_and_currency_the_export_takes_is_in_its_official_codelist() {
        use smes_domain::values::code_lists::{country_codes, currency_entries};

        let Some(dir) = codelist_dir() else { return };
        let countries = codes(&dir, "Country");
        let mut taken = 0;
        for code in country_codes() {
            let code = MemberStateCode::new(code).unwrap();
            assert!(is_country(code));
            assert!(
                countries.contains(code.as_str()),
                "{code} is not in the Country codelist"
            );
            taken += 1;
        }
        assert_eq!(taken, 249);
        let currencies = codes(&dir, "Currency");
        for entry in currency_entries() {
            let currency = Currency::new(&entry.code).unwrap();
            if is_currency(currency) {
                assert!(
                    currencies.contains(&entry.code),
                    "{} is not in the Currency codelist",
                    entry.code
                );
            }
        }
        // And the project's list misses no currency of the codelist that the programme's years
        // could meet (the codelist keeps codes withdrawn before 2012 that the project does not).
        for code in &currencies {
            if !["EEK", "USS", "XBT"].contains(&code.as_str()) {
                assert!(
                    Currency::new(code).unwrap().name().is_some(),
                    "{code} of the Currency codelist is not in the project's ISO 4217 list"
                );
            }
        }
        assert!(!is_currency(Currency::new("XYZ").unwrap()));
        assert!(!is_country(MemberStateCode::new("XX").unwrap()));
    }

    #[test]
    fn activity_statuses_follow_the_programme() {
        assert_eq!(activity_status(ActivityState::Approved, false), "2");
        assert_eq!(activity_status(ActivityState::Held, false), "3");
        assert_eq!(activity_status(ActivityState::Held, true), "4");
        assert_eq!(activity_status(ActivityState::Cancelled, true), "5");
    }
}

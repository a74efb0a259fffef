//! The currencies a command names, checked against ISO 4217 before anything is looked up or
//! decided.
//!
//! The check lives here, where commands enter, and not in the serde form of [`Money`]: that form
//! is also the stored shape, and events recorded with a code now refused must keep decoding.
//! Countries are checked by the deciders against the membership history they are given.

use smes_domain::DomainError;
use smes_domain::values::Money;

use crate::commands::AppCommand;

/// Every amount of a command, with the field that holds its currency.
fn amounts(command: &AppCommand) -> Vec<(&'static str, &Money)> {
    match command {
        AppCommand::OpenWorkProgramme(open) => vec![("estimated_budget.currency", &open.estimated_budget)],
        AppCommand::ReviseWorkProgramme(revise) => vec![("revised_budget.currency", &revise.revised_budget)],
        AppCommand::ProposeActivity(propose) => vec![("estimated_cost.currency", &propose.estimated_cost)],
        AppCommand::RecordOffer(record) => vec![("amount.currency", &record.amount)],
        AppCommand::CommitToActivity(commit) => vec![("amount.currency", &commit.amount)],
        AppCommand::RecordDisbursement(disburse) => vec![("amount.currency", &disburse.amount)],
        AppCommand::RecordExpenditure(spend) => vec![("amount.currency", &spend.amount)],
        AppCommand::ValueInKindContribution(value) => vec![("value.currency", &value.value)],
        AppCommand::RevalueInKindContribution(revalue) => vec![("value.currency", &revalue.value)],
        AppCommand::RequestAssistance(request) => request
            .amount_sought
            .iter()
            .map(|amount| ("amount_sought.currency", amount))
            .collect(),
        _ => Vec::new(),
    }
}

/// Refuses a currency ISO 4217 does not list, or one withdrawn before the value date of its
/// amount (for an exchange rate: the rate's date), naming the command and the field.
pub(super) fn check_currencies(command: &AppCommand) -> Result<(), DomainError> {
    let kind = command.kind();
    for (field, money) in amounts(command) {
        money.currency().require_iso_4217(kind, field, money.value_date())?;
    }
    if let AppCommand::RecordExchangeRate(record) = command {
        let rate = &record.rate;
        rate.from().require_iso_4217(kind, "rate.from", rate.date())?;
        rate.to().require_iso_4217(kind, "rate.to", rate.date())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::commands::CommandLine;

    fn check(line: serde_json::Value) -> Result<(), String> {
        let command = CommandLine::from_value(line).unwrap().command;
        check_currencies(&command).map_err(|error| error.to_string())
    }

    #[test]
    fn every_amount_and_rate_names_an_iso_4217_currency_in_use_on_its_date() {
        let open = |currency: &str, on: &str| {
            json!({"kind": "open-work-programme", "year": 2013,
                   "estimated_budget": {"amount": "200000", "currency": currency, "value_date": on},
                   "opened_on": "2013-01-10"})
        };
        assert_eq!(check(open("USD", "2013-01-10")), Ok(()));
        assert_eq!(check(open("VEF", "2013-01-10")), Ok(()));
        assert_eq!(
            check(open("XYZ", "2013-01-10")).unwrap_err(),
            "open-work-programme: estimated_budget.currency `XYZ` is not an ISO 4217 currency code \
             (a three-letter code such as USD, EUR or VES)"
        );
        assert!(
            check(open("VEF", "2019-01-10"))
                .unwrap_err()
                .starts_with("open-work-programme: estimated_budget.currency `VEF` was withdrawn")
        );
        let rate = |from: &str| {
            json!({"kind": "record-exchange-rate", "rate": {"from": from, "to": "USD", "rate": "1.3",
                   "date": "2013-01-02", "source": "ECB reference rate"}})
        };
        assert_eq!(check(rate("EUR")), Ok(()));
        assert!(
            check(rate("EUX"))
                .unwrap_err()
                .starts_with("record-exchange-rate: rate.from `EUX` is not an ISO 4217")
        );
        let request = json!({"kind": "request-assistance", "cooperation_source": "00000000-0000-4000-8000-000000000001",
            "request": "00000000-0000-4000-8000-000000000002", "purpose": "co-finance",
            "amount_sought": {"amount": "10", "currency": "ABC", "value_date": "2013-04-03"},
            "requested_on": "2013-04-03"});
        assert!(
            check(request)
                .unwrap_err()
                .starts_with("request-assistance: amount_sought.currency `ABC`")
        );
    }
}

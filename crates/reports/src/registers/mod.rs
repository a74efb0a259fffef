//! The registers of the record under a cut: the needs register ([`needs`]), the counterpart
//! directory ([`counterparts`]) and the evaluation history ([`history`]), each as rows of text
//! ready to serialise or lay out, stamped with the log prefix it was made from.
//!
//! Like the snapshot, each register is a pure function of a log prefix, a cut and a filter:
//! the read models of `smes-projections` are folded under the cut and turned into rows whose
//! lists are in a fixed order, so the same prefix and options give the same bytes. Registers
//! hold no personal data: counterparts appear by organisation, focal points not at all.

pub mod counterparts;
pub mod history;
pub mod needs;

#[cfg(test)]
mod tests;

use serde::Serialize;
use smes_domain::values::MemberStateCode;
use smes_projections::counterparts::CounterpartDirectory;
use smes_projections::evaluation::EvaluationHistory;
use smes_projections::needs::NeedLine;
use smes_projections::{Envelope, FundingSource, LogSlice, Projection, WorkProgrammeModel};

use crate::review::{CitingActivity, citing_activities, consultation_title};
use crate::snapshot::{Names, source_names};

pub use self::needs::{NeedsReport, NeedsRequest};

/// An organisation named in a register: a counterpart by its id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub id: String,
    /// Its name (or `counterpart <id>` when its joining is outside the cut).
    pub name: String,
}

/// A need with where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeedStatusRow {
    pub id: String,
    /// `answered`, `open` or `unanswered`.
    pub status: String,
    /// The day it was identified.
    pub identified_on: String,
    /// The consultation that identified it.
    pub consultation_id: String,
    /// That consultation's title (or `consultation <id>` when its scheduling is outside the cut).
    pub consultation: String,
    /// The organisations that raised it.
    pub raised_by: Vec<Organisation>,
    pub thematic_area: String,
    /// The Member States it concerns.
    pub member_states: Vec<String>,
    /// `high`, `medium` or `low`.
    pub priority: String,
    /// What is needed.
    pub description: String,
    /// The activities citing it, by id, and where each stands.
    pub activities: Vec<CitingActivity>,
    /// The requests for assistance that led to it, by id.
    pub requests: Vec<String>,
}

/// The read models the registers show, folded together in one pass.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub(crate) struct RegisterModels {
    pub(crate) work_programme: WorkProgrammeModel,
    pub(crate) evaluation_history: EvaluationHistory,
    pub(crate) counterparts: CounterpartDirectory,
}

impl Projection for RegisterModels {
    fn apply(&mut self, envelope: &Envelope) {
        self.work_programme.apply(envelope);
        self.evaluation_history.apply(envelope);
        self.counterparts.apply(envelope);
    }
}

impl RegisterModels {
    fn names<'a>(&'a self, log: &LogSlice) -> Names<'a> {
        Names {
            work_programme: &self.work_programme,
            counterparts: &self.counterparts,
            sources: source_names(log),
        }
    }

    fn need_row(&self, names: &Names<'_>, line: &NeedLine) -> NeedStatusRow {
        let entry = &line.entry;
        NeedStatusRow {
            id: line.need.to_string(),
            status: need_status_name(line.status).to_owned(),
            identified_on: utc_date(entry.identified_at).to_string(),
            consultation_id: entry.consultation.to_string(),
            consultation: consultation_title(&self.evaluation_history, entry.consultation),
            raised_by: entry
                .raised_by
                .iter()
                .map(|counterpart| Organisation {
                    id: counterpart.to_string(),
                    name: names.funding_source(FundingSource::Counterpart(*counterpart)),
                })
                .collect(),
            thematic_area: entry.thematic_area.slug().to_owned(),
            member_states: entry.member_states.iter().map(ToString::to_string).collect(),
            priority: entry.priority.slug().to_owned(),
            description: entry.description.clone(),
            activities: citing_activities(&self.work_programme, line),
            requests: line.requests.iter().map(ToString::to_string).collect(),
        }
    }

    /// A Member State's name, once it joined under the cut; its code otherwise.
    fn state_name(&self, code: MemberStateCode) -> String {
        self.counterparts
            .member_states
            .get(&code)
            .and_then(|entry| entry.name.clone())
            .unwrap_or_else(|| code.to_string())
    }
}

/// The business day (UTC) of an instant, as the cuts count days.
fn utc_date(instant: jiff::Timestamp) -> jiff::civil::Date {
    jiff::tz::TimeZone::UTC.to_datetime(instant).date()
}

/// The name of a need's status.
pub fn need_status_name(status: smes_projections::needs::NeedStatus) -> &'static str {
    needs::STATUSES
        .iter()
        .find(|(candidate, _)| *candidate == status)
        .map_or("unanswered", |(_, name)| name)
}

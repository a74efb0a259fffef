//! All read models together, folded in one pass.

use serde::{Deserialize, Serialize};

use crate::counterparts::CounterpartDirectory;
use crate::envelope::Envelope;
use crate::evaluation::EvaluationHistory;
use crate::ledger::FundingLedger;
use crate::needs::NeedsRegister;
use crate::projection::Projection;
use crate::trace::DecisionTrace;
use crate::work_programme::WorkProgrammeModel;

/// Every read model, so that a rebuild, a catch-up or an as-of query reads the log once.
///
/// The needs register lives inside the evaluation history and the funding ledger inside the
/// work programme, which both need them; they are folded once and reached through
/// [`ReadModels::needs`] and [`ReadModels::funding_ledger`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReadModels {
    /// Work programmes by year.
    pub work_programme: WorkProgrammeModel,
    /// Consultations and reviews over time, with the needs register.
    pub evaluation_history: EvaluationHistory,
    /// Counterparts and Member States.
    pub counterparts: CounterpartDirectory,
    /// Decision traces.
    pub decision_trace: DecisionTrace,
}

impl Projection for ReadModels {
    fn apply(&mut self, envelope: &Envelope) {
        self.work_programme.apply(envelope);
        self.evaluation_history.apply(envelope);
        self.counterparts.apply(envelope);
        self.decision_trace.apply(envelope);
    }
}

impl ReadModels {
    /// The needs register.
    pub fn needs(&self) -> &NeedsRegister {
        &self.evaluation_history.needs
    }

    pub fn funding_ledger(&self) -> &FundingLedger {
        &self.work_programme.funding
    }
}

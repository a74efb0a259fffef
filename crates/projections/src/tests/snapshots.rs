//! JSON snapshots of every model over the fixture.

use smes_domain::values::Currency;

use super::fixture::{history, ids, year};
use super::support::day;
use crate::cut::{Cut, fold_cut};
use crate::models::ReadModels;
use crate::trace::Subject;

#[test]
fn snapshots_of_every_model() {
    let ids = ids();
    let models: ReadModels = history().fold();
    insta::assert_json_snapshot!(
        "work_programme_2013",
        models.work_programme.year(year(2013), Some(Currency::USD))
    );
    insta::assert_json_snapshot!("evaluation_history", models.evaluation_history.history());
    insta::assert_json_snapshot!("needs_register", models.needs().view());
    insta::assert_json_snapshot!(
        "counterpart_directory",
        (&models.counterparts, models.counterparts.view())
    );
    insta::assert_json_snapshot!("funding_ledger", models.funding_ledger().by_source());
    insta::assert_json_snapshot!(
        "trace_of_the_forum",
        models
            .decision_trace
            .trace(Subject::Activity(ids.forum), &history().envelopes)
    );
}

#[test]
fn snapshot_of_the_work_programme_as_it_stood_in_march_2013() {
    let models: ReadModels = fold_cut(&history().envelopes, &Cut::as_of(day(2013, 3, 31)));
    insta::assert_json_snapshot!(
        "work_programme_2013_as_of_2013_03_31",
        models.work_programme.year(year(2013), None)
    );
}

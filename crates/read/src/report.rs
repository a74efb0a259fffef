//! Snapshots and traces read through the link index, or from the whole log prefix when the
//! index lags and the store may not extend it.

use smes_eventlog::EventStore;
use smes_projections::trace::Subject;
use smes_projections::{Cut, Reach};
use smes_reports::snapshot::{self, Known, Snapshot, SnapshotRequest};
use smes_reports::trace::{self, TraceReport};

use crate::error::{Error, Result};
use crate::log::read_log;
use crate::view::read_view;

/// A year's snapshot read through the link index (caught up `page` events a transaction): the
/// same report [`snapshot::build`] makes from the whole log prefix, which it reads instead when
/// the index lags and the store may not extend it.
pub async fn snapshot(store: &dyn EventStore, page: usize, request: &SnapshotRequest) -> Result<Snapshot> {
    let view = read_view(
        store,
        page,
        Reach::for_year(request.year),
        request.cut.known_at,
        request.cut.at_position,
        snapshot::occurred(&request.cut),
    )
    .await;
    match view {
        Err(error) if may_not_write_the_index(&error) => {
            let log = read_log(store, request.cut.known_at, request.cut.at_position).await?;
            Ok(snapshot::build(&log, request)?)
        }
        view => {
            let view = view?;
            Ok(snapshot::build_known(&view.log, &Known::listed(&view.reach), request)?)
        }
    }
}

/// Whether the store refused to extend the link index to a role that may only read (the
/// report is then made from the whole log prefix).
fn may_not_write_the_index(error: &Error) -> bool {
    matches!(error, Error::Store(smes_eventlog::Error::NotPermitted { .. }))
}

/// A decision trace read through the link index (caught up `page` events a transaction): the
/// same report [`trace::build`] makes from the whole log prefix, which it reads instead when the
/// index lags and the store may not extend it.
pub async fn trace(store: &dyn EventStore, page: usize, subject: Subject, cut: &Cut) -> Result<TraceReport> {
    let view = read_view(
        store,
        page,
        Reach::for_trace(&subject),
        cut.known_at,
        cut.at_position,
        None,
    )
    .await;
    match view {
        Err(error) if may_not_write_the_index(&error) => {
            let log = read_log(store, cut.known_at, cut.at_position).await?;
            Ok(trace::build(&log, subject, cut)?)
        }
        view => Ok(trace::build(&view?.log, subject, cut)?),
    }
}

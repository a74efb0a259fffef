//! Stored shapes of the publication aggregate.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::stored_events;
use super::twin::{Twin, twin_struct};
use crate::ids::PublicationId;
use crate::publication::{
    PublicationEvent, PublishedAnchor, PublishedCut, PublishedFile, PublishedFilter, PublishedSnapshot,
    SnapshotPublished,
};
use crate::values::WorkProgrammeYear;

/// The publication's nested values have frozen serde forms of their own (unknown fields
/// refused), used as they are in the payload.
macro_rules! same_shape {
    ($($type:ty),+) => {
        $(
            impl Twin<$type> for $type {
                fn twin(self) -> $type {
                    self
                }
            }
        )+
    };
}

same_shape!(PublishedCut, PublishedFilter, PublishedAnchor, PublishedFile);

/// `SnapshotPublished` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotPublishedV1 {
    publication: PublicationId,
    year: WorkProgrammeYear,
    cut: PublishedCut,
    filter: PublishedFilter,
    anchor: PublishedAnchor,
    files: Vec<PublishedFile>,
    title: String,
    note: Option<String>,
    published_on: Date,
}

twin_struct!(PublishedSnapshot => SnapshotPublishedV1 {
    publication, year, cut, filter, anchor, files, title, note, published_on
});

impl From<&SnapshotPublished> for SnapshotPublishedV1 {
    fn from(event: &SnapshotPublished) -> Self {
        SnapshotPublishedV1::from(&event.snapshot)
    }
}

impl From<SnapshotPublishedV1> for SnapshotPublished {
    fn from(stored: SnapshotPublishedV1) -> Self {
        SnapshotPublished {
            snapshot: stored.into(),
        }
    }
}

stored_events!("publication", PublicationEvent {
    SnapshotPublished => "SnapshotPublished" v 1 SnapshotPublishedV1,
});

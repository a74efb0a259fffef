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

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use serde_json::json;
    use uuid::Uuid;

    use super::*;
    use crate::stored::{decode, encode};
    use crate::testing::fixtures::STORED_ON;
    use crate::values::ThematicArea;

    fn published() -> PublicationEvent {
        PublicationEvent::SnapshotPublished(SnapshotPublished {
            snapshot: PublishedSnapshot {
                publication: PublicationId::new(Uuid::from_u128(0x9b)).unwrap(),
                year: WorkProgrammeYear::new(2013).unwrap(),
                cut: PublishedCut {
                    as_of: Some(date(2013, 6, 30)),
                    known_at: Some("2013-07-01T12:00:00Z".parse().unwrap()),
                    at_position: 101,
                },
                filter: PublishedFilter {
                    areas: vec![ThematicArea::Financing],
                    countries: Vec::new(),
                    statuses: vec!["held".to_owned()],
                },
                anchor: PublishedAnchor {
                    log_position: 101,
                    head_hash: "ab".repeat(32),
                    tree_size: 101,
                    tree_root: "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=".to_owned(),
                },
                files: vec![PublishedFile {
                    format: "json".to_owned(),
                    sha256: "01".repeat(32),
                }],
                title: "Work programme 2013 at mid-year".to_owned(),
                note: None,
                published_on: date(2013, 7, 1),
            },
        })
    }

    #[test]
    fn the_stored_shape_of_a_publication_is_frozen_and_reads_back() {
        let (event_type, schema_version, payload) = encode(&published());
        assert_eq!((event_type, schema_version), ("SnapshotPublished", 1));
        insta::assert_json_snapshot!("snapshot_published_v1", payload);
        assert_eq!(
            decode::<PublicationEvent>(event_type, schema_version, &payload, STORED_ON),
            Ok(published())
        );
    }

    #[test]
    fn unknown_fields_inside_a_publication_are_refused() {
        let (event_type, schema_version, mut payload) = encode(&published());
        payload["anchor"]["signed_by"] = json!("someone");
        assert!(decode::<PublicationEvent>(event_type, schema_version, &payload, STORED_ON).is_err());
        let (_, _, mut payload) = encode(&published());
        payload["filter"]["areas"] = json!(["finance"]);
        assert!(decode::<PublicationEvent>(event_type, schema_version, &payload, STORED_ON).is_err());
    }
}

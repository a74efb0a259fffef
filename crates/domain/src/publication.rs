//! The publication aggregate: a work-programme snapshot the Secretariat made public
//! (`publication-<uuid>`).
//!
//! A snapshot is a pure function of a log prefix and its options, so a publication records
//! those options with the cut pinned to a log position, the anchor the snapshot was made from
//! (position, head hash, Merkle tree size and root) and the SHA-256 digest of each published
//! file. Anyone can then make the snapshot again from the log and check that it is the one
//! published. The bytes themselves are not stored: they follow from the log. The snapshot's
//! anchor and the log's head reach the decider through the command, rendered by the reports at
//! the edge.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{DomainError, Result};
use crate::ids::PublicationId;
use crate::values::{MemberStateCode, ThematicArea, WorkProgrammeYear, require_text};

/// The cut a snapshot was published under. The position is always given: when publishing
/// without one, the head's position at the time is recorded, so the snapshot can be made again
/// whatever was appended since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedCut {
    /// As of the end of this business date.
    pub as_of: Option<Date>,
    /// As known at this record time.
    pub known_at: Option<Timestamp>,
    /// At this log position.
    pub at_position: u64,
}

/// Which activities the published snapshot lists (an empty list admits every value).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedFilter {
    /// Thematic areas.
    pub areas: Vec<ThematicArea>,
    /// Host Member States.
    pub countries: Vec<MemberStateCode>,
    /// Statuses, by the names the snapshot's `--status` takes (`approved`, `held`, ...).
    pub statuses: Vec<String>,
}

/// The log prefix a published snapshot was made from, as a signed checkpoint states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedAnchor {
    /// The last position read.
    pub log_position: u64,
    /// The hash at that position, lower-case hex.
    pub head_hash: String,
    /// The Merkle tree size, equal to the position.
    pub tree_size: u64,
    /// The Merkle root at that size, base64.
    pub tree_root: String,
}

/// One published file: the snapshot in one format and the SHA-256 digest of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedFile {
    /// The format's name: `md`, `json`, `csv` or `html`.
    pub format: String,
    /// The SHA-256 digest of the file, lower-case hex.
    pub sha256: String,
}

/// What a snapshot publication states: everything needed to make the snapshot again and check
/// it, and how it is presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedSnapshot {
    pub publication: PublicationId,
    /// The work programme's year.
    pub year: WorkProgrammeYear,
    /// The cut, pinned to a position.
    pub cut: PublishedCut,
    pub filter: PublishedFilter,
    /// The log prefix the snapshot was made from.
    pub anchor: PublishedAnchor,
    /// The files published, one per format.
    pub files: Vec<PublishedFile>,
    /// The title shown to the public.
    pub title: String,
    /// A note shown under the title.
    pub note: Option<String>,
    /// When it was published.
    pub published_on: Date,
}

/// Publishes a work-programme snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishSnapshot {
    /// What is published.
    pub snapshot: PublishedSnapshot,
    /// Look-up: the log's head position when publishing.
    pub log_head: u64,
    /// Look-up: whether the year's work programme is in the log under the cut.
    pub year_recorded: bool,
}

/// Commands of the publication aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicationCommand {
    /// See [`PublishSnapshot`].
    PublishSnapshot(PublishSnapshot),
}

/// A work-programme snapshot was published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotPublished {
    /// What was published.
    pub snapshot: PublishedSnapshot,
}

/// Events of the publication aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicationEvent {
    /// See [`SnapshotPublished`].
    SnapshotPublished(SnapshotPublished),
}

/// The folded state of one publication stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Publication {
    /// When it was published, once it was.
    pub published_on: Option<Date>,
}

#[derive(Debug, Clone, Copy)]
pub struct PublicationDecider;

fn require_hex_digest(field: &'static str, text: &str) -> Result<()> {
    if text.len() != 64 || !text.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(DomainError::InvalidValue {
            field,
            value: text.to_owned(),
            reason: "expected 64 lower-case hexadecimal digits (SHA-256)".to_owned(),
        });
    }
    Ok(())
}

fn check(publish: &PublishSnapshot) -> Result<()> {
    let snapshot = &publish.snapshot;
    require_text("publication title", &snapshot.title)?;
    if let Some(note) = &snapshot.note {
        require_text("publication note", note)?;
    }
    if !publish.year_recorded {
        return Err(DomainError::WorkProgrammeNotOpened { year: snapshot.year });
    }
    let anchor = &snapshot.anchor;
    if anchor.log_position > publish.log_head || snapshot.cut.at_position > publish.log_head {
        return Err(DomainError::PublicationBeyondHead {
            position: anchor.log_position.max(snapshot.cut.at_position),
            head: publish.log_head,
        });
    }
    if anchor.log_position > snapshot.cut.at_position {
        return Err(DomainError::InvalidValue {
            field: "anchor log position",
            value: anchor.log_position.to_string(),
            reason: format!(
                "a snapshot cut at position {} is made from that position or before",
                snapshot.cut.at_position
            ),
        });
    }
    if anchor.tree_size != anchor.log_position {
        return Err(DomainError::InvalidValue {
            field: "anchor tree size",
            value: anchor.tree_size.to_string(),
            reason: format!(
                "the Merkle tree of a prefix ending at position {} has that size",
                anchor.log_position
            ),
        });
    }
    require_hex_digest("anchor head hash", &anchor.head_hash)?;
    require_text("anchor tree root", &anchor.tree_root)?;
    if snapshot.files.is_empty() {
        return Err(DomainError::EmptyField {
            field: "published files",
        });
    }
    for (index, file) in snapshot.files.iter().enumerate() {
        require_text("published format", &file.format)?;
        if snapshot.files[..index]
            .iter()
            .any(|earlier| earlier.format == file.format)
        {
            return Err(DomainError::DuplicateEntry {
                field: "published files",
                value: file.format.clone(),
            });
        }
        require_hex_digest("published digest", &file.sha256)?;
    }
    for status in &snapshot.filter.statuses {
        require_text("published status filter", status)?;
    }
    Ok(())
}

impl Decider for PublicationDecider {
    type Id = PublicationId;
    type State = Publication;
    type Command = PublicationCommand;
    type Event = PublicationEvent;

    const STREAM_PREFIX: &'static str = "publication";

    fn target(command: &PublicationCommand) -> PublicationId {
        match command {
            PublicationCommand::PublishSnapshot(publish) => publish.snapshot.publication,
        }
    }

    fn decide(state: &Publication, command: &PublicationCommand) -> Result<Vec<PublicationEvent>> {
        match command {
            PublicationCommand::PublishSnapshot(publish) => {
                if state.published_on.is_some() {
                    return Err(DomainError::PublicationAlreadyRecorded {
                        publication: publish.snapshot.publication,
                    });
                }
                check(publish)?;
                Ok(vec![PublicationEvent::SnapshotPublished(SnapshotPublished {
                    snapshot: publish.snapshot.clone(),
                })])
            }
        }
    }

    fn evolve(state: Publication, event: &PublicationEvent) -> Publication {
        match event {
            PublicationEvent::SnapshotPublished(published) => Publication {
                published_on: state.published_on.or(Some(published.snapshot.published_on)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use uuid::Uuid;

    use super::*;
    use crate::testing::DeciderTesting;

    fn publication() -> PublicationId {
        PublicationId::new(Uuid::from_u128(0x9b)).unwrap()
    }

    fn year() -> WorkProgrammeYear {
        WorkProgrammeYear::new(2013).unwrap()
    }

    fn snapshot() -> PublishedSnapshot {
        PublishedSnapshot {
            publication: publication(),
            year: year(),
            cut: PublishedCut {
                as_of: Some(date(2013, 6, 30)),
                known_at: None,
                at_position: 120,
            },
            filter: PublishedFilter {
                areas: vec![ThematicArea::Financing],
                countries: Vec::new(),
                statuses: vec!["approved".to_owned()],
            },
            anchor: PublishedAnchor {
                log_position: 120,
                head_hash: "ab".repeat(32),
                tree_size: 120,
                tree_root: "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=".to_owned(),
            },
            files: vec![
                PublishedFile {
                    format: "html".to_owned(),
                    sha256: "01".repeat(32),
                },
                PublishedFile {
                    format: "json".to_owned(),
                    sha256: "23".repeat(32),
                },
            ],
            title: "Work programme 2013, mid-year".to_owned(),
            note: Some("As approved by the Permanent Secretariat".to_owned()),
            published_on: date(2013, 7, 2),
        }
    }

    fn publish(snapshot: PublishedSnapshot) -> PublicationCommand {
        PublicationCommand::PublishSnapshot(PublishSnapshot {
            snapshot,
            log_head: 130,
            year_recorded: true,
        })
    }

    fn published() -> PublicationEvent {
        PublicationEvent::SnapshotPublished(SnapshotPublished { snapshot: snapshot() })
    }

    #[test]
    fn a_snapshot_is_published_once_with_what_it_was_made_from() {
        let state = PublicationDecider::given([])
            .when(publish(snapshot()))
            .then([published()]);
        assert_eq!(state.published_on, Some(date(2013, 7, 2)));
        PublicationDecider::given([published()])
            .when(publish(snapshot()))
            .then_error(DomainError::PublicationAlreadyRecorded {
                publication: publication(),
            });
    }

    #[test]
    fn a_snapshot_of_an_unknown_year_or_beyond_the_head_is_refused() {
        PublicationDecider::given([])
            .when(PublicationCommand::PublishSnapshot(PublishSnapshot {
                snapshot: snapshot(),
                log_head: 130,
                year_recorded: false,
            }))
            .then_error(DomainError::WorkProgrammeNotOpened { year: year() });
        PublicationDecider::given([])
            .when(PublicationCommand::PublishSnapshot(PublishSnapshot {
                snapshot: snapshot(),
                log_head: 100,
                year_recorded: true,
            }))
            .then_error(DomainError::PublicationBeyondHead {
                position: 120,
                head: 100,
            });
        let mut later = snapshot();
        later.cut.at_position = 110;
        PublicationDecider::given([])
            .when(publish(later))
            .then_error(DomainError::InvalidValue {
                field: "anchor log position",
                value: "120".to_owned(),
                reason: "a snapshot cut at position 110 is made from that position or before".to_owned(),
            });
    }

    #[test]
    fn the_anchor_and_digests_must_be_well_formed() {
        let mut wrong_size = snapshot();
        wrong_size.anchor.tree_size = 119;
        PublicationDecider::given([])
            .when(publish(wrong_size))
            .then_error(DomainError::InvalidValue {
                field: "anchor tree size",
                value: "119".to_owned(),
                reason: "the Merkle tree of a prefix ending at position 120 has that size".to_owned(),
            });
        let mut short_hash = snapshot();
        short_hash.anchor.head_hash = "abc".to_owned();
        PublicationDecider::given([])
            .when(publish(short_hash))
            .then_error(DomainError::InvalidValue {
                field: "anchor head hash",
                value: "abc".to_owned(),
                reason: "expected 64 lower-case hexadecimal digits (SHA-256)".to_owned(),
            });
        let mut upper_digest = snapshot();
        upper_digest.files[1].sha256 = "AB".repeat(32);
        PublicationDecider::given([])
            .when(publish(upper_digest))
            .then_error(DomainError::InvalidValue {
                field: "published digest",
                value: "AB".repeat(32),
                reason: "expected 64 lower-case hexadecimal digits (SHA-256)".to_owned(),
            });
        let mut twice = snapshot();
        twice.files[1].format = "html".to_owned();
        PublicationDecider::given([])
            .when(publish(twice))
            .then_error(DomainError::DuplicateEntry {
                field: "published files",
                value: "html".to_owned(),
            });
        let mut none = snapshot();
        none.files.clear();
        PublicationDecider::given([])
            .when(publish(none))
            .then_error(DomainError::EmptyField {
                field: "published files",
            });
    }

    #[test]
    fn a_publication_has_a_title_and_any_note_says_something() {
        let mut untitled = snapshot();
        untitled.title = " ".to_owned();
        PublicationDecider::given([])
            .when(publish(untitled))
            .then_error(DomainError::EmptyField {
                field: "publication title",
            });
        let mut blank_note = snapshot();
        blank_note.note = Some(String::new());
        PublicationDecider::given([])
            .when(publish(blank_note))
            .then_error(DomainError::EmptyField {
                field: "publication note",
            });
    }
}

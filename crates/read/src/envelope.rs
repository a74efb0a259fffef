//! A recorded event of the store as the folds read it: its payload decoded with the domain's
//! stored shapes, with the facts of its log record.

use smes_eventlog::RecordedEvent;
use smes_projections::envelope::to_hex;
use smes_projections::{Envelope, StoredPayload};

/// Reads a recorded event into an [`Envelope`]. An event type no aggregate knows, or a payload
/// that does not decode, is an error naming the position.
pub fn envelope(recorded: &RecordedEvent) -> smes_projections::Result<Envelope> {
    let event = payload(recorded).decode()?;
    Ok(Envelope {
        position: recorded.position,
        stream: recorded.stream.clone(),
        version: recorded.version,
        event_id: recorded.event_id,
        event_type: recorded.event_type.clone(),
        occurred_at: recorded.occurred_at,
        recorded_at: recorded.recorded_at,
        actor: recorded.metadata.actor.clone(),
        role: recorded.metadata.role.clone(),
        reason: recorded.metadata.reason.clone(),
        hash: to_hex(&recorded.hash),
        event,
    })
}

/// [`envelope`], taking the recorded event's texts rather than copying them.
pub fn envelope_owned(recorded: RecordedEvent) -> smes_projections::Result<Envelope> {
    let event = payload(&recorded).decode()?;
    Ok(Envelope {
        position: recorded.position,
        stream: recorded.stream,
        version: recorded.version,
        event_id: recorded.event_id,
        event_type: recorded.event_type,
        occurred_at: recorded.occurred_at,
        recorded_at: recorded.recorded_at,
        actor: recorded.metadata.actor,
        role: recorded.metadata.role,
        reason: recorded.metadata.reason,
        hash: to_hex(&recorded.hash),
        event,
    })
}

/// The part of a recorded event its decoding reads.
fn payload(recorded: &RecordedEvent) -> StoredPayload<'_> {
    StoredPayload {
        position: recorded.position,
        event_type: &recorded.event_type,
        schema_version: recorded.schema_version,
        text: recorded.payload.get(),
        occurred_at: recorded.occurred_at,
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;
    use smes_eventlog::{
        AppendRequest, EventStore, ExpectedVersion, Metadata, NewEvent, SqliteEventStore, StoreOptions, StreamName,
    };
    use smes_projections::{DomainEvent, Error};

    use super::*;

    /// The events of a fresh SQLite log holding, in one stream, events of these types and
    /// payloads, recorded by `actor-9` with a reason.
    async fn recorded(events: &[(&str, &str)]) -> Vec<RecordedEvent> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("log.db");
        let options = StoreOptions {
            create: true,
            ..StoreOptions::default()
        };
        let store = SqliteEventStore::open(&path.display().to_string(), options)
            .await
            .expect("the store opens");
        let occurred_at: Timestamp = "1975-10-17T00:00:00Z".parse().unwrap();
        let request = AppendRequest::new(
            StreamName::new("member-state-VE").unwrap(),
            ExpectedVersion::Any,
            events
                .iter()
                .map(|(event_type, payload)| NewEvent::new(*event_type, 1, *payload, occurred_at))
                .collect(),
            Metadata::new("actor-9", "secretariat", "import").with_reason("from the 1975 list"),
        );
        store.append(request).await.expect("the events append");
        store.read_all(1, 10).await.expect("the log reads")
    }

    #[tokio::test]
    async fn recorded_events_become_envelopes_and_unknown_types_name_their_position() {
        let joined = r#"{"code":"VE","name":"Venezuela","joined_on":"1975-10-17","source":"Panama Convention"}"#;
        let events = recorded(&[
            ("MemberStateJoined", joined),
            ("CometSighted", "{}"),
            ("MemberStateJoined", r#"{"code":"ve"}"#),
        ])
        .await;

        let read = envelope(&events[0]).unwrap();
        assert_eq!(read.position, 1);
        assert_eq!(read.stream, "member-state-VE");
        assert_eq!(read.event_id, events[0].event_id);
        assert_eq!(read.actor, "actor-9");
        assert_eq!(read.role, "secretariat");
        assert_eq!(read.reason.as_deref(), Some("from the 1975 list"));
        assert_eq!(read.occurred_at, events[0].occurred_at);
        assert_eq!(read.recorded_at, events[0].recorded_at);
        assert_eq!(read.hash, to_hex(&events[0].hash));
        assert!(matches!(read.event, DomainEvent::MemberState(_)));
        assert_eq!(envelope_owned(events[0].clone()).unwrap(), read);

        let unknown = envelope(&events[1]).unwrap_err();
        assert_eq!(
            unknown,
            Error::UnknownEventType {
                position: 2,
                event_type: "CometSighted".to_owned()
            }
        );
        assert_eq!(envelope_owned(events[1].clone()).unwrap_err(), unknown);
        let invalid = envelope(&events[2]).unwrap_err();
        assert!(matches!(invalid, Error::Decode { position: 3, .. }));
    }
}

//! What the codec's tests share: validating with sequential ids, a one-event request, and text
//! of every kind.

use proptest::prelude::*;

use super::validate::{ValidatedAppend, validate};
use crate::error::InvalidInput;
use crate::event::{AppendRequest, ExpectedVersion, Metadata, NewEvent, StreamName};

pub(super) fn validate_with_ids(request: AppendRequest) -> Result<ValidatedAppend, InvalidInput> {
    validate(request, &crate::clock::SequentialIds::default())
}

pub(super) fn request(payload: &str) -> AppendRequest {
    AppendRequest::new(
        StreamName::new("s-1").unwrap(),
        ExpectedVersion::Any,
        vec![NewEvent::new(
            "Happened",
            1,
            payload,
            "2013-05-01T12:00:00Z".parse().unwrap(),
        )],
        Metadata::new("actor-1", "secretariat", "test"),
    )
}

pub(super) fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9-]{1,20}",
        any::<String>(),
        Just("quote \" backslash \\ newline \n tab \t é ñ 中".to_owned()),
    ]
}

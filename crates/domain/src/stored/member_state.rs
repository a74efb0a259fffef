//! Stored shapes of the Member State events.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::stored_events;
use super::twin::twin_struct;
use crate::member_state::{MemberStateEvent, MemberStateJoined, MemberStateLeft};
use crate::values::MemberStateCode;

/// `MemberStateJoined` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberStateJoinedV1 {
    code: MemberStateCode,
    name: String,
    joined_on: Option<Date>,
    source: String,
}

/// `MemberStateLeft` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberStateLeftV1 {
    code: MemberStateCode,
    left_on: Option<Date>,
    source: String,
}

twin_struct!(MemberStateJoined => MemberStateJoinedV1 { code, name, joined_on, source });
twin_struct!(MemberStateLeft => MemberStateLeftV1 { code, left_on, source });

stored_events!("member-state", MemberStateEvent {
    Joined => "MemberStateJoined" v 1 MemberStateJoinedV1,
    Left => "MemberStateLeft" v 1 MemberStateLeftV1,
});

//! `smes member-state load`: the sourced membership history goes into any log, once.

mod support;

use support::{smes, stderr, stdout};

#[test]
fn the_membership_history_loads_once_into_any_log() {
    let dir = tempfile::tempdir().unwrap();
    assert!(smes(dir.path(), &["init"]).status.success());
    let first = smes(dir.path(), &["member-state", "load"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(
        stdout(&first),
        "membership history: 31 changes recorded, 0 already in the log\n"
    );
    let again = smes(dir.path(), &["member-state", "load"]);
    assert_eq!(
        stdout(&again),
        "membership history: 0 changes recorded, 31 already in the log\n"
    );

    let log = stdout(&smes(dir.path(), &["log"]));
    assert_eq!(log.lines().count(), 31);
    assert_eq!(log.matches(r#""type":"MemberStateJoined""#).count(), 28);
    assert_eq!(log.matches(r#""type":"MemberStateLeft""#).count(), 3);
    let history = stdout(&smes(dir.path(), &["history", "member-state-CR"]));
    assert!(history.contains("MemberStateLeft"), "{history}");
    assert!(stdout(&smes(dir.path(), &["verify"])).starts_with("verified 31 events"));
}

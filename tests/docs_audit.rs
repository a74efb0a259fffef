//! The auditor's guide shows a real checkpoint: it must verify with the public key printed
//! beside it, and fail with any other origin.

use smes_verify::{Checkpoint, NoteVerifier};

#[test]
fn the_example_checkpoint_in_the_guide_verifies() {
    let guide = include_str!("../docs/audit.md");
    let start = guide
        .find("```\nsela.int/smes\n")
        .expect("the example checkpoint block")
        + 4;
    let end = start + guide[start..].find("```").expect("the block's end");
    let note = &guide[start..end];
    let key_start = guide.find("`sela.int/smes+").expect("the example public key") + 1;
    let key_end = key_start + guide[key_start..].find('`').expect("the key's end");
    let verifier = NoteVerifier::parse(&guide[key_start..key_end]).expect("a verifier key");
    let checkpoint = Checkpoint::open(note, &verifier, "sela.int/smes").expect("the example verifies");
    assert!(checkpoint.size > 0);
    assert!(Checkpoint::open(note, &verifier, "other.example/log").is_err());
}

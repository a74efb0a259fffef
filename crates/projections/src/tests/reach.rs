//! The link index's rules: only the listed event types assert links, so building the index may
//! skip decoding every other event.

use proptest::prelude::*;

use super::generator;
use crate::reach::{links, may_link};

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn only_the_listed_event_types_assert_links(log in generator::log()) {
        for envelope in &log {
            let mut asserted = 0;
            links(envelope, |_, _| asserted += 1);
            prop_assert!(asserted == 0 || may_link(&envelope.event_type), "{} asserts links", envelope.event_type);
        }
    }
}

//! Checks on free text and lists shared by the deciders.

use crate::error::DomainError;

/// Refuses free text that is empty or only white space, or that holds a control character
/// other than newline and tab, naming the field.
pub fn require_text(field: &'static str, text: &str) -> Result<(), DomainError> {
    if text.trim().is_empty() {
        return Err(DomainError::EmptyField { field });
    }
    refuse_control_characters(field, text)
}

/// Refuses text that holds a control character other than newline and tab (ESC, BEL, NUL,
/// carriage return, DEL, the C1 controls...), naming the field and the character. Such
/// characters have no place in the programme's record, and printed raw they could rewrite a
/// terminal or hide text from a reader. Text that may be empty is checked with this alone.
pub fn refuse_control_characters(field: &'static str, text: &str) -> Result<(), DomainError> {
    match text.chars().find(|&character| is_refused_control(character)) {
        None => Ok(()),
        Some(character) => Err(DomainError::InvalidValue {
            field,
            value: excerpt(text),
            reason: format!(
                "control character U+{:04X} is not allowed in text (only newline and tab are)",
                u32::from(character)
            ),
        }),
    }
}

/// Whether `character` is a control character that text may not hold.
pub fn is_refused_control(character: char) -> bool {
    character.is_control() && character != '\n' && character != '\t'
}

/// The start of a long text, for a message.
fn excerpt(text: &str) -> String {
    const SHOWN: usize = 80;
    match text.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// Refuses an empty list, naming the field.
pub fn require_non_empty<T>(field: &'static str, items: &[T]) -> Result<(), DomainError> {
    if items.is_empty() {
        return Err(DomainError::EmptyField { field });
    }
    Ok(())
}

/// Refuses a list that holds the same value twice, naming the field and the value.
pub fn require_distinct<T: PartialEq + std::fmt::Display>(field: &'static str, items: &[T]) -> Result<(), DomainError> {
    for (index, item) in items.iter().enumerate() {
        if items[..index].contains(item) {
            return Err(DomainError::DuplicateEntry {
                field,
                value: item.to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_text_is_refused_with_its_field() {
        assert_eq!(require_text("venue", "Caracas"), Ok(()));
        assert_eq!(
            require_text("venue", "  \t"),
            Err(DomainError::EmptyField { field: "venue" })
        );
    }

    #[test]
    fn control_characters_other_than_newline_and_tab_are_refused_with_their_field() {
        assert_eq!(require_text("findings", "Two lines\n\twith a tab"), Ok(()));
        for character in ['\u{1b}', '\u{7}', '\0', '\r', '\u{7f}', '\u{9b}'] {
            let text = format!("Lima{character}[31m");
            let refused = require_text("venue", &text).unwrap_err();
            assert_eq!(
                refused,
                DomainError::InvalidValue {
                    field: "venue",
                    value: text,
                    reason: format!(
                        "control character U+{:04X} is not allowed in text (only newline and tab are)",
                        u32::from(character)
                    ),
                }
            );
        }
        assert_eq!(
            require_text("venue", "Lima\u{1b}").unwrap_err().to_string(),
            "invalid venue \"Lima\\u{1b}\": control character U+001B is not allowed in text (only newline and tab are)"
        );
        assert_eq!(refuse_control_characters("note", ""), Ok(()));
        let long = format!("{}\u{7}", "é".repeat(100));
        let DomainError::InvalidValue { value, .. } = refuse_control_characters("note", &long).unwrap_err() else {
            panic!("not an invalid value");
        };
        assert_eq!(value, format!("{}…", "é".repeat(80)));
    }

    proptest::proptest! {
        /// Any text is refused exactly when it is blank or holds a control character other
        /// than newline and tab.
        #[test]
        fn text_is_refused_exactly_for_blanks_and_control_characters(text in "\\PC*|.*[\\x00-\\x1f\\x7f-\\x9f].*") {
            let blank = text.trim().is_empty();
            let control = text.chars().any(|character| character.is_control() && character != '\n' && character != '\t');
            let refused = require_text("note", &text);
            proptest::prop_assert_eq!(refused.is_err(), blank || control, "{:?}: {:?}", text, refused);
            if let Err(DomainError::InvalidValue { field, .. }) = refused {
                proptest::prop_assert_eq!(field, "note");
            }
        }
    }

    #[test]
    fn lists_must_be_non_empty_and_distinct() {
        assert_eq!(
            require_non_empty::<u8>("participants", &[]),
            Err(DomainError::EmptyField { field: "participants" })
        );
        assert_eq!(require_distinct("codes", &[1, 2, 3]), Ok(()));
        assert_eq!(
            require_distinct("codes", &[1, 2, 1]),
            Err(DomainError::DuplicateEntry {
                field: "codes",
                value: "1".to_owned()
            })
        );
    }
}

//! Checks on free text and lists shared by the deciders.

use crate::error::DomainError;

/// Refuses free text that is empty or only white space, naming the field.
pub fn require_text(field: &'static str, text: &str) -> Result<(), DomainError> {
    if text.trim().is_empty() {
        return Err(DomainError::EmptyField { field });
    }
    Ok(())
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

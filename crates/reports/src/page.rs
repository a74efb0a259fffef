//! The last step of every HTML page the reports write: the markup's text, ending in a newline,
//! with no control character a browser must not be sent.

use maud::Markup;

/// `page` as the text of a file or response: every control character other than newline and
/// tab replaced by U+FFFD (text recorded before text fields refused them is still shown, but
/// no control character reaches a reader: HTML does not allow them), and a final newline.
pub fn html_text(page: Markup) -> String {
    let mut text = without_controls(page.into_string());
    text.push('\n');
    text
}

/// `text` with every control character other than newline and tab replaced by U+FFFD.
pub fn without_controls(text: String) -> String {
    let refused = smes_domain::values::is_refused_control;
    if !text.contains(refused) {
        return text;
    }
    text.chars()
        .map(|character| if refused(character) { '\u{fffd}' } else { character })
        .collect()
}

#[cfg(test)]
mod tests {
    use maud::{PreEscaped, html};

    use super::*;

    #[test]
    fn control_characters_never_reach_a_page() {
        let recorded = "Lima\u{1b}[2J\u{7}\r\u{0}";
        let page = html! { p { (recorded) } (PreEscaped("\n\t")) };
        assert_eq!(html_text(page), "<p>Lima\u{fffd}[2J\u{fffd}\u{fffd}\u{fffd}</p>\n\t\n");
    }

    #[test]
    fn text_without_control_characters_is_unchanged() {
        assert_eq!(without_controls("<p>Asunción</p>\n".to_owned()), "<p>Asunción</p>\n");
    }
}

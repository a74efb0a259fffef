//! A thin layer over quick-xml's writer: elements with attributes, text and IATI narratives,
//! indented, with every value escaped by the writer.

use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use smes_domain::values::Money;
use smes_reports::format::decimal;

use crate::error::{Error, Result};

/// An XML document being written.
pub(crate) struct Xml {
    writer: Writer<Vec<u8>>,
}

fn failed(error: std::io::Error) -> Error {
    Error::render("iati", error)
}

impl Xml {
    /// A document with its XML declaration.
    pub fn new() -> Result<Xml> {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        writer
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
            .map_err(failed)?;
        Ok(Xml { writer })
    }

    fn start<'a>(name: &'a str, attributes: &[(&'a str, &'a str)]) -> BytesStart<'a> {
        let mut start = BytesStart::new(name);
        for attribute in attributes {
            start.push_attribute(*attribute);
        }
        start
    }

    /// Opens an element.
    pub fn open(&mut self, name: &str, attributes: &[(&str, &str)]) -> Result<()> {
        self.writer
            .write_event(Event::Start(Self::start(name, attributes)))
            .map_err(failed)
    }

    /// Closes an element.
    pub fn close(&mut self, name: &str) -> Result<()> {
        self.writer.write_event(Event::End(BytesEnd::new(name))).map_err(failed)
    }

    /// An element with attributes only.
    pub fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) -> Result<()> {
        self.writer
            .write_event(Event::Empty(Self::start(name, attributes)))
            .map_err(failed)
    }

    /// An element with attributes and text.
    pub fn text(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) -> Result<()> {
        self.writer
            .write_event(Event::Start(Self::start(name, attributes)))
            .map_err(failed)?;
        self.writer
            // Only `<`, `>` and `&` need escaping in text; quotes stay readable.
            .write_event(Event::Text(BytesText::from_escaped(partial_escape(text))))
            .map_err(failed)?;
        self.close(name)
    }

    /// A `<narrative>` with text.
    pub fn narrative(&mut self, text: &str) -> Result<()> {
        self.text("narrative", &[], text)
    }

    /// An element holding one narrative.
    pub fn with_narrative(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) -> Result<()> {
        self.open(name, attributes)?;
        self.narrative(text)?;
        self.close(name)
    }

    /// A `<value>` of money: the amount as a decimal, its currency and value date.
    pub fn money(&mut self, money: &Money) -> Result<()> {
        let value_date = money.value_date().to_string();
        self.text(
            "value",
            &[("currency", money.currency().as_str()), ("value-date", &value_date)],
            &decimal(money.amount()),
        )
    }

    /// The document, with a final newline.
    pub fn finish(self) -> Result<String> {
        let mut bytes = self.writer.into_inner();
        bytes.push(b'\n');
        String::from_utf8(bytes).map_err(|error| Error::render("iati", error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut xml = Xml::new().unwrap();
        xml.text("t", &[("a", "x\"<&")], "a<b&c'd>").unwrap();
        let text = xml.finish().unwrap();
        assert!(
            text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            "{text}"
        );
        assert!(
            text.contains("<t a=\"x&quot;&lt;&amp;\">a&lt;b&amp;c'd&gt;</t>"),
            "{text}"
        );
    }
}

//! The lines of an import file, read with bounded memory.
//!
//! A line is held in memory only up to [`MAX_LINE_BYTES`]; a longer one is refused by its
//! number and read on to its end without being kept, so a file of any size (or a stream that
//! never ends a line) costs at most one line's worth of memory. Each line is checked on its
//! own: one that is not UTF-8 is refused by its number and the others are read as usual. A
//! UTF-8 byte-order mark at the start of the file is skipped. A NUL byte means the input is
//! not a text file at all (no JSON line can hold one), and reading stops there.

use std::io::BufRead;

/// The longest line an import file may have, in bytes, without its line ending: 1 MiB.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The UTF-8 byte-order mark, which some editors write at the start of a file.
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// Why one line was refused before it was parsed; the lines after it are still read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineRefused {
    /// The line is longer than the limit.
    TooLong {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The line is not valid UTF-8.
    NotUtf8 {
        /// The first invalid byte.
        byte: u8,
        /// Where it is, counting from 1.
        offset: usize,
    },
}

impl std::fmt::Display for LineRefused {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineRefused::TooLong { limit } => write!(
                formatter,
                "the line is longer than {limit} bytes, the longest an import line may be; it was skipped"
            ),
            LineRefused::NotUtf8 { byte, offset } => write!(
                formatter,
                "the line is not UTF-8 text: invalid byte 0x{byte:02x} at byte {offset} of the line; it was skipped"
            ),
        }
    }
}

/// Why reading stopped before the end of the input.
#[derive(Debug)]
pub enum ReadStopped {
    /// The input could not be read.
    Io {
        /// The line being read.
        line: usize,
        /// Why.
        source: std::io::Error,
    },
    /// The input holds a NUL byte: it is not a JSON Lines text file.
    NotText {
        /// The line.
        line: usize,
        /// Where the NUL byte is, counting from 1.
        offset: usize,
    },
}

impl std::fmt::Display for ReadStopped {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadStopped::Io { line, .. } => write!(formatter, "cannot read line {line}"),
            ReadStopped::NotText { line, offset } => write!(
                formatter,
                "line {line} holds a NUL byte (at byte {offset} of the line): this is not a JSON Lines text file, so the import stopped there"
            ),
        }
    }
}

impl std::error::Error for ReadStopped {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadStopped::Io { source, .. } => Some(source),
            ReadStopped::NotText { .. } => None,
        }
    }
}

/// One line read: its number (counting every line from 1) and its text, or why it was refused.
pub type Line = (usize, Result<String, LineRefused>);

/// Reads the lines of `reader` one at a time, holding at most [`MAX_LINE_BYTES`] of one.
#[derive(Debug)]
pub struct Lines<R> {
    reader: R,
    limit: usize,
    number: usize,
    bytes_read: u64,
    ended: bool,
}

impl<R: BufRead> Lines<R> {
    /// Lines of `reader` with the import's limit.
    pub fn new(reader: R) -> Self {
        Self::with_limit(reader, MAX_LINE_BYTES)
    }

    /// Lines of `reader` refusing those longer than `limit` bytes.
    pub fn with_limit(reader: R, limit: usize) -> Self {
        Lines {
            reader,
            limit,
            number: 0,
            bytes_read: 0,
            ended: false,
        }
    }

    /// How many bytes of the input were read so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// The next line, `None` at the end of the input.
    pub fn next_line(&mut self) -> Result<Option<Line>, ReadStopped> {
        if self.ended {
            return Ok(None);
        }
        let line = self.number + 1;
        let mut text = Vec::new();
        let mut length = 0usize;
        let mut started = false;
        loop {
            let available = self
                .reader
                .fill_buf()
                .map_err(|source| ReadStopped::Io { line, source })?;
            if available.is_empty() {
                self.ended = true;
                if !started {
                    return Ok(None);
                }
                break;
            }
            started = true;
            let (part, ends_line) = match available.iter().position(|&byte| byte == b'\n') {
                Some(end) => (&available[..end], true),
                None => (available, false),
            };
            if let Some(at) = part.iter().position(|&byte| byte == 0) {
                return Err(ReadStopped::NotText {
                    line,
                    offset: length + at + 1,
                });
            }
            length += part.len();
            // One byte over the limit is kept for a carriage return ending the line.
            if length <= self.limit + 1 {
                text.extend_from_slice(part);
            } else if !text.is_empty() {
                // Too long: nothing more of it is kept, it is only read to its end.
                text = Vec::new();
            }
            let consumed = part.len() + usize::from(ends_line);
            self.reader.consume(consumed);
            self.bytes_read += consumed as u64;
            if ends_line {
                break;
            }
        }
        self.number = line;
        if length <= self.limit + 1 && text.ends_with(b"\r") {
            text.pop();
            length -= 1;
        }
        if length > self.limit {
            return Ok(Some((line, Err(LineRefused::TooLong { limit: self.limit }))));
        }
        if line == 1 && text.starts_with(BYTE_ORDER_MARK) {
            text.drain(..BYTE_ORDER_MARK.len());
        }
        Ok(Some((line, String::from_utf8(text).map_err(not_utf8))))
    }
}

fn not_utf8(error: std::string::FromUtf8Error) -> LineRefused {
    let offset = error.utf8_error().valid_up_to();
    LineRefused::NotUtf8 {
        byte: error.as_bytes()[offset],
        offset: offset + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of `input` read with `limit`, or where reading stopped.
    fn read(input: &[u8], limit: usize) -> (Vec<Line>, Option<String>) {
        // A small buffer, so lines cross the reader's refills.
        let mut lines = Lines::with_limit(std::io::BufReader::with_capacity(4, input), limit);
        let mut read = Vec::new();
        loop {
            match lines.next_line() {
                Ok(Some(line)) => read.push(line),
                Ok(None) => return (read, None),
                Err(stopped) => return (read, Some(stopped.to_string())),
            }
        }
    }

    fn text(number: usize, line: &str) -> Line {
        (number, Ok(line.to_owned()))
    }

    #[test]
    fn lines_are_numbered_from_one_with_their_endings_removed() {
        let (lines, stopped) = read(b"first\r\n\nthird line\nlast", 100);
        assert_eq!(
            lines,
            [text(1, "first"), text(2, ""), text(3, "third line"), text(4, "last")]
        );
        assert_eq!(stopped, None);
        assert_eq!(read(b"", 100), (Vec::new(), None));
        assert_eq!(read(b"one\n", 100), (vec![text(1, "one")], None));
    }

    #[test]
    fn a_byte_order_mark_opening_the_file_is_skipped() {
        let (lines, _) = read(b"\xEF\xBB\xBF{\"a\":1}\n\xEF\xBB\xBFsecond", 100);
        // Only the file's start: elsewhere it is the line's own content.
        assert_eq!(lines, [text(1, "{\"a\":1}"), text(2, "\u{feff}second")]);
    }

    #[test]
    fn a_line_longer_than_the_limit_is_refused_and_the_next_is_read() {
        let long = "x".repeat(11);
        let input = format!("0123456789\n{long}\n{long}{long}{long}\nafter\n");
        let (lines, stopped) = read(input.as_bytes(), 10);
        let too_long = Err(LineRefused::TooLong { limit: 10 });
        assert_eq!(
            lines,
            [
                text(1, "0123456789"),
                (2, too_long.clone()),
                (3, too_long),
                text(4, "after")
            ]
        );
        assert_eq!(stopped, None);
        // The carriage return of a line ending is not part of the line.
        assert_eq!(read(b"0123456789\r\n", 10).0, [text(1, "0123456789")]);
    }

    #[test]
    fn a_line_that_is_not_utf8_is_refused_by_its_number_and_the_others_are_read() {
        let (lines, stopped) = read(b"good\nbad \xff byte\n\xc3\xa9t\xc3\xa9\n", 100);
        assert_eq!(
            lines,
            [
                text(1, "good"),
                (2, Err(LineRefused::NotUtf8 { byte: 0xff, offset: 5 })),
                text(3, "été"),
            ]
        );
        assert_eq!(stopped, None);
    }

    #[test]
    fn a_nul_byte_stops_reading_with_the_line_and_where() {
        let (lines, stopped) = read(b"good\nab\0cd\nnever read\n", 100);
        assert_eq!(lines, [text(1, "good")]);
        assert_eq!(
            stopped.as_deref(),
            Some(
                "line 2 holds a NUL byte (at byte 3 of the line): this is not a JSON Lines text file, so the import stopped there"
            )
        );
    }

    #[test]
    fn an_endless_line_of_nul_bytes_stops_at_once() {
        let mut lines = Lines::new(std::io::BufReader::new(std::io::repeat(0)));
        assert!(matches!(
            lines.next_line(),
            Err(ReadStopped::NotText { line: 1, offset: 1 })
        ));
    }

    #[test]
    fn memory_stays_bounded_on_an_endless_line() {
        // An endless line without NUL bytes: reading a few limits' worth keeps nothing of it.
        let mut lines = Lines::with_limit(
            std::io::BufReader::new(std::io::Read::take(std::io::repeat(b'x'), 5_000_000)),
            1000,
        );
        assert_eq!(
            lines.next_line().unwrap(),
            Some((1, Err(LineRefused::TooLong { limit: 1000 })))
        );
        assert_eq!(lines.bytes_read(), 5_000_000);
        assert_eq!(lines.next_line().unwrap(), None);
    }
}

//! Rows streamed with `COPY … FROM STDIN (FORMAT binary)`: how a large append sends its events
//! to the staging table (one stream of bytes the server parses without planning a statement or
//! unpacking arrays), from which `smes_append_write` checks and moves them into the log.
//!
//! PostgreSQL's binary COPY format: an 11-byte signature, a flags word and a header extension
//! length (both zero), then for each row the number of fields (16-bit) and each field as its
//! length (32-bit) followed by its bytes in the type's binary form (`bigint`: 8 bytes
//! big-endian; `text`: the UTF-8 bytes exactly, so a record arrives byte for byte as it was
//! hashed; `bytea`: the bytes), then -1 as a 16-bit trailer. All integers are big-endian.

use sqlx::PgConnection;
use sqlx::postgres::PgCopyIn;

use crate::error::Result;

const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

/// The bytes of one binary COPY, built row by row.
pub(crate) struct CopyRows {
    data: Vec<u8>,
    fields: i16,
    rows: usize,
}

impl CopyRows {
    /// An empty COPY of rows of `fields` fields, with room for about `bytes` bytes.
    pub(crate) fn new(fields: i16, bytes: usize) -> Self {
        let mut data = Vec::with_capacity(bytes + SIGNATURE.len() + 10);
        data.extend_from_slice(SIGNATURE);
        data.extend_from_slice(&0i32.to_be_bytes());
        data.extend_from_slice(&0i32.to_be_bytes());
        CopyRows { data, fields, rows: 0 }
    }

    /// Starts a row; its fields follow, in the statement's column order.
    pub(crate) fn row(&mut self) -> &mut Self {
        self.data.extend_from_slice(&self.fields.to_be_bytes());
        self.rows += 1;
        self
    }

    pub(crate) fn bigint(&mut self, value: i64) -> &mut Self {
        self.data.extend_from_slice(&8i32.to_be_bytes());
        self.data.extend_from_slice(&value.to_be_bytes());
        self
    }

    pub(crate) fn text(&mut self, value: &str) -> &mut Self {
        self.bytes(value.as_bytes())
    }

    pub(crate) fn bytes(&mut self, value: &[u8]) -> &mut Self {
        // Records are at most a few MiB (payloads ≤ 1 MiB), far below a field's 1 GiB limit.
        let length = i32::try_from(value.len()).expect("a field shorter than 2 GiB");
        self.data.extend_from_slice(&length.to_be_bytes());
        self.data.extend_from_slice(value);
        self
    }
}

/// A binary COPY sent while its rows are still being built: each [`flush`](Self::flush) sends
/// the rows built so far, and the server parses them while the caller builds the next ones.
pub(crate) struct CopyIn<'c> {
    copy: Option<PgCopyIn<&'c mut PgConnection>>,
    rows: CopyRows,
}

impl<'c> CopyIn<'c> {
    /// Starts `statement` (a `COPY table (columns) FROM STDIN (FORMAT binary)`) on `connection`,
    /// for rows of `fields` fields.
    pub(crate) async fn start(connection: &'c mut PgConnection, statement: &str, fields: i16) -> Result<CopyIn<'c>> {
        let copy = connection.copy_in_raw(statement).await?;
        Ok(CopyIn {
            copy: Some(copy),
            rows: CopyRows::new(fields, 1 << 20),
        })
    }

    /// The rows not sent yet, to add to.
    pub(crate) fn rows(&mut self) -> &mut CopyRows {
        &mut self.rows
    }

    /// Sends the rows built so far.
    pub(crate) async fn flush(&mut self) -> Result<()> {
        if self.rows.data.is_empty() {
            return Ok(());
        }
        let data = std::mem::replace(&mut self.rows.data, Vec::with_capacity(1 << 20));
        let copy = self.copy.as_mut().expect("a COPY under way");
        if let Err(error) = copy.send(data).await {
            // The connection is unusable mid-COPY: abort it (the transaction then rolls back).
            if let Some(copy) = self.copy.take() {
                let _ = copy.abort("sending the rows failed").await;
            }
            return Err(error.into());
        }
        Ok(())
    }

    /// Sends the last rows and the trailer, and ends the COPY.
    pub(crate) async fn finish(mut self) -> Result<()> {
        self.rows.data.extend_from_slice(&(-1i16).to_be_bytes());
        self.flush().await?;
        self.copy.take().expect("a COPY under way").finish().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_laid_out_as_the_binary_copy_format_says() {
        let mut rows = CopyRows::new(3, 0);
        rows.row().bigint(258).text("é").bytes(&[0xff]);
        assert_eq!(rows.rows, 1);
        let mut expected = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0".to_vec();
        expected.extend_from_slice(&[0, 3]);
        expected.extend_from_slice(&[0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 1, 2]);
        expected.extend_from_slice(&[0, 0, 0, 2, 0xc3, 0xa9]);
        expected.extend_from_slice(&[0, 0, 0, 1, 0xff]);
        assert_eq!(rows.data, expected);
    }
}

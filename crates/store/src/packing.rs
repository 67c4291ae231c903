//! Journals are stored LZ4-compressed. A run's journal repeats itself (each node's output
//! carries most of its input), so it shrinks to a fraction: a 2.3 KB journal takes about a
//! quarter of a 4 KiB page instead of the whole page, and every commit writes that much less
//! to the WAL and again at the checkpoint. Short journals stay plain text, and rows written
//! before compression (plain text) read back as they are.

use sqlx::Sqlite;

use crate::{Result, StoreError};

/// Journals shorter than this are stored as text: compressing them would save too little.
const PACK_FROM: usize = 512;
/// The largest journal a stored size may claim (a damaged row must not allocate without bound).
const MAX_JOURNAL: usize = 256 * 1024 * 1024;

/// What is written to the `journal` column: text, or a blob holding the compressed text.
/// Bound as it is (`push_bind(pack(journal))`).
pub(crate) enum Packed<'a> {
    Text(&'a str),
    Blob(Vec<u8>),
}

impl<'q> sqlx::Encode<'q, Sqlite> for Packed<'q> {
    fn encode_by_ref(
        &self,
        buf: &mut <Sqlite as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> std::result::Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        match self {
            Packed::Text(t) => <&str as sqlx::Encode<Sqlite>>::encode_by_ref(t, buf),
            Packed::Blob(b) => <Vec<u8> as sqlx::Encode<Sqlite>>::encode_by_ref(b, buf),
        }
    }
}

impl sqlx::Type<Sqlite> for Packed<'_> {
    fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
        <str as sqlx::Type<Sqlite>>::type_info()
    }
    fn compatible(_: &sqlx::sqlite::SqliteTypeInfo) -> bool {
        true
    }
}

pub(crate) fn pack(journal: &str) -> Packed<'_> {
    if journal.len() < PACK_FROM {
        Packed::Text(journal)
    } else {
        Packed::Blob(lz4_flex::block::compress_prepend_size(journal.as_bytes()))
    }
}

/// The journal text of a row, given the column's bytes and whether SQLite holds them as a blob.
pub(crate) fn unpack(bytes: Vec<u8>, is_blob: bool) -> Result<String> {
    let corrupt = |why: String| StoreError::Corrupt(format!("journal: {why}"));
    let text = if is_blob {
        let claimed = bytes
            .get(..4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or_else(|| corrupt("too short".into()))?;
        if claimed > MAX_JOURNAL {
            return Err(corrupt(format!("claims {claimed} bytes")));
        }
        lz4_flex::block::decompress_size_prepended(&bytes).map_err(|e| corrupt(e.to_string()))?
    } else {
        bytes
    };
    String::from_utf8(text).map_err(|e| corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_journals_shrink_and_read_back_and_short_ones_stay_text() {
        let node = r#"{"id":"normalise","status":"succeeded","output":{"email":"ada@example.com","name":"Ada"}}"#;
        let journal = format!("{{\"nodes\":[{}]}}", vec![node; 20].join(","));
        let Packed::Blob(blob) = pack(&journal) else {
            panic!("a long journal is compressed")
        };
        assert!(
            blob.len() * 4 < journal.len(),
            "{} -> {}",
            journal.len(),
            blob.len()
        );
        assert_eq!(unpack(blob, true).unwrap(), journal);

        let short = r#"{"nodes":[]}"#;
        assert!(matches!(pack(short), Packed::Text(t) if t == short));
        assert_eq!(unpack(short.as_bytes().to_vec(), false).unwrap(), short);
    }

    #[test]
    fn a_damaged_blob_is_an_error_not_a_huge_allocation() {
        let mut blob = u32::MAX.to_le_bytes().to_vec();
        blob.extend_from_slice(b"garbage");
        assert_eq!(unpack(blob, true).unwrap_err().code(), "corrupt_data");
        assert_eq!(unpack(vec![1, 2], true).unwrap_err().code(), "corrupt_data");
        let Packed::Blob(mut blob) = pack(&"x".repeat(2000)) else {
            panic!()
        };
        blob.truncate(blob.len() / 2);
        assert_eq!(unpack(blob, true).unwrap_err().code(), "corrupt_data");
    }
}

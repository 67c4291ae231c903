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
        return Packed::Text(journal);
    }
    thread_local! {
        // The compressor's hash table, cleared for each journal instead of allocated zeroed.
        static TABLE: std::cell::RefCell<lz4_flex::block::CompressTable> = Default::default();
    }
    let input = journal.as_bytes();
    // The same layout as `compress_prepend_size`: the length, little-endian, then the block.
    let mut blob = vec![0u8; 4 + lz4_flex::block::get_maximum_output_size(input.len())];
    blob[..4].copy_from_slice(&(input.len() as u32).to_le_bytes());
    let written = TABLE.with_borrow_mut(|table| {
        lz4_flex::block::compress_into_with_table(input, &mut blob[4..], table)
    });
    match written {
        Ok(n) => {
            blob.truncate(4 + n);
            Packed::Blob(blob)
        }
        // Not reachable with a buffer of the maximum size; kept as text rather than lost.
        Err(_) => Packed::Text(journal),
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

    /// One thread packs journal after journal with the same hash table, small ones and one past
    /// 64 KiB (which needs the larger table); each blob is whole, in the stored format (the
    /// length, then an LZ4 block, as `compress_prepend_size` writes it), and compressed as well
    /// as a fresh compressor would.
    #[test]
    fn journals_packed_one_after_another_are_each_whole_and_in_the_stored_format() {
        let node = |i: usize| {
            format!(
                r#"{{"id":"n{i}","status":"succeeded","output":{{"email":"lead{i}@example.com","score":{i}}}}}"#
            )
        };
        let journal = |n: usize| {
            let nodes: Vec<String> = (0..n).map(node).collect();
            format!("{{\"nodes\":[{}]}}", nodes.join(","))
        };
        for text in [
            journal(10),
            journal(1500),
            journal(12),
            journal(40),
            journal(8),
        ] {
            let Packed::Blob(blob) = pack(&text) else {
                panic!("{} bytes stay text", text.len())
            };
            let fresh = lz4_flex::block::compress_prepend_size(text.as_bytes());
            assert!(
                blob.len() <= fresh.len() + fresh.len() / 20,
                "{} > {}",
                blob.len(),
                fresh.len()
            );
            assert_eq!(
                lz4_flex::block::decompress_size_prepended(&blob).unwrap(),
                text.as_bytes()
            );
            assert_eq!(unpack(blob, true).unwrap(), text);
        }
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

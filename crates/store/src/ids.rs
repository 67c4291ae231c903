//! Identifiers that carry their row's key: a prefix, `_`, and 19 digits that are the `seq` of the
//! event or run row (milliseconds since 2020 times 2^20, plus a counter). They sort by creation
//! time, and a row is found by its id through the table itself: no index of ids is written
//! with every commit (migration 0005).
//!
//! Ids made otherwise (before that migration, or given by a caller) get a key below
//! [`NATIVE_FROM`] from the writer, and a partial index of ids finds those rows.

use std::sync::atomic::{AtomicI64, Ordering};

/// 2020-01-01T00:00:00Z in Unix milliseconds.
const EPOCH_MS: i64 = 1_577_836_800_000;
/// Ids made within one millisecond: beyond this many, the next millisecond's keys are used.
const COUNTER_BITS: u32 = 20;
const DIGITS: usize = 19;
/// Keys from here up belong to ids made by [`new_id`]; below, to rows found by the partial
/// index `WHERE seq < 1099511627776` (the same number, as SQL needs it written out).
pub(crate) const NATIVE_FROM: i64 = 1 << 40;
/// The condition, on a table's `seq`, of the partial index of ids made otherwise. A query that
/// should use that index repeats it word for word.
pub(crate) const OTHER_IDS: &str = "seq < 1099511627776";

/// The last key handed out in this process (or seen in a store it opened: [`saw`]).
static LAST: AtomicI64 = AtomicI64::new(0);

/// `evt_0229153874653806592` style: readable, unique, ordered by time, and the row's key.
pub fn new_id(prefix: &str) -> String {
    let ms = (crate::now_ms() - EPOCH_MS).max(0);
    let floor = (ms << COUNTER_BITS).max(NATIVE_FROM);
    let next = |last: i64| (last + 1).max(floor);
    let last = LAST
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| Some(next(l)))
        .expect("the update always gives a value");
    let seq = next(last);
    let mut id = String::with_capacity(prefix.len() + 1 + DIGITS);
    id.push_str(prefix);
    id.push('_');
    push_digits(&mut id, seq as u64);
    id
}

/// Keys already used by a store being opened: ids made afterwards in this process come after
/// them, even if the clock went back since they were made.
pub(crate) fn saw(max_seq: i64) {
    LAST.fetch_max(max_seq, Ordering::Relaxed);
}

/// The row key an id made by [`new_id`] carries; `None` for any other id.
pub(crate) fn seq_of(id: &str) -> Option<i64> {
    let cut = id.len().checked_sub(DIGITS + 1)?;
    let (head, digits) = id.split_at(cut);
    let digits = digits.strip_prefix('_')?;
    if head.contains('_') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().filter(|s| *s >= NATIVE_FROM)
}

/// `n` in decimal, zero-padded to 19 digits (what `{n:019}` gives, without the formatting
/// machinery: an id is made for every event and run).
fn push_digits(s: &mut String, mut n: u64) {
    let mut buf = [b'0'; DIGITS];
    for d in buf.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    s.push_str(std::str::from_utf8(&buf).expect("ascii digits"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_prefixed_ordered_and_carry_their_key() {
        let ids: Vec<String> = (0..1000).map(|_| new_id("evt")).collect();
        for pair in ids.windows(2) {
            assert!(pair[0] < pair[1], "{} then {}", pair[0], pair[1]);
            assert!(seq_of(&pair[0]) < seq_of(&pair[1]));
        }
        let a = &ids[0];
        assert!(a.starts_with("evt_") && a.len() == 4 + DIGITS, "{a}");
        let seq = seq_of(a).expect("a key");
        assert!(seq >= NATIVE_FROM);
        assert_eq!(&a[4..], format!("{seq:019}"));
        // Milliseconds since 2020 in the high bits.
        let ms = (seq >> COUNTER_BITS) + EPOCH_MS;
        assert!((crate::now_ms() - ms).abs() < 60_000, "{ms}");
    }

    #[test]
    fn ids_made_after_a_store_was_seen_come_after_its_keys() {
        // A second ahead of this clock (other tests make ids meanwhile: they stay in order).
        let ahead = (crate::now_ms() - EPOCH_MS + 1000) << COUNTER_BITS;
        saw(ahead);
        assert!(seq_of(&new_id("run")).expect("a key") > ahead);
    }

    #[test]
    fn other_ids_carry_no_key() {
        for id in [
            "evt_01a22d3be57cc3f8c32149", // made before migration 0005
            "r1",
            "",
            "evt_0000000000000000012", // below NATIVE_FROM
            "evt_12345678901234567x9",
            "a_b_1234567890123456789",
            "evt-1234567890123456789",
            "evt_99999999999999999999",
        ] {
            assert_eq!(seq_of(id), None, "{id}");
        }
        assert_eq!(
            seq_of("evt_1234567890123456789"),
            Some(1_234_567_890_123_456_789)
        );
    }

    #[test]
    fn digits_are_what_formatting_gives() {
        for n in [0u64, 7, 1 << 40, i64::MAX as u64] {
            let mut s = String::new();
            push_digits(&mut s, n);
            assert_eq!(s, format!("{n:019}"));
        }
    }
}

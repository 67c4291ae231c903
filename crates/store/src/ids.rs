//! Identifiers that sort by creation time: a prefix, 12 hex digits of milliseconds, 10 random.

/// `evt_0194c3b1a2f0a1b2c3d4e5` style: readable, unique, ordered by time.
pub fn new_id(prefix: &str) -> String {
    let ms = crate::now_ms() as u64 & 0xffff_ffff_ffff;
    let rand = fastrand::u64(..) & 0xff_ffff_ffff;
    let mut id = String::with_capacity(prefix.len() + 23);
    id.push_str(prefix);
    id.push('_');
    push_hex(&mut id, ms, 12);
    push_hex(&mut id, rand, 10);
    id
}

/// The low `digits` hex digits of `n`, zero-padded (what `{n:0digits$x}` gives, without the
/// formatting machinery: an id is made for every event and run).
fn push_hex(s: &mut String, n: u64, digits: u32) {
    for shift in (0..digits).rev() {
        let d = ((n >> (shift * 4)) & 0xf) as u32;
        s.push(char::from_digit(d, 16).expect("a hex digit"));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_unique_and_prefixed() {
        let a = super::new_id("evt");
        let b = super::new_id("evt");
        assert_ne!(a, b);
        assert!(a.starts_with("evt_") && a.len() == 4 + 22);
    }

    #[test]
    fn hex_digits_are_what_formatting_gives() {
        for (n, digits) in [
            (0u64, 12),
            (0xabc, 12),
            (0xffff_ffff_ffff, 12),
            (0x12_3456_789a, 10),
        ] {
            let mut s = String::new();
            super::push_hex(&mut s, n, digits);
            assert_eq!(s, format!("{n:0w$x}", w = digits as usize));
        }
    }
}

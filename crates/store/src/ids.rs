//! Identifiers that sort by creation time: a prefix, 12 hex digits of milliseconds, 10 random.

/// `evt_0194c3b1a2f0a1b2c3d4e5` style: readable, unique, ordered by time.
pub fn new_id(prefix: &str) -> String {
    let ms = crate::now_ms() as u64 & 0xffff_ffff_ffff;
    let rand = fastrand::u64(..) & 0xff_ffff_ffff;
    format!("{prefix}_{ms:012x}{rand:010x}")
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
}

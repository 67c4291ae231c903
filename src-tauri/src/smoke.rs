//! Smoke mode: with `SWITCHYARD_SMOKE_EXIT=1` the app exits as soon as the UI has loaded and
//! talked to Rust, so a test under Xvfb can prove the real window works end to end.

/// The environment variable that turns smoke mode on.
pub const SMOKE_ENV: &str = "SWITCHYARD_SMOKE_EXIT";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmokeMode {
    enabled: bool,
}

impl SmokeMode {
    pub fn from_env() -> Self {
        Self::from_value(std::env::var(SMOKE_ENV).ok().as_deref())
    }

    fn from_value(value: Option<&str>) -> Self {
        let enabled = matches!(value.map(str::trim), Some("1" | "true" | "yes"));
        Self { enabled }
    }

    /// `None` outside smoke mode; otherwise whether the UI showed the expected version.
    pub fn check(self, expected_version: &str, shown_version: &str) -> Option<Result<(), String>> {
        if !self.enabled {
            return None;
        }
        if expected_version == shown_version {
            Some(Ok(()))
        } else {
            Some(Err(format!(
                "the UI shows version {shown_version:?}, expected {expected_version:?}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoke_mode_is_off_unless_the_variable_says_so() {
        assert!(!SmokeMode::from_value(None).enabled);
        assert!(!SmokeMode::from_value(Some("")).enabled);
        assert!(!SmokeMode::from_value(Some("0")).enabled);
        assert!(SmokeMode::from_value(Some("1")).enabled);
        assert!(SmokeMode::from_value(Some("true")).enabled);
    }

    #[test]
    fn check_passes_only_when_the_ui_shows_the_expected_version() {
        let on = SmokeMode::from_value(Some("1"));
        assert_eq!(on.check("0.1.0", "0.1.0"), Some(Ok(())));
        assert!(matches!(on.check("0.1.0", "0.0.0"), Some(Err(_))));
        assert_eq!(SmokeMode::from_value(None).check("0.1.0", "0.0.0"), None);
    }
}

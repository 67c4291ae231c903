//! Cron schedules read in a time zone: when a Schedule trigger fires next.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;

/// A parsed cron expression and the time zone it is read in.
#[derive(Debug, Clone)]
pub struct Schedule {
    cron: Cron,
    tz: Tz,
}

/// Which setting of a schedule is wrong, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleError {
    pub field: &'static str,
    pub message: String,
}

impl Schedule {
    pub fn parse(cron: &str, timezone: &str) -> Result<Schedule, ScheduleError> {
        let tz = Tz::from_str(timezone.trim()).map_err(|_| ScheduleError {
            field: "timezone",
            message: format!(
                "\"{timezone}\" is not a time zone; use a name such as UTC, Europe/Paris or America/New_York"
            ),
        })?;
        let cron = Cron::from_str(cron.trim()).map_err(|e| ScheduleError {
            field: "cron",
            message: format!(
                "\"{cron}\" is not a cron schedule ({e}); write five parts: minute hour day-of-month month weekday, e.g. 0 9 * * MON-FRI"
            ),
        })?;
        Ok(Schedule { cron, tz })
    }

    /// The first time strictly after `t` that the schedule fires.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = t.with_timezone(&self.tz);
        self.cron
            .find_next_occurrence(&local, false)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn next_fire_time_is_read_in_the_schedule_time_zone() {
        // 9:00 in Paris is 8:00 UTC in winter.
        let s = Schedule::parse("0 9 * * *", "Europe/Paris").unwrap();
        assert_eq!(
            s.next_after(at("2026-11-24T07:00:00Z")),
            Some(at("2026-11-24T08:00:00Z"))
        );
        assert_eq!(
            s.next_after(at("2026-11-24T08:00:00Z")),
            Some(at("2026-11-25T08:00:00Z")),
            "strictly after"
        );
        let weekdays = Schedule::parse("30 8 * * MON-FRI", "UTC").unwrap();
        // 2026-11-28 is a Saturday: the next run is Monday the 30th.
        assert_eq!(
            weekdays.next_after(at("2026-11-27T09:00:00Z")),
            Some(at("2026-11-30T08:30:00Z"))
        );
    }

    #[test]
    fn bad_settings_name_the_field() {
        assert_eq!(Schedule::parse("0 9 * *", "UTC").unwrap_err().field, "cron");
        assert_eq!(
            Schedule::parse("61 * * * *", "UTC").unwrap_err().field,
            "cron"
        );
        let e = Schedule::parse("0 9 * * *", "Mars/Olympus").unwrap_err();
        assert_eq!(e.field, "timezone");
        assert!(e.message.contains("Mars/Olympus"));
    }
}

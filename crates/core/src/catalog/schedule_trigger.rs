use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        fields: vec![
            field(
                "cron",
                "When",
                FieldType::Text,
                "A cron schedule: minute hour day-of-month month weekday. 0 9 * * MON-FRI is 9:00 on weekdays; */15 * * * * is every 15 minutes.",
            )
            .required(),
            field(
                "timezone",
                "Time zone",
                FieldType::Text,
                "The time zone the schedule is read in, e.g. Europe/Paris or America/New_York.",
            )
            .default("UTC".into()),
            field(
                "missed",
                "Missed runs",
                select(&[
                    ("skip", "Skip them"),
                    ("run_once", "Run once on start"),
                ]),
                "What to do on start when runs were due while Switchyard was not running.",
            )
            .default("skip".into()),
            field(
                "payload",
                "Event data",
                FieldType::Json,
                "Extra data each run starts with, next to scheduled_for and fired_at.",
            ),
        ],
        output_keys: Some(vec!["scheduled_for".into(), "fired_at".into()]),
        ..trigger(
            NodeKind::ScheduleTrigger,
            "Schedule",
            "Starts the workflow at set times: every hour, every weekday at 9, on the 1st of the month.",
        )
    }
}

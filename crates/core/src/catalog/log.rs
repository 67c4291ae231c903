use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        fields: vec![
            field(
                "message",
                "Message",
                FieldType::Template { multiline: true },
                "For example: New lead {{ event.email }}",
            )
            .required(),
            field(
                "level",
                "Level",
                select(&[("info", "Info"), ("warn", "Warning"), ("error", "Error")]),
                "How important the line is.",
            )
            .default("info".into()),
        ],
        ..step(
            NodeKind::Log,
            "Log",
            Category::Utilities,
            "Writes a line to the run's log and passes the data on unchanged.",
        )
    }
}

use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        kind: NodeKind::Log,
        title: "Log".into(),
        category: Category::Utilities,
        description: "Writes a line to the run's log and passes the data on unchanged.".into(),
        inputs: input(),
        outputs: output(),
        dynamic_outputs: None,
        error_port: true,
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
        output_keys: None,
    }
}

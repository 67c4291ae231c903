use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        dynamic_outputs: Some(DynamicOutputs {
            field: "labels".into(),
            name_key: "name".into(),
        }),
        fields: vec![
            ai::provider(),
            ai::model(),
            field(
                "text",
                "Text to classify",
                ai::multiline(),
                "For example: {{ event.message }}",
            )
            .required(),
            field(
                "labels",
                "Labels",
                FieldType::List {
                    fields: vec![
                        field(
                            "name",
                            "Label",
                            FieldType::Text,
                            "One word in lowercase, e.g. hot. Each label is also an output of the node.",
                        )
                        .required(),
                        field(
                            "description",
                            "Meaning",
                            FieldType::Text,
                            "What this label means, in your own words.",
                        ),
                        field(
                            "examples",
                            "Examples",
                            FieldType::Text,
                            "Typical texts that get this label, one per line. The more, the better.",
                        ),
                        field(
                            "keywords",
                            "Keywords",
                            FieldType::Text,
                            "Words that strongly point to this label, separated by commas, e.g. urgent, ready to buy.",
                        ),
                    ],
                },
                "The choices. The node picks exactly one and sends the data to its output.",
            )
            .required(),
            ai::attempts(),
        ],
        output_keys: Some(
            ["label", "confidence", "reason", "provider", "model", "usage"]
                .map(String::from)
                .to_vec(),
        ),
        ..step(
            NodeKind::AiClassify,
            "AI classify",
            Category::Ai,
            "Picks the label that fits a text best and sends the data to that label's output.",
        )
    }
}

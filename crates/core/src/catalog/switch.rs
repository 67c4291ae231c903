use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        outputs: vec![port("default", "Default")],
        dynamic_outputs: Some(DynamicOutputs {
            field: "routes".into(),
            name_key: "name".into(),
        }),
        fields: vec![
            field(
                "routes",
                "Routes",
                FieldType::List {
                    fields: vec![
                        field(
                            "name",
                            "Route name",
                            FieldType::Text,
                            "Names the output, e.g. hot.",
                        )
                        .required(),
                        field(
                            "condition",
                            "When",
                            FieldType::Expression,
                            "For example: nodes.score.score >= 80",
                        )
                        .required(),
                    ],
                },
                "Checked from top to bottom.",
            )
            .required(),
            field(
                "mode",
                "Routes taken",
                select(&[
                    ("first", "The first that matches"),
                    ("all", "Every route that matches"),
                ]),
                "Whether one or several routes can be taken.",
            )
            .default("first".into()),
        ],
        ..step(
            NodeKind::Switch,
            "Switch",
            Category::Flow,
            "Sends the data down the first route whose condition holds, or to default.",
        )
    }
}

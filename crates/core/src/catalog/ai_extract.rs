use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        fields: vec![
            ai::provider(),
            ai::model(),
            field(
                "text",
                "Text to read",
                ai::multiline(),
                "For example: {{ event.body }}",
            )
            .required(),
            field(
                "fields",
                "Fields to find",
                FieldType::List {
                    fields: vec![
                        field(
                            "name",
                            "Name",
                            FieldType::Text,
                            "How the value is called in the output, e.g. email or company_name.",
                        )
                        .required(),
                        field(
                            "type",
                            "Type",
                            select(&[
                                ("text", "Text"),
                                ("number", "Number"),
                                ("integer", "Whole number"),
                                ("boolean", "Yes / no"),
                                ("date", "Date"),
                                ("email", "Email address"),
                                ("phone", "Phone number"),
                                ("url", "Web address"),
                                ("money", "Amount of money"),
                                ("list", "List"),
                            ]),
                            "What kind of value it is; the result is checked and tidied to match.",
                        )
                        .default("text".into()),
                        field(
                            "description",
                            "Description",
                            FieldType::Text,
                            "Helps find the right value, e.g. the budget the customer mentions.",
                        ),
                        field(
                            "required",
                            "Required",
                            FieldType::Boolean,
                            "Fail when the value cannot be found (otherwise it is left empty).",
                        )
                        .default(false.into()),
                    ],
                },
                "The values to pull out of the text. The output has exactly these fields.",
            )
            .required(),
            ai::attempts(),
        ],
        ..step(
            NodeKind::AiExtract,
            "AI extract",
            Category::Ai,
            "Finds names, emails, dates, amounts and other values in a text and returns them as fields.",
        )
    }
}

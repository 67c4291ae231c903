use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        fields: vec![
            field(
                "path",
                "Path",
                FieldType::Text,
                "The last part of the web address: lead-form becomes /hooks/lead-form.",
            )
            .required(),
            field(
                "method",
                "Method",
                select(&[("POST", "POST"), ("PUT", "PUT")]),
                "The HTTP method callers use.",
            )
            .default("POST".into()),
            field(
                "sample",
                "Sample event",
                FieldType::Json,
                "An example body, used when you run the workflow by hand.",
            ),
        ],
        ..trigger(
            NodeKind::WebhookTrigger,
            "Webhook",
            "Starts the workflow when another app sends data to its web address.",
        )
    }
}

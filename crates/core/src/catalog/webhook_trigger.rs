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
                "secret",
                "Signing secret",
                FieldType::Text,
                "Name of the secret holding the sender's signing key (Standard Webhooks, whsec_...). When set, unsigned or wrongly signed requests are refused with 401.",
            ),
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

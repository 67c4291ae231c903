use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        fields: vec![
            field(
                "status",
                "Status code",
                number(Some(100.0), Some(599.0), true),
                "The HTTP status the caller gets, e.g. 200, or 422 for a rejected form.",
            )
            .default(200.into()),
            field(
                "body",
                "Body",
                FieldType::Json,
                "The JSON the caller gets; text inside may use {{ expressions }}. Empty: this node's input.",
            ),
            field(
                "headers",
                "Headers",
                FieldType::KeyValue,
                "Extra response headers.",
            ),
        ],
        output_keys: Some(vec!["status".into(), "headers".into(), "body".into()]),
        ..step(
            NodeKind::RespondWebhook,
            "Respond to webhook",
            Category::Actions,
            "Answers the app that called the webhook with this node's data, instead of a plain receipt.",
        )
    }
}

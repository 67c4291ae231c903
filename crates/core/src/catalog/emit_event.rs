use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        fields: vec![
            field(
                "event",
                "Event name",
                FieldType::Text,
                "The name other workflows listen for, e.g. lead.qualified.",
            )
            .required(),
            field(
                "payload",
                "Event data",
                FieldType::Json,
                "The data the event carries; text inside may use {{ expressions }}. Empty: this node's input.",
            ),
        ],
        output_keys: Some(vec!["event".into(), "payload".into()]),
        ..step(
            NodeKind::EmitEvent,
            "Emit event",
            Category::Actions,
            "Sends an event that starts every workflow listening for its name.",
        )
    }
}

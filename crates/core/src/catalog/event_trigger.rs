use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        fields: vec![
            field(
                "event",
                "Event name",
                FieldType::Text,
                "The event to listen for, e.g. lead.submitted; other workflows send it with Emit event.",
            )
            .required(),
            field(
                "filter",
                "Only when",
                FieldType::Expression,
                "Start only for events that match, e.g. event.country == \"FR\". Leave empty for every event.",
            ),
            field(
                "sample",
                "Sample event",
                FieldType::Json,
                "An example of the event's data, used when you run the workflow by hand.",
            ),
        ],
        ..trigger(
            NodeKind::EventTrigger,
            "Event",
            "Starts the workflow when an event with this name happens, for example one sent by another workflow.",
        )
    }
}

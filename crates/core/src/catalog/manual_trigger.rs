use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        fields: vec![field(
            "sample",
            "Sample event",
            FieldType::Json,
            "The event used when you run the workflow without giving one.",
        )],
        ..trigger(
            NodeKind::ManualTrigger,
            "Manual trigger",
            "Starts the workflow when you press Run, with an event you type in.",
        )
    }
}

use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        kind: NodeKind::ManualTrigger,
        title: "Manual trigger".into(),
        category: Category::Triggers,
        description: "Starts the workflow when you press Run, with an event you type in.".into(),
        inputs: vec![],
        outputs: output(),
        dynamic_outputs: None,
        error_port: false,
        fields: vec![field(
            "sample",
            "Sample event",
            FieldType::Json,
            "The event used when you run the workflow without giving one.",
        )],
        output_keys: None,
    }
}

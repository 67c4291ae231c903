use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        kind: NodeKind::Filter,
        title: "Filter".into(),
        category: Category::Flow,
        description: "Continues only when a condition holds, or keeps the matching items of a list.".into(),
        inputs: input(),
        outputs: output(),
        dynamic_outputs: None,
        error_port: true,
        fields: vec![
            field(
                "condition",
                "Keep when",
                FieldType::Expression,
                "For example: event.email is defined. With a list, each element is `item`.",
            )
            .required(),
            field(
                "items",
                "List to filter",
                template(),
                "Optional: a list such as {{ event.products }}. Without one, the whole branch stops when the condition is false.",
            ),
        ],
        output_keys: None,
    }
}

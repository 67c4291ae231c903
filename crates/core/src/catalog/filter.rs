use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
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
        ..step(NodeKind::Filter, "Filter", Category::Flow, "Continues only when a condition holds, or keeps the matching items of a list.")
    }
}

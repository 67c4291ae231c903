use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        outputs: vec![port("true", "True"), port("false", "False")],
        fields: vec![field(
            "condition",
            "Condition",
            FieldType::Expression,
            "For example: event.budget >= 10000 and event.country == \"DE\"",
        )
        .required()],
        ..step(
            NodeKind::Condition,
            "Condition",
            Category::Flow,
            "Sends the data down the true or the false path.",
        )
    }
}

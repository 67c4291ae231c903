use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        kind: NodeKind::Condition,
        title: "Condition".into(),
        category: Category::Flow,
        description: "Sends the data down the true or the false path.".into(),
        inputs: input(),
        outputs: vec![port("true", "True"), port("false", "False")],
        dynamic_outputs: None,
        error_port: true,
        fields: vec![field(
            "condition",
            "Condition",
            FieldType::Expression,
            "For example: event.budget >= 10000 and event.country == \"DE\"",
        )
        .required()],
        output_keys: None,
    }
}

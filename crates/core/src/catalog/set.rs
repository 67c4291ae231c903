use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        fields: vec![
            field(
                "fields",
                "Fields",
                FieldType::KeyValue,
                "Each name gets the value of its expression. A dotted name (contact.email) creates nested fields.",
            )
            .required(),
            field(
                "keep_input",
                "Keep incoming fields",
                FieldType::Boolean,
                "Start from the incoming data and add these fields, instead of starting empty.",
            )
            .default(false.into()),
        ],
        ..step(NodeKind::Set, "Set fields", Category::Data, "Creates or changes fields, e.g. lower-case an email or compute a score.")
    }
}

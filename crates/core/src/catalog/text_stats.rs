use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        fields: vec![
            field(
                "text",
                "Text",
                FieldType::Template { multiline: true },
                "The text to measure, for example {{ nodes.draft.body }}.",
            )
            .required(),
            field(
                "words_per_minute",
                "Reading speed (words per minute)",
                number(Some(1.0), Some(10_000.0), false),
                "Used for the reading time; 200 is an average adult reading speed.",
            )
            .default(200.into()),
        ],
        output_keys: Some(vec![
            "words".into(),
            "characters".into(),
            "characters_without_spaces".into(),
            "sentences".into(),
            "paragraphs".into(),
            "reading_time_minutes".into(),
            "reading_time_seconds".into(),
        ]),
        ..step(
            NodeKind::TextStats,
            "Text stats",
            Category::Utilities,
            "Counts the words, characters, sentences and paragraphs of a text and estimates its reading time.",
        )
    }
}

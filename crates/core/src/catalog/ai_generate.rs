use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        fields: vec![
            ai::provider(),
            ai::model(),
            field(
                "system",
                "Instructions",
                ai::multiline(),
                "Optional. How the AI should behave, e.g. You write short, friendly replies for our sales team.",
            ),
            field(
                "prompt",
                "Prompt",
                ai::multiline(),
                "What to write, e.g. Write a reply to {{ event.name }} about {{ event.message }}",
            )
            .required(),
            field(
                "format",
                "Answer as",
                select(&[("text", "Text"), ("json", "JSON data")]),
                "Choose JSON data when the next steps need fields rather than prose.",
            )
            .default("text".into()),
            field(
                "json_schema",
                "JSON shape",
                FieldType::Json,
                "Optional, for JSON answers: a JSON Schema the answer must match (type, properties, required, items, enum).",
            ),
            field(
                "max_tokens",
                "Maximum length (tokens)",
                number(Some(1.0), Some(200_000.0), true),
                "Optional. Limits how long the answer can be; a token is about three quarters of a word.",
            ),
            field(
                "temperature",
                "Creativity",
                number(Some(0.0), Some(2.0), false),
                "Optional. 0 gives the most predictable answers, 1 or more more varied ones.",
            ),
            field(
                "offline_text",
                "Text without an AI account",
                ai::multiline(),
                "What the built-in provider produces (it does not write by itself). Empty: the prompt itself.",
            ),
            ai::attempts(),
        ],
        output_keys: Some(
            ["text", "json", "provider", "model", "generated_by", "usage"]
                .map(String::from)
                .to_vec(),
        ),
        ..step(
            NodeKind::AiGenerate,
            "AI generate",
            Category::Ai,
            "Writes text or JSON data from a prompt, e.g. a reply, a summary or a translation.",
        )
    }
}

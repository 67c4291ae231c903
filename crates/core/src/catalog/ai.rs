//! Settings shared by the AI nodes.

use super::*;

/// Which AI answers: `builtin` (offline, no account) or a provider from the workspace settings.
pub(super) fn provider() -> Field {
    field(
        "provider",
        "AI provider",
        FieldType::Text,
        "builtin works offline without an account. To use a real AI model, add a provider in Settings → AI providers and enter its id here.",
    )
    .default(crate::workspace::BUILTIN_PROVIDER.into())
}

pub(super) fn model() -> Field {
    field(
        "model",
        "Model",
        FieldType::Text,
        "Leave empty to use the provider's usual model, or enter another one, e.g. gpt-4o-mini.",
    )
}

/// How many times the model may answer before an unusable answer is an error.
pub(super) fn attempts() -> Field {
    field(
        "attempts",
        "Attempts",
        number(Some(1.0), Some(5.0), true),
        "If the AI's answer is unusable, it is asked again (told what was wrong) up to this many times in total.",
    )
    .default(2.into())
}

pub(super) fn multiline() -> FieldType {
    FieldType::Template { multiline: true }
}

use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        error_port: false,
        output_keys: Some(vec!["items".into(), "count".into(), "skipped".into()]),
        ..step(
            NodeKind::Collect,
            "Collect results",
            Category::Flow,
            "Closes a For each: gathers what each item's branch produced, in the list's order.",
        )
    }
}

use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        fields: vec![
            field(
                "mode",
                "Wait for",
                select(&[
                    ("all", "All branches that run"),
                    ("first", "The first branch to finish"),
                ]),
                "Branches that were not taken are never waited for.",
            )
            .default("all".into()),
            field(
                "combine",
                "Result",
                select(&[
                    ("merge", "One object with the fields of every input"),
                    ("by_node", "An object keyed by the upstream node's id"),
                    ("list", "A list of the inputs"),
                ]),
                "How the inputs are combined.",
            )
            .default("merge".into()),
        ],
        ..step(
            NodeKind::Merge,
            "Merge",
            Category::Flow,
            "Joins branches: waits for every branch that ran, or continues with the first.",
        )
    }
}

use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        outputs: vec![port("item", "Each item")],
        fields: vec![
            field(
                "items",
                "List",
                template(),
                "A list such as {{ event.orders }}. The nodes after `Each item` run once per element; they read it as `item` (and its position as `item_index`).",
            )
            .required(),
            field(
                "concurrency",
                "At the same time",
                number(Some(1.0), Some(64.0), true),
                "How many items run at once (1 to 64).",
            )
            .default(4.into()),
            field(
                "on_item_error",
                "When an item fails",
                select(&[
                    ("stop", "Stop: the For each fails"),
                    ("skip", "Skip the item and go on"),
                ]),
                "A failure inside the loop that no error port catches either fails the For each or leaves that item out (listed in `skipped`).",
            )
            .default("stop".into()),
        ],
        ..step(
            NodeKind::ForEach,
            "For each",
            Category::Flow,
            "Runs the following nodes once per element of a list; a Collect node gathers the results in order.",
        )
    }
}

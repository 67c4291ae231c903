use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        error_port: false,
        fields: vec![
            field(
                "amount",
                "Wait",
                number(Some(0.0), None, false),
                "How long to wait.",
            )
            .required(),
            field(
                "unit",
                "Unit",
                select(&[
                    ("ms", "milliseconds"),
                    ("seconds", "seconds"),
                    ("minutes", "minutes"),
                    ("hours", "hours"),
                ]),
                "The unit of the wait.",
            )
            .default("seconds".into()),
        ],
        ..step(
            NodeKind::Delay,
            "Delay",
            Category::Flow,
            "Waits for a while, then passes the data on unchanged.",
        )
    }
}

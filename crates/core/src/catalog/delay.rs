use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        kind: NodeKind::Delay,
        title: "Delay".into(),
        category: Category::Flow,
        description: "Waits for a while, then passes the data on unchanged.".into(),
        inputs: input(),
        outputs: output(),
        dynamic_outputs: None,
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
        output_keys: None,
    }
}

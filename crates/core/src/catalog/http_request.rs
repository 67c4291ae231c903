use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        fields: vec![
            field(
                "method",
                "Method",
                select(&[
                    ("GET", "GET"),
                    ("POST", "POST"),
                    ("PUT", "PUT"),
                    ("PATCH", "PATCH"),
                    ("DELETE", "DELETE"),
                    ("HEAD", "HEAD"),
                ]),
                "The HTTP method.",
            )
            .default("GET".into()),
            field(
                "url",
                "URL",
                template(),
                "For example: https://crm.example.com/api/leads",
            )
            .required(),
            field(
                "headers",
                "Headers",
                FieldType::KeyValue,
                "Extra request headers.",
            ),
            field(
                "query",
                "Query parameters",
                FieldType::KeyValue,
                "Added to the URL after ?",
            ),
            field(
                "body",
                "JSON body",
                FieldType::Json,
                "Sent as JSON; text inside may use {{ expressions }}.",
            ),
            field(
                "timeout_ms",
                "Timeout (ms)",
                number(Some(1.0), Some(600_000.0), true),
                "Give up when the server has not answered in time.",
            )
            .default(30_000.into()),
            field(
                "fail_on_status",
                "Fail on error status",
                FieldType::Boolean,
                "Treat 4xx and 5xx answers as a failure (otherwise continue with the status).",
            )
            .default(true.into()),
        ],
        output_keys: Some(vec!["status".into(), "headers".into(), "body".into()]),
        ..step(
            NodeKind::HttpRequest,
            "HTTP request",
            Category::Actions,
            "Calls a web API and returns its status, headers and body.",
        )
    }
}

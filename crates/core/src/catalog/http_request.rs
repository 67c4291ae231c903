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
                "For example: https://crm.example.com/api/leads. Addresses inside your own network (such as 192.168.x.x or localhost) are refused unless they are allowed in Settings → Network.",
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
                "auth",
                "Authentication",
                select(&[
                    ("none", "None"),
                    ("bearer", "Bearer token"),
                    ("basic", "User name and password"),
                    ("api_key", "API key in a header"),
                ]),
                "How the request proves who is calling. The token, password or key comes from a secret, so it never appears in the workflow or in the run history.",
            )
            .default("none".into()),
            field(
                "auth_secret",
                "Secret",
                FieldType::Text,
                "The name of the secret that holds the token, password or API key (see Settings → Secrets).",
            ),
            field(
                "auth_username",
                "User name",
                template(),
                "For user name and password: the user name.",
            ),
            field(
                "api_key_header",
                "API key header",
                FieldType::Text,
                "For an API key: the header it is sent in, as the service's documentation names it.",
            )
            .default("X-API-Key".into()),
            field(
                "body_type",
                "Body",
                select(&[
                    ("json", "JSON"),
                    ("form", "Form fields"),
                    ("multipart", "Form fields with files (multipart)"),
                    ("text", "Text"),
                    ("none", "Nothing"),
                ]),
                "What the request sends. Most web APIs take JSON; web forms take form fields.",
            )
            .default("json".into()),
            field(
                "body",
                "JSON body",
                FieldType::Json,
                "Sent as JSON; text inside may use {{ expressions }}.",
            ),
            field(
                "form_fields",
                "Form fields",
                FieldType::KeyValue,
                "Names and values sent as form fields. For multipart, a value that is a file (such as the body of an HTTP request that downloaded it as a file) is sent as a file.",
            ),
            field(
                "text_body",
                "Text body",
                FieldType::Template { multiline: true },
                "Sent as it is; may use {{ expressions }}.",
            ),
            field(
                "content_type",
                "Content type",
                FieldType::Text,
                "For a text body: what kind of text it is, for example text/csv or application/xml.",
            )
            .default("text/plain".into()),
            field(
                "response_type",
                "Read the answer as",
                select(&[
                    ("auto", "Automatic"),
                    ("json", "JSON"),
                    ("text", "Text"),
                    ("binary", "File"),
                ]),
                "Automatic reads JSON when the server says it is JSON and text otherwise. JSON fails when the answer is not JSON. File keeps the bytes (base64, size, content type), for images and documents.",
            )
            .default("auto".into()),
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

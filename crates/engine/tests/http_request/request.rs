//! What the HTTP request node sends and reads: JSON, auth, forms, multipart, text, answers.

use super::*;

#[tokio::test]
async fn posts_templated_json_with_headers_and_query_and_parses_the_answer() {
    let (base, seen) = server().await;
    let r = call(
        json!({
            "method": "POST", "url": format!("{base}/leads"),
            "headers": {"X-Api-Key": "k-{{ event.team }}"}, "query": {"source": "{{ event.source }}"},
            "body": {"email": "{{ event.email | lower }}", "budget": "{{ event.budget }}", "fixed": [1, 2]}
        }),
        json!({"email": "ADA@EXAMPLE.COM", "budget": 50000, "team": "sales", "source": "form"}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(r.output["status"], 201);
    assert_eq!(r.output["body"], json!({"id": "lead-1"}));
    assert_eq!(r.output["headers"]["content-type"], "application/json");
    let got = seen.lock().unwrap().clone();
    assert_eq!(
        got,
        [
            json!({"query": {"source": "form"}, "auth": "k-sales", "body": {"email": "ada@example.com", "budget": 50000, "fixed": [1, 2]}})
        ]
    );
}

#[tokio::test]
async fn error_statuses_fail_unless_told_to_continue() {
    let (base, _) = server().await;
    let r = call(json!({"url": format!("{base}/broken")}), json!({})).await;
    assert_eq!(r.status, RunStatus::Failed);
    let err = r.error.unwrap();
    assert_eq!(err.code, "http_status");
    assert!(
        err.message.contains("500") && err.message.contains("database down"),
        "{}",
        err.message
    );

    let r = call(
        json!({"url": format!("{base}/broken"), "fail_on_status": false}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded);
    assert_eq!(r.output["status"], 500);
    assert_eq!(r.output["body"], "database down");
}

#[tokio::test]
async fn unreachable_servers_and_bad_urls_are_clear_errors() {
    // Port 9 (discard) on loopback is closed on these machines.
    let r = call(json!({"url": "http://127.0.0.1:9/x"}), json!({})).await;
    let err = r.error.unwrap();
    assert_eq!(err.code, "http_error");
    assert!(err.message.contains("could not connect"), "{}", err.message);

    let r = call(
        json!({"url": "{{ event.where }}"}),
        json!({"where": "not a url"}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("invalid_value", Some("url"))
    );
}

#[tokio::test]
async fn bearer_tokens_are_sent_and_scrubbed_from_what_the_server_echoes() {
    let server = recorder("127.0.0.1:0").await;
    let r = call(
        json!({"url": format!("{}/echo-auth", server.base), "auth": "bearer", "auth_secret": "CRM_TOKEN"}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    assert_eq!(
        server.hits()[0].headers["authorization"],
        format!("Bearer {TOKEN}")
    );
    assert_eq!(r.output["body"]["you_sent"], "Bearer [secret CRM_TOKEN]");
    assert_eq!(r.output["headers"]["x-echo"], "Bearer [secret CRM_TOKEN]");
    assert!(!report_text(&r).contains(TOKEN));
}

#[tokio::test]
async fn basic_auth_sends_user_and_password_and_scrubs_the_encoded_pair() {
    use base64::Engine as _;
    let server = recorder("127.0.0.1:0").await;
    let r = call(
        json!({"url": format!("{}/echo-auth", server.base), "auth": "basic",
               "auth_username": "{{ event.user }}", "auth_secret": "CRM_PASSWORD"}),
        json!({"user": "ada"}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    let sent = server.hits()[0].headers["authorization"].clone();
    let encoded = sent.strip_prefix("Basic ").unwrap();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    assert_eq!(decoded, format!("ada:{PASSWORD}").as_bytes());
    assert_eq!(r.output["body"]["you_sent"], "Basic [secret CRM_PASSWORD]");
    let text = report_text(&r);
    assert!(
        !text.contains(encoded) && !text.contains(PASSWORD),
        "{text}"
    );
}

#[tokio::test]
async fn api_keys_go_in_the_named_header() {
    let server = recorder("127.0.0.1:0").await;
    for (header, expected) in [(None, "x-api-key"), (Some("X-Auth-Key"), "x-auth-key")] {
        let mut params = json!({"url": format!("{}/k", server.base), "auth": "api_key", "auth_secret": "CRM_KEY"});
        if let Some(h) = header {
            params["api_key_header"] = json!(h);
        }
        let r = call(params, json!({})).await;
        assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
        let hit = server.hits().pop().unwrap();
        assert_eq!(hit.headers.get(expected).map(String::as_str), Some(API_KEY));
        assert!(!hit.headers.contains_key("authorization"));
    }

    let r = call(
        json!({"url": format!("{}/k", server.base), "auth": "bearer", "auth_secret": "NOT_SET_4711"}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("missing_secret", Some("auth_secret"))
    );
    let r = call(
        json!({"url": format!("{}/k", server.base), "auth": "bearer"}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("invalid_value", Some("auth_secret"))
    );
    assert_eq!(server.hits().len(), 2, "no request without its credentials");
}

#[tokio::test]
async fn form_fields_are_sent_url_encoded() {
    let server = recorder("127.0.0.1:0").await;
    let r = call(
        json!({"method": "POST", "url": format!("{}/form", server.base), "body_type": "form",
               "form_fields": {"name": "{{ event.name }}", "note": "a&b=c d", "count": "{{ event.n }}"}}),
        json!({"name": "Ada Lovelace", "n": 3}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    let hit = &server.hits()[0];
    assert_eq!(
        hit.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    let mut fields: Vec<(String, String)> =
        url_decode_pairs(std::str::from_utf8(&hit.body).unwrap());
    fields.sort();
    assert_eq!(
        fields,
        [
            ("count".to_string(), "3".to_string()),
            ("name".to_string(), "Ada Lovelace".to_string()),
            ("note".to_string(), "a&b=c d".to_string())
        ]
    );
}

#[tokio::test]
async fn multipart_sends_text_fields_and_files() {
    let server = recorder("127.0.0.1:0").await;
    let r = call(
        json!({"method": "POST", "url": format!("{}/upload", server.base), "body_type": "multipart",
               "form_fields": {"title": "Q3 {{ event.kind }}", "doc": "{{ event.file }}"}}),
        json!({"kind": "report", "file": {"base64": "AAEC/w==", "filename": "q3.png", "content_type": "image/png"}}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    let hit = &server.hits()[0];
    let ct = &hit.headers["content-type"];
    assert!(ct.starts_with("multipart/form-data; boundary="), "{ct}");
    let parts = multipart_parts(ct, &hit.body);
    assert_eq!(parts.len(), 2, "{parts:?}");
    let (doc_headers, doc) = &parts[0];
    assert!(
        doc_headers.contains(r#"name="doc"; filename="q3.png""#)
            && doc_headers.contains("image/png"),
        "{doc_headers}"
    );
    assert_eq!(doc, &[0u8, 1, 2, 255]);
    let (title_headers, title) = &parts[1];
    assert!(title_headers.contains(r#"name="title""#), "{title_headers}");
    assert_eq!(title, b"Q3 report");

    let r = call(
        json!({"method": "POST", "url": format!("{}/upload", server.base), "body_type": "multipart",
               "form_fields": {"doc": "{{ event.file }}"}}),
        json!({"file": {"base64": "not base64!"}}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("invalid_value", Some("form_fields"))
    );
}

#[tokio::test]
async fn text_bodies_carry_their_content_type_and_none_sends_nothing() {
    let server = recorder("127.0.0.1:0").await;
    let r = call(
        json!({"method": "POST", "url": format!("{}/csv", server.base), "body_type": "text",
               "text_body": "name,budget\n{{ event.name }},{{ event.budget }}\n", "content_type": "text/csv",
               "body": {"ignored": true}}),
        json!({"name": "Ada", "budget": 5000}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    let r2 = call(
        json!({"method": "POST", "url": format!("{}/plain", server.base), "body_type": "text", "text_body": "hello"}),
        json!({}),
    )
    .await;
    assert_eq!(r2.status, RunStatus::Succeeded, "{:?}", r2.error);
    let r3 = call(
        json!({"method": "POST", "url": format!("{}/none", server.base), "body_type": "none", "body": {"ignored": true}}),
        json!({}),
    )
    .await;
    assert_eq!(r3.status, RunStatus::Succeeded, "{:?}", r3.error);
    let hits = server.hits();
    assert_eq!(hits[0].headers["content-type"], "text/csv");
    // Templates drop one final line break (the expression language's rule).
    assert_eq!(hits[0].body, b"name,budget\nAda,5000");
    assert_eq!(hits[1].headers["content-type"], "text/plain");
    assert_eq!(hits[1].body, b"hello");
    assert!(hits[2].body.is_empty());
    assert!(!hits[2].headers.contains_key("content-type"));
}

#[tokio::test]
async fn answers_are_read_as_asked() {
    let server = recorder("127.0.0.1:0").await;
    let get = |path: &str, response_type: &str| {
        call(
            json!({"url": format!("{}{path}", server.base), "response_type": response_type}),
            json!({}),
        )
    };
    // Automatic: JSON only when labelled JSON.
    assert_eq!(
        get("/json-as-text", "auto").await.output["body"],
        r#"{"a": 1}"#
    );
    assert_eq!(get("/x", "auto").await.output["body"], json!({"ok": true}));
    // JSON: parsed whatever the label; not JSON is a clear failure.
    assert_eq!(
        get("/json-as-text", "json").await.output["body"],
        json!({"a": 1})
    );
    let err = get("/html", "json").await.error.unwrap();
    assert_eq!(err.code, "invalid_response");
    assert!(
        err.message.contains("did not answer with JSON") && err.message.contains("text/html"),
        "{}",
        err.message
    );
    // Text: as it is.
    assert_eq!(get("/x", "text").await.output["body"], r#"{"ok":true}"#);
    // File: bytes kept.
    let r = get("/bytes", "binary").await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    assert_eq!(
        r.output["body"],
        json!({"base64": "AAEC/w==", "size": 4, "content_type": "image/png"})
    );
}

#[tokio::test]
async fn error_statuses_can_continue_whatever_the_answer_type() {
    let (base, _) = server().await;
    let r = call(
        json!({"url": format!("{base}/broken"), "fail_on_status": false, "response_type": "text"}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    assert_eq!(r.output["status"], 500);
    assert_eq!(r.output["body"], "database down");
    let r = call(
        json!({"url": format!("{base}/broken"), "response_type": "binary"}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(err.code, "http_status");
    assert!(err.message.contains("database down"), "{}", err.message);
}

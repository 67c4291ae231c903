//! The AI nodes against a chat-completions server on loopback (which checks each request like a
//! real provider would), and the built-in offline provider.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json as AxJson, Router};
use serde_json::{json, Value as Json};
use switchyard_core::workspace::{AiProvider, Workspace};
use switchyard_core::{compile, WorkflowFile};
use switchyard_engine::{
    Engine, EngineConfig, NodeStatus, RunReport, RunRequest, RunStatus, Secrets,
};

const KEY: &str = "sk-test-1234567890";

/// What the provider answers to one request.
#[derive(Clone)]
enum Reply {
    /// A chat completion whose message is this text.
    Chat(&'static str),
    Status(u16, &'static [(&'static str, &'static str)], &'static str),
    /// Holds the request without ever answering.
    Hang,
}

#[derive(Default)]
struct Mock {
    /// Answered in order; the last one repeats.
    replies: Mutex<VecDeque<Reply>>,
    /// The body of every request, with its `authorization` header as `auth`.
    seen: Mutex<Vec<Json>>,
}

impl Mock {
    fn seen(&self) -> Vec<Json> {
        self.seen.lock().unwrap().clone()
    }
}

async fn chat_completions(
    State(mock): State<Arc<Mock>>,
    headers: HeaderMap,
    AxJson(body): AxJson<Json>,
) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut seen = body.clone();
    seen["auth"] = json!(auth);
    mock.seen.lock().unwrap().push(seen);
    // Like a real provider: the key first, then the request.
    let token = auth.strip_prefix("Bearer ").unwrap_or("");
    if token != KEY {
        let message = format!("Incorrect API key provided: {token}. You can find your API key at https://example.test/keys.");
        return (
            StatusCode::UNAUTHORIZED,
            AxJson(json!({"error": {"message": message, "type": "invalid_request_error"}})),
        )
            .into_response();
    }
    let messages_ok = body["messages"].as_array().is_some_and(|m| {
        !m.is_empty()
            && m.iter().all(|m| {
                matches!(m["role"].as_str(), Some("system" | "user" | "assistant"))
                    && m["content"].is_string()
            })
    });
    if !body["model"].is_string() || !messages_ok {
        return (
            StatusCode::BAD_REQUEST,
            AxJson(json!({"error": {"message": "model and messages are required"}})),
        )
            .into_response();
    }
    let reply = {
        let mut replies = mock.replies.lock().unwrap();
        if replies.len() > 1 {
            replies.pop_front().unwrap()
        } else {
            replies.front().cloned().expect("a scripted reply")
        }
    };
    match reply {
        Reply::Chat(content) => AxJson(json!({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1_790_000_000,
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 40, "completion_tokens": 9, "total_tokens": 49}
        }))
        .into_response(),
        Reply::Status(status, extra, text) => {
            let mut r = (StatusCode::from_u16(status).unwrap(), text.to_string()).into_response();
            for (k, v) in extra {
                r.headers_mut().insert(*k, v.parse().unwrap());
            }
            r
        }
        Reply::Hang => std::future::pending().await,
    }
}

async fn provider(replies: Vec<Reply>) -> (String, Arc<Mock>) {
    let mock = Arc::new(Mock {
        replies: Mutex::new(replies.into()),
        ..Mock::default()
    });
    let app = Router::new()
        .route("/v1/chat/completions", post(chat_completions))
        .with_state(mock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/v1"), mock)
}

fn engine(base_url: &str, key: &str, timeout_ms: u64) -> Engine {
    Engine::new(EngineConfig {
        secrets: Secrets::new([("AI_KEY".to_string(), key.to_string())]),
        workspace: Arc::new(Workspace {
            ai_providers: vec![AiProvider {
                id: "local".into(),
                name: Some("Test provider".into()),
                base_url: base_url.into(),
                model: "test-model".into(),
                api_key_secret: Some("AI_KEY".into()),
                timeout_ms,
                max_attempts: 3,
            }],
            ..Workspace::default()
        }),
        ..Default::default()
    })
}

/// start → ai (of `kind`), plus `extra` nodes and edges.
async fn run_with(
    engine: &Engine,
    kind: &str,
    params: Json,
    extra_nodes: Json,
    extra_edges: Json,
    event: Json,
) -> RunReport {
    let mut nodes = vec![
        json!({"id": "start", "kind": "manual_trigger"}),
        json!({"id": "ai", "kind": kind, "params": params}),
    ];
    nodes.extend(extra_nodes.as_array().cloned().unwrap_or_default());
    let mut edges = vec![json!({"from": "start", "to": "ai"})];
    edges.extend(extra_edges.as_array().cloned().unwrap_or_default());
    let text = json!({"schema_version": 1, "id": "t", "name": "T", "nodes": nodes, "edges": edges})
        .to_string();
    let plan = Arc::new(compile(&WorkflowFile::from_json(&text).unwrap()).unwrap());
    engine
        .run(plan, RunRequest::new("r", event), &mut |_| {})
        .await
}

async fn run(engine: &Engine, kind: &str, params: Json, event: Json) -> RunReport {
    run_with(engine, kind, params, json!([]), json!([]), event).await
}

fn output(r: &RunReport, node: &str) -> Json {
    let n = r.nodes.iter().find(|n| n.id == node).unwrap();
    n.output.as_deref().cloned().unwrap_or(Json::Null)
}

fn lead_labels() -> Json {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lead-labels.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn classify_params(provider: &str) -> Json {
    json!({"provider": provider, "text": "{{ event.message }}", "labels": lead_labels()})
}

/// The classify node with a log on `out` and one on each label port.
async fn classify(engine: &Engine, provider: &str, message: &str) -> RunReport {
    let logs = json!([
        {"id": "all", "kind": "log", "params": {"message": "{{ nodes.ai.label }}"}},
        {"id": "on_hot", "kind": "log", "params": {"message": "hot"}},
        {"id": "on_warm", "kind": "log", "params": {"message": "warm"}},
        {"id": "on_cold", "kind": "log", "params": {"message": "cold"}}
    ]);
    let edges = json!([
        {"from": "ai", "to": "all"},
        {"from": "ai", "from_port": "hot", "to": "on_hot"},
        {"from": "ai", "from_port": "warm", "to": "on_warm"},
        {"from": "ai", "from_port": "cold", "to": "on_cold"}
    ]);
    let params = classify_params(provider);
    let event = json!({"message": message});
    run_with(engine, "ai_classify", params, logs, edges, event).await
}

/// The nodes that ran, sorted.
fn ran(r: &RunReport) -> Vec<&str> {
    let mut ids: Vec<&str> = r
        .nodes
        .iter()
        .filter(|n| n.status == NodeStatus::Succeeded)
        .map(|n| n.id.as_str())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn classify_asks_the_provider_and_routes_to_the_label_port() {
    let (base, mock) = provider(vec![Reply::Chat(
        r#"{"label": "Warm", "confidence": 0.82, "reason": "asks about pricing for a team"}"#,
    )])
    .await;
    let r = classify(
        &engine(&base, KEY, 5_000),
        "local",
        "How much for 12 people?",
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(
        output(&r, "ai"),
        json!({
            "label": "warm", "confidence": 0.82, "reason": "asks about pricing for a team",
            "provider": "local", "model": "test-model",
            "usage": {"prompt_tokens": 40, "completion_tokens": 9, "total_tokens": 49}
        })
    );
    assert_eq!(
        r.nodes.iter().find(|n| n.id == "ai").unwrap().ports,
        ["out", "warm"]
    );
    assert_eq!(ran(&r), ["ai", "all", "on_warm", "start"]);

    let seen = mock.seen();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(req["auth"], format!("Bearer {KEY}"));
    assert_eq!(req["model"], "test-model");
    assert_eq!(req["response_format"], json!({"type": "json_object"}));
    assert_eq!(req["temperature"], 0.0);
    assert_eq!(req["messages"][0]["role"], "system");
    let system = req["messages"][0]["content"].as_str().unwrap();
    for part in [
        "- hot: Ready to buy soon",
        "Just browsing",
        "hot, warm, cold",
        "JSON",
    ] {
        assert!(system.contains(part), "{part} missing from: {system}");
    }
    assert_eq!(
        req["messages"][1],
        json!({"role": "user", "content": "How much for 12 people?"})
    );
}

#[tokio::test]
async fn extract_checks_and_tidies_each_field_and_uses_the_model_override() {
    let (base, mock) = provider(vec![Reply::Chat(
        "```json\n{\"email\": \" Ada@Example.COM\", \"budget\": \"$50,000\", \"start\": \"12 March 2026\", \"seats\": \"200\", \"notes\": null, \"extra\": 1}\n```",
    )])
    .await;
    let params = json!({
        "provider": "local", "model": "bigger-model", "text": "{{ event.body }}",
        "fields": [
            {"name": "email", "type": "email", "required": true},
            {"name": "budget", "type": "money", "description": "the budget they mention"},
            {"name": "start", "type": "date"},
            {"name": "seats", "type": "integer"},
            {"name": "notes"}
        ]
    });
    let r = run(
        &engine(&base, KEY, 5_000),
        "ai_extract",
        params,
        json!({"body": "Hi, Ada here"}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(
        r.output,
        json!({
            "email": "ada@example.com",
            "budget": {"amount": 50000, "currency": "USD"},
            "start": "2026-03-12", "seats": 200, "notes": null
        })
    );
    let req = &mock.seen()[0];
    assert_eq!(req["model"], "bigger-model");
    let system = req["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains("\"budget\": an object {\"amount\": number")
            && system.contains("(the budget they mention)"),
        "{system}"
    );
    assert!(r
        .logs
        .iter()
        .any(|l| l.message.contains("extracted by local (bigger-model)")));
}

#[tokio::test]
async fn generate_text_and_json_checked_against_a_schema() {
    let (base, mock) = provider(vec![Reply::Chat("Dear Ada, thanks for your message.")]).await;
    let e = engine(&base, KEY, 5_000);
    let params = json!({
        "provider": "local", "system": "You write short replies.",
        "prompt": "Reply to {{ event.name }}", "max_tokens": 200, "temperature": 0.7
    });
    let r = run(&e, "ai_generate", params, json!({"name": "Ada"})).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(
        r.output,
        json!({
            "text": "Dear Ada, thanks for your message.", "provider": "local", "model": "test-model",
            "generated_by": "model", "usage": {"prompt_tokens": 40, "completion_tokens": 9, "total_tokens": 49}
        })
    );
    let req = &mock.seen()[0];
    assert_eq!(
        (req["max_tokens"].clone(), req["temperature"].clone()),
        (json!(200), json!(0.7))
    );
    assert!(req.get("response_format").is_none());
    assert_eq!(
        req["messages"],
        json!([{"role": "system", "content": "You write short replies."}, {"role": "user", "content": "Reply to Ada"}])
    );

    let (base, mock) = provider(vec![
        Reply::Chat(r#"{"subject": "Hello", "priority": "urgent"}"#),
        Reply::Chat(r#"{"subject": "Hello", "priority": "high"}"#),
    ])
    .await;
    let params = json!({
        "provider": "local", "prompt": "Write an email", "format": "json",
        "json_schema": {"type": "object", "required": ["subject", "priority"],
                        "properties": {"subject": {"type": "string"}, "priority": {"enum": ["low", "high"]}}}
    });
    let r = run(&engine(&base, KEY, 5_000), "ai_generate", params, json!({})).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(
        r.output["json"],
        json!({"subject": "Hello", "priority": "high"})
    );
    assert_eq!(
        r.output["usage"]["total_tokens"], 98,
        "both attempts are counted"
    );
    let seen = mock.seen();
    assert_eq!(seen[0]["response_format"], json!({"type": "json_object"}));
    assert!(seen[0]["messages"][0]["content"]
        .as_str()
        .unwrap()
        .contains("\"required\":[\"subject\",\"priority\"]"));
    let feedback = seen[1]["messages"][3]["content"].as_str().unwrap();
    assert!(
        feedback.contains("$.priority must be one of \"low\", \"high\", not \"urgent\""),
        "{feedback}"
    );
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_retried() {
    let (base, mock) = provider(vec![
        Reply::Status(500, &[], "overloaded"),
        Reply::Chat(r#"{"label": "cold", "confidence": 0.9, "reason": "browsing"}"#),
    ])
    .await;
    let r = classify(&engine(&base, KEY, 5_000), "local", "just looking").await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(output(&r, "ai")["label"], "cold");
    assert_eq!(mock.seen().len(), 2);

    let (base, mock) = provider(vec![
        Reply::Status(
            429,
            &[("retry-after-ms", "120"), ("retry-after", "30")],
            "slow down",
        ),
        Reply::Chat(r#"{"label": "hot", "confidence": 0.9, "reason": "urgent"}"#),
    ])
    .await;
    let started = Instant::now();
    let r = classify(&engine(&base, KEY, 5_000), "local", "urgent").await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(mock.seen().len(), 2);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(120) && waited < Duration::from_secs(10),
        "retry-after-ms wins over retry-after: {waited:?}"
    );
}

#[tokio::test]
async fn lasting_rate_limits_and_server_errors_fail_after_max_attempts() {
    let (base, mock) = provider(vec![Reply::Status(
        429,
        &[("retry-after-ms", "5")],
        r#"{"error": {"message": "Rate limit reached"}}"#,
    )])
    .await;
    let r = classify(&engine(&base, KEY, 5_000), "local", "hello").await;
    let err = r.error.clone().unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("ai_rate_limited", Some("provider"))
    );
    assert!(
        err.message.contains("after 3 attempts") && err.message.contains("Rate limit reached"),
        "{}",
        err.message
    );
    assert_eq!(mock.seen().len(), 3);

    let (base, mock) = provider(vec![Reply::Status(503, &[], "maintenance")]).await;
    let r = run(
        &engine(&base, KEY, 5_000),
        "ai_generate",
        json!({"provider": "local", "prompt": "x"}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(err.code, "ai_provider_error");
    assert!(
        err.message.contains("503") && err.message.contains("maintenance"),
        "{}",
        err.message
    );
    assert_eq!(mock.seen().len(), 3);
}

#[tokio::test]
async fn a_provider_that_never_answers_times_out() {
    let (base, mock) = provider(vec![Reply::Hang]).await;
    let started = Instant::now();
    let r = classify(&engine(&base, KEY, 200), "local", "hello").await;
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("timeout", Some("provider"))
    );
    assert!(err.message.contains("within 200 ms"), "{}", err.message);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(mock.seen().len(), 1);
}

#[tokio::test]
async fn unusable_answers_are_retried_with_the_problems_then_fail() {
    let (base, mock) = provider(vec![
        Reply::Chat("I think this is a hot lead!"),
        Reply::Chat(r#"{"label": "lukewarm", "confidence": 0.5, "reason": "?"}"#),
    ])
    .await;
    let r = classify(&engine(&base, KEY, 5_000), "local", "hello").await;
    assert_eq!(r.status, RunStatus::Failed);
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("ai_invalid_output", Some("labels"))
    );
    assert!(
        err.message.contains("after 2 attempts")
            && err
                .message
                .contains("\"lukewarm\" is not one of: hot, warm, cold"),
        "{}",
        err.message
    );
    let seen = mock.seen();
    assert_eq!(seen.len(), 2);
    let retry = &seen[1]["messages"];
    assert_eq!(
        retry[2],
        json!({"role": "assistant", "content": "I think this is a hot lead!"})
    );
    assert!(
        retry[3]["content"]
            .as_str()
            .unwrap()
            .contains("not valid JSON"),
        "{retry}"
    );

    // Extract: a wrong value names the field, and a good second answer is used.
    let (base, mock) = provider(vec![
        Reply::Chat(r#"{"email": "ada at example", "seats": 12.5}"#),
        Reply::Chat(r#"{"email": "ada@example.com", "seats": 12}"#),
    ])
    .await;
    let params = json!({"provider": "local", "text": "x", "fields": [
        {"name": "email", "type": "email", "required": true}, {"name": "seats", "type": "integer"}]});
    let e = engine(&base, KEY, 5_000);
    let r = run(&e, "ai_extract", params.clone(), json!({})).await;
    assert_eq!(
        r.output,
        json!({"email": "ada@example.com", "seats": 12}),
        "{r:?}"
    );
    let feedback = mock.seen()[1]["messages"][3]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        feedback.contains("the field \"email\": \"ada at example\" is not an email address")
            && feedback.contains("the field \"seats\": 12.5 is not a whole number"),
        "{feedback}"
    );

    let (base, _) = provider(vec![Reply::Chat(r#"{"seats": 3}"#)]).await;
    let r = run(&engine(&base, KEY, 5_000), "ai_extract", params, json!({})).await;
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("ai_invalid_output", Some("fields[0]"))
    );
    assert!(
        err.message
            .contains("the field \"email\" is required but missing"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn a_refused_key_is_ai_auth_and_never_shown() {
    let wrong = "sk-wrong-key-0987654321";
    let (base, mock) = provider(vec![Reply::Chat("unused")]).await;
    let r = classify(&engine(&base, wrong, 5_000), "local", "hello").await;
    assert_eq!(
        mock.seen()[0]["auth"],
        format!("Bearer {wrong}"),
        "the server saw the key"
    );
    let err = r.error.clone().unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("ai_auth", Some("provider"))
    );
    assert!(
        err.message.contains("refused the API key in secret AI_KEY"),
        "{}",
        err.message
    );
    assert!(
        err.message
            .contains("Incorrect API key provided: [secret AI_KEY]"),
        "{}",
        err.message
    );
    let everything = serde_json::to_string(&r).unwrap();
    assert!(!everything.contains(wrong), "{everything}");
}

#[tokio::test]
async fn unknown_providers_name_the_known_ones() {
    let e = engine("http://127.0.0.1:9/v1", KEY, 5_000);
    let r = run(
        &e,
        "ai_generate",
        json!({"provider": "openai", "prompt": "x"}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("invalid_value", Some("provider"))
    );
    assert!(
        err.message.contains("\"openai\"") && err.message.contains("builtin, local"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn builtin_classifies_leads_offline() {
    let e = Engine::new(EngineConfig::default());
    let r = classify(
        &e,
        "builtin",
        "Urgent: enterprise demo needed, budget 50000",
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    let out = output(&r, "ai");
    assert_eq!(out["label"], "hot", "{out}");
    assert_eq!(
        (out["provider"].clone(), out["model"].clone()),
        (json!("builtin"), json!("builtin"))
    );
    let confidence = out["confidence"].as_f64().unwrap();
    assert!(confidence > 0.8 && confidence <= 1.0, "{out}");
    let reason = out["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("matched \"urgent\", \"enterprise\""),
        "{reason}"
    );
    assert_eq!(ran(&r), ["ai", "all", "on_hot", "start"]);

    let r = classify(&e, "builtin", "just browsing, student project").await;
    let out = output(&r, "ai");
    assert_eq!(out["label"], "cold", "{out}");
    assert!(
        out["reason"]
            .as_str()
            .unwrap()
            .contains("\"just browsing\""),
        "{out}"
    );
    assert_eq!(ran(&r), ["ai", "all", "on_cold", "start"]);

    let r = classify(&e, "builtin", "Could you send pricing for our team of 8?").await;
    assert_eq!(output(&r, "ai")["label"], "warm");
}

#[tokio::test]
async fn builtin_extracts_contact_details_from_a_lead_message() {
    let message = "Hi there,\n\nI'm Jana Kurz from Nordwind Retail. We'd like to roll out your tool to 40 stores.\n\
        Our budget is around $50,000 and we want to start on March 2, 2026.\n\
        You can reach me at Jana.Kurz@Nordwind-Retail.example or call +49 30 1234 5678.\n\
        Company: Nordwind Retail GmbH\nBest, Jana";
    let params = json!({"text": "{{ event.message }}", "fields": [
        {"name": "email", "type": "email", "required": true},
        {"name": "phone", "type": "phone"},
        {"name": "budget", "type": "money"},
        {"name": "start_date", "type": "date"},
        {"name": "company", "type": "text"},
        {"name": "stores", "type": "integer"},
        {"name": "website", "type": "url"}
    ]});
    let e = Engine::new(EngineConfig::default());
    let r = run(&e, "ai_extract", params, json!({"message": message})).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(
        r.output,
        json!({
            "email": "jana.kurz@nordwind-retail.example",
            "phone": "+493012345678",
            "budget": {"amount": 50000, "currency": "USD"},
            "start_date": "2026-03-02",
            "company": "Nordwind Retail GmbH",
            "stores": 40,
            "website": null
        })
    );

    let params = json!({"text": "no contact here", "fields": [{"name": "email", "type": "email", "required": true}]});
    let err = run(&e, "ai_extract", params, json!({}))
        .await
        .error
        .unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("ai_invalid_output", Some("fields[0]"))
    );
}

#[tokio::test]
async fn builtin_generates_from_the_template_and_says_so() {
    let e = Engine::new(EngineConfig::default());
    let params = json!({"prompt": "Write a reply to {{ event.name }}", "offline_text": "Hello {{ event.name }}, thanks for writing!"});
    let r = run(&e, "ai_generate", params, json!({"name": "Ada"})).await;
    assert_eq!(
        r.output,
        json!({"text": "Hello Ada, thanks for writing!", "provider": "builtin", "model": "builtin", "generated_by": "template"})
    );
    let r = run(
        &e,
        "ai_generate",
        json!({"prompt": "Reply to {{ event.name }}"}),
        json!({"name": "Ada"}),
    )
    .await;
    assert_eq!(r.output["text"], "Reply to Ada");

    let params = json!({"prompt": "x", "format": "json", "offline_text": "{\"subject\": \"Hi {{ event.name }}\"}",
        "json_schema": {"type": "object", "required": ["subject"]}});
    let r = run(&e, "ai_generate", params, json!({"name": "Ada"})).await;
    assert_eq!(r.output["json"], json!({"subject": "Hi Ada"}), "{r:?}");

    let params = json!({"prompt": "x", "format": "json", "offline_text": "{\"title\": 1}",
        "json_schema": {"type": "object", "required": ["subject"]}});
    let err = run(&e, "ai_generate", params, json!({}))
        .await
        .error
        .unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("ai_invalid_output", Some("offline_text"))
    );
    assert!(
        err.message.contains("$.subject is required but missing"),
        "{}",
        err.message
    );
}

//! A chat-completions server on loopback that checks requests like a real provider.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json as AxJson, Router};
use serde_json::{json, Value as Json};
use switchyard_core::workspace::{AiProvider, Workspace};
use switchyard_engine::{Engine, EngineConfig, Secrets};

pub const KEY: &str = "sk-test-1234567890";

/// What the provider answers to one request.
#[derive(Clone)]
pub enum Reply {
    /// A chat completion whose message is this text.
    Chat(&'static str),
    Status(u16, &'static [(&'static str, &'static str)], &'static str),
    /// Holds the request without ever answering.
    Hang,
}

#[derive(Default)]
pub struct Mock {
    /// Answered in order; the last one repeats.
    replies: Mutex<VecDeque<Reply>>,
    /// The body of every request, with its `authorization` header as `auth`.
    seen: Mutex<Vec<Json>>,
}

impl Mock {
    pub fn seen(&self) -> Vec<Json> {
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

pub async fn provider(replies: Vec<Reply>) -> (String, Arc<Mock>) {
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

pub fn engine(base_url: &str, key: &str, timeout_ms: u64) -> Engine {
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

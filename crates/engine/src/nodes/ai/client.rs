//! The OpenAI-compatible chat-completions client (OpenAI, Gemini's OpenAI endpoint, Ollama,
//! LM Studio, vLLM): `POST {base_url}/chat/completions`, with retries for rate limits (429,
//! honouring `retry-after-ms` and `retry-after`) and server errors (5xx).

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::{json, Value as Json};

use super::super::{shorten, NodeCx};
use crate::events::NodeError;

/// The longest wait a `retry-after` answer can impose.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// The first wait after a server error; doubled for each further attempt.
const SERVER_ERROR_BACKOFF: Duration = Duration::from_millis(250);
/// The first wait after a 429 without retry-after; doubled for each further attempt.
const RATE_LIMIT_BACKOFF: Duration = Duration::from_secs(1);
const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// A provider from the workspace settings, resolved for one node run.
pub(crate) struct Remote {
    pub id: String,
    pub base_url: String,
    pub model: String,
    /// The secret's name and value.
    pub api_key: Option<(String, Arc<str>)>,
    pub timeout: Duration,
    pub max_attempts: u32,
}

pub(crate) struct ChatRequest<'a> {
    pub messages: &'a [Json],
    pub json: bool,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u64>,
}

pub(crate) struct ChatAnswer {
    pub text: String,
    /// The token counts the provider reported.
    pub usage: Option<Json>,
}

pub(crate) fn message(role: &str, content: &str) -> Json {
    json!({"role": role, "content": content})
}

pub(crate) async fn chat(
    cx: &NodeCx,
    p: &Remote,
    req: &ChatRequest<'_>,
) -> Result<ChatAnswer, NodeError> {
    let url = format!("{}/chat/completions", p.base_url.trim_end_matches('/'));
    let mut body = json!({"model": p.model, "messages": req.messages});
    if let Some(t) = req.temperature {
        body["temperature"] = json!(t);
    }
    if let Some(m) = req.max_tokens {
        body["max_tokens"] = json!(m);
    }
    if req.json {
        body["response_format"] = json!({"type": "json_object"});
    }
    let attempts = p.max_attempts.max(1);
    let mut attempt = 1;
    loop {
        let mut call = cx
            .services
            .trusted_http
            .post(&url)
            .timeout(p.timeout)
            .json(&body);
        if let Some((_, key)) = &p.api_key {
            call = call.bearer_auth(key);
        }
        let resp = call.send().await.map_err(|e| transport_error(p, &url, e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = read_limited(resp, p, &url).await?;
        let text = String::from_utf8_lossy(&bytes);
        if status.is_success() {
            return parse_answer(p, &text);
        }
        let detail = error_detail(&text);
        let last = attempt >= attempts;
        let wait = match status.as_u16() {
            401 | 403 => return Err(auth_error(p, status, &detail)),
            429 if last => {
                return Err(NodeError::new(
                    "ai_rate_limited",
                    format!(
                        "the AI provider \"{}\" is still limiting requests (429 Too Many Requests) after {attempts} attempts; try again later or raise its max_attempts{detail}",
                        p.id
                    ),
                )
                .in_field("provider"))
            }
            429 => retry_after(&headers)
                .unwrap_or(RATE_LIMIT_BACKOFF * 2u32.pow(attempt - 1))
                .min(MAX_RETRY_AFTER),
            500..=599 if !last => retry_after(&headers)
                .unwrap_or(SERVER_ERROR_BACKOFF * 2u32.pow(attempt - 1))
                .min(MAX_RETRY_AFTER),
            _ => {
                let tries = if status.is_server_error() {
                    format!(" (tried {attempts} times)")
                } else {
                    String::new()
                };
                return Err(NodeError::new(
                    "ai_provider_error",
                    format!(
                        "the AI provider \"{}\" answered {status}{tries}{detail}",
                        p.id
                    ),
                )
                .in_field("provider"));
            }
        };
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// `retry-after-ms` (milliseconds), else `retry-after` (seconds or an HTTP date).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = header("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        if ms.is_finite() && ms >= 0.0 {
            return Some(Duration::from_secs_f64(ms / 1000.0).min(MAX_RETRY_AFTER));
        }
    }
    let value = header("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(MAX_RETRY_AFTER.as_secs_f64())));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let ms = (when.timestamp_millis() - chrono::Utc::now().timestamp_millis()).max(0);
    Some(Duration::from_millis(ms as u64).min(MAX_RETRY_AFTER))
}

fn parse_answer(p: &Remote, text: &str) -> Result<ChatAnswer, NodeError> {
    let bad = |why: &str| {
        NodeError::new(
            "ai_provider_error",
            format!(
                "the AI provider \"{}\" answered, but not like a chat-completions API ({why}): {}",
                p.id,
                shorten(text, 300)
            ),
        )
        .in_field("provider")
    };
    let v: Json = serde_json::from_str(text).map_err(|_| bad("not JSON"))?;
    let content = match &v["choices"][0]["message"]["content"] {
        Json::String(s) => s.clone(),
        // Some servers send content as a list of parts.
        Json::Array(parts) => parts
            .iter()
            .filter_map(|p| p["text"].as_str())
            .collect::<Vec<_>>()
            .join(""),
        _ => return Err(bad("no choices[0].message.content")),
    };
    let usage = v.get("usage").filter(|u| u.is_object()).cloned();
    Ok(ChatAnswer {
        text: content,
        usage,
    })
}

/// The provider's own error message (`error.message`), else the start of its answer.
fn error_detail(text: &str) -> String {
    let message = serde_json::from_str::<Json>(text)
        .ok()
        .and_then(|v| match &v["error"] {
            Json::String(s) => Some(s.clone()),
            e => e["message"].as_str().map(String::from),
        })
        .unwrap_or_else(|| text.trim().to_string());
    if message.is_empty() {
        String::new()
    } else {
        format!(": {}", shorten(&message, 300))
    }
}

fn auth_error(p: &Remote, status: reqwest::StatusCode, detail: &str) -> NodeError {
    let message = match &p.api_key {
        Some((name, _)) => format!(
            "the AI provider \"{}\" refused the API key in secret {name} ({status}); check that the key is right and still active{detail}",
            p.id
        ),
        None => format!(
            "the AI provider \"{}\" refused the request ({status}): it needs an API key; store it as a secret and name that secret in the provider's settings{detail}",
            p.id
        ),
    };
    NodeError::new("ai_auth", message).in_field("provider")
}

fn transport_error(p: &Remote, url: &str, e: reqwest::Error) -> NodeError {
    if e.is_timeout() {
        return NodeError::new(
            "timeout",
            format!(
                "the AI provider \"{}\" did not answer within {} ms (its timeout_ms setting)",
                p.id,
                p.timeout.as_millis()
            ),
        )
        .in_field("provider");
    }
    let why = if e.is_connect() {
        "could not connect; is the server running and is base_url right?".to_string()
    } else {
        crate::nodes::error_chain(&e)
    };
    NodeError::new(
        "ai_provider_error",
        format!(
            "calling the AI provider \"{}\" at {url} failed: {why}",
            p.id
        ),
    )
    .in_field("provider")
}

async fn read_limited(
    mut resp: reqwest::Response,
    p: &Remote,
    url: &str,
) -> Result<Vec<u8>, NodeError> {
    let mut buf = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| transport_error(p, url, e))? {
        if buf.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(NodeError::new(
                "ai_provider_error",
                format!(
                    "the answer of the AI provider \"{}\" is larger than 8 MB",
                    p.id
                ),
            )
            .in_field("provider"));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_milliseconds_seconds_and_dates_capped() {
        let h = |pairs: &[(&'static str, String)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.insert(*k, v.parse().unwrap());
            }
            m
        };
        assert_eq!(
            retry_after(&h(&[
                ("retry-after-ms", "150".into()),
                ("retry-after", "9".into())
            ])),
            Some(Duration::from_millis(150))
        );
        assert_eq!(
            retry_after(&h(&[("retry-after", "2".into())])),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            retry_after(&h(&[("retry-after", "86400".into())])),
            Some(MAX_RETRY_AFTER)
        );
        let soon = chrono::Utc::now() + chrono::Duration::seconds(30);
        let date = soon.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        let d = retry_after(&h(&[("retry-after", date)])).unwrap();
        assert!(
            d > Duration::from_secs(25) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        let past = "Wed, 21 Oct 2015 07:28:00 GMT".to_string();
        assert_eq!(
            retry_after(&h(&[("retry-after", past)])),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&h(&[("retry-after", "soon".into())])), None);
    }
}

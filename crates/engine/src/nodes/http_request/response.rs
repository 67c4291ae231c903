//! Reading the answer: status, headers and the body as the `response_type` setting asks.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::{json, Map, Value as Json};

use super::transport_error;
use crate::events::NodeError;
use crate::nodes::{shorten, NodeCx, NodeOutput};

/// Responses larger than this are refused instead of filling memory.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

pub(super) async fn read(
    cx: &NodeCx,
    method: &reqwest::Method,
    url: &reqwest::Url,
    resp: reqwest::Response,
) -> Result<NodeOutput, NodeError> {
    let params = &cx.node().params;
    let status = resp.status();
    let mut headers = Map::new();
    for (name, value) in resp.headers() {
        headers.insert(
            name.as_str().to_string(),
            Json::String(String::from_utf8_lossy(value.as_bytes()).into_owned()),
        );
    }
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = read_limited(resp, url).await?;
    if params.bool("fail_on_status").unwrap_or(true)
        && (status.is_client_error() || status.is_server_error())
    {
        let detail = match auto(&bytes, content_type.as_deref()) {
            Json::Null => String::new(),
            b => format!(": {}", shorten(&b.to_string(), 300)),
        };
        return Err(NodeError::new(
            "http_status",
            format!("{method} {url} answered {status}{detail}"),
        ));
    }
    let body = match params.str("response_type").unwrap_or("auto") {
        "json" if bytes.is_empty() => Json::Null,
        "json" => serde_json::from_slice(&bytes).map_err(|e| {
            NodeError::new(
                "invalid_response",
                format!(
                    "{url} did not answer with JSON ({}; {e}): {}",
                    content_type.as_deref().unwrap_or("no content type"),
                    shorten(&String::from_utf8_lossy(&bytes), 200)
                ),
            )
        })?,
        "text" => Json::String(String::from_utf8_lossy(&bytes).into_owned()),
        "binary" => json!({
            "base64": BASE64.encode(&bytes),
            "size": bytes.len(),
            "content_type": content_type.as_deref().unwrap_or("application/octet-stream"),
        }),
        _ => auto(&bytes, content_type.as_deref()),
    };
    Ok(NodeOutput::out(
        json!({"status": status.as_u16(), "headers": headers, "body": body}),
    ))
}

/// JSON when the server says it is JSON (and it parses), text otherwise, null when empty.
fn auto(bytes: &[u8], content_type: Option<&str>) -> Json {
    if bytes.is_empty() {
        Json::Null
    } else if content_type.is_some_and(|ct| ct.contains("json")) {
        serde_json::from_slice(bytes)
            .unwrap_or_else(|_| Json::String(String::from_utf8_lossy(bytes).into_owned()))
    } else {
        Json::String(String::from_utf8_lossy(bytes).into_owned())
    }
}

async fn read_limited(
    mut resp: reqwest::Response,
    url: &reqwest::Url,
) -> Result<Vec<u8>, NodeError> {
    let mut buf = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| transport_error(url, e))? {
        if buf.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(NodeError::new(
                "http_error",
                format!(
                    "the response from {url} is larger than {} MB",
                    MAX_RESPONSE_BYTES / 1_048_576
                ),
            ));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

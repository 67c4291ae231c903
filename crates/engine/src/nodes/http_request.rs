use std::time::Duration;

use serde_json::{Map, Value as Json};

use super::{NodeCx, NodeOutput};
use crate::events::NodeError;

/// Responses larger than this are refused instead of filling memory.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

pub(super) async fn run(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    let params = &cx.node().params;
    let method = params.str("method").unwrap_or("GET");
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|_| {
        NodeError::new("invalid_value", format!("unknown method {method}")).in_field("method")
    })?;
    let url = text(cx.eval("url")?);
    let mut url = reqwest::Url::parse(url.trim()).map_err(|e| {
        NodeError::new(
            "invalid_value",
            format!("\"{url}\" is not a valid web address: {e}"),
        )
        .in_field("url")
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(NodeError::new(
            "invalid_value",
            format!(
                "only http and https addresses can be called, not {}",
                url.scheme()
            ),
        )
        .in_field("url"));
    }
    if let Some(Json::Object(query)) = cx.eval("query")? {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in &query {
            pairs.append_pair(k, &text(Some(v.clone())));
        }
    }
    let timeout_ms = params
        .literal("timeout_ms")
        .and_then(Json::as_u64)
        .unwrap_or(30_000);
    let mut req = cx
        .http()
        .request(method.clone(), url.clone())
        .timeout(Duration::from_millis(timeout_ms));
    if let Some(Json::Object(headers)) = cx.eval("headers")? {
        for (k, v) in &headers {
            let name = reqwest::header::HeaderName::from_bytes(k.as_bytes()).map_err(|_| {
                NodeError::new(
                    "invalid_value",
                    format!("\"{k}\" is not a valid header name"),
                )
                .in_field("headers")
            })?;
            let value =
                reqwest::header::HeaderValue::from_str(&text(Some(v.clone()))).map_err(|_| {
                    NodeError::new(
                        "invalid_value",
                        format!("the value of header \"{k}\" is not valid"),
                    )
                    .in_field("headers")
                })?;
            req = req.header(name, value);
        }
    }
    if let Some(body) = cx.eval("body")? {
        if !body.is_null() {
            req = req.json(&body);
        }
    }

    let resp = req.send().await.map_err(|e| transport_error(&url, e))?;
    let status = resp.status();
    let mut headers = Map::new();
    for (name, value) in resp.headers() {
        headers.insert(
            name.as_str().to_string(),
            Json::String(String::from_utf8_lossy(value.as_bytes()).into_owned()),
        );
    }
    let is_json = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("json"));
    let bytes = read_limited(resp, &url).await?;
    let body = if bytes.is_empty() {
        Json::Null
    } else if is_json {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Json::String(String::from_utf8_lossy(&bytes).into_owned()))
    } else {
        Json::String(String::from_utf8_lossy(&bytes).into_owned())
    };
    let output = serde_json::json!({"status": status.as_u16(), "headers": headers, "body": body});
    if params.bool("fail_on_status").unwrap_or(true)
        && (status.is_client_error() || status.is_server_error())
    {
        let detail = match &output["body"] {
            Json::Null => String::new(),
            b => format!(": {}", super::shorten(&b.to_string(), 300)),
        };
        return Err(NodeError::new(
            "http_status",
            format!("{method} {url} answered {status}{detail}"),
        ));
    }
    Ok(NodeOutput::out(output))
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

fn transport_error(url: &reqwest::Url, e: reqwest::Error) -> NodeError {
    let why = if e.is_timeout() {
        "it did not answer in time".to_string()
    } else if e.is_connect() {
        "could not connect".to_string()
    } else {
        let mut msg = e.to_string();
        let mut src = std::error::Error::source(&e);
        while let Some(s) = src {
            msg = format!("{msg}: {s}");
            src = s.source();
        }
        msg
    };
    let code = if e.is_timeout() {
        "timeout"
    } else {
        "http_error"
    };
    NodeError::new(code, format!("calling {url} failed: {why}"))
}

fn text(v: Option<Json>) -> String {
    match v {
        Some(Json::String(s)) => s,
        Some(Json::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

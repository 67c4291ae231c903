//! The HTTP request node: the URL and headers here, authentication and the body in
//! `request.rs`, the answer in `response.rs`. Requests go through the guarded client
//! (`net_guard`): addresses the network policy refuses fail with `address_blocked`.

mod request;
mod response;

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value as Json;

use super::{NodeCx, NodeOutput};
use crate::events::NodeError;
use crate::net_guard::Blocked;

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
    // The resolver is not asked about hosts that are addresses: check those now.
    cx.check_address(&url)
        .map_err(|b| address_blocked(&url, &b))?;
    let timeout_ms = params
        .literal("timeout_ms")
        .and_then(Json::as_u64)
        .unwrap_or(30_000);
    let headers = headers(cx)?;
    // An API key travels in a header the client does not know to drop on a redirect to
    // another site (it drops Authorization), so those requests stay on their site.
    let client = if params.str("auth") == Some("api_key") {
        cx.http_same_site()
    } else {
        cx.http()
    };
    let mut req = client
        .request(method.clone(), url.clone())
        .timeout(Duration::from_millis(timeout_ms));
    req = request::body(cx, req, &headers)?;
    req = req.headers(headers);
    req = request::authenticate(cx, req)?;
    if cx.test_mode && !matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS") {
        return simulated(req);
    }
    let resp = req.send().await.map_err(|e| transport_error(&url, e))?;
    response::read(cx, &method, &url, resp).await
}

/// Test mode: what the request would have sent, instead of sending it.
fn simulated(req: reqwest::RequestBuilder) -> Result<NodeOutput, NodeError> {
    let req = req.build().map_err(|e| {
        NodeError::new("invalid_value", format!("the request cannot be built: {e}"))
    })?;
    let headers: serde_json::Map<String, Json> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            let shown = if v.is_sensitive() {
                "[hidden]".to_string()
            } else {
                String::from_utf8_lossy(v.as_bytes()).into_owned()
            };
            (k.as_str().to_string(), Json::String(shown))
        })
        .collect();
    let body = match req.body().and_then(|b| b.as_bytes()) {
        None => Json::Null,
        Some(bytes) => serde_json::from_slice(bytes)
            .unwrap_or_else(|_| Json::String(String::from_utf8_lossy(bytes).into_owned())),
    };
    let line = format!("test mode: would send {} {}", req.method(), req.url());
    let mut out = NodeOutput::out(serde_json::json!({
        "simulated": true,
        "status": Json::Null,
        "headers": {},
        "body": Json::Null,
        "would_send": {"method": req.method().as_str(), "url": req.url().as_str(), "headers": headers, "body": body},
    }));
    out.logs.push(("info".to_string(), line));
    Ok(out)
}

fn headers(cx: &NodeCx) -> Result<HeaderMap, NodeError> {
    let mut map = HeaderMap::new();
    if let Some(Json::Object(headers)) = cx.eval("headers")? {
        for (k, v) in &headers {
            let name = HeaderName::from_bytes(k.as_bytes()).map_err(|_| {
                NodeError::new(
                    "invalid_value",
                    format!("\"{k}\" is not a valid header name"),
                )
                .in_field("headers")
            })?;
            let value = HeaderValue::from_str(&text(Some(v.clone()))).map_err(|_| {
                NodeError::new(
                    "invalid_value",
                    format!("the value of header \"{k}\" is not valid"),
                )
                .in_field("headers")
            })?;
            map.append(name, value);
        }
    }
    Ok(map)
}

/// `refused to call URL: 127.0.0.1 is a loopback address; ...`, naming the redirect when the
/// refused address was reached through one.
fn address_blocked(requested: &reqwest::Url, b: &Blocked) -> NodeError {
    let target = match &b.url {
        Some(u) if u != requested.as_str() => format!("{u} (redirected from {requested})"),
        _ => requested.to_string(),
    };
    NodeError::new("address_blocked", format!("refused to call {target}: {b}"))
}

fn transport_error(url: &reqwest::Url, e: reqwest::Error) -> NodeError {
    if let Some(b) = Blocked::find(&e) {
        // A name resolved to a refused address (the error's URL is the one being connected
        // to, after any redirects), or a redirect went to one.
        let refused = match (&b.url, e.url()) {
            (None, Some(at)) if at != url => Blocked {
                url: Some(at.to_string()),
                ..b.clone()
            },
            _ => b.clone(),
        };
        return address_blocked(url, &refused);
    }
    let why = if e.is_timeout() {
        "it did not answer in time".to_string()
    } else if e.is_connect() {
        "could not connect".to_string()
    } else {
        crate::nodes::error_chain(&e)
    };
    let code = if e.is_timeout() {
        "timeout"
    } else {
        "http_error"
    };
    NodeError::new(code, format!("calling {url} failed: {why}"))
}

/// A setting's value as text: strings as they are, other values as JSON, nothing as "".
fn text(v: Option<Json>) -> String {
    match v {
        Some(Json::String(s)) => s,
        Some(Json::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

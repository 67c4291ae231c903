//! What the HTTP request node sends besides the URL: credentials and the body.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::multipart::{Form, Part};
use reqwest::RequestBuilder;
use serde_json::{Map, Value as Json};

use super::text;
use crate::events::NodeError;
use crate::nodes::NodeCx;

/// Adds the credentials the `auth` setting asks for, read from a secret (and so scrubbed from
/// what the node returns, encoded forms included).
pub(super) fn authenticate(cx: &NodeCx, req: RequestBuilder) -> Result<RequestBuilder, NodeError> {
    let params = &cx.node().params;
    let auth = params.str("auth").unwrap_or("none");
    if auth == "none" {
        return Ok(req);
    }
    let name = params
        .str("auth_secret")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            NodeError::new(
                "invalid_value",
                "choose the secret that holds the token, password or API key",
            )
            .in_field("auth_secret")
        })?;
    let secret = cx.secret(name, "auth_secret")?;
    let header_value = |value: String| {
        let mut v = HeaderValue::from_str(&value).map_err(|_| {
            NodeError::new(
                "invalid_value",
                format!("the secret \"{name}\" cannot be sent in a header: it contains line breaks or other characters headers cannot carry"),
            )
            .in_field("auth_secret")
        })?;
        v.set_sensitive(true);
        Ok::<_, NodeError>(v)
    };
    Ok(match auth {
        "bearer" => req.header(AUTHORIZATION, header_value(format!("Bearer {secret}"))?),
        "basic" => {
            let user = text(cx.eval("auth_username")?);
            let encoded = BASE64.encode(format!("{user}:{secret}"));
            cx.scrub_also(name, &encoded);
            req.header(AUTHORIZATION, header_value(format!("Basic {encoded}"))?)
        }
        "api_key" => {
            let header = params
                .str("api_key_header")
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .unwrap_or("X-API-Key");
            let header = HeaderName::from_bytes(header.as_bytes()).map_err(|_| {
                NodeError::new(
                    "invalid_value",
                    format!("\"{header}\" is not a valid header name"),
                )
                .in_field("api_key_header")
            })?;
            req.header(header, header_value(secret.to_string())?)
        }
        other => {
            return Err(NodeError::new(
                "invalid_value",
                format!("unknown authentication \"{other}\""),
            )
            .in_field("auth"))
        }
    })
}

/// Adds the body the `body_type` setting asks for. `headers` are the node's own headers: a
/// Content-Type among them wins over the one the body type implies.
pub(super) fn body(
    cx: &NodeCx,
    req: RequestBuilder,
    headers: &HeaderMap,
) -> Result<RequestBuilder, NodeError> {
    let params = &cx.node().params;
    Ok(match params.str("body_type").unwrap_or("json") {
        "json" => match cx.eval("body")? {
            Some(body) if !body.is_null() => req.json(&body),
            _ => req,
        },
        "form" => {
            let fields: Vec<(String, String)> = form_fields(cx)?
                .into_iter()
                .map(|(k, v)| (k, text(Some(v))))
                .collect();
            req.form(&fields)
        }
        "multipart" => {
            let mut form = Form::new();
            for (name, value) in form_fields(cx)? {
                form = match value {
                    Json::Object(file) if file.get("base64").is_some_and(Json::is_string) => {
                        form.part(name.clone(), file_part(&name, &file)?)
                    }
                    other => form.text(name, text(Some(other))),
                };
            }
            req.multipart(form)
        }
        "text" => {
            let body = text(cx.eval("text_body")?);
            if headers.contains_key(CONTENT_TYPE) {
                req.body(body)
            } else {
                let ct = params.str("content_type").map(str::trim).unwrap_or("");
                let ct = if ct.is_empty() { "text/plain" } else { ct };
                let ct = HeaderValue::from_str(ct).map_err(|_| {
                    NodeError::new(
                        "invalid_value",
                        format!("\"{ct}\" is not a valid content type"),
                    )
                    .in_field("content_type")
                })?;
                req.header(CONTENT_TYPE, ct).body(body)
            }
        }
        "none" => req,
        other => {
            return Err(
                NodeError::new("invalid_value", format!("unknown body type \"{other}\""))
                    .in_field("body_type"),
            )
        }
    })
}

fn form_fields(cx: &NodeCx) -> Result<Map<String, Json>, NodeError> {
    Ok(match cx.eval("form_fields")? {
        Some(Json::Object(fields)) => fields,
        _ => Map::new(),
    })
}

/// A file part from `{base64, filename?, content_type?}` (what a File answer gives).
fn file_part(name: &str, file: &Map<String, Json>) -> Result<Part, NodeError> {
    let invalid = |why: String| NodeError::new("invalid_value", why).in_field("form_fields");
    let data = file.get("base64").and_then(Json::as_str).unwrap_or("");
    let bytes = BASE64
        .decode(data.trim())
        .map_err(|e| invalid(format!("the file in \"{name}\" is not valid base64: {e}")))?;
    let filename = file
        .get("filename")
        .and_then(Json::as_str)
        .unwrap_or(name)
        .to_string();
    let ct = file
        .get("content_type")
        .and_then(Json::as_str)
        .unwrap_or("application/octet-stream");
    Part::bytes(bytes)
        .file_name(filename)
        .mime_str(ct)
        .map_err(|_| {
            invalid(format!(
                "\"{ct}\" is not a valid content type for \"{name}\""
            ))
        })
}

//! `POST /hooks/{path}`: checks at the door (size 413, content type 415, JSON 400, signature
//! 401), then stores the event and answers 202 `{"event_id"}` only after the commit; or, when
//! the workflow has a Respond to webhook node, answers with what that node says.

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{request, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::Value;
use switchyard_app::Delivery;

use crate::{error, ApiError, Ctx};

/// The webhook path of a request to `/hooks/...`, still percent-encoded.
pub(crate) fn hook_path(request: &Request) -> Option<&str> {
    request.uri().path().strip_prefix("/hooks/")
}

/// What a webhook answers once its event is stored.
#[derive(Serialize)]
struct Stored<'a> {
    event_id: &'a str,
    duplicate: bool,
}

/// A request to `/hooks/...`, straight from the connection (see `Server` in lib.rs): its
/// headers are read where they are and its body up to the size limit.
pub(crate) async fn receive(ctx: Ctx, request: Request) -> Response {
    let path = percent_encoding::percent_decode_str(hook_path(&request).unwrap_or_default());
    let path = match path.decode_utf8() {
        Ok(p) => p.into_owned(),
        Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_path",
                "the webhook path is not valid UTF-8 once percent-decoded",
            )
        }
    };
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, ctx.opts.max_body_bytes).await;
    answer(&ctx, &path, &parts, body).await
}

async fn answer(
    ctx: &Ctx,
    path: &str,
    parts: &request::Parts,
    body: Result<Bytes, axum::Error>,
) -> Response {
    let method = &parts.method;
    let headers = &parts.headers;
    let Some(route) = ctx.app.webhook_route(path) else {
        return error(
            StatusCode::NOT_FOUND,
            "unknown_webhook",
            &format!("no workflow listens on /hooks/{}", path.trim_matches('/')),
        );
    };
    if method.as_str() != route.method {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            &format!("/hooks/{} takes {}", route.path, route.method),
        );
    }
    let body = match body {
        Ok(b) => b,
        Err(e) if too_large(&e) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                &format!(
                    "the body is larger than the {} bytes this server accepts",
                    ctx.opts.max_body_bytes
                ),
            );
        }
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                &format!("the body could not be read: {e}"),
            );
        }
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let content_type = header("content-type").unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !(mime.eq_ignore_ascii_case("application/json")
        || mime.to_ascii_lowercase().ends_with("+json"))
    {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            &format!("send JSON with Content-Type: application/json (got \"{content_type}\")"),
        );
    }
    if let Some(name) = &route.secret {
        let Some(secret) = ctx.app.secret(name) else {
            tracing::error!(path = %route.path, secret = %name, "the webhook's signing secret is not set; refusing its requests");
            return error(
                StatusCode::UNAUTHORIZED,
                "invalid_signature",
                "this webhook requires a signature and its secret is not configured on the server",
            );
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        if let Err(e) = crate::signature::verify(
            &secret,
            header("webhook-id"),
            header("webhook-timestamp"),
            header("webhook-signature"),
            &body,
            now,
            ctx.opts.signature_tolerance_secs,
        ) {
            return error(
                StatusCode::UNAUTHORIZED,
                "invalid_signature",
                &e.to_string(),
            );
        }
    }
    let payload: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                &format!("the body is not valid JSON: {e}"),
            )
        }
    };
    let key = header("idempotency-key")
        .or_else(|| header("webhook-id"))
        .map(str::to_string);
    match ctx.app.receive_webhook(&route, payload, key).await {
        Ok(Delivery::Accepted {
            event_id,
            duplicate,
        }) => (
            StatusCode::ACCEPTED,
            Json(Stored {
                event_id: &event_id,
                duplicate,
            }),
        )
            .into_response(),
        Ok(Delivery::Responded { event_id, reply }) => {
            let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
            let mut response = (status, Json(reply.body)).into_response();
            let h = response.headers_mut();
            for (k, v) in reply.headers {
                if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
                    h.insert(k, v);
                }
            }
            if let Ok(v) = HeaderValue::try_from(event_id) {
                h.insert("x-switchyard-event-id", v);
            }
            response
        }
        Err(e) => ApiError(e).into_response(),
    }
}

/// Whether reading a body stopped at the size limit (`to_bytes` wraps the limit's error).
fn too_large(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

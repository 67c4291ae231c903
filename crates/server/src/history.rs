//! Run history over HTTP: re-run, retry from the failed node, replay, compare, log lines and
//! metrics. Handlers parse, call the app, and answer.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Json;
use serde::Deserialize;
use switchyard_app::api::{RetryRequest, RunStarted};
use switchyard_app::AppError;

use crate::api::{ok, ApiResult};
use crate::{ApiError, Ctx};

pub(crate) fn routes(ctx: Ctx) -> axum::Router {
    axum::Router::new()
        .route("/api/runs/compare", get(compare))
        .route("/api/runs/{id}/rerun", post(rerun))
        .route("/api/runs/{id}/retry", post(retry))
        .route("/api/runs/{id}/replay", post(replay))
        .route("/api/runs/{id}/logs", get(logs))
        .route("/api/metrics", get(metrics))
        .with_state(ctx)
}

#[derive(Deserialize)]
struct Wait {
    /// Answer once the new run is stored (200 with it), instead of at once (202).
    #[serde(default)]
    wait: bool,
}

fn started(s: RunStarted) -> ApiResult {
    let status = if s.run.is_some() {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, Json(s)).into_response())
}

async fn rerun(State(ctx): State<Ctx>, Path(id): Path<String>, Query(q): Query<Wait>) -> ApiResult {
    started(ctx.app.rerun(&id, q.wait).await?)
}

/// Body `{"version": "current" | "original"}`; no body: the current version.
async fn retry(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    Query(q): Query<Wait>,
    body: Bytes,
) -> ApiResult {
    let req: RetryRequest = if body.iter().all(u8::is_ascii_whitespace) {
        RetryRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError(AppError::new(
                "invalid_request",
                format!("the body is not {{\"version\": \"current\" | \"original\"}}: {e}"),
            ))
        })?
    };
    started(ctx.app.retry_run(&id, req.version, q.wait).await?)
}

async fn replay(State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult {
    ok(ctx.app.replay_run(&id).await?)
}

async fn logs(State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult {
    ok(ctx.app.run_logs(&id).await?)
}

#[derive(Deserialize)]
struct Pair {
    a: String,
    b: String,
}

async fn compare(State(ctx): State<Ctx>, Query(p): Query<Pair>) -> ApiResult {
    ok(ctx.app.compare_runs(&p.a, &p.b).await?)
}

#[derive(Deserialize)]
struct MetricsQuery {
    workflow: Option<String>,
    /// `15m`, `1h`, `24h`, `7d` ... (default 24h).
    window: Option<String>,
}

async fn metrics(State(ctx): State<Ctx>, Query(q): Query<MetricsQuery>) -> ApiResult {
    let window = q.window.as_deref().unwrap_or("24h");
    ok(ctx
        .app
        .metrics(q.workflow.as_deref().filter(|w| !w.is_empty()), window)
        .await?)
}

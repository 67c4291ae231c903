//! `/api/workspace` (the workspace settings) and `/api/secrets` (names only; values go in and
//! never come out).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, put};
use axum::Json;
use switchyard_app::api::SecretValue;
use switchyard_core::Workspace;

use crate::api::{body, ok, ApiResult};
use crate::Ctx;

pub(crate) fn routes(ctx: Ctx) -> axum::Router {
    axum::Router::new()
        .route("/api/workspace", get(get_workspace).put(put_workspace))
        .route("/api/secrets", get(list_secrets))
        .route("/api/secrets/{name}", put(set_secret).delete(delete_secret))
        .with_state(ctx)
}

async fn get_workspace(State(ctx): State<Ctx>) -> ApiResult {
    ok(ctx.app.workspace())
}

async fn put_workspace(
    State(ctx): State<Ctx>,
    b: Result<Json<Workspace>, JsonRejection>,
) -> ApiResult {
    ok(ctx.app.save_workspace(body(b)?)?)
}

async fn list_secrets(State(ctx): State<Ctx>) -> ApiResult {
    ok(ctx.app.list_secrets()?)
}

async fn set_secret(
    State(ctx): State<Ctx>,
    Path(name): Path<String>,
    b: Result<Json<SecretValue>, JsonRejection>,
) -> ApiResult {
    ctx.app.set_secret(&name, &body(b)?.value)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn delete_secret(State(ctx): State<Ctx>, Path(name): Path<String>) -> ApiResult {
    ctx.app.delete_secret(&name)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

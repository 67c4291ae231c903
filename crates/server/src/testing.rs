//! Test cases and batch tests: `/api/workflows/{id}/tests` (the suite beside the workflow),
//! `/api/workflows/{id}/tests/run` (run its cases, or drafts of them) and
//! `/api/workflows/{id}/batch` (rows or CSV text through the workflow). All in test mode;
//! nothing is recorded in the run history.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Json;
use switchyard_app::testing::{BatchRequest, RunTestsRequest};
use switchyard_core::TestSuite;

use crate::api::{body, ok, ApiResult};
use crate::Ctx;

pub(crate) fn routes(ctx: Ctx) -> axum::Router {
    axum::Router::new()
        .route("/api/workflows/{id}/tests", get(get_tests).put(put_tests))
        .route("/api/workflows/{id}/tests/run", post(run_tests))
        .route("/api/workflows/{id}/batch", post(run_batch))
        .with_state(ctx)
}

async fn get_tests(State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult {
    ok(ctx.app.get_tests(&id)?)
}

async fn put_tests(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    b: Result<Json<TestSuite>, JsonRejection>,
) -> ApiResult {
    ok(ctx.app.save_tests(&id, body(b)?)?)
}

async fn run_tests(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    b: Result<Json<RunTestsRequest>, JsonRejection>,
) -> ApiResult {
    ok(ctx.app.run_tests(&id, body(b)?).await?)
}

async fn run_batch(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    b: Result<Json<BatchRequest>, JsonRejection>,
) -> ApiResult {
    ok(ctx.app.run_batch(&id, body(b)?).await?)
}

//! The JSON API under `/api/` and the live run stream (Server-Sent Events).

use std::convert::Infallible;

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use futures::Stream;
use serde::Deserialize;
use serde_json::{json, Value};
use switchyard_app::{AppError, LiveEvent};
use switchyard_core::WorkflowFile;
use switchyard_store::RunFilter;
use tokio::sync::broadcast::error::RecvError;

use crate::{ApiError, Ctx};

pub(crate) type ApiResult = Result<Response, ApiError>;

pub(crate) fn ok<T: serde::Serialize>(v: T) -> ApiResult {
    Ok(Json(v).into_response())
}

/// A JSON body, with a clear 400 instead of axum's plain-text rejection.
pub(crate) fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(v)| v)
        .map_err(|e| ApiError(AppError::new("invalid_request", e.body_text())))
}

pub(crate) fn routes(ctx: Ctx) -> axum::Router {
    axum::Router::new()
        .route("/api/health", get(health))
        .route("/api/catalog", get(catalog))
        .route("/api/workflows", get(workflows))
        .route("/api/workflows/check", post(check_text))
        .route("/api/workflows/{id}/file", get(get_file).put(put_file))
        .route(
            "/api/workflows/{id}",
            axum::routing::delete(delete_workflow),
        )
        .route("/api/workflows/{id}/run", post(run_workflow))
        .route("/api/workflows/{id}/versions", get(versions))
        .route("/api/workflows/{id}/versions/{v}/restore", post(restore))
        .route("/api/validate", post(validate))
        .route("/api/templates", get(templates))
        .route("/api/templates/{id}", get(template))
        .route("/api/runs", get(runs))
        .route("/api/runs/{id}", get(run))
        .route("/api/runs/{id}/cancel", post(cancel_run))
        .route("/api/events", get(events).post(publish))
        .route("/api/events/{id}", get(event))
        .route("/api/dead-letters", get(dead_letters))
        .route("/api/dead-letters/{job}/retry", post(retry_dead))
        .route("/api/dead-letters/{job}/discard", post(discard_dead))
        .route("/api/stream", get(stream))
        .layer(DefaultBodyLimit::max(
            switchyard_core::file::MAX_FILE_BYTES + 64 * 1024,
        ))
        .with_state(ctx)
}

async fn health(State(ctx): State<Ctx>) -> ApiResult {
    let stats = ctx.app.store().stats().await.map_err(AppError::from)?;
    let reg = ctx.app.registry();
    ok(json!({
        "status": if ctx.app.is_stopping() { "stopping" } else { "ok" },
        "version": env!("CARGO_PKG_VERSION"),
        "workflows": reg.entries.len(),
        "active_runs": ctx.app.active_runs().len(),
        "queue": stats,
    }))
}

async fn catalog(State(ctx): State<Ctx>) -> ApiResult {
    ok(ctx.app.catalog())
}

async fn workflows(State(ctx): State<Ctx>) -> ApiResult {
    ok(ctx.app.list_workflows())
}

async fn get_file(State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult {
    ok(ctx.app.get_workflow(&id)?)
}

async fn put_file(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    file: Result<Json<WorkflowFile>, JsonRejection>,
) -> ApiResult {
    let file = body(file)?;
    if file.id != id {
        return Err(ApiError(AppError::new(
            "invalid_request",
            format!(
                "the file's id \"{}\" does not match the address ({id})",
                file.id
            ),
        )));
    }
    ok(ctx.app.save_workflow(file).await?)
}

async fn delete_workflow(State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult {
    ctx.app.delete_workflow(&id).await?;
    ok(Value::Null)
}

#[derive(Deserialize)]
struct RunQuery {
    trigger: Option<String>,
    #[serde(default)]
    wait: bool,
}

async fn run_workflow(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    Query(q): Query<RunQuery>,
    payload: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    let payload = body(payload)?;
    let (event_id, run) = ctx
        .app
        .run_manual(&id, q.trigger.as_deref(), payload, q.wait)
        .await?;
    Ok((
        if run.is_some() {
            StatusCode::OK
        } else {
            StatusCode::ACCEPTED
        },
        Json(json!({"event_id": event_id, "run": run})),
    )
        .into_response())
}

async fn versions(State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult {
    ok(ctx.app.versions(&id).await?)
}

async fn restore(State(ctx): State<Ctx>, Path((id, v)): Path<(String, i64)>) -> ApiResult {
    ok(ctx.app.restore_version(&id, v).await?)
}

async fn validate(
    State(ctx): State<Ctx>,
    file: Result<Json<WorkflowFile>, JsonRejection>,
) -> ApiResult {
    ok(ctx.app.validate_workflow(body(file)?))
}

#[derive(Deserialize)]
struct TextBody {
    text: String,
}

async fn check_text(
    State(ctx): State<Ctx>,
    text: Result<Json<TextBody>, JsonRejection>,
) -> ApiResult {
    ok(ctx.app.check_workflow_text(&body(text)?.text))
}

async fn templates(State(ctx): State<Ctx>) -> ApiResult {
    ok(ctx.app.list_templates())
}

async fn template(State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult {
    ok(ctx.app.get_template(&id)?)
}

async fn runs(State(ctx): State<Ctx>, Query(mut filter): Query<RunFilter>) -> ApiResult {
    // An empty field in a form is no filter.
    for f in [
        &mut filter.workflow,
        &mut filter.status,
        &mut filter.origin,
        &mut filter.origin_run,
        &mut filter.q,
        &mut filter.before_id,
    ] {
        if f.as_deref().is_some_and(|v| v.trim().is_empty()) {
            *f = None;
        }
    }
    ok(ctx
        .app
        .store()
        .runs(&filter)
        .await
        .map_err(AppError::from)?)
}

async fn run(State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult {
    ok(ctx.app.get_run(&id).await?)
}

async fn cancel_run(State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult {
    ctx.app.cancel_run(&id)?;
    ok(json!({"cancelled": id}))
}

#[derive(Deserialize)]
struct Page {
    limit: Option<i64>,
    before: Option<i64>,
}

async fn events(State(ctx): State<Ctx>, Query(p): Query<Page>) -> ApiResult {
    let list = ctx
        .app
        .store()
        .events(p.limit.unwrap_or(50), p.before)
        .await
        .map_err(AppError::from)?;
    ok(list)
}

#[derive(Deserialize)]
struct Publish {
    name: String,
    #[serde(default)]
    payload: Value,
    idempotency_key: Option<String>,
}

async fn publish(State(ctx): State<Ctx>, p: Result<Json<Publish>, JsonRejection>) -> ApiResult {
    let p = body(p)?;
    let a = ctx
        .app
        .publish(&p.name, p.payload, p.idempotency_key)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"event_id": a.event_id, "duplicate": a.duplicate, "runs": a.jobs.len()})),
    )
        .into_response())
}

#[derive(Deserialize)]
struct EventQuery {
    /// Long poll: wait up to this many milliseconds (at most 60 s) for every run of the event
    /// to be stored.
    wait_ms: Option<u64>,
}

async fn event(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    Query(q): Query<EventQuery>,
) -> ApiResult {
    // Subscribe before the first read, so a run stored in between is not missed.
    let mut live = ctx.app.subscribe();
    let settled = |d: &switchyard_store::EventDetail| {
        d.jobs
            .iter()
            .all(|j| j.status != "queued" && j.status != "leased")
    };
    let store = ctx.app.store();
    let mut detail = store.event_detail(&id).await.map_err(AppError::from)?;
    if let Some(ms) = q.wait_ms {
        let deadline =
            tokio::time::Instant::now() + std::time::Duration::from_millis(ms.min(60_000));
        // Re-read when a run of this event is stored, and every 250 ms in any case.
        while !settled(&detail) && tokio::time::Instant::now() < deadline {
            let tick =
                (tokio::time::Instant::now() + std::time::Duration::from_millis(250)).min(deadline);
            loop {
                match tokio::time::timeout_at(tick, live.recv()).await {
                    Ok(Ok(LiveEvent::RunStored { run }))
                        if run.event_id.as_deref() == Some(&id) =>
                    {
                        break
                    }
                    Ok(Ok(_)) | Ok(Err(RecvError::Lagged(_))) => {}
                    Ok(Err(RecvError::Closed)) | Err(_) => break,
                }
            }
            detail = store.event_detail(&id).await.map_err(AppError::from)?;
        }
    }
    ok(detail)
}

async fn dead_letters(State(ctx): State<Ctx>, Query(p): Query<Page>) -> ApiResult {
    let list = ctx
        .app
        .store()
        .dead_letters(p.limit.unwrap_or(50))
        .await
        .map_err(AppError::from)?;
    ok(list)
}

async fn retry_dead(State(ctx): State<Ctx>, Path(job): Path<i64>) -> ApiResult {
    let job = ctx.app.retry_dead_letter(job).await?;
    ok(switchyard_app::api::RetriedJob {
        job_id: job.id,
        attempts: job.attempts,
    })
}

async fn discard_dead(State(ctx): State<Ctx>, Path(job): Path<i64>) -> ApiResult {
    ctx.app.discard_dead_letter(job).await?;
    ok(json!({"discarded": job}))
}

#[derive(Deserialize)]
struct StreamQuery {
    workflow: Option<String>,
    run: Option<String>,
    /// Only `run_stored` (no node events): what a run list needs.
    #[serde(default)]
    stored: bool,
}

/// Run events as they happen (`run`), and each run once stored (`run_stored`).
async fn stream(
    State(ctx): State<Ctx>,
    Query(q): Query<StreamQuery>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = ctx.app.subscribe();
    let stop = ctx.app.stopping_token();
    let s = futures::stream::unfold((rx, stop, q), |(mut rx, stop, q)| async move {
        loop {
            let next = tokio::select! {
                _ = stop.cancelled() => return None,
                r = rx.recv() => r,
            };
            match next {
                Ok(ev) => {
                    let (wf, run) = match &ev {
                        LiveEvent::Run {
                            workflow_id,
                            run_id,
                            ..
                        } => (workflow_id, run_id),
                        LiveEvent::RunStored { run } => (&run.workflow_id, &run.id),
                    };
                    if q.workflow.as_ref().is_some_and(|w| w != wf)
                        || q.run.as_ref().is_some_and(|r| r != run)
                        || (q.stored && matches!(ev, LiveEvent::Run { .. }))
                    {
                        continue;
                    }
                    let data = serde_json::to_string(&ev).unwrap_or_default();
                    return Some((Ok(Event::default().data(data)), (rx, stop, q)));
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    let data = json!({"type": "lagged", "missed": n}).to_string();
                    return Some((Ok(Event::default().data(data)), (rx, stop, q)));
                }
                Err(_) => return None,
            }
        }
    });
    Sse::new(s).keep_alive(KeepAlive::default())
}

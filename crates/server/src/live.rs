//! `POST /api/runs/live`: an editor run, streamed as it happens (newline-delimited JSON).
//!
//! Each line is one JSON object: `{"type":"event","event":RunEvent}` while the run goes, then
//! either `{"type":"done","result":LiveRunOutcome}` or `{"type":"error","code","message"}`.
//! A test run is cancelled when the client goes away; a real run goes on (it is durable).

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Json;
use serde_json::json;
use switchyard_app::{LiveRunRequest, RunEvent};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::api::{body, ApiResult};
use crate::Ctx;

pub(crate) fn routes(ctx: Ctx) -> axum::Router {
    axum::Router::new()
        .route("/api/runs/live", post(run_live))
        .with_state(ctx)
}

fn line(v: &serde_json::Value) -> Bytes {
    let mut text = v.to_string();
    text.push('\n');
    Bytes::from(text)
}

async fn run_live(
    State(ctx): State<Ctx>,
    req: Result<Json<LiveRunRequest>, JsonRejection>,
) -> ApiResult {
    let req = body(req)?;
    let (tx, mut rx) = mpsc::unbounded_channel::<Bytes>();
    let app = ctx.app.clone();
    tokio::spawn(async move {
        let stop = CancellationToken::new();
        // The client went away: stop (a test run is cancelled, a real one is left to finish).
        let gone = tokio::spawn({
            let (tx, stop) = (tx.clone(), stop.clone());
            async move {
                tx.closed().await;
                stop.cancel();
            }
        });
        let events = tx.clone();
        let mut on_event = move |e: &RunEvent| {
            let _ = events.send(line(&json!({"type": "event", "event": e})));
        };
        let last = match app.run_live(req, stop, &mut on_event).await {
            Ok(outcome) => json!({"type": "done", "result": outcome}),
            Err(e) => json!({"type": "error", "code": e.code, "message": e.message}),
        };
        gone.abort();
        let _ = tx.send(line(&last));
    });
    let stream =
        futures::stream::poll_fn(move |cx| rx.poll_recv(cx).map(|b| b.map(Ok::<_, Infallible>)));
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

//! Runs from the editor: started and watched through a Tauri channel (the HTTP server streams
//! the same events as newline-delimited JSON, see `switchyard_server`'s `live` module).

use switchyard_app::{LiveRunOutcome, LiveRunRequest, RunEvent};
use tauri::ipc::Channel;
use tauri::State;
use tokio_util::sync::CancellationToken;

use crate::backend::Backend;
use crate::commands::Answer;

/// Runs the workflow, sending each run event to `on_event` as it happens; the outcome at the end.
#[tauri::command]
pub async fn run_live(
    backend: State<'_, Backend>,
    request: LiveRunRequest,
    on_event: Channel<RunEvent>,
) -> Answer<LiveRunOutcome> {
    let app = backend.app()?.clone();
    let mut send = move |e: &RunEvent| {
        let _ = on_event.send(e.clone());
    };
    Ok(app
        .run_live(request, CancellationToken::new(), &mut send)
        .await?)
}

/// Cancels a run in progress (test or real).
#[tauri::command]
pub async fn cancel_run(backend: State<'_, Backend>, id: String) -> Answer<()> {
    Ok(backend.app()?.cancel_run(&id)?)
}

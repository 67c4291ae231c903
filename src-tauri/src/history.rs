//! Run history commands: thin adapters over the application API, named like the entries of
//! the UI's command table (`ui/src/api/commands.ts`). (`cancel_run` is in `runs.rs`.)

use switchyard_app::api::{
    ReplayResult, RetriedJob, RetryVersion, RunComparison, RunLogs, RunStarted,
};
use switchyard_store::{DeadLetter, EventDetail, Metrics, RunFilter, RunRecord, RunSummary};
use tauri::State;

use crate::backend::Backend;
use crate::commands::Answer;

#[tauri::command]
pub async fn list_runs(backend: State<'_, Backend>, filter: RunFilter) -> Answer<Vec<RunSummary>> {
    let app = backend.app()?;
    Ok(app
        .store()
        .runs(&filter)
        .await
        .map_err(switchyard_app::AppError::from)?)
}

#[tauri::command]
pub async fn get_run(backend: State<'_, Backend>, id: String) -> Answer<RunRecord> {
    Ok(backend.app()?.get_run(&id).await?)
}

#[tauri::command]
pub async fn get_event(backend: State<'_, Backend>, id: String) -> Answer<EventDetail> {
    let app = backend.app()?;
    Ok(app
        .store()
        .event_detail(&id)
        .await
        .map_err(switchyard_app::AppError::from)?)
}

#[tauri::command]
pub async fn get_run_logs(backend: State<'_, Backend>, id: String) -> Answer<RunLogs> {
    Ok(backend.app()?.run_logs(&id).await?)
}

#[tauri::command]
pub async fn rerun_run(backend: State<'_, Backend>, id: String, wait: bool) -> Answer<RunStarted> {
    Ok(backend.app()?.rerun(&id, wait).await?)
}

#[tauri::command]
pub async fn retry_run(
    backend: State<'_, Backend>,
    id: String,
    version: RetryVersion,
    wait: bool,
) -> Answer<RunStarted> {
    Ok(backend.app()?.retry_run(&id, version, wait).await?)
}

#[tauri::command]
pub async fn replay_run(backend: State<'_, Backend>, id: String) -> Answer<ReplayResult> {
    Ok(backend.app()?.replay_run(&id).await?)
}

#[tauri::command]
pub async fn compare_runs(
    backend: State<'_, Backend>,
    a: String,
    b: String,
) -> Answer<RunComparison> {
    Ok(backend.app()?.compare_runs(&a, &b).await?)
}

#[tauri::command]
pub async fn get_metrics(
    backend: State<'_, Backend>,
    workflow: Option<String>,
    window: String,
) -> Answer<Metrics> {
    Ok(backend.app()?.metrics(workflow.as_deref(), &window).await?)
}

#[tauri::command]
pub async fn list_dead_letters(backend: State<'_, Backend>) -> Answer<Vec<DeadLetter>> {
    let app = backend.app()?;
    Ok(app
        .store()
        .dead_letters(200)
        .await
        .map_err(switchyard_app::AppError::from)?)
}

#[tauri::command]
pub async fn retry_dead_letter(backend: State<'_, Backend>, job: i64) -> Answer<RetriedJob> {
    let j = backend.app()?.retry_dead_letter(job).await?;
    Ok(RetriedJob {
        job_id: j.id,
        attempts: j.attempts,
    })
}

#[tauri::command]
pub async fn discard_dead_letter(backend: State<'_, Backend>, job: i64) -> Answer<()> {
    Ok(backend.app()?.discard_dead_letter(job).await?)
}

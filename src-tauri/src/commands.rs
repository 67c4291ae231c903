//! Tauri commands: each one parses its input, calls one function of the application API and
//! maps the error to `{code, message}`. Names and argument keys are the UI's command table
//! (`ui/src/api/commands.ts`). They are `async` so they run off the window's thread.

use serde::Serialize;
use switchyard_app::api::{
    ApiError, AppInfo, CheckedText, Saved, SecretList, TemplateInfo, Validation, WorkflowSummary,
    WorkspaceState,
};
use switchyard_app::testing::{
    BatchRequest, BatchResult, RunTestsRequest, SuiteResult, TestsState,
};
use switchyard_app::AppError;
use switchyard_core::catalog::Descriptor;
use switchyard_core::workspace::Workspace;
use switchyard_core::{TestSuite, WorkflowFile};
use tauri::{AppHandle, State};

use crate::backend::Backend;
use crate::smoke::SmokeMode;

/// A failed command, as the UI receives it: `{code, message}`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct CommandError(ApiError);

impl From<AppError> for CommandError {
    fn from(e: AppError) -> Self {
        CommandError(ApiError {
            code: e.code,
            message: e.message,
        })
    }
}

pub(crate) type Answer<T> = Result<T, CommandError>;

#[tauri::command]
pub fn app_info(app: AppHandle, backend: State<'_, Backend>) -> AppInfo {
    let package = app.package_info();
    AppInfo {
        name: package.name.clone(),
        version: package.version.to_string(),
        server_url: backend.server_url(),
        workflows_dir: Some(backend.places.workflows_dir.display().to_string()),
    }
}

#[tauri::command]
pub async fn catalog(backend: State<'_, Backend>) -> Answer<Vec<&'static Descriptor>> {
    Ok(backend.app()?.catalog())
}

#[tauri::command]
pub async fn list_workflows(backend: State<'_, Backend>) -> Answer<Vec<WorkflowSummary>> {
    Ok(backend.app()?.list_workflows())
}

#[tauri::command]
pub async fn get_workflow(backend: State<'_, Backend>, id: String) -> Answer<WorkflowFile> {
    Ok(backend.app()?.get_workflow(&id)?)
}

#[tauri::command]
pub async fn save_workflow(backend: State<'_, Backend>, file: WorkflowFile) -> Answer<Saved> {
    Ok(backend.app()?.save_workflow(file).await?)
}

#[tauri::command]
pub async fn delete_workflow(backend: State<'_, Backend>, id: String) -> Answer<()> {
    Ok(backend.app()?.delete_workflow(&id).await?)
}

#[tauri::command]
pub async fn validate_workflow(
    backend: State<'_, Backend>,
    file: WorkflowFile,
) -> Answer<Validation> {
    Ok(backend.app()?.validate_workflow(file))
}

#[tauri::command]
pub async fn check_workflow_text(backend: State<'_, Backend>, text: String) -> Answer<CheckedText> {
    Ok(backend.app()?.check_workflow_text(&text))
}

#[tauri::command]
pub async fn list_templates(backend: State<'_, Backend>) -> Answer<Vec<TemplateInfo>> {
    Ok(backend.app()?.list_templates())
}

#[tauri::command]
pub async fn get_template(backend: State<'_, Backend>, id: String) -> Answer<WorkflowFile> {
    Ok(backend.app()?.get_template(&id)?)
}

#[tauri::command]
pub async fn get_workspace(backend: State<'_, Backend>) -> Answer<WorkspaceState> {
    Ok(backend.app()?.workspace())
}

#[tauri::command]
pub async fn save_workspace(
    backend: State<'_, Backend>,
    settings: Workspace,
) -> Answer<WorkspaceState> {
    Ok(backend.app()?.save_workspace(settings)?)
}

/// The names of the stored secrets, never their values.
#[tauri::command]
pub async fn list_secrets(backend: State<'_, Backend>) -> Answer<SecretList> {
    Ok(backend.app()?.list_secrets()?)
}

#[tauri::command]
pub async fn set_secret(backend: State<'_, Backend>, name: String, value: String) -> Answer<()> {
    Ok(backend.app()?.set_secret(&name, &value)?)
}

#[tauri::command]
pub async fn delete_secret(backend: State<'_, Backend>, name: String) -> Answer<()> {
    Ok(backend.app()?.delete_secret(&name)?)
}

/// The workflow's test suite (an empty one when it has none yet).
#[tauri::command]
pub async fn get_tests(backend: State<'_, Backend>, id: String) -> Answer<TestsState> {
    Ok(backend.app()?.get_tests(&id)?)
}

#[tauri::command]
pub async fn save_tests(
    backend: State<'_, Backend>,
    id: String,
    suite: TestSuite,
) -> Answer<TestsState> {
    Ok(backend.app()?.save_tests(&id, suite)?)
}

/// Runs the workflow's test cases in test mode (saved, or the drafts in `request`).
#[tauri::command]
pub async fn run_tests(
    backend: State<'_, Backend>,
    id: String,
    request: RunTestsRequest,
) -> Answer<SuiteResult> {
    Ok(backend.app()?.run_tests(&id, request).await?)
}

/// Runs rows (events, or CSV text) through the workflow in test mode.
#[tauri::command]
pub async fn run_batch(
    backend: State<'_, Backend>,
    id: String,
    request: BatchRequest,
) -> Answer<BatchResult> {
    Ok(backend.app()?.run_batch(&id, request).await?)
}

/// The UI calls this once its first screen shows the `app_info` it received. Outside a smoke
/// run it does nothing; in one it ends the app, with 0 if the UI shows the right version.
#[tauri::command]
pub fn ui_ready(app: AppHandle, smoke: State<'_, SmokeMode>, shown_version: String) {
    let expected = app.package_info().version.to_string();
    match smoke.check(&expected, &shown_version) {
        None => {}
        Some(Ok(())) => {
            println!("smoke: ok (the UI shows version {shown_version})");
            app.exit(0);
        }
        Some(Err(problem)) => {
            eprintln!("smoke: FAILED: {problem}");
            app.exit(1);
        }
    }
}

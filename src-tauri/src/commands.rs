//! Tauri commands: each one parses its input, calls one function and maps the result.

use serde::Serialize;
use tauri::{AppHandle, State};

use crate::smoke::SmokeMode;

/// What the UI shows about the running app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
}

#[tauri::command]
pub fn app_info(app: AppHandle) -> AppInfo {
    let package = app.package_info();
    AppInfo {
        name: package.name.clone(),
        version: package.version.to_string(),
    }
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

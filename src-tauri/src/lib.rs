//! The Switchyard desktop shell. Only this crate knows about Tauri: its commands are thin
//! adapters that will forward to the application API (`crates/app`) as it grows.

mod commands;
mod smoke;

pub use commands::AppInfo;
pub use smoke::SmokeMode;

/// Opens the main window and serves the UI until the user quits.
pub fn run() {
    tauri::Builder::default()
        .manage(SmokeMode::from_env())
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::ui_ready
        ])
        .run(tauri::generate_context!())
        .expect("error while running the Switchyard desktop app");
}

//! The Switchyard desktop shell. Only this crate knows about Tauri: its commands are thin
//! adapters over the application API (`crates/app`), and it owns the same engine that
//! `switchyard serve` runs, in process.

mod backend;
mod commands;
mod export;
mod places;
mod runs;
mod smoke;

pub use backend::Backend;
pub use places::Places;
pub use smoke::SmokeMode;
use tauri::{Manager, RunEvent};

/// Starts the engine, opens the main window and serves the UI until the user quits; then stops
/// the engine cleanly (runs finish or are released, the database is closed).
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SWITCHYARD_LOG")
                .unwrap_or_else(|_| "warn,switchyard_app=info,switchyard_desktop_lib=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(SmokeMode::from_env())
        .setup(|app| {
            let places = Places::resolve(&places::Env::from_process());
            let listen = std::env::var("SWITCHYARD_LISTEN").ok();
            let addr = places::listen_addr(listen.as_deref()).unwrap_or_else(|| {
                tracing::warn!("SWITCHYARD_LISTEN={listen:?} is not an address or a port");
                places::listen_addr(None).expect("the default address parses")
            });
            let backend = tauri::async_runtime::block_on(Backend::start(places, addr));
            app.manage(backend);
            tauri::async_runtime::spawn(exit_on_signal(app.handle().clone()));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::ui_ready,
            commands::catalog,
            commands::list_workflows,
            commands::get_workflow,
            commands::save_workflow,
            commands::delete_workflow,
            commands::validate_workflow,
            commands::check_workflow_text,
            commands::list_templates,
            commands::get_template,
            commands::get_workspace,
            commands::save_workspace,
            commands::list_secrets,
            commands::set_secret,
            commands::delete_secret,
            commands::get_tests,
            commands::save_tests,
            commands::run_tests,
            commands::run_batch,
            export::save_export,
            runs::run_live,
            runs::cancel_run,
        ])
        .build(tauri::generate_context!())
        .expect("error while building the Switchyard desktop app");
    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            if let Some(backend) = handle.try_state::<Backend>() {
                tauri::async_runtime::block_on(backend.stop());
            }
        }
    });
}

/// Ctrl+C in the terminal, or SIGTERM (logout, `kill`), closes the app like its window does, so
/// the engine stops cleanly (see `RunEvent::Exit` above).
async fn exit_on_signal(handle: tauri::AppHandle) {
    #[cfg(unix)]
    let term = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
    tracing::info!("asked to stop: closing the app");
    handle.exit(0);
}

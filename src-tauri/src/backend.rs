//! The engine the desktop app owns: the same [`App`] that `switchyard serve` runs (workflows,
//! schedules, workers, SQLite), started in process, with webhooks and the JSON API served on
//! localhost, and shut down cleanly when the app exits.

use std::net::SocketAddr;

use switchyard_app::{App, AppConfig, AppError};
use switchyard_server::ServerOptions;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::places::Places;

/// The running engine, or why it could not start (every command then answers with that error).
pub struct Backend {
    app: Result<App, AppError>,
    pub places: Places,
    /// Where webhooks and the JSON API are served, when the server is up.
    pub server_addr: Option<SocketAddr>,
    stop: CancellationToken,
    /// The HTTP server; it shuts the app down when it stops.
    running: tokio::sync::Mutex<Option<Running>>,
}

enum Running {
    Server(JoinHandle<()>),
    AppOnly(App),
}

impl Backend {
    /// Starts the app on `places` and serves it on `listen` (or on a free port when that one
    /// is taken). Must run inside the Tauri async runtime.
    pub async fn start(places: Places, listen: SocketAddr) -> Backend {
        let seed = places.seed_templates;
        let app = match App::start(AppConfig::new(&places.data_dir, &places.workflows_dir)).await {
            Ok(app) => app,
            Err(e) => {
                tracing::error!(code = %e.code, "the engine could not start: {}", e.message);
                return Backend::failed(places, e);
            }
        };
        if seed {
            if let Err(e) = seed_templates(&app).await {
                tracing::warn!(code = %e.code, "the templates could not be copied: {}", e.message);
            }
        }
        let stop = CancellationToken::new();
        let (server_addr, running) = match bind(listen).await {
            Ok(listener) => {
                let addr = listener.local_addr().ok();
                let shutdown = stop.clone().cancelled_owned();
                let served = app.clone();
                let task = tokio::spawn(async move {
                    let opts = ServerOptions::default();
                    if let Err(e) = switchyard_server::serve(served, listener, opts, shutdown).await
                    {
                        tracing::error!("the local server failed: {e}");
                    }
                });
                (addr, Running::Server(task))
            }
            Err(e) => {
                tracing::error!("webhooks are not served: cannot listen on 127.0.0.1: {e}");
                (None, Running::AppOnly(app.clone()))
            }
        };
        if let Some(addr) = server_addr {
            tracing::info!(
                "serving webhooks and the JSON API on http://{addr} (data: {}, workflows: {})",
                places.data_dir.display(),
                places.workflows_dir.display()
            );
        }
        Backend {
            app: Ok(app),
            places,
            server_addr,
            stop,
            running: tokio::sync::Mutex::new(Some(running)),
        }
    }

    fn failed(places: Places, error: AppError) -> Backend {
        Backend {
            app: Err(error),
            places,
            server_addr: None,
            stop: CancellationToken::new(),
            running: tokio::sync::Mutex::new(None),
        }
    }

    /// The app, or the error that kept it from starting.
    pub fn app(&self) -> Result<&App, AppError> {
        self.app.as_ref().map_err(Clone::clone)
    }

    /// Where webhooks are served, e.g. `http://127.0.0.1:8787`.
    pub fn server_url(&self) -> Option<String> {
        self.server_addr.map(|a| format!("http://{a}"))
    }

    /// Stops taking requests, lets runs finish (or releases them to the next start) and closes
    /// the database. Later calls do nothing.
    pub async fn stop(&self) {
        self.stop.cancel();
        let Some(running) = self.running.lock().await.take() else {
            return;
        };
        match running {
            Running::Server(task) => {
                let _ = task.await;
            }
            Running::AppOnly(app) => app.shutdown().await,
        }
        tracing::info!("the engine stopped cleanly");
    }
}

/// Listens on `addr`, or on a free port of the same address when `addr` is taken.
async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    match TcpListener::bind(addr).await {
        Ok(l) => Ok(l),
        Err(e) if addr.port() != 0 => {
            tracing::warn!("{addr} is not available ({e}); using a free port instead");
            TcpListener::bind(SocketAddr::new(addr.ip(), 0)).await
        }
        Err(e) => Err(e),
    }
}

/// The first start: the templates become the user's first workflow files.
async fn seed_templates(app: &App) -> Result<(), AppError> {
    app.seed_workspace()?;
    for t in app.list_templates() {
        app.save_workflow(app.get_template(&t.id)?).await?;
    }
    Ok(())
}

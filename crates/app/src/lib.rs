//! The application API: one function per thing a user can do. The desktop shell's commands, the
//! HTTP server's handlers and the CLI's verbs are thin adapters over it.
//!
//! [`App`] owns what `switchyard serve` (and the desktop app) runs: the store, the compiled
//! workflows, the workers, the schedules and the live run stream.

pub mod api;
mod error;
mod live;
pub mod load;
mod pipeline;
mod queue;
pub mod registry;
mod schedules;
mod settings;
mod test_runs;
pub mod testing;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use switchyard_engine::{Engine, EngineConfig};
use switchyard_store::{Durability, Store, StoreConfig};
use tokio::sync::{broadcast, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use error::AppError;
pub use live::{LiveRunOutcome, LiveRunRequest};
pub use pipeline::{wait_for_run, Delivery, LiveEvent, WebhookReply, WebhookRoute};
pub use switchyard_engine::{RunEvent, RunReport};
mod files;
pub use queue::Queue;
use registry::Registry;
pub use settings::{load_workspace, open_existing_secrets, read_workspace};

/// How an [`App`] runs.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub data_dir: PathBuf,
    pub workflows_dir: PathBuf,
    /// Runs at the same time.
    pub workers: usize,
    /// Deliveries of one job (each cut short by a crash) before it goes to dead letters.
    pub max_deliveries: i64,
    /// How long a webhook with a Respond node waits for the run.
    pub respond_timeout: Duration,
    /// How long shutdown waits for runs in flight before releasing them.
    pub shutdown_grace: Duration,
    /// How often the workflows folder is checked for changes (none: never).
    pub watch_interval: Option<Duration>,
    /// Events emitted by runs started by emitted events ... stop at this depth.
    pub max_chain_depth: i64,
    pub durability: Durability,
}

impl AppConfig {
    pub fn new(data_dir: impl Into<PathBuf>, workflows_dir: impl Into<PathBuf>) -> AppConfig {
        AppConfig {
            data_dir: data_dir.into(),
            workflows_dir: workflows_dir.into(),
            workers: 64,
            max_deliveries: 5,
            respond_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
            watch_interval: Some(Duration::from_millis(500)),
            max_chain_depth: 16,
            durability: Durability::Full,
        }
    }
}

/// The running application. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub config: AppConfig,
    pub store: Store,
    pub queue: Arc<dyn Queue>,
    pub engine: Engine,
    pub registry: RwLock<Arc<Registry>>,
    pub reload_lock: tokio::sync::Mutex<()>,
    pub live: broadcast::Sender<LiveEvent>,
    pub waiters: Mutex<HashMap<String, tokio::sync::oneshot::Sender<WebhookReply>>>,
    pub active: Mutex<HashMap<String, pipeline::ActiveRun>>,
    pub workers: Arc<Semaphore>,
    /// Cancelled when shutdown starts: no new work is taken.
    pub stopping: CancellationToken,
    /// Cancelled when the grace period is over: runs still going are cut short.
    pub abort: CancellationToken,
    pub tasks: TaskTracker,
    pub schedules: Mutex<CancellationToken>,
    pub settings: Mutex<settings::SettingsState>,
}

impl App {
    /// Opens the store, loads the workflows, takes over the jobs left open by the previous
    /// process, and starts the schedules and the folder watch.
    pub async fn start(config: AppConfig) -> Result<App, AppError> {
        std::fs::create_dir_all(&config.workflows_dir).map_err(|e| {
            AppError::new(
                "io_error",
                format!("cannot create {}: {e}", config.workflows_dir.display()),
            )
        })?;
        let mut store_config = StoreConfig::new(&config.data_dir);
        store_config.durability = config.durability;
        let store = Store::open(store_config).await?;
        let (live, _) = broadcast::channel(4096);
        let app = App {
            inner: Arc::new(Inner {
                queue: Arc::new(store.clone()),
                store,
                registry: RwLock::new(Arc::new(Registry::default())),
                reload_lock: tokio::sync::Mutex::new(()),
                live,
                waiters: Mutex::new(HashMap::new()),
                active: Mutex::new(HashMap::new()),
                workers: Arc::new(Semaphore::new(config.workers.max(1))),
                stopping: CancellationToken::new(),
                abort: CancellationToken::new(),
                tasks: TaskTracker::new(),
                schedules: Mutex::new(CancellationToken::new()),
                settings: Mutex::new(Default::default()),
                engine: Engine::new(EngineConfig {
                    workspace_dir: config.workflows_dir.clone(),
                    ..EngineConfig::default()
                }),
                config,
            }),
        };
        app.refresh_settings();
        app.reload().await?;
        app.recover().await?;
        if let Some(every) = app.inner.config.watch_interval {
            let watcher = app.clone();
            app.inner.tasks.spawn(async move {
                let mut tick = tokio::time::interval(every);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tokio::select! {
                        _ = watcher.inner.stopping.cancelled() => break,
                        _ = tick.tick() => {
                            watcher.refresh_settings();
                            if let Err(e) = watcher.reload().await {
                                tracing::warn!(error = %e, "reloading the workflows failed");
                            }
                        }
                    }
                }
            });
        }
        Ok(app)
    }

    pub fn config(&self) -> &AppConfig {
        &self.inner.config
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The workflows being served, as last loaded.
    pub fn registry(&self) -> Arc<Registry> {
        self.inner.registry.read().expect("registry lock").clone()
    }

    /// Re-reads the workflows folder: changed files are compiled, stored as a new version when
    /// they compile, and their schedules restarted. A file with errors keeps its last good plan.
    pub async fn reload(&self) -> Result<(), AppError> {
        let _one_at_a_time = self.inner.reload_lock.lock().await;
        let mut reg = (*self.registry()).clone();
        let changed = reg.refresh(&self.inner.config.workflows_dir);
        if changed.is_empty() && reg.entries.len() == self.registry().entries.len() {
            // Nothing new compiled; still publish diagnostics of files that broke.
            *self.inner.registry.write().expect("registry lock") = Arc::new(reg);
            return Ok(());
        }
        for c in &changed {
            let (version, _) = self
                .inner
                .store
                .save_version(&c.id, &c.canonical, "file")
                .await?;
            if let Some(e) = reg.entries.get_mut(&c.id) {
                e.version = Some(version);
            }
            tracing::info!(workflow = %c.id, version, "workflow loaded");
        }
        *self.inner.registry.write().expect("registry lock") = Arc::new(reg);
        self.restart_schedules();
        Ok(())
    }

    /// Subscribes to the live stream of run events.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.inner.live.subscribe()
    }

    /// Whether shutdown has begun.
    pub fn is_stopping(&self) -> bool {
        self.inner.stopping.is_cancelled()
    }

    /// Stops taking new work (webhooks get 503, live streams end); runs go on.
    pub fn begin_shutdown(&self) {
        self.inner.stopping.cancel();
    }

    /// Cancelled once shutdown begins.
    pub fn stopping_token(&self) -> CancellationToken {
        self.inner.stopping.clone()
    }

    /// Stops taking work, lets runs in flight finish for the grace period, releases the rest
    /// (their jobs stay leased and run again on the next start), and closes the database.
    pub async fn shutdown(&self) {
        self.inner.stopping.cancel();
        self.inner
            .schedules
            .lock()
            .expect("schedules lock")
            .cancel();
        self.inner.tasks.close();
        if tokio::time::timeout(self.inner.config.shutdown_grace, self.inner.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                "runs still going after the grace period are released for the next start"
            );
            self.inner.abort.cancel();
            self.inner.tasks.wait().await;
        }
        self.inner.store.close().await;
    }
}

//! Opening the data folder: the lock, the write connection, the read pool, migrations.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use tokio::sync::{mpsc, oneshot, Mutex};

use crate::checkpoint::{self, Checkpoints};
use crate::writer::{self, Op};
use crate::{Result, StoreError};

/// How hard a commit works to survive a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync on every commit: survives a power cut. The default.
    Full,
    /// fsync at checkpoints only: survives the process being killed, not a power cut.
    Normal,
}

#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub dir: PathBuf,
    pub durability: Durability,
    /// How long a worker holds a job before another may take it.
    pub lease: Duration,
    /// Most operations committed in one transaction.
    pub max_batch: usize,
    pub readers: u32,
    /// Least time between two background checkpoints.
    pub checkpoint_pace: Duration,
    /// WAL pages past which a checkpoint makes the writer start the WAL over.
    pub wal_restart_frames: i64,
}

impl StoreConfig {
    pub fn new(dir: impl Into<PathBuf>) -> StoreConfig {
        StoreConfig {
            dir: dir.into(),
            durability: Durability::Full,
            lease: Duration::from_secs(300),
            max_batch: 1024,
            readers: 4,
            checkpoint_pace: checkpoint::PACE,
            wal_restart_frames: checkpoint::RESTART_FRAMES,
        }
    }
}

/// The open database. Cheap to clone; clones share the writer and the pool.
#[derive(Clone)]
pub struct Store {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub tx: mpsc::Sender<Op>,
    pub reads: SqlitePool,
    /// This process's name on the leases it takes.
    pub owner: String,
    pub writer: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// The checkpoint task and its signals (none when opened for reading only).
    pub checkpointer: Mutex<Option<(Arc<Checkpoints>, tokio::task::JoinHandle<()>)>>,
    pub path: PathBuf,
    /// Held while open; released by `close`.
    lock: std::sync::Mutex<Option<File>>,
    /// Transactions the writer committed since this process opened the store.
    pub commits: Arc<AtomicU64>,
}

impl Store {
    /// Opens (creating if needed) the database in `config.dir` and applies migrations. Fails
    /// with `data_dir_locked` when another process has the folder open.
    pub async fn open(config: StoreConfig) -> Result<Store> {
        std::fs::create_dir_all(&config.dir)?;
        let lock = File::create(config.dir.join("switchyard.lock"))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Locked(config.dir.display().to_string()))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
        }
        let path = config.dir.join("switchyard.db");
        let options = connect_options(&path, config.durability)?;
        // Checkpoints run on their own connection (checkpoint.rs), not inside commits.
        let mut conn = options
            .clone()
            .pragma("wal_autocheckpoint", "0")
            // A WAL file that grew under a burst is cut back to 64 MiB when it starts over.
            .pragma("journal_size_limit", "67108864")
            // Multi-row INSERTs of every size up to CHUNK rows, for each table, stay prepared.
            .statement_cache_capacity(crate::apply::STATEMENT_CACHE)
            .connect()
            .await?;
        sqlx::migrate!("./migrations").run(&mut conn).await?;
        let next = writer::Next::read(&mut conn).await?;
        let reads = SqlitePoolOptions::new()
            .max_connections(config.readers.max(1))
            .connect_with(options.clone().read_only(true))
            .await?;
        let checkpoints = Arc::new(Checkpoints::default());
        let checkpointer = tokio::spawn(checkpoint::run(
            options.clone().connect().await?,
            checkpoints.clone(),
            config.checkpoint_pace,
            config.wal_restart_frames.max(1),
        ));
        let (tx, rx) = mpsc::channel(config.max_batch * 4);
        // Leases held by an earlier process are recognised by a different owner: random bits
        // keep this one different even if the clock went back since that process started.
        let owner = format!("{}_{:08x}", crate::new_id("proc"), fastrand::u32(..));
        let lease_ms = config.lease.as_millis() as i64;
        let commits = Arc::new(AtomicU64::new(0));
        let task = tokio::spawn(writer::run(writer::Writer {
            conn,
            rx,
            commits: commits.clone(),
            max_batch: config.max_batch.max(1),
            checkpoints: checkpoints.clone(),
            state: writer::State {
                owner: owner.clone(),
                lease_ms,
                next,
            },
        }));
        Ok(Store {
            inner: Arc::new(Inner {
                tx,
                reads,
                owner,
                writer: Mutex::new(Some(task)),
                checkpointer: Mutex::new(Some((checkpoints, checkpointer))),
                path,
                lock: std::sync::Mutex::new(Some(lock)),
                commits,
            }),
        })
    }

    /// Opens the database for reading only, next to a process that may be writing it (the CLI's
    /// `runs` and `events` while `serve` runs). Writes fail with `shutting_down`.
    pub async fn open_reader(dir: &Path) -> Result<Store> {
        let path = dir.join("switchyard.db");
        if !path.exists() {
            return Err(StoreError::NotFound(format!(
                "there is no Switchyard data in {} (start `switchyard serve --data-dir {}` first)",
                dir.display(),
                dir.display()
            )));
        }
        let reads = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(connect_options(&path, Durability::Normal)?.read_only(true))
            .await?;
        let (tx, _) = mpsc::channel(1);
        Ok(Store {
            inner: Arc::new(Inner {
                tx,
                reads,
                owner: String::new(),
                writer: Mutex::new(None),
                checkpointer: Mutex::new(None),
                path,
                lock: std::sync::Mutex::new(None),
                commits: Default::default(),
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// This process's lease owner name.
    pub fn owner(&self) -> &str {
        &self.inner.owner
    }

    /// Commits what is waiting, checkpoints the WAL and closes every connection. Calls made
    /// afterwards fail with `shutting_down`.
    pub async fn close(&self) {
        // Readers and the checkpointer first, so the writer's final checkpoint can remove the WAL.
        self.inner.reads.close().await;
        if let Some((signal, task)) = self.inner.checkpointer.lock().await.take() {
            signal.stop.notify_one();
            let _ = task.await;
        }
        let (reply, done) = oneshot::channel();
        if self.inner.tx.send(Op::Close { reply }).await.is_ok() {
            let _ = done.await;
        }
        if let Some(task) = self.inner.writer.lock().await.take() {
            let _ = task.await;
        }
        if let Ok(mut lock) = self.inner.lock.lock() {
            lock.take();
        }
    }

    pub(crate) async fn call<T>(
        &self,
        op: impl FnOnce(oneshot::Sender<Result<T>>) -> Op,
    ) -> Result<T> {
        let (reply, answer) = oneshot::channel();
        self.inner
            .tx
            .send(op(reply))
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }
}

fn connect_options(path: &Path, durability: Durability) -> Result<SqliteConnectOptions> {
    let url = format!("sqlite://{}", path.display());
    Ok(SqliteConnectOptions::from_str(&url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(match durability {
            Durability::Full => SqliteSynchronous::Full,
            Durability::Normal => SqliteSynchronous::Normal,
        })
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(false)
        .pragma("temp_store", "memory")
        .pragma("cache_size", "-16000")
        .disable_statement_logging())
}

/// Closes the write connection after a final checkpoint, so the folder holds one tidy file.
pub(crate) async fn close_writer(mut conn: SqliteConnection) {
    let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await;
    let _ = conn.close().await;
}

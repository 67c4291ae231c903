//! Switchyard's storage: SQLite through sqlx, in WAL mode, migrations embedded and applied on open.
//!
//! One writer task owns the only write connection and commits whatever is waiting in one
//! transaction (group commit); every caller gets its answer only after that commit. Reads go
//! through a separate pool and never wait for the writer.

mod apply;
mod checkpoint;
mod ids;
mod inbox;
mod metrics;
mod model;
mod open;
mod packing;
mod reads;
mod writer;

pub use ids::new_id;
pub use metrics::{Metrics, MetricsBucket, MetricsQuery, NodeFailures};
pub use model::*;
pub use open::{Durability, Store, StoreConfig};
pub use writer::Recovered;

/// A storage failure. `code` is stable.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database failed: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the database could not be prepared: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the data folder {0} is in use by another Switchyard process")]
    Locked(String),
    #[error("the storage is shutting down")]
    Closed,
    #[error("{0}")]
    NotFound(String),
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Invalid(String),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Database(_) | StoreError::Migrate(_) => "database_error",
            StoreError::Io(_) => "io_error",
            StoreError::Locked(_) => "data_dir_locked",
            StoreError::Closed => "shutting_down",
            StoreError::NotFound(_) => "not_found",
            StoreError::Corrupt(_) => "corrupt_data",
            StoreError::Invalid(_) => "invalid_request",
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

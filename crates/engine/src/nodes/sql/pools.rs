//! Connection pools, one per database of the workspace settings (and URL), opened on first use
//! and shared by every run of the engine.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::OnceCell;

use super::{connect_error, invalid};
use crate::events::NodeError;
use crate::services::Services;

/// How long opening a connection, or waiting for a free one, may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An open pool of either engine.
#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The pools of an engine, by database id and URL (a changed URL opens a new pool).
#[derive(Default)]
pub(crate) struct Pools {
    cells: Mutex<HashMap<PoolKey, Arc<OnceCell<Pool>>>>,
}

/// (database id, URL).
type PoolKey = (String, String);

impl Pools {
    /// The pool of database `id` at `url`, opened (and tried with one connection) on first use.
    pub async fn get(
        &self,
        id: &str,
        url: &str,
        max_connections: u32,
        services: &Services,
    ) -> Result<Pool, NodeError> {
        let cell = {
            let mut cells = self.cells.lock().expect("sql pools lock");
            let key = (id.to_string(), url.to_string());
            if !cells.contains_key(&key) {
                // The settings changed: the pools of the old URL are not used any more.
                cells.retain(|(other, _), _| other != id);
            }
            cells.entry(key).or_default().clone()
        };
        cell.get_or_try_init(|| open(id, url, max_connections.max(1), services))
            .await
            .cloned()
    }
}

async fn open(id: &str, url: &str, max: u32, services: &Services) -> Result<Pool, NodeError> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or("");
        if path.is_empty() || path.starts_with(":memory:") {
            return Err(invalid(format!(
                "the database \"{id}\" needs a file, for example sqlite:data/{id}.db"
            )));
        }
        // Relative to the workspace folder.
        let path = services.resolve_path(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| connect_error(id, &e.to_string()))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .busy_timeout(CONNECT_TIMEOUT);
        try_connect(id, options.connect()).await?;
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_lazy_with(options);
        Ok(Pool::Sqlite(pool))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        // The URL may hold a password: never quote it, nor the parser's message about it.
        let options = PgConnectOptions::from_str(url).map_err(|_| {
            invalid(format!(
                "the URL of the database \"{id}\" is not a valid PostgreSQL address"
            ))
        })?;
        try_connect(id, options.connect()).await?;
        let pool = PgPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_lazy_with(options);
        Ok(Pool::Postgres(pool))
    } else {
        Err(invalid(format!(
            "the database \"{id}\" must have a sqlite: or postgres:// URL"
        )))
    }
}

/// Opens one connection and closes it: a pool retries refused connections until its timeout,
/// this answers at once when the server is down or the password is wrong.
async fn try_connect<C: Connection>(
    id: &str,
    connecting: impl std::future::Future<Output = Result<C, sqlx::Error>>,
) -> Result<(), NodeError> {
    match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
        Ok(Ok(conn)) => {
            // A failed goodbye does not make the database unusable.
            let _ = conn.close().await;
            Ok(())
        }
        Ok(Err(e)) => Err(connect_error(id, &super::reason(&e))),
        Err(_) => Err(connect_error(id, "it did not answer in time")),
    }
}

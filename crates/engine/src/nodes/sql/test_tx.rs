//! Test mode: one transaction per database for the whole run, rolled back when the run ends.
//! A table one SQL node creates is there for the next node of the same run (the lead flow
//! creates its table, then upserts into it), and nothing is left once the run is over. Each
//! statement runs in a savepoint of that transaction, so a failed one leaves the others'
//! work in place (PostgreSQL would otherwise refuse every later statement).

use std::collections::HashMap;

use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};
use tokio::sync::{Mutex, MutexGuard};

use super::pools::Pool;

enum Held {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// The transactions of one test-mode run, by database id.
#[derive(Default)]
pub(crate) struct TestTransactions {
    held: Mutex<HashMap<String, Held>>,
}

/// The run's transaction on one database, held for one statement (SQL nodes of a run take
/// turns).
pub(super) struct Lease<'a> {
    guard: MutexGuard<'a, HashMap<String, Held>>,
    id: String,
}

impl TestTransactions {
    /// The run's transaction on database `id`, begun on first use.
    pub(super) async fn lease(&self, id: &str, pool: &Pool) -> Result<Lease<'_>, sqlx::Error> {
        let mut guard = self.held.lock().await;
        let fits = matches!(
            (guard.get(id), pool),
            (Some(Held::Sqlite(_)), Pool::Sqlite(_)) | (Some(Held::Postgres(_)), Pool::Postgres(_))
        );
        if !fits {
            // First use (or the settings changed the database's engine during the run).
            let held = match pool {
                Pool::Sqlite(p) => Held::Sqlite(p.begin().await?),
                Pool::Postgres(p) => Held::Postgres(p.begin().await?),
            };
            guard.insert(id.to_string(), held);
        }
        Ok(Lease {
            guard,
            id: id.to_string(),
        })
    }

    /// Rolls every transaction back (the end of the run).
    pub(crate) async fn roll_back(&self) {
        let held: Vec<Held> = self.held.lock().await.drain().map(|(_, h)| h).collect();
        for h in held {
            let done = match h {
                Held::Sqlite(tx) => tx.rollback().await,
                Held::Postgres(tx) => tx.rollback().await,
            };
            if let Err(e) = done {
                // Dropping the connection rolls it back all the same.
                tracing::warn!(error = %e, "rolling back a test run's SQL failed");
            }
        }
    }
}

impl Lease<'_> {
    pub(super) fn sqlite(&mut self) -> &mut SqliteConnection {
        match self.guard.get_mut(&self.id) {
            Some(Held::Sqlite(tx)) => tx,
            _ => unreachable!("lease() begins a transaction of the pool's kind"),
        }
    }

    pub(super) fn postgres(&mut self) -> &mut PgConnection {
        match self.guard.get_mut(&self.id) {
            Some(Held::Postgres(tx)) => tx,
            _ => unreachable!("lease() begins a transaction of the pool's kind"),
        }
    }
}

//! Checkpoints off the commit path. SQLite's automatic checkpoint runs inside the commit that
//! crosses its threshold: that commit copies the WAL into the database file and syncs it while
//! every caller in its group waits. Here the write connection has automatic checkpoints off, and
//! this task, on a connection of its own (its own thread), runs PASSIVE checkpoints after
//! commits, at most once per [`PACE`]. A PASSIVE checkpoint never blocks the writer: it copies
//! what no reader still needs, and the writer starts the WAL over once all of it is copied.
//! Under sustained writes it never is all copied, so once the WAL holds more than
//! [`StoreConfig::wal_restart_frames`](crate::StoreConfig) pages a RESTART checkpoint copies the
//! few pages left (holding the writer back only for those) and makes the writer start over:
//! the WAL stays bounded.

use std::sync::Arc;
use std::time::Duration;

use sqlx::{Connection, SqliteConnection};
use tokio::sync::Notify;

/// Least time between two checkpoints by default: long enough to copy many commits at once,
/// short enough to keep the WAL small (a few MB at the highest write rates).
pub(crate) const PACE: Duration = Duration::from_millis(250);
/// WAL pages (4 KiB) past which a checkpoint restarts the WAL by default (32 MiB).
pub(crate) const RESTART_FRAMES: i64 = 8192;

/// Asks for a checkpoint after each commit; stops the task on close.
#[derive(Default)]
pub(crate) struct Checkpoints {
    pub commits: Notify,
    pub stop: Notify,
}

pub(crate) async fn run(
    mut conn: SqliteConnection,
    signal: Arc<Checkpoints>,
    pace: Duration,
    restart_frames: i64,
) {
    loop {
        tokio::select! {
            biased;
            _ = signal.stop.notified() => break,
            _ = signal.commits.notified() => {}
        }
        // (busy, pages in the WAL, pages copied)
        let passive: Result<(i64, i64, i64), _> = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&mut conn)
            .await;
        let result = match passive {
            Ok((_, log, _)) if log >= restart_frames => {
                sqlx::query("PRAGMA wal_checkpoint(RESTART)")
                    .execute(&mut conn)
                    .await
                    .map(drop)
            }
            other => other.map(drop),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "a checkpoint failed; the next one will try again");
        }
        tokio::select! {
            biased;
            _ = signal.stop.notified() => break,
            _ = tokio::time::sleep(pace) => {}
        }
    }
    let _ = conn.close().await;
}

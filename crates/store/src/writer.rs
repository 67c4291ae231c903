//! The one writer: takes every waiting operation, applies them all in one transaction (group
//! commit), and answers each caller only after the commit.

use sqlx::SqliteConnection;
use tokio::sync::{mpsc, oneshot};

use crate::model::*;
use crate::{Result, StoreError};

pub(crate) type Reply<T> = oneshot::Sender<Result<T>>;

/// At most this many yields gather one commit's operations (see `gather`).
const GATHER_ROUNDS: usize = 16;

pub(crate) enum Op {
    Accept {
        events: Vec<NewEvent>,
        /// A schedule trigger's fire time, recorded with its event.
        schedule: Option<(String, String, i64)>,
        reply: Reply<Vec<Accepted>>,
    },
    Finish {
        run: Box<FinishedRun>,
        reply: Reply<Vec<Accepted>>,
    },
    /// An event with the run it had before it was stored (see `Store::accept_ran`).
    AcceptRan {
        event: NewEvent,
        run: Box<FinishedRun>,
        outcome: JobOutcome,
        reply: Reply<Vec<Accepted>>,
    },
    Recover {
        max_deliveries: i64,
        reply: Reply<Recovered>,
    },
    Requeue {
        job_id: i64,
        reply: Reply<Job>,
    },
    Discard {
        job_id: i64,
        reply: Reply<()>,
    },
    SaveVersion {
        workflow_id: String,
        file: String,
        hash: String,
        source: String,
        reply: Reply<(i64, bool)>,
    },
    SetSetting {
        key: String,
        value: String,
        reply: Reply<()>,
    },
    Close {
        reply: oneshot::Sender<()>,
    },
}

/// Jobs found open after a restart.
#[derive(Debug, Clone, Default)]
pub struct Recovered {
    /// Leased to this process again, to run.
    pub jobs: Vec<Job>,
    /// Delivered too often (each time the process died): moved to dead letters.
    pub dead: Vec<i64>,
}

pub(crate) struct Writer {
    pub conn: SqliteConnection,
    pub rx: mpsc::Receiver<Op>,
    pub max_batch: usize,
    /// Counts commits (`Store::stats`).
    pub commits: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Told after each commit (checkpoint.rs).
    pub checkpoints: std::sync::Arc<crate::checkpoint::Checkpoints>,
    pub state: State,
}

pub(crate) struct State {
    pub owner: String,
    pub lease_ms: i64,
    pub next: Next,
}

/// The keys the writer hands out: job ids, and the `seq` of event and run rows whose ids do
/// not carry one (ids.rs). A failed commit gives them back.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Next {
    pub job: i64,
    pub other_event: i64,
    pub other_run: i64,
}

impl Next {
    /// Read from the database when it is opened; ids made in this process from then on come
    /// after every key in it.
    pub(crate) async fn read(conn: &mut SqliteConnection) -> Result<Next> {
        let (job, events, runs, other_event, other_run): (i64, i64, i64, i64, i64) =
            sqlx::query_as(&format!(
                "SELECT (SELECT coalesce(max(id), 0) FROM jobs),
                        (SELECT coalesce(max(seq), 0) FROM events),
                        (SELECT coalesce(max(seq), 0) FROM runs),
                        (SELECT coalesce(max(seq), 0) FROM events WHERE {other}),
                        (SELECT coalesce(max(seq), 0) FROM runs WHERE {other})",
                other = crate::ids::OTHER_IDS
            ))
            .fetch_one(conn)
            .await?;
        crate::ids::saw(events.max(runs));
        Ok(Next {
            job: job + 1,
            other_event: other_event + 1,
            other_run: other_run + 1,
        })
    }
}

pub(crate) async fn run(mut w: Writer) {
    let mut batch = Vec::with_capacity(w.max_batch);
    loop {
        let Some(first) = w.rx.recv().await else {
            break;
        };
        batch.push(first);
        gather(&w.rx, w.max_batch).await;
        while batch.len() < w.max_batch {
            match w.rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        let mut close = None;
        let ops: Vec<Op> = batch
            .drain(..)
            .filter_map(|op| match op {
                Op::Close { reply } => {
                    close = Some(reply);
                    None
                }
                op => Some(op),
            })
            .collect();
        if !ops.is_empty() {
            w.commit(ops).await;
        }
        if let Some(reply) = close {
            w.rx.close();
            // Whatever was queued behind the close still gets committed.
            let mut rest = Vec::new();
            while let Ok(op) = w.rx.try_recv() {
                if let Op::Close { reply } = op {
                    let _ = reply.send(());
                } else {
                    rest.push(op);
                }
            }
            if !rest.is_empty() {
                w.commit(rest).await;
            }
            crate::open::close_writer(w.conn).await;
            let _ = reply.send(());
            return;
        }
    }
    // Every handle is gone: stop the checkpointer too.
    w.checkpoints.stop.notify_one();
    crate::open::close_writer(w.conn).await;
}

/// Lets the tasks that are ready run before a commit, for as long as they bring more
/// operations: one commit then carries what they were about to send. On a busy core this is
/// the difference between about 3 and 10 events per commit (and every commit has a fixed cost:
/// its trip to SQLite's thread and the WAL pages it writes). On an idle process nothing
/// else is ready, and the first yield finds nothing new.
async fn gather(rx: &mpsc::Receiver<Op>, max_batch: usize) {
    let mut waiting = rx.len();
    for _ in 0..GATHER_ROUNDS {
        tokio::task::yield_now().await;
        let now = rx.len();
        if now == waiting || now + 1 >= max_batch {
            return;
        }
        waiting = now;
    }
}

/// Answers waiting for the commit.
pub(crate) enum Pending {
    Accept(Reply<Vec<Accepted>>, Vec<Accepted>),
    Recover(Reply<Recovered>, Recovered),
    Requeue(Reply<Job>, Job),
    Unit(Reply<()>),
    Version(Reply<(i64, bool)>, (i64, bool)),
}

impl Writer {
    async fn commit(&mut self, ops: Vec<Op>) {
        let next = self.state.next;
        let mut pending = Vec::with_capacity(ops.len());
        let result = self.state.apply(&mut self.conn, ops, &mut pending).await;
        if result.is_err() {
            // Whatever the failed statement left open (nothing, when BEGIN itself failed).
            let _ = sqlx::query("ROLLBACK").execute(&mut self.conn).await;
        }
        match result {
            Ok(()) => {
                self.commits
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                self.checkpoints.commits.notify_one();
                for p in pending {
                    match p {
                        Pending::Accept(r, v) => drop(r.send(Ok(v))),
                        Pending::Recover(r, v) => drop(r.send(Ok(v))),
                        Pending::Requeue(r, v) => drop(r.send(Ok(v))),
                        Pending::Unit(r) => drop(r.send(Ok(()))),
                        Pending::Version(r, v) => drop(r.send(Ok(v))),
                    }
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "a storage transaction failed; nothing in it was kept");
                self.state.next = next;
                let message = e.to_string();
                for p in pending {
                    let err = StoreError::Corrupt(format!("the transaction failed: {message}"));
                    match p {
                        Pending::Accept(r, _) => drop(r.send(Err(err))),
                        Pending::Recover(r, _) => drop(r.send(Err(err))),
                        Pending::Requeue(r, _) => drop(r.send(Err(err))),
                        Pending::Unit(r) => drop(r.send(Err(err))),
                        Pending::Version(r, _) => drop(r.send(Err(err))),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Operations sent one poll after another while the writer gathers all wait for the same
    /// commit (requests on a busy core are each a few polls away from their operation).
    #[tokio::test]
    async fn gathering_waits_while_ready_tasks_bring_operations() {
        let (tx, mut rx) = mpsc::channel(64);
        for i in 0..12 {
            let tx = tx.clone();
            tokio::spawn(async move {
                for _ in 0..i {
                    tokio::task::yield_now().await;
                }
                let (reply, _answer) = oneshot::channel();
                let key = format!("k{i}");
                let _ = tx
                    .send(Op::SetSetting {
                        key,
                        value: String::new(),
                        reply,
                    })
                    .await;
            });
        }
        let _first = rx.recv().await.unwrap();
        gather(&rx, 1024).await;
        assert_eq!(
            rx.len(),
            11,
            "every operation sent while gathering is waiting"
        );
        // Nothing else comes: gathering stops at once.
        gather(&rx, 1024).await;
        assert_eq!(rx.len(), 11);
    }
}

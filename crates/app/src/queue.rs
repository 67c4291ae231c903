//! The queue the pipeline uses: storing events with their jobs, settling jobs with their runs,
//! recovery and dead letters. SQLite implements it today; a Redis Streams backend implements
//! the same operations (XADD for `accept`, consumer-group XACK for `finish`, XAUTOCLAIM for
//! `recover`) without the engine or the workers changing.

use futures::future::BoxFuture;
use switchyard_store::{
    Accepted, FinishedRun, Job, JobOutcome, NewEvent, Recovered, Result, Store,
};

pub trait Queue: Send + Sync {
    /// Stores events and their jobs (leased to this process); returns after the commit.
    fn accept(&self, events: Vec<NewEvent>) -> BoxFuture<'_, Result<Vec<Accepted>>>;
    /// Records a run, settles its job and stores what it emitted, atomically.
    fn finish(&self, run: FinishedRun) -> BoxFuture<'_, Result<Vec<Accepted>>>;
    /// Stores an event with the run it had before it was stored, its job settled by `outcome`,
    /// atomically; returns the jobs still to run (other listeners', emitted events').
    fn accept_ran(
        &self,
        event: NewEvent,
        run: FinishedRun,
        outcome: JobOutcome,
    ) -> BoxFuture<'_, Result<Vec<Accepted>>>;
    /// Takes over jobs whose lease ended with the process that held them.
    fn recover(&self, max_deliveries: i64) -> BoxFuture<'_, Result<Recovered>>;
    fn retry_dead_letter(&self, job_id: i64) -> BoxFuture<'_, Result<Job>>;
    fn discard_dead_letter(&self, job_id: i64) -> BoxFuture<'_, Result<()>>;
}

impl Queue for Store {
    fn accept(&self, events: Vec<NewEvent>) -> BoxFuture<'_, Result<Vec<Accepted>>> {
        Box::pin(Store::accept(self, events))
    }
    fn finish(&self, run: FinishedRun) -> BoxFuture<'_, Result<Vec<Accepted>>> {
        Box::pin(Store::finish(self, run))
    }
    fn accept_ran(
        &self,
        event: NewEvent,
        run: FinishedRun,
        outcome: JobOutcome,
    ) -> BoxFuture<'_, Result<Vec<Accepted>>> {
        Box::pin(Store::accept_ran(self, event, run, outcome))
    }
    fn recover(&self, max_deliveries: i64) -> BoxFuture<'_, Result<Recovered>> {
        Box::pin(Store::recover(self, max_deliveries))
    }
    fn retry_dead_letter(&self, job_id: i64) -> BoxFuture<'_, Result<Job>> {
        Box::pin(Store::retry_dead_letter(self, job_id))
    }
    fn discard_dead_letter(&self, job_id: i64) -> BoxFuture<'_, Result<()>> {
        Box::pin(Store::discard_dead_letter(self, job_id))
    }
}

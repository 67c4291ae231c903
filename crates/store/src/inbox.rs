//! The queue: storing events, leasing their jobs, recording runs, dead letters.

use crate::model::*;
use crate::writer::{Op, Recovered};
use crate::{Result, Store, StoreError};

impl Store {
    /// Stores events and creates a job, leased to this process, for each of their targets.
    /// Returns once they are committed: only then may their arrival be acknowledged.
    pub async fn accept(&self, events: Vec<NewEvent>) -> Result<Vec<Accepted>> {
        self.call(|reply| Op::Accept {
            events,
            schedule: None,
            reply,
        })
        .await
    }

    /// Stores an event together with a run it had before it was stored (a run that needed
    /// nothing outside the process), in one commit: the job for the event's first target is
    /// created settled by `outcome`, with the run; the other targets get leased jobs, returned
    /// with the jobs of the events the run emitted. `run.job` is not used.
    ///
    /// A repeated delivery (its idempotency key stored already, or earlier in the same commit)
    /// gets the first event's id, marked duplicate; its run and what it emitted are dropped.
    pub async fn accept_ran(
        &self,
        event: NewEvent,
        run: FinishedRun,
        outcome: JobOutcome,
    ) -> Result<Vec<Accepted>> {
        if event.targets.is_empty() {
            return Err(StoreError::Invalid(
                "an event stored with its run needs a target".into(),
            ));
        }
        self.call(|reply| Op::AcceptRan {
            event,
            run: Box::new(run),
            outcome,
            reply,
        })
        .await
    }

    /// Stores a schedule trigger's event together with its new fire time.
    pub async fn accept_scheduled(
        &self,
        event: NewEvent,
        workflow_id: &str,
        node: &str,
        fired_at: i64,
    ) -> Result<Accepted> {
        let mut v = self
            .call(|reply| Op::Accept {
                events: vec![event],
                schedule: Some((workflow_id.to_string(), node.to_string(), fired_at)),
                reply,
            })
            .await?;
        Ok(v.remove(0))
    }

    /// Records a finished run, settles its job and stores the events it emitted, all in one
    /// transaction. Returns the emitted events' jobs.
    pub async fn finish(&self, run: FinishedRun) -> Result<Vec<Accepted>> {
        self.call(|reply| Op::Finish {
            run: Box::new(run),
            reply,
        })
        .await
    }

    /// On start: takes over the open jobs of the process that ran before.
    pub async fn recover(&self, max_deliveries: i64) -> Result<Recovered> {
        self.call(|reply| Op::Recover {
            max_deliveries,
            reply,
        })
        .await
    }

    /// Takes a dead letter back: the job is leased to this process to run again.
    pub async fn retry_dead_letter(&self, job_id: i64) -> Result<Job> {
        self.call(|reply| Op::Requeue { job_id, reply }).await
    }

    /// Gives up on a dead letter for good (it stays listed as discarded).
    pub async fn discard_dead_letter(&self, job_id: i64) -> Result<()> {
        self.call(|reply| Op::Discard { job_id, reply }).await
    }

    /// Saves a workflow version unless it equals the latest. Returns (version, whether new).
    pub async fn save_version(
        &self,
        workflow_id: &str,
        file: &str,
        source: &str,
    ) -> Result<(i64, bool)> {
        let hash = format!("{:016x}", fnv1a(file.as_bytes()));
        self.call(|reply| Op::SaveVersion {
            workflow_id: workflow_id.to_string(),
            file: file.to_string(),
            hash,
            source: source.to_string(),
            reply,
        })
        .await
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.call(|reply| Op::SetSetting {
            key: key.to_string(),
            value: value.to_string(),
            reply,
        })
        .await
    }
}

/// A content hash to tell versions apart (not a security boundary).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

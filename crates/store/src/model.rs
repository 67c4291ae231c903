//! What is stored, as the rest of the app sees it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value as Json;

/// Where an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventSource {
    Webhook,
    Schedule,
    Manual,
    Workflow,
}

impl EventSource {
    pub fn as_str(self) -> &'static str {
        match self {
            EventSource::Webhook => "webhook",
            EventSource::Schedule => "schedule",
            EventSource::Manual => "manual",
            EventSource::Workflow => "workflow",
        }
    }

    pub fn parse(s: &str) -> Option<EventSource> {
        Some(match s {
            "webhook" => EventSource::Webhook,
            "schedule" => EventSource::Schedule,
            "manual" => EventSource::Manual,
            "workflow" => EventSource::Workflow,
            _ => return None,
        })
    }
}

/// An event to put in the inbox, with the workflows (trigger nodes) it starts.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub id: String,
    pub name: String,
    pub source: EventSource,
    pub payload: Json,
    pub received_at: i64,
    /// Deliveries with the same key are one event: the second gets the first one's id.
    pub idempotency_key: Option<String>,
    pub parent_run: Option<String>,
    pub depth: i64,
    pub targets: Vec<Target>,
}

/// A trigger node of a workflow that an event starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub workflow_id: String,
    pub trigger_node: String,
}

/// The answer to storing an event: its id (the first one's, for a repeated delivery) and the
/// jobs created for it, already leased to this process.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub event_id: String,
    pub duplicate: bool,
    pub jobs: Vec<Job>,
}

/// One delivery of an event to one workflow, leased to a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub event_id: String,
    pub workflow_id: String,
    pub trigger_node: String,
    /// Deliveries so far, this one included.
    pub attempts: i64,
}

/// What becomes of a job when its run ends.
#[derive(Debug, Clone)]
pub enum JobOutcome {
    Done,
    /// Moved to dead letters, with the reason.
    Dead(String),
    /// A later run of its event (a re-run, a retry from the failed node) succeeded: a dead
    /// letter is done; a job in any other state is left as it is.
    Resolved,
}

/// A finished run, stored in one transaction with its job's outcome, the events it emitted
/// and the log lines captured while it ran.
#[derive(Debug, Clone)]
pub struct FinishedRun {
    pub run: RunRecord,
    pub job: Option<(i64, JobOutcome)>,
    pub emitted: Vec<NewEvent>,
    pub logs: Vec<RunLogLine>,
}

/// How a run was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunOrigin {
    /// A webhook request.
    Webhook,
    /// A schedule trigger.
    Schedule,
    /// By hand (the editor, the API, the CLI).
    Manual,
    /// An event another run emitted or the API published, through an Event trigger.
    Event,
    /// The same event again, on the current version.
    Rerun,
    /// From the failed node of an earlier run (or a dead letter delivered again).
    Retry,
    /// An earlier run repeated from its recordings: nothing outside was called.
    Replay,
}

impl RunOrigin {
    pub const ALL: [RunOrigin; 7] = [
        RunOrigin::Webhook,
        RunOrigin::Schedule,
        RunOrigin::Manual,
        RunOrigin::Event,
        RunOrigin::Rerun,
        RunOrigin::Retry,
        RunOrigin::Replay,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunOrigin::Webhook => "webhook",
            RunOrigin::Schedule => "schedule",
            RunOrigin::Manual => "manual",
            RunOrigin::Event => "event",
            RunOrigin::Rerun => "rerun",
            RunOrigin::Retry => "retry",
            RunOrigin::Replay => "replay",
        }
    }

    pub fn parse(s: &str) -> Option<RunOrigin> {
        RunOrigin::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// One tracing event logged while a run ran (inside its span).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunLogLine {
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    /// error | warn | info | debug | trace
    pub level: String,
    /// The module that logged it, e.g. `switchyard_app::runner`.
    pub target: String,
    pub message: String,
    /// The event's other fields, as text.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub fields: std::collections::BTreeMap<String, String>,
}

/// A run as stored: one row, its journal a JSON document.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RunRecord {
    pub id: String,
    pub job_id: Option<i64>,
    pub event_id: Option<String>,
    pub workflow_id: String,
    pub workflow_version: Option<i64>,
    pub trigger_node: Option<String>,
    /// succeeded | failed | cancelled
    pub status: String,
    pub started_at: i64,
    pub finished_at: i64,
    pub duration_ms: f64,
    pub failed_node: Option<String>,
    pub error: Option<Json>,
    pub origin: RunOrigin,
    /// The run this one re-runs, retries or replays.
    pub origin_run: Option<String>,
    /// Every node: status, input_from, output, error, attempts, duration (the engine's report),
    /// kept as the JSON text it was written as.
    #[schemars(with = "Json")]
    pub journal: Box<RawValue>,
}

/// A run in a list (without its journal).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RunSummary {
    pub id: String,
    pub event_id: Option<String>,
    pub workflow_id: String,
    pub workflow_version: Option<i64>,
    pub trigger_node: Option<String>,
    pub status: String,
    pub started_at: i64,
    pub finished_at: i64,
    pub duration_ms: f64,
    pub failed_node: Option<String>,
    pub error: Option<Json>,
    pub origin: RunOrigin,
    /// The run this one re-runs, retries or replays.
    pub origin_run: Option<String>,
}

/// Which runs to list, newest first. Times are Unix milliseconds.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct RunFilter {
    pub workflow: Option<String>,
    /// succeeded | failed | cancelled
    pub status: Option<String>,
    /// How the runs were started (`RunOrigin`'s names).
    pub origin: Option<String>,
    /// The runs that re-run, retry or replay this one.
    pub origin_run: Option<String>,
    /// Only runs that started at or after this time.
    pub since: Option<i64>,
    /// Only runs that started before this time.
    pub until: Option<i64>,
    /// Only runs whose event's payload contains this text (case-insensitive for ASCII).
    pub q: Option<String>,
    /// Only runs that started before this time (the `started_at` of the last run of the
    /// previous page).
    pub before: Option<i64>,
    /// With `before`: runs that started at that very time are listed when their id sorts
    /// before this one (the `id` of the last run of the previous page), so no run is skipped.
    pub before_id: Option<String>,
    /// At most this many (default 50, at most 1000).
    pub limit: Option<i64>,
}

/// An event as stored.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct EventRecord {
    pub id: String,
    pub name: String,
    pub source: EventSource,
    pub payload: Json,
    pub received_at: i64,
    pub idempotency_key: Option<String>,
    pub parent_run: Option<String>,
    pub depth: i64,
}

/// A job as listed: one delivery of an event to one workflow.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct JobInfo {
    pub id: i64,
    pub event_id: String,
    pub workflow_id: String,
    pub trigger_node: String,
    /// queued | leased | done | dead | discarded
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub updated_at: i64,
}

/// An event with what it caused.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct EventDetail {
    pub event: EventRecord,
    pub jobs: Vec<JobInfo>,
    pub runs: Vec<RunSummary>,
}

/// A dead letter: a job that will not run again unless retried, with its event.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DeadLetter {
    pub job: JobInfo,
    pub event: EventRecord,
}

/// One saved version of a workflow.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct VersionInfo {
    pub workflow_id: String,
    pub version: i64,
    /// file | editor | restore
    pub source: String,
    pub saved_at: i64,
}

/// Counts for the health endpoint.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct QueueStats {
    pub events: i64,
    pub open_jobs: i64,
    pub dead_letters: i64,
    pub runs: i64,
    /// Transactions committed by this process since it opened the store (group commit: one
    /// commit stores whatever was waiting, so events / commits is the mean group size).
    pub commits: u64,
}

//! Switchyard's engine: runs a compiled [`Plan`](switchyard_core::Plan) for one event on tokio.
//!
//! A run lives on one task; nodes doing I/O run concurrently inside it. The engine writes no
//! SQL: it reports what happens as [`RunEvent`]s, which the application layer persists.

mod events;
mod executor;
mod gate;
mod net_guard;
mod nodes;
mod report;
mod services;

pub use events::{NodeError, RunEvent, RunStatus};
pub use executor::{Engine, Outcome, Recorded, RunRequest, StandIn};
pub use gate::Gate;
pub use report::{ItemRecording, LogLine, NodeReport, NodeStatus, RunReport};
pub use services::{env_name as secret_env_name, EngineConfig, Secrets};

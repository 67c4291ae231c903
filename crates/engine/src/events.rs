//! What a run reports while it happens.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl RunStatus {
    /// The name it is stored and shown under (as serialized).
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }
}

/// Why a node failed. `code` is stable: `expression_error`, `timeout`, `http_error`,
/// `http_status`, `address_blocked` (the network policy refused the address),
/// `invalid_response` (an answer not in the expected form), `missing_secret`,
/// `invalid_value`, `panic`, `cancelled`, `item_failed` (an item of a For each failed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, thiserror::Error)]
#[error("{message}")]
pub struct NodeError {
    pub code: String,
    pub message: String,
    /// The setting that caused it, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl NodeError {
    pub fn new(code: &str, message: impl Into<String>) -> NodeError {
        NodeError {
            code: code.to_string(),
            message: message.into(),
            field: None,
        }
    }

    pub fn in_field(mut self, field: &str) -> NodeError {
        self.field = Some(field.to_string());
        self
    }
}

/// One thing that happened in a run, in the order it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RunEvent {
    RunStarted {
        run_id: String,
        workflow_id: String,
        trigger: String,
        started_at_ms: u64,
    },
    NodeStarted {
        node: String,
        attempt: u32,
        /// The node whose output is this node's `input` (none for the trigger, whose input is
        /// the event), so a journal can show inputs without storing each value twice.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        input_from: Option<String>,
        /// The item of a For each this happened for (0-based); none outside loops.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<u32>,
    },
    NodeSucceeded {
        node: String,
        attempt: u32,
        /// When the attempt started, in milliseconds from the start of the run (none: not
        /// known, for a node cancelled while it ran).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        started_ms: Option<f64>,
        duration_ms: f64,
        output: Arc<Json>,
        ports: Vec<String>,
        /// The item of a For each this happened for (0-based); none outside loops.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<u32>,
        /// The output is a pinned sample or a recording: the node did not run.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        pinned: bool,
    },
    NodeRetrying {
        node: String,
        attempt: u32,
        /// When the attempt started, in milliseconds from the start of the run (none: not
        /// known, for a node cancelled while it ran).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        started_ms: Option<f64>,
        error: NodeError,
        delay_ms: u64,
        /// The item of a For each this happened for (0-based); none outside loops.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<u32>,
    },
    /// `handled` is true when the failure went to the node's `error` port.
    NodeFailed {
        node: String,
        attempt: u32,
        /// When the attempt started, in milliseconds from the start of the run (none: not
        /// known, for a node cancelled while it ran).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        started_ms: Option<f64>,
        duration_ms: f64,
        error: NodeError,
        handled: bool,
        /// The item of a For each this happened for (0-based); none outside loops.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<u32>,
    },
    NodeSkipped {
        node: String,
        /// The item of a For each this happened for (0-based); none outside loops.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<u32>,
    },
    Log {
        node: String,
        level: String,
        message: String,
        /// The item of a For each this happened for (0-based); none outside loops.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<u32>,
    },
    RunFinished {
        status: RunStatus,
        duration_ms: f64,
        error: Option<NodeError>,
        failed_node: Option<String>,
    },
}

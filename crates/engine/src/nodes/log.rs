use serde_json::Value as Json;

use super::{NodeCx, NodeOutput};
use crate::events::NodeError;

pub(super) fn run(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    let message = match cx.eval("message")? {
        Some(Json::String(s)) => s,
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let level = cx.node().params.str("level").unwrap_or("info").to_string();
    let node = &cx.node().id;
    match level.as_str() {
        "error" => tracing::error!(target: "switchyard::workflow_log", node = %node, "{message}"),
        "warn" => tracing::warn!(target: "switchyard::workflow_log", node = %node, "{message}"),
        _ => tracing::info!(target: "switchyard::workflow_log", node = %node, "{message}"),
    }
    let mut out = NodeOutput::out(cx.input_shared());
    out.logs.push((level, message));
    Ok(out)
}

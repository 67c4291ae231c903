//! Emit event: the output names the event and its data; the application layer publishes it in
//! the same transaction that records the run, so an event is sent exactly when its run counts.

use serde_json::json;

use super::{NodeCx, NodeOutput};
use crate::events::NodeError;

pub(super) fn run(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    let name = cx
        .node()
        .params
        .str("event")
        .unwrap_or_default()
        .to_string();
    let payload = match cx.eval("payload")? {
        Some(p) => p,
        None => cx.input(),
    };
    if cx.test_mode {
        // The application layer publishes only events of runs that are not tests.
        return Ok(NodeOutput::out(
            json!({ "event": name, "payload": payload, "simulated": true }),
        ));
    }
    Ok(NodeOutput::out(
        json!({ "event": name, "payload": payload }),
    ))
}

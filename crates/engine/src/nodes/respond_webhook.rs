//! Respond to webhook: the output is the HTTP answer (status, headers, body); the server sends it
//! to the caller that is waiting on the run.

use serde_json::{json, Value as Json};

use super::{NodeCx, NodeOutput};
use crate::events::NodeError;

pub(super) fn run(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    let status = cx.eval("status")?.and_then(|v| v.as_u64()).unwrap_or(200);
    let body = match cx.eval("body")? {
        Some(b) => b,
        None => cx.input(),
    };
    let headers = cx
        .eval("headers")?
        .unwrap_or_else(|| Json::Object(Default::default()));
    Ok(NodeOutput::out(
        json!({ "status": status, "headers": headers, "body": body }),
    ))
}

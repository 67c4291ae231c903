use super::{NodeCx, NodeOutput};
use crate::events::NodeError;

pub(super) fn run(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    let port = if cx.condition("condition", &cx.scope)? {
        "true"
    } else {
        "false"
    };
    Ok(NodeOutput::to(cx.input_shared(), vec![port.to_string()]))
}

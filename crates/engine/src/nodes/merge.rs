use serde_json::{Map, Value as Json};

use super::{NodeCx, NodeOutput};
use crate::events::NodeError;

pub(super) fn run(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    let params = &cx.node().params;
    let first = params.str("mode") == Some("first");
    let inputs = if first {
        &cx.inputs[..cx.inputs.len().min(1)]
    } else {
        &cx.inputs[..]
    };
    let value = match params.str("combine").unwrap_or("merge") {
        "list" => Json::Array(inputs.iter().map(|(_, v)| v.as_ref().clone()).collect()),
        "by_node" => Json::Object(
            inputs
                .iter()
                .map(|(id, v)| (id.clone(), v.as_ref().clone()))
                .collect(),
        ),
        _ => {
            let mut out = Map::new();
            for (id, v) in inputs {
                match v.as_ref() {
                    Json::Object(m) => out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
                    other => {
                        out.insert(id.clone(), other.clone());
                    }
                }
            }
            Json::Object(out)
        }
    };
    Ok(NodeOutput::out(value))
}

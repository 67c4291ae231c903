use super::{expr_error, NodeCx, NodeOutput};
use crate::events::NodeError;

pub(super) fn run(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    let params = &cx.node().params;
    let all = params.str("mode") == Some("all");
    let mut ports = Vec::new();
    for (i, route) in params.list("routes").iter().enumerate() {
        let field = format!("routes[{i}].condition");
        let hit = match route.expr("condition") {
            Some(id) => cx
                .plan
                .expressions
                .eval_bool(id, &cx.scope)
                .map_err(|e| expr_error(&field, e))?,
            None => route.bool("condition").unwrap_or(false),
        };
        if hit {
            ports.push(route.str("name").unwrap_or_default().to_string());
            if !all {
                break;
            }
        }
    }
    if ports.is_empty() {
        ports.push("default".to_string());
    }
    Ok(NodeOutput::to(cx.input_shared(), ports))
}

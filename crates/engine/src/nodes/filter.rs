use std::sync::Arc;

use serde_json::Value as Json;

use super::{NodeCx, NodeOutput};
use crate::events::NodeError;

pub(super) fn run(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    match cx.eval("items")? {
        // Gate: the branch continues only when the condition holds.
        None => {
            let keep = cx.condition("condition", &cx.scope)?;
            let ports = if keep {
                vec!["out".to_string()]
            } else {
                Vec::new()
            };
            Ok(NodeOutput::to(cx.input_shared(), ports))
        }
        Some(Json::Array(items)) => {
            let mut kept = Vec::with_capacity(items.len());
            for item in items {
                let item = Arc::new(item);
                let mut scope = cx.scope.clone();
                scope.item = Some(item.clone());
                if cx.condition("condition", &scope)? {
                    kept.push(Arc::try_unwrap(item).unwrap_or_else(|a| a.as_ref().clone()));
                }
            }
            Ok(NodeOutput::out(Json::Array(kept)))
        }
        Some(other) => Err(NodeError::new(
            "invalid_value",
            format!(
                "`List to filter` must be a list, but it is {}",
                super::shorten(&other.to_string(), 60)
            ),
        )
        .in_field("items")),
    }
}

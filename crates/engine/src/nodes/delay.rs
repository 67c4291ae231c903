use std::time::Duration;

use super::{NodeCx, NodeOutput};
use crate::events::NodeError;

pub(super) async fn run(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    let amount = match cx.eval("amount")? {
        Some(v) => v
            .as_f64()
            .filter(|x| x.is_finite() && *x >= 0.0)
            .ok_or_else(|| {
                NodeError::new(
                    "invalid_value",
                    format!("the wait must be a number of 0 or more, not {v}"),
                )
                .in_field("amount")
            })?,
        None => 0.0,
    };
    let unit_ms = match cx.node().params.str("unit").unwrap_or("seconds") {
        "ms" => 1.0,
        "minutes" => 60_000.0,
        "hours" => 3_600_000.0,
        _ => 1_000.0,
    };
    tokio::time::sleep(Duration::from_secs_f64(amount * unit_ms / 1000.0)).await;
    Ok(NodeOutput::out(cx.input()))
}

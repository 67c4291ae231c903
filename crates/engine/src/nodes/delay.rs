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
    let wait = Duration::from_secs_f64(amount * unit_ms / 1000.0);
    if cx.test_mode {
        // Test mode does not wait: a follow-up an hour later is tested now.
        let mut out = NodeOutput::out(cx.input_shared());
        out.logs.push((
            "info".to_string(),
            format!("test mode: would wait {}", describe(wait)),
        ));
        return Ok(out);
    }
    tokio::time::sleep(wait).await;
    Ok(NodeOutput::out(cx.input_shared()))
}

/// `90 s`, `60 min`, `1.5 h`, `250 ms`.
fn describe(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    let (value, unit) = if ms < 1000.0 {
        (ms, "ms")
    } else if ms < 120_000.0 {
        (ms / 1000.0, "s")
    } else if ms < 7_200_000.0 {
        (ms / 60_000.0, "min")
    } else {
        (ms / 3_600_000.0, "h")
    };
    let text = format!("{value:.1}");
    format!("{} {unit}", text.trim_end_matches(".0"))
}

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
        // A test shows the path at once; the wait is reported, not waited.
        let mut out = NodeOutput::out(cx.input());
        out.logs.push((
            "info".into(),
            format!("test mode: skipped a wait of {}", human(wait)),
        ));
        return Ok(out);
    }
    tokio::time::sleep(wait).await;
    Ok(NodeOutput::out(cx.input()))
}

fn human(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 3600.0 {
        format!("{:.1} hours", s / 3600.0)
    } else if s >= 60.0 {
        format!("{:.1} minutes", s / 60.0)
    } else if s >= 1.0 {
        format!("{s:.1} seconds")
    } else {
        format!("{} ms", d.as_millis())
    }
}

//! A failed attempt: retried after a backoff, routed to the node's error port, or the end of
//! the run (or of the item).

use super::*;

impl Run<'_> {
    pub(super) fn fail(
        &mut self,
        fid: FrameId,
        node: usize,
        attempt: u32,
        elapsed: Duration,
        error: NodeError,
        work: &mut Vec<(usize, bool)>,
    ) {
        let plan = self.plan.clone();
        let plan_node = &plan.nodes[node];
        let id = plan_node.id.clone();
        let policy = plan_node.retry;
        let item = self.item(fid);
        // A refused address stays refused: waiting does not change the network policy.
        let retryable = !matches!(error.code.as_str(), "cancelled" | "address_blocked");
        if attempt < policy.max_attempts && retryable {
            // Test mode does not wait between attempts either (like a Delay).
            let delay = if self.req.test_mode {
                Duration::ZERO
            } else {
                backoff(&policy, attempt, &mut self.rng)
            };
            self.emit(RunEvent::NodeRetrying {
                node: id,
                attempt,
                error,
                delay_ms: delay.as_millis() as u64,
                item,
            });
            let next = attempt + 1;
            self.push(
                fid,
                async move {
                    tokio::time::sleep(delay).await;
                    Done::RetryDue {
                        frame: fid,
                        node,
                        attempt: next,
                    }
                }
                .boxed(),
            );
            return;
        }
        let f = self.fr(fid);
        f.state[node] = State::Done;
        f.running -= 1;
        let handled = plan_node.catches_errors;
        if handled {
            let input = self.input_of(fid, node);
            let value = json!({"error": {"code": error.code, "message": error.message, "field": error.field, "node": id}, "input": input});
            self.fr(fid).outputs.set(node, Arc::new(value));
            self.route(fid, node, &["error".to_string()], work);
        } else if fid == TOP {
            self.failure = Some((Some(node), error.clone()));
        } else {
            let item = self.fr(fid).item.as_mut().expect("an item frame");
            item.failure = Some((node, error.clone()));
        }
        if plan_node.kind == NodeKind::ForEach {
            if let Some(c) = plan_node.loop_body.as_ref().and_then(|l| l.collect) {
                if self.top.state[c] == State::Pending {
                    self.mark_skipped(TOP, c, work);
                }
            }
        }
        self.emit(RunEvent::NodeFailed {
            node: id,
            attempt,
            duration_ms: ms(elapsed),
            error,
            handled,
            item,
        });
    }
}

/// Exponential backoff with "equal jitter": half the wait fixed, half random.
pub(super) fn backoff(
    policy: &switchyard_core::RetryPolicy,
    attempt: u32,
    rng: &mut fastrand::Rng,
) -> Duration {
    let exp = policy
        .backoff_ms
        .saturating_mul(1u64 << (attempt - 1).min(30));
    let capped = exp.min(policy.max_backoff_ms);
    let ms = if policy.jitter && capped > 1 {
        capped / 2 + rng.u64(0..=capped / 2)
    } else {
        capped
    };
    Duration::from_millis(ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchyard_core::RetryPolicy;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let p = RetryPolicy {
            max_attempts: 10,
            backoff_ms: 100,
            max_backoff_ms: 1_000,
            jitter: false,
        };
        let mut rng = fastrand::Rng::with_seed(1);
        let waits: Vec<u64> = (1..=6)
            .map(|a| backoff(&p, a, &mut rng).as_millis() as u64)
            .collect();
        assert_eq!(waits, [100, 200, 400, 800, 1000, 1000]);
        let p = RetryPolicy { jitter: true, ..p };
        for a in 1..=6 {
            let w = backoff(&p, a, &mut rng).as_millis() as u64;
            let full = (100u64 << (a - 1)).min(1000);
            assert!(
                w >= full / 2 && w <= full,
                "attempt {a}: {w} not in [{}, {full}]",
                full / 2
            );
        }
    }
}

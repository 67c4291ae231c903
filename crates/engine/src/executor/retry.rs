//! A failed attempt: retried after a backoff, routed to the node's error port, or the end of
//! the run (or of the item): then what is left of it is stopped.

use super::*;

impl Run<'_> {
    /// After a failure or a cancellation: running nodes are cancelled, pending ones skipped.
    pub(super) fn stop_leftovers(&mut self) {
        let reason = match &self.failure {
            Some((Some(node), _)) => {
                format!("stopped because \"{}\" failed", self.plan.nodes[*node].id)
            }
            _ => "the run was cancelled".to_string(),
        };
        let mut items: Vec<FrameId> = self.frames.keys().copied().collect();
        items.sort_unstable();
        for fid in items {
            self.abort_item(fid, &reason);
        }
        for i in 0..self.plan.nodes.len() {
            self.stop_node(TOP, i, &reason);
        }
    }

    /// Ends one node of a stopped frame: cancelled when running, skipped when pending.
    pub(super) fn stop_node(&mut self, fid: FrameId, i: usize, reason: &str) {
        let item = self.item(fid);
        let f = self.fr(fid);
        match f.state[i] {
            State::Running => {
                f.state[i] = State::Done;
                f.running -= 1;
                let attempt = f.attempt[i].max(1);
                let error = NodeError::new("cancelled", reason);
                self.emit(RunEvent::NodeFailed {
                    node: self.plan.nodes[i].id.clone(),
                    attempt,
                    started_ms: None,
                    duration_ms: 0.0,
                    error,
                    handled: false,
                    item,
                });
            }
            State::Pending => {
                f.state[i] = State::Skipped;
                self.emit(RunEvent::NodeSkipped {
                    node: self.plan.nodes[i].id.clone(),
                    item,
                });
            }
            State::Done | State::Skipped => {}
        }
    }

    pub(super) fn fail(
        &mut self,
        fid: FrameId,
        node: usize,
        attempt: u32,
        timing: Timing,
        error: NodeError,
        work: &mut Vec<(usize, bool)>,
    ) {
        let plan = self.plan.clone();
        let plan_node = &plan.nodes[node];
        let id = plan_node.id.clone();
        let policy = plan_node.retry;
        let item = self.item(fid);
        // A refused address stays refused: waiting does not change the network policy. A
        // replayed failure is given back once, as it was recorded.
        let retryable = !matches!(error.code.as_str(), "cancelled" | "address_blocked")
            && !self.req.recorded.contains_key(&id);
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
                started_ms: timing.at_ms(),
                error,
                delay_ms: delay.as_millis() as u64,
                item,
            });
            let next = attempt + 1;
            // Waiting is reaching outside the run too.
            let gate = self.req.gate.clone().filter(|_| !delay.is_zero());
            self.push(
                fid,
                async move {
                    if let Some(gate) = gate {
                        gate.pass().await;
                    }
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
            started_ms: timing.at_ms(),
            duration_ms: ms(timing.took),
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

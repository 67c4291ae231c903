//! One attempt of one node: its context, its future (stand-in or node, panics caught, the
//! timeout applied) and where it is polled.

use super::*;

/// When an attempt started (from the start of the run) and how long it took.
#[derive(Debug, Clone, Copy)]
pub(super) struct Timing {
    pub(super) at: Option<Duration>,
    pub(super) took: Duration,
}

impl Timing {
    pub(super) fn new(at: Duration, took: Duration) -> Timing {
        Timing { at: Some(at), took }
    }

    /// Something that started at `started`, in a run that started at `run_started`, and ends now.
    pub(super) fn until_now(run_started: Instant, started: Instant) -> Timing {
        Timing::new(
            started.saturating_duration_since(run_started),
            started.elapsed(),
        )
    }

    pub(super) fn at_ms(&self) -> Option<f64> {
        self.at.map(ms)
    }
}

impl Run<'_> {
    pub(super) fn start_attempt(&mut self, fid: FrameId, node: usize, attempt: u32) {
        let input_from = self.input_from(fid, node);
        self.fr(fid).attempt[node] = attempt;
        let item = self.item(fid);
        self.emit(RunEvent::NodeStarted {
            node: self.plan.nodes[node].id.clone(),
            attempt,
            input_from,
            item,
        });
        let cx = self.node_cx(fid, node);
        let replayed = self.replayed(fid, node);
        let stand_in = self.req.stand_ins.get(&self.plan.nodes[node].id).cloned();
        let pin = self.pin(node);
        let timeout = self.plan.nodes[node].timeout;
        let run_started = self.started;
        let calls_out = replayed.is_none()
            && pin.is_none()
            && stand_in.is_none()
            && self.plan.nodes[node].kind.is_recorded();
        if !calls_out {
            // Nothing to wait for: run it now, and hand the result to the run loop without a
            // future of its own (most nodes of most runs).
            let started = Instant::now();
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
                given_or_run(&cx, replayed, pin, stand_in)
            }))
            .unwrap_or_else(|p| Err(panicked(p)));
            self.ready.push_back(Done::Attempt {
                frame: fid,
                node,
                attempt,
                timing: Timing::until_now(run_started, started),
                result: cx.scrub(result),
            });
            return;
        }
        // Only a node that really calls out or waits passes the gate.
        let gate = self.req.gate.clone();
        let fut = async move {
            if let Some(gate) = gate {
                gate.pass().await;
            }
            let started = Instant::now();
            let work = async move {
                let result = nodes::execute(&cx).await;
                cx.scrub(result)
            };
            let guarded = AssertUnwindSafe(work)
                .catch_unwind()
                .map(|r| r.unwrap_or_else(|p| Err(panicked(p))));
            let result = match timeout {
                Some(limit) => tokio::time::timeout(limit, guarded)
                    .await
                    .unwrap_or_else(|_| {
                        Err(NodeError::new(
                            "timeout",
                            format!("gave up after {} ms", limit.as_millis()),
                        ))
                    }),
                None => guarded.await,
            };
            Done::Attempt {
                frame: fid,
                node,
                attempt,
                timing: Timing::until_now(run_started, started),
                result,
            }
        };
        self.push(fid, fut.boxed());
    }

    /// The output to give instead of running `node`, if it is pinned for this run.
    pub(super) fn pin(&self, node: usize) -> Option<Arc<Pin>> {
        let n = &self.plan.nodes[node];
        self.req
            .pins
            .get(&n.id)
            .or(n.pinned.as_ref().filter(|_| self.req.test_mode))
            .cloned()
    }

    /// Adds a future to the run; an item's futures end early when its loop abandons it.
    pub(super) fn push(&mut self, fid: FrameId, fut: BoxFuture<'static, Done>) {
        match self.frame(fid).item.as_ref() {
            None => self.inflight.push(fut),
            Some(item) => {
                let stop = item.stop.clone();
                self.inflight.push(
                    async move {
                        tokio::select! {
                            biased;
                            _ = stop.cancelled() => Done::Dropped,
                            done = fut => done,
                        }
                    }
                    .boxed(),
                );
            }
        }
    }

    /// The data a node reads as `input`: the output on its first incoming edge that carried data.
    pub(super) fn input_of(&self, fid: FrameId, node: usize) -> Arc<Json> {
        let f = self.frame(fid);
        f.active_in[node]
            .first()
            .and_then(|&e| f.outputs.get(self.plan.edges[e].from).cloned())
            .unwrap_or_else(|| Arc::new(Json::Null))
    }

    pub(super) fn node_cx(&self, fid: FrameId, node: usize) -> NodeCx {
        let f = self.frame(fid);
        let inputs: Vec<(String, Arc<Json>)> = f.active_in[node]
            .iter()
            .map(|&e| {
                let from = self.plan.edges[e].from;
                let out = f
                    .outputs
                    .get(from)
                    .cloned()
                    .unwrap_or_else(|| Arc::new(Json::Null));
                (self.plan.nodes[from].id.clone(), out)
            })
            .collect();
        let scope = Scope {
            event: self.event.clone(),
            input: self.input_of(fid, node),
            vars: self.vars.clone(),
            run: self.run_info.clone(),
            outputs: Some(f.outputs.clone()),
            item: f.item.as_ref().map(|i| i.value.clone()),
            item_index: f.item.as_ref().map(|i| i.index as usize),
            value: None,
        };
        NodeCx {
            plan: self.plan.clone(),
            node,
            scope,
            inputs,
            services: self.services.clone(),
            redactor: Default::default(),
            test_mode: self.req.test_mode,
            test_sql: self.test_sql.clone(),
        }
    }
}

/// A node's result when it needs no waiting: the output it is given (a replay's recording, a
/// pin, a stand-in), or its own run when it calls nothing outside.
fn given_or_run(
    cx: &NodeCx,
    replayed: Option<Outcome>,
    pin: Option<Arc<Pin>>,
    stand_in: Option<StandIn>,
) -> Result<NodeOutput, NodeError> {
    match (replayed, pin, stand_in) {
        (Some(Outcome::Output(p)), _, _) | (None, Some(p), _) => {
            Ok(NodeOutput::to(p.output.clone(), p.ports.clone()))
        }
        (Some(Outcome::Failed(e)), _, _) => Err(e),
        (None, None, Some(f)) => f(&cx.scope.input).map(NodeOutput::out),
        (None, None, None) => nodes::execute_now(cx),
    }
}

pub(super) fn panicked(payload: Box<dyn std::any::Any + Send>) -> NodeError {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_string());
    NodeError::new(
        "panic",
        format!("the node crashed ({what}); the run was stopped safely"),
    )
}

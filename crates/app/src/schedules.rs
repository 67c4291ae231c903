//! Schedule triggers: one task per trigger sleeps until the next fire time, then stores the
//! event (keyed by its fire time, so a double fire is one event) with the new schedule state.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value as Json};
use switchyard_core::kind::NodeKind;
use switchyard_core::schedule::Schedule;
use switchyard_store::{new_id, now_ms, EventSource, NewEvent, Target};
use tokio_util::sync::CancellationToken;

use crate::pipeline::subscribers;
use crate::App;

struct Trigger {
    workflow_id: String,
    node: String,
    schedule: Schedule,
    run_missed: bool,
    payload: Json,
}

impl App {
    /// Stops the schedule tasks and starts one per schedule trigger of the current plans.
    pub(crate) fn restart_schedules(&self) {
        let token = CancellationToken::new();
        {
            let mut current = self.inner.schedules.lock().expect("schedules lock");
            current.cancel();
            *current = token.clone();
        }
        if self.is_stopping() {
            return;
        }
        let reg = self.registry();
        for e in reg.entries.values() {
            let Some(plan) = &e.plan else { continue };
            for &t in &plan.triggers {
                let n = &plan.nodes[t];
                if n.kind != NodeKind::ScheduleTrigger {
                    continue;
                }
                let p = &n.params;
                let cron = p.str("cron").unwrap_or_default();
                let tz = p.str("timezone").unwrap_or("UTC");
                let Ok(schedule) = Schedule::parse(cron, tz) else {
                    continue;
                };
                let payload = p
                    .get("payload")
                    .and_then(|_| {
                        p.eval(
                            "payload",
                            &plan.expressions,
                            &switchyard_core::expr::Scope::for_event(Json::Null),
                        )
                        .ok()
                        .flatten()
                    })
                    .unwrap_or(Json::Null);
                let trigger = Trigger {
                    workflow_id: e.id.clone(),
                    node: n.id.clone(),
                    schedule,
                    run_missed: p.str("missed") == Some("run_once"),
                    payload,
                };
                let app = self.clone();
                let token = token.clone();
                self.inner.tasks.spawn(async move {
                    tokio::select! {
                        _ = token.cancelled() => {}
                        _ = app.schedule_loop(trigger) => {}
                    }
                });
            }
        }
    }

    async fn schedule_loop(&self, t: Trigger) {
        let last = match self.inner.store.schedule_state(&t.workflow_id).await {
            Ok(rows) => rows
                .into_iter()
                .find(|(n, _)| *n == t.node)
                .map(|(_, at)| at),
            Err(e) => {
                tracing::error!(error = %e, "cannot read the schedule state");
                None
            }
        };
        let mut after = Utc::now();
        if let Some(last) = last.and_then(|ms| Utc.timestamp_millis_opt(ms).single()) {
            if let Some(missed) = t.schedule.next_after(last).filter(|m| *m <= after) {
                if t.run_missed {
                    tracing::info!(workflow = %t.workflow_id, node = %t.node, "running a missed schedule once");
                    self.fire(&t, missed).await;
                } else {
                    tracing::info!(workflow = %t.workflow_id, node = %t.node, "skipping missed schedule runs");
                }
            }
            after = after.max(last);
        }
        loop {
            let Some(next) = t.schedule.next_after(after) else {
                return;
            };
            let wait = (next - Utc::now()).to_std().unwrap_or_default();
            tokio::time::sleep(wait).await;
            self.fire(&t, next).await;
            after = next;
        }
    }

    async fn fire(&self, t: &Trigger, scheduled_for: DateTime<Utc>) {
        let name = format!("schedule.{}.{}", t.workflow_id, t.node);
        let mut payload = json!({
            "scheduled_for": scheduled_for.to_rfc3339(),
            "fired_at": Utc::now().to_rfc3339(),
        });
        if let (Json::Object(extra), Json::Object(p)) = (&t.payload, &mut payload) {
            for (k, v) in extra {
                p.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        let mut targets = vec![Target {
            workflow_id: t.workflow_id.clone(),
            trigger_node: t.node.clone(),
        }];
        targets.extend(subscribers(&self.registry(), &name, &payload));
        let event = NewEvent {
            id: new_id("evt"),
            name,
            source: EventSource::Schedule,
            payload,
            received_at: now_ms(),
            idempotency_key: Some(format!(
                "schedule:{}:{}:{}",
                t.workflow_id,
                t.node,
                scheduled_for.timestamp_millis()
            )),
            parent_run: None,
            depth: 0,
            targets,
        };
        if let Err(e) = self
            .accept_scheduled(
                event,
                &t.workflow_id,
                &t.node,
                scheduled_for.timestamp_millis(),
            )
            .await
        {
            tracing::error!(workflow = %t.workflow_id, error = %e, "a scheduled event could not be stored");
        }
    }
}

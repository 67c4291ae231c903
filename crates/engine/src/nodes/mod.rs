//! Node implementations, one file per kind; [`execute`] dispatches on the kind.

mod ai;
mod condition;
mod delay;
pub(crate) mod email;
mod emit_event;
mod filter;
mod http_request;
mod log;
mod merge;
mod respond_webhook;
mod set;
pub(crate) mod sql;
mod switch;
mod text_stats;

use std::sync::{Arc, Mutex};

use serde_json::Value as Json;
use switchyard_core::expr::{EvalError, Scope};
use switchyard_core::kind::NodeKind;
use switchyard_core::plan::PlanNode;
use switchyard_core::Plan;

use crate::events::NodeError;
use crate::net_guard::{Blocked, Redirects};
use crate::services::{Redactor, Services};
use switchyard_core::Workspace;

/// What a node gets to work with.
pub(crate) struct NodeCx {
    pub plan: Arc<Plan>,
    pub node: usize,
    pub scope: Scope,
    /// The data on each incoming edge that carried data: (source node id, output).
    pub inputs: Vec<(String, Arc<Json>)>,
    pub services: Arc<Services>,
    /// Secret values this node read, scrubbed from what it returns.
    pub redactor: Mutex<Redactor>,
    /// Side effects are simulated (see `RunRequest::test_mode`).
    pub test_mode: bool,
    /// Test mode: the run's SQL transactions, rolled back when it ends.
    pub test_sql: Option<Arc<sql::TestTransactions>>,
}

impl NodeCx {
    pub fn node(&self) -> &PlanNode {
        &self.plan.nodes[self.node]
    }

    /// Evaluates a setting; absent settings are `None`.
    pub fn eval(&self, field: &str) -> Result<Option<Json>, NodeError> {
        self.node()
            .params
            .eval(field, &self.plan.expressions, &self.scope)
            .map_err(|e| expr_error(field, e))
    }

    /// Evaluates a condition setting.
    pub fn condition(&self, field: &str, scope: &Scope) -> Result<bool, NodeError> {
        let params = &self.node().params;
        match params.expr(field) {
            Some(id) => self
                .plan
                .expressions
                .eval_bool(id, scope)
                .map_err(|e| expr_error(field, e)),
            None => Ok(params.bool(field).unwrap_or(false)),
        }
    }

    pub fn input(&self) -> Json {
        self.scope.input.as_ref().clone()
    }

    /// The input as it is, for a node that passes it on unchanged.
    pub fn input_shared(&self) -> Arc<Json> {
        self.scope.input.clone()
    }

    /// The client for addresses a workflow controls (HTTP request nodes).
    pub fn http(&self) -> reqwest::Client {
        self.services.http.client(Redirects::AnySite)
    }

    /// Like [`NodeCx::http`], following redirects only within the same site: for requests
    /// that carry credentials in headers of their own (API keys).
    pub fn http_same_site(&self) -> reqwest::Client {
        self.services.http.client(Redirects::SameSite)
    }

    /// Checks a URL whose host is an address against the network policy (names are checked
    /// when the client resolves them).
    pub fn check_address(&self, url: &reqwest::Url) -> Result<(), Blocked> {
        self.services.http.check_url(url)
    }

    /// Also scrubs `value`, derived from the secret `name` (an encoded form of it), from what
    /// the node returns.
    pub fn scrub_also(&self, name: &str, value: &str) {
        self.redactor
            .lock()
            .expect("redactor lock")
            .add(name, Arc::from(value));
    }

    /// The value of the secret `name`, read for the setting `field`. Whatever the node returns
    /// afterwards is scrubbed of it.
    pub fn secret(&self, name: &str, field: &str) -> Result<Arc<str>, NodeError> {
        let value = self.services.secrets.get(name).ok_or_else(|| {
            NodeError::new(
                "missing_secret",
                format!(
                    "the secret \"{name}\" is not set: add it in Settings → Secrets, or run `switchyard secrets set {name}`"
                ),
            )
            .in_field(field)
        })?;
        self.redactor
            .lock()
            .expect("redactor lock")
            .add(name, value.clone());
        Ok(value)
    }

    /// The workspace settings as they were when the node started.
    #[allow(
        dead_code,
        reason = "for the workspace-configured nodes (AI, email, SQL)"
    )]
    pub fn workspace(&self) -> Arc<Workspace> {
        self.services.workspace()
    }

    /// Removes the secret values the node read from its output, logs and error.
    pub fn scrub(&self, result: Result<NodeOutput, NodeError>) -> Result<NodeOutput, NodeError> {
        let redactor = self.redactor.lock().expect("redactor lock");
        if redactor.is_empty() {
            return result;
        }
        match result {
            Ok(mut out) => {
                redactor.json(Arc::make_mut(&mut out.value));
                for (_, line) in &mut out.logs {
                    if let Some(r) = redactor.text(line) {
                        *line = r;
                    }
                }
                Ok(out)
            }
            Err(mut e) => {
                if let Some(r) = redactor.text(&e.message) {
                    e.message = r;
                }
                Err(e)
            }
        }
    }
}

pub(crate) fn expr_error(field: &str, e: EvalError) -> NodeError {
    NodeError::new("expression_error", format!("{field}: {}", e.message)).in_field(field)
}

/// Which output ports a node sent its output to.
pub(crate) enum Ports {
    /// The usual `out` port.
    Out,
    /// These ports (none: the branch stops here).
    Named(Vec<String>),
}

pub(crate) struct NodeOutput {
    /// Shared: a node that passes its input on (Switch, Condition, Log ...) gives the same value
    /// without copying it.
    pub value: Arc<Json>,
    pub ports: Ports,
    /// (level, message) lines for the run's log.
    pub logs: Vec<(String, String)>,
}

impl NodeOutput {
    pub fn out(value: impl Into<Arc<Json>>) -> NodeOutput {
        NodeOutput {
            value: value.into(),
            ports: Ports::Out,
            logs: Vec::new(),
        }
    }

    pub fn to(value: impl Into<Arc<Json>>, ports: Vec<String>) -> NodeOutput {
        NodeOutput {
            value: value.into(),
            ports: Ports::Named(ports),
            logs: Vec::new(),
        }
    }
}

/// Runs a node that calls out or waits (see [`NodeKind::is_recorded`]); the I/O nodes' futures
/// are large (HTTP, SMTP, SQL, AI clients), so they are boxed. Others run at once.
pub(crate) async fn execute(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    match cx.node().kind {
        NodeKind::Delay => delay::run(cx).await,
        NodeKind::HttpRequest => Box::pin(http_request::run(cx)).await,
        NodeKind::AiClassify => Box::pin(ai::classify(cx)).await,
        NodeKind::AiExtract => Box::pin(ai::extract(cx)).await,
        NodeKind::AiGenerate => Box::pin(ai::generate(cx)).await,
        NodeKind::SqlQuery => Box::pin(sql::query::run(cx)).await,
        NodeKind::UpsertRow => Box::pin(sql::upsert::run(cx)).await,
        NodeKind::SendEmail => Box::pin(email::run(cx)).await,
        _ => execute_now(cx),
    }
}

/// Runs a node that needs no waiting: it computes its output from its settings and data.
pub(crate) fn execute_now(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    match cx.node().kind {
        // A trigger's output is the event; the run loop handles triggers itself.
        NodeKind::ManualTrigger
        | NodeKind::WebhookTrigger
        | NodeKind::ScheduleTrigger
        | NodeKind::EventTrigger => Ok(NodeOutput::out(cx.scope.event.clone())),
        NodeKind::Set => set::run(cx),
        NodeKind::Condition => condition::run(cx),
        NodeKind::Switch => switch::run(cx),
        NodeKind::Filter => filter::run(cx),
        NodeKind::Merge => merge::run(cx),
        NodeKind::Log => log::run(cx),
        NodeKind::EmitEvent => emit_event::run(cx),
        NodeKind::RespondWebhook => respond_webhook::run(cx),
        NodeKind::TextStats => text_stats::run(cx),
        // The run loop runs these itself (executor/loop_run.rs): a For each runs its body per
        // item, a Collect gets the items' results. On their own they pass their input on.
        NodeKind::ForEach | NodeKind::Collect => Ok(NodeOutput::out(cx.input_shared())),
        kind @ (NodeKind::Delay
        | NodeKind::HttpRequest
        | NodeKind::AiClassify
        | NodeKind::AiExtract
        | NodeKind::AiGenerate
        | NodeKind::SqlQuery
        | NodeKind::UpsertRow
        | NodeKind::SendEmail) => unreachable!("{kind:?} waits: it runs through execute"),
    }
}

/// An error and its causes, `outer: inner: innermost`.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg = format!("{msg}: {s}");
        src = s.source();
    }
    msg
}

/// At most `max` bytes of `s` (cut at a character boundary), with an ellipsis when cut.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        s.to_string()
    } else {
        format!("{}…", &s[..s.floor_char_boundary(max)])
    }
}

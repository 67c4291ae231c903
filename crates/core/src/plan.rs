//! The compiled, immutable form of a workflow: what the engine runs.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value as Json;

use crate::diagnostic::Diagnostic;
use crate::expr::{Compiled, EvalError, ExprId, Expressions, Scope};
use crate::file::RetryPolicy;
use crate::kind::NodeKind;

/// Node id to position in a plan. Looked up many times per run (every node event, every
/// `nodes.<id>` an expression reads), by ids the workflow file gives: FxHash, not SipHash.
pub type NodeIndex = rustc_hash::FxHashMap<String, usize>;

/// A validated workflow. Nodes are in topological order; indices are stable for the plan's life.
#[derive(Debug)]
pub struct Plan {
    pub id: String,
    pub name: String,
    pub nodes: Vec<PlanNode>,
    pub edges: Vec<PlanEdge>,
    /// Node id to index.
    pub index: Arc<NodeIndex>,
    /// Indices of trigger nodes.
    pub triggers: Vec<usize>,
    pub vars: Arc<Json>,
    pub expressions: Expressions,
    /// Problems that do not stop the workflow from running.
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug)]
pub struct PlanNode {
    pub id: String,
    pub name: String,
    pub kind: NodeKind,
    pub params: Params,
    /// Incoming edges (indices into `Plan::edges`), in file order.
    pub inputs: Vec<usize>,
    /// Outgoing edges (indices into `Plan::edges`).
    pub outputs: Vec<usize>,
    pub retry: RetryPolicy,
    pub timeout: Option<Duration>,
    /// Whether failures are routed to the `error` port instead of failing the run.
    pub catches_errors: bool,
    /// For a For each node: its body and its Collect.
    pub loop_body: Option<LoopInfo>,
    /// For a node inside a For each's body: that For each (its index).
    pub in_loop: Option<usize>,
    /// The pinned sample output test runs use instead of running the node.
    pub pinned: Option<Arc<Pin>>,
}

/// An output given instead of running a node: a pinned sample (test runs), or a recorded or
/// earlier result (replays, retries from a failed node).
#[derive(Debug, Clone, PartialEq)]
pub struct Pin {
    pub output: Arc<Json>,
    /// The output ports the data goes to.
    pub ports: Vec<String>,
}

/// The structure of one For each loop, in plan indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopInfo {
    /// The nodes reachable from the `item` port up to the Collect (excluded), in plan order.
    pub body: Vec<usize>,
    /// The Collect node that closes the loop, if any.
    pub collect: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct PlanEdge {
    pub from: usize,
    pub from_port: String,
    pub to: usize,
    pub to_port: String,
}

/// A node's settings, type-checked, with defaults filled in and expressions compiled.
#[derive(Debug, Clone, Default)]
pub struct Params(pub(crate) BTreeMap<String, Param>);

#[derive(Debug, Clone)]
pub enum Param {
    /// Numbers, booleans, selects, plain text.
    Literal(Json),
    /// A template setting.
    Text(Compiled),
    /// A bare expression (conditions).
    Expr(ExprId),
    /// Names mapped to templates, in name order.
    KeyValue(Vec<(String, Compiled)>),
    /// JSON whose strings are templates.
    Json(CompiledJson),
    /// A list of items, each with its own settings.
    List(Vec<Params>),
}

/// JSON with templates inside.
#[derive(Debug, Clone)]
pub enum CompiledJson {
    Literal(Json),
    Value(Compiled),
    Array(Vec<CompiledJson>),
    Object(Vec<(String, CompiledJson)>),
}

impl CompiledJson {
    pub fn eval(&self, ex: &Expressions, scope: &Scope) -> Result<Json, EvalError> {
        Ok(match self {
            CompiledJson::Literal(v) => v.clone(),
            CompiledJson::Value(c) => ex.eval(c, scope)?,
            CompiledJson::Array(items) => Json::Array(
                items
                    .iter()
                    .map(|i| i.eval(ex, scope))
                    .collect::<Result<_, _>>()?,
            ),
            CompiledJson::Object(fields) => Json::Object(
                fields
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), v.eval(ex, scope)?)))
                    .collect::<Result<_, EvalError>>()?,
            ),
        })
    }
}

impl Params {
    pub fn get(&self, name: &str) -> Option<&Param> {
        self.0.get(name)
    }

    /// A literal setting (select, number, boolean, plain text).
    pub fn literal(&self, name: &str) -> Option<&Json> {
        match self.0.get(name)? {
            Param::Literal(v) => Some(v),
            _ => None,
        }
    }

    pub fn str(&self, name: &str) -> Option<&str> {
        self.literal(name).and_then(Json::as_str)
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        self.literal(name).and_then(Json::as_bool)
    }

    pub fn expr(&self, name: &str) -> Option<ExprId> {
        match self.0.get(name)? {
            Param::Expr(id) => Some(*id),
            _ => None,
        }
    }

    pub fn list(&self, name: &str) -> &[Params] {
        match self.0.get(name) {
            Some(Param::List(items)) => items,
            _ => &[],
        }
    }

    pub fn key_values(&self, name: &str) -> &[(String, Compiled)] {
        match self.0.get(name) {
            Some(Param::KeyValue(kv)) => kv,
            _ => &[],
        }
    }

    /// Evaluates a text, number or JSON setting.
    pub fn eval(
        &self,
        name: &str,
        ex: &Expressions,
        scope: &Scope,
    ) -> Result<Option<Json>, EvalError> {
        Ok(match self.0.get(name) {
            None => None,
            Some(Param::Literal(v)) => Some(v.clone()),
            Some(Param::Text(c)) => Some(ex.eval(c, scope)?),
            Some(Param::Expr(id)) => Some(Json::Bool(ex.eval_bool(*id, scope)?)),
            Some(Param::Json(j)) => Some(j.eval(ex, scope)?),
            Some(Param::KeyValue(kv)) => Some(Json::Object(
                kv.iter()
                    .map(|(k, c)| Ok((k.clone(), ex.eval(c, scope)?)))
                    .collect::<Result<_, EvalError>>()?,
            )),
            Some(Param::List(_)) => None,
        })
    }
}

impl Plan {
    pub fn node(&self, id: &str) -> Option<&PlanNode> {
        self.index.get(id).map(|&i| &self.nodes[i])
    }

    /// The trigger a run starts from when none is named: the first manual trigger, else the
    /// first trigger.
    pub fn default_trigger(&self) -> Option<usize> {
        self.triggers
            .iter()
            .copied()
            .find(|&t| self.nodes[t].kind == NodeKind::ManualTrigger)
            .or_else(|| self.triggers.first().copied())
    }
}

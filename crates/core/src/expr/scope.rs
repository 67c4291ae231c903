//! What an expression can read: `event`, `input`, `nodes.<id>`, `vars`, `run` and, inside
//! list filters and For each bodies, `item` (and in For each bodies `item_index`). JSON is exposed lazily, so a node that reads one field of a large
//! upstream output does not copy that output.

use crate::plan::NodeIndex;
use std::sync::{Arc, OnceLock};

use minijinja::value::{Enumerator, Object, ObjectRepr, Value};
use serde_json::Value as Json;

/// The outputs of a run's nodes, each written once. Shared between the executor and the
/// expressions that read it.
#[derive(Debug)]
pub struct Outputs {
    slots: Vec<OnceLock<Arc<Json>>>,
    index: Arc<NodeIndex>,
    /// For one item of a For each: the run's outputs, read where this item set nothing.
    parent: Option<Arc<Outputs>>,
}

impl Outputs {
    pub fn new(index: Arc<NodeIndex>) -> Outputs {
        let slots = (0..index.len()).map(|_| OnceLock::new()).collect();
        Outputs {
            slots,
            index,
            parent: None,
        }
    }

    /// Outputs for one item of a loop: its own slots, falling back to `parent`'s.
    pub fn child(parent: Arc<Outputs>) -> Outputs {
        Outputs {
            slots: (0..parent.slots.len()).map(|_| OnceLock::new()).collect(),
            index: parent.index.clone(),
            parent: Some(parent),
        }
    }

    /// Records a node's output. A node's output is set at most once.
    pub fn set(&self, node: usize, value: Arc<Json>) {
        let _ = self.slots[node].set(value);
    }

    pub fn get(&self, node: usize) -> Option<&Arc<Json>> {
        self.slots[node]
            .get()
            .or_else(|| self.parent.as_ref().and_then(|p| p.get(node)))
    }

    pub fn get_by_id(&self, id: &str) -> Option<&Arc<Json>> {
        self.index.get(id).and_then(|&i| self.get(i))
    }
}

/// The variables visible to one evaluation.
#[derive(Debug, Clone)]
pub struct Scope {
    pub event: Arc<Json>,
    pub input: Arc<Json>,
    pub vars: Arc<Json>,
    pub run: Arc<Json>,
    pub outputs: Option<Arc<Outputs>>,
    pub item: Option<Arc<Json>>,
    /// The position of `item` in a For each's list (0-based).
    pub item_index: Option<usize>,
    /// In a test case's `matches` check: the value being checked.
    pub value: Option<Arc<Json>>,
}

impl Scope {
    /// A scope with only an event, for tests and previews.
    pub fn for_event(event: Json) -> Scope {
        let event = Arc::new(event);
        Scope {
            input: event.clone(),
            event,
            vars: Arc::new(Json::Object(Default::default())),
            run: Arc::new(Json::Object(Default::default())),
            outputs: None,
            item: None,
            item_index: None,
            value: None,
        }
    }

    pub(crate) fn to_value(&self) -> Value {
        Value::from_object(self.clone())
    }

    /// A top-level name's JSON, borrowed (`item_index`, a number made on demand, is not).
    pub(crate) fn root_ref(&self, name: &str) -> Option<&Json> {
        match name {
            "event" => Some(&self.event),
            "input" => Some(&self.input),
            "vars" => Some(&self.vars),
            "run" => Some(&self.run),
            "item" => self.item.as_deref(),
            "value" => self.value.as_deref(),
            _ => None,
        }
    }

    /// Looks a top-level name up as JSON (for error messages).
    pub(crate) fn root_json(&self, name: &str) -> Option<Arc<Json>> {
        match name {
            "event" => Some(self.event.clone()),
            "input" => Some(self.input.clone()),
            "vars" => Some(self.vars.clone()),
            "run" => Some(self.run.clone()),
            "item" => self.item.clone(),
            "item_index" => self.item_index.map(|i| Arc::new(Json::from(i))),
            "value" => self.value.clone(),
            _ => None,
        }
    }
}

const ROOT_NAMES: &[&str] = &["event", "input", "nodes", "vars", "run"];

/// Every name an expression can start at: those [`Scope::root_json`] knows, and `nodes`.
pub(crate) const NAMES: &[&str] = &[
    "event",
    "input",
    "vars",
    "run",
    "item",
    "item_index",
    "value",
    "nodes",
];

impl Object for Scope {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "nodes" => self
                .outputs
                .as_ref()
                .map(|o| Value::from_object(NodesView(o.clone()))),
            name => self.root_json(name).map(|json| view(json, Vec::new())),
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(ROOT_NAMES)
    }
}

#[derive(Debug)]
struct NodesView(Arc<Outputs>);

impl Object for NodesView {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let out = self.0.get_by_id(key.as_str()?)?;
        Some(view(out.clone(), Vec::new()))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let mut ids: Vec<Value> = self
            .0
            .index
            .iter()
            .filter(|(_, &i)| self.0.get(i).is_some())
            .map(|(id, _)| Value::from(id.as_str()))
            .collect();
        ids.sort();
        Enumerator::Values(ids)
    }
}

#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

/// A lazily converted part of a JSON document.
#[derive(Debug)]
struct JsonView {
    root: Arc<Json>,
    path: Vec<Seg>,
}

impl JsonView {
    fn target(&self) -> &Json {
        let mut cur: &Json = &self.root;
        for seg in &self.path {
            cur = match (seg, cur) {
                (Seg::Key(k), Json::Object(m)) => &m[k.as_str()],
                (Seg::Index(i), Json::Array(a)) => &a[*i],
                _ => unreachable!("a view's path always exists"),
            };
        }
        cur
    }
}

/// Wraps the JSON found at `path` under `root`: scalars become plain values, containers views.
fn view(root: Arc<Json>, path: Vec<Seg>) -> Value {
    let v = JsonView { root, path };
    match v.target() {
        Json::Null => Value::from(()),
        Json::Bool(b) => Value::from(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                Value::from(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(_) | Json::Object(_) => Value::from_object(v),
    }
}

impl Object for JsonView {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        match self.target() {
            Json::Array(_) => ObjectRepr::Seq,
            _ => ObjectRepr::Map,
        }
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let seg = match self.target() {
            Json::Object(m) => {
                let k = key.as_str()?;
                m.get(k)?;
                Seg::Key(k.to_string())
            }
            Json::Array(a) => {
                let i = key.as_i64()?;
                let i = if i < 0 { a.len() as i64 + i } else { i };
                if i < 0 || i as usize >= a.len() {
                    return None;
                }
                Seg::Index(i as usize)
            }
            _ => return None,
        };
        let mut path = self.path.clone();
        path.push(seg);
        Some(view(self.root.clone(), path))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match self.target() {
            Json::Object(m) => {
                Enumerator::Values(m.keys().map(|k| Value::from(k.as_str())).collect())
            }
            Json::Array(a) => Enumerator::Seq(a.len()),
            _ => Enumerator::Empty,
        }
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        match self.target() {
            Json::Object(m) => Some(m.len()),
            Json::Array(a) => Some(a.len()),
            _ => Some(0),
        }
    }
}

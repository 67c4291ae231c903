//! Node descriptors: what the palette shows and what the settings forms are generated from.
//! One file per kind; [`descriptor`] is the registry.

use std::sync::LazyLock;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value as Json;

use crate::kind::NodeKind;

mod ai;
mod ai_classify;
mod ai_extract;
mod ai_generate;
mod collect;
mod condition;
mod delay;
mod emit_event;
mod event_trigger;
mod filter;
mod for_each;
mod http_request;
mod log;
mod manual_trigger;
mod merge;
mod respond_webhook;
mod schedule_trigger;
mod send_email;
mod set;
mod sql_query;
mod switch;
mod text_stats;
mod upsert_row;
mod webhook_trigger;

/// Palette group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Triggers,
    Flow,
    Data,
    Actions,
    Utilities,
    Ai,
}

/// Everything the UI and the compiler need to know about a kind.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Descriptor {
    pub kind: NodeKind,
    pub title: String,
    pub category: Category,
    /// One line for the palette.
    pub description: String,
    pub inputs: Vec<Port>,
    /// Fixed output ports. Nodes other than triggers also have the optional `error` port.
    pub outputs: Vec<Port>,
    /// Output ports named by a list setting: one port per item's `name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dynamic_outputs: Option<DynamicOutputs>,
    /// Whether the node has an `error` output port that catches its failures when connected.
    pub error_port: bool,
    pub fields: Vec<Field>,
    /// The keys of the node's output object when they are known in advance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_keys: Option<Vec<String>>,
}

/// Output ports generated from a list setting (the Switch node's routes).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DynamicOutputs {
    /// The list setting whose items become ports.
    pub field: String,
    /// The key of each item that names its port.
    pub name_key: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Port {
    pub name: String,
    pub label: String,
}

/// One setting of a node.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Field {
    pub name: String,
    pub label: String,
    /// Help text under the field.
    pub help: String,
    #[serde(rename = "type")]
    pub ty: FieldType,
    pub required: bool,
    /// Used when the setting is absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Json>,
}

/// The type of a setting, from which the form control is chosen.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldType {
    /// Literal text, no expressions (identifiers, paths).
    Text,
    /// Text with `{{ expressions }}`; a value that is a single `{{ ... }}` keeps its type.
    Template {
        multiline: bool,
    },
    /// A bare expression such as `event.budget >= 10000`.
    Expression,
    Number {
        min: Option<f64>,
        max: Option<f64>,
        integer: bool,
    },
    Boolean,
    Select {
        options: Vec<SelectOption>,
    },
    /// Names mapped to templates (headers, query parameters, fields to set).
    KeyValue,
    /// Any JSON value; strings inside are templates.
    Json,
    /// A list of items, each with the given fields (the Switch node's routes).
    List {
        fields: Vec<Field>,
    },
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
}

/// The descriptor of a kind.
pub fn descriptor(kind: NodeKind) -> &'static Descriptor {
    static ALL: LazyLock<Vec<Descriptor>> = LazyLock::new(|| {
        NodeKind::ALL
            .iter()
            .map(|&kind| {
                let d = match kind {
                    NodeKind::ManualTrigger => manual_trigger::descriptor(),
                    NodeKind::WebhookTrigger => webhook_trigger::descriptor(),
                    NodeKind::Set => set::descriptor(),
                    NodeKind::Condition => condition::descriptor(),
                    NodeKind::Switch => switch::descriptor(),
                    NodeKind::Filter => filter::descriptor(),
                    NodeKind::Merge => merge::descriptor(),
                    NodeKind::Delay => delay::descriptor(),
                    NodeKind::Log => log::descriptor(),
                    NodeKind::HttpRequest => http_request::descriptor(),
                    NodeKind::ScheduleTrigger => schedule_trigger::descriptor(),
                    NodeKind::EventTrigger => event_trigger::descriptor(),
                    NodeKind::EmitEvent => emit_event::descriptor(),
                    NodeKind::RespondWebhook => respond_webhook::descriptor(),
                    NodeKind::AiClassify => ai_classify::descriptor(),
                    NodeKind::AiExtract => ai_extract::descriptor(),
                    NodeKind::AiGenerate => ai_generate::descriptor(),
                    NodeKind::SqlQuery => sql_query::descriptor(),
                    NodeKind::UpsertRow => upsert_row::descriptor(),
                    NodeKind::TextStats => text_stats::descriptor(),
                    NodeKind::SendEmail => send_email::descriptor(),
                    NodeKind::ForEach => for_each::descriptor(),
                    NodeKind::Collect => collect::descriptor(),
                };
                assert_eq!(d.kind, kind, "descriptor registered under the wrong kind");
                d
            })
            .collect()
    });
    let index = NodeKind::ALL
        .iter()
        .position(|k| *k == kind)
        .expect("every kind is in ALL");
    &ALL[index]
}

/// Every descriptor, in palette order.
pub fn catalog() -> Vec<&'static Descriptor> {
    NodeKind::ALL.iter().map(|k| descriptor(*k)).collect()
}

impl Descriptor {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

// Small constructors that keep the per-kind files declarative.

pub(crate) fn port(name: &str, label: &str) -> Port {
    Port {
        name: name.into(),
        label: label.into(),
    }
}

/// A node with one input, one `out` output and an `error` port; kinds override what differs.
pub(crate) fn step(
    kind: NodeKind,
    title: &str,
    category: Category,
    description: &str,
) -> Descriptor {
    Descriptor {
        kind,
        title: title.into(),
        category,
        description: description.into(),
        inputs: input(),
        outputs: output(),
        dynamic_outputs: None,
        error_port: true,
        fields: Vec::new(),
        output_keys: None,
    }
}

/// A trigger: no inputs, one `out` output, no `error` port.
pub(crate) fn trigger(kind: NodeKind, title: &str, description: &str) -> Descriptor {
    Descriptor {
        inputs: vec![],
        error_port: false,
        ..step(kind, title, Category::Triggers, description)
    }
}

pub(crate) fn input() -> Vec<Port> {
    vec![port("in", "Input")]
}

pub(crate) fn output() -> Vec<Port> {
    vec![port("out", "Output")]
}

pub(crate) fn field(name: &str, label: &str, ty: FieldType, help: &str) -> Field {
    Field {
        name: name.into(),
        label: label.into(),
        help: help.into(),
        ty,
        required: false,
        default: None,
    }
}

impl Field {
    pub(crate) fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub(crate) fn default(mut self, value: Json) -> Self {
        self.default = Some(value);
        self
    }
}

pub(crate) fn select(options: &[(&str, &str)]) -> FieldType {
    FieldType::Select {
        options: options
            .iter()
            .map(|(v, l)| SelectOption {
                value: (*v).into(),
                label: (*l).into(),
            })
            .collect(),
    }
}

pub(crate) fn template() -> FieldType {
    FieldType::Template { multiline: false }
}

pub(crate) fn number(min: Option<f64>, max: Option<f64>, integer: bool) -> FieldType {
    FieldType::Number { min, max, integer }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_complete_descriptor() {
        for d in catalog() {
            assert!(
                !d.title.is_empty() && !d.description.is_empty(),
                "{:?}",
                d.kind
            );
            assert_eq!(
                d.inputs.is_empty(),
                d.kind.is_trigger(),
                "{:?}: only triggers lack inputs",
                d.kind
            );
            assert!(
                !d.outputs.is_empty() || d.dynamic_outputs.is_some(),
                "{:?}",
                d.kind
            );
            for f in &d.fields {
                assert!(
                    !f.label.is_empty() && !f.help.is_empty(),
                    "{:?}.{}",
                    d.kind,
                    f.name
                );
            }
        }
    }

    #[test]
    fn descriptors_serialize_for_the_ui() {
        let json = serde_json::to_value(descriptor(NodeKind::Switch)).unwrap();
        assert_eq!(json["kind"], "switch");
        assert_eq!(json["dynamic_outputs"]["field"], "routes");
        assert_eq!(json["fields"][0]["type"]["kind"], "list");
    }
}

//! The closed set of node kinds. Adding a kind: one variant here, one descriptor file in
//! `catalog/`, one implementation file in the engine's `nodes/`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a node does.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    ManualTrigger,
    WebhookTrigger,
    Set,
    Condition,
    Switch,
    Filter,
    Merge,
    Delay,
    Log,
    HttpRequest,
    ScheduleTrigger,
    EventTrigger,
    EmitEvent,
    RespondWebhook,
    AiClassify,
    AiExtract,
    AiGenerate,
    SqlQuery,
    UpsertRow,
    TextStats,
    SendEmail,
    ForEach,
    Collect,
}

impl NodeKind {
    /// Every kind, in palette order.
    pub const ALL: &'static [NodeKind] = &[
        NodeKind::ManualTrigger,
        NodeKind::WebhookTrigger,
        NodeKind::ScheduleTrigger,
        NodeKind::EventTrigger,
        NodeKind::Set,
        NodeKind::Condition,
        NodeKind::Switch,
        NodeKind::Filter,
        NodeKind::Merge,
        NodeKind::ForEach,
        NodeKind::Collect,
        NodeKind::Delay,
        NodeKind::HttpRequest,
        NodeKind::AiClassify,
        NodeKind::AiExtract,
        NodeKind::AiGenerate,
        NodeKind::SqlQuery,
        NodeKind::UpsertRow,
        NodeKind::EmitEvent,
        NodeKind::RespondWebhook,
        NodeKind::TextStats,
        NodeKind::SendEmail,
        NodeKind::Log,
    ];

    /// The name used in workflow files (`http_request`).
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::ManualTrigger => "manual_trigger",
            NodeKind::WebhookTrigger => "webhook_trigger",
            NodeKind::Set => "set",
            NodeKind::Condition => "condition",
            NodeKind::Switch => "switch",
            NodeKind::Filter => "filter",
            NodeKind::Merge => "merge",
            NodeKind::Delay => "delay",
            NodeKind::Log => "log",
            NodeKind::HttpRequest => "http_request",
            NodeKind::ScheduleTrigger => "schedule_trigger",
            NodeKind::EventTrigger => "event_trigger",
            NodeKind::EmitEvent => "emit_event",
            NodeKind::RespondWebhook => "respond_webhook",
            NodeKind::AiClassify => "ai_classify",
            NodeKind::AiExtract => "ai_extract",
            NodeKind::AiGenerate => "ai_generate",
            NodeKind::SqlQuery => "sql_query",
            NodeKind::UpsertRow => "upsert_row",
            NodeKind::TextStats => "text_stats",
            NodeKind::SendEmail => "send_email",
            NodeKind::ForEach => "for_each",
            NodeKind::Collect => "collect",
        }
    }

    /// Whether runs start at nodes of this kind.
    pub fn is_trigger(self) -> bool {
        matches!(
            self,
            NodeKind::ManualTrigger
                | NodeKind::WebhookTrigger
                | NodeKind::ScheduleTrigger
                | NodeKind::EventTrigger
        )
    }

    /// Whether a node of this kind depends on the world outside the run: it calls out (HTTP,
    /// AI, email, SQL) or waits (Delay). Run journals keep what such nodes gave (per For each
    /// item too), and a replay gives that back instead of running them.
    pub fn is_recorded(self) -> bool {
        matches!(
            self,
            NodeKind::HttpRequest
                | NodeKind::AiClassify
                | NodeKind::AiExtract
                | NodeKind::AiGenerate
                | NodeKind::SendEmail
                | NodeKind::SqlQuery
                | NodeKind::UpsertRow
                | NodeKind::Delay
        )
    }
}

impl std::fmt::Display for NodeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_serde_and_all_lists_every_kind() {
        for kind in NodeKind::ALL {
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, kind.as_str());
        }
        // Every variant appears exactly once in ALL.
        let mut sorted = NodeKind::ALL.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), NodeKind::ALL.len());
        // ALL is hand-written: compare it with every variant serde knows (from the schema).
        fn names(v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        match (k.as_str(), v) {
                            ("const", serde_json::Value::String(s)) => out.push(s.clone()),
                            ("enum", serde_json::Value::Array(items)) => out
                                .extend(items.iter().filter_map(|i| i.as_str().map(String::from))),
                            _ => names(v, out),
                        }
                    }
                }
                serde_json::Value::Array(items) => items.iter().for_each(|i| names(i, out)),
                _ => {}
            }
        }
        let mut variants = Vec::new();
        names(
            &serde_json::to_value(schemars::schema_for!(NodeKind)).unwrap(),
            &mut variants,
        );
        variants.sort();
        let mut listed: Vec<String> = NodeKind::ALL.iter().map(|k| k.as_str().into()).collect();
        listed.sort();
        assert_eq!(listed, variants);
    }
}

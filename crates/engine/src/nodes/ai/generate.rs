//! AI Generate: text or JSON from a prompt. The built-in provider does not write: it renders the
//! `offline_text` template (or the prompt) and says so (`generated_by: "template"`).

use serde_json::{json, Map, Value as Json};

use super::client::message;
use super::{answer_json, ask, provider, schema, Ask, Problem, Provider};
use crate::events::NodeError;
use crate::nodes::{NodeCx, NodeOutput};

pub(crate) async fn run(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    let provider = provider(cx)?;
    let prompt = super::text(cx, "prompt")?;
    let system = super::text(cx, "system")?;
    let json_format = cx.node().params.str("format") == Some("json");
    let shape = match cx.eval("json_schema")? {
        Some(Json::Object(s)) => Some(Json::Object(s)),
        None | Some(Json::Null) => None,
        Some(_) => {
            return Err(NodeError::new(
                "invalid_value",
                "the JSON shape must be a JSON Schema object, e.g. {\"type\": \"object\"}",
            )
            .in_field("json_schema"))
        }
    };
    let check = |text: &str| -> Result<Option<Json>, Vec<Problem>> {
        if !json_format {
            return if text.trim().is_empty() {
                Err(vec![Problem::new("the answer is empty")])
            } else {
                Ok(None)
            };
        }
        let v = answer_json(text).map_err(|p| vec![p])?;
        let problems = shape
            .as_ref()
            .map(|s| schema::validate(&v, s))
            .unwrap_or_default();
        if problems.is_empty() {
            Ok(Some(v))
        } else {
            Err(problems
                .into_iter()
                .map(|p| Problem::new(format!("the JSON does not match the shape: {p}")))
                .collect())
        }
    };

    let mut out = Map::new();
    match &provider {
        Provider::Builtin => {
            let offline = super::text(cx, "offline_text")?;
            let text = if offline.trim().is_empty() {
                prompt
            } else {
                offline
            };
            let field = if cx.node().params.get("offline_text").is_some() {
                "offline_text"
            } else {
                "prompt"
            };
            let parsed = check(&text).map_err(|problems| {
                let list: Vec<String> = problems.into_iter().map(|p| p.message).collect();
                NodeError::new(
                    "ai_invalid_output",
                    format!(
                        "the built-in provider (no AI account) answers with the text of `{field}`, and that text cannot be used: {}",
                        list.join("; ")
                    ),
                )
                .in_field(field)
            })?;
            out.insert("text".into(), json!(text));
            if let Some(v) = parsed {
                out.insert("json".into(), v);
            }
            provider.describe(&mut out);
            out.insert("generated_by".into(), json!("template"));
        }
        Provider::Remote(remote) => {
            let mut instructions = system;
            if json_format {
                if !instructions.is_empty() {
                    instructions.push_str("\n\n");
                }
                instructions.push_str("Answer with a JSON object only.");
                if let Some(s) = &shape {
                    instructions.push_str(&format!(" It must match this JSON Schema: {s}"));
                }
            }
            let mut messages = Vec::new();
            if !instructions.is_empty() {
                messages.push(message("system", &instructions));
            }
            messages.push(message("user", &prompt));
            let a = Ask {
                messages,
                json: json_format,
                temperature: number(cx, "temperature")?,
                max_tokens: number(cx, "max_tokens")?.map(|n| n as u64),
                attempts: super::attempts(cx),
                field: if json_format { "json_schema" } else { "prompt" },
            };
            let ((parsed, text), usage) = ask(cx, remote, a, |answer| {
                check(answer).map(|parsed| (parsed, answer.to_string()))
            })
            .await?;
            out.insert("text".into(), json!(text));
            if let Some(v) = parsed {
                out.insert("json".into(), v);
            }
            provider.describe(&mut out);
            out.insert("generated_by".into(), json!("model"));
            if let Some(u) = usage {
                out.insert("usage".into(), u);
            }
        }
    }
    Ok(NodeOutput::out(Json::Object(out)))
}

/// A number setting (possibly a template) as a number.
fn number(cx: &NodeCx, field: &str) -> Result<Option<f64>, NodeError> {
    match cx.eval(field)? {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => Ok(n.as_f64()),
        Some(Json::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Json::String(s)) => s.trim().parse().map(Some).map_err(|_| {
            NodeError::new("invalid_value", format!("\"{s}\" is not a number")).in_field(field)
        }),
        Some(other) => {
            Err(NodeError::new("invalid_value", format!("{other} is not a number")).in_field(field))
        }
    }
}

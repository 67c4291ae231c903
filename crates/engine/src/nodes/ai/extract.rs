//! AI Extract: an object with exactly the node's fields, each checked and tidied to its type.

use serde_json::{Map, Value as Json};

use super::client::message;
use super::values::{normalise, Kind};
use super::{ask, builtin_extract, provider, Ask, Problem, Provider};
use crate::events::NodeError;
use crate::nodes::{NodeCx, NodeOutput};

/// One field as set on the node.
pub(crate) struct FieldSpec {
    pub name: String,
    pub kind: Kind,
    pub description: Option<String>,
    pub required: bool,
}

fn specs(cx: &NodeCx) -> Vec<FieldSpec> {
    cx.node()
        .params
        .list("fields")
        .iter()
        .filter_map(|item| {
            Some(FieldSpec {
                name: item.str("name")?.trim().to_string(),
                kind: Kind::parse(item.str("type").unwrap_or("text")),
                description: item
                    .str("description")
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .map(String::from),
                required: item.bool("required").unwrap_or(false),
            })
        })
        .collect()
}

pub(crate) async fn run(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    let provider = provider(cx)?;
    let text = super::text(cx, "text")?;
    let fields = specs(cx);
    if fields.is_empty() {
        return Err(NodeError::new(
            "invalid_value",
            "there are no fields to find: add at least one field",
        )
        .in_field("fields"));
    }
    let (values, note) = match &provider {
        Provider::Builtin => {
            let found = builtin_extract::extract(&fields, &text);
            if let Some((i, f)) = fields
                .iter()
                .enumerate()
                .find(|(_, f)| f.required && found[&f.name].is_null())
            {
                return Err(NodeError::new(
                    "ai_invalid_output",
                    format!(
                        "the built-in extractor found no {} for the required field \"{}\" in the text",
                        f.kind.instruction(),
                        f.name
                    ),
                )
                .in_field(&format!("fields[{i}]")));
            }
            (
                found,
                "extracted by the built-in provider (patterns)".to_string(),
            )
        }
        Provider::Remote(remote) => {
            let a = Ask {
                messages: vec![
                    message("system", &instructions(&fields)),
                    message("user", &text),
                ],
                json: true,
                temperature: Some(0.0),
                max_tokens: None,
                attempts: super::attempts(cx),
                field: "fields",
            };
            let (found, usage) = ask(cx, remote, a, |answer| check(&fields, answer)).await?;
            let usage = usage.map(|u| format!("; usage {u}")).unwrap_or_default();
            (
                found,
                format!("extracted by {} ({}){usage}", remote.id, remote.model),
            )
        }
    };
    let mut out = NodeOutput::out(Json::Object(values));
    out.logs.push(("info".into(), note));
    Ok(out)
}

fn instructions(fields: &[FieldSpec]) -> String {
    let mut s = String::from(
        "You extract values from a text. Answer with a JSON object only, with exactly these keys:\n",
    );
    for f in fields {
        s.push_str(&format!("- \"{}\": {}", f.name, f.kind.instruction()));
        if f.required {
            s.push_str(", required");
        }
        if let Some(d) = &f.description {
            s.push_str(&format!(" ({d})"));
        }
        s.push('\n');
    }
    s.push_str("Use null when the text does not contain the value; do not invent values.");
    s
}

fn check(fields: &[FieldSpec], answer: &str) -> Result<Map<String, Json>, Vec<Problem>> {
    let v = super::answer_json(answer).map_err(|p| vec![p])?;
    let Json::Object(found) = v else {
        return Err(vec![Problem::new(format!(
            "the answer must be a JSON object with the keys {}, not {}",
            fields
                .iter()
                .map(|f| format!("\"{}\"", f.name))
                .collect::<Vec<_>>()
                .join(", "),
            super::shorten_json(&v)
        ))]);
    };
    let mut out = Map::new();
    let mut problems = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        let raw = found.get(&f.name).unwrap_or(&Json::Null);
        match normalise(f.kind, raw) {
            Ok(Json::Null) if f.required => problems.push(
                Problem::new(format!(
                    "the field \"{}\" is required but missing (it must be {})",
                    f.name,
                    f.kind.instruction()
                ))
                .in_field(format!("fields[{i}]")),
            ),
            Ok(v) => {
                out.insert(f.name.clone(), v);
            }
            Err(why) => problems.push(
                Problem::new(format!(
                    "the field \"{}\": {why} (it must be {})",
                    f.name,
                    f.kind.instruction()
                ))
                .in_field(format!("fields[{i}]")),
            ),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

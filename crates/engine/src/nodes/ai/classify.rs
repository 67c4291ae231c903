//! AI Classify: picks one of the node's labels for a text; the output goes to `out` and to the
//! port named after the label.

use serde_json::{json, Map, Value as Json};

use super::client::message;
use super::{ask, builtin_classify, provider, Ask, Problem, Provider};
use crate::events::NodeError;
use crate::nodes::{NodeCx, NodeOutput};

/// One label as set on the node.
pub(crate) struct Label {
    pub name: String,
    pub description: Option<String>,
    /// One example per line of the setting.
    pub examples: Vec<String>,
    /// Lower-cased words or phrases, from the comma-separated setting.
    pub keywords: Vec<String>,
}

fn labels(cx: &NodeCx) -> Vec<Label> {
    cx.node()
        .params
        .list("labels")
        .iter()
        .filter_map(|item| {
            let name = item.str("name")?.trim().to_string();
            let description = item
                .str("description")
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(String::from);
            let examples = item
                .str("examples")
                .unwrap_or("")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect();
            let keywords = item
                .str("keywords")
                .unwrap_or("")
                .split([',', '\n'])
                .map(|k| k.trim().to_lowercase())
                .filter(|k| !k.is_empty())
                .collect();
            Some(Label {
                name,
                description,
                examples,
                keywords,
            })
        })
        .collect()
}

pub(crate) async fn run(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    let provider = provider(cx)?;
    let text = super::text(cx, "text")?;
    let labels = labels(cx);
    if labels.is_empty() {
        return Err(NodeError::new(
            "invalid_value",
            "there are no labels to choose from: add at least one label",
        )
        .in_field("labels"));
    }
    let mut out = Map::new();
    let label = match &provider {
        Provider::Builtin => {
            let d = builtin_classify::classify(&labels, &text);
            let label = labels[d.label].name.clone();
            out.insert("label".into(), json!(label));
            out.insert("confidence".into(), json!(d.confidence));
            out.insert("reason".into(), json!(d.reason));
            label
        }
        Provider::Remote(remote) => {
            let a = Ask {
                messages: vec![
                    message("system", &instructions(&labels)),
                    message("user", &text),
                ],
                json: true,
                temperature: Some(0.0),
                max_tokens: None,
                attempts: super::attempts(cx),
                field: "labels",
            };
            let ((label, confidence, reason), usage) =
                ask(cx, remote, a, |answer| check(&labels, answer)).await?;
            out.insert("label".into(), json!(label));
            out.insert("confidence".into(), json!(confidence));
            out.insert("reason".into(), json!(reason));
            if let Some(u) = usage {
                out.insert("usage".into(), u);
            }
            label
        }
    };
    provider.describe(&mut out);
    Ok(NodeOutput::to(
        Json::Object(out),
        vec!["out".to_string(), label],
    ))
}

fn names(labels: &[Label]) -> String {
    labels
        .iter()
        .map(|l| l.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn instructions(labels: &[Label]) -> String {
    let mut s = String::from("You sort texts into exactly one of these labels.\n\nLabels:\n");
    for l in labels {
        s.push_str(&format!("- {}", l.name));
        if let Some(d) = &l.description {
            s.push_str(&format!(": {d}"));
        }
        s.push('\n');
        if !l.examples.is_empty() {
            s.push_str("  Examples:\n");
            for e in &l.examples {
                s.push_str(&format!("  - {e}\n"));
            }
        }
        if !l.keywords.is_empty() {
            s.push_str(&format!("  Strong hints: {}\n", l.keywords.join(", ")));
        }
    }
    s.push_str(&format!(
        "\nAnswer with a JSON object only: {{\"label\": one of {}, \"confidence\": a number from 0 to 1, \"reason\": one short sentence naming the words that decided}}.",
        names(labels)
    ));
    s
}

fn check(labels: &[Label], answer: &str) -> Result<(String, f64, String), Vec<Problem>> {
    let v = super::answer_json(answer).map_err(|p| vec![p])?;
    let mut problems = Vec::new();
    let label = match &v["label"] {
        Json::String(s) => {
            let wanted = s.trim().to_lowercase();
            let found = labels.iter().find(|l| l.name.to_lowercase() == wanted);
            if found.is_none() {
                problems.push(
                    Problem::new(format!(
                        "the label \"{s}\" is not one of: {}",
                        names(labels)
                    ))
                    .in_field("labels".into()),
                );
            }
            found.map(|l| l.name.clone())
        }
        Json::Null => {
            problems.push(Problem::new("\"label\" is missing"));
            None
        }
        other => {
            problems.push(Problem::new(format!(
                "\"label\" must be text, not {}",
                super::shorten_json(other)
            )));
            None
        }
    };
    let confidence = match &v["confidence"] {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().trim_end_matches('%').parse::<f64>().ok(),
        _ => None,
    }
    .map(|c| if c > 1.0 && c <= 100.0 { c / 100.0 } else { c });
    let confidence = match confidence {
        Some(c) if (0.0..=1.0).contains(&c) => c,
        _ => {
            problems.push(Problem::new(format!(
                "\"confidence\" must be a number from 0 to 1, not {}",
                super::shorten_json(&v["confidence"])
            )));
            0.0
        }
    };
    let reason = v["reason"].as_str().unwrap_or("").trim().to_string();
    match label {
        Some(label) if problems.is_empty() => Ok((label, confidence, reason)),
        _ => Err(problems),
    }
}

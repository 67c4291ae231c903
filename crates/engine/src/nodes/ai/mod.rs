//! The AI nodes (classify, extract, generate) and their providers: an OpenAI-compatible
//! chat-completions endpoint from the workspace settings, or the built-in offline provider.

mod builtin_classify;
mod builtin_extract;
mod classify;
mod client;
mod extract;
mod generate;
mod patterns;
mod schema;
mod values;

use std::time::Duration;

use serde_json::{json, Map, Value as Json};
use switchyard_core::workspace::BUILTIN_PROVIDER;

use super::{shorten, NodeCx};
use crate::events::NodeError;
pub(crate) use classify::run as classify;
use client::{ChatRequest, Remote};
pub(crate) use extract::run as extract;
pub(crate) use generate::run as generate;

/// Who answers.
pub(crate) enum Provider {
    Builtin,
    Remote(Remote),
}

impl Provider {
    /// `provider` and `model` for the node's output.
    fn describe(&self, out: &mut Map<String, Json>) {
        let (id, model) = match self {
            Provider::Builtin => (BUILTIN_PROVIDER, BUILTIN_PROVIDER),
            Provider::Remote(r) => (r.id.as_str(), r.model.as_str()),
        };
        out.insert("provider".into(), json!(id));
        out.insert("model".into(), json!(model));
    }
}

/// The provider named by the `provider` setting, with its API key read through the node's
/// context (so it is scrubbed from whatever the node returns).
pub(crate) fn provider(cx: &NodeCx) -> Result<Provider, NodeError> {
    let params = &cx.node().params;
    let id = params.str("provider").unwrap_or(BUILTIN_PROVIDER).trim();
    if id == BUILTIN_PROVIDER {
        return Ok(Provider::Builtin);
    }
    let ws = cx.workspace();
    let Some(p) = ws.ai_provider(id) else {
        let known: Vec<&str> = std::iter::once(BUILTIN_PROVIDER)
            .chain(ws.ai_providers.iter().map(|p| p.id.as_str()))
            .collect();
        return Err(NodeError::new(
            "invalid_value",
            format!(
                "there is no AI provider \"{id}\"; the known ones are: {} (add providers in Settings → AI providers)",
                known.join(", ")
            ),
        )
        .in_field("provider"));
    };
    let api_key = match &p.api_key_secret {
        Some(name) => Some((name.clone(), cx.secret(name, "provider")?)),
        None => None,
    };
    let model = params
        .str("model")
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .unwrap_or(&p.model);
    Ok(Provider::Remote(Remote {
        id: p.id.clone(),
        base_url: p.base_url.clone(),
        model: model.to_string(),
        api_key,
        timeout: Duration::from_millis(p.timeout_ms.max(1)),
        max_attempts: p.max_attempts,
    }))
}

/// Something wrong with a model's answer: told to the model on the next attempt, and named in
/// the final error.
#[derive(Debug)]
pub(crate) struct Problem {
    /// The setting it concerns (`fields[2]`, `labels`), when there is one.
    pub field: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn new(message: impl Into<String>) -> Problem {
        Problem {
            field: None,
            message: message.into(),
        }
    }

    pub fn in_field(mut self, field: String) -> Problem {
        self.field = Some(field);
        self
    }
}

/// One conversation with a model whose answer must pass `check`.
pub(crate) struct Ask<'a> {
    pub messages: Vec<Json>,
    pub json: bool,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u64>,
    /// How many answers the model may give.
    pub attempts: u32,
    /// The setting named by the final error when the problems name none.
    pub field: &'a str,
}

/// Asks until an answer passes `check` (telling the model what was wrong each time), up to
/// `attempts` answers; then fails with `ai_invalid_output`. Returns the checked value and the
/// token usage of every attempt added up.
pub(crate) async fn ask<T>(
    cx: &NodeCx,
    remote: &Remote,
    mut a: Ask<'_>,
    check: impl Fn(&str) -> Result<T, Vec<Problem>>,
) -> Result<(T, Option<Json>), NodeError> {
    let attempts = a.attempts.max(1);
    let mut usage: Option<Json> = None;
    for attempt in 1..=attempts {
        let answer = client::chat(
            cx,
            remote,
            &ChatRequest {
                messages: &a.messages,
                json: a.json,
                temperature: a.temperature,
                max_tokens: a.max_tokens,
            },
        )
        .await?;
        if let Some(u) = &answer.usage {
            usage = Some(match usage {
                None => u.clone(),
                Some(total) => add_usage(total, u),
            });
        }
        let problems = match check(&answer.text) {
            Ok(v) => return Ok((v, usage)),
            Err(p) => p,
        };
        let list: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        if attempt == attempts {
            let field = problems
                .iter()
                .find_map(|p| p.field.clone())
                .unwrap_or_else(|| a.field.to_string());
            let times = if attempts == 1 {
                "1 attempt".to_string()
            } else {
                format!("{attempts} attempts")
            };
            return Err(NodeError::new(
                "ai_invalid_output",
                format!(
                    "the AI's answer could not be used after {times}: {}",
                    list.join("; ")
                ),
            )
            .in_field(&field));
        }
        a.messages
            .push(client::message("assistant", &shorten(&answer.text, 4000)));
        a.messages.push(client::message(
            "user",
            &format!(
                "Your answer could not be used: {}. Answer again, following the instructions exactly.",
                list.join("; ")
            ),
        ));
    }
    unreachable!("the loop returns on its last attempt")
}

/// Token counts added up field by field (`prompt_tokens`, `completion_tokens`, `total_tokens`).
fn add_usage(mut total: Json, more: &Json) -> Json {
    if let (Json::Object(t), Json::Object(m)) = (&mut total, more) {
        for (k, v) in m {
            match (t.get(k).and_then(Json::as_u64), v.as_u64()) {
                (Some(a), Some(b)) => {
                    t.insert(k.clone(), json!(a + b));
                }
                (None, _) => {
                    t.insert(k.clone(), v.clone());
                }
                _ => {}
            }
        }
    }
    total
}

/// The JSON in a model's answer, allowing for ```json fences and text around the object.
pub(crate) fn answer_json(text: &str) -> Result<Json, Problem> {
    let t = text.trim();
    if let Ok(v) = serde_json::from_str(t) {
        return Ok(v);
    }
    let inner = t
        .strip_prefix("```json")
        .or_else(|| t.strip_prefix("```"))
        .and_then(|s| s.trim_end().strip_suffix("```"))
        .map(str::trim);
    let braces = t.find('{').zip(t.rfind('}')).map(|(a, b)| &t[a..=b]);
    inner
        .into_iter()
        .chain(braces)
        .find_map(|s| serde_json::from_str(s).ok())
        .ok_or_else(|| {
            Problem::new(format!(
                "the answer is not valid JSON (it began: {})",
                shorten(t, 80)
            ))
        })
}

/// `attempts`, for answers that must be checked.
pub(crate) fn attempts(cx: &NodeCx) -> u32 {
    cx.node()
        .params
        .literal("attempts")
        .and_then(Json::as_u64)
        .map_or(2, |n| n.clamp(1, 10) as u32)
}

/// A template setting as text.
pub(crate) fn text(cx: &NodeCx, field: &str) -> Result<String, NodeError> {
    Ok(match cx.eval(field)? {
        None | Some(Json::Null) => String::new(),
        Some(Json::String(s)) => s,
        Some(other) => other.to_string(),
    })
}

/// A value shown in a problem, shortened.
pub(crate) fn shorten_json(v: &Json) -> String {
    shorten(&v.to_string(), 80)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_found_in_fenced_or_chatty_answers() {
        assert_eq!(answer_json("{\"a\":1}").unwrap(), json!({"a": 1}));
        assert_eq!(
            answer_json("```json\n{\"a\":1}\n```").unwrap(),
            json!({"a": 1})
        );
        assert_eq!(
            answer_json("Sure! Here it is: {\"a\": {\"b\": 2}} Hope that helps").unwrap(),
            json!({"a": {"b": 2}})
        );
        let p = answer_json("I cannot do that").unwrap_err();
        assert!(p.message.contains("not valid JSON"), "{}", p.message);
    }

    #[test]
    fn usage_is_added_up() {
        let total = add_usage(
            json!({"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}),
            &json!({"prompt_tokens": 20, "completion_tokens": 3, "total_tokens": 23}),
        );
        assert_eq!(
            total,
            json!({"prompt_tokens": 30, "completion_tokens": 5, "total_tokens": 35})
        );
    }
}

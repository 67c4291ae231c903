//! Address lists as people write them: `Ada <ada@example.com>, bob@example.com`, or a JSON list
//! from an expression.

use lettre::message::Mailbox;
use serde_json::Value as Json;

use crate::events::NodeError;

/// The addresses in a setting's value: text separated by commas or semicolons, or a list of
/// such texts. Empty parts are ignored.
pub(super) fn parse_list(field: &str, value: Option<&Json>) -> Result<Vec<Mailbox>, NodeError> {
    let mut parts = Vec::new();
    collect(field, value.unwrap_or(&Json::Null), &mut parts)?;
    parts.iter().map(|p| parse_one(field, p)).collect()
}

/// One address (`Ada <ada@example.com>` or `ada@example.com`).
pub(super) fn parse_one(field: &str, text: &str) -> Result<Mailbox, NodeError> {
    let text = text.trim();
    text.parse::<Mailbox>().map_err(|_| {
        NodeError::new(
            "invalid_value",
            format!(
                "{field}: \"{}\" is not a valid email address (write it like ada@example.com or Ada Lovelace <ada@example.com>)",
                super::super::shorten(text, 200)
            ),
        )
        .in_field(field)
    })
}

fn collect(field: &str, value: &Json, out: &mut Vec<String>) -> Result<(), NodeError> {
    match value {
        Json::Null => Ok(()),
        Json::String(s) => {
            out.extend(split(s));
            Ok(())
        }
        Json::Array(items) => items.iter().try_for_each(|i| collect(field, i, out)),
        other => Err(NodeError::new(
            "invalid_value",
            format!(
                "{field}: expected email addresses (text, or a list of texts), got {}",
                super::super::shorten(&other.to_string(), 200)
            ),
        )
        .in_field(field)),
    }
}

/// Splits on commas and semicolons outside quotes (`"Lovelace, Ada"`) and angle brackets.
fn split(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut angle, mut escaped) = (false, false, false);
    for c in s.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' if !angle => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' | ';' if !quoted && !angle => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn texts(v: Json) -> Result<Vec<String>, NodeError> {
        Ok(parse_list("to", Some(&v))?
            .iter()
            .map(ToString::to_string)
            .collect())
    }

    #[test]
    fn lists_are_split_on_commas_outside_quotes_and_brackets() {
        assert_eq!(
            texts(json!("Ada <ada@example.com>, bob@example.com; ,")).unwrap(),
            ["Ada <ada@example.com>", "bob@example.com"]
        );
        assert_eq!(
            texts(json!("\"Lovelace, Ada\" <ada@example.com>")).unwrap(),
            ["\"Lovelace, Ada\" <ada@example.com>"]
        );
        assert_eq!(
            texts(json!([
                "a@example.com",
                ["b@example.com, c@example.com"],
                null
            ]))
            .unwrap(),
            ["a@example.com", "b@example.com", "c@example.com"]
        );
        assert!(texts(json!("")).unwrap().is_empty());
        assert!(parse_list("cc", None).unwrap().is_empty());
    }

    #[test]
    fn invalid_addresses_name_the_field_and_the_address() {
        let e = texts(json!("ada@example.com, not an address")).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            ("invalid_value", Some("to"))
        );
        assert!(e.message.contains("\"not an address\""), "{}", e.message);
        let e = parse_list("bcc", Some(&json!({"email": "x"}))).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("bcc"));
        let e = parse_one("from", "ada@").unwrap_err();
        assert!(e.message.starts_with("from: \"ada@\""), "{}", e.message);
    }
}

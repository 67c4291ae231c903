//! The value types of AI Extract fields: checking and tidying what a model (or the built-in
//! extractor) found.

use serde_json::{json, Value as Json};

use super::patterns::{
    currency, dates, emails, money_json, moneys, number, number_json, numbers, phone, url,
};

/// The `type` of an extract field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Number,
    Integer,
    Boolean,
    Date,
    Email,
    Phone,
    Url,
    Money,
    List,
}

impl Kind {
    pub fn parse(s: &str) -> Kind {
        match s {
            "number" => Kind::Number,
            "integer" => Kind::Integer,
            "boolean" => Kind::Boolean,
            "date" => Kind::Date,
            "email" => Kind::Email,
            "phone" => Kind::Phone,
            "url" => Kind::Url,
            "money" => Kind::Money,
            "list" => Kind::List,
            _ => Kind::Text,
        }
    }

    /// How the model is told to write a value of this type.
    pub fn instruction(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Number => "a number",
            Kind::Integer => "a whole number",
            Kind::Boolean => "true or false",
            Kind::Date => "a date written YYYY-MM-DD",
            Kind::Email => "an email address",
            Kind::Phone => "a phone number, with the country code when known",
            Kind::Url => "a web address (URL)",
            Kind::Money => {
                "an object {\"amount\": number, \"currency\": three-letter code or null}"
            }
            Kind::List => "a list of texts",
        }
    }
}

/// The error says what is wrong, for the model's next attempt and for the final error.
pub(crate) fn normalise(kind: Kind, v: &Json) -> Result<Json, String> {
    let text = match v {
        Json::Null => return Ok(Json::Null),
        Json::String(s) if s.trim().is_empty() => return Ok(Json::Null),
        Json::String(s) => Some(s.trim()),
        _ => None,
    };
    let shown = super::shorten_json(v);
    let wrong = |what: &str| Err(format!("{shown} is not {what}"));
    match kind {
        Kind::Text => Ok(match v {
            Json::String(s) => json!(s.trim()),
            Json::Number(_) | Json::Bool(_) => json!(v.to_string()),
            _ => return wrong("text"),
        }),
        Kind::Number | Kind::Integer => {
            let n = match (v, text) {
                (Json::Number(n), _) => n.as_f64(),
                // "12 people": the one number in the text.
                (_, Some(t)) => number(t).or_else(|| match numbers(t).as_slice() {
                    [(_, _, n)] => n.as_f64(),
                    _ => None,
                }),
                _ => None,
            };
            match n {
                Some(n) if kind == Kind::Integer && n.fract() != 0.0 => wrong("a whole number"),
                Some(n) => Ok(number_json(n)),
                None => wrong(kind.instruction()),
            }
        }
        Kind::Boolean => match (v, text.map(str::to_lowercase).as_deref()) {
            (Json::Bool(b), _) => Ok(json!(b)),
            (_, Some("yes" | "true" | "y" | "1")) => Ok(json!(true)),
            (_, Some("no" | "false" | "n" | "0")) => Ok(json!(false)),
            _ => wrong("true or false"),
        },
        Kind::Date => match text.and_then(|t| dates(t).into_iter().next()) {
            Some((_, _, d)) => Ok(d),
            None => wrong("a date (YYYY-MM-DD)"),
        },
        Kind::Email => match text.map(emails).as_deref() {
            Some([(_, _, email)]) => Ok(email.clone()),
            _ => wrong("an email address"),
        },
        Kind::Phone => match text.and_then(phone) {
            Some(p) => Ok(json!(p)),
            None => wrong("a phone number"),
        },
        Kind::Url => match text.and_then(url) {
            Some(u) => Ok(json!(u)),
            None => wrong("a web address"),
        },
        Kind::Money => match v {
            Json::Number(n) => Ok(money_json(n.as_f64().unwrap_or(0.0), None)),
            Json::Object(m) => {
                let amount = match m.get("amount") {
                    Some(Json::Number(n)) => n.as_f64(),
                    Some(Json::String(s)) => number(s),
                    _ => None,
                };
                let code = match m.get("currency") {
                    None | Some(Json::Null) => None,
                    Some(Json::String(c)) => match currency(c) {
                        Some(c) => Some(c.to_string()),
                        None if c.len() == 3 && c.chars().all(|c| c.is_ascii_alphabetic()) => {
                            Some(c.to_uppercase())
                        }
                        None => return wrong("a currency (use a three-letter code)"),
                    },
                    Some(_) => return wrong("an amount of money"),
                };
                match amount {
                    Some(a) => Ok(json!({"amount": number_json(a), "currency": code})),
                    None => wrong("an amount of money (amount must be a number)"),
                }
            }
            Json::String(s) => match moneys(s).into_iter().next() {
                Some((_, _, m)) => Ok(m),
                None => match number(s) {
                    Some(a) => Ok(money_json(a, None)),
                    None => wrong("an amount of money"),
                },
            },
            _ => wrong("an amount of money"),
        },
        Kind::List => match v {
            Json::Array(items) => items
                .iter()
                .filter(|i| !i.is_null())
                .map(|i| match i {
                    Json::String(s) => Ok(json!(s.trim())),
                    Json::Number(_) | Json::Bool(_) => Ok(json!(i.to_string())),
                    _ => Err(format!("{shown} is not a list of texts")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Json::Array),
            Json::String(s) => Ok(Json::Array(
                s.split([',', ';', '\n'])
                    .map(|p| p.trim().trim_start_matches(['-', '*', '•']).trim())
                    .filter(|p| !p.is_empty())
                    .map(|p| json!(p))
                    .collect(),
            )),
            _ => wrong("a list"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_and_tidied() {
        let n = |k: &str, v: Json| normalise(Kind::parse(k), &v);
        assert_eq!(
            n("email", json!(" Ada@Example.COM ")),
            Ok(json!("ada@example.com"))
        );
        assert!(n("email", json!("ada at example")).is_err());
        assert_eq!(
            n("phone", json!("+49 (30) 1234-5678")),
            Ok(json!("+493012345678"))
        );
        assert_eq!(n("integer", json!("200")), Ok(json!(200)));
        assert_eq!(n("integer", json!("about 12 people")), Ok(json!(12)));
        assert!(n("number", json!("between 5 and 10")).is_err());
        let e = n("integer", json!(2.5)).unwrap_err();
        assert!(e.contains("whole number"), "{e}");
        assert_eq!(n("boolean", json!("Yes")), Ok(json!(true)));
        assert_eq!(n("date", json!("March 1, 2026")), Ok(json!("2026-03-01")));
        assert!(n("date", json!("next week")).is_err());
        assert_eq!(
            n("url", json!("www.acme.io")),
            Ok(json!("https://www.acme.io/"))
        );
        assert_eq!(
            n("money", json!({"amount": "1,000", "currency": "eur"})),
            Ok(json!({"amount": 1000, "currency": "EUR"}))
        );
        assert_eq!(n("list", json!("a, b\nc")), Ok(json!(["a", "b", "c"])));
        assert_eq!(n("text", json!(null)), Ok(Json::Null));
        assert!(n("number", json!({"x": 1})).is_err());
    }
}

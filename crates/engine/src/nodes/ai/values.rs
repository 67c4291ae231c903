//! The value types of AI Extract fields: reading them in text and checking and tidying what a
//! model (or the built-in extractor) found.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use serde_json::{json, Value as Json};

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

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b").unwrap()
});
static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:https?://|www\.)[^\s<>"')\]]+[^\s<>"')\].,;:!?]"#).unwrap()
});
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\+|\b00|\(|\b)\d[\d\s().\-/]{5,}\d\b").unwrap());
static MONEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        (?P<sym>[$€£¥])\s?(?P<a>\d[\d,.']*\d|\d)(?P<sa>\s?(?:k|m|bn|million|thousand)\b)?
        | (?P<b>\d[\d,.']*\d|\d)(?P<sb>\s?(?:k|m|bn|million|thousand)\b)?\s?(?P<code>usd|eur|gbp|chf|jpy|cad|aud|inr|dollars?|euros?|pounds?)\b
        | \b(?P<c>\d[\d,.]*)(?P<sc>k)\b",
    )
    .unwrap()
});
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-?\d[\d,.']*\d(?:\s?[km]\b)?|-?\d(?:\s?[km]\b)?").unwrap());
const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
static DATE_ISO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b").unwrap());
static DATE_DMY_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(\d{4})\b").unwrap()
});
static DATE_MDY_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b").unwrap()
});
static DATE_NUMERIC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b").unwrap());

/// Email addresses in `text`: (start, end, lower-cased address).
pub(crate) fn emails(text: &str) -> Vec<(usize, usize, Json)> {
    EMAIL
        .find_iter(text)
        .map(|m| (m.start(), m.end(), json!(m.as_str().to_lowercase())))
        .collect()
}

pub(crate) fn urls(text: &str) -> Vec<(usize, usize, Json)> {
    URL.find_iter(text)
        .filter_map(|m| Some((m.start(), m.end(), json!(url(m.as_str())?))))
        .collect()
}

pub(crate) fn phones(text: &str) -> Vec<(usize, usize, Json)> {
    let dates: Vec<(usize, usize)> = dates(text).iter().map(|d| (d.0, d.1)).collect();
    PHONE
        .find_iter(text)
        .filter(|m| !dates.iter().any(|d| d.0 < m.end() && m.start() < d.1))
        .filter_map(|m| Some((m.start(), m.end(), json!(phone(m.as_str())?))))
        .collect()
}

pub(crate) fn moneys(text: &str) -> Vec<(usize, usize, Json)> {
    MONEY
        .captures_iter(text)
        .filter_map(|c| {
            let m = c.get(0)?;
            let (digits, suffix) = ["a", "b", "c"]
                .iter()
                .zip(["sa", "sb", "sc"])
                .find_map(|(d, s)| Some((c.name(d)?.as_str(), c.name(s).map(|x| x.as_str()))))?;
            let amount = scaled(number_text(digits, true)?, suffix.unwrap_or(""));
            let marker = c.name("sym").or(c.name("code")).map(|x| x.as_str());
            Some((
                m.start(),
                m.end(),
                money_json(amount, marker.and_then(currency)),
            ))
        })
        .collect()
}

pub(crate) fn numbers(text: &str) -> Vec<(usize, usize, Json)> {
    NUMBER
        .find_iter(text)
        .filter_map(|m| {
            let n = number(m.as_str())?;
            Some((m.start(), m.end(), number_json(n)))
        })
        .collect()
}

/// Dates in `text` (ISO, `12 March 2026`, `March 12, 2026`, `12/03/2026` day first).
pub(crate) fn dates(text: &str) -> Vec<(usize, usize, Json)> {
    let mut out = Vec::new();
    let month = |s: &str| {
        let s = s.to_lowercase();
        MONTHS
            .iter()
            .position(|m| s.starts_with(m))
            .map(|i| i as u32 + 1)
    };
    let num = |s: &str| s.parse::<u32>().ok();
    let mut push = |m: regex::Match, y: Option<u32>, mo: Option<u32>, d: Option<u32>| {
        if let (Some(y), Some(mo), Some(d)) = (y, mo, d) {
            if let Some(date) = NaiveDate::from_ymd_opt(y as i32, mo, d) {
                if !out.iter().any(|(s, e, _)| *s < m.end() && m.start() < *e) {
                    out.push((
                        m.start(),
                        m.end(),
                        json!(date.format("%Y-%m-%d").to_string()),
                    ));
                }
            }
        }
    };
    for c in DATE_ISO.captures_iter(text) {
        push(c.get(0).unwrap(), num(&c[1]), num(&c[2]), num(&c[3]));
    }
    for c in DATE_DMY_WORD.captures_iter(text) {
        push(c.get(0).unwrap(), num(&c[3]), month(&c[2]), num(&c[1]));
    }
    for c in DATE_MDY_WORD.captures_iter(text) {
        push(c.get(0).unwrap(), num(&c[3]), month(&c[1]), num(&c[2]));
    }
    for c in DATE_NUMERIC.captures_iter(text) {
        let (a, b) = (num(&c[1]), num(&c[2]));
        // Day first, unless the second number cannot be a month (03/25/2026).
        let (d, mo) = if b.is_some_and(|b| b > 12) {
            (b, a)
        } else {
            (a, b)
        };
        push(c.get(0).unwrap(), num(&c[3]), mo, d);
    }
    out.sort_by_key(|x| x.0);
    out
}

fn currency(marker: &str) -> Option<&'static str> {
    let m = marker.to_lowercase();
    Some(match m.as_str() {
        "$" | "usd" | "dollar" | "dollars" => "USD",
        "€" | "eur" | "euro" | "euros" => "EUR",
        "£" | "gbp" | "pound" | "pounds" => "GBP",
        "¥" | "jpy" => "JPY",
        "chf" => "CHF",
        "cad" => "CAD",
        "aud" => "AUD",
        "inr" => "INR",
        _ => return None,
    })
}

fn scaled(n: f64, suffix: &str) -> f64 {
    match suffix.trim().to_lowercase().as_str() {
        "k" | "thousand" => n * 1e3,
        "m" | "million" => n * 1e6,
        "bn" => n * 1e9,
        _ => n,
    }
}

/// A number written with thousands separators in either convention; `dot_groups` reads a
/// single `.` followed by three digits as a thousands separator (`€1.200`).
fn number_text(s: &str, dot_groups: bool) -> Option<f64> {
    let s: String = s.chars().filter(|c| !matches!(c, '\'' | ' ')).collect();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, s),
    };
    let groups = |sep: char| {
        let parts: Vec<&str> = s.split(sep).collect();
        parts.len() > 1
            && !parts[0].is_empty()
            && parts[0].len() <= 3
            && parts[1..].iter().all(|p| p.len() == 3)
    };
    let plain = match (s.contains(','), s.contains('.')) {
        (true, true) => {
            if s.rfind(',') > s.rfind('.') {
                s.replace('.', "").replace(',', ".")
            } else {
                s.replace(',', "")
            }
        }
        (true, false) if groups(',') => s.replace(',', ""),
        (true, false) => s.replace(',', "."),
        (false, true) if groups('.') && (dot_groups || s.matches('.').count() > 1) => {
            s.replace('.', "")
        }
        _ => s,
    };
    let n: f64 = plain.parse().ok()?;
    n.is_finite().then_some(if neg { -n } else { n })
}

/// A number in text such as `1,200.50`, `1.200,50`, `50k`.
pub(crate) fn number(s: &str) -> Option<f64> {
    let s = s.trim();
    let lower = s.to_lowercase();
    for suffix in ["k", "m"] {
        if let Some(rest) = lower.strip_suffix(suffix) {
            return Some(scaled(number_text(rest.trim(), false)?, suffix));
        }
    }
    number_text(s, false)
}

fn number_json(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

fn money_json(amount: f64, currency: Option<&str>) -> Json {
    json!({"amount": number_json(amount), "currency": currency})
}

fn phone(s: &str) -> Option<String> {
    let s = s.trim();
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    if !(7..=15).contains(&digits.len()) {
        return None;
    }
    let plus = s.starts_with('+') || s.starts_with("00");
    let digits = if s.starts_with("00") {
        digits[2..].to_string()
    } else {
        digits
    };
    Some(if plus { format!("+{digits}") } else { digits })
}

fn url(s: &str) -> Option<String> {
    let s = s.trim();
    let full = if s.contains("://") {
        s.to_string()
    } else {
        format!("https://{s}")
    };
    let u = reqwest::Url::parse(&full).ok()?;
    (matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| h.contains('.')))
        .then(|| u.to_string())
}

/// Checks and tidies a value found for a field of type `kind`; absent values are `null`.
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
                (_, Some(t)) => number(t),
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
        Kind::Email => match text.map(|t| (t, emails(t))) {
            Some((t, found)) if found.len() == 1 && found[0].1 - found[0].0 >= t.len() - 2 => {
                Ok(found[0].2.clone())
            }
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
    fn numbers_in_both_conventions_and_with_suffixes() {
        assert_eq!(number("1,200.50"), Some(1200.5));
        assert_eq!(number("1.200,50"), Some(1200.5));
        assert_eq!(number("50,000"), Some(50000.0));
        assert_eq!(number("2.5"), Some(2.5));
        assert_eq!(number("50k"), Some(50000.0));
        assert_eq!(number("abc"), None);
    }

    #[test]
    fn money_is_found_with_its_currency() {
        let m = |t: &str| moneys(t).into_iter().map(|x| x.2).collect::<Vec<_>>();
        assert_eq!(
            m("budget $50,000"),
            [json!({"amount": 50000, "currency": "USD"})]
        );
        assert_eq!(
            m("about 50000 EUR"),
            [json!({"amount": 50000, "currency": "EUR"})]
        );
        assert_eq!(
            m("only €1.200"),
            [json!({"amount": 1200, "currency": "EUR"})]
        );
        assert_eq!(
            m("around 50k"),
            [json!({"amount": 50000, "currency": null})]
        );
        assert_eq!(m("£1.5m"), [json!({"amount": 1500000, "currency": "GBP"})]);
    }

    #[test]
    fn dates_in_common_formats_become_iso() {
        for t in [
            "on 2026-03-12",
            "on 12 March 2026",
            "on March 12, 2026",
            "on 12/03/2026",
            "by 12.03.2026",
        ] {
            assert_eq!(dates(t)[0].2, "2026-03-12", "{t}");
        }
        assert_eq!(dates("03/25/2026")[0].2, "2026-03-25");
        assert!(dates("31/02/2026").is_empty(), "no such day");
    }

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

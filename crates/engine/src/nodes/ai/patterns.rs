//! Values of each type found in free text, with their positions: emails, web addresses, phone
//! numbers, amounts of money, numbers and dates.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use serde_json::{json, Value as Json};

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b").unwrap()
});
static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:https?://|www\.)[^\s<>"')\]]+[^\s<>"')\].,;:!?]"#).unwrap()
});
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\+|\b00|\(|\b)\d[\d \t().\-/]{5,}\d\b").unwrap());
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

pub(crate) fn currency(marker: &str) -> Option<&'static str> {
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

pub(crate) fn scaled(n: f64, suffix: &str) -> f64 {
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

pub(crate) fn number_json(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

pub(crate) fn money_json(amount: f64, currency: Option<&str>) -> Json {
    json!({"amount": number_json(amount), "currency": currency})
}

pub(crate) fn phone(s: &str) -> Option<String> {
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

pub(crate) fn url(s: &str) -> Option<String> {
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
}

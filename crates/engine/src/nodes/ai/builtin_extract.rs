//! The built-in extractor: finds field values in text by patterns, deterministic and offline.
//! `Name: value` lines win; otherwise the value of the field's type closest to where the text
//! mentions the field; otherwise, for values that stand out on their own (emails, phones, web
//! addresses, dates, money), the first one in the text.

use regex::Regex;
use serde_json::{json, Map, Value as Json};

use super::extract::FieldSpec;
use super::patterns;
use super::values::{normalise, Kind};

/// How far (in bytes) a value may be from the mention of its field.
const NEAR: usize = 80;

pub(crate) fn extract(fields: &[FieldSpec], text: &str) -> Map<String, Json> {
    fields
        .iter()
        .map(|f| (f.name.clone(), find(f, text).unwrap_or(Json::Null)))
        .collect()
}

fn find(f: &FieldSpec, text: &str) -> Option<Json> {
    if let Some(v) = labelled(f, text) {
        return Some(v);
    }
    let mentions = mentions(&f.name, text);
    let name = f.name.to_lowercase();
    match f.kind {
        Kind::Text
            if ["title", "headline", "subject"]
                .iter()
                .any(|w| name.contains(w)) =>
        {
            first_line(text)
        }
        Kind::Text if ["description", "summary"].iter().any(|w| name.contains(w)) => summary(text),
        Kind::Text | Kind::List => {
            let after = after_mention(text, &mentions)?;
            normalise(f.kind, &json!(after)).ok()
        }
        Kind::Boolean => boolean(text, &mentions),
        kind => {
            let mut found = candidates(kind, text);
            if kind == Kind::Integer {
                found.retain(|c| c.2.as_i64().is_some());
            }
            if kind == Kind::Money && found.is_empty() {
                found = patterns::numbers(text)
                    .into_iter()
                    .map(|(s, e, n)| (s, e, json!({"amount": n, "currency": null})))
                    .collect();
                return nearest(&found, &mentions);
            }
            let stands_out = matches!(
                kind,
                Kind::Email | Kind::Phone | Kind::Url | Kind::Date | Kind::Money
            );
            nearest(&found, &mentions).or_else(|| {
                if !stands_out {
                    return None;
                }
                if kind == Kind::Phone {
                    // A bare long number is more likely an amount than a phone number.
                    let shaped = found.iter().find(|c| {
                        let s = &text[c.0..c.1];
                        s.starts_with('+') || s.contains([' ', '-', '(', '/'])
                    });
                    return shaped.map(|c| c.2.clone());
                }
                found.first().map(|c| c.2.clone())
            })
        }
    }
}

/// Values of `kind` in `text`, with their positions, excluding ones inside other kinds of values.
fn candidates(kind: Kind, text: &str) -> Vec<(usize, usize, Json)> {
    let overlaps = |a: &(usize, usize, Json), others: &[(usize, usize, Json)]| {
        others.iter().any(|o| o.0 < a.1 && a.0 < o.1)
    };
    match kind {
        Kind::Email => patterns::emails(text),
        Kind::Url => {
            let emails = patterns::emails(text);
            let mut urls = patterns::urls(text);
            urls.retain(|u| !overlaps(u, &emails));
            urls
        }
        Kind::Date => patterns::dates(text),
        Kind::Money => patterns::moneys(text),
        Kind::Phone => {
            let mut taken = patterns::moneys(text);
            taken.extend(patterns::emails(text));
            let mut phones = patterns::phones(text);
            phones.retain(|p| !overlaps(p, &taken));
            phones
        }
        _ => {
            let mut taken = patterns::dates(text);
            taken.extend(patterns::phones(text));
            taken.extend(patterns::emails(text));
            taken.extend(patterns::urls(text));
            let mut numbers = patterns::numbers(text);
            numbers.retain(|n| !overlaps(n, &taken));
            numbers
        }
    }
}

/// The ways a field name can be written in text: `company_name` as "company name",
/// "company_name", "company-name", or else its longest word.
fn names(field: &str) -> Vec<String> {
    let lower = field.to_lowercase();
    let mut out = vec![lower.replace(['_', '-'], " ")];
    for alt in [lower.clone(), lower.replace('_', "-")] {
        if !out.contains(&alt) {
            out.push(alt);
        }
    }
    out
}

/// Where `text` mentions the field (case-insensitive, plural allowed).
fn mentions(field: &str, text: &str) -> Vec<(usize, usize)> {
    let find = |words: &[String]| -> Vec<(usize, usize)> {
        let alts: Vec<String> = words.iter().map(|w| regex::escape(w)).collect();
        let re = Regex::new(&format!(r"(?i)\b(?:{})s?\b", alts.join("|"))).expect("escaped");
        re.find_iter(text).map(|m| (m.start(), m.end())).collect()
    };
    let found = find(&names(field));
    if !found.is_empty() {
        return found;
    }
    let longest = field
        .split(['_', '-'])
        .filter(|w| w.len() >= 4)
        .max_by_key(|w| w.len());
    longest.map_or_else(Vec::new, |w| find(&[w.to_lowercase()]))
}

/// `Name: value` (or `Name = value`) on a line of its own.
fn labelled(f: &FieldSpec, text: &str) -> Option<Json> {
    let alts: Vec<String> = names(&f.name).iter().map(|n| regex::escape(n)).collect();
    let re = Regex::new(&format!(
        r"(?im)^[ \t]*(?:[-*•][ \t]*)?(?:{})\b[^:=\n]{{0,20}}[:=][ \t]*(.+?)[ \t]*$",
        alts.join("|")
    ))
    .expect("escaped");
    let value = re.captures(text)?.get(1)?.as_str();
    match normalise(f.kind, &json!(value)) {
        Ok(v) if !v.is_null() => Some(v),
        _ => candidates(f.kind, value).first().map(|c| c.2.clone()),
    }
}

/// The value of `found` closest to a mention of the field (values after it count double).
fn nearest(found: &[(usize, usize, Json)], mentions: &[(usize, usize)]) -> Option<Json> {
    found
        .iter()
        .filter_map(|c| {
            let d = mentions
                .iter()
                .map(|&(ms, me)| {
                    if c.0 >= me {
                        c.0 - me
                    } else if c.1 <= ms {
                        (ms - c.1) * 2
                    } else {
                        usize::MAX
                    }
                })
                .min()?;
            (d <= NEAR).then_some((d, &c.2))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v.clone())
}

/// Yes or no near the field's name.
fn boolean(text: &str, mentions: &[(usize, usize)]) -> Option<Json> {
    let re =
        Regex::new(r"(?i)\b(yes|true|yep|no|not|false|without|don't|doesn't)\b").expect("valid");
    let mut best: Option<(usize, bool)> = None;
    for &(ms, me) in mentions {
        for m in re.find_iter(text) {
            let d = if m.start() >= me {
                m.start() - me
            } else if m.end() <= ms {
                ms - m.end()
            } else {
                continue;
            };
            if d <= 40 && best.is_none_or(|(bd, _)| d < bd) {
                let yes = ["yes", "true", "yep"].contains(&m.as_str().to_lowercase().as_str());
                best = Some((d, yes));
            }
        }
    }
    best.map(|(_, b)| json!(b))
}

/// What follows the field's name in the sentence that mentions it ("our company is Acme",
/// "company: Acme"), or else that whole sentence.
fn after_mention(text: &str, mentions: &[(usize, usize)]) -> Option<String> {
    let &(start, end) = mentions.first()?;
    let stop = text[end..]
        .find(['.', '!', '?', '\n'])
        .map_or(text.len(), |i| end + i);
    let rest = text[end..stop].trim_start();
    let connectors = [
        ":", "=", "- ", "is ", "are ", "was ", "will be ", "called ", "named ",
    ];
    let value = connectors
        .iter()
        .find_map(|c| rest.strip_prefix(c))
        .map(str::trim)
        .filter(|v| !v.is_empty());
    if let Some(v) = value {
        return Some(v.to_string());
    }
    let begin = text[..start]
        .rfind(['.', '!', '?', '\n'])
        .map_or(0, |i| i + 1);
    Some(text[begin..stop].trim().to_string()).filter(|s| !s.is_empty())
}

/// The first heading (`# ...`) or else the first non-empty line.
fn first_line(text: &str) -> Option<Json> {
    let lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let heading = lines
        .clone()
        .find(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim());
    let line = heading.or_else(|| lines.clone().next())?;
    Some(json!(super::super::shorten(line, 200)))
}

/// The first sentences, up to about 160 characters (headings and `Name: value` lines skipped).
fn summary(text: &str) -> Option<Json> {
    let labelled = Regex::new(r"^[\w .-]{1,30}:\s").expect("valid");
    let mut sentences: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || labelled.is_match(line) {
            continue;
        }
        let mut rest = line;
        while !rest.is_empty() {
            let cut = [". ", "! ", "? "]
                .iter()
                .filter_map(|p| rest.find(p))
                .min()
                .map_or(rest.len(), |i| i + 1);
            sentences.push(rest[..cut].trim());
            rest = rest[cut..].trim_start();
        }
    }
    let first = *sentences.first()?;
    if first.len() > 160 {
        let head = &first[..first.floor_char_boundary(160)];
        let end = head.rfind(' ').unwrap_or(head.len());
        return Some(json!(format!("{}…", &head[..end])));
    }
    let mut out = first.to_string();
    for s in &sentences[1..] {
        if out.len() + 1 + s.len() > 160 {
            break;
        }
        out.push(' ');
        out.push_str(s);
    }
    Some(json!(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, kind: &str) -> FieldSpec {
        FieldSpec {
            name: name.into(),
            kind: Kind::parse(kind),
            description: None,
            required: false,
        }
    }

    #[test]
    fn labelled_lines_mentions_and_standalone_values() {
        let text = "# New partnership request\n\
            We are a retail chain looking for a new checkout system. It should be live soon.\n\
            Company: Nordwind Retail GmbH\n\
            We need 40 terminals and training is not needed.\n\
            Call me on +49 30 1234 5678 or write to Jana.Kurz@Nordwind.example.\n\
            Go-live by 12 March 2026, budget about €1.200 per terminal. See www.nordwind.example";
        let fields = [
            spec("title", "text"),
            spec("summary", "text"),
            spec("company", "text"),
            spec("terminals", "integer"),
            spec("training", "boolean"),
            spec("phone", "phone"),
            spec("email", "email"),
            spec("go_live", "date"),
            spec("budget", "money"),
            spec("website", "url"),
            spec("seats", "number"),
        ];
        let got = Json::Object(extract(&fields, text));
        assert_eq!(
            got,
            json!({
                "title": "New partnership request",
                "summary": "We are a retail chain looking for a new checkout system. It should be live soon. We need 40 terminals and training is not needed.",
                "company": "Nordwind Retail GmbH",
                "terminals": 40,
                "training": false,
                "phone": "+493012345678",
                "email": "jana.kurz@nordwind.example",
                "go_live": "2026-03-12",
                "budget": {"amount": 1200, "currency": "EUR"},
                "website": "https://www.nordwind.example/",
                "seats": null
            })
        );
    }

    #[test]
    fn text_fields_take_what_follows_the_mention_or_the_sentence() {
        let fields = [
            spec("company", "text"),
            spec("city", "text"),
            spec("newsletter", "boolean"),
        ];
        let got = extract(
            &fields,
            "İSTANBUL office. Our company is Acme Corp. Yes to the NEWSLETTER.",
        );
        assert_eq!(got["company"], json!("Acme Corp"));
        assert_eq!(got["city"], Json::Null);
        assert_eq!(got["newsletter"], json!(true));
        let got = extract(
            &fields[..1],
            "I decide for the whole Company and need a quote today. Thanks",
        );
        assert_eq!(
            got["company"],
            json!("I decide for the whole Company and need a quote today")
        );
    }

    #[test]
    fn lists_numbers_and_amounts_without_currency() {
        let fields = [
            spec("interests", "list"),
            spec("team_size", "integer"),
            spec("budget", "money"),
        ];
        let got = extract(
            &fields,
            "Interests: CRM, email; reporting\nOur team size is 12 people and the budget is 8,500.",
        );
        assert_eq!(
            Json::Object(got),
            json!({
                "interests": ["CRM", "email", "reporting"],
                "team_size": 12,
                "budget": {"amount": 8500, "currency": null}
            })
        );
    }
}

//! Filters and tests an expression names must exist: minijinja only finds out when it runs, so
//! a misspelt `| truncat` would pass validation and fail the first real run.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use minijinja::{Environment, ErrorKind};

/// The filter (`| name`) and test (`is name`) names used inside the tags of `template`.
fn names_used(template: &str, whole_is_expression: bool) -> (Vec<String>, Vec<String>) {
    let mut filters = Vec::new();
    let mut tests = Vec::new();
    let segments: Vec<&str> = if whole_is_expression {
        vec![template]
    } else {
        tag_contents(template)
    };
    for seg in segments {
        let tokens = tokens(seg);
        for (i, t) in tokens.iter().enumerate() {
            if t == "|" {
                if let Some(name) = tokens.get(i + 1).filter(|n| is_ident(n)) {
                    filters.push(name.clone());
                }
            } else if t == "is" {
                let mut j = i + 1;
                if tokens.get(j).is_some_and(|n| n == "not") {
                    j += 1;
                }
                if let Some(name) = tokens.get(j).filter(|n| is_ident(n)) {
                    tests.push(name.clone());
                }
            }
        }
    }
    (filters, tests)
}

/// The inside of every `{{ ... }}` and `{% ... %}` of a template.
fn tag_contents(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find(['{']) {
        let after = &rest[start + 1..];
        let close = match after.chars().next() {
            Some('{') => "}}",
            Some('%') => "%}",
            _ => {
                rest = after;
                continue;
            }
        };
        let body = &after[1..];
        match body.find(close) {
            Some(end) => {
                out.push(&body[..end]);
                rest = &body[end + 2..];
            }
            None => {
                out.push(body);
                break;
            }
        }
    }
    out
}

/// Identifiers and single punctuation characters, string literals left out.
fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' || c == '\'' {
            let mut escaped = false;
            for d in chars.by_ref() {
                if escaped {
                    escaped = false;
                } else if d == '\\' {
                    escaped = true;
                } else if d == c {
                    break;
                }
            }
        } else if c.is_alphabetic() || c == '_' {
            let mut word = c.to_string();
            while let Some(&d) = chars.peek() {
                if d.is_alphanumeric() || d == '_' {
                    word.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(word);
        } else if !c.is_whitespace() {
            out.push(c.to_string());
        }
    }
    out
}

fn is_ident(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Whether `env` knows the filter (`test` false) or test (`test` true) `name`; asked once per
/// name and remembered.
fn known(env: &Environment<'static>, name: &str, test: bool) -> bool {
    static SEEN: LazyLock<Mutex<HashMap<(String, bool), bool>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    if let Some(&k) = SEEN
        .lock()
        .expect("names cache")
        .get(&(name.to_string(), test))
    {
        return k;
    }
    let probe = if test {
        format!("{{{{ 1 is {name} }}}}")
    } else {
        format!("{{{{ 1 | {name} }}}}")
    };
    let unknown = match env.render_str(&probe, ()) {
        Ok(_) => false,
        Err(e) => matches!(e.kind(), ErrorKind::UnknownFilter | ErrorKind::UnknownTest),
    };
    SEEN.lock()
        .expect("names cache")
        .insert((name.to_string(), test), !unknown);
    !unknown
}

/// The first filter or test that `env` does not have, as a message.
pub(super) fn unknown_name(
    env: &Environment<'static>,
    source: &str,
    whole_is_expression: bool,
) -> Option<String> {
    let (filters, tests) = names_used(source, whole_is_expression);
    if let Some(f) = filters.iter().find(|f| !known(env, f, false)) {
        return Some(format!(
            "there is no filter named `{f}` (for example: lower, upper, trim, default, replace, round, length, join; `text[:60]` shortens a text)"
        ));
    }
    tests.iter().find(|t| !known(env, t, true)).map(|t| {
        format!("there is no test named `{t}` (for example: defined, none, number, string, even)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_filters_and_tests_inside_tags_only() {
        let (f, t) = names_used(
            "A | B {{ x | lower | replace('|', ' | fake') }} {% if y is not defined %}{{ z|trim }}{% endif %}",
            false,
        );
        assert_eq!(f, ["lower", "replace", "trim"]);
        assert_eq!(t, ["defined"]);
        let (f, _) = names_used("event.name | default('x') | title", true);
        assert_eq!(f, ["default", "title"]);
    }

    #[test]
    fn knows_the_builtins_and_refuses_the_rest() {
        let env = super::super::environment();
        assert!(unknown_name(&env, "{{ x | lower | default('') }}", false).is_none());
        let e = unknown_name(&env, "{{ x | truncate(10) }}", false).unwrap();
        assert!(e.contains("`truncate`"), "{e}");
        assert!(unknown_name(&env, "x is defined", true).is_none());
        assert!(unknown_name(&env, "x is nonsense", true).is_some());
    }
}

//! The most common expressions, evaluated straight on the JSON without the template engine
//! (which sets up a VM state per evaluation, a few µs each):
//!
//! - a path, then filters among `trim`, `lower`, `upper`, `title`, `int` and `default(literal)`:
//!   `event.email | trim | lower`, `event.company | default('')`;
//! - a path compared with a path or a literal: `nodes.score.score >= vars.hot_score`.
//!
//! Each gives exactly what minijinja gives (see the test against it in `tests.rs`). Where a
//! value is of a kind this code does not handle (a number to `lower`, a float to compare, a
//! missing field in the middle of a path), evaluation answers `None` and the template engine
//! evaluates the expression instead, errors included.

use std::fmt::Write as _;

use serde_json::Value as Json;

use super::{plain_path, Scope};

/// An expression this module evaluates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fast {
    /// A path and the filters applied to it, in order.
    Chain {
        path: Vec<String>,
        filters: Vec<Filter>,
    },
    Compare {
        left: Operand,
        op: CmpOp,
        right: Operand,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    Trim,
    Lower,
    Upper,
    Title,
    Int,
    /// The value to give when the path's last field is missing.
    Default(Json),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Path(Vec<String>),
    Literal(Json),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// The path reads nothing (an error, as in the template engine in strict mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Undefined;

#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    Ident(&'a str),
    Dot,
    Pipe,
    Open,
    Close,
    Lit(Json),
    Op(CmpOp),
}

/// The tokens of `src`, or None at anything outside this small grammar.
fn tokens(src: &str) -> Option<Vec<Tok<'_>>> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'.' => {
                out.push(Tok::Dot);
                i += 1;
            }
            b'|' => {
                out.push(Tok::Pipe);
                i += 1;
            }
            b'(' => {
                out.push(Tok::Open);
                i += 1;
            }
            b')' => {
                out.push(Tok::Close);
                i += 1;
            }
            b'\'' | b'"' => {
                let end = src[i + 1..].find(c as char)? + i + 1;
                let text = &src[i + 1..end];
                if text.contains('\\') {
                    return None;
                }
                out.push(Tok::Lit(Json::String(text.to_string())));
                i = end + 1;
            }
            b'0'..=b'9' => {
                let end = bytes[i..]
                    .iter()
                    .position(|b| !b.is_ascii_digit())
                    .map_or(bytes.len(), |p| p + i);
                // Floats, exponents, `1_000`, `0x..`: the template engine's business.
                if bytes
                    .get(end)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.')
                {
                    return None;
                }
                out.push(Tok::Lit(Json::from(src[i..end].parse::<i64>().ok()?)));
                i = end;
            }
            b'=' | b'!' | b'<' | b'>' => {
                let eq = bytes.get(i + 1) == Some(&b'=');
                let op = match (c, eq) {
                    (b'=', true) => CmpOp::Eq,
                    (b'!', true) => CmpOp::Ne,
                    (b'<', true) => CmpOp::Le,
                    (b'>', true) => CmpOp::Ge,
                    (b'<', false) => CmpOp::Lt,
                    (b'>', false) => CmpOp::Gt,
                    _ => return None,
                };
                out.push(Tok::Op(op));
                i += if eq { 2 } else { 1 };
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let end = bytes[i..]
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                    .map_or(bytes.len(), |p| p + i);
                out.push(Tok::Ident(&src[i..end]));
                i = end;
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Parses `src` if it is one of the forms this module evaluates.
pub(crate) fn parse(src: &str) -> Option<Fast> {
    let toks = tokens(src)?;
    let (left, rest) = operand(&toks)?;
    match rest.split_first() {
        None => match left {
            Operand::Path(path) => Some(Fast::Chain {
                path,
                filters: Vec::new(),
            }),
            Operand::Literal(_) => None,
        },
        Some((Tok::Pipe, _)) => {
            let Operand::Path(path) = left else {
                return None;
            };
            let mut filters = Vec::new();
            let mut rest = rest;
            while let Some((Tok::Pipe, after)) = rest.split_first() {
                let (f, after) = filter(after)?;
                filters.push(f);
                rest = after;
            }
            rest.is_empty().then_some(Fast::Chain { path, filters })
        }
        Some((Tok::Op(op), after)) => {
            let (right, end) = operand(after)?;
            let paths = matches!(left, Operand::Path(_)) || matches!(right, Operand::Path(_));
            (end.is_empty() && paths).then_some(Fast::Compare {
                left,
                op: *op,
                right,
            })
        }
        Some(_) => None,
    }
}

/// A path (as `plain_path` accepts it) or a literal, and the tokens after it.
fn operand<'t>(toks: &'t [Tok<'t>]) -> Option<(Operand, &'t [Tok<'t>])> {
    match toks.first()? {
        Tok::Lit(v) => Some((Operand::Literal(v.clone()), &toks[1..])),
        Tok::Ident(root) => {
            let mut text = root.to_string();
            let mut n = 1;
            while let (Some(Tok::Dot), Some(Tok::Ident(seg))) = (toks.get(n), toks.get(n + 1)) {
                text.push('.');
                text.push_str(seg);
                n += 2;
            }
            Some((Operand::Path(plain_path(&text)?), &toks[n..]))
        }
        _ => None,
    }
}

/// One filter after a `|`, and the tokens after it.
fn filter<'t>(toks: &'t [Tok<'t>]) -> Option<(Filter, &'t [Tok<'t>])> {
    let Some(Tok::Ident(name)) = toks.first() else {
        return None;
    };
    let mut rest = &toks[1..];
    let mut arg = None;
    if let Some((Tok::Open, after)) = rest.split_first() {
        match after {
            [Tok::Close, r @ ..] => rest = r,
            [Tok::Lit(v), Tok::Close, r @ ..] => {
                arg = Some(v.clone());
                rest = r;
            }
            _ => return None,
        }
    }
    let f = match (*name, arg) {
        ("trim", None) => Filter::Trim,
        ("lower", None) => Filter::Lower,
        ("upper", None) => Filter::Upper,
        ("title", None) => Filter::Title,
        ("int", None) => Filter::Int,
        ("default" | "d", arg) => Filter::Default(arg.unwrap_or_else(|| Json::from(""))),
        _ => return None,
    };
    Some((f, rest))
}

/// What a path reads.
enum Found<'s> {
    Value(&'s Json),
    /// The last field is missing from an object (or a node gave no output): undefined.
    Missing,
    /// Anything else (a field of a list or of text, a missing field in the middle): left to
    /// the template engine.
    Other,
}

fn find<'s>(path: &[String], scope: &'s Scope) -> Found<'s> {
    let Some((root, mut rest)) = path.split_first() else {
        return Found::Other;
    };
    let mut cur: &Json = if root == "nodes" {
        let Some(outputs) = scope.outputs.as_ref() else {
            return Found::Other;
        };
        let Some((id, after)) = rest.split_first() else {
            return Found::Other;
        };
        rest = after;
        match outputs.get_by_id(id) {
            Some(out) => out,
            None if rest.is_empty() => return Found::Missing,
            None => return Found::Other,
        }
    } else {
        match scope.root_ref(root) {
            Some(json) => json,
            None => return Found::Other,
        }
    };
    for (i, key) in rest.iter().enumerate() {
        let Json::Object(map) = cur else {
            return Found::Other;
        };
        match map.get(key) {
            Some(next) => cur = next,
            None if i + 1 == rest.len() => return Found::Missing,
            None => return Found::Other,
        }
    }
    Found::Value(cur)
}

impl Fast {
    /// The value, `Err(Undefined)` for a bare path that reads nothing, or None where the
    /// template engine must decide.
    pub(crate) fn eval(&self, scope: &Scope) -> Option<Result<Json, Undefined>> {
        match self {
            Fast::Chain { path, filters } if filters.is_empty() => {
                Some(super::lookup(path, scope).ok_or(Undefined))
            }
            Fast::Chain { path, filters } => {
                let (mut value, filters) = match find(path, scope) {
                    Found::Value(v) => (v.clone(), &filters[..]),
                    Found::Missing => match filters.split_first() {
                        Some((Filter::Default(other), rest)) => (other.clone(), rest),
                        _ => return None,
                    },
                    Found::Other => return None,
                };
                for f in filters {
                    value = apply(f, value)?;
                }
                Some(Ok(value))
            }
            Fast::Compare { left, op, right } => {
                let a = operand_value(left, scope)?;
                let b = operand_value(right, scope)?;
                let ord = match (a, b) {
                    (Json::Number(x), Json::Number(y)) => x.as_i64()?.cmp(&y.as_i64()?),
                    (Json::String(x), Json::String(y)) if matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                        x.as_str().cmp(y.as_str())
                    }
                    _ => return None,
                };
                use std::cmp::Ordering::*;
                let yes = match op {
                    CmpOp::Eq => ord == Equal,
                    CmpOp::Ne => ord != Equal,
                    CmpOp::Lt => ord == Less,
                    CmpOp::Le => ord != Greater,
                    CmpOp::Gt => ord == Greater,
                    CmpOp::Ge => ord != Less,
                };
                Some(Ok(Json::Bool(yes)))
            }
        }
    }
}

fn operand_value<'s>(o: &'s Operand, scope: &'s Scope) -> Option<&'s Json> {
    match o {
        Operand::Literal(v) => Some(v),
        Operand::Path(p) => match find(p, scope) {
            Found::Value(v) => Some(v),
            Found::Missing | Found::Other => None,
        },
    }
}

/// One filter, as minijinja's builtin of that name does it, for the kinds of value handled.
fn apply(f: &Filter, value: Json) -> Option<Json> {
    Some(match (f, value) {
        // Only a missing value is replaced (a null stays null).
        (Filter::Default(_), v) => v,
        (Filter::Trim, Json::String(s)) => Json::String(s.trim().to_string()),
        (Filter::Lower, Json::String(s)) => Json::String(s.to_lowercase()),
        (Filter::Upper, Json::String(s)) => Json::String(s.to_uppercase()),
        (Filter::Title, Json::String(s)) => Json::String(title(&s)),
        (Filter::Int, Json::Number(n)) if n.is_i64() || n.is_u64() => Json::Number(n),
        (Filter::Int, Json::Bool(b)) => Json::from(u64::from(b)),
        (Filter::Int, Json::Null) => Json::from(0),
        (Filter::Int, Json::String(s)) => Json::from(i64::try_from(s.parse::<i128>().ok()?).ok()?),
        _ => return None,
    })
}

/// minijinja's `title`: each run of letters starts upper case, the rest lower case.
fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut capitalize = true;
    for c in s.chars() {
        if c.is_ascii_punctuation() || c.is_whitespace() {
            out.push(c);
            capitalize = true;
        } else if capitalize {
            let _ = write!(out, "{}", c.to_uppercase());
            capitalize = false;
        } else {
            let _ = write!(out, "{}", c.to_lowercase());
        }
    }
    out
}

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

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_json::Value as Json;

use super::{plain_path, Scope};

/// An expression this module evaluates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fast {
    /// A bare path: what it reads, or `Undefined` (an error) when anything on the way is missing.
    Path(Vec<String>),
    Tree(Node),
    /// A text template: text and `{{ expression }}`s, rendered to a string.
    Text(Vec<Part>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Part {
    Text(String),
    Value(Node),
}

/// A part of an expression, as minijinja's parser groups it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Path(Vec<String>),
    Literal(Json),
    List(Vec<Node>),
    Filter(Box<Node>, Filter),
    /// `then if cond else otherwise`
    If {
        then: Box<Node>,
        cond: Box<Node>,
        otherwise: Box<Node>,
    },
    Or(Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Compare(Box<Node>, CmpOp, Box<Node>),
    /// `needle in haystack` (negated: `not in`).
    In {
        needle: Box<Node>,
        haystack: Box<Node>,
        negated: bool,
    },
    Add(Box<Node>, Box<Node>),
    Sub(Box<Node>, Box<Node>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    Trim,
    Lower,
    Upper,
    Title,
    Int,
    Min,
    Max,
    /// The value to give when the path's last field is missing.
    Default(Json),
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
    OpenList,
    CloseList,
    Comma,
    Plus,
    Minus,
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
            b')' | b'[' | b']' | b',' | b'+' => {
                out.push(match c {
                    b')' => Tok::Close,
                    b'[' => Tok::OpenList,
                    b']' => Tok::CloseList,
                    b',' => Tok::Comma,
                    _ => Tok::Plus,
                });
                i += 1;
            }
            // Not `-1`: minijinja gives unary minus a binding of its own.
            b'-' if !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                out.push(Tok::Minus);
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

/// Parses `src` if every part of it is something this module evaluates.
pub(crate) fn parse(src: &str) -> Option<Fast> {
    let toks = tokens(src)?;
    let mut p = Parser { toks: &toks, at: 0 };
    let node = p.ifexpr()?;
    if p.at != toks.len() {
        return None;
    }
    Some(match node {
        Node::Path(path) => Fast::Path(path),
        other => Fast::Tree(other),
    })
}

/// Recursive descent in minijinja's order of precedence (its `parser.rs`): `if`/`else`, `or`,
/// `and`, `not`, one comparison or `in`, `+`/`-`, then a primary with its filters. Anything
/// else (`*`, `~`, unary minus, indexes, calls, tests) stops the parse.
struct Parser<'t> {
    toks: &'t [Tok<'t>],
    at: usize,
}

impl<'t> Parser<'t> {
    fn peek(&self) -> Option<&'t Tok<'t>> {
        self.toks.get(self.at)
    }

    fn keyword(&mut self, word: &str) -> bool {
        let found = matches!(self.peek(), Some(Tok::Ident(w)) if *w == word);
        if found {
            self.at += 1;
        }
        found
    }

    /// Whether the next tokens are `not in`.
    fn not_in(&self) -> bool {
        self.peek() == Some(&Tok::Ident("not"))
            && self.toks.get(self.at + 1) == Some(&Tok::Ident("in"))
    }

    fn ifexpr(&mut self) -> Option<Node> {
        let mut node = self.or()?;
        while self.keyword("if") {
            let cond = self.or()?;
            // Without `else` the value may be undefined: the template engine's business.
            if !self.keyword("else") {
                return None;
            }
            let otherwise = self.ifexpr()?;
            node = Node::If {
                then: Box::new(node),
                cond: Box::new(cond),
                otherwise: Box::new(otherwise),
            };
        }
        Some(node)
    }

    fn or(&mut self) -> Option<Node> {
        let mut node = self.and()?;
        while self.keyword("or") {
            node = Node::Or(Box::new(node), Box::new(self.and()?));
        }
        Some(node)
    }

    fn and(&mut self) -> Option<Node> {
        let mut node = self.not()?;
        while self.keyword("and") {
            node = Node::And(Box::new(node), Box::new(self.not()?));
        }
        Some(node)
    }

    fn not(&mut self) -> Option<Node> {
        if self.keyword("not") {
            return Some(Node::Not(Box::new(self.not()?)));
        }
        self.compare()
    }

    fn compare(&mut self) -> Option<Node> {
        let left = self.math()?;
        let node = match self.peek() {
            Some(Tok::Op(op)) => {
                let op = *op;
                self.at += 1;
                Node::Compare(Box::new(left), op, Box::new(self.math()?))
            }
            Some(Tok::Ident("in")) => {
                self.at += 1;
                Node::In {
                    needle: Box::new(left),
                    haystack: Box::new(self.math()?),
                    negated: false,
                }
            }
            _ if self.not_in() => {
                self.at += 2;
                Node::In {
                    needle: Box::new(left),
                    haystack: Box::new(self.math()?),
                    negated: true,
                }
            }
            _ => return Some(left),
        };
        // Chained comparisons (`a < b < c`) are the template engine's.
        if matches!(self.peek(), Some(Tok::Op(_) | Tok::Ident("in"))) || self.not_in() {
            return None;
        }
        Some(node)
    }

    fn math(&mut self) -> Option<Node> {
        let mut node = self.filtered()?;
        loop {
            match self.peek() {
                Some(Tok::Plus) => {
                    self.at += 1;
                    node = Node::Add(Box::new(node), Box::new(self.filtered()?));
                }
                Some(Tok::Minus) => {
                    self.at += 1;
                    node = Node::Sub(Box::new(node), Box::new(self.filtered()?));
                }
                _ => return Some(node),
            }
        }
    }

    fn filtered(&mut self) -> Option<Node> {
        let mut node = self.primary()?;
        while self.peek() == Some(&Tok::Pipe) {
            self.at += 1;
            let f = self.filter()?;
            node = Node::Filter(Box::new(node), f);
        }
        Some(node)
    }

    fn primary(&mut self) -> Option<Node> {
        let node = match self.peek()?.clone() {
            Tok::Lit(v) => {
                self.at += 1;
                Node::Literal(v)
            }
            Tok::Ident(word @ ("true" | "false" | "none")) => {
                self.at += 1;
                Node::Literal(match word {
                    "true" => Json::Bool(true),
                    "false" => Json::Bool(false),
                    _ => Json::Null,
                })
            }
            Tok::Ident(root) => {
                self.at += 1;
                let mut text = root.to_string();
                while let (Some(Tok::Dot), Some(Tok::Ident(seg))) =
                    (self.toks.get(self.at), self.toks.get(self.at + 1))
                {
                    text.push('.');
                    text.push_str(seg);
                    self.at += 2;
                }
                Node::Path(plain_path(&text)?)
            }
            Tok::Open => {
                self.at += 1;
                let inner = self.ifexpr()?;
                if self.peek() != Some(&Tok::Close) {
                    return None;
                }
                self.at += 1;
                inner
            }
            Tok::OpenList => {
                self.at += 1;
                let mut items = Vec::new();
                if self.peek() == Some(&Tok::CloseList) {
                    self.at += 1;
                } else {
                    loop {
                        items.push(self.ifexpr()?);
                        match self.peek() {
                            Some(Tok::Comma) => self.at += 1,
                            Some(Tok::CloseList) => {
                                self.at += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                Node::List(items)
            }
            _ => return None,
        };
        // Attributes of anything but a path, indexes, calls: the template engine's.
        match self.peek() {
            Some(Tok::Dot | Tok::OpenList | Tok::Open) => None,
            _ => Some(node),
        }
    }

    /// One filter after a `|`.
    fn filter(&mut self) -> Option<Filter> {
        let Some(Tok::Ident(name)) = self.peek().cloned() else {
            return None;
        };
        self.at += 1;
        let mut arg = None;
        if self.peek() == Some(&Tok::Open) {
            match &self.toks[self.at + 1..] {
                [Tok::Close, ..] => self.at += 2,
                [Tok::Lit(v), Tok::Close, ..] => {
                    arg = Some(v.clone());
                    self.at += 3;
                }
                _ => return None,
            }
        }
        Some(match (name, arg) {
            ("trim", None) => Filter::Trim,
            ("lower", None) => Filter::Lower,
            ("upper", None) => Filter::Upper,
            ("title", None) => Filter::Title,
            ("int", None) => Filter::Int,
            ("min", None) => Filter::Min,
            ("max", None) => Filter::Max,
            ("default" | "d", arg) => Filter::Default(arg.unwrap_or_else(|| Json::from(""))),
            _ => return None,
        })
    }
}

/// What a path reads.
enum Found<'s> {
    /// Borrowed from the scope (owned only for `item_index`, a number made on demand).
    Value(Cow<'s, Json>),
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
    } else if root == "item_index" {
        return match (scope.item_index, rest.is_empty()) {
            (Some(i), true) => Found::Value(Cow::Owned(Json::from(i))),
            _ => Found::Other,
        };
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
    Found::Value(Cow::Borrowed(cur))
}

impl Fast {
    /// The value, `Err(Undefined)` for a bare path that reads nothing, or None where the
    /// template engine must decide.
    pub(crate) fn eval(&self, scope: &Scope) -> Option<Result<Json, Undefined>> {
        match self {
            // A bare path reads nothing wherever anything on the way is missing.
            Fast::Path(path) => Some(match find(path, scope) {
                Found::Value(v) => Ok(v.into_owned()),
                Found::Missing | Found::Other => Err(Undefined),
            }),
            Fast::Tree(node) => node.eval(scope).map(|v| Ok(v.into_owned())),
            Fast::Text(parts) => {
                let mut out = String::new();
                for part in parts {
                    match part {
                        Part::Text(t) => out.push_str(t),
                        Part::Value(node) => match &*node.eval(scope)? {
                            Json::String(s) => out.push_str(s),
                            Json::Number(n) if n.is_i64() || n.is_u64() => {
                                let _ = write!(out, "{n}");
                            }
                            // As minijinja prints them.
                            Json::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
                            Json::Null => out.push_str("None"),
                            // Floats, lists and objects print the template engine's way.
                            _ => return None,
                        },
                    }
                }
                Some(Ok(Json::String(out)))
            }
        }
    }
}

/// Parses a text template made of text and `{{ expression }}`s this module evaluates. Tags,
/// comments, whitespace control and a final newline (which minijinja drops) are left to it.
pub(crate) fn parse_text(src: &str) -> Option<Fast> {
    if src.contains("{%") || src.contains("{#") || src.ends_with('\n') {
        return None;
    }
    let mut parts = Vec::new();
    let mut rest = src;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            parts.push(Part::Text(rest[..open].to_string()));
        }
        let after = &rest[open + 2..];
        let close = after.find("}}")?;
        let inner = &after[..close];
        if inner.starts_with(['-', '+']) || inner.ends_with(['-', '+']) {
            return None;
        }
        parts.push(Part::Value(match parse(inner)? {
            Fast::Path(path) => Node::Path(path),
            Fast::Tree(node) => node,
            Fast::Text(_) => return None,
        }));
        rest = &after[close + 2..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_string()));
    }
    Some(Fast::Text(parts))
}

/// minijinja's truthiness, for JSON.
pub(crate) fn truthy(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Json::String(s) => !s.is_empty(),
        Json::Array(a) => !a.is_empty(),
        Json::Object(m) => !m.is_empty(),
    }
}

impl Node {
    /// The value, or None where the template engine must decide (an undefined value, a kind of
    /// value not handled here). Values read from the scope are borrowed, not copied: most
    /// expressions only compare or search them.
    fn eval<'s>(&'s self, scope: &'s Scope) -> Option<Cow<'s, Json>> {
        match self {
            Node::Path(path) => match find(path, scope) {
                Found::Value(v) => Some(v),
                Found::Missing | Found::Other => None,
            },
            Node::Literal(v) => Some(Cow::Borrowed(v)),
            Node::List(items) => items
                .iter()
                .map(|n| n.eval(scope).map(Cow::into_owned))
                .collect::<Option<_>>()
                .map(|items| Cow::Owned(Json::Array(items))),
            Node::Filter(input, Filter::Default(other)) => match &**input {
                Node::Path(path) => match find(path, scope) {
                    Found::Value(v) => Some(v),
                    Found::Missing => Some(Cow::Borrowed(other)),
                    Found::Other => None,
                },
                // Only a missing value is replaced (a null stays null).
                input => input.eval(scope),
            },
            Node::Filter(input, f) => apply(f, input.eval(scope)?),
            Node::If {
                then,
                cond,
                otherwise,
            } => {
                if truthy(cond.eval(scope)?.as_ref()) {
                    then.eval(scope)
                } else {
                    otherwise.eval(scope)
                }
            }
            // Both give one of their operands, as in Jinja.
            Node::Or(a, b) => {
                let a = a.eval(scope)?;
                if truthy(&a) {
                    Some(a)
                } else {
                    b.eval(scope)
                }
            }
            Node::And(a, b) => {
                let a = a.eval(scope)?;
                if truthy(&a) {
                    b.eval(scope)
                } else {
                    Some(a)
                }
            }
            Node::Not(a) => Some(Cow::Owned(Json::Bool(!truthy(a.eval(scope)?.as_ref())))),
            Node::Compare(a, op, b) => {
                let (a, b) = (a.eval(scope)?, b.eval(scope)?);
                let ord = match (&*a, &*b) {
                    (Json::Number(x), Json::Number(y)) => x.as_i64()?.cmp(&y.as_i64()?),
                    (Json::String(x), Json::String(y)) if matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                        x.as_str().cmp(y.as_str())
                    }
                    (Json::Bool(x), Json::Bool(y)) if matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                        x.cmp(y)
                    }
                    _ => return None,
                };
                use std::cmp::Ordering::*;
                Some(Cow::Owned(Json::Bool(match op {
                    CmpOp::Eq => ord == Equal,
                    CmpOp::Ne => ord != Equal,
                    CmpOp::Lt => ord == Less,
                    CmpOp::Le => ord != Greater,
                    CmpOp::Gt => ord == Greater,
                    CmpOp::Ge => ord != Less,
                })))
            }
            Node::In {
                needle,
                haystack,
                negated,
            } => {
                let (needle, haystack) = (needle.eval(scope)?, haystack.eval(scope)?);
                let found = match (&*needle, &*haystack) {
                    (Json::String(n), Json::String(h)) => h.contains(n.as_str()),
                    (Json::String(_), Json::Array(items)) if items.iter().all(Json::is_string) => {
                        items.contains(&needle)
                    }
                    (Json::Number(n), Json::Array(items)) => {
                        let n = n.as_i64()?;
                        let ints: Vec<i64> =
                            items.iter().map(Json::as_i64).collect::<Option<_>>()?;
                        ints.contains(&n)
                    }
                    _ => return None,
                };
                Some(Cow::Owned(Json::Bool(found != *negated)))
            }
            Node::Add(a, b) => int_op(
                a.eval(scope)?.as_ref(),
                b.eval(scope)?.as_ref(),
                i64::checked_add,
            ),
            Node::Sub(a, b) => int_op(
                a.eval(scope)?.as_ref(),
                b.eval(scope)?.as_ref(),
                i64::checked_sub,
            ),
        }
    }
}

/// Integer arithmetic; floats, other kinds and overflow are the template engine's.
fn int_op<'s>(a: &Json, b: &Json, op: fn(i64, i64) -> Option<i64>) -> Option<Cow<'s, Json>> {
    op(a.as_i64()?, b.as_i64()?).map(|n| Cow::Owned(Json::from(n)))
}

/// One filter, as minijinja's builtin of that name does it, for the kinds of value handled.
fn apply<'s>(f: &Filter, value: Cow<'s, Json>) -> Option<Cow<'s, Json>> {
    let made = match (f, &*value) {
        // Only a missing value is replaced (a null stays null).
        (Filter::Default(_), _) => return Some(value),
        (Filter::Int, Json::Number(n)) if n.is_i64() || n.is_u64() => return Some(value),
        (Filter::Trim, Json::String(s)) => Json::String(s.trim().to_string()),
        (Filter::Lower, Json::String(s)) => Json::String(s.to_lowercase()),
        (Filter::Upper, Json::String(s)) => Json::String(s.to_uppercase()),
        (Filter::Title, Json::String(s)) => Json::String(title(s)),
        (Filter::Int, Json::Bool(b)) => Json::from(u64::from(*b)),
        (Filter::Int, Json::Null) => Json::from(0),
        (Filter::Int, Json::String(s)) => Json::from(i64::try_from(s.parse::<i128>().ok()?).ok()?),
        // Integers only (an empty list gives undefined).
        (Filter::Min | Filter::Max, Json::Array(items)) => {
            let ints = items.iter().map(Json::as_i64);
            let pick = if *f == Filter::Min {
                ints.collect::<Option<Vec<i64>>>()?.into_iter().min()
            } else {
                ints.collect::<Option<Vec<i64>>>()?.into_iter().max()
            };
            Json::from(pick?)
        }
        _ => return None,
    };
    Some(Cow::Owned(made))
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

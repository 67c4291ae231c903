//! The canonical text of a test suite. Deterministic like workflow files, but written for
//! people: the suite's own fields in a fixed, meaningful order (a case's `name` first, its
//! `expect` last), data (events, variables, expected values) with sorted keys, and a list or
//! object of plain values on one line when it fits in 100 columns.

use serde_json::Value as Json;

/// What an object in the suite is, which decides the order of its keys.
#[derive(Clone, Copy)]
enum Shape {
    Suite,
    Case,
    Mock,
    MockError,
    Expect,
    ExpectedError,
    Check,
    /// User data: keys sorted.
    Data,
    /// A map whose values are mocks.
    Mocks,
    Cases,
    Checks,
}

impl Shape {
    /// The fields in the order they are written (others, if any, follow sorted).
    fn order(self) -> &'static [&'static str] {
        match self {
            Shape::Suite => &["schema_version", "workflow", "cases"],
            Shape::Case => &[
                "name",
                "description",
                "trigger",
                "event",
                "vars",
                "mocks",
                "expect",
            ],
            Shape::Mock => &["output", "ports", "error"],
            Shape::MockError => &["code", "message"],
            Shape::Expect => &[
                "status",
                "error",
                "reached",
                "not_reached",
                "route",
                "outputs",
            ],
            Shape::ExpectedError => &["node", "code"],
            Shape::Check => &["node", "path", "equals", "contains", "matches", "exists"],
            _ => &[],
        }
    }

    fn child(self, key: &str) -> Shape {
        match (self, key) {
            (Shape::Suite, "cases") => Shape::Cases,
            (Shape::Cases, _) => Shape::Case,
            (Shape::Case, "mocks") => Shape::Mocks,
            (Shape::Case, "expect") => Shape::Expect,
            (Shape::Mocks, _) => Shape::Mock,
            (Shape::Mock, "error") => Shape::MockError,
            (Shape::Expect, "error") => Shape::ExpectedError,
            (Shape::Expect, "outputs") => Shape::Checks,
            (Shape::Checks, _) => Shape::Check,
            _ => Shape::Data,
        }
    }
}

const STEP: usize = 2;
const WIDTH: usize = 100;

pub(super) fn write(value: &Json) -> String {
    let mut out = String::with_capacity(4096);
    value_at(value, Shape::Suite, 0, 0, &mut out);
    out.push('\n');
    out
}

/// Writes `value` whose text starts at column `col` (after its key) and whose lines are
/// indented by `indent`.
fn value_at(value: &Json, shape: Shape, indent: usize, col: usize, out: &mut String) {
    if let Some(line) = one_line(value, shape) {
        if col + line.len() <= WIDTH {
            out.push_str(&line);
            return;
        }
    }
    match value {
        Json::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            let keys = keys(map, shape);
            for (i, key) in keys.iter().enumerate() {
                push_indent(out, indent + STEP);
                let k = Json::String((*key).clone()).to_string();
                out.push_str(&k);
                out.push_str(": ");
                let col = indent + STEP + k.len() + 2;
                value_at(
                    &map[key.as_str()],
                    shape.child(key),
                    indent + STEP,
                    col,
                    out,
                );
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(out, indent);
            out.push('}');
        }
        Json::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                push_indent(out, indent + STEP);
                value_at(item, shape.child(""), indent + STEP, indent + STEP, out);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(out, indent);
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The one-line form of a scalar, or of a list or object of scalars.
fn one_line(value: &Json, shape: Shape) -> Option<String> {
    let scalar = |v: &Json| !v.is_object() && !v.is_array();
    match value {
        Json::Object(map) if map.values().all(scalar) => {
            let parts: Vec<String> = keys(map, shape)
                .iter()
                .map(|k| format!("{}: {}", Json::String((*k).clone()), map[k.as_str()]))
                .collect();
            Some(format!("{{{}}}", parts.join(", ")))
        }
        Json::Array(items) if items.iter().all(scalar) => {
            let parts: Vec<String> = items.iter().map(Json::to_string).collect();
            Some(format!("[{}]", parts.join(", ")))
        }
        Json::Object(_) | Json::Array(_) => None,
        other => Some(other.to_string()),
    }
}

/// The keys of an object: its shape's fields in order, then the rest sorted.
fn keys(map: &serde_json::Map<String, Json>, shape: Shape) -> Vec<&String> {
    let order = shape.order();
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by_key(|k| {
        (
            order.iter().position(|o| o == k).unwrap_or(order.len()),
            (*k).clone(),
        )
    });
    keys
}

fn push_indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

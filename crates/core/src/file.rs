//! The workflow file format, version 1: one readable JSON file per workflow.
//!
//! Loading is strict (unknown fields and unknown node kinds are errors with a line and
//! column); saving is canonical (sorted keys, nodes sorted by id, edges sorted, two-space
//! indentation, trailing newline), so an unchanged workflow saves byte-identical.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::kind::NodeKind;

/// The only schema version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;
/// Workflow files larger than this are refused before parsing.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// A workflow as it is stored on disk. Not validated: see [`crate::compile`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Switchyard workflow file (v1)")]
pub struct WorkflowFile {
    /// Format version; always 1 for this format.
    pub schema_version: u32,
    /// Stable identifier (lowercase letters, digits, `-` and `_`); also the file name.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What the workflow does, in plain language.
    #[serde(default)]
    pub description: String,
    /// The nodes of the graph.
    #[serde(default)]
    pub nodes: Vec<Node>,
    /// Connections from an output port to an input port.
    #[serde(default)]
    pub edges: Vec<Edge>,
    /// Sticky notes on the canvas; they do not run.
    #[serde(default)]
    pub notes: Vec<Note>,
    /// Workflow variables, readable in expressions as `vars.NAME`; overridable per run.
    #[serde(default)]
    pub vars: BTreeMap<String, Json>,
}

/// One step of the workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Identifier used by edges and expressions (`nodes.<id>`): lowercase letters, digits, `_`.
    pub id: String,
    /// What the node does; one of the catalog's kinds.
    pub kind: NodeKind,
    /// Display name on the canvas.
    #[serde(default)]
    pub name: String,
    /// Settings; their names and types come from the kind's descriptor.
    #[serde(default)]
    pub params: BTreeMap<String, Json>,
    /// Position on the canvas.
    #[serde(default)]
    pub position: Position,
    /// Retry policy when the node fails; by default a node runs once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryPolicy>,
    /// Time limit for one attempt, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// Sample output given instead of running the node in test runs (the editor's test runs,
    /// `switchyard test`, `switchyard run --test-mode`), so a flow can be built before its
    /// upstream works. Real runs ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<Pinned>,
}

/// A node's pinned sample output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pinned {
    /// The output the node gives in test runs.
    pub output: Json,
    /// The outputs it sends that data to. Empty: `out`, or for AI classify the route named by
    /// the output's `label`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<String>,
}

/// A point on the canvas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Position {
    pub x: f64,
    pub y: f64,
}

/// How often and how patiently a failing node is retried.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Total attempts including the first (1 = no retry).
    pub max_attempts: u32,
    /// Wait before the second attempt; doubles for each further attempt.
    #[serde(default = "default_backoff_ms")]
    pub backoff_ms: u64,
    /// Upper bound for the wait between attempts.
    #[serde(default = "default_max_backoff_ms")]
    pub max_backoff_ms: u64,
    /// Randomise waits (full jitter) so that retries from many runs do not line up.
    #[serde(default = "default_true")]
    pub jitter: bool,
}

fn default_backoff_ms() -> u64 {
    1_000
}
fn default_max_backoff_ms() -> u64 {
    60_000
}
fn default_true() -> bool {
    true
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 1,
            backoff_ms: default_backoff_ms(),
            max_backoff_ms: default_max_backoff_ms(),
            jitter: true,
        }
    }
}

/// A connection from `from`'s output port `from_port` to `to`'s input port `to_port`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    pub from: String,
    #[serde(default = "default_out")]
    pub from_port: String,
    pub to: String,
    #[serde(default = "default_in")]
    pub to_port: String,
}

fn default_out() -> String {
    "out".into()
}
fn default_in() -> String {
    "in".into()
}

/// A sticky note on the canvas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub position: Position,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Size>,
}

/// Width and height on the canvas.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Size {
    pub width: f64,
    pub height: f64,
}

/// Why a workflow file could not be read. Line and column are 1-based.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct LoadError {
    /// Stable code: `file_too_large`, `invalid_json`, `invalid_workflow`, `unknown_kind`,
    /// `unknown_field`, `unsupported_version`.
    pub code: &'static str,
    pub message: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl LoadError {
    /// The error for a file of `len` bytes, over [`MAX_FILE_BYTES`].
    pub fn too_large(len: u64) -> LoadError {
        LoadError {
            code: "file_too_large",
            message: format!(
                "the file is {:.1} MB; workflow files are limited to {} MB",
                len as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ),
            line: None,
            column: None,
        }
    }

    fn describe(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("line {l}, column {c}: {}", self.message),
            _ => self.message.clone(),
        }
    }
}

impl WorkflowFile {
    /// Parses a workflow file. Refuses files over [`MAX_FILE_BYTES`].
    pub fn from_json(text: &str) -> Result<WorkflowFile, LoadError> {
        if text.len() > MAX_FILE_BYTES {
            return Err(LoadError::too_large(text.len() as u64));
        }
        let file: WorkflowFile =
            serde_json::from_str(text).map_err(|e| parse_error(&e, "invalid_workflow"))?;
        if file.schema_version != SCHEMA_VERSION {
            return Err(LoadError {
                code: "unsupported_version",
                message: format!(
                    "schema_version {} is not supported by this version of Switchyard (it reads version {SCHEMA_VERSION})",
                    file.schema_version
                ),
                line: None,
                column: None,
            });
        }
        Ok(file)
    }

    /// The canonical text of this workflow: sorted keys, nodes sorted by id, edges sorted,
    /// two-space indentation and a trailing newline.
    pub fn to_canonical_json(&self) -> String {
        let mut file = self.clone();
        file.nodes.sort_by(|a, b| a.id.cmp(&b.id));
        file.edges.sort();
        file.notes.sort_by(|a, b| a.id.cmp(&b.id));
        let value = serde_json::to_value(&file).expect("a workflow always serializes");
        let mut out = String::with_capacity(4096);
        write_canonical(&value, 0, &mut out);
        out.push('\n');
        out
    }
}

/// A serde_json error as a [`LoadError`]: `invalid_json` (not JSON), `unknown_kind`,
/// `unknown_field`, else `shape_code` (JSON of the wrong shape), with line and column.
pub(crate) fn parse_error(e: &serde_json::Error, shape_code: &'static str) -> LoadError {
    let msg = e.to_string();
    // serde_json appends " at line L column C"; we report those separately.
    let msg = match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    };
    let code = if !e.is_data() {
        "invalid_json"
    } else if msg.starts_with("unknown variant") && shape_code == "invalid_workflow" {
        "unknown_kind"
    } else if msg.starts_with("unknown field") {
        "unknown_field"
    } else {
        shape_code
    };
    let message = if code == "unknown_kind" {
        msg.replacen("unknown variant", "unknown node kind", 1)
    } else {
        msg
    };
    LoadError {
        code,
        message,
        line: Some(e.line()),
        column: Some(e.column()),
    }
}

/// Writes JSON with object keys sorted, independent of serde_json's map ordering features.
pub(crate) fn write_canonical(value: &Json, indent: usize, out: &mut String) {
    const STEP: usize = 2;
    match value {
        Json::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push_str("{\n");
            for (i, key) in keys.iter().enumerate() {
                push_indent(out, indent + STEP);
                out.push_str(&Json::String((*key).clone()).to_string());
                out.push_str(": ");
                write_canonical(&map[key.as_str()], indent + STEP, out);
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
                write_canonical(item, indent + STEP, out);
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

fn push_indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// The JSON Schema of the workflow file format, generated from the types above.
pub fn json_schema() -> String {
    schema_text(&schemars::schema_for!(WorkflowFile))
}

/// A schema as canonical, pretty JSON (sorted keys), so regenerated files diff cleanly.
pub fn schema_text(schema: &schemars::Schema) -> String {
    let value = serde_json::to_value(schema).expect("schema serializes");
    let mut out = String::new();
    write_canonical(&value, 0, &mut out);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
  "schema_version": 1, "id": "demo", "name": "Demo",
  "nodes": [
    {"id": "b", "kind": "log", "params": {"message": "hi"}},
    {"id": "a", "kind": "manual_trigger", "position": {"x": 1.5, "y": -2}}
  ],
  "edges": [{"from": "a", "to": "b"}]
}"#;

    #[test]
    fn saving_is_canonical_and_stable() {
        let file = WorkflowFile::from_json(SAMPLE).unwrap();
        let once = file.to_canonical_json();
        let again = WorkflowFile::from_json(&once).unwrap().to_canonical_json();
        assert_eq!(
            once, again,
            "an unchanged workflow must save byte-identical"
        );
        assert!(once.find("\"id\": \"a\"").unwrap() < once.find("\"id\": \"b\"").unwrap());
        assert!(
            once.contains("\"from_port\": \"out\""),
            "defaults are written out: {once}"
        );
        assert!(once.ends_with("}\n"));
    }

    #[test]
    fn unknown_field_names_line_and_column() {
        let text =
            "{\n  \"schema_version\": 1,\n  \"id\": \"x\",\n  \"name\": \"X\",\n  \"colour\": 3\n}";
        let err = WorkflowFile::from_json(text).unwrap_err();
        assert_eq!(err.code, "unknown_field");
        assert_eq!(err.line, Some(5));
        assert!(err.message.contains("colour"), "{}", err.message);
    }

    #[test]
    fn unknown_kind_names_line_and_column() {
        let text = "{\"schema_version\": 1, \"id\": \"x\", \"name\": \"X\",\n \"nodes\": [{\"id\": \"a\", \"kind\": \"teleport\"}]}";
        let err = WorkflowFile::from_json(text).unwrap_err();
        assert_eq!(err.code, "unknown_kind");
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("teleport"), "{}", err.message);
        assert!(
            err.message.contains("http_request"),
            "lists the known kinds: {}",
            err.message
        );
    }

    #[test]
    fn invalid_json_and_huge_files_are_refused_clearly() {
        let err = WorkflowFile::from_json("{\"schema_version\": 1,,}").unwrap_err();
        assert_eq!(err.code, "invalid_json");
        assert_eq!((err.line, err.column), (Some(1), Some(22)));

        let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(50 * 1024 * 1024));
        let err = WorkflowFile::from_json(&huge).unwrap_err();
        assert_eq!(err.code, "file_too_large");
        assert!(err.message.contains("50.0 MB"), "{}", err.message);
    }

    #[test]
    fn other_schema_versions_are_refused() {
        let err = WorkflowFile::from_json(r#"{"schema_version": 2, "id": "x", "name": "X"}"#)
            .unwrap_err();
        assert_eq!(err.code, "unsupported_version");
    }
}

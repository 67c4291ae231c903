//! Problems found in a workflow, each with a stable code and the node (and setting) concerned.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The workflow cannot run until this is fixed.
    Error,
    /// The workflow runs, but probably not as meant.
    Warning,
}

/// One problem. `code` is stable: tools and the UI branch on it, never on `message`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Diagnostic {
    pub code: String,
    pub severity: Severity,
    /// The node concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// The setting concerned, e.g. `url` or `routes[1].condition`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Plain-language explanation.
    pub message: String,
    /// 1-based position in the file, for problems found while reading it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Diagnostic {
    pub fn error(code: &str, node: Option<&str>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: code.to_string(),
            severity: Severity::Error,
            node: node.map(str::to_string),
            field: None,
            message: message.into(),
            line: None,
            column: None,
        }
    }

    pub fn warning(code: &str, node: Option<&str>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, node, message)
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Diagnostic {
        self.field = Some(field.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl From<crate::file::LoadError> for Diagnostic {
    fn from(e: crate::file::LoadError) -> Diagnostic {
        Diagnostic {
            line: e.line,
            column: e.column,
            ..Diagnostic::error(e.code, None, e.message)
        }
    }
}

impl std::fmt::Display for Diagnostic {
    /// `NODE: CODE [FIELD] line L, column C: message` (the node is `-` for workflow-wide
    /// problems; field and position only when known).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let node = self.node.as_deref().unwrap_or("-");
        let warn = if self.is_error() { "" } else { " (warning)" };
        let field = self
            .field
            .as_deref()
            .map(|s| format!(" [{s}]"))
            .unwrap_or_default();
        let at = match (self.line, self.column) {
            (Some(l), Some(c)) => format!("line {l}, column {c}: "),
            _ => String::new(),
        };
        write!(f, "{node}: {}{warn}{field} {at}{}", self.code, self.message)
    }
}

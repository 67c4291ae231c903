//! Test suites, version 1: `<workflow id>.tests.json` beside the workflow file. Each case is an
//! input event (and optionally a trigger, variable overrides and mocked nodes) with what the run
//! must show: its status, the nodes reached or not, the route taken at branching nodes, and
//! output values (equal to, containing, or matching an expression).
//!
//! Loading is strict like workflow files (unknown fields are errors with a line and column);
//! saving is canonical (fields in a fixed order, data with sorted keys, cases in their own
//! order), so a suite diffs cleanly in git. [`check`] checks a suite against its workflow and compiles the
//! `matches` expressions before anything runs.

mod canonical;
mod check;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value as Json;

use crate::file::{parse_error, LoadError, MAX_FILE_BYTES};

pub use check::{check, CheckedSuite, MATCH_ROOTS};

/// The only suite format version this build reads and writes.
pub const TESTS_VERSION: u32 = 1;
/// How a suite's file name ends: `lead-processing.tests.json`.
pub const TESTS_SUFFIX: &str = ".tests.json";

/// Whether a file name is a test suite's (`*.tests.json`), not a workflow's.
pub fn is_suite_file_name(name: &str) -> bool {
    name.ends_with(TESTS_SUFFIX)
}

/// The file name of a workflow's suite.
pub fn suite_file_name(workflow_id: &str) -> String {
    format!("{workflow_id}{TESTS_SUFFIX}")
}

/// The test cases of one workflow, as stored on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Switchyard test suite (v1)")]
pub struct TestSuite {
    /// Format version; always 1 for this format.
    pub schema_version: u32,
    /// The id of the workflow the cases run.
    pub workflow: String,
    /// The cases, in the order they run and are listed.
    #[serde(default)]
    pub cases: Vec<TestCase>,
}

/// One input and what the run must show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// Unique within the suite; reports name the case by it.
    pub name: String,
    /// What the case is about, in plain language.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The trigger node the run starts from (default: the manual trigger, else the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    /// The event. Absent: the trigger's sample event.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub event: Option<Json>,
    /// Workflow variables overridden for this case.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<String, Json>,
    /// Nodes that do not run in this case: each gives an output (sent to `out`, or to the
    /// ports given) or an error (as if the node failed: its `error` port catches it, or the run
    /// fails). For example, the CRM being down, or the AI answering "hot".
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub mocks: BTreeMap<String, Mock>,
    #[serde(default)]
    pub expect: Expect,
}

/// What a mocked node returns instead of running.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mock {
    /// The output the node gives (exactly one of `output` and `error`).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub output: Option<Json>,
    /// The outputs that output goes to; by default `out`. A node that chooses a route
    /// (Condition, Switch, Filter, AI classify) needs them, e.g. `["hot"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<String>,
    /// The failure the node reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<MockError>,
}

/// A failure a mocked node reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MockError {
    /// For example `http_status`, `timeout`.
    pub code: String,
    #[serde(default)]
    pub message: String,
}

/// What the run must show. Every part is optional; an absent `status` means `succeeded`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// How the run ends (default `succeeded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ExpectedStatus>,
    /// For a run expected to fail: where and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ExpectedError>,
    /// Nodes that must run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reached: Vec<String>,
    /// Nodes that must not run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_reached: Vec<String>,
    /// Branching node id to the output port it must take (or every port it must take, in any
    /// order; `[]` for a Filter that stops its branch).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub route: BTreeMap<String, Ports>,
    /// Checks of node outputs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<OutputCheck>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExpectedStatus {
    Succeeded,
    Failed,
}

impl ExpectedStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ExpectedStatus::Succeeded => "succeeded",
            ExpectedStatus::Failed => "failed",
        }
    }
}

/// Where a run expected to fail fails, and with which error code.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectedError {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// One port, or a set of ports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Ports {
    One(String),
    Many(Vec<String>),
}

impl Ports {
    /// The ports, sorted.
    pub fn sorted(&self) -> Vec<String> {
        let mut v = match self {
            Ports::One(p) => vec![p.clone()],
            Ports::Many(ps) => ps.clone(),
        };
        v.sort();
        v.dedup();
        v
    }
}

/// A check of one value in a node's output. At least one of `equals`, `contains`, `matches`
/// and `exists` is given; each given one must hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputCheck {
    pub node: String,
    /// Dotted path inside the output, e.g. `label` or `would_send.body.email` or `items.0`;
    /// empty for the whole output.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// The value must be equal (numbers compare by value: 1 equals 1.0).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub equals: Option<Json>,
    /// Text: contains this text; list: contains this element; object: has these fields with
    /// these values.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub contains: Option<Json>,
    /// An expression that must be true, e.g. `value > 0.5` or `value | length >= 300`; reads
    /// `value` (the value at `path`), `event`, `vars` and `nodes.<id>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches: Option<String>,
    /// Whether the path must exist (`true`) or must not (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
}

/// `Some(value)` whenever the field is present, `null` included (`Option`'s own `Deserialize`
/// would read `null` as absent).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Json>, D::Error> {
    Json::deserialize(d).map(Some)
}

impl TestSuite {
    /// An empty suite for `workflow`.
    pub fn empty(workflow: &str) -> TestSuite {
        TestSuite {
            schema_version: TESTS_VERSION,
            workflow: workflow.to_string(),
            cases: Vec::new(),
        }
    }

    /// Parses a suite. Codes: `file_too_large`, `invalid_json`, `unknown_field`,
    /// `invalid_test_suite` (JSON of the wrong shape), `unsupported_version`.
    pub fn from_json(text: &str) -> Result<TestSuite, LoadError> {
        if text.len() > MAX_FILE_BYTES {
            return Err(LoadError::too_large(text.len() as u64));
        }
        let suite: TestSuite =
            serde_json::from_str(text).map_err(|e| parse_error(&e, "invalid_test_suite"))?;
        if suite.schema_version != TESTS_VERSION {
            return Err(LoadError {
                code: "unsupported_version",
                message: format!(
                    "schema_version {} is not supported by this version of Switchyard (it reads test suites of version {TESTS_VERSION})",
                    suite.schema_version
                ),
                line: None,
                column: None,
            });
        }
        Ok(suite)
    }

    /// The canonical text: the suite's fields in a fixed order (a case's `name` first, its
    /// `expect` last), data with sorted keys, cases in their order, short lists and objects of
    /// plain values on one line, two-space indentation and a trailing newline.
    pub fn to_canonical_json(&self) -> String {
        let value = serde_json::to_value(self).expect("a test suite always serializes");
        canonical::write(&value)
    }

    pub fn case(&self, name: &str) -> Option<&TestCase> {
        self.cases.iter().find(|c| c.name == name)
    }
}

/// The JSON Schema of the test suite format.
pub fn json_schema() -> String {
    crate::file::schema_text(&schemars::schema_for!(TestSuite))
}

#[cfg(test)]
mod tests;

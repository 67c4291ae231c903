//! Checks a test suite against its workflow before anything runs: every node named exists,
//! routes name ports the node has, triggers are triggers, mocks are possible, and every
//! `matches` expression compiles and reads only what it can. Each problem is a
//! [`Diagnostic`] with a stable code, the node concerned, the place in the suite
//! (`cases[2].expect.route.classify`) and the case's name in its message.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::catalog::descriptor;
use crate::diagnostic::Diagnostic;
use crate::expr::{ExprId, Expressions};
use crate::file::{Node, WorkflowFile};
use crate::kind::NodeKind;

use super::{ExpectedStatus, TestCase, TestSuite};

/// What a `matches` expression may read.
pub const MATCH_ROOTS: &[&str] = &["value", "event", "vars", "nodes"];
/// minijinja's global functions.
const GLOBALS: &[&str] = &["range", "dict", "namespace", "lipsum", "cycler", "joiner"];

/// A suite checked against its workflow, with its expressions compiled.
#[derive(Debug)]
pub struct CheckedSuite {
    /// Every problem found. Errors stop the case concerned (or, for the suite's own
    /// problems, every case) from running.
    pub diagnostics: Vec<Diagnostic>,
    expressions: Expressions,
    matchers: HashMap<(usize, usize), ExprId>,
    /// Per case: whether it has an error of its own.
    case_errors: Vec<bool>,
    suite_error: bool,
}

impl CheckedSuite {
    /// Whether case `i` can run.
    pub fn runnable(&self, case: usize) -> bool {
        !self.suite_error && !self.case_errors.get(case).copied().unwrap_or(true)
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The problems of case `i` (field paths start with `cases[i]`), and the suite's own.
    pub fn case_diagnostics(&self, case: usize) -> Vec<Diagnostic> {
        let prefix = format!("cases[{case}]");
        self.diagnostics
            .iter()
            .filter(|d| match d.field.as_deref() {
                Some(f) => f == prefix || f.starts_with(&format!("{prefix}.")),
                None => true,
            })
            .cloned()
            .collect()
    }

    /// The compiled `matches` of output check `check` of case `case`.
    pub fn matcher(&self, case: usize, check: usize) -> Option<ExprId> {
        self.matchers.get(&(case, check)).copied()
    }

    pub fn expressions(&self) -> &Expressions {
        &self.expressions
    }
}

/// Checks `suite` against `workflow` (the file as saved, or an unsaved draft).
pub fn check(suite: &TestSuite, workflow: &WorkflowFile) -> CheckedSuite {
    let nodes: HashMap<&str, &Node> = workflow.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let mut out = CheckedSuite {
        diagnostics: Vec::new(),
        expressions: Expressions::new(),
        matchers: HashMap::new(),
        case_errors: vec![false; suite.cases.len()],
        suite_error: false,
    };
    if suite.workflow != workflow.id {
        out.diagnostics.push(
            Diagnostic::error(
                "workflow_mismatch",
                None,
                format!(
                    "the suite is for the workflow \"{}\", not \"{}\"",
                    suite.workflow, workflow.id
                ),
            )
            .with_field("workflow"),
        );
        out.suite_error = true;
    }
    if suite.cases.is_empty() {
        out.diagnostics.push(
            Diagnostic::warning("no_cases", None, "the suite has no test cases yet")
                .with_field("cases"),
        );
    }
    let mut names = HashSet::new();
    for (i, case) in suite.cases.iter().enumerate() {
        let mut cx = CaseCx {
            i,
            case,
            nodes: &nodes,
            workflow,
            diags: Vec::new(),
        };
        if case.name.trim().is_empty() {
            cx.error(
                "invalid_test_case",
                None,
                "name",
                "every case needs a name".into(),
            );
        } else if !names.insert(case.name.as_str()) {
            cx.error(
                "duplicate_case",
                None,
                "name",
                "another case has the same name; names must be unique".into(),
            );
        }
        cx.check_case(&mut out.expressions, &mut out.matchers);
        if cx.diags.iter().any(Diagnostic::is_error) {
            out.case_errors[i] = true;
        }
        out.diagnostics.append(&mut cx.diags);
    }
    out
}

struct CaseCx<'a> {
    i: usize,
    case: &'a TestCase,
    nodes: &'a HashMap<&'a str, &'a Node>,
    workflow: &'a WorkflowFile,
    diags: Vec<Diagnostic>,
}

impl CaseCx<'_> {
    fn push(&mut self, d: Diagnostic, field: &str) {
        let name = if self.case.name.trim().is_empty() {
            format!("case {}", self.i + 1)
        } else {
            format!("case \"{}\"", self.case.name)
        };
        let message = format!("{name}: {}", d.message);
        let field = if field.is_empty() {
            format!("cases[{}]", self.i)
        } else {
            format!("cases[{}].{field}", self.i)
        };
        self.diags
            .push(Diagnostic { message, ..d }.with_field(field));
    }

    fn error(&mut self, code: &str, node: Option<&str>, field: &str, message: String) {
        self.push(Diagnostic::error(code, node, message), field);
    }

    fn warning(&mut self, code: &str, node: Option<&str>, field: &str, message: String) {
        self.push(Diagnostic::warning(code, node, message), field);
    }

    /// Whether `id` is a node of the workflow; reports `unknown_node` when not.
    fn known(&mut self, id: &str, field: &str) -> bool {
        if self.nodes.contains_key(id) {
            return true;
        }
        let mut ids: Vec<&str> = self.nodes.keys().copied().collect();
        ids.sort();
        let message = format!(
            "the workflow \"{}\" has no node \"{id}\"; its nodes are: {}",
            self.workflow.id,
            ids.join(", ")
        );
        self.error("unknown_node", Some(id), field, message);
        false
    }

    fn check_case(&mut self, ex: &mut Expressions, matchers: &mut HashMap<(usize, usize), ExprId>) {
        let case = self.case;
        if let Some(t) = &case.trigger {
            if self.known(t, "trigger") && !self.nodes[t.as_str()].kind.is_trigger() {
                self.error(
                    "not_a_trigger",
                    Some(t),
                    "trigger",
                    format!("\"{t}\" is not a trigger, so a run cannot start from it"),
                );
            }
        } else if !self.workflow.nodes.iter().any(|n| n.kind.is_trigger()) {
            self.error(
                "no_trigger",
                None,
                "",
                "the workflow has no trigger to start from".into(),
            );
        }
        for name in case.vars.keys() {
            if !self.workflow.vars.contains_key(name) {
                self.warning(
                    "unknown_variable",
                    None,
                    &format!("vars.{name}"),
                    format!(
                        "the workflow has no variable \"{name}\"; the override adds it (check the spelling)"
                    ),
                );
            }
        }
        for (id, mock) in &case.mocks {
            let field = format!("mocks.{id}");
            if !self.known(id, &field) {
                continue;
            }
            let node = self.nodes[id.as_str()];
            let kind = node.kind;
            if mock.output.is_some() == mock.error.is_some() {
                self.error(
                    "invalid_mock",
                    Some(id),
                    &field,
                    "a mock gives either an output or an error".into(),
                );
            } else if kind.is_trigger()
                || matches!(
                    kind,
                    NodeKind::ForEach | NodeKind::Collect | NodeKind::Merge
                )
            {
                self.error(
                    "invalid_mock",
                    Some(id),
                    &field,
                    format!(
                        "\"{id}\" ({}) cannot be mocked: a trigger's output is the case's event, and loops and merges only pass data on",
                        kind.as_str()
                    ),
                );
            } else if mock.error.is_some() && !mock.ports.is_empty() {
                self.error(
                    "invalid_mock",
                    Some(id),
                    &format!("{field}.ports"),
                    "a failing mock sends nothing: its error goes to the `error` port".into(),
                );
            } else if chooses_route(kind) && mock.output.is_some() && mock.ports.is_empty() {
                self.error(
                    "invalid_mock",
                    Some(id),
                    &format!("{field}.ports"),
                    format!(
                        "\"{id}\" ({}) chooses a route: say which outputs the mock takes, e.g. \"ports\": [\"{}\"]",
                        kind.as_str(),
                        output_ports(node).into_iter().find(|p| p != "error" && p != "out").unwrap_or_else(|| "out".into())
                    ),
                );
            } else {
                let has = output_ports(node);
                for p in &mock.ports {
                    if !has.contains(p) {
                        let list: Vec<&str> = has.iter().map(String::as_str).collect();
                        self.error(
                            "unknown_port",
                            Some(id),
                            &format!("{field}.ports"),
                            format!(
                                "\"{id}\" has no output \"{p}\"; its outputs are: {}",
                                list.join(", ")
                            ),
                        );
                    }
                }
            }
        }
        self.check_expect(ex, matchers);
    }

    fn check_expect(
        &mut self,
        ex: &mut Expressions,
        matchers: &mut HashMap<(usize, usize), ExprId>,
    ) {
        let e = &self.case.expect;
        if let Some(err) = &e.error {
            if e.status == Some(ExpectedStatus::Succeeded) {
                self.error(
                    "contradictory_expectation",
                    None,
                    "expect.error",
                    "an error is expected but so is success: set status to failed".into(),
                );
            }
            if let Some(n) = &err.node {
                self.known(n, "expect.error.node");
            }
        }
        for (i, id) in e.reached.iter().enumerate() {
            self.known(id, &format!("expect.reached[{i}]"));
        }
        for (i, id) in e.not_reached.iter().enumerate() {
            let field = format!("expect.not_reached[{i}]");
            if self.known(id, &field) && e.reached.contains(id) {
                self.error(
                    "contradictory_expectation",
                    Some(id),
                    &field,
                    format!("\"{id}\" is expected both to run and not to run"),
                );
            }
        }
        for (id, ports) in &e.route {
            let field = format!("expect.route.{id}");
            if !self.known(id, &field) {
                continue;
            }
            let has = output_ports(self.nodes[id.as_str()]);
            for p in ports.sorted() {
                if !has.contains(&p) {
                    let list: Vec<&str> = has.iter().map(String::as_str).collect();
                    self.error(
                        "unknown_port",
                        Some(id),
                        &field,
                        format!(
                            "\"{id}\" has no output \"{p}\"; its outputs are: {}",
                            list.join(", ")
                        ),
                    );
                }
            }
        }
        for (k, check) in e.outputs.iter().enumerate() {
            let field = format!("expect.outputs[{k}]");
            self.known(&check.node, &format!("{field}.node"));
            if check.equals.is_none()
                && check.contains.is_none()
                && check.matches.is_none()
                && check.exists.is_none()
            {
                self.error(
                    "empty_expectation",
                    Some(&check.node),
                    &field,
                    "say what to check: equals, contains, matches or exists".into(),
                );
            }
            if check.path.split('.').any(str::is_empty) && !check.path.is_empty() {
                self.error(
                    "invalid_path",
                    Some(&check.node),
                    &format!("{field}.path"),
                    format!(
                        "\"{}\" is not a path: use field names separated by dots, e.g. would_send.body.email",
                        check.path
                    ),
                );
            }
            if let Some(source) = &check.matches {
                let field = format!("{field}.matches");
                match ex.compile_expression(source) {
                    Ok(id) => {
                        if self.check_reads(ex, id, &check.node, &field) {
                            matchers.insert((self.i, k), id);
                        }
                    }
                    Err(err) => self.error(
                        "expression_syntax",
                        Some(&check.node),
                        &field,
                        format!(
                            "`{}` is not a valid expression: {}",
                            source.trim(),
                            err.message
                        ),
                    ),
                }
            }
        }
    }

    /// Whether what the expression reads exists; reports `unknown_variable`/`unknown_node`.
    fn check_reads(&mut self, ex: &Expressions, id: ExprId, node: &str, field: &str) -> bool {
        let mut ok = true;
        for path in ex.references(id) {
            let root = path[0].as_str();
            if GLOBALS.contains(&root) {
                continue;
            }
            if !MATCH_ROOTS.contains(&root) {
                ok = false;
                self.error(
                    "unknown_variable",
                    Some(node),
                    field,
                    format!(
                        "`{root}` cannot be read here; a check reads {}",
                        MATCH_ROOTS.join(", ")
                    ),
                );
            } else if root == "nodes" {
                if let Some(target) = path.get(1) {
                    ok &= self.known(target, field);
                }
            }
        }
        ok
    }
}

/// Kinds whose job is to choose where the data goes.
fn chooses_route(kind: NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::Condition | NodeKind::Switch | NodeKind::Filter | NodeKind::AiClassify
    )
}

/// The output ports of a node as written in the file: its kind's, `error`, and those named by
/// a list setting (Switch routes, AI classify labels).
fn output_ports(node: &Node) -> BTreeSet<String> {
    let d = descriptor(node.kind);
    let mut ports: BTreeSet<String> = d.outputs.iter().map(|p| p.name.clone()).collect();
    if d.error_port {
        ports.insert("error".into());
    }
    if let Some(dynamic) = &d.dynamic_outputs {
        if let Some(items) = node.params.get(&dynamic.field).and_then(|v| v.as_array()) {
            for item in items {
                if let Some(name) = item.get(&dynamic.name_key).and_then(|v| v.as_str()) {
                    ports.insert(name.to_string());
                }
            }
        }
    }
    ports
}

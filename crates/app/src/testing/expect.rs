//! Checks a run against a case's expectations; every failure says what was expected, what
//! happened and, for objects and lists, which fields differ.

use std::sync::Arc;

use serde_json::Value as Json;
use switchyard_core::expr::{Outputs, Scope};
use switchyard_core::testsuite::{CheckedSuite, ExpectedStatus, OutputCheck, TestCase};
use switchyard_core::Plan;
use switchyard_engine::RunReport;

use super::route::{ports_text, ran, taken};
use super::types::{Difference, Failure, Route};

/// At most this many differences are listed for one value.
const MAX_DIFFERENCES: usize = 50;

/// What a case's run gave, to check against its expectations.
pub struct Ran<'a> {
    pub plan: &'a Plan,
    pub report: &'a RunReport,
    pub route: &'a Route,
    pub event: Arc<Json>,
    /// The workflow's variables with the case's overrides.
    pub vars: Arc<Json>,
}

/// The expectations of case `index` of `checked` that `ran` does not meet.
pub fn evaluate(index: usize, case: &TestCase, checked: &CheckedSuite, run: &Ran) -> Vec<Failure> {
    let mut out = Vec::new();
    let e = &case.expect;
    let report = run.report;
    let want = e.status.unwrap_or(ExpectedStatus::Succeeded);
    let got = report.status.as_str();
    if want.as_str() != got {
        let how = match (&report.failed_node, &report.error) {
            (Some(n), Some(err)) => format!(" at {n}: {} ({})", err.message, err.code),
            (None, Some(err)) => format!(": {} ({})", err.message, err.code),
            _ => String::new(),
        };
        out.push(failure(
            "status",
            None,
            format!("the run {got}{how}; expected it to have {}", want.as_str()),
            Some(Json::from(want.as_str())),
            Some(Json::from(got)),
        ));
    }
    if let Some(err) = &e.error {
        if let Some(node) = &err.node {
            if report.failed_node.as_ref() != Some(node) {
                let actual = report.failed_node.clone();
                let message = match &actual {
                    Some(n) => format!("the run failed at {n}, expected at {node}"),
                    None => {
                        format!("the run did not fail at a node; expected it to fail at {node}")
                    }
                };
                out.push(failure(
                    "error",
                    Some(node),
                    message,
                    Some(node.as_str().into()),
                    actual.map(Json::from),
                ));
            }
        }
        if let Some(code) = &err.code {
            let actual = report.error.as_ref().map(|e| e.code.clone());
            if actual.as_ref() != Some(code) {
                let message = match &actual {
                    Some(c) => format!("the run failed with {c}, expected {code}"),
                    None => format!("the run reported no error; expected {code}"),
                };
                out.push(failure(
                    "error",
                    None,
                    message,
                    Some(code.as_str().into()),
                    actual.map(Json::from),
                ));
            }
        }
    }
    let status_of = |id: &str| {
        report
            .node(id)
            .map(|n| {
                serde_json::to_value(n.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            })
            .unwrap_or_else(|| "absent".into())
    };
    let has_run = |id: &str| report.node(id).is_some_and(ran);
    for id in &e.reached {
        if !has_run(id) {
            out.push(failure(
                "reached",
                Some(id),
                format!("{id} did not run ({}); expected it to", status_of(id)),
                None,
                None,
            ));
        }
    }
    for id in &e.not_reached {
        if has_run(id) {
            out.push(failure(
                "not_reached",
                Some(id),
                format!("{id} ran; expected it not to"),
                None,
                None,
            ));
        }
    }
    for (id, ports) in &e.route {
        let expected = ports.sorted();
        let Some(n) = report.node(id).filter(|n| ran(n)) else {
            out.push(failure(
                "route",
                Some(id),
                format!(
                    "{id} did not run ({}); expected it to take {}",
                    status_of(id),
                    ports_text(&expected)
                ),
                Some(ports_json(&expected)),
                None,
            ));
            continue;
        };
        let mut actual = match run.route.steps.iter().find(|s| &s.node == id) {
            Some(step) => step.ports.clone(),
            None => taken(&n.ports),
        };
        actual.sort();
        if actual != expected {
            out.push(failure(
                "route",
                Some(id),
                format!(
                    "{id} took {}, expected {}",
                    ports_text(&actual),
                    ports_text(&expected)
                ),
                Some(ports_json(&expected)),
                Some(ports_json(&actual)),
            ));
        }
    }
    for (k, check) in e.outputs.iter().enumerate() {
        check_output(check, checked, index, k, run, &mut out);
    }
    out
}

fn ports_json(ports: &[String]) -> Json {
    match ports {
        [one] => Json::from(one.as_str()),
        many => Json::from(many.to_vec()),
    }
}

fn failure(
    check: &str,
    node: Option<&str>,
    message: String,
    expected: Option<Json>,
    actual: Option<Json>,
) -> Failure {
    Failure {
        check: check.to_string(),
        node: node.map(str::to_string),
        path: None,
        message,
        expected,
        actual,
        differences: Vec::new(),
    }
}

fn check_output(
    check: &OutputCheck,
    checked: &CheckedSuite,
    case: usize,
    k: usize,
    run: &Ran,
    out: &mut Vec<Failure>,
) {
    let node = check.node.as_str();
    let shown = if check.path.is_empty() {
        node.to_string()
    } else {
        format!("{node}.{}", check.path)
    };
    let fail = |message: String, expected: Option<Json>, actual: Option<Json>| Failure {
        check: "output".into(),
        node: Some(node.to_string()),
        path: (!check.path.is_empty()).then(|| check.path.clone()),
        message,
        expected,
        actual,
        differences: Vec::new(),
    };
    let Some(output) = run.report.node(node).and_then(|n| n.output.clone()) else {
        out.push(fail(
            format!("{node} has no output (it did not run or it failed)"),
            None,
            None,
        ));
        return;
    };
    let value = match lookup(&output, &check.path) {
        Ok(v) => Some(v),
        Err(why) => {
            if check.exists != Some(false) {
                out.push(fail(format!("`{shown}` does not exist{why}"), None, None));
                return;
            }
            None
        }
    };
    if let Some(exists) = check.exists {
        if exists != value.is_some() {
            // Only `exists: false` on a present value gets here.
            out.push(fail(
                format!("`{shown}` exists; expected it not to"),
                None,
                value.cloned(),
            ));
        }
    }
    let Some(value) = value else { return };
    if let Some(expected) = &check.equals {
        if !json_equal(expected, value) {
            let mut f = fail(
                format!(
                    "`{shown}` is {}, expected {}",
                    brief(value),
                    brief(expected)
                ),
                Some(expected.clone()),
                Some(value.clone()),
            );
            if is_container(expected) && is_container(value) {
                diff(expected, value, "", &mut f.differences);
                f.message = format!("`{shown}` differs: {}", describe(&f.differences));
            }
            out.push(f);
        }
    }
    if let Some(part) = &check.contains {
        if let Err(mut differences) = contains(part, value) {
            differences.truncate(MAX_DIFFERENCES);
            let mut f = fail(
                format!("`{shown}` does not contain {}", brief(part)),
                Some(part.clone()),
                Some(value.clone()),
            );
            if !differences.is_empty() {
                f.message = format!(
                    "`{shown}` does not contain what was expected: {}",
                    describe(&differences)
                );
            }
            f.differences = differences;
            out.push(f);
        }
    }
    if let (Some(source), Some(id)) = (&check.matches, checked.matcher(case, k)) {
        let outputs = Outputs::new(run.plan.index.clone());
        for (i, n) in run.plan.nodes.iter().enumerate() {
            if let Some(o) = run.report.node(&n.id).and_then(|r| r.output.clone()) {
                outputs.set(i, o);
            }
        }
        let mut scope = Scope::for_event(Json::Null);
        scope.event = run.event.clone();
        scope.input = run.event.clone();
        scope.vars = run.vars.clone();
        scope.outputs = Some(Arc::new(outputs));
        scope.value = Some(Arc::new(value.clone()));
        match checked.expressions().eval_bool(id, &scope) {
            Ok(true) => {}
            Ok(false) => out.push(fail(
                format!(
                    "`{}` is false for `{shown}` = {}",
                    source.trim(),
                    brief(value)
                ),
                Some(Json::String(source.trim().to_string())),
                Some(value.clone()),
            )),
            Err(e) => out.push(fail(
                format!("`{}` could not be checked: {}", source.trim(), e.message),
                Some(Json::String(source.trim().to_string())),
                Some(value.clone()),
            )),
        }
    }
}

/// The value at a dotted path (`a.b.0.c`); the error says what is there instead.
pub fn lookup<'a>(root: &'a Json, path: &str) -> Result<&'a Json, String> {
    let mut cur = root;
    let mut at = String::new();
    for seg in path.split('.').filter(|s| !s.is_empty()) {
        let next = match cur {
            Json::Object(m) => m.get(seg),
            Json::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        let Some(next) = next else {
            let place = if at.is_empty() {
                "the output".to_string()
            } else {
                format!("`{at}`")
            };
            return Err(match cur {
                Json::Object(m) if !m.is_empty() => {
                    let keys: Vec<&str> = m.keys().map(String::as_str).take(12).collect();
                    format!("; {place} has {}", keys.join(", "))
                }
                Json::Array(a) => format!("; {place} is a list of {}", a.len()),
                other => format!("; {place} is {}", brief(other)),
            });
        };
        at = if at.is_empty() {
            seg.to_string()
        } else {
            format!("{at}.{seg}")
        };
        cur = next;
    }
    Ok(cur)
}

/// JSON equality where numbers compare by value (1 equals 1.0).
pub fn json_equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Text contains text; a list contains an element; an object has the given fields (each
/// compared with [`contains`] again for objects, else equal). The error lists what is missing.
fn contains(part: &Json, whole: &Json) -> Result<(), Vec<Difference>> {
    match (part, whole) {
        (Json::String(p), Json::String(w)) => {
            if w.contains(p.as_str()) {
                Ok(())
            } else {
                Err(Vec::new())
            }
        }
        (_, Json::Array(items)) => {
            if items
                .iter()
                .any(|i| json_equal(part, i) || (part.is_object() && contains(part, i).is_ok()))
            {
                Ok(())
            } else {
                Err(Vec::new())
            }
        }
        (Json::Object(p), Json::Object(w)) => {
            let mut diffs = Vec::new();
            for (k, v) in p {
                match w.get(k) {
                    None => diffs.push(Difference {
                        path: k.clone(),
                        expected: Some(v.clone()),
                        actual: None,
                    }),
                    Some(got) => {
                        let ok = if v.is_object() {
                            contains(v, got).is_ok()
                        } else {
                            json_equal(v, got)
                        };
                        if !ok {
                            diffs.push(Difference {
                                path: k.clone(),
                                expected: Some(v.clone()),
                                actual: Some(got.clone()),
                            });
                        }
                    }
                }
            }
            if diffs.is_empty() {
                Ok(())
            } else {
                Err(diffs)
            }
        }
        _ => Err(Vec::new()),
    }
}

fn is_container(v: &Json) -> bool {
    v.is_object() || v.is_array()
}

/// The fields where `actual` differs from `expected`, by dotted path.
pub fn diff(expected: &Json, actual: &Json, path: &str, out: &mut Vec<Difference>) {
    if out.len() >= MAX_DIFFERENCES {
        return;
    }
    let at = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (expected, actual) {
        (Json::Object(e), Json::Object(a)) => {
            let mut keys: Vec<&String> = e
                .keys()
                .chain(a.keys().filter(|k| !e.contains_key(*k)))
                .collect();
            keys.sort();
            for k in keys {
                match (e.get(k), a.get(k)) {
                    (Some(x), Some(y)) => diff(x, y, &at(k), out),
                    (x, y) => out.push(Difference {
                        path: at(k),
                        expected: x.cloned(),
                        actual: y.cloned(),
                    }),
                }
            }
        }
        (Json::Array(e), Json::Array(a)) => {
            for i in 0..e.len().max(a.len()) {
                match (e.get(i), a.get(i)) {
                    (Some(x), Some(y)) => diff(x, y, &at(&i.to_string()), out),
                    (x, y) => out.push(Difference {
                        path: at(&i.to_string()),
                        expected: x.cloned(),
                        actual: y.cloned(),
                    }),
                }
            }
        }
        (x, y) if !json_equal(x, y) => out.push(Difference {
            path: if path.is_empty() {
                ".".into()
            } else {
                path.to_string()
            },
            expected: Some(x.clone()),
            actual: Some(y.clone()),
        }),
        _ => {}
    }
}

/// The first differences in words: `name` is "Ada", expected "Bo"; `phone` is missing ...
fn describe(differences: &[Difference]) -> String {
    const SHOWN: usize = 3;
    let mut parts: Vec<String> = differences
        .iter()
        .take(SHOWN)
        .map(|d| match (&d.expected, &d.actual) {
            (Some(e), Some(a)) => format!("`{}` is {}, expected {}", d.path, brief(a), brief(e)),
            (Some(e), None) => format!("`{}` is missing, expected {}", d.path, brief(e)),
            (None, Some(a)) => format!("`{}` is {}, not expected", d.path, brief(a)),
            (None, None) => format!("`{}`", d.path),
        })
        .collect();
    if differences.len() > SHOWN {
        parts.push(format!("and {} more", differences.len() - SHOWN));
    }
    parts.join("; ")
}

/// A value as a message shows it: JSON, cut after 80 characters.
pub fn brief(v: &Json) -> String {
    let text = v.to_string();
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

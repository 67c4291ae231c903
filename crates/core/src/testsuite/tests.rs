use super::*;
use crate::WorkflowFile;

const WORKFLOW: &str = r#"{
  "schema_version": 1, "id": "leads", "name": "Leads",
  "nodes": [
    {"id": "form", "kind": "webhook_trigger", "params": {"path": "lead"}},
    {"id": "score", "kind": "set", "params": {"fields": {"value": "{{ event.budget }}"}}},
    {"id": "gate", "kind": "condition", "params": {"condition": "nodes.score.value > 100"}},
    {"id": "crm", "kind": "http_request", "params": {"url": "https://crm.example.com", "method": "POST"}},
    {"id": "tag", "kind": "switch", "params": {"routes": [{"name": "vip", "condition": "true"}]}}
  ],
  "edges": [
    {"from": "form", "to": "score"}, {"from": "score", "to": "gate"},
    {"from": "gate", "from_port": "true", "to": "crm"}, {"from": "gate", "from_port": "false", "to": "tag"}
  ],
  "vars": {"limit": 3}
}"#;

fn workflow() -> WorkflowFile {
    WorkflowFile::from_json(WORKFLOW).unwrap()
}

fn suite(cases: &str) -> TestSuite {
    TestSuite::from_json(&format!(
        r#"{{"schema_version": 1, "workflow": "leads", "cases": {cases}}}"#
    ))
    .unwrap()
}

fn codes(c: &CheckedSuite) -> Vec<(String, Option<String>)> {
    c.diagnostics
        .iter()
        .map(|d| (d.code.clone(), d.field.clone()))
        .collect()
}

#[test]
fn a_good_suite_checks_clean_and_saves_canonically() {
    let s = suite(
        r#"[{"name": "Big budget goes to the CRM", "event": {"budget": 500},
            "expect": {"reached": ["crm"], "not_reached": ["tag"], "route": {"gate": "true"},
                       "outputs": [{"node": "score", "path": "value", "equals": 500},
                                   {"node": "score", "path": "value", "matches": "value > vars.limit and nodes.score.value == event.budget"},
                                   {"node": "crm", "path": "x", "equals": null}]}}]"#,
    );
    let checked = check(&s, &workflow());
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    assert!(checked.runnable(0));
    assert!(checked.matcher(0, 1).is_some());
    assert_eq!(
        s.cases[0].expect.outputs[2].equals,
        Some(Json::Null),
        "null is a value to compare with"
    );

    let text = s.to_canonical_json();
    assert_eq!(TestSuite::from_json(&text).unwrap(), s);
    assert_eq!(
        TestSuite::from_json(&text).unwrap().to_canonical_json(),
        text,
        "stable"
    );
    assert!(
        text.find("\"workflow\"").unwrap() < text.find("\"cases\"").unwrap()
            && text.find("\"name\"").unwrap() < text.find("\"event\"").unwrap()
            && text.find("\"event\"").unwrap() < text.find("\"expect\"").unwrap(),
        "the suite's fields in their order: {text}"
    );
    assert!(
        text.contains("\"reached\": [\"crm\"]"),
        "short lists on one line: {text}"
    );
    assert!(text.contains("\"equals\": null"), "{text}");
    assert!(
        !text.contains("\"mocks\""),
        "empty parts are left out: {text}"
    );
    assert!(text.ends_with("}\n"));
}

#[test]
fn malformed_files_are_refused_with_codes_and_positions() {
    let err = TestSuite::from_json("{\"schema_version\": 1,").unwrap_err();
    assert_eq!(err.code, "invalid_json");
    let err = TestSuite::from_json(
        "{\"schema_version\": 1, \"workflow\": \"x\",\n \"cases\": [{\"name\": \"a\", \"expct\": {}}]}",
    )
    .unwrap_err();
    assert_eq!(err.code, "unknown_field");
    assert_eq!(err.line, Some(2));
    assert!(err.message.contains("expct"), "{}", err.message);
    let err = TestSuite::from_json(r#"{"schema_version": 1, "workflow": 3}"#).unwrap_err();
    assert_eq!(err.code, "invalid_test_suite");
    let err = TestSuite::from_json(r#"{"schema_version": 7, "workflow": "x"}"#).unwrap_err();
    assert_eq!(err.code, "unsupported_version");
}

#[test]
fn every_problem_is_found_with_the_case_and_place_named() {
    let s = suite(
        r#"[{"name": "a", "trigger": "score", "vars": {"limt": 1},
             "expect": {"reached": ["nope"], "route": {"gate": "maybe"},
                        "outputs": [{"node": "score", "path": "value"},
                                    {"node": "score", "matches": "value >"},
                                    {"node": "score", "matches": "input.x == 1"},
                                    {"node": "score", "matches": "nodes.ghost.x == 1"},
                                    {"node": "score", "path": "a..b", "exists": true}]}},
            {"name": "a", "mocks": {"gate": {"output": {}}, "crm": {}, "form": {"output": {}},
                                    "tag": {"output": {}, "ports": ["nope"]}},
             "expect": {"status": "succeeded", "error": {"code": "timeout"}, "reached": ["crm"], "not_reached": ["crm"]}},
            {"name": "fine", "mocks": {"crm": {"error": {"code": "http_status", "message": "503"}},
                                       "gate": {"output": {"x": 1}, "ports": ["false"]}},
             "expect": {"route": {"tag": ["vip", "default"], "crm": "error"}}}]"#,
    );
    let checked = check(&s, &workflow());
    let got = codes(&checked);
    let want = [
        ("not_a_trigger", "cases[0].trigger"),
        ("unknown_variable", "cases[0].vars.limt"),
        ("unknown_node", "cases[0].expect.reached[0]"),
        ("unknown_port", "cases[0].expect.route.gate"),
        ("empty_expectation", "cases[0].expect.outputs[0]"),
        ("expression_syntax", "cases[0].expect.outputs[1].matches"),
        ("unknown_variable", "cases[0].expect.outputs[2].matches"),
        ("unknown_node", "cases[0].expect.outputs[3].matches"),
        ("invalid_path", "cases[0].expect.outputs[4].path"),
        ("duplicate_case", "cases[1].name"),
        ("invalid_mock", "cases[1].mocks.crm"),
        ("invalid_mock", "cases[1].mocks.gate.ports"),
        ("invalid_mock", "cases[1].mocks.form"),
        ("unknown_port", "cases[1].mocks.tag.ports"),
        ("contradictory_expectation", "cases[1].expect.error"),
        (
            "contradictory_expectation",
            "cases[1].expect.not_reached[0]",
        ),
    ];
    for (code, field) in want {
        assert!(
            got.contains(&(code.to_string(), Some(field.to_string()))),
            "missing {code} at {field}: {got:?}"
        );
    }
    assert_eq!(got.len(), want.len(), "{got:?}");
    let bad = checked
        .diagnostics
        .iter()
        .find(|d| d.code == "expression_syntax")
        .unwrap();
    assert!(
        bad.message.starts_with("case \"a\": `value >`"),
        "{}",
        bad.message
    );
    assert_eq!(bad.node.as_deref(), Some("score"));
    assert!(!checked.runnable(0) && !checked.runnable(1));
    assert!(checked.runnable(2), "a case without problems still runs");
    assert_eq!(checked.case_diagnostics(2), vec![]);
    let warn = checked
        .diagnostics
        .iter()
        .find(|d| d.code == "unknown_variable")
        .unwrap();
    assert!(
        !warn.is_error(),
        "an unknown variable override is only a warning"
    );
}

#[test]
fn a_suite_for_another_workflow_runs_nothing() {
    let mut s = suite(r#"[{"name": "a"}]"#);
    s.workflow = "other".into();
    let checked = check(&s, &workflow());
    assert_eq!(checked.diagnostics[0].code, "workflow_mismatch");
    assert!(!checked.runnable(0));
    let empty = check(&TestSuite::empty("leads"), &workflow());
    assert_eq!(
        codes(&empty),
        vec![("no_cases".into(), Some("cases".into()))]
    );
    assert!(!empty.has_errors());
}

#[test]
fn suite_files_are_told_from_workflow_files() {
    assert!(is_suite_file_name("lead-processing.tests.json"));
    assert!(!is_suite_file_name("lead-processing.json"));
    assert_eq!(suite_file_name("x"), "x.tests.json");
}

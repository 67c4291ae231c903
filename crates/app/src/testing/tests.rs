//! The expectation evaluator and the case runner, on real runs of a small workflow (no I/O
//! besides the simulated CRM request).

use serde_json::json;
use switchyard_engine::EngineConfig;

use super::*;

const WORKFLOW: &str = r#"{
  "schema_version": 1, "id": "leads", "name": "Leads",
  "nodes": [
    {"id": "form", "kind": "manual_trigger", "params": {"sample": {"budget": 20000, "email": "s@x.io"}}},
    {"id": "score", "kind": "set", "params": {"fields": {
        "value": "{{ event.budget // 100 }}", "email": "{{ event.email | lower }}",
        "lead": "{{ {'email': event.email | lower, 'tags': ['web', 'form']} }}"}}},
    {"id": "tier", "kind": "switch", "params": {"routes": [
        {"name": "hot", "condition": "nodes.score.value >= 100"},
        {"name": "warm", "condition": "nodes.score.value >= 10"}]}},
    {"id": "crm", "kind": "http_request", "params": {"url": "https://crm.example.com/leads", "method": "POST",
        "body": {"email": "{{ nodes.score.email }}"}}},
    {"id": "crm_down", "kind": "log", "params": {"message": "crm down"}},
    {"id": "nurture", "kind": "log", "params": {"message": "nurture"}},
    {"id": "drop", "kind": "log", "params": {"message": "drop"}}
  ],
  "edges": [
    {"from": "form", "to": "score"}, {"from": "score", "to": "tier"},
    {"from": "tier", "from_port": "hot", "to": "crm"},
    {"from": "tier", "from_port": "warm", "to": "nurture"},
    {"from": "tier", "from_port": "default", "to": "drop"},
    {"from": "crm", "from_port": "error", "to": "crm_down"}
  ],
  "vars": {"min": 10}
}"#;

fn target() -> Target {
    Target::new(WorkflowFile::from_json(WORKFLOW).unwrap())
}

async fn run(cases: serde_json::Value) -> SuiteResult {
    let suite: TestSuite =
        serde_json::from_value(json!({"schema_version": 1, "workflow": "leads", "cases": cases}))
            .unwrap();
    run_suite(
        &Engine::new(EngineConfig::default()),
        &target(),
        &suite,
        None,
    )
    .await
}

#[tokio::test]
async fn cases_that_hold_pass_with_their_route() {
    let r = run(json!([
        {"name": "hot", "event": {"budget": 50000, "email": "Ada@X.io"},
         "expect": {"reached": ["crm"], "not_reached": ["nurture", "drop"], "route": {"tier": "hot", "crm": "out"},
                    "outputs": [
                        {"node": "score", "path": "value", "equals": 500.0},
                        {"node": "score", "path": "lead", "contains": {"email": "ada@x.io"}},
                        {"node": "score", "path": "lead.tags", "contains": "form"},
                        {"node": "crm", "path": "would_send.body.email", "equals": "ada@x.io"},
                        {"node": "crm", "path": "simulated", "exists": true},
                        {"node": "crm", "path": "status", "equals": null},
                        {"node": "score", "path": "nope", "exists": false},
                        {"node": "score", "path": "value", "matches": "value > vars.min * 10 and nodes.score.email == event.email | lower"}]}},
        {"name": "sample event, warm", "vars": {"min": 1000},
         "expect": {"route": {"tier": "hot"}, "outputs": [{"node": "score", "path": "value", "matches": "value == 200"}]}},
        {"name": "crm down is caught", "event": {"budget": 90000, "email": "a@b.c"},
         "mocks": {"crm": {"error": {"code": "http_status", "message": "503 Service Unavailable"}}},
         "expect": {"route": {"crm": "error"}, "reached": ["crm_down"]}},
        {"name": "a mocked route", "event": {"budget": 5, "email": "a@b.c"},
         "mocks": {"tier": {"output": {"budget": 5}, "ports": ["warm"]},
                   "nurture": {"output": {"sent": "mocked"}}},
         "expect": {"route": {"tier": "warm"}, "reached": ["nurture"], "not_reached": ["drop"],
                    "outputs": [{"node": "nurture", "path": "sent", "equals": "mocked"}]}},
                {"name": "expected failure", "event": {"budget": "lots", "email": "a@b.c"},
         "expect": {"status": "failed", "error": {"node": "score", "code": "expression_error"}}}
    ]))
    .await;
    for c in &r.cases {
        assert!(c.passed, "{}: {:#?}", c.name, c.failures);
    }
    assert_eq!((r.passed, r.failed), (5, 0));
    assert_eq!(r.cases[0].route.summary, "tier → hot, crm → out");
    assert_eq!(r.cases[0].outcome, Outcome::Succeeded);
    assert!(r.cases[0]
        .logs
        .iter()
        .any(|l| l.message.starts_with("test mode: would send POST")));
    assert_eq!(r.cases[2].route.summary, "tier → hot, crm → error");
    assert_eq!(r.cases[3].route.summary, "tier → warm");
    assert_eq!(r.cases[4].outcome, Outcome::Failed);
    assert_eq!(
        r.cases[4].error.as_ref().unwrap().node.as_deref(),
        Some("score")
    );
}

#[tokio::test]
async fn each_broken_expectation_says_what_was_expected_and_what_happened() {
    let r = run(json!([
        {"name": "wrong everywhere", "event": {"budget": 1500, "email": "Bo@X.io"},
         "expect": {"reached": ["crm"], "not_reached": ["nurture"], "route": {"tier": "hot", "crm": "out"},
                    "error": {"code": "timeout"}, "status": "failed",
                    "outputs": [
                        {"node": "score", "equals": {"value": 15, "email": "bo@x.io", "lead": {"email": "bo@x.io", "tags": ["web"]}, "extra": 1}},
                        {"node": "score", "path": "lead", "contains": {"email": "x@x.io", "phone": "1"}},
                        {"node": "score", "path": "value", "matches": "value > 100"},
                        {"node": "score", "path": "value", "matches": "nodes.crm.status == 200"},
                        {"node": "score", "path": "lead.phone", "equals": "1"},
                        {"node": "crm", "path": "simulated", "equals": true}]}}
    ]))
    .await;
    let c = &r.cases[0];
    assert!(!c.passed);
    assert_eq!(r.failed, 1);
    let by =
        |check: &str| -> Vec<&Failure> { c.failures.iter().filter(|f| f.check == check).collect() };
    assert_eq!(
        by("status")[0].message,
        "the run succeeded; expected it to have failed"
    );
    assert_eq!(
        by("error")[0].message,
        "the run reported no error; expected timeout"
    );
    assert_eq!(
        by("reached")[0].message,
        "crm did not run (skipped); expected it to"
    );
    assert_eq!(
        by("not_reached")[0].message,
        "nurture ran; expected it not to"
    );
    let routes = by("route");
    assert_eq!(
        routes[0].message,
        "crm did not run (skipped); expected it to take out"
    );
    assert_eq!(routes[1].message, "tier took warm, expected hot");
    assert_eq!(
        (routes[1].expected.clone(), routes[1].actual.clone()),
        (Some(json!("hot")), Some(json!("warm")))
    );

    let outputs = by("output");
    assert_eq!(outputs.len(), 6, "{outputs:#?}");
    // equals on an object: each differing field.
    let eq = outputs[0];
    assert_eq!(
        eq.message,
        "`score` differs: `extra` is missing, expected 1; `lead.tags.1` is \"form\", not expected"
    );
    assert_eq!(
        eq.differences,
        vec![
            Difference {
                path: "extra".into(),
                expected: Some(json!(1)),
                actual: None
            },
            Difference {
                path: "lead.tags.1".into(),
                expected: None,
                actual: Some(json!("form"))
            },
        ]
    );
    let has = outputs[1];
    assert_eq!(
        has.message,
        "`score.lead` does not contain what was expected: `email` is \"bo@x.io\", expected \"x@x.io\"; `phone` is missing, expected \"1\""
    );
    assert_eq!(has.differences.len(), 2);
    assert_eq!(
        outputs[2].message,
        "`value > 100` is false for `score.value` = 15"
    );
    assert!(
        outputs[3].message.contains("could not be checked")
            && outputs[3].message.contains("nodes.crm"),
        "{}",
        outputs[3].message
    );
    assert_eq!(
        outputs[4].message,
        "`score.lead.phone` does not exist; `lead` has email, tags"
    );
    assert_eq!(
        outputs[5].message,
        "crm has no output (it did not run or it failed)"
    );
}

#[tokio::test]
async fn a_case_with_a_bad_expectation_does_not_run_and_says_why() {
    let r = run(json!([
        {"name": "bad", "expect": {"outputs": [{"node": "score", "matches": "value >"}]}},
        {"name": "good", "expect": {"route": {"tier": "hot"}}}
    ]))
    .await;
    assert_eq!(r.cases[0].outcome, Outcome::Invalid);
    assert!(!r.cases[0].passed);
    assert_eq!(r.cases[0].diagnostics[0].code, "expression_syntax");
    assert!(r.cases[0].diagnostics[0]
        .message
        .starts_with("case \"bad\""));
    assert!(r.cases[1].passed, "{:?}", r.cases[1].failures);
    assert_eq!((r.passed, r.failed), (1, 1));

    // A workflow that does not compile: nothing runs, and each case says why.
    let mut file = WorkflowFile::from_json(WORKFLOW).unwrap();
    file.edges.push(switchyard_core::Edge {
        from: "drop".into(),
        from_port: "out".into(),
        to: "score".into(),
        to_port: "in".into(),
    });
    let suite: TestSuite = serde_json::from_value(
        json!({"schema_version": 1, "workflow": "leads", "cases": [{"name": "a"}]}),
    )
    .unwrap();
    let r = run_suite(
        &Engine::new(EngineConfig::default()),
        &Target::new(file),
        &suite,
        None,
    )
    .await;
    assert_eq!(r.cases[0].outcome, Outcome::Invalid);
    assert_eq!(r.cases[0].diagnostics[0].code, "workflow_invalid");
    assert!(
        r.cases[0].diagnostics[0].message.contains("cycle"),
        "{}",
        r.cases[0].diagnostics[0].message
    );
}

#[tokio::test]
async fn a_batch_counts_rows_by_route_and_keeps_bad_rows() {
    let rows = vec![
        Ok(json!({"budget": 50000, "email": "a@x.io"})),
        Ok(json!({"budget": 1500, "email": "b@x.io"})),
        Err("line 4: the row has 3 cells, the header has 2".to_string()),
        Ok(json!({"budget": 70000, "email": "c@x.io"})),
        Ok(json!({"budget": "x", "email": "d@x.io"})),
        Ok(json!({"budget": 5, "email": "e@x.io"})),
    ];
    let options = BatchOptions {
        columns: vec!["score.value".into(), "crm.would_send.body.email".into()],
        concurrency: Some(3),
        ..Default::default()
    };
    let seen = std::sync::Mutex::new(Vec::new());
    let r = run_batch(
        &Engine::new(EngineConfig::default()),
        &target(),
        rows,
        &options,
        &|done, total| seen.lock().unwrap().push((done, total)),
    )
    .await
    .unwrap();
    assert_eq!((r.total, r.succeeded, r.failed, r.invalid), (6, 4, 1, 1));
    assert_eq!(
        r.rows.iter().map(|x| x.row).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
    assert_eq!(r.rows[0].values["score.value"], json!(500));
    assert_eq!(
        r.rows[0].values["crm.would_send.body.email"],
        json!("a@x.io")
    );
    assert!(!r.rows[1].values.contains_key("crm.would_send.body.email"));
    assert_eq!(r.rows[2].error.as_ref().unwrap().code, "invalid_row");
    assert_eq!(
        r.rows[4].error.as_ref().unwrap().node.as_deref(),
        Some("score")
    );
    let routes: Vec<(&str, usize)> = r
        .routes
        .iter()
        .map(|c| (c.route.as_str(), c.count))
        .collect();
    assert_eq!(
        routes,
        [
            ("tier → hot, crm → out", 2),
            ("", 1),
            ("(not run)", 1),
            ("tier → default", 1),
            ("tier → warm", 1)
        ]
    );
    assert_eq!(r.routes.iter().map(|c| c.count).sum::<usize>(), r.total);
    let branches: Vec<(&str, &str, usize)> = r
        .branches
        .iter()
        .map(|b| (b.node.as_str(), b.port.as_str(), b.count))
        .collect();
    assert_eq!(
        branches,
        [
            ("tier", "hot", 2),
            ("tier", "default", 1),
            ("tier", "warm", 1),
            ("crm", "out", 2)
        ]
    );
    let mut seen = seen.into_inner().unwrap();
    seen.sort();
    assert_eq!(seen, (1..=6).map(|d| (d, 6)).collect::<Vec<_>>());

    let bad = BatchOptions {
        columns: vec!["ghost.x".into()],
        ..Default::default()
    };
    let e = run_batch(
        &Engine::new(EngineConfig::default()),
        &target(),
        vec![],
        &bad,
        &|_, _| {},
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, "invalid_request");
}

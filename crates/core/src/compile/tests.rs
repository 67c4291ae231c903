use super::*;
use serde_json::json;

fn wf(nodes: serde_json::Value, edges: serde_json::Value) -> WorkflowFile {
    WorkflowFile::from_json(
        &json!({"schema_version": 1, "id": "t", "name": "T", "nodes": nodes, "edges": edges})
            .to_string(),
    )
    .unwrap()
}

fn codes(d: &[Diagnostic]) -> Vec<String> {
    d.iter()
        .map(|d| format!("{}:{}", d.node.as_deref().unwrap_or("-"), d.code))
        .collect()
}

#[test]
fn a_valid_workflow_compiles_in_topological_order() {
    let plan = compile(&wf(
        json!([
            {"id": "log", "kind": "log", "params": {"message": "{{ nodes.check }}"}},
            {"id": "check", "kind": "condition", "params": {"condition": "event.x > 1"}},
            {"id": "start", "kind": "manual_trigger"}
        ]),
        json!([{"from": "start", "to": "check"}, {"from": "check", "from_port": "true", "to": "log"}]),
    ))
    .unwrap();
    let ids: Vec<&str> = plan.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["start", "check", "log"]);
    assert_eq!(plan.triggers, [0]);
    assert_eq!(plan.nodes[1].outputs.len(), 1);
    assert_eq!(
        plan.nodes[0].name, "Manual trigger",
        "an unnamed node takes its kind's title"
    );
}

#[test]
fn cycles_are_refused_with_the_nodes_named_in_order() {
    let err = compile(&wf(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "a", "kind": "log", "params": {"message": "a"}},
            {"id": "b", "kind": "log", "params": {"message": "b"}},
            {"id": "c", "kind": "log", "params": {"message": "c"}}
        ]),
        json!([{"from": "start", "to": "a"}, {"from": "a", "to": "b"}, {"from": "b", "to": "c"}, {"from": "c", "to": "a"}]),
    ))
    .unwrap_err();
    let cycle = err
        .iter()
        .find(|d| d.code == "cycle")
        .expect("a cycle diagnostic");
    assert_eq!(cycle.node.as_deref(), Some("a"));
    assert!(cycle.message.contains("a → b → c → a"), "{}", cycle.message);
}

#[test]
fn every_problem_is_reported_at_once() {
    let err = compile(&wf(
        json!([
            {"id": "start", "kind": "webhook_trigger", "params": {"path": "leads"}},
            {"id": "call", "kind": "http_request", "params": {"method": "FETCH"}},
            {"id": "check", "kind": "condition", "params": {"condition": "event.budget >="}},
            {"id": "say", "kind": "log", "params": {"message": "{{ nodes.ghost.x }} {{ nodes.later.y }}", "colour": "red"}},
            {"id": "later", "kind": "log", "params": {"message": "hi"}},
            {"id": "alone", "kind": "log", "params": {"message": "nobody calls me"}},
            {"id": "Bad-Id", "kind": "log", "params": {"message": "x"}}
        ]),
        json!([
            {"from": "start", "to": "call"}, {"from": "call", "to": "check"},
            {"from": "check", "from_port": "maybe", "to": "say"}, {"from": "check", "from_port": "true", "to": "say"},
            {"from": "say", "to": "later"}, {"from": "say", "to": "nowhere"}, {"from": "start", "to": "Bad-Id"}
        ]),
    ))
    .unwrap_err();
    let got = codes(&err);
    for want in [
        "call:missing_setting",
        "call:invalid_setting",
        "check:expression_syntax",
        "say:unknown_node_reference",
        "say:reference_not_upstream",
        "say:unknown_setting",
        "check:edge_unknown_port",
        "-:edge_unknown_node",
        "alone:unreachable_node",
        "Bad-Id:invalid_node_id",
    ] {
        assert!(got.contains(&want.to_string()), "missing {want} in {got:?}");
    }
    let missing = err.iter().find(|d| d.code == "missing_setting").unwrap();
    assert_eq!(missing.field.as_deref(), Some("url"));
}

#[test]
fn a_workflow_without_trigger_is_refused() {
    let err = compile(&wf(
        json!([{"id": "a", "kind": "log", "params": {"message": "x"}}]),
        json!([]),
    ))
    .unwrap_err();
    assert_eq!(codes(&err), ["-:no_trigger"]);
}

#[test]
fn switch_routes_become_ports() {
    let nodes = json!([
        {"id": "start", "kind": "manual_trigger"},
        {"id": "route", "kind": "switch", "params": {"routes": [
            {"name": "hot", "condition": "event.score > 80"},
            {"name": "warm", "condition": "event.score > 40"}
        ]}},
        {"id": "h", "kind": "log", "params": {"message": "hot"}},
        {"id": "d", "kind": "log", "params": {"message": "other"}}
    ]);
    let ok = compile(&wf(
        nodes.clone(),
        json!([{"from": "start", "to": "route"}, {"from": "route", "from_port": "hot", "to": "h"}, {"from": "route", "from_port": "default", "to": "d"}]),
    ));
    assert!(ok.is_ok(), "{:?}", ok.err());
    let err = compile(&wf(
        nodes,
        json!([{"from": "start", "to": "route"}, {"from": "route", "from_port": "cold", "to": "h"}, {"from": "route", "from_port": "default", "to": "d"}]),
    ))
    .unwrap_err();
    assert!(
        err[0].message.contains("default, error, hot, warm"),
        "{}",
        err[0].message
    );
}

#[test]
fn references_to_unknown_output_fields_and_variables_are_reported() {
    let result = compile(&wf(
        json!([
            {"id": "start", "kind": "manual_trigger", "params": {"sample": {"email": "a@b.c"}}},
            {"id": "call", "kind": "http_request", "params": {"url": "http://x/{{ vars.region }}"}},
            {"id": "say", "kind": "log", "params": {"message": "{{ nodes.call.stauts }} {{ event.emial }} {{ emial }}"}}
        ]),
        json!([{"from": "start", "to": "call"}, {"from": "call", "to": "say"}]),
    ))
    .unwrap_err();
    let got = codes(&result);
    assert!(
        got.contains(&"call:unknown_variable".to_string()),
        "{got:?}"
    );
    assert!(got.contains(&"say:unknown_variable".to_string()), "{got:?}");
    let field_warnings: Vec<&Diagnostic> = result
        .iter()
        .filter(|d| d.code == "unknown_field")
        .collect();
    assert_eq!(field_warnings.len(), 2, "{got:?}");
    assert!(field_warnings.iter().all(|d| !d.is_error()));
    assert!(field_warnings
        .iter()
        .any(|d| d.message.contains("body, headers, status")));
}

#[test]
fn error_ports_are_recorded_in_the_plan() {
    let plan = compile(&wf(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "call", "kind": "http_request", "params": {"url": "http://127.0.0.1:1/"}},
            {"id": "oops", "kind": "log", "params": {"message": "failed: {{ input.error }}"}}
        ]),
        json!([{"from": "start", "to": "call"}, {"from": "call", "from_port": "error", "to": "oops"}]),
    ))
    .unwrap();
    assert!(plan.node("call").unwrap().catches_errors);
}

#[test]
fn edges_into_triggers_and_duplicate_webhook_paths_are_refused() {
    let err = compile(&wf(
        json!([
            {"id": "a", "kind": "webhook_trigger", "params": {"path": "leads"}},
            {"id": "b", "kind": "webhook_trigger", "params": {"path": "/leads/"}},
            {"id": "l", "kind": "log", "params": {"message": "x"}}
        ]),
        json!([{"from": "a", "to": "l"}, {"from": "l", "to": "b"}]),
    ))
    .unwrap_err();
    let got = codes(&err);
    assert!(got.contains(&"b:trigger_has_input".to_string()), "{got:?}");
    assert!(
        got.contains(&"b:duplicate_webhook_path".to_string()),
        "{got:?}"
    );
}

#[test]
fn ai_classify_has_out_and_one_port_per_label() {
    let labels = json!([
        {"name": "hot", "examples": "Urgent demo\nReady to buy", "keywords": "urgent"},
        {"name": "cold", "description": "Not buying"}
    ]);
    let plan = compile(&wf(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "classify", "kind": "ai_classify", "params": {"text": "{{ event.message }}", "labels": labels}},
            {"id": "all", "kind": "log", "params": {"message": "{{ nodes.classify.label }}"}},
            {"id": "hot", "kind": "log", "params": {"message": "hot"}},
            {"id": "cold", "kind": "log", "params": {"message": "cold"}},
            {"id": "failed", "kind": "log", "params": {"message": "failed"}}
        ]),
        json!([
            {"from": "start", "to": "classify"},
            {"from": "classify", "to": "all"},
            {"from": "classify", "from_port": "hot", "to": "hot"},
            {"from": "classify", "from_port": "cold", "to": "cold"},
            {"from": "classify", "from_port": "error", "to": "failed"}
        ]),
    ))
    .unwrap();
    let classify = plan.node("classify").unwrap();
    assert_eq!(classify.outputs.len(), 4);
    assert_eq!(classify.params.str("provider"), Some("builtin"));
    assert_eq!(classify.params.list("labels").len(), 2);

    let err = compile(&wf(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "classify", "kind": "ai_classify", "params": {"text": "x", "labels": [{"name": "hot"}, {"name": "out"}, {"name": "Warm Lead"}]}},
            {"id": "next", "kind": "log", "params": {"message": "x"}}
        ]),
        json!([{"from": "start", "to": "classify"}, {"from": "classify", "from_port": "warm", "to": "next"}]),
    ))
    .unwrap_err();
    let dup = err.iter().find(|d| d.code == "duplicate_port").unwrap();
    assert_eq!(dup.field.as_deref(), Some("labels[1].name"));
    assert!(dup.message.contains("\"out\""), "{}", dup.message);
    let bad = err.iter().find(|d| d.code == "invalid_setting").unwrap();
    assert_eq!(bad.field.as_deref(), Some("labels[2].name"));
    let port = err.iter().find(|d| d.code == "edge_unknown_port").unwrap();
    assert!(port.message.contains("error, hot, out"), "{}", port.message);
}

#[test]
fn ai_nodes_check_their_settings() {
    let err = compile(&wf(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "extract", "kind": "ai_extract", "params": {"text": "x", "fields": [{"name": "when", "type": "time"}]}},
            {"id": "write", "kind": "ai_generate", "params": {"format": "yaml", "json_schema": [1]}},
            {"id": "sort", "kind": "ai_classify", "params": {"text": "x", "labels": []}},
            {"id": "read", "kind": "ai_extract", "params": {"text": "x", "fields": [{"name": "a"}, {"name": "a", "type": "email"}]}}
        ]),
        json!([{"from": "start", "to": "extract"}, {"from": "extract", "to": "write"},
               {"from": "start", "to": "sort"}, {"from": "start", "to": "read"}]),
    ))
    .unwrap_err();
    let mut got: Vec<(String, String)> = err
        .iter()
        .map(|d| (d.code.clone(), d.field.clone().unwrap_or_default()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("invalid_setting".into(), "fields[0].type".into()),
            ("invalid_setting".into(), "fields[1].name".into()),
            ("invalid_setting".into(), "format".into()),
            ("invalid_setting".into(), "json_schema".into()),
            ("invalid_setting".into(), "labels".into()),
            ("missing_setting".into(), "prompt".into()),
        ]
    );
}

#[test]
fn ai_extract_outputs_its_fields() {
    let plan = compile(&wf(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "read", "kind": "ai_extract", "params": {"text": "{{ event.body }}", "fields": [{"name": "email", "type": "email"}]}},
            {"id": "log", "kind": "log", "params": {"message": "{{ nodes.read.email }} {{ nodes.read.emial }}"}}
        ]),
        json!([{"from": "start", "to": "read"}, {"from": "read", "to": "log"}]),
    ))
    .unwrap();
    let w: Vec<&str> = plan.warnings.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        w,
        ["`nodes.read.emial` does not exist: \"read\" outputs email"]
    );
}

// For each loops.

fn loop_nodes(extra: serde_json::Value) -> serde_json::Value {
    let mut nodes = json!([
        {"id": "start", "kind": "manual_trigger"},
        {"id": "prep", "kind": "set", "params": {"fields": {"k": "2"}}},
        {"id": "each", "kind": "for_each", "params": {"items": "{{ event.list }}"}},
        {"id": "double", "kind": "set", "params": {"fields": {"v": "{{ item * 2 }}", "i": "{{ item_index }}", "k": "{{ nodes.prep.k }}"}}},
        {"id": "label", "kind": "set", "params": {"fields": {"v": "{{ nodes.double.v }}"}}},
        {"id": "gather", "kind": "collect"},
        {"id": "after", "kind": "log", "params": {"message": "{{ nodes.gather.count }}"}}
    ]);
    for n in extra.as_array().unwrap() {
        nodes.as_array_mut().unwrap().push(n.clone());
    }
    nodes
}

fn loop_edges(extra: serde_json::Value) -> serde_json::Value {
    let mut edges = json!([
        {"from": "start", "to": "prep"}, {"from": "prep", "to": "each"},
        {"from": "each", "from_port": "item", "to": "double"},
        {"from": "double", "to": "label"}, {"from": "label", "to": "gather"},
        {"from": "gather", "to": "after"}
    ]);
    for e in extra.as_array().unwrap() {
        edges.as_array_mut().unwrap().push(e.clone());
    }
    edges
}

/// The diagnostics of a loop workflow with extra nodes and edges.
fn loop_errors(nodes: serde_json::Value, edges: serde_json::Value) -> Vec<Diagnostic> {
    compile(&wf(loop_nodes(nodes), loop_edges(edges))).unwrap_err()
}

#[test]
fn a_loop_body_is_recorded_in_the_plan() {
    let plan = compile(&wf(loop_nodes(json!([])), loop_edges(json!([])))).unwrap();
    let at = |id: &str| plan.index[id];
    let each = &plan.nodes[at("each")];
    let info = each.loop_body.as_ref().expect("a loop");
    assert_eq!(info.body, [at("double"), at("label")]);
    assert_eq!(info.collect, Some(at("gather")));
    assert_eq!(plan.nodes[at("double")].in_loop, Some(at("each")));
    assert_eq!(plan.nodes[at("label")].in_loop, Some(at("each")));
    for outside in ["prep", "each", "gather", "after"] {
        assert_eq!(plan.nodes[at(outside)].in_loop, None, "{outside}");
    }
    assert!(plan.nodes[at("gather")].loop_body.is_none());
}

#[test]
fn a_loop_without_collect_and_an_empty_body_up_to_collect_compile() {
    let plan = compile(&wf(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "each", "kind": "for_each", "params": {"items": "{{ event.list }}"}},
            {"id": "say", "kind": "log", "params": {"message": "{{ item }}"}}
        ]),
        json!([{"from": "start", "to": "each"}, {"from": "each", "from_port": "item", "to": "say"}]),
    ))
    .unwrap();
    let info = plan.nodes[plan.index["each"]].loop_body.clone().unwrap();
    assert_eq!((info.body, info.collect), (vec![plan.index["say"]], None));

    let plan = compile(&wf(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "each", "kind": "for_each", "params": {"items": "{{ event.list }}"}},
            {"id": "gather", "kind": "collect"}
        ]),
        json!([{"from": "start", "to": "each"}, {"from": "each", "from_port": "item", "to": "gather"}]),
    ))
    .unwrap();
    let info = plan.nodes[plan.index["each"]].loop_body.clone().unwrap();
    assert_eq!(
        (info.body, info.collect),
        (vec![], Some(plan.index["gather"]))
    );
}

#[test]
fn a_for_each_needs_a_body() {
    let err = compile(&wf(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "each", "kind": "for_each", "params": {"items": "{{ event.list }}"}},
            {"id": "oops", "kind": "log", "params": {"message": "failed"}}
        ]),
        json!([{"from": "start", "to": "each"}, {"from": "each", "from_port": "error", "to": "oops"}]),
    ))
    .unwrap_err();
    assert_eq!(codes(&err), ["each:loop_without_body"]);
}

#[test]
fn a_body_is_entered_only_through_the_item_port() {
    let err = loop_errors(
        json!([{"id": "side", "kind": "set", "params": {"fields": {"x": "1"}}}]),
        json!([{"from": "prep", "to": "side"}, {"from": "side", "to": "label"}]),
    );
    assert_eq!(codes(&err), ["label:loop_body_entered_from_outside"]);
    assert!(err[0].message.contains("\"side\""), "{}", err[0].message);

    // The Collect too: only the loop's nodes feed it.
    let err = loop_errors(json!([]), json!([{"from": "prep", "to": "gather"}]));
    assert_eq!(codes(&err), ["gather:loop_body_entered_from_outside"]);
}

#[test]
fn a_body_leaves_only_through_its_collect() {
    let err = loop_errors(json!([]), json!([{"from": "double", "to": "after"}]));
    assert_eq!(codes(&err), ["double:loop_body_leaks"]);
    assert!(err[0].message.contains("\"after\""), "{}", err[0].message);
    // A branch that ends inside the loop is part of it.
    let plan = compile(&wf(
        loop_nodes(json!([{"id": "note", "kind": "log", "params": {"message": "{{ item }}"}}])),
        loop_edges(json!([{"from": "double", "to": "note"}])),
    ))
    .unwrap();
    let each = &plan.nodes[plan.index["each"]];
    assert!(each
        .loop_body
        .as_ref()
        .unwrap()
        .body
        .contains(&plan.index["note"]));
}

#[test]
fn one_collect_closes_one_loop() {
    let err = loop_errors(
        json!([{"id": "gather2", "kind": "collect"}]),
        json!([{"from": "double", "to": "gather2"}]),
    );
    assert_eq!(codes(&err), ["each:multiple_collects"]);
    assert!(
        err[0].message.contains("gather, gather2"),
        "{}",
        err[0].message
    );

    let err = compile(&wf(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "gather", "kind": "collect"}
        ]),
        json!([{"from": "start", "to": "gather"}]),
    ))
    .unwrap_err();
    assert_eq!(codes(&err), ["gather:collect_without_loop"]);
}

#[test]
fn loops_do_not_nest() {
    let err = loop_errors(
        json!([
            {"id": "inner", "kind": "for_each", "params": {"items": "{{ item.parts }}"}},
            {"id": "part", "kind": "log", "params": {"message": "{{ item }}"}}
        ]),
        json!([{"from": "double", "to": "inner"}, {"from": "inner", "from_port": "item", "to": "part"}]),
    );
    assert!(
        codes(&err).contains(&"inner:nested_loop".to_string()),
        "{err:#?}"
    );
}

#[test]
fn emitting_and_answering_happen_outside_loops() {
    let err = loop_errors(
        json!([
            {"id": "emit", "kind": "emit_event", "params": {"event": "item.done", "payload": {"n": "{{ item }}"}}},
            {"id": "answer", "kind": "respond_webhook", "params": {}}
        ]),
        json!([{"from": "double", "to": "emit"}, {"from": "label", "to": "answer"}]),
    );
    let got = codes(&err);
    assert!(
        got.contains(&"emit:not_allowed_in_loop".to_string()),
        "{got:?}"
    );
    assert!(
        got.contains(&"answer:not_allowed_in_loop".to_string()),
        "{got:?}"
    );
}

#[test]
fn nodes_outside_a_loop_cannot_read_its_body() {
    let err = compile(&wf(
        loop_nodes(json!([])).as_array().unwrap()[..6]
            .iter()
            .cloned()
            .chain([
                json!({"id": "after", "kind": "log", "params": {"message": "{{ nodes.label.v }}"}}),
            ])
            .collect(),
        loop_edges(json!([])),
    ))
    .unwrap_err();
    assert_eq!(codes(&err), ["after:reference_into_loop"]);
    assert!(
        err[0].message.contains("Collect node \"gather\""),
        "{}",
        err[0].message
    );
    assert_eq!(err[0].field.as_deref(), Some("message"));
}

#[test]
fn item_exists_only_inside_loops() {
    let err = compile(&wf(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "say", "kind": "log", "params": {"message": "{{ item }} {{ item_index }}"}}
        ]),
        json!([{"from": "start", "to": "say"}]),
    ))
    .unwrap_err();
    assert_eq!(
        codes(&err),
        ["say:unknown_variable", "say:unknown_variable"]
    );
    // Not in the For each's own list either: it is evaluated once, outside the loop.
    let err = compile(&wf(
        loop_nodes(json!([])).as_array().unwrap()[..2]
            .iter()
            .cloned()
            .chain(
                loop_nodes(json!([])).as_array().unwrap()[3..]
                    .iter()
                    .cloned(),
            )
            .chain([json!({"id": "each", "kind": "for_each", "params": {"items": "{{ item }}"}})])
            .collect(),
        loop_edges(json!([])),
    ))
    .unwrap_err();
    assert_eq!(codes(&err), ["each:unknown_variable"]);
}

#[test]
fn a_for_each_is_not_retried_or_timed_as_a_whole_and_checks_its_settings() {
    let err = compile(&wf(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "each", "kind": "for_each", "params": {"items": "{{ event.list }}", "concurrency": 65, "on_item_error": "retry"}, "timeout_ms": 1000},
            {"id": "say", "kind": "log", "params": {"message": "{{ item }}"}}
        ]),
        json!([{"from": "start", "to": "each"}, {"from": "each", "from_port": "item", "to": "say"}]),
    ))
    .unwrap_err();
    let fields: Vec<(String, Option<String>)> = err
        .iter()
        .map(|d| {
            (
                format!("{}:{}", d.node.as_deref().unwrap_or("-"), d.code),
                d.field.clone(),
            )
        })
        .collect();
    for want in ["concurrency", "on_item_error", "timeout_ms"] {
        assert!(
            fields.contains(&("each:invalid_setting".to_string(), Some(want.to_string()))),
            "{want}: {fields:?}"
        );
    }
    let err = compile(&wf(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "each", "kind": "for_each", "params": {}},
            {"id": "say", "kind": "log", "params": {"message": "x"}}
        ]),
        json!([{"from": "start", "to": "each"}, {"from": "each", "from_port": "item", "to": "say"}]),
    ))
    .unwrap_err();
    assert_eq!(codes(&err), ["each:missing_setting"]);
}

#[test]
fn an_unknown_filter_is_found_before_anything_runs() {
    let err = compile(&wf(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "shorten", "kind": "set", "params": {"fields": {"t": "Title: {{ event.title | truncate(60) }}"}}}
        ]),
        json!([{"from": "start", "to": "shorten"}]),
    ))
    .unwrap_err();
    let d = err
        .iter()
        .find(|d| d.code == "expression_syntax")
        .expect("a syntax diagnostic");
    assert_eq!(d.node.as_deref(), Some("shorten"));
    assert!(
        d.message.contains("no filter named `truncate`"),
        "{}",
        d.message
    );
}

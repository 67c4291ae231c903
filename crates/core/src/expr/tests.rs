use super::*;
use serde_json::json;
use std::sync::Arc;

fn eval_text(src: &str, event: Json) -> Result<Json, EvalError> {
    let mut ex = Expressions::new();
    let c = ex.compile_text(src).unwrap();
    ex.eval(&c, &Scope::for_event(event))
}

#[test]
fn templates_render_and_single_expressions_keep_their_type() {
    let ev = json!({"email": "Ada@Example.COM", "budget": 12000, "tags": ["a", "b"]});
    assert_eq!(
        eval_text("{{ event.email | lower }}", ev.clone()).unwrap(),
        json!("ada@example.com")
    );
    assert_eq!(
        eval_text("{{ event.budget * 2 }}", ev.clone()).unwrap(),
        json!(24000)
    );
    assert_eq!(
        eval_text("{{ event.tags }}", ev.clone()).unwrap(),
        json!(["a", "b"])
    );
    assert_eq!(
        eval_text("Budget: {{ event.budget }}", ev.clone()).unwrap(),
        json!("Budget: 12000")
    );
    assert_eq!(eval_text("plain text", ev).unwrap(), json!("plain text"));
}

#[test]
fn conditions_evaluate_to_booleans() {
    let mut ex = Expressions::new();
    let id = ex
        .compile_expression("event.budget >= 10000 and 'demo' in event.message | lower")
        .unwrap();
    let hot = Scope::for_event(json!({"budget": 50000, "message": "Need a DEMO"}));
    let cold = Scope::for_event(json!({"budget": 50000, "message": "browsing"}));
    assert!(ex.eval_bool(id, &hot).unwrap());
    assert!(!ex.eval_bool(id, &cold).unwrap());
}

#[test]
fn syntax_errors_are_reported_at_compile_time() {
    let mut ex = Expressions::new();
    let err = ex.compile_expression("event.budget >=").unwrap_err();
    assert!(!err.message.is_empty());
    assert!(ex.compile_text("Hello {{ event.name ").is_err());
    assert!(ex.compile_expression("   ").is_err());
}

#[test]
fn references_are_dotted_paths() {
    let mut ex = Expressions::new();
    let id = ex
        .compile_expression("nodes.score.total > 3 and event.email is defined")
        .unwrap();
    let refs: Vec<String> = ex.references(id).iter().map(|p| p.join(".")).collect();
    assert!(refs.contains(&"nodes.score.total".to_string()), "{refs:?}");
    assert!(refs.contains(&"event.email".to_string()), "{refs:?}");
}

#[test]
fn missing_fields_are_named_with_what_exists() {
    let err = eval_text(
        "{{ event.company | upper }}",
        json!({"email": "a@b.c", "name": "Ada"}),
    )
    .unwrap_err();
    assert!(
        err.message.contains("`event.company` does not exist"),
        "{}",
        err.message
    );
    assert!(err.message.contains("email, name"), "{}", err.message);
}

#[test]
fn missing_fields_may_be_tested_or_defaulted() {
    let ev = json!({"email": "a@b.c"});
    assert_eq!(
        eval_text("{{ event.company | default('none') }}", ev.clone()).unwrap(),
        json!("none")
    );
    assert_eq!(
        eval_text("{{ event.company is defined }}", ev).unwrap(),
        json!(false)
    );
}

#[test]
fn runaway_templates_are_stopped() {
    let err = eval_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        json!({}),
    )
    .unwrap_err();
    assert!(
        err.message.contains("too much work") || err.message.contains("range"),
        "{}",
        err.message
    );
}

#[test]
fn node_outputs_are_readable_by_id() {
    use std::collections::HashMap;
    use std::sync::Arc;
    let index: HashMap<String, usize> = [("score".to_string(), 0)].into();
    let outputs = Arc::new(Outputs::new(Arc::new(index)));
    outputs.set(0, Arc::new(json!({"total": 87, "items": [{"sku": "A1"}]})));
    let mut scope = Scope::for_event(json!({}));
    scope.outputs = Some(outputs);
    let mut ex = Expressions::new();
    let c = ex
        .compile_text("{{ nodes.score.items[0].sku }}-{{ nodes.score.total }}")
        .unwrap();
    assert_eq!(ex.eval(&c, &scope).unwrap(), json!("A1-87"));
    let c = ex.compile_text("{{ nodes.score }}").unwrap();
    assert_eq!(
        ex.eval(&c, &scope).unwrap(),
        json!({"total": 87, "items": [{"sku": "A1"}]})
    );
    let c = ex.compile_text("{{ nodes.score.missing }}").unwrap();
    let err = ex.eval(&c, &scope).unwrap_err();
    assert!(
        err.message.contains("`nodes.score.missing` does not exist"),
        "{}",
        err.message
    );
}

#[test]
fn huge_results_are_refused() {
    let err = eval_text("{{ 'x' * 50000000 }}", json!({})).unwrap_err();
    assert!(
        err.message.contains("more than the limit"),
        "{}",
        err.message
    );
    let err = eval_text("a{{ 'x' * 50000000 }}", json!({})).unwrap_err();
    assert!(
        err.message.contains("more than the limit"),
        "{}",
        err.message
    );
}

/// Plain paths (`nodes.score.email`) are read without the template engine; the same path in
/// parentheses goes through it. Both must give the same value or the same error, everywhere.
#[test]
fn plain_paths_read_exactly_what_the_template_engine_reads() {
    let event = json!({
        "email": "ada@example.com", "budget": 12000, "ratio": 0.25, "whole": 5.0,
        "big": 18446744073709551615u64, "neg": -7, "none": null, "yes": true,
        "tags": ["a", "b"], "empty": {}, "text": "zürich ✓",
        "deep": {"a": {"b": {"c": [1, {"d": 2}]}}}
    });
    let outputs = Arc::new(Outputs::new(Arc::new(
        [("score".to_string(), 0), ("quiet".to_string(), 1)].into(),
    )));
    outputs.set(
        0,
        Arc::new(json!({"email": "x@y.z", "total": 42, "nested": {"k": [true]}})),
    );
    let mut scope = Scope::for_event(event);
    scope.outputs = Some(outputs);
    scope.vars = Arc::new(json!({"hot_score": 70}));
    scope.item = Some(Arc::new(json!({"sku": "A-1"})));
    scope.item_index = Some(3);
    let paths = [
        "event",
        "event.email",
        "event.budget",
        "event.ratio",
        "event.whole",
        "event.big",
        "event.neg",
        "event.none",
        "event.yes",
        "event.tags",
        "event.empty",
        "event.text",
        "event.deep",
        "event.deep.a.b",
        "event.deep.a.b.c",
        "input.email",
        "vars.hot_score",
        "nodes.score",
        "nodes.score.email",
        "nodes.score.nested",
        "item",
        "item.sku",
        "item_index",
        "run",
        // Missing, at every depth: the same error message.
        "event.missing",
        "event.deep.a.missing",
        "event.email.length",
        "event.tags.first",
        "nodes.quiet",
        "nodes.quiet.email",
        "nodes.unknown.x",
        "nodes.score.nope",
        "vars.cold_score",
        "item.price",
        "item_index.x",
        "value",
        "value.x",
    ];
    let fast_path = |ex: &Expressions, c: &Compiled| match c {
        Compiled::Value(id) => ex.meta[id.0 as usize].path.is_some(),
        _ => false,
    };
    let mut ex = Expressions::new();
    for p in paths {
        let fast = ex.compile_text(&format!("{{{{ {p} }}}}")).unwrap();
        let slow = ex.compile_text(&format!("{{{{ ({p}) }}}}")).unwrap();
        assert!(fast_path(&ex, &fast), "{p} takes the fast path");
        assert!(!fast_path(&ex, &slow), "({p}) does not");
        let (a, b) = (ex.eval(&fast, &scope), ex.eval(&slow, &scope));
        match (&a, &b) {
            (Ok(x), Ok(y)) => assert_eq!(x, y, "{p}"),
            (Err(x), Err(y)) => {
                assert_eq!(x.message, y.message.replace(&format!("({p})"), p), "{p}")
            }
            _ => panic!("{p}: {a:?} vs {b:?}"),
        }
    }
    // Not plain paths: filters, indexes, operators, keywords, unknown roots.
    for src in [
        "event.email | lower",
        "event.tags[0]",
        "event.budget + 1",
        "none",
        "loop.index",
        "nodes",
        "event . email",
        "event.0",
    ] {
        assert_eq!(plain_path(src), None, "{src}");
    }
}

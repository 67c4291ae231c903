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
    use std::sync::Arc;
    let index = [("score".to_string(), 0)].into_iter().collect();
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

/// The same text, compiled for the template engine alone (no fast evaluation).
fn template_engine_only(ex: &mut Expressions, text: &str) -> Compiled {
    let c = ex.compile_text(text).unwrap();
    if let Compiled::Value(id) | Compiled::Text(id) = &c {
        ex.meta[id.0 as usize].fast = None;
    }
    c
}

/// The same value, or the same error.
fn assert_same<T: PartialEq + std::fmt::Debug>(
    src: &str,
    fast: Result<T, EvalError>,
    slow: Result<T, EvalError>,
) {
    match (&fast, &slow) {
        (Ok(x), Ok(y)) => assert_eq!(x, y, "{src}"),
        (Err(x), Err(y)) => assert_eq!(x.message, y.message, "{src}"),
        _ => panic!("{src}: {fast:?} vs {slow:?}"),
    }
}

/// Plain paths (`nodes.score.email`) are read without the template engine. Both must give the
/// same value or the same error, everywhere.
#[test]
fn plain_paths_read_exactly_what_the_template_engine_reads() {
    let event = json!({
        "email": "ada@example.com", "budget": 12000, "ratio": 0.25, "whole": 5.0,
        "big": 18446744073709551615u64, "neg": -7, "none": null, "yes": true,
        "tags": ["a", "b"], "empty": {}, "text": "zürich ✓",
        "deep": {"a": {"b": {"c": [1, {"d": 2}]}}}
    });
    let outputs = Arc::new(Outputs::new(Arc::new(
        [("score".to_string(), 0), ("quiet".to_string(), 1)]
            .into_iter()
            .collect(),
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
        Compiled::Value(id) => ex.meta[id.0 as usize].fast.is_some(),
        _ => false,
    };
    let mut ex = Expressions::new();
    for p in paths {
        let fast = ex.compile_text(&format!("{{{{ {p} }}}}")).unwrap();
        let slow = template_engine_only(&mut ex, &format!("{{{{ {p} }}}}"));
        assert!(fast_path(&ex, &fast), "{p} takes the fast path");
        assert_same(p, ex.eval(&fast, &scope), ex.eval(&slow, &scope));
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

/// Paths with filters (`event.email | trim | lower`) and comparisons (`nodes.score.total >=
/// vars.hot_score`) evaluated on the JSON must give exactly what the template engine gives:
/// the same value, or the same error. Where the fast evaluator does not handle a value it must
/// leave the expression to the template engine; both sides are checked to happen.
#[test]
fn filtered_paths_and_comparisons_give_exactly_what_the_template_engine_gives() {
    let event = json!({
        "email": "Ada@Example.COM", "spaced": "  ada LOVELACE \n", "budget": 12000, "ratio": 0.25,
        "neg": -7, "big": 18446744073709551615u64, "none": null, "yes": true, "no": false,
        "text": "zürich straße ǆemal", "punct": "o'neil mc-donald jr.", "num_text": "42",
        "float_text": "3.7", "neg_text": "-12", "plus_text": "+5", "big_text": "99999999999999999999",
        "tags": ["a"], "empty": {}, "deep": {"a": {"b": "x"}}
    });
    let outputs = Arc::new(Outputs::new(Arc::new(
        [("score".to_string(), 0), ("quiet".to_string(), 1)]
            .into_iter()
            .collect(),
    )));
    outputs.set(
        0,
        Arc::new(json!({"email": "x@y.z", "total": 42, "tier": "hot"})),
    );
    let mut scope = Scope::for_event(event);
    scope.outputs = Some(outputs);
    scope.vars = Arc::new(json!({"hot_score": 70, "label": "Hot"}));
    scope.item = Some(Arc::new(json!({"sku": "A-1"})));
    scope.item_index = Some(3);

    // Values (a setting that is one `{{ ... }}`).
    let values = [
        "event.email | trim",
        "event.email | lower",
        "event.email | upper",
        "event.email | title",
        "event.spaced | trim | lower",
        "event.spaced | title",
        "event.spaced|trim|title",
        "event.text | upper",
        "event.text | lower",
        "event.text | title",
        "event.punct | title",
        "event.missing | default('x')",
        "event.missing | d",
        "event.missing | default",
        "event.missing | default(3)",
        "event.missing | default(\"two words\") | upper",
        "event.none | default('x')",
        "event.tags | default('x')",
        "event.empty | d('x')",
        "event.email | default('a') | upper",
        "event.budget | default(0) | int",
        "event.budget | int",
        "event.num_text | int",
        "event.neg_text | int",
        "event.plus_text | int",
        "event.yes | int",
        "event.no | int",
        "event.none | int",
        "event.big | int",
        "event.spaced | trim()",
        "nodes.score.email | upper",
        "nodes.quiet | default('nothing')",
        "nodes.unknown | default('y')",
        "item.sku | lower",
        "vars.label | lower",
        // Operators, lists and text.
        "event.name_missing | default('') or event.email",
        "event.none or 'fallback'",
        "event.email and event.budget",
        "event.no and event.budget",
        "not event.yes",
        "'hot' if event.budget >= vars.hot_score else 'cold'",
        "1 if event.budget >= 20000 else 2 if event.budget >= 10000 else 3",
        "event.budget + 1000 - event.neg",
        "[0, [100, (50 if event.budget >= 10000 else 0) + (30 if ('ada' in event.email | lower or 'demo' in event.email) else 0) - (30 if 'student' in event.text else 0)] | min] | max",
        "[3, 1, 2] | min",
        "[event.budget, 5] | max",
        "[]",
        "[event.email | lower, 'x']",
        "'sku' in event.tags",
        "'a' in event.tags",
        "'a' not in event.tags",
        "5 in [1, 5]",
        "event.budget in [1, 2]",
        "(event.email)",
        "true",
        "none",
        "Follow up with {{ nodes.score.email or event.email }} within {{ 1 if nodes.score.total >= vars.hot_score else 7 }} day(s)",
        "nurture-{{ nodes.score.tier }}",
        "{{ event.yes }} / {{ event.none }} / {{ event.budget }} / {{ event.neg }}",
        "{{ event.email }}{{ event.email | lower }}",
        "text only {{ item.sku }} }} with braces",
        // Left to the template engine (kinds not handled here), values or errors.
        "event.float_text | int",
        "event.big_text | int",
        "event.ratio | int",
        "event.budget | lower",
        "event.none | upper",
        "event.missing | lower",
        "event.missing | int",
        "event.deep.missing.x | default('x')",
        "event.deep.a.b.c | default('x')",
        "nodes.quiet.x | default('y')",
        "event.tags | upper",
        "event.missing or 'x'",
        "'a' if event.missing else 'b'",
        "event.ratio + 1",
        "event.big + 1",
        "9223372036854775807 + event.budget",
        "['a', 1] | min",
        "[] | max",
        "event.ratio in [1]",
        "1 in ['a']",
        "[event.missing]",
        "{{ event.ratio }} days",
        "tags: {{ event.tags }}",
        "{{ event.missing }} x",
        "line\n{{ event.email }}\n",
    ];
    // Conditions.
    let conditions = [
        "event.budget >= 10000",
        "event.budget > vars.hot_score",
        "vars.hot_score <= event.budget",
        "10000 <= event.budget",
        "nodes.score.total == 42",
        "nodes.score.total != 42",
        "event.neg < 0",
        "event.neg > 0",
        "event.email == 'Ada@Example.COM'",
        "event.email != \"x\"",
        "nodes.score.tier == 'hot'",
        "event.yes == true",
        "event.yes",
        "event.no",
        "event.tags",
        "event.empty",
        "event.none",
        "event.email | lower",
        "event.email | lower == 'ada@example.com'",
        "event.budget >= 10000 and nodes.score.tier == 'hot'",
        "event.no or event.neg < 0",
        "not (event.budget > 1 and event.yes)",
        "'zürich' in event.text",
        "event.budget - 12000",
        // Left to the template engine.
        "event.ratio > 0",
        "event.big > 1",
        "event.email < 'b'",
        "event.budget == event.email",
        "event.missing == 1",
        "event.missing",
        "event.none == 0",
        "nodes.quiet.total > 1",
        "event.yes == 1",
    ];
    let handled = |ex: &Expressions, c: &Compiled| match c {
        Compiled::Value(id) | Compiled::Text(id) => ex.meta[id.0 as usize]
            .fast
            .as_ref()
            .is_some_and(|f| f.eval(&scope).is_some()),
        _ => false,
    };
    let mut ex = Expressions::new();
    let mut answered = Vec::new();
    for src in values {
        let text = if src.contains("{{") {
            src.to_string()
        } else {
            format!("{{{{ {src} }}}}")
        };
        let fast = ex.compile_text(&text).unwrap();
        let slow = template_engine_only(&mut ex, &text);
        assert!(!handled(&ex, &slow));
        if handled(&ex, &fast) {
            answered.push(src);
        }
        assert_same(src, ex.eval(&fast, &scope), ex.eval(&slow, &scope));
    }
    let first_left = values
        .iter()
        .position(|v| *v == "event.float_text | int")
        .unwrap();
    assert_eq!(
        answered,
        values[..first_left],
        "answered here exactly up to the list's second part"
    );

    // Conditions.
    let mut answered = Vec::new();
    for src in conditions {
        let fast = ex.compile_expression(src).unwrap();
        let slow = ex.compile_expression(src).unwrap();
        ex.meta[slow.0 as usize].fast = None;
        let meta = &ex.meta[fast.0 as usize];
        if matches!(meta.fast.as_ref().and_then(|f| f.eval(&scope)), Some(Ok(_))) {
            answered.push(src);
        }
        assert_same(src, ex.eval_bool(fast, &scope), ex.eval_bool(slow, &scope));
    }
    let first_left = conditions
        .iter()
        .position(|v| *v == "event.ratio > 0")
        .unwrap();
    assert_eq!(answered, conditions[..first_left]);

    // Outside the grammar: the template engine's.
    for src in [
        "event.budget * 2",
        "event.email ~ 'x'",
        "-event.budget",
        "event.email | replace('a', 'b')",
        "event.email | trim('x')",
        "event.budget >= -1",
        "event.budget >= 1.5",
        "event.budget >= 1_000",
        "event.email | default('a\\'b')",
        "event.tags[0] | lower",
        "event.x if event.y",
        "1 < event.budget < 3",
        "(event.email).x",
        "event.email is defined",
        "range(3)",
    ] {
        assert_eq!(fast::parse(src), None, "{src}");
    }
}

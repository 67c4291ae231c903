//! A small JSON Schema check for AI Generate's JSON answers: `type`, `properties`, `required`,
//! `items`, `enum` and `additionalProperties: false`. Other keywords are ignored.

use serde_json::Value as Json;

/// Every way `value` does not match `schema`, each naming where (`$.items[2].price`).
pub(crate) fn validate(value: &Json, schema: &Json) -> Vec<String> {
    let mut problems = Vec::new();
    check(value, schema, "$", &mut problems);
    problems
}

fn type_name(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn is_type(v: &Json, ty: &str) -> bool {
    match ty {
        "integer" => v.as_f64().is_some_and(|n| n.fract() == 0.0),
        "number" => v.is_number(),
        other => type_name(v) == other,
    }
}

fn check(value: &Json, schema: &Json, path: &str, problems: &mut Vec<String>) {
    let Json::Object(s) = schema else { return };
    if let Some(ty) = s.get("type") {
        let allowed: Vec<&str> = match ty {
            Json::String(t) => vec![t.as_str()],
            Json::Array(ts) => ts.iter().filter_map(Json::as_str).collect(),
            _ => vec![],
        };
        if !allowed.is_empty() && !allowed.iter().any(|t| is_type(value, t)) {
            problems.push(format!(
                "{path} must be {}, not {}",
                allowed.join(" or "),
                type_name(value)
            ));
            return;
        }
    }
    if let Some(Json::Array(options)) = s.get("enum") {
        if !options.contains(value) {
            let list: Vec<String> = options.iter().map(Json::to_string).collect();
            problems.push(format!(
                "{path} must be one of {}, not {value}",
                list.join(", ")
            ));
        }
    }
    match value {
        Json::Object(map) => {
            if let Some(Json::Array(required)) = s.get("required") {
                for key in required.iter().filter_map(Json::as_str) {
                    if !map.contains_key(key) {
                        problems.push(format!("{path}.{key} is required but missing"));
                    }
                }
            }
            let props = s.get("properties").and_then(Json::as_object);
            for (key, v) in map {
                match props.and_then(|p| p.get(key)) {
                    Some(sub) => check(v, sub, &format!("{path}.{key}"), problems),
                    None if s.get("additionalProperties") == Some(&Json::Bool(false)) => {
                        problems.push(format!("{path}.{key} is not allowed"))
                    }
                    None => {}
                }
            }
        }
        Json::Array(items) => {
            if let Some(sub) = s.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(item, sub, &format!("{path}[{i}]"), problems);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_each_problem_with_its_path() {
        let schema = json!({
            "type": "object",
            "required": ["subject", "tags"],
            "properties": {
                "subject": {"type": "string"},
                "priority": {"enum": ["low", "high"]},
                "tags": {"type": "array", "items": {"type": "string"}},
                "count": {"type": "integer"}
            }
        });
        assert!(validate(
            &json!({"subject": "Hi", "tags": ["a"], "count": 2}),
            &schema
        )
        .is_empty());
        let p = validate(
            &json!({"priority": "urgent", "tags": ["a", 3], "count": 1.5}),
            &schema,
        );
        assert_eq!(
            p,
            [
                "$.subject is required but missing",
                "$.count must be integer, not number",
                "$.priority must be one of \"low\", \"high\", not \"urgent\"",
                "$.tags[1] must be string, not number",
            ]
        );
        assert_eq!(
            validate(&json!([1]), &schema),
            ["$ must be object, not array"]
        );
    }
}

use serde_json::{Map, Value as Json};

use super::{expr_error, NodeCx, NodeOutput};
use crate::events::NodeError;

pub(super) fn run(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    let params = &cx.node().params;
    let mut out = match (params.bool("keep_input"), cx.scope.input.as_ref()) {
        (Some(true), Json::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    for (name, value) in params.key_values("fields") {
        let v = cx
            .plan
            .expressions
            .eval(value, &cx.scope)
            .map_err(|e| expr_error(&format!("fields.{name}"), e))?;
        insert_path(&mut out, name, v);
    }
    Ok(NodeOutput::out(Json::Object(out)))
}

/// Sets `a.b.c` in nested objects, replacing non-objects on the way.
fn insert_path(map: &mut Map<String, Json>, path: &str, value: Json) {
    match path.split_once('.') {
        None => {
            map.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let entry = map
                .entry(head.to_string())
                .or_insert_with(|| Json::Object(Map::new()));
            if !entry.is_object() {
                *entry = Json::Object(Map::new());
            }
            insert_path(
                entry.as_object_mut().expect("just made an object"),
                rest,
                value,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_names_create_nested_objects() {
        let mut m = Map::new();
        insert_path(&mut m, "contact.email", json!("a@b.c"));
        insert_path(&mut m, "contact.name", json!("Ada"));
        insert_path(&mut m, "score", json!(3));
        assert_eq!(
            Json::Object(m),
            json!({"contact": {"email": "a@b.c", "name": "Ada"}, "score": 3})
        );
    }
}

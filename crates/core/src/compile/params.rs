//! Type-checks a node's settings against its descriptor and compiles the expressions inside.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::catalog::{Field, FieldType};
use crate::diagnostic::Diagnostic;
use crate::expr::{Compiled, Expressions, SyntaxError};
use crate::plan::{CompiledJson, Param, Params};

pub(super) struct ParamCx<'a> {
    pub node: &'a str,
    pub ex: &'a mut Expressions,
    pub diags: &'a mut Vec<Diagnostic>,
    /// Every expression compiled for this node, with the setting it came from.
    pub compiled: Vec<(String, crate::expr::ExprId)>,
}

impl ParamCx<'_> {
    fn problem(&mut self, code: &str, field: &str, message: String) {
        self.diags
            .push(Diagnostic::error(code, Some(self.node), message).with_field(field));
    }

    fn syntax(&mut self, field: &str, e: SyntaxError) {
        let line = e
            .line
            .filter(|&l| l > 1)
            .map(|l| format!(" (line {l})"))
            .unwrap_or_default();
        self.problem(
            "expression_syntax",
            field,
            format!(
                "the expression in `{field}` is not valid: {}{line}",
                e.message
            ),
        );
    }

    fn note(&mut self, field: &str, c: &Compiled) {
        if let Compiled::Value(id) | Compiled::Text(id) = c {
            self.compiled.push((field.to_string(), *id));
        }
    }

    /// Checks `values` against `fields`; `prefix` is prepended to field names in diagnostics.
    pub fn params(
        &mut self,
        fields: &[Field],
        values: &BTreeMap<String, Json>,
        prefix: &str,
    ) -> Params {
        let mut out = BTreeMap::new();
        for key in values.keys() {
            if !fields.iter().any(|f| &f.name == key) {
                let known: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                self.problem(
                    "unknown_setting",
                    &format!("{prefix}{key}"),
                    format!(
                        "`{key}` is not a setting of this node (its settings are: {})",
                        known.join(", ")
                    ),
                );
            }
        }
        for f in fields {
            let path = format!("{prefix}{}", f.name);
            let value = values.get(&f.name).filter(|v| !is_blank(v));
            match value.or(f.default.as_ref()) {
                None if f.required => self.problem(
                    "missing_setting",
                    &path,
                    format!("`{}` is required: {}", f.label, f.help),
                ),
                None => {}
                Some(v) => {
                    if let Some(p) = self.param(f, v, &path) {
                        out.insert(f.name.clone(), p);
                    }
                }
            }
        }
        Params(out)
    }

    fn param(&mut self, f: &Field, v: &Json, path: &str) -> Option<Param> {
        let label = &f.label;
        match (&f.ty, v) {
            (FieldType::Text, Json::String(_)) | (FieldType::Boolean, Json::Bool(_)) => {
                Some(Param::Literal(v.clone()))
            }
            (FieldType::Template { .. }, Json::String(s)) => self.text(s, path).map(Param::Text),
            (FieldType::Template { .. }, Json::Number(_) | Json::Bool(_)) => {
                Some(Param::Literal(v.clone()))
            }
            (FieldType::Expression, Json::Bool(_)) => Some(Param::Literal(v.clone())),
            (FieldType::Expression, Json::String(s)) => match self.ex.compile_expression(s) {
                Ok(id) => {
                    self.compiled.push((path.to_string(), id));
                    Some(Param::Expr(id))
                }
                Err(e) => {
                    self.syntax(path, e);
                    None
                }
            },
            (FieldType::Number { min, max, integer }, Json::Number(n)) => {
                let x = n.as_f64().unwrap_or(f64::NAN);
                if *integer && x.fract() != 0.0 {
                    self.problem(
                        "invalid_setting",
                        path,
                        format!("`{label}` must be a whole number"),
                    );
                } else if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) {
                    let range = match (min, max) {
                        (Some(a), Some(b)) => format!("between {a} and {b}"),
                        (Some(a), None) => format!("at least {a}"),
                        (None, Some(b)) => format!("at most {b}"),
                        (None, None) => unreachable!(),
                    };
                    self.problem(
                        "invalid_setting",
                        path,
                        format!("`{label}` must be {range}, not {x}"),
                    );
                } else {
                    return Some(Param::Literal(v.clone()));
                }
                None
            }
            (FieldType::Number { .. }, Json::String(s)) if crate::expr::has_template_syntax(s) => {
                self.text(s, path).map(Param::Text)
            }
            (FieldType::Select { options }, Json::String(s)) => {
                if options.iter().any(|o| &o.value == s) {
                    Some(Param::Literal(v.clone()))
                } else {
                    let values: Vec<&str> = options.iter().map(|o| o.value.as_str()).collect();
                    self.problem(
                        "invalid_setting",
                        path,
                        format!(
                            "`{label}` cannot be \"{s}\"; choose one of: {}",
                            values.join(", ")
                        ),
                    );
                    None
                }
            }
            (FieldType::KeyValue, Json::Object(map)) => {
                let mut kv = Vec::with_capacity(map.len());
                for (k, item) in map {
                    let item_path = format!("{path}.{k}");
                    let compiled = match item {
                        Json::String(s) => self.text(s, &item_path),
                        Json::Object(_) | Json::Array(_) => {
                            self.problem(
                                "invalid_setting",
                                &item_path,
                                format!("the value of `{k}` must be text"),
                            );
                            None
                        }
                        scalar => Some(Compiled::Literal(scalar.clone())),
                    };
                    kv.extend(compiled.map(|c| (k.clone(), c)));
                }
                Some(Param::KeyValue(kv))
            }
            (FieldType::Json, _) => self.json(v, path).map(Param::Json),
            (FieldType::List { fields }, Json::Array(items)) => {
                let mut list = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let item_path = format!("{path}[{i}].");
                    match item {
                        Json::Object(m) => {
                            let m: BTreeMap<String, Json> =
                                m.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                            list.push(self.params(fields, &m, &item_path));
                        }
                        _ => self.problem(
                            "invalid_setting",
                            &format!("{path}[{i}]"),
                            format!("each item of `{label}` must be an object"),
                        ),
                    }
                }
                Some(Param::List(list))
            }
            _ => {
                self.problem(
                    "invalid_setting",
                    path,
                    format!("`{label}` must be {}, not {}", expected(&f.ty), found(v)),
                );
                None
            }
        }
    }

    fn text(&mut self, s: &str, path: &str) -> Option<Compiled> {
        match self.ex.compile_text(s) {
            Ok(c) => {
                self.note(path, &c);
                Some(c)
            }
            Err(e) => {
                self.syntax(path, e);
                None
            }
        }
    }

    fn json(&mut self, v: &Json, path: &str) -> Option<CompiledJson> {
        if !contains_template(v) {
            return Some(CompiledJson::Literal(v.clone()));
        }
        Some(match v {
            Json::String(s) => CompiledJson::Value(self.text(s, path)?),
            Json::Array(items) => CompiledJson::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| self.json(x, &format!("{path}[{i}]")))
                    .collect::<Option<_>>()?,
            ),
            Json::Object(m) => CompiledJson::Object(
                m.iter()
                    .map(|(k, x)| Some((k.clone(), self.json(x, &format!("{path}.{k}"))?)))
                    .collect::<Option<_>>()?,
            ),
            other => CompiledJson::Literal(other.clone()),
        })
    }
}

fn contains_template(v: &Json) -> bool {
    match v {
        Json::String(s) => crate::expr::has_template_syntax(s),
        Json::Array(a) => a.iter().any(contains_template),
        Json::Object(m) => m.values().any(contains_template),
        _ => false,
    }
}

fn is_blank(v: &Json) -> bool {
    matches!(v, Json::Null) || v.as_str().is_some_and(|s| s.trim().is_empty())
}

fn expected(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::Text
        | FieldType::Template { .. }
        | FieldType::Expression
        | FieldType::Select { .. } => "text",
        FieldType::Number { .. } => "a number",
        FieldType::Boolean => "true or false",
        FieldType::KeyValue => "an object of names and values",
        FieldType::Json => "JSON",
        FieldType::List { .. } => "a list",
    }
}

fn found(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "true/false",
        Json::Number(_) => "a number",
        Json::String(_) => "text",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

//! The sandboxed expression language (minijinja): `{{ event.email | lower }}` in text fields,
//! `event.budget >= 10000` in conditions. No user code runs: templates can only read the
//! scope, call built-in filters, and are bounded by fuel (instruction count) and output size.

mod fast;
mod names;
mod scope;

use minijinja::{Environment, ErrorKind, UndefinedBehavior, Value};
use serde_json::Value as Json;

pub use scope::{Outputs, Scope};

/// Upper bound on the instructions one evaluation may execute.
const FUEL: u64 = 200_000;
/// Upper bound on the size of a rendered text.
pub const MAX_OUTPUT_BYTES: usize = 4 * 1024 * 1024;
const RESULT_VAR: &str = "__switchyard_result";

/// A handle to a compiled expression or template inside an [`Expressions`] set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExprId(u32);

/// How a text setting is evaluated.
#[derive(Debug, Clone)]
pub enum Compiled {
    /// No expressions inside: used as is.
    Literal(Json),
    /// A bare expression, or text that is exactly one `{{ ... }}`: keeps its type.
    Value(ExprId),
    /// Text with expressions inside: always a string.
    Text(ExprId),
}

/// A syntax error in an expression, with its 1-based line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct SyntaxError {
    pub message: String,
    pub line: Option<usize>,
}

/// A failure while evaluating, in plain language.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct EvalError {
    pub message: String,
}

#[derive(Debug)]
struct Meta {
    /// The template's name in the environment.
    name: String,
    source: String,
    /// Dotted paths read from the scope, e.g. `["nodes", "score", "total"]`.
    refs: Vec<Vec<String>>,
    /// When the expression is simple enough (a path such as `nodes.score.email`, the most
    /// common kind, maybe with filters, or a comparison): evaluated straight on the JSON,
    /// without the template engine (see `fast.rs`).
    fast: Option<fast::Fast>,
}

/// A set of compiled expressions; immutable once built, shared by every run of a plan.
#[derive(Debug)]
pub struct Expressions {
    env: Environment<'static>,
    meta: Vec<Meta>,
}

/// The environment every expression is compiled in.
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(64);
    // Templates produce plain text (emails, URLs, JSON): no HTML escaping.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env
}

impl Default for Expressions {
    fn default() -> Self {
        Expressions {
            env: environment(),
            meta: Vec::new(),
        }
    }
}

/// Whether a text contains template syntax at all.
pub fn has_template_syntax(text: &str) -> bool {
    text.contains("{{") || text.contains("{%") || text.contains("{#")
}

/// If `text` is exactly one `{{ expr }}`, the inner expression.
fn single_expression(text: &str) -> Option<&str> {
    let t = text.trim();
    let inner = t.strip_prefix("{{")?.strip_suffix("}}")?;
    let inner = inner.strip_prefix('-').unwrap_or(inner);
    let inner = inner.strip_suffix('-').unwrap_or(inner);
    if inner.contains("{{") || inner.contains("}}") || inner.contains("{%") {
        return None;
    }
    Some(inner.trim())
}

fn syntax_error(e: minijinja::Error) -> SyntaxError {
    let message = e
        .detail()
        .map(str::to_string)
        .unwrap_or_else(|| e.kind().to_string());
    SyntaxError {
        message,
        line: e.line(),
    }
}

impl Expressions {
    pub fn new() -> Expressions {
        Expressions::default()
    }

    /// Compiles a bare expression (`event.budget >= 10000`).
    pub fn compile_expression(&mut self, source: &str) -> Result<ExprId, SyntaxError> {
        if source.trim().is_empty() {
            return Err(SyntaxError {
                message: "the expression is empty".into(),
                line: None,
            });
        }
        // Stored as a template that assigns the value, so that it can be evaluated later
        // without re-parsing and without borrowing the source.
        let wrapped = format!("{{% set {RESULT_VAR} = ({source}\n) %}}");
        let id = self.register(source, wrapped).map_err(|e| {
            // Report the error against the expression as written, not the wrapper.
            match self.env.compile_expression(source) {
                Err(plain) => syntax_error(plain),
                Ok(_) => e,
            }
        })?;
        self.meta[id.0 as usize].fast = fast::parse(source);
        Ok(id)
    }

    /// Compiles a text setting: literal text, one `{{ expression }}` (keeps its type) or a
    /// template (renders to text).
    pub fn compile_text(&mut self, source: &str) -> Result<Compiled, SyntaxError> {
        if !has_template_syntax(source) {
            return Ok(Compiled::Literal(Json::String(source.to_string())));
        }
        if let Some(inner) = single_expression(source) {
            return self.compile_expression(inner).map(Compiled::Value);
        }
        let id = self.register(source, source.to_string())?;
        self.meta[id.0 as usize].fast = fast::parse_text(source);
        Ok(Compiled::Text(id))
    }

    /// Compiles `template` once into the environment and records what it reads.
    fn register(&mut self, source: &str, template: String) -> Result<ExprId, SyntaxError> {
        // A bare expression is wrapped in a tag; a template is scanned inside its tags only.
        let whole_is_expression = template != source;
        if let Some(message) = names::unknown_name(&self.env, source, whole_is_expression) {
            return Err(SyntaxError {
                message,
                line: None,
            });
        }
        let id = ExprId(self.meta.len() as u32);
        let name = id.0.to_string();
        self.env
            .add_template_owned(name.clone(), template)
            .map_err(syntax_error)?;
        let refs = paths(
            self.env
                .get_template(&name)
                .expect("just added")
                .undeclared_variables(true),
        );
        self.meta.push(Meta {
            name,
            source: source.to_string(),
            refs,
            fast: None,
        });
        Ok(id)
    }

    /// The dotted paths an expression reads, e.g. `[["event", "email"]]`.
    pub fn references(&self, id: ExprId) -> &[Vec<String>] {
        &self.meta[id.0 as usize].refs
    }

    pub fn source(&self, id: ExprId) -> &str {
        &self.meta[id.0 as usize].source
    }

    /// Evaluates a compiled text setting to JSON.
    pub fn eval(&self, compiled: &Compiled, scope: &Scope) -> Result<Json, EvalError> {
        match compiled {
            Compiled::Literal(v) => Ok(v.clone()),
            Compiled::Value(id) => {
                let fast = self.meta[id.0 as usize].fast.as_ref();
                let json = match fast.and_then(|f| f.eval(scope)) {
                    Some(Ok(json)) => json,
                    Some(Err(fast::Undefined)) => {
                        // The same error, in the same words, as the template engine's.
                        let e = minijinja::Error::new(ErrorKind::UndefinedError, "undefined value");
                        return Err(self.explain(*id, scope, e));
                    }
                    None => to_json(&self.eval_value(*id, scope)?)?,
                };
                if let Some(len) = json
                    .as_str()
                    .map(str::len)
                    .filter(|&l| l > MAX_OUTPUT_BYTES)
                {
                    return Err(too_large(len));
                }
                Ok(json)
            }
            Compiled::Text(id) => {
                let fast = self.meta[id.0 as usize].fast.as_ref();
                match fast.and_then(|f| f.eval(scope)) {
                    Some(Ok(Json::String(text))) if text.len() > MAX_OUTPUT_BYTES => {
                        Err(too_large(text.len()))
                    }
                    Some(Ok(text)) => Ok(text),
                    _ => self.render(*id, scope).map(Json::String),
                }
            }
        }
    }

    /// Evaluates a condition to true or false (Jinja truthiness).
    pub fn eval_bool(&self, id: ExprId, scope: &Scope) -> Result<bool, EvalError> {
        let fast = self.meta[id.0 as usize].fast.as_ref();
        if let Some(Ok(value)) = fast.and_then(|f| f.eval(scope)) {
            return Ok(fast::truthy(&value));
        }
        self.eval_value(id, scope).map(|v| v.is_true())
    }

    fn template(&self, id: ExprId) -> minijinja::Template<'_, '_> {
        let name = &self.meta[id.0 as usize].name;
        self.env
            .get_template(name)
            .expect("registered at compile time")
    }

    fn eval_value(&self, id: ExprId, scope: &Scope) -> Result<Value, EvalError> {
        let tmpl = self.template(id);
        let captured = tmpl
            .render_captured(scope.to_value())
            .map_err(|e| self.explain(id, scope, e))?;
        let value = captured.state().lookup(RESULT_VAR).unwrap_or_default();
        if value.is_undefined() {
            // Strict mode lets an undefined value be assigned; using it as a result is an error.
            return Err(self.explain(
                id,
                scope,
                minijinja::Error::new(ErrorKind::UndefinedError, "undefined value"),
            ));
        }
        Ok(value)
    }

    fn render(&self, id: ExprId, scope: &Scope) -> Result<String, EvalError> {
        let tmpl = self.template(id);
        let text = tmpl
            .render(scope.to_value())
            .map_err(|e| self.explain(id, scope, e))?;
        if text.len() > MAX_OUTPUT_BYTES {
            return Err(too_large(text.len()));
        }
        Ok(text)
    }

    /// Turns a minijinja error into a plain-language message, naming the missing field.
    fn explain(&self, id: ExprId, scope: &Scope, e: minijinja::Error) -> EvalError {
        let meta = &self.meta[id.0 as usize];
        let message = match e.kind() {
            ErrorKind::UndefinedError => {
                match meta.refs.iter().find_map(|p| missing_part(p, scope)) {
                    Some(m) => m,
                    None => format!("`{}` reads a value that does not exist", meta.source.trim()),
                }
            }
            ErrorKind::OutOfFuel => "the expression did too much work and was stopped".to_string(),
            _ => {
                let detail = e
                    .detail()
                    .map(str::to_string)
                    .unwrap_or_else(|| e.kind().to_string());
                format!("{detail} (in `{}`)", meta.source.trim())
            }
        };
        EvalError { message }
    }
}

/// `a.b.c` made of identifiers only, starting at a name of the scope: the path, else None.
fn plain_path(source: &str) -> Option<Vec<String>> {
    let segs: Vec<String> = source.trim().split('.').map(str::to_string).collect();
    let ident = |s: &str| {
        let mut chars = s.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let root = segs.first()?;
    if !segs.iter().all(|s| ident(s)) || !scope::NAMES.contains(&root.as_str()) {
        return None;
    }
    if root == "nodes" && segs.len() < 2 {
        return None;
    }
    Some(segs)
}

fn too_large(len: usize) -> EvalError {
    EvalError {
        message: format!("the text is {len} bytes, more than the limit of {MAX_OUTPUT_BYTES}"),
    }
}

fn paths(vars: std::collections::HashSet<String>) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = vars
        .into_iter()
        .map(|v| v.split('.').map(str::to_string).collect())
        .collect();
    out.sort();
    out
}

/// Describes the first part of `path` that is missing from the scope, if any.
fn missing_part(path: &[String], scope: &Scope) -> Option<String> {
    let (root, rest) = path.split_first()?;
    let (mut cur, mut shown, rest): (std::sync::Arc<Json>, String, &[String]) = if root == "nodes" {
        let (id, rest) = rest.split_first()?;
        let outputs = scope.outputs.as_ref()?;
        match outputs.get_by_id(id) {
            Some(out) => (out.clone(), format!("nodes.{id}"), rest),
            None => {
                return Some(format!(
                    "`nodes.{id}` has no output in this run (the node did not run)"
                ))
            }
        }
    } else {
        match scope.root_json(root) {
            Some(j) => (j, root.clone(), rest),
            None => return Some(format!("`{root}` is not defined here")),
        }
    };
    for seg in rest {
        let next = match &*cur {
            Json::Object(m) => m.get(seg).cloned(),
            Json::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i).cloned()),
            _ => None,
        };
        match next {
            Some(n) => {
                cur = std::sync::Arc::new(n);
                shown = format!("{shown}.{seg}");
            }
            None => {
                let has = match &*cur {
                    Json::Object(m) if !m.is_empty() => {
                        let keys: Vec<&str> = m.keys().map(String::as_str).take(12).collect();
                        format!("; `{shown}` has {}", keys.join(", "))
                    }
                    Json::Object(_) => format!("; `{shown}` is empty"),
                    other => format!("; `{shown}` is {}", type_name(other)),
                };
                return Some(format!("`{shown}.{seg}` does not exist{has}"));
            }
        }
    }
    None
}

fn type_name(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a true/false value",
        Json::Number(_) => "a number",
        Json::String(_) => "text",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

fn to_json(v: &Value) -> Result<Json, EvalError> {
    if v.is_undefined() {
        return Ok(Json::Null);
    }
    serde_json::to_value(v).map_err(|e| EvalError {
        message: format!("the result cannot be stored as JSON: {e}"),
    })
}

#[cfg(test)]
mod tests;

//! `compile(file) -> Result<Plan, Vec<Diagnostic>>`: checks a workflow and builds its plan,
//! collecting every problem instead of stopping at the first.

mod graph;
mod loops;
mod params;
mod refs;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value as Json;

use crate::catalog::{descriptor, Descriptor};
use crate::diagnostic::Diagnostic;
use crate::expr::{ExprId, Expressions};
use crate::file::Node;
use crate::file::WorkflowFile;
use crate::kind::NodeKind;
use crate::plan::{LoopInfo, Params, Pin, Plan, PlanEdge, PlanNode};

/// The port every non-trigger node can route its failures to.
pub const ERROR_PORT: &str = "error";
pub use loops::ITEM_PORT;

/// Checks a workflow and builds its executable plan. Errors block the plan; warnings travel
/// with it in [`Plan::warnings`].
pub fn compile(file: &WorkflowFile) -> Result<Plan, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut ex = Expressions::new();

    if !is_slug(&file.id) {
        diags.push(Diagnostic::error(
            "invalid_workflow_id",
            None,
            format!(
                "the workflow id \"{}\" may only contain lowercase letters, digits, - and _",
                file.id
            ),
        ));
    }

    // Node ids.
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(file.nodes.len());
    for (i, node) in file.nodes.iter().enumerate() {
        if !is_identifier(&node.id) {
            diags.push(Diagnostic::error(
                "invalid_node_id",
                Some(&node.id),
                format!(
                    "the node id \"{}\" must start with a letter or _ and contain only lowercase letters, digits and _ (it is used in expressions as nodes.{})",
                    node.id, node.id
                ),
            ));
        }
        if index.insert(&node.id, i).is_some() {
            diags.push(Diagnostic::error(
                "duplicate_node_id",
                Some(&node.id),
                format!("two nodes have the id \"{}\"; ids must be unique", node.id),
            ));
        }
    }

    // Settings and expressions of every node.
    let mut compiled = Vec::with_capacity(file.nodes.len());
    let mut exprs: Vec<Vec<(String, ExprId)>> = Vec::with_capacity(file.nodes.len());
    for node in &file.nodes {
        let d = descriptor(node.kind);
        let mut cx = params::ParamCx {
            node: &node.id,
            ex: &mut ex,
            diags: &mut diags,
            compiled: Vec::new(),
        };
        let p = cx.params(&d.fields, &node.params, "");
        exprs.push(cx.compiled);
        compiled.push(p);
        if let Some(t) = node.timeout_ms {
            if t == 0 {
                diags.push(
                    Diagnostic::error(
                        "invalid_setting",
                        Some(&node.id),
                        "the timeout must be more than 0 ms",
                    )
                    .with_field("timeout_ms"),
                );
            }
        }
        if let Some(r) = &node.retry {
            if r.max_attempts == 0 {
                diags.push(
                    Diagnostic::error(
                        "invalid_setting",
                        Some(&node.id),
                        "retry.max_attempts must be at least 1",
                    )
                    .with_field("retry.max_attempts"),
                );
            }
        }
    }

    // Output ports, including the Switch node's routes.
    let ports: Vec<BTreeSet<String>> = file
        .nodes
        .iter()
        .zip(&compiled)
        .map(|(node, p)| output_ports(node.kind, descriptor(node.kind), p, &node.id, &mut diags))
        .collect();
    let pins: Vec<Option<Arc<Pin>>> = file
        .nodes
        .iter()
        .zip(&ports)
        .map(|(node, ports)| pin_of(node, ports, &mut diags))
        .collect();

    // Edges.
    let mut edges: Vec<PlanEdge> = Vec::with_capacity(file.edges.len());
    let mut seen = BTreeSet::new();
    for e in &file.edges {
        let from = index.get(e.from.as_str()).copied();
        let to = index.get(e.to.as_str()).copied();
        for (end, id) in [(from, &e.from), (to, &e.to)] {
            if end.is_none() {
                diags.push(Diagnostic::error(
                    "edge_unknown_node",
                    None,
                    format!("a connection {} → {} refers to \"{id}\", which is not a node of this workflow", e.from, e.to),
                ));
            }
        }
        let (Some(from), Some(to)) = (from, to) else {
            continue;
        };
        let mut ok = true;
        if !ports[from].contains(&e.from_port) {
            ok = false;
            let list: Vec<&str> = ports[from].iter().map(String::as_str).collect();
            diags.push(Diagnostic::error(
                "edge_unknown_port",
                Some(&e.from),
                format!(
                    "\"{}\" has no output \"{}\" (its outputs are: {})",
                    e.from,
                    e.from_port,
                    list.join(", ")
                ),
            ));
        }
        let d_to = descriptor(file.nodes[to].kind);
        if d_to.inputs.is_empty() {
            ok = false;
            diags.push(Diagnostic::error(
                "trigger_has_input",
                Some(&e.to),
                format!(
                    "\"{}\" is a trigger: nothing can connect into it (from \"{}\")",
                    e.to, e.from
                ),
            ));
        } else if !d_to.inputs.iter().any(|p| p.name == e.to_port) {
            ok = false;
            diags.push(Diagnostic::error(
                "edge_unknown_port",
                Some(&e.to),
                format!("\"{}\" has no input \"{}\"", e.to, e.to_port),
            ));
        }
        if !seen.insert((from, e.from_port.as_str(), to, e.to_port.as_str())) {
            diags.push(Diagnostic::warning(
                "duplicate_edge",
                Some(&e.from),
                format!(
                    "the connection {}.{} → {} appears twice",
                    e.from, e.from_port, e.to
                ),
            ));
            continue;
        }
        if ok {
            edges.push(PlanEdge {
                from,
                from_port: e.from_port.clone(),
                to,
                to_port: e.to_port.clone(),
            });
        }
    }

    // Graph: triggers, cycles, reachability, topological order.
    let triggers: Vec<usize> = (0..file.nodes.len())
        .filter(|&i| file.nodes[i].kind.is_trigger())
        .collect();
    if triggers.is_empty() && !file.nodes.is_empty() {
        diags.push(Diagnostic::error(
            "no_trigger",
            None,
            "the workflow has no trigger, so nothing can start it: add a Manual trigger or a Webhook",
        ));
    } else if file.nodes.is_empty() {
        diags.push(Diagnostic::error(
            "no_trigger",
            None,
            "the workflow is empty: start with a trigger",
        ));
    }
    let g = graph::analyse(file, &edges, &triggers, &mut diags);
    let loops = loops::analyse(file, &edges, &mut diags);
    webhook_paths(file, &compiled, &mut diags);
    trigger_settings(file, &compiled, &mut diags);
    ai_settings(file, &compiled, &mut diags);

    // References inside expressions.
    let mut warnings = Vec::new();
    refs::check(
        &refs::RefCx {
            file,
            index: &index,
            edges: &edges,
            compiled: &compiled,
            ex: &ex,
            loops: &loops,
        },
        &exprs,
        &mut diags,
        &mut warnings,
    );

    diags.extend(warnings);
    let (errors, warnings): (Vec<_>, Vec<_>) = diags.into_iter().partition(Diagnostic::is_error);
    if !errors.is_empty() {
        let mut all = errors;
        all.extend(warnings);
        return Err(all);
    }
    let order = g.expect("a graph without errors has a topological order");
    let nodes = compiled.into_iter().zip(pins).collect();
    Ok(build_plan(file, nodes, edges, order, ex, warnings, loops))
}

/// `nodes`: each file node's compiled settings and resolved pin, in file order.
fn build_plan(
    file: &WorkflowFile,
    nodes: Vec<(Params, Option<Arc<Pin>>)>,
    edges: Vec<PlanEdge>,
    order: Vec<usize>,
    ex: Expressions,
    warnings: Vec<Diagnostic>,
    loops: loops::Loops,
) -> Plan {
    // Renumber nodes in topological order.
    let mut new_of = vec![0; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_of[old] = new;
    }
    let mut parts: Vec<Option<(Params, Option<Arc<Pin>>)>> = nodes.into_iter().map(Some).collect();
    let mut nodes: Vec<PlanNode> = order
        .iter()
        .map(|&old| {
            let n = &file.nodes[old];
            let (params, pinned) = parts[old].take().expect("each node once");
            PlanNode {
                id: n.id.clone(),
                name: if n.name.is_empty() {
                    descriptor(n.kind).title.clone()
                } else {
                    n.name.clone()
                },
                kind: n.kind,
                params,
                inputs: Vec::new(),
                outputs: Vec::new(),
                retry: n.retry.unwrap_or_default(),
                timeout: n.timeout_ms.map(Duration::from_millis),
                catches_errors: false,
                loop_body: loops.info[old].as_ref().map(|l| {
                    let mut body: Vec<usize> = l.body.iter().map(|&b| new_of[b]).collect();
                    body.sort_unstable();
                    LoopInfo {
                        body,
                        collect: l.collect.map(|c| new_of[c]),
                    }
                }),
                in_loop: loops.owner[old].map(|f| new_of[f]),
                pinned,
            }
        })
        .collect();
    let edges: Vec<PlanEdge> = edges
        .into_iter()
        .map(|e| PlanEdge {
            from: new_of[e.from],
            to: new_of[e.to],
            ..e
        })
        .collect();
    for (i, e) in edges.iter().enumerate() {
        nodes[e.from].outputs.push(i);
        nodes[e.to].inputs.push(i);
        if e.from_port == ERROR_PORT {
            nodes[e.from].catches_errors = true;
        }
    }
    let index: crate::plan::NodeIndex = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.clone(), i))
        .collect();
    let triggers = (0..nodes.len())
        .filter(|&i| nodes[i].kind.is_trigger())
        .collect();
    let vars = Json::Object(
        file.vars
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    );
    Plan {
        id: file.id.clone(),
        name: file.name.clone(),
        nodes,
        edges,
        index: Arc::new(index),
        triggers,
        vars: Arc::new(vars),
        expressions: ex,
        warnings,
    }
}

/// A node's pinned output with its ports resolved, or a diagnostic when it cannot be pinned.
fn pin_of(node: &Node, ports: &BTreeSet<String>, diags: &mut Vec<Diagnostic>) -> Option<Arc<Pin>> {
    let pinned = node.pinned.as_ref()?;
    let refuse = |why: &str| {
        Diagnostic::error("pin_not_allowed", Some(&node.id), why.to_string()).with_field("pinned")
    };
    match node.kind {
        k if k.is_trigger() => {
            diags.push(refuse("a trigger's output is the event: give the run a sample event instead of pinning it"));
            return None;
        }
        NodeKind::ForEach | NodeKind::Collect => {
            diags.push(refuse(
                "a For each or Collect cannot be pinned; pin the nodes inside the loop instead",
            ));
            return None;
        }
        _ => {}
    }
    let mut chosen = pinned.ports.clone();
    if chosen.is_empty() {
        chosen.push("out".to_string());
        // AI classify also sends to the route its label names.
        if node.kind == NodeKind::AiClassify {
            if let Some(c) = pinned.output.get("label").and_then(Json::as_str) {
                if ports.contains(c) {
                    chosen.push(c.to_string());
                }
            }
        }
    }
    let mut ok = true;
    for p in &chosen {
        if !ports.contains(p) {
            ok = false;
            let list: Vec<&str> = ports.iter().map(String::as_str).collect();
            diags.push(
                Diagnostic::error(
                    "pin_unknown_port",
                    Some(&node.id),
                    format!(
                        "the pinned output goes to \"{p}\", which is not an output of \"{}\" (its outputs are: {})",
                        node.id,
                        list.join(", ")
                    ),
                )
                .with_field("pinned.ports"),
            );
        }
    }
    ok.then(|| {
        Arc::new(Pin {
            output: Arc::new(pinned.output.clone()),
            ports: chosen,
        })
    })
}

fn output_ports(
    kind: NodeKind,
    d: &Descriptor,
    p: &Params,
    node: &str,
    diags: &mut Vec<Diagnostic>,
) -> BTreeSet<String> {
    let mut ports: BTreeSet<String> = d.outputs.iter().map(|p| p.name.clone()).collect();
    if d.error_port {
        ports.insert(ERROR_PORT.to_string());
    }
    if let Some(dynamic) = &d.dynamic_outputs {
        // The fixed outputs, named when a label or route takes one of their names.
        let fixed = || -> String {
            let names: Vec<&str> = d
                .outputs
                .iter()
                .map(|p| p.name.as_str())
                .chain(d.error_port.then_some(ERROR_PORT))
                .collect();
            names.join("\" and \"")
        };
        for (i, item) in p.list(&dynamic.field).iter().enumerate() {
            let Some(name) = item.str(&dynamic.name_key) else {
                continue;
            };
            let field = format!("{}[{i}].{}", dynamic.field, dynamic.name_key);
            if !is_identifier(name) {
                diags.push(
                    Diagnostic::error(
                        "invalid_setting",
                        Some(node),
                        format!("the name \"{name}\" is also the name of an output, so it must start with a letter and may only contain lowercase letters, digits and _"),
                    )
                    .with_field(field),
                );
            } else if !ports.insert(name.to_string()) {
                diags.push(
                    Diagnostic::error(
                        "duplicate_port",
                        Some(node),
                        format!(
                            "the {kind} node has two outputs named \"{name}\" (\"{}\" are taken)",
                            fixed()
                        ),
                    )
                    .with_field(field),
                );
            }
        }
    }
    ports
}

fn webhook_paths(file: &WorkflowFile, compiled: &[Params], diags: &mut Vec<Diagnostic>) {
    let mut paths: HashMap<&str, &str> = HashMap::new();
    for (n, p) in file.nodes.iter().zip(compiled) {
        if n.kind != NodeKind::WebhookTrigger {
            continue;
        }
        let Some(path) = p.str("path") else { continue };
        let clean = path.trim_matches('/');
        if clean.is_empty() || !clean.split('/').all(is_slug) {
            diags.push(
                Diagnostic::error(
                    "invalid_setting",
                    Some(&n.id),
                    format!("the webhook path \"{path}\" may only contain lowercase letters, digits, -, _ and /"),
                )
                .with_field("path"),
            );
        } else if let Some(other) = paths.insert(clean, &n.id) {
            diags.push(
                Diagnostic::error(
                    "duplicate_webhook_path",
                    Some(&n.id),
                    format!("\"{other}\" already listens on /hooks/{clean}"),
                )
                .with_field("path"),
            );
        }
    }
}

/// Event names and schedules, which the generic setting checks cannot judge.
fn trigger_settings(file: &WorkflowFile, compiled: &[Params], diags: &mut Vec<Diagnostic>) {
    for (n, p) in file.nodes.iter().zip(compiled) {
        match n.kind {
            NodeKind::EventTrigger | NodeKind::EmitEvent => {
                if let Some(name) = p.str("event") {
                    if !is_event_name(name) {
                        diags.push(
                            Diagnostic::error(
                                "invalid_setting",
                                Some(&n.id),
                                format!("the event name \"{name}\" may only contain lowercase letters, digits, ., - and _ (e.g. lead.submitted)"),
                            )
                            .with_field("event"),
                        );
                    }
                }
            }
            NodeKind::ScheduleTrigger => {
                let (Some(cron), Some(tz)) = (p.str("cron"), p.str("timezone")) else {
                    continue;
                };
                if let Err(e) = crate::schedule::Schedule::parse(cron, tz) {
                    diags.push(
                        Diagnostic::error("invalid_schedule", Some(&n.id), e.message)
                            .with_field(e.field),
                    );
                }
            }
            _ => {}
        }
    }
}

/// What the generic checks cannot judge in AI nodes: at least one label or field, unique field
/// names, a JSON Schema that is an object.
fn ai_settings(file: &WorkflowFile, compiled: &[Params], diags: &mut Vec<Diagnostic>) {
    for (n, p) in file.nodes.iter().zip(compiled) {
        let mut problem = |field: String, message: String| {
            diags
                .push(Diagnostic::error("invalid_setting", Some(&n.id), message).with_field(field));
        };
        let list = match n.kind {
            NodeKind::AiClassify => "labels",
            NodeKind::AiExtract => "fields",
            NodeKind::AiGenerate => {
                if let Some(v) = n.params.get("json_schema") {
                    if !v.is_object() && !v.is_null() {
                        problem(
                            "json_schema".into(),
                            "the JSON shape must be a JSON Schema object, e.g. {\"type\": \"object\", \"required\": [\"subject\"]}".into(),
                        );
                    }
                }
                continue;
            }
            _ => continue,
        };
        let items = p.list(list);
        if items.is_empty() && n.params.get(list).is_some_and(|v| v.is_array()) {
            problem(list.into(), format!("add at least one item to `{list}`"));
        }
        if n.kind == NodeKind::AiExtract {
            let mut seen = BTreeSet::new();
            for (i, item) in items.iter().enumerate() {
                if let Some(name) = item.str("name") {
                    if !seen.insert(name) {
                        problem(
                            format!("fields[{i}].name"),
                            format!(
                                "two fields are named \"{name}\"; each field needs its own name"
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// `[a-z0-9_.-]+`, not starting or ending with a dot: `lead.submitted`.
pub fn is_event_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('.')
        && !s.ends_with('.')
        && s.chars()
            .all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_' | '-' | '.'))
}

/// `[a-z_][a-z0-9_]*`: usable as `nodes.<id>` in expressions.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z' | '_'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

/// `[a-z0-9_-]+`: workflow ids and file names.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_' | '-'))
}

#[cfg(test)]
mod tests;

//! The route a run took, from its plan and report: for every branching node that ran, the
//! outputs it sent data to, and every node reached. Used by test cases (`expect.route`),
//! batches (the breakdown) and the run panel.

use std::collections::BTreeSet;

use switchyard_core::kind::NodeKind;
use switchyard_core::plan::PlanNode;
use switchyard_core::Plan;
use switchyard_engine::{NodeReport, NodeStatus, RunReport};

use super::types::{Route, RouteStep};

/// The route of `report`, a run of `plan`.
pub fn route(plan: &Plan, report: &RunReport) -> Route {
    let mut out = Route::default();
    for (i, node) in plan.nodes.iter().enumerate() {
        let Some(n) = report.node(&node.id) else {
            continue;
        };
        if !ran(n) {
            continue;
        }
        out.reached.push(node.id.clone());
        let handled = n.status == NodeStatus::Failed && n.ports.iter().any(|p| p == "error");
        if is_branch(plan, i) && (n.status == NodeStatus::Succeeded || handled) {
            out.steps.push(RouteStep {
                node: node.id.clone(),
                ports: taken(&n.ports),
            });
        }
    }
    out.summary = summary(&out.steps);
    out
}

/// Whether the node ran (successfully or not).
pub(crate) fn ran(n: &NodeReport) -> bool {
    matches!(n.status, NodeStatus::Succeeded | NodeStatus::Failed)
}

/// The ports a node took, as a route shows them: an AI classify sends to `out` and to its
/// label; the label is what tells the way.
pub(crate) fn taken(ports: &[String]) -> Vec<String> {
    let chosen = ports.iter().any(|p| p != "out" && p != "error");
    ports
        .iter()
        .filter(|p| !(chosen && p.as_str() == "out"))
        .cloned()
        .collect()
}

/// Whether a node chooses where the data goes: Condition, Switch, a Filter without a list,
/// AI classify, a node whose failures go to its `error` port, or one with several outputs
/// connected.
fn is_branch(plan: &Plan, i: usize) -> bool {
    let node: &PlanNode = &plan.nodes[i];
    let by_kind = match node.kind {
        NodeKind::Condition | NodeKind::Switch | NodeKind::AiClassify => true,
        NodeKind::Filter => node.params.get("items").is_none(),
        _ => false,
    };
    let connected: BTreeSet<&str> = node
        .outputs
        .iter()
        .map(|&e| plan.edges[e].from_port.as_str())
        .collect();
    by_kind || node.catches_errors || connected.len() > 1
}

/// `classify → hot, crm → out`; several ports are joined with `+`, none is `stopped`.
pub fn summary(steps: &[RouteStep]) -> String {
    steps
        .iter()
        .map(|s| format!("{} → {}", s.node, ports_text(&s.ports)))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn ports_text(ports: &[String]) -> String {
    if ports.is_empty() {
        "stopped".to_string()
    } else {
        ports.join(" + ")
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::{json, Value as Json};
    use switchyard_core::{compile, WorkflowFile};
    use switchyard_engine::{Engine, EngineConfig, NodeError, RunRequest, StandIn};

    use super::*;

    fn plan(nodes: Json, edges: Json) -> Arc<Plan> {
        let text =
            json!({"schema_version": 1, "id": "t", "name": "T", "nodes": nodes, "edges": edges});
        Arc::new(compile(&WorkflowFile::from_json(&text.to_string()).unwrap()).unwrap())
    }

    async fn run(plan: &Arc<Plan>, req: RunRequest) -> Route {
        let report = Engine::new(EngineConfig::default())
            .run(plan.clone(), req, &mut |_| {})
            .await;
        route(plan, &report)
    }

    /// A lead router: a Switch, a Condition, a gate Filter, and an HTTP step whose errors go
    /// to a fallback.
    fn router() -> Arc<Plan> {
        plan(
            json!([
                {"id": "start", "kind": "manual_trigger"},
                {"id": "tier", "kind": "switch", "params": {"mode": "all", "routes": [
                    {"name": "big", "condition": "event.budget >= 1000"},
                    {"name": "known", "condition": "event.email is defined"}]}},
                {"id": "vip", "kind": "condition", "params": {"condition": "event.budget >= 10000"}},
                {"id": "gate", "kind": "filter", "params": {"condition": "event.email is defined"}},
                {"id": "crm", "kind": "http_request", "params": {"url": "https://crm.example.com", "method": "POST"}},
                {"id": "fallback", "kind": "log", "params": {"message": "crm down"}},
                {"id": "note", "kind": "set", "params": {"fields": {"x": "1"}}},
                {"id": "small", "kind": "log", "params": {"message": "small"}}
            ]),
            json!([
                {"from": "start", "to": "tier"},
                {"from": "tier", "from_port": "big", "to": "vip"},
                {"from": "tier", "from_port": "known", "to": "gate"},
                {"from": "tier", "from_port": "default", "to": "small"},
                {"from": "vip", "from_port": "true", "to": "crm"},
                {"from": "vip", "from_port": "false", "to": "note"},
                {"from": "crm", "from_port": "error", "to": "fallback"},
                {"from": "gate", "to": "note"}
            ]),
        )
    }

    fn steps(r: &Route) -> Vec<(String, Vec<String>)> {
        r.steps
            .iter()
            .map(|s| (s.node.clone(), s.ports.clone()))
            .collect()
    }

    #[tokio::test]
    async fn each_branching_node_that_ran_shows_the_ports_it_took() {
        let p = router();
        let mut req = RunRequest::new("r", json!({"budget": 50000, "email": "a@b.c"}));
        req.test_mode = true;
        let r = run(&p, req).await;
        assert_eq!(
            steps(&r),
            vec![
                ("tier".into(), vec!["big".into(), "known".into()]),
                ("gate".into(), vec!["out".into()]),
                ("vip".into(), vec!["true".into()]),
                ("crm".into(), vec!["out".into()]),
            ]
        );
        assert_eq!(
            r.summary,
            "tier → big + known, gate → out, vip → true, crm → out"
        );
        assert_eq!(r.reached, ["start", "tier", "gate", "vip", "note", "crm"]);
    }

    #[tokio::test]
    async fn a_default_route_a_stopped_filter_and_a_caught_error_are_routes_too() {
        let p = router();
        let r = run(&p, RunRequest::new("r", json!({"budget": 5}))).await;
        assert_eq!(r.summary, "tier → default");
        assert_eq!(r.reached, ["start", "tier", "small"]);

        // The CRM fails: its error goes to the fallback, and the route says so.
        let mut req = RunRequest::new("r", json!({"budget": 20000}));
        let down: StandIn = Arc::new(|_| Err(NodeError::new("http_status", "503")));
        req.stand_ins.insert("crm".into(), down);
        let r = run(&p, req).await;
        assert_eq!(r.summary, "tier → big, vip → true, crm → error");
        assert!(r.reached.contains(&"crm".to_string()) && r.reached.contains(&"fallback".into()));

        // A gate that stops its branch.
        let p = plan(
            json!([{"id": "start", "kind": "manual_trigger"},
                   {"id": "gate", "kind": "filter", "params": {"condition": "event.ok"}},
                   {"id": "after", "kind": "log", "params": {"message": "x"}}]),
            json!([{"from": "start", "to": "gate"}, {"from": "gate", "to": "after"}]),
        );
        let r = run(&p, RunRequest::new("r", json!({"ok": false}))).await;
        assert_eq!(steps(&r), vec![("gate".into(), vec![])]);
        assert_eq!(r.summary, "gate → stopped");
    }

    #[test]
    fn a_classify_label_wins_over_out() {
        assert_eq!(taken(&["out".into(), "hot".into()]), ["hot"]);
        assert_eq!(taken(&["out".into()]), ["out"]);
        assert_eq!(taken(&["error".into()]), ["error"]);
    }
}

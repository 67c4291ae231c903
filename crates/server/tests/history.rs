//! Run history through the HTTP API, in process: re-runs, retries from the failed node (on
//! the original or the current version), replays and comparisons. The stand-in API counts
//! what each run calls, so each test proves which nodes ran again and which did not. Waits
//! are on the live stream or on `?wait=true`, never on sleeps.

mod support;

use std::sync::atomic::Ordering;

use serde_json::{json, Value};
use support::{leads, node, serve, workflow, Api};

#[tokio::test]
async fn a_retry_resumes_at_the_failed_node_on_the_original_or_the_current_version() {
    let api = Api::default();
    let base = api.start().await;
    let s = serve(&[leads(&base, "/crm")]).await;

    let first = s.hook("lead", json!({"email": "ada@example.com"})).await;
    assert_eq!(
        (first["status"].as_str(), first["failed_node"].as_str()),
        (Some("failed"), Some("crm"))
    );
    assert_eq!(first["origin"], "webhook");
    assert_eq!((api.hits("/lookup"), api.hits("/crm")), (1, 1));
    let id = first["id"].as_str().unwrap();

    // Still failing: the retry calls the CRM again, and nothing before it.
    let (status, body) = s
        .post(
            &format!("/api/runs/{id}/retry?wait=true"),
            json!({"version": "current"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["run"]["status"], "failed");
    assert_eq!((api.hits("/lookup"), api.hits("/crm")), (1, 2));
    let retry = s
        .get(&format!("/api/runs/{}", body["run_id"].as_str().unwrap()))
        .await;
    assert_eq!(
        (retry["origin"].as_str(), retry["origin_run"].as_str()),
        (Some("retry"), Some(id))
    );
    assert_eq!(node(&retry, "lookup")["pinned"], true);
    assert_eq!(
        node(&retry, "score")["output"],
        node(&first, "score")["output"]
    );
    assert!(node(&retry, "crm").get("pinned").is_none());

    // Healthy now: the retry succeeds and the dead letter the first run left is done.
    assert_eq!(
        s.get("/api/dead-letters").await.as_array().unwrap().len(),
        1
    );
    api.healthy.store(true, Ordering::SeqCst);
    let (_, body) = s
        .post(
            &format!("/api/runs/{id}/retry?wait=true"),
            json!({"version": "original"}),
        )
        .await;
    assert_eq!(body["run"]["status"], "succeeded", "{body}");
    assert_eq!((api.hits("/lookup"), api.hits("/crm")), (1, 3));
    assert!(s
        .get("/api/dead-letters")
        .await
        .as_array()
        .unwrap()
        .is_empty());
    let (status, body) = s
        .post(
            &format!("/api/runs/{}/retry", body["run_id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("run_not_failed"))
    );

    // A new version sends leads to /crm2. A run of the old version fails; retried on the
    // original version it calls /crm again, on the current one /crm2.
    api.healthy.store(false, Ordering::SeqCst);
    let second = s.hook("lead", json!({"email": "bob@example.com"})).await;
    let second_id = second["id"].as_str().unwrap();
    assert_eq!(api.hits("/lookup"), 2);
    s.replace(&leads(&base, "/crm2")).await;
    let (_, body) = s
        .post(
            &format!("/api/runs/{second_id}/retry?wait=true"),
            json!({"version": "original"}),
        )
        .await;
    assert_eq!(body["run"]["status"], "failed");
    assert_eq!(body["run"]["workflow_version"], second["workflow_version"]);
    assert_eq!((api.hits("/crm"), api.hits("/crm2")), (5, 0));
    let (_, body) = s
        .post(
            &format!("/api/runs/{second_id}/retry?wait=true"),
            json!({"version": "current"}),
        )
        .await;
    assert_eq!(body["run"]["status"], "succeeded");
    assert_ne!(body["run"]["workflow_version"], second["workflow_version"]);
    assert_eq!(
        (api.hits("/crm"), api.hits("/crm2"), api.hits("/lookup")),
        (5, 1, 2)
    );

    // A version without the node "score" cannot resume that run: it says which node is missing.
    let mut without = leads(&base, "/crm2");
    without["nodes"].as_array_mut().unwrap().remove(2);
    without["edges"] = json!([{"from": "hook", "to": "lookup"}, {"from": "lookup", "to": "crm"}]);
    without["nodes"][2]["params"]["body"] = json!({"email": "{{ event.email }}"});
    s.replace(&without).await;
    let (status, body) = s
        .post(
            &format!("/api/runs/{second_id}/retry"),
            json!({"version": "current"}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("nodes_missing")),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains("\"score\""));

    // A re-run runs everything again, on the current version.
    let (status, body) = s
        .post(&format!("/api/runs/{id}/rerun?wait=true"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            body["run"]["origin"].as_str(),
            body["run"]["status"].as_str()
        ),
        (Some("rerun"), Some("succeeded"))
    );
    assert_eq!(api.hits("/lookup"), 3);

    // The history's filters.
    let list = |q: &'static str| s.get(q);
    assert_eq!(
        list("/api/runs?workflow=leads")
            .await
            .as_array()
            .unwrap()
            .len(),
        7
    );
    let ada: Vec<Value> = list("/api/runs?q=ADA@example")
        .await
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        ada.len(),
        4,
        "the first run, its two retries and its re-run"
    );
    assert!(ada.iter().all(|r| r["event_id"] == first["event_id"]));
    assert_eq!(
        list("/api/runs?origin=retry&status=failed")
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let derived = s.get(&format!("/api/runs?origin_run={id}")).await;
    assert_eq!(derived.as_array().unwrap().len(), 3);
    let (status, body) = s
        .call(reqwest::Method::POST, "/api/runs/run_nope/retry", None)
        .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
}

/// hook -> lookup -> each (For each over event.items, failed items skipped) -> item (GET
/// /item/{item}) -> gather -> summary.
fn enrich(api: &str) -> Value {
    workflow(
        "enrich",
        api,
        json!([
            {"id": "hook", "kind": "webhook_trigger", "params": {"path": "enrich"}},
            {"id": "lookup", "kind": "http_request", "params": {"url": "{{ vars.api }}/lookup"}},
            {"id": "each", "kind": "for_each", "params": {"items": "{{ event.items }}", "on_item_error": "skip"}},
            {"id": "item", "kind": "http_request", "params": {"url": "{{ vars.api }}/item/{{ item }}"}},
            {"id": "gather", "kind": "collect"},
            {"id": "summary", "kind": "set", "params": {"fields": {
                "company": "{{ nodes.lookup.body.company }}", "seen": "{{ input.items | map(attribute='body') | list }}",
                "skipped": "{{ input.skipped | length }}"}}}
        ]),
        &[
            ("hook", "out", "lookup"),
            ("lookup", "out", "each"),
            ("each", "item", "item"),
            ("item", "out", "gather"),
            ("gather", "out", "summary"),
        ],
    )
}

#[tokio::test]
async fn a_replay_calls_nothing_and_gives_the_same_outputs() {
    let api = Api::default();
    let base = api.start().await;
    let s = serve(&[enrich(&base)]).await;
    let original = s.hook("enrich", json!({"items": ["a", "bad", "c"]})).await;
    assert_eq!(original["status"], "succeeded", "{original}");
    assert_eq!((api.hits("/lookup"), api.hits("/item")), (1, 3));
    let id = original["id"].as_str().unwrap();

    let (status, body) = s.post(&format!("/api/runs/{id}/replay"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (api.hits("/lookup"), api.hits("/item")),
        (1, 3),
        "nothing was called"
    );
    let cmp = &body["comparison"];
    assert_eq!(cmp["same_outcome"], true, "{cmp}");
    assert_eq!(cmp["same_output"], true);
    let replay = s
        .get(&format!(
            "/api/runs/{}",
            body["run"]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        (replay["origin"].as_str(), replay["origin_run"].as_str()),
        (Some("replay"), Some(id))
    );
    assert_eq!(node(&replay, "item")["pinned"], true);
    assert_eq!(
        node(&replay, "summary")["output"],
        node(&original, "summary")["output"]
    );
    assert_eq!(
        node(&replay, "summary")["output"]["skipped"],
        1,
        "the failed item, replayed"
    );
    let replays = s.get("/api/runs?origin=replay").await;
    assert_eq!(replays.as_array().unwrap().len(), 1);

    // A re-run calls out again: the answers carry new counts, which the comparison shows.
    let (_, rerun) = s
        .post(&format!("/api/runs/{id}/rerun?wait=true"), json!({}))
        .await;
    assert_eq!((api.hits("/lookup"), api.hits("/item")), (2, 6));
    let b = rerun["run_id"].as_str().unwrap();
    let cmp = s.get(&format!("/api/runs/compare?a={id}&b={b}")).await;
    assert_eq!(cmp["same_outcome"], false);
    let lookup = cmp["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == "lookup")
        .unwrap();
    assert_eq!(lookup["output_differs"], true);
    // The answer's Date header differs too when the two calls straddle a second.
    let differences: Vec<&Value> = lookup["differences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] != "headers.date")
        .collect();
    assert_eq!(differences, [&json!({"path": "body.n", "a": 1, "b": 2})]);
    let hook = cmp["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == "hook")
        .unwrap();
    assert_eq!(
        (
            hook["status_differs"].as_bool(),
            hook["output_differs"].as_bool()
        ),
        (Some(false), Some(false))
    );
}

#[tokio::test]
async fn a_retry_after_a_loop_gives_the_loops_result_without_running_it_again() {
    let api = Api::default();
    let base = api.start().await;
    let mut wf = enrich(&base);
    wf["nodes"].as_array_mut().unwrap().push(json!(
        {"id": "notify", "kind": "http_request", "params": {"method": "POST", "url": "{{ vars.api }}/crm",
         "body": {"seen": "{{ input.seen | length }}"}}}
    ));
    wf["edges"]
        .as_array_mut()
        .unwrap()
        .push(json!({"from": "summary", "to": "notify"}));
    let s = serve(&[wf]).await;
    let first = s.hook("enrich", json!({"items": ["a", "b"]})).await;
    assert_eq!(first["failed_node"], "notify", "{first}");
    assert_eq!((api.hits("/item"), api.hits("/crm")), (2, 1));
    api.healthy.store(true, Ordering::SeqCst);
    let id = first["id"].as_str().unwrap();
    let (_, body) = s
        .post(&format!("/api/runs/{id}/retry?wait=true"), json!({}))
        .await;
    assert_eq!(body["run"]["status"], "succeeded", "{body}");
    assert_eq!(
        (api.hits("/item"), api.hits("/lookup"), api.hits("/crm")),
        (2, 1, 2)
    );
    let retry = s
        .get(&format!("/api/runs/{}", body["run_id"].as_str().unwrap()))
        .await;
    assert_eq!(
        node(&retry, "gather")["output"],
        node(&first, "gather")["output"]
    );
    assert_eq!(node(&retry, "each")["pinned"], true);
    assert_eq!(
        node(&retry, "item")["status"],
        "skipped",
        "the body did not run"
    );
}

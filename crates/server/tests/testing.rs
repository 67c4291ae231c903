//! Test cases and batch tests through the HTTP API: a real App on a temporary workflows folder
//! (the example lead workflow and its workspace), real runs in test mode, real HTTP.

mod support;

use std::path::{Path, PathBuf};

use reqwest::Method;
use serde_json::{json, Value};
use support::Served;
use switchyard_server::ServerOptions;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// The lead workflow and the example workspace in a fresh folder (no suite yet).
async fn serve() -> Served {
    support::start(ServerOptions::default(), |dir| {
        for f in ["lead-processing.json", "workspace.json"] {
            std::fs::copy(repo(&format!("workflows/{f}")), dir.join(f)).unwrap();
        }
    })
    .await
}

impl Served {
    fn dir(&self) -> &Path {
        self.workflows.path()
    }
}

fn shipped_suite() -> (String, Value) {
    let text = std::fs::read_to_string(repo("workflows/lead-processing.tests.json")).unwrap();
    let v = serde_json::from_str(&text).unwrap();
    (text, v)
}

#[tokio::test]
async fn a_suite_is_read_saved_beside_the_workflow_and_run() {
    let s = serve().await;
    let (code, state) = s
        .call(Method::GET, "/api/workflows/lead-processing/tests", None)
        .await;
    assert_eq!(code, 200, "{state}");
    assert_eq!(state["exists"], false);
    assert_eq!(state["file"], "lead-processing.tests.json");
    assert_eq!(
        state["suite"],
        json!({"schema_version": 1, "workflow": "lead-processing", "cases": []})
    );
    assert_eq!(state["diagnostics"][0]["code"], "no_cases");

    let (text, suite) = shipped_suite();
    let (code, state) = s
        .call(
            Method::PUT,
            "/api/workflows/lead-processing/tests",
            Some(&suite),
        )
        .await;
    assert_eq!(code, 200, "{state}");
    assert_eq!(state["exists"], true);
    assert_eq!(state["diagnostics"], json!([]));
    let saved = std::fs::read_to_string(s.dir().join("lead-processing.tests.json")).unwrap();
    assert_eq!(
        saved, text,
        "saved canonically, byte for byte the shipped file"
    );

    // The suite file is not a workflow (the folder read again, as the watch does).
    s.app.reload().await.unwrap();
    let (_, list) = s.call(Method::GET, "/api/workflows", None).await;
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["lead-processing"]);

    let (code, result) = s
        .call(
            Method::POST,
            "/api/workflows/lead-processing/tests/run",
            Some(&json!({})),
        )
        .await;
    assert_eq!(code, 200, "{result}");
    assert_eq!(
        (result["passed"].as_u64(), result["failed"].as_u64()),
        (Some(7), Some(0)),
        "{result:#}"
    );
    let hot = &result["cases"][0];
    assert_eq!(hot["outcome"], "succeeded");
    assert_eq!(hot["route"]["summary"], "classify → hot, crm → out");
    assert_eq!(
        hot["route"]["steps"][0],
        json!({"node": "classify", "ports": ["hot"]})
    );
    let crm = hot["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "crm")
        .unwrap();
    assert_eq!(crm["output"]["simulated"], true);

    // Test runs are not in the history.
    let (_, runs) = s.call(Method::GET, "/api/runs", None).await;
    assert_eq!(runs, json!([]), "{runs}");
}

#[tokio::test]
async fn drafts_run_without_saving_and_failures_show_the_difference() {
    let s = serve().await;
    let (_, suite) = shipped_suite();
    // One case of an unsaved suite, against an unsaved workflow where sales has another address.
    let mut workflow: Value = serde_json::from_str(
        &std::fs::read_to_string(repo("workflows/lead-processing.json")).unwrap(),
    )
    .unwrap();
    workflow["vars"]["sales_email"] = json!("boss@example.com");
    let name = suite["cases"][0]["name"].clone();
    let (code, result) = s
        .call(
            Method::POST,
            "/api/workflows/lead-processing/tests/run",
            Some(&json!({"workflow": workflow, "suite": suite, "cases": [name]})),
        )
        .await;
    assert_eq!(code, 200, "{result}");
    assert_eq!(result["cases"].as_array().unwrap().len(), 1);
    let case = &result["cases"][0];
    assert_eq!(case["passed"], false);
    let f = &case["failures"][0];
    assert_eq!(f["check"], "output");
    assert_eq!(f["node"], "alert_sales");
    assert_eq!(f["expected"], json!(["sales@example.com"]));
    assert_eq!(f["actual"], json!(["boss@example.com"]));
    assert_eq!(
        f["differences"],
        json!([{"path": "0", "expected": "sales@example.com", "actual": "boss@example.com"}])
    );
    assert!(
        !s.dir().join("lead-processing.tests.json").exists(),
        "nothing was saved"
    );

    let (code, e) = s
        .call(
            Method::POST,
            "/api/workflows/lead-processing/tests/run",
            Some(&json!({"suite": suite, "cases": ["nope"]})),
        )
        .await;
    assert_eq!((code, e["code"].as_str()), (404, Some("not_found")), "{e}");
}

#[tokio::test]
async fn problems_are_clear_and_nothing_typed_is_lost() {
    let s = serve().await;
    let (code, e) = s.call(Method::GET, "/api/workflows/nope/tests", None).await;
    assert_eq!((code, e["code"].as_str()), (404, Some("not_found")));

    let other = json!({"schema_version": 1, "workflow": "other", "cases": []});
    let (code, e) = s
        .call(
            Method::PUT,
            "/api/workflows/lead-processing/tests",
            Some(&other),
        )
        .await;
    assert_eq!(
        (code, e["code"].as_str()),
        (400, Some("invalid_request")),
        "{e}"
    );

    // A suite naming a node that does not exist is kept, with the problem reported.
    let typo = json!({"schema_version": 1, "workflow": "lead-processing",
                      "cases": [{"name": "typo", "expect": {"reached": ["crmm"]}}]});
    let (code, state) = s
        .call(
            Method::PUT,
            "/api/workflows/lead-processing/tests",
            Some(&typo),
        )
        .await;
    assert_eq!(code, 200, "{state}");
    assert_eq!(state["diagnostics"][0]["code"], "unknown_node");
    assert_eq!(
        state["diagnostics"][0]["field"],
        "cases[0].expect.reached[0]"
    );
    let (_, result) = s
        .call(
            Method::POST,
            "/api/workflows/lead-processing/tests/run",
            Some(&json!({})),
        )
        .await;
    assert_eq!(result["cases"][0]["outcome"], "invalid");
    assert_eq!(result["failed"], 1);

    // A file broken by hand: the API says where, and does not overwrite it.
    let path = s.dir().join("lead-processing.tests.json");
    std::fs::write(
        &path,
        "{\"schema_version\": 1,\n  \"workflow\": \"lead-processing\", \"casez\": []}",
    )
    .unwrap();
    let (code, e) = s
        .call(Method::GET, "/api/workflows/lead-processing/tests", None)
        .await;
    assert_eq!(
        (code, e["code"].as_str()),
        (422, Some("invalid_test_suite")),
        "{e}"
    );
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains("unknown_field")
            && message.contains("line 2")
            && message.contains("casez"),
        "{message}"
    );

    let (code, e) = s
        .call(
            Method::PUT,
            "/api/workflows/lead-processing/tests",
            Some(&json!({"cases": 3})),
        )
        .await;
    assert_eq!(
        (code, e["code"].as_str()),
        (400, Some("invalid_request")),
        "{e}"
    );
}

#[tokio::test]
async fn a_batch_runs_rows_or_csv_and_counts_routes() {
    let s = serve().await;
    let body = json!({
        "rows": [
            {"name": "Ada", "email": "ada@x.io", "message": "Urgent: enterprise demo, budget 90000"},
            {"name": "Sam", "email": "sam@x.io", "message": "just browsing, student project"}
        ],
        "csv": {"text": "who,mail,message\nWen,wen@x.io,\"Interested in pricing, please send more information\"\nBad,row\n",
                "map": [{"column": "who", "path": "name"}, {"column": "mail", "path": "email"}]},
        "columns": ["classify.label", "normalise.email"],
        "concurrency": 2
    });
    let (code, r) = s
        .call(
            Method::POST,
            "/api/workflows/lead-processing/batch",
            Some(&body),
        )
        .await;
    assert_eq!(code, 200, "{r}");
    assert_eq!(
        (
            r["total"].as_u64(),
            r["succeeded"].as_u64(),
            r["invalid"].as_u64()
        ),
        (Some(4), Some(3), Some(1))
    );
    let labels: Vec<&Value> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| &row["values"]["classify.label"])
        .collect();
    assert_eq!(
        labels,
        [&json!("hot"), &json!("cold"), &json!("warm"), &Value::Null]
    );
    assert_eq!(r["rows"][2]["values"]["normalise.email"], "wen@x.io");
    assert_eq!(r["rows"][3]["error"]["code"], "invalid_row");
    let total: u64 = r["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 4);
    assert!(r["branches"]
        .as_array()
        .unwrap()
        .contains(&json!({"node": "classify", "port": "hot", "count": 1})));

    let (code, e) = s
        .call(
            Method::POST,
            "/api/workflows/lead-processing/batch",
            Some(&json!({"rows": [{}], "columns": ["ghost.x"]})),
        )
        .await;
    assert_eq!(
        (code, e["code"].as_str()),
        (400, Some("invalid_request")),
        "{e}"
    );
}

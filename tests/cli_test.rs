//! `switchyard test`: the shipped suites pass, a broken expectation fails with the difference
//! in the JUnit report, bad input is exit 2, and a batch of 200 leads from a CSV is counted by
//! route, exported, and sends the leads that are hot the hot way. Every run is the real binary
//! in test mode; the workspace's SQLite database lives in a temporary folder.

mod common;

use std::path::{Path, PathBuf};

use common::{stderr, stdout, switchyard};
use serde_json::Value as Json;

/// A temporary workspace for the example workflows: their `workspace.json` copied, so the
/// `marketing` database is created beside the copy, not in the repository.
fn workspace(dir: &Path) -> PathBuf {
    let path = dir.join("workspace.json");
    std::fs::copy(common::root().join("workflows/workspace.json"), &path).unwrap();
    path
}

/// The example workflows and their suites, copied to `dir`.
fn copy_workflows(dir: &Path) {
    for e in std::fs::read_dir(common::root().join("workflows")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
        }
    }
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = switchyard(args);
    (out.status.code(), stdout(&out), stderr(&out))
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn the_shipped_suites_pass() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    let junit = tmp.path().join("junit.xml");
    let data = tmp.path().join("data");
    let (code, out, err) = run(&[
        "test",
        "workflows/",
        "--workspace",
        &s(&ws),
        "--data-dir",
        &s(&data),
        "--junit",
        &s(&junit),
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    for suite in ["lead-processing", "content-pipeline", "order-followup"] {
        assert!(
            out.contains(&format!("{suite} (workflows/{suite}.tests.json)")),
            "{out}"
        );
    }
    assert!(
        out.contains("✓ A hot lead goes to the CRM and sales hears about it"),
        "{out}"
    );
    assert!(out.contains("classify → hot, crm → out"), "{out}");
    assert!(!out.contains('✗'), "{out}");
    let summary = out.lines().last().unwrap();
    assert!(
        summary.starts_with("3 suites, 14 cases: 14 passed, 0 failed"),
        "{summary}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<testsuites name=\"switchyard\" tests=\"14\" failures=\"0\" errors=\"0\""),
        "{xml}"
    );
    assert_eq!(xml.matches("<testcase ").count(), 14);

    // The same as JSON, one workflow file at a time.
    let (code, out, err) = run(&[
        "test",
        "workflows/order-followup.json",
        "--workspace",
        &s(&ws),
        "--data-dir",
        &s(&data),
        "--json",
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    let report: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(report["passed"], 4);
    let cases = report["suites"][0]["cases"].as_array().unwrap();
    assert_eq!(
        cases[0]["route"]["steps"],
        serde_json::json!([{"node": "upsell", "ports": ["premium"]}])
    );
    assert_eq!(
        report["suites"][0]["workflow_file"],
        "workflows/order-followup.json"
    );
    // Test mode: nothing was kept in the database (tables created by a test run are rolled back).
    assert!(
        !tmp.path().join("data/marketing.db").exists()
            || {
                let out = std::process::Command::new("python3")
            .args(["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select count(*) from sqlite_master\").fetchone()[0])"])
            .arg(tmp.path().join("data/marketing.db"))
            .output()
            .unwrap();
                String::from_utf8_lossy(&out.stdout).trim() == "0"
            }
    );
}

#[test]
fn a_broken_expectation_exits_1_and_the_junit_report_names_the_case_and_the_difference() {
    let tmp = tempfile::tempdir().unwrap();
    copy_workflows(tmp.path());
    let suite = tmp.path().join("lead-processing.tests.json");
    let text = std::fs::read_to_string(&suite).unwrap();
    // The warm lead is expected to go the hot way, and its email to have another subject.
    let broken = text
        .replacen(
            "\"route\": {\"classify\": \"warm\"}",
            "\"route\": {\"classify\": \"hot\"}",
            1,
        )
        .replacen("\"Thanks for your interest, Wen\"", "\"Thanks, Wen\"", 1);
    assert_ne!(broken, text);
    std::fs::write(&suite, broken).unwrap();
    let junit = tmp.path().join("junit.xml");
    let (code, out, err) = run(&[
        "test",
        &s(tmp.path()),
        "--junit",
        &s(&junit),
        "--data-dir",
        &s(&tmp.path().join("d")),
    ]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.contains("✗ A warm lead gets the nurture email"),
        "{out}"
    );
    assert!(
        out.contains("route: classify took warm, expected hot"),
        "{out}"
    );
    assert!(out.contains("13 passed, 1 failed"), "{out}");

    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("failures=\"1\""), "{xml}");
    let case = xml
        .split("<testcase ")
        .find(|c| c.contains("name=\"A warm lead gets the nurture email\""))
        .expect("the failing case is in the report");
    assert!(
        case.contains("<failure type=\"route\" message=\"classify took warm, expected hot\""),
        "{case}"
    );
    assert!(
        case.contains("`nurture.subject` is &quot;Thanks for your interest, Wen&quot;, expected &quot;Thanks, Wen&quot;"),
        "{case}"
    );
    // Well-formed XML.
    let parsed = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])",
        ])
        .arg(&junit)
        .status()
        .unwrap();
    assert!(parsed.success(), "{xml}");
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    copy_workflows(tmp.path());
    let suite = tmp.path().join("order-followup.tests.json");

    // Not JSON of the right shape: the file, the code and the place.
    std::fs::write(&suite, "{\"schema_version\": 1, \"workflow\": \"order-followup\",\n \"cases\": [{\"name\": \"x\", \"expct\": {}}]}").unwrap();
    let (code, out, err) = run(&["test", &s(&suite)]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("order-followup.tests.json: unknown_field: line 2, column")
            && err.contains("`expct`"),
        "{err}"
    );

    // Not JSON at all; the JUnit report still has it, as an error.
    std::fs::write(&suite, "{\"schema_version\": 1,").unwrap();
    let junit = tmp.path().join("junit.xml");
    let (code, _, err) = run(&[
        "test",
        &s(tmp.path()),
        "--junit",
        &s(&junit),
        "--data-dir",
        &s(&tmp.path().join("d")),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("invalid_json"), "{err}");
    assert!(std::fs::read_to_string(&junit)
        .unwrap()
        .contains("<error type=\"invalid_json\""));

    // A node that does not exist and an expression that does not compile: named with the case.
    std::fs::write(
        &suite,
        r#"{"schema_version": 1, "workflow": "order-followup", "cases": [
             {"name": "typo", "expect": {"route": {"upsel": "premium"},
                                          "outputs": [{"node": "join", "path": "code", "matches": "value =="}]}}]}"#,
    )
    .unwrap();
    let (code, out, err) = run(&["test", &s(&suite)]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        out.contains("! typo  (not run: the case has problems)"),
        "{out}"
    );
    assert!(out.contains("unknown_node [cases[0].expect.route.upsel]: case \"typo\": the workflow \"order-followup\" has no node \"upsel\""), "{out}");
    assert!(
        out.contains("expression_syntax [cases[0].expect.outputs[0].matches]"),
        "{out}"
    );
    // `validate` reports the same problems.
    let (code, out, _) = run(&["validate", &s(&suite)]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("upsel: unknown_node [cases[0].expect.route.upsel]"),
        "{out}"
    );

    // A suite for a workflow that is not there, and a workflow without a suite.
    std::fs::write(
        &suite,
        r#"{"schema_version": 1, "workflow": "nowhere", "cases": []}"#,
    )
    .unwrap();
    let (code, _, err) = run(&["test", &s(&suite)]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("unknown_workflow: there is no workflow \"nowhere\""),
        "{err}"
    );
    std::fs::remove_file(tmp.path().join("content-pipeline.tests.json")).unwrap();
    let (code, _, err) = run(&["test", &s(&tmp.path().join("content-pipeline.json"))]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("no_tests: the workflow has no test suite"),
        "{err}"
    );
}

/// Data rows of the fixture (no cell of it spans lines), 1-based like the batch's rows.
fn fixture_rows() -> Vec<String> {
    let text =
        std::fs::read_to_string(common::root().join("tests/fixtures/leads-200.csv")).unwrap();
    text.lines().skip(1).map(str::to_string).collect()
}

#[test]
fn a_batch_of_200_leads_is_counted_by_route_and_exported() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    let out_csv = tmp.path().join("results.csv");
    let (code, out, err) = run(&[
        "test",
        "workflows/lead-processing.json",
        "--csv",
        "tests/fixtures/leads-200.csv",
        "--column",
        "classify.label",
        "--column",
        "crm.would_send.body.email",
        "--out",
        &s(&out_csv),
        "--workspace",
        &s(&ws),
        "--data-dir",
        &s(&tmp.path().join("d")),
        "--json",
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    let r: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(r["total"], 200);
    assert_eq!(r["succeeded"], 200, "{:#}", r["routes"]);
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 200);
    let routes = r["routes"].as_array().unwrap();
    assert_eq!(
        routes
            .iter()
            .map(|c| c["count"].as_u64().unwrap())
            .sum::<u64>(),
        200
    );
    let classify: u64 = r["branches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["node"] == "classify")
        .map(|b| b["count"].as_u64().unwrap())
        .sum();
    assert_eq!(classify, 200, "every lead was classified one way");

    // The leads that are plainly hot went the hot way, to the CRM with their email.
    let input = fixture_rows();
    assert_eq!(input.len(), 200);
    let mut hot = 0;
    for (i, line) in input.iter().enumerate() {
        let l = line.to_lowercase();
        if l.contains("urgent") && l.contains("enterprise") && l.contains("budget") {
            hot += 1;
            let row = &rows[i];
            assert_eq!(row["row"], i + 1);
            assert_eq!(
                row["values"]["classify.label"],
                "hot",
                "row {}: {line}",
                i + 1
            );
            assert_eq!(
                row["route"]["summary"],
                "classify → hot, crm → out",
                "row {}",
                i + 1
            );
            let email = line.split(',').nth(1).unwrap().trim().to_lowercase();
            assert_eq!(row["values"]["crm.would_send.body.email"], email.as_str());
        } else if l.contains("just browsing") {
            assert_eq!(
                rows[i]["values"]["classify.label"],
                "cold",
                "row {}: {line}",
                i + 1
            );
        }
    }
    assert!(hot >= 40, "the fixture has hot leads: {hot}");

    let exported = std::fs::read_to_string(&out_csv).unwrap();
    let lines: Vec<&str> = exported.lines().collect();
    assert_eq!(lines.len(), 201);
    assert_eq!(
        lines[0],
        "row,status,route,classify.label,crm.would_send.body.email,error"
    );
    assert!(lines[1].starts_with("1,succeeded,"), "{}", lines[1]);

    // The readable summary: the breakdown and its totals.
    let (code, out, err) = run(&[
        "test",
        "workflows/lead-processing.json",
        "--csv",
        "tests/fixtures/leads-200.csv",
        "--workspace",
        &s(&ws),
        "--data-dir",
        &s(&tmp.path().join("d")),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("200 rows in "), "{out}");
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("classify → hot "))
        .unwrap_or_else(|| panic!("no breakdown line for classify → hot: {out}"));
    assert_eq!(
        line.split_whitespace().nth(3),
        Some(hot.to_string().as_str()),
        "{line}"
    );
    assert!(
        !err.contains('█'),
        "no progress bar when stderr is not a terminal: {err}"
    );
}

#[test]
fn a_malformed_csv_row_is_that_rows_error_and_the_others_run() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    let csv = tmp.path().join("leads.csv");
    std::fs::write(
        &csv,
        "name,mail,message\nAda,ada@x.io,\"Urgent: enterprise demo, budget 90000\"\nBob,bob@x.io,hello,extra\nCy,cy@x.io,just browsing\n",
    )
    .unwrap();
    let (code, out, err) = run(&[
        "test",
        "workflows/lead-processing.json",
        "--csv",
        &s(&csv),
        "--map",
        "mail=email",
        "--column",
        "classify.label",
        "--workspace",
        &s(&ws),
        "--data-dir",
        &s(&tmp.path().join("d")),
        "--json",
    ]);
    assert_eq!(
        code,
        Some(1),
        "a row that could not run fails the batch: {out}{err}"
    );
    let r: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (
            r["total"].as_u64(),
            r["succeeded"].as_u64(),
            r["invalid"].as_u64()
        ),
        (Some(3), Some(2), Some(1))
    );
    assert_eq!(r["rows"][0]["values"]["classify.label"], "hot");
    assert_eq!(r["rows"][1]["error"]["code"], "invalid_row");
    assert_eq!(
        r["rows"][1]["error"]["message"],
        "line 3: the row has 4 cells, the header has 3"
    );
    assert_eq!(r["rows"][2]["values"]["classify.label"], "cold");

    // A column the map names but the CSV lacks is bad input.
    let (code, _, err) = run(&[
        "test",
        "workflows/lead-processing.json",
        "--csv",
        &s(&csv),
        "--map",
        "email=contact.email",
    ]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("the CSV has no column \"email\"; its columns are: name, mail, message"),
        "{err}"
    );
}

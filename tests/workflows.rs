//! Every file in workflows/ compiles without errors and is stored in canonical form; the
//! workspace settings beside them are valid and name what the workflows pick; every workflow
//! has a test suite that checks clean against it.

mod common;

use switchyard_core::testsuite::{check, TESTS_SUFFIX};
use switchyard_core::workspace::WORKSPACE_FILE;
use switchyard_core::{compile, TestSuite, WorkflowFile, Workspace};

#[test]
fn the_workspace_settings_are_valid_canonical_and_cover_the_templates() {
    let path = common::root().join("workflows").join(WORKSPACE_FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    let ws = Workspace::from_json(&text).unwrap();
    assert_eq!(ws.to_json(), text, "workspace.json is not canonical");
    assert!(
        !ws.network.allow_private_networks,
        "the templates keep the SSRF guard on"
    );
    for name in ["lead-processing", "content-pipeline", "order-followup"] {
        let wf =
            std::fs::read_to_string(common::root().join(format!("workflows/{name}.json"))).unwrap();
        let wf: serde_json::Value = serde_json::from_str(&wf).unwrap();
        for node in wf["nodes"].as_array().unwrap() {
            let p = &node["params"];
            if let Some(server) = p["server"].as_str() {
                assert!(
                    ws.email_server(server).is_some(),
                    "{name}: email server {server}"
                );
            }
            if let Some(db) = p["database"].as_str() {
                assert!(ws.database(db).is_some(), "{name}: database {db}");
            }
        }
    }
}

#[test]
fn example_workflows_compile_and_are_canonical() {
    let mut count = 0;
    for entry in std::fs::read_dir(common::root().join("workflows")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json")
            || path.file_name().is_some_and(|n| n == WORKSPACE_FILE)
            || path.to_string_lossy().ends_with(TESTS_SUFFIX)
        {
            continue;
        }
        count += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        let file =
            WorkflowFile::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            file.id,
            stem,
            "{}: the id matches the file name",
            path.display()
        );
        let plan = compile(&file).unwrap_or_else(|d| panic!("{}: {d:#?}", path.display()));
        assert!(
            plan.warnings.is_empty(),
            "{}: {:#?}",
            path.display(),
            plan.warnings
        );
        assert_eq!(
            file.to_canonical_json(),
            text,
            "{} is not canonical: run `switchyard fmt`",
            path.display()
        );
    }
    assert!(count >= 3);
}

#[test]
fn every_example_workflow_has_a_canonical_test_suite_without_problems() {
    for name in ["lead-processing", "content-pipeline", "order-followup"] {
        let dir = common::root().join("workflows");
        let text = std::fs::read_to_string(dir.join(format!("{name}{TESTS_SUFFIX}"))).unwrap();
        let suite = TestSuite::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            suite.to_canonical_json(),
            text,
            "{name}: run `switchyard fmt`"
        );
        let wf = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
        let checked = check(&suite, &WorkflowFile::from_json(&wf).unwrap());
        assert!(
            checked.diagnostics.is_empty(),
            "{name}: {:#?}",
            checked.diagnostics
        );
        assert!(suite.cases.len() >= 3, "{name}: a few meaningful cases");
    }
}

//! `switchyard validate` and `fmt` on real files, good and bad.

mod common;

use common::{stdout, switchyard};
use serde_json::Value as Json;

#[test]
fn every_example_workflow_is_valid() {
    let files: Vec<String> = std::fs::read_dir(common::root().join("workflows"))
        .unwrap()
        .map(|e| format!("workflows/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|f| f.ends_with(".json"))
        .collect();
    assert!(files.len() >= 3, "{files:?}");
    let args: Vec<&str> = std::iter::once("validate")
        .chain(files.iter().map(String::as_str))
        .collect();
    let out = switchyard(&args);
    assert!(
        out.status.success(),
        "{}{}",
        stdout(&out),
        common::stderr(&out)
    );
    assert_eq!(stdout(&out), "", "valid files print no problems");
}

#[test]
fn a_cycle_is_refused_with_the_cycle_named() {
    let out = switchyard(&["validate", "tests/fixtures/cyclic.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out).trim(),
        "tests/fixtures/cyclic.json: a: cycle these nodes form a loop, so none of them could ever start: a → b → c → a"
    );
}

#[test]
fn every_problem_gets_its_own_line() {
    let out = switchyard(&["validate", "tests/fixtures/many-problems.json"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    for want in [
        "tests/fixtures/many-problems.json: call: missing_setting [url]",
        "tests/fixtures/many-problems.json: check: expression_syntax [condition]",
        "tests/fixtures/many-problems.json: say: unknown_node_reference [message]",
        "tests/fixtures/many-problems.json: check: edge_unknown_port",
        "tests/fixtures/many-problems.json: alone: unreachable_node",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(want)),
            "no line starting with {want:?} in:\n{text}"
        );
    }
}

#[test]
fn broken_files_are_reported_with_line_and_column() {
    for (file, code, at) in [
        ("invalid-json.json", "invalid_json", "line 7, column 3"),
        ("unknown-kind.json", "unknown_kind", "line 7, column 37"),
        ("unknown-field.json", "unknown_field", "line 6, column 54"),
    ] {
        let out = switchyard(&["validate", &format!("tests/fixtures/{file}")]);
        assert_eq!(out.status.code(), Some(1), "{file}");
        let text = stdout(&out);
        assert!(
            text.starts_with(&format!("tests/fixtures/{file}: -: {code} {at}: ")),
            "{file}: {text}"
        );
    }
    let out = switchyard(&["validate", "tests/fixtures/unknown-kind.json"]);
    assert!(
        stdout(&out).contains("unknown node kind `teleport`"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_50_mb_file_is_refused_without_reading_it() {
    let dir = std::env::temp_dir().join(format!("switchyard-huge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("huge.json");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(50 * 1024 * 1024).unwrap();
    let out = switchyard(&["validate", path.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out)
            .contains("file_too_large the file is 50.0 MB; workflow files are limited to 10 MB"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn missing_files_are_reported() {
    let out = switchyard(&["validate", "workflows/nope.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("workflows/nope.json: -: unreadable_file"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn json_output_lists_diagnostics_per_file() {
    let out = switchyard(&[
        "validate",
        "--json",
        "workflows/lead-processing.json",
        "tests/fixtures/cyclic.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: Json = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report[0]["valid"], true);
    assert_eq!(report[1]["valid"], false);
    assert_eq!(report[1]["diagnostics"][0]["code"], "cycle");
    assert_eq!(report[1]["diagnostics"][0]["node"], "a");
    assert_eq!(report[1]["diagnostics"][0]["severity"], "error");
}

#[test]
fn fmt_check_accepts_canonical_files_and_fmt_fixes_others() {
    let out = switchyard(&["fmt", "--check", "workflows/lead-processing.json"]);
    assert!(out.status.success(), "{}", stdout(&out));

    let dir = std::env::temp_dir().join(format!("switchyard-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("messy.json");
    let original =
        std::fs::read_to_string(common::root().join("tests/fixtures/cyclic.json")).unwrap();
    std::fs::write(&path, &original).unwrap();
    let p = path.to_str().unwrap();
    assert_eq!(switchyard(&["fmt", "--check", p]).status.code(), Some(1));
    assert!(switchyard(&["fmt", p]).status.success());
    let formatted = std::fs::read_to_string(&path).unwrap();
    assert!(switchyard(&["fmt", "--check", p]).status.success());
    assert!(switchyard(&["fmt", p]).status.success());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        formatted,
        "formatting twice changes nothing"
    );
    let a: Json = serde_json::from_str(&original).unwrap();
    let b: Json = serde_json::from_str(&formatted).unwrap();
    assert_eq!(
        a["nodes"].as_array().unwrap().len(),
        b["nodes"].as_array().unwrap().len()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

//! The published JSON Schema (schema/workflow-v1.schema.json) must match the Rust types.
//! Regenerate with `UPDATE_SCHEMA=1 cargo test -p switchyard-core --test schema`.

use std::path::PathBuf;

#[test]
fn published_schema_is_current() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema/workflow-v1.schema.json");
    let fresh = switchyard_core::file::json_schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let published = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        published == fresh,
        "{} is stale: run `UPDATE_SCHEMA=1 cargo test -p switchyard-core --test schema`",
        path.display()
    );
    let schema: serde_json::Value = serde_json::from_str(&published).unwrap();
    let kinds = schema["$defs"]["NodeKind"].to_string();
    for kind in switchyard_core::NodeKind::ALL {
        assert!(
            kinds.contains(kind.as_str()),
            "{kind} missing from the schema"
        );
    }
}

/// The test suite format's schema (schema/tests-v1.schema.json), for editors and CI tools.
#[test]
fn published_test_suite_schema_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema/tests-v1.schema.json");
    let fresh = switchyard_core::testsuite::json_schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let published = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        published == fresh,
        "{} is stale: run `UPDATE_SCHEMA=1 cargo test -p switchyard-core --test schema`",
        path.display()
    );
}

//! `schema/api.schema.json` must match the Rust types; the UI generates its TypeScript from it.
//! Regenerate with `UPDATE_SCHEMA=1 cargo test -p switchyard-app --test schema`.

use std::path::PathBuf;

#[test]
fn published_api_schema_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema/api.schema.json");
    let fresh = switchyard_app::api::schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let published = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        published == fresh,
        "{} is stale: run `UPDATE_SCHEMA=1 cargo test -p switchyard-app --test schema`",
        path.display()
    );
}

//! The SQL query and Upsert row nodes against a real SQLite file (PostgreSQL: `sql_postgres.rs`).

mod support {
    pub mod sql;
}

use serde_json::json;
use support::sql::*;
use switchyard_engine::{RunRequest, RunStatus};

#[tokio::test]
async fn sqlite_binds_event_values_and_reads_typed_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let engine = engine(
        tmp.path(),
        vec![database("shop", Some("sqlite:data/shop.db".into()), None)],
        &[],
    );
    let create = "CREATE TABLE leads (id INTEGER PRIMARY KEY, name TEXT, email TEXT, \
                  budget REAL, vip BOOLEAN, tags TEXT, phone TEXT, visits INTEGER, avatar BLOB)";
    let insert = "INSERT INTO leads (name, email, budget, vip, tags, phone, visits, avatar) \
                  VALUES ($1, $2, $3, $4, $5, $6, $7, x'00ff10')";
    let values = [
        "{{ event.name }}",
        "{{ event.email }}",
        "{{ event.budget }}",
        "{{ event.vip }}",
        "{{ event.tags }}",
        "{{ event.phone }}",
        "{{ event.visits }}",
    ];
    let r = run(
        &engine,
        &[
            ("create", "sql_query", query("shop", create, &[])),
            ("insert", "sql_query", query("shop", insert, &values)),
            (
                "select",
                "sql_query",
                query("shop", "SELECT * FROM leads", &[]),
            ),
        ],
        lead(),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    assert!(
        tmp.path().join("data/shop.db").is_file(),
        "created beside the workspace"
    );
    let inserted = r.nodes.iter().find(|n| n.id == "insert").unwrap();
    assert_eq!(inserted.output.as_deref().unwrap()["rows_affected"], 1);
    assert_eq!(
        r.output,
        json!({
            "rows": [{"id": 1, "name": INJECTION, "email": "ada@example.com", "budget": 1500.5,
                      "vip": true, "tags": "[\"a\",\"b\"]", "phone": null, "visits": 3,
                      "avatar": "AP8Q"}],
            "row_count": 1, "rows_affected": 0, "truncated": false
        })
    );

    // The table survived the value that looks like SQL; a second row, then a row limit.
    let out = sql(
        &engine,
        "shop",
        insert,
        &values,
        json!({"name": "Bob", "email": "b@x", "budget": 7,
        "vip": false, "tags": {"k": 1}, "phone": "+33 1", "visits": 0}),
    )
    .await;
    assert_eq!(out["rows_affected"], 1);
    let r = run(
        &engine,
        &[(
            "q",
            "sql_query",
            json!({"database": "shop", "statement": "SELECT name, vip, tags FROM leads ORDER BY id",
            "max_rows": 1}),
        )],
        json!({}),
    )
    .await;
    assert_eq!(
        r.output,
        json!({"rows": [{"name": INJECTION, "vip": true, "tags": "[\"a\",\"b\"]"}],
               "row_count": 1, "rows_affected": 0, "truncated": true})
    );
    let out = sql(
        &engine,
        "shop",
        "SELECT name, budget FROM leads WHERE email = $1",
        &["{{ event.email }}"],
        json!({"email": "b@x"}),
    )
    .await;
    assert_eq!(out["rows"], json!([{"name": "Bob", "budget": 7.0}]));

    let out = sql(
        &engine,
        "shop",
        "UPDATE leads SET visits = visits + 1",
        &[],
        json!({}),
    )
    .await;
    assert_eq!(
        (&out["rows_affected"], &out["row_count"]),
        (&json!(2), &json!(0))
    );
    let out = sql(
        &engine,
        "shop",
        "SELECT sum(visits) AS v FROM leads",
        &[],
        json!({}),
    )
    .await;
    assert_eq!(
        (&out["rows"], &out["rows_affected"]),
        (&json!([{"v": 5}]), &json!(0))
    );

    // A parameter used but not given is refused instead of being taken as NULL.
    let (code, field, message) = failure(
        &engine,
        "sql_query",
        query(
            "shop",
            "SELECT * FROM leads WHERE email = $1 AND name = $2",
            &["x"],
        ),
        json!({}),
    )
    .await;
    assert_eq!(
        (code.as_str(), field.as_str()),
        ("invalid_value", "parameters")
    );
    assert!(
        message.contains("uses 2 parameters") && message.contains("1 are given"),
        "{message}"
    );

    // SQL errors carry the database's message.
    let (code, _, message) = failure(
        &engine,
        "sql_query",
        query("shop", "SELECT * FROM nowhere", &[]),
        json!({}),
    )
    .await;
    assert_eq!(code, "sql_error");
    assert!(message.contains("no such table: nowhere"), "{message}");
}

#[tokio::test]
async fn sqlite_upsert_inserts_then_updates_the_same_row() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("crm.db");
    let engine = engine(
        tmp.path(),
        vec![database(
            "crm",
            Some(format!("sqlite:{}", path.display())),
            None,
        )],
        &[],
    );
    sql(
        &engine,
        "crm",
        "CREATE TABLE leads (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, \
         name TEXT, budget REAL, note TEXT)",
        &[],
        json!({}),
    )
    .await;
    let form = upsert(
        "crm",
        "leads",
        " email ",
        json!({
            "email": "{{ event.email | lower }}", "name": "{{ event.name }}", "budget": "{{ event.budget }}"
        }),
    );
    let r = run(
        &engine,
        &[("save", "upsert_row", form.clone())],
        json!({"email": "ADA@example.com", "name": "Ada", "budget": 100}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    assert_eq!(
        r.output,
        json!({"table": "leads", "action": "inserted", "rows_affected": 1,
        "key": {"email": "ada@example.com"}})
    );
    let r = run(
        &engine,
        &[("save", "upsert_row", form)],
        json!({"email": "ada@example.com", "name": INJECTION, "budget": 250.5}),
    )
    .await;
    assert_eq!(
        r.output,
        json!({"table": "leads", "action": "updated", "rows_affected": 1,
        "key": {"email": "ada@example.com"}})
    );
    let out = sql(
        &engine,
        "crm",
        "SELECT id, email, name, budget, note FROM leads",
        &[],
        json!({}),
    )
    .await;
    assert_eq!(
        out["rows"],
        json!([{"id": 1, "email": "ada@example.com", "name": INJECTION,
        "budget": 250.5, "note": null}])
    );

    // Only key columns: an existing row counts as updated, nothing else changes.
    let r = run(
        &engine,
        &[(
            "save",
            "upsert_row",
            upsert("crm", "leads", "email", json!({"email": "ada@example.com"})),
        )],
        json!({}),
    )
    .await;
    assert_eq!(r.output["action"], "updated", "{:?}", r.error);
    let out = sql(
        &engine,
        "crm",
        "SELECT count(*) AS n, max(name) AS name FROM leads",
        &[],
        json!({}),
    )
    .await;
    assert_eq!(out["rows"], json!([{"n": 1, "name": INJECTION}]));
}

#[tokio::test]
async fn upsert_explains_a_missing_unique_index_and_refuses_bad_names() {
    let tmp = tempfile::tempdir().unwrap();
    let engine = engine(
        tmp.path(),
        vec![database("crm", Some("sqlite:crm.db".into()), None)],
        &[],
    );
    sql(
        &engine,
        "crm",
        "CREATE TABLE notes (email TEXT, body TEXT)",
        &[],
        json!({}),
    )
    .await;
    let (code, field, message) = failure(
        &engine,
        "upsert_row",
        upsert(
            "crm",
            "notes",
            "email",
            json!({"email": "a@b", "body": "hi"}),
        ),
        json!({}),
    )
    .await;
    assert_eq!(
        (code.as_str(), field.as_str()),
        ("sql_error", "key_columns")
    );
    assert!(
        message.contains("the table needs a unique index on (email) for Upsert row"),
        "{message}"
    );
    assert!(
        message.contains("CREATE UNIQUE INDEX \"notes_email_key\" ON \"notes\" (\"email\")"),
        "{message}"
    );

    for (params, want_field) in [
        (
            upsert(
                "crm",
                "notes\"; DROP TABLE notes; --",
                "email",
                json!({"email": "x"}),
            ),
            "table",
        ),
        (
            upsert("crm", "a.b.c", "email", json!({"email": "x"})),
            "table",
        ),
        (
            upsert("crm", "notes", "email, body)", json!({"email": "x"})),
            "key_columns",
        ),
        (
            upsert("crm", "notes", "body", json!({"email": "x"})),
            "key_columns",
        ),
        (
            upsert(
                "crm",
                "notes",
                "email",
                json!({"email": "x", "body = 1; --": "y"}),
            ),
            "fields",
        ),
    ] {
        let (code, field, message) = failure(&engine, "upsert_row", params, json!({})).await;
        assert_eq!(
            (code.as_str(), field.as_str()),
            ("invalid_value", want_field),
            "{message}"
        );
    }
    let out = sql(
        &engine,
        "crm",
        "SELECT count(*) AS n FROM notes",
        &[],
        json!({}),
    )
    .await;
    assert_eq!(out["rows"], json!([{"n": 0}]), "nothing was written");
}

#[tokio::test]
async fn unknown_databases_are_invalid_values_listing_the_known_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let engine = engine(
        tmp.path(),
        vec![
            database("shop", Some("sqlite:shop.db".into()), None),
            database("crm", None, Some("CRM_URL")),
        ],
        &[],
    );
    let (code, field, message) = failure(
        &engine,
        "sql_query",
        query("warehouse", "SELECT 1", &[]),
        json!({}),
    )
    .await;
    assert_eq!(
        (code.as_str(), field.as_str()),
        ("invalid_value", "database")
    );
    assert!(
        message.contains("\"warehouse\"") && message.contains("shop, crm"),
        "{message}"
    );
    let (code, _, message) = failure(
        &engine,
        "upsert_row",
        upsert("nope", "t", "a", json!({"a": 1})),
        json!({}),
    )
    .await;
    assert_eq!(code, "invalid_value", "{message}");
    // A database whose URL is in a secret that is not set.
    let (code, _, message) = failure(
        &engine,
        "sql_query",
        query("crm", "SELECT 1", &[]),
        json!({}),
    )
    .await;
    assert_eq!(code, "missing_secret", "{message}");
}

/// Test mode: the run's statements share one transaction per database (a table created by one
/// node is there for the next, a failed statement undoes only itself), and it is rolled back
/// when the run ends.
#[tokio::test]
async fn test_mode_runs_see_their_own_writes_and_leave_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let engine = engine(
        tmp.path(),
        vec![database("shop", Some("sqlite:data/shop.db".into()), None)],
        &[],
    );
    let steps = [
        (
            "create",
            "sql_query",
            query(
                "shop",
                "CREATE TABLE IF NOT EXISTS leads (email TEXT PRIMARY KEY, n INTEGER)",
                &[],
            ),
        ),
        (
            "save",
            "upsert_row",
            upsert(
                "shop",
                "leads",
                "email",
                json!({"email": "{{ event.email }}", "n": 1}),
            ),
        ),
        (
            "read",
            "sql_query",
            query("shop", "SELECT email, n FROM leads", &[]),
        ),
    ];
    let plan = chain(&steps);
    for _ in 0..2 {
        let mut req = RunRequest::new("r", json!({"email": "ada@example.com"}));
        req.test_mode = true;
        let r = engine.run(plan.clone(), req, &mut |_| {}).await;
        assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
        let save = r.node("save").unwrap().output.clone().unwrap();
        assert_eq!(
            save["action"], "inserted",
            "the earlier run left nothing: {save}"
        );
        assert_eq!(save["simulated"], true);
        let read = r.node("read").unwrap().output.clone().unwrap();
        assert_eq!(read["rows"], json!([{"email": "ada@example.com", "n": 1}]));
    }
    let after = sql(
        &engine,
        "shop",
        "SELECT count(*) AS n FROM sqlite_master WHERE name = 'leads'",
        &[],
        json!({}),
    )
    .await;
    assert_eq!(after["rows"][0]["n"], 0, "the table was rolled back");
}

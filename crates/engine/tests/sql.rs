//! The SQL query and Upsert row nodes against a real SQLite file and a real PostgreSQL server
//! (started by `support/postgres.rs`; the test fails when PostgreSQL is not installed).

mod support {
    pub mod postgres;
}

use std::path::Path;
use std::sync::Arc;

use serde_json::{json, Value as Json};
use support::postgres::Postgres;
use switchyard_core::workspace::Database;
use switchyard_core::{compile, WorkflowFile, Workspace};
use switchyard_engine::{Engine, EngineConfig, RunReport, RunRequest, RunStatus, Secrets};

const INJECTION: &str = "'); DROP TABLE leads; --";

fn database(id: &str, url: Option<String>, url_secret: Option<&str>) -> Database {
    Database {
        id: id.into(),
        name: None,
        url,
        url_secret: url_secret.map(Into::into),
        max_connections: 2,
    }
}

fn engine(dir: &Path, databases: Vec<Database>, secrets: &[(&str, &str)]) -> Engine {
    Engine::new(EngineConfig {
        secrets: Secrets::new(secrets.iter().map(|(k, v)| (k.to_string(), v.to_string()))),
        workspace: Arc::new(Workspace {
            databases,
            ..Default::default()
        }),
        workspace_dir: dir.to_path_buf(),
        ..Default::default()
    })
}

/// Runs `start → steps[0] → steps[1] ...` for `event`.
async fn run(engine: &Engine, steps: &[(&str, &str, Json)], event: Json) -> RunReport {
    let mut nodes = vec![json!({"id": "start", "kind": "manual_trigger"})];
    let mut edges = Vec::new();
    let mut prev = "start";
    for (id, kind, params) in steps {
        nodes.push(json!({"id": id, "kind": kind, "params": params}));
        edges.push(json!({"from": prev, "to": id}));
        prev = id;
    }
    let text = json!({"schema_version": 1, "id": "t", "name": "T", "nodes": nodes, "edges": edges})
        .to_string();
    let plan = Arc::new(compile(&WorkflowFile::from_json(&text).unwrap()).unwrap());
    engine
        .run(plan, RunRequest::new("r", event), &mut |_| {})
        .await
}

fn query(db: &str, statement: &str, parameters: &[&str]) -> Json {
    let parameters: Vec<Json> = parameters.iter().map(|p| json!({"value": p})).collect();
    json!({"database": db, "statement": statement, "parameters": parameters})
}

fn upsert(db: &str, table: &str, keys: &str, fields: Json) -> Json {
    json!({"database": db, "table": table, "key_columns": keys, "fields": fields})
}

/// One SQL query node; the run must succeed.
async fn sql(engine: &Engine, db: &str, statement: &str, parameters: &[&str], event: Json) -> Json {
    let r = run(
        engine,
        &[("q", "sql_query", query(db, statement, parameters))],
        event,
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{statement}: {:?}", r.error);
    r.output
}

/// One node that must fail; its error as (code, field, message).
async fn failure(
    engine: &Engine,
    kind: &str,
    params: Json,
    event: Json,
) -> (String, String, String) {
    let r = run(engine, &[("n", kind, params)], event).await;
    assert_eq!(r.status, RunStatus::Failed, "{:?}", r.output);
    let e = r.error.unwrap();
    (e.code, e.field.unwrap_or_default(), e.message)
}

fn lead() -> Json {
    json!({"name": INJECTION, "email": "ada@example.com", "budget": 1500.5, "vip": true,
           "tags": ["a", "b"], "phone": null, "visits": 3})
}

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

#[tokio::test]
async fn postgres_queries_upserts_and_types() {
    let pg = Postgres::start().await;
    let password = "s3cret-pw-4711";
    let url = pg.url(password);
    let down = format!(
        "postgres://postgres:another-pw-999@127.0.0.1:{}/postgres",
        closed_port()
    );
    let tmp = tempfile::tempdir().unwrap();
    let engine = engine(
        tmp.path(),
        vec![
            database("pg", None, Some("PG_URL")),
            database("down", None, Some("DOWN_URL")),
        ],
        &[("PG_URL", &url), ("DOWN_URL", &down)],
    );
    sql(
        &engine,
        "pg",
        "CREATE TABLE leads (id serial PRIMARY KEY, email text NOT NULL UNIQUE, \
        name text, budget numeric(12, 2), score float8, vip bool, profile jsonb, \
        created_at timestamptz, day date, ext uuid, visits int4, small int2, tags text[])",
        &[],
        json!({}),
    )
    .await;
    let insert = "INSERT INTO leads (email, name, budget, score, vip, profile, created_at, day, ext, visits) \
        VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8::date, $9::uuid, $10) RETURNING id";
    let params = [
        "{{ event.email }}",
        "{{ event.name }}",
        "{{ event.budget }}",
        "{{ event.phone }}",
        "{{ event.vip }}",
        "{{ event.profile }}",
        "{{ event.at }}",
        "{{ event.day }}",
        "{{ event.ext }}",
        "{{ event.visits }}",
    ];
    let event = json!({"email": "ada@example.com", "name": INJECTION, "budget": 1500.5, "phone": null,
        "vip": true, "profile": {"source": "form", "pages": [1, 2]}, "at": "2026-11-30T10:15:00.5+01:00",
        "day": "2026-11-30", "ext": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "visits": 3});
    let out = sql(&engine, "pg", insert, &params, event).await;
    assert_eq!(out["rows"], json!([{"id": 1}]));
    assert_eq!(out["rows_affected"], 1);

    let out = sql(&engine, "pg", "SELECT id, email, name, budget, score, vip, profile, created_at, day, ext, \
        visits, small, tags, ARRAY['x', NULL] AS list, 12345678901234567890.5::numeric AS big, \
        '2026-01-02 03:04:05'::timestamp AS local, '\\x00ff'::bytea AS raw FROM leads WHERE email = $1",
        &["{{ event.email }}"], json!({"email": "ada@example.com"})).await;
    assert_eq!(
        out["rows"],
        json!([{
            "id": 1, "email": "ada@example.com", "name": INJECTION, "budget": 1500.5, "score": null,
            "vip": true, "profile": {"source": "form", "pages": [1, 2]},
            "created_at": "2026-11-30T09:15:00.500Z", "day": "2026-11-30",
            "ext": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "visits": 3, "small": null, "tags": null,
            "list": ["x", null], "big": "12345678901234567890.5", "local": "2026-01-02T03:04:05",
            "raw": "AP8="
        }])
    );
    // The same statement with a parameter of another type (not kept prepared).
    let out = sql(
        &engine,
        "pg",
        "SELECT count(*) AS n FROM leads WHERE visits >= $1",
        &["{{ event.v }}"],
        json!({"v": 2.5}),
    )
    .await;
    assert_eq!(out["rows"], json!([{"n": 1}]));
    let out = sql(
        &engine,
        "pg",
        "SELECT count(*) AS n FROM leads WHERE visits >= $1",
        &["{{ event.v }}"],
        json!({"v": 4}),
    )
    .await;
    assert_eq!(out["rows"], json!([{"n": 0}]));

    // Upsert: text from a form goes into numeric, timestamptz, uuid and jsonb columns.
    let form = upsert(
        "pg",
        "public.leads",
        "email",
        json!({
            "email": "{{ event.email }}", "name": "{{ event.name }}", "budget": "{{ event.budget }}",
            "created_at": "{{ event.at }}", "ext": "{{ event.ext }}", "profile": "{{ event.profile }}",
            "vip": "{{ event.vip }}"
        }),
    );
    let first = json!({"email": "bob@example.com", "name": "Bob", "budget": "99.90", "at": "2026-12-01T08:00:00Z",
        "ext": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12", "profile": {"tier": 1}, "vip": false});
    let r = run(&engine, &[("save", "upsert_row", form.clone())], first).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    assert_eq!(
        r.output,
        json!({"table": "public.leads", "action": "inserted", "rows_affected": 1,
        "key": {"email": "bob@example.com"}})
    );
    let second = json!({"email": "bob@example.com", "name": INJECTION, "budget": 120, "at": null,
        "ext": null, "profile": {"tier": 2}, "vip": true});
    let r = run(&engine, &[("save", "upsert_row", form)], second).await;
    assert_eq!(r.output["action"], "updated", "{:?}", r.error);
    let out = sql(
        &engine,
        "pg",
        "SELECT name, budget, created_at, profile, vip FROM leads WHERE email = $1",
        &["bob@example.com"],
        json!({}),
    )
    .await;
    assert_eq!(
        out["rows"],
        json!([{"name": INJECTION, "budget": 120, "created_at": null,
        "profile": {"tier": 2}, "vip": true}])
    );

    // Upsert errors: no unique index, unknown column, unknown table.
    sql(
        &engine,
        "pg",
        "CREATE TABLE notes (email text, body text)",
        &[],
        json!({}),
    )
    .await;
    let (code, field, message) = failure(
        &engine,
        "upsert_row",
        upsert(
            "pg",
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
    let (code, field, message) = failure(
        &engine,
        "upsert_row",
        upsert(
            "pg",
            "notes",
            "email",
            json!({"email": "a@b", "colour": "red"}),
        ),
        json!({}),
    )
    .await;
    assert_eq!((code.as_str(), field.as_str()), ("invalid_value", "fields"));
    assert!(
        message.contains("no column colour") && message.contains("body, email"),
        "{message}"
    );
    let (_, field, message) = failure(
        &engine,
        "upsert_row",
        upsert("pg", "nothing_here", "a", json!({"a": 1})),
        json!({}),
    )
    .await;
    assert_eq!(field, "table", "{message}");

    // Reading stops at max_rows; the connection stays usable for the next statement.
    let r = run(
        &engine,
        &[(
            "q",
            "sql_query",
            json!({"database": "pg", "statement": "SELECT n FROM generate_series(1, 5000) AS n",
                   "max_rows": 2}),
        )],
        json!({}),
    )
    .await;
    assert_eq!(
        r.output["rows"],
        json!([{"n": 1}, {"n": 2}]),
        "{:?}",
        r.error
    );
    assert_eq!(r.output["truncated"], true);
    for _ in 0..3 {
        let out = sql(
            &engine,
            "pg",
            "SELECT count(*) AS n FROM leads",
            &[],
            json!({}),
        )
        .await;
        assert_eq!(out["rows"], json!([{"n": 2}]));
    }

    // A type the node cannot read says how to convert it.
    let (code, _, message) = failure(
        &engine,
        "sql_query",
        query("pg", "SELECT '127.0.0.1'::inet AS ip", &[]),
        json!({}),
    )
    .await;
    assert_eq!(code, "sql_error");
    assert!(message.contains("ip::text"), "{message}");

    // Failures never show the URL or its password (the URL came from a secret).
    let r = run(
        &engine,
        &[(
            "q",
            "sql_query",
            query(
                "pg",
                "SELECT * FROM nowhere WHERE a = $1",
                &["{{ event.x }}"],
            ),
        )],
        json!({"x": 1}),
    )
    .await;
    let e = r.error.clone().unwrap();
    assert_eq!(e.code, "sql_error");
    assert!(
        e.message.contains("relation \"nowhere\" does not exist"),
        "{}",
        e.message
    );
    let report = serde_json::to_string(&r).unwrap();
    assert!(
        !report.contains(password) && !report.contains("postgres://"),
        "{report}"
    );
    let r = run(
        &engine,
        &[("q", "sql_query", query("down", "SELECT 1", &[]))],
        json!({}),
    )
    .await;
    let e = r.error.clone().unwrap();
    assert_eq!(e.code, "sql_error");
    assert!(
        e.message
            .starts_with("could not connect to the database down"),
        "{}",
        e.message
    );
    let report = serde_json::to_string(&r).unwrap();
    assert!(
        !report.contains("another-pw-999") && !report.contains("postgres://"),
        "{report}"
    );
}

/// A loopback port with nothing listening.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
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
    let mut nodes = vec![json!({"id": "start", "kind": "manual_trigger"})];
    let mut edges = Vec::new();
    let mut prev = "start";
    for (id, kind, params) in &steps {
        nodes.push(json!({"id": id, "kind": kind, "params": params}));
        edges.push(json!({"from": prev, "to": id}));
        prev = id;
    }
    let text = json!({"schema_version": 1, "id": "t", "name": "T", "nodes": nodes, "edges": edges})
        .to_string();
    let plan = Arc::new(compile(&WorkflowFile::from_json(&text).unwrap()).unwrap());
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

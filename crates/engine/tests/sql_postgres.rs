//! The SQL query and Upsert row nodes against a real PostgreSQL server (started by
//! `support/postgres.rs`; the test fails when PostgreSQL is not installed).

mod support {
    pub mod postgres;
    pub mod sql;
}

use serde_json::json;
use support::postgres::Postgres;
use support::sql::*;
use switchyard_engine::RunStatus;

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

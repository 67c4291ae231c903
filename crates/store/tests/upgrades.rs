//! Data folders made by earlier versions: the migrations since keep every event, key and job
//! that was stored, and what is stored after them is found the same way.

mod common;

use common::*;
use serde_json::json;

/// A database in `file` with only the first `migrations` applied, then `sql` run on it.
async fn folder_as_migrations_left_it(file: &std::path::Path, migrations: usize, sql: &str) {
    use sqlx::{ConnectOptions, Connection};
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    let mut before = sqlx::migrate!("./migrations");
    before.migrations = before.migrations[..migrations].to_vec().into();
    before.run(&mut conn).await.unwrap();
    sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

#[tokio::test]
async fn a_data_folder_from_before_the_partial_idempotency_index_keeps_its_events_and_keys() {
    let dir = tempdir();
    let file = dir.path().join("switchyard.db");
    // The schema as the first two migrations left it, with an event of each kind.
    folder_as_migrations_left_it(
        &file,
        2,
        "INSERT INTO events (seq, id, name, source, payload, received_at, idempotency_key)
         VALUES (7, 'evt_keyed', 'x', 'webhook', '{\"n\":1}', 1, 'hook:old'),
                (8, 'evt_plain', 'x', 'manual', '{\"n\":2}', 2, NULL)",
    )
    .await;

    let store = open(dir.path()).await;
    let keyed = store.event("evt_keyed").await.unwrap();
    assert_eq!(keyed.idempotency_key.as_deref(), Some("hook:old"));
    assert_eq!(keyed.payload, json!({"n": 1}));
    assert_eq!(
        store.event("evt_plain").await.unwrap().payload,
        json!({"n": 2})
    );
    // The key stored before the rebuild still makes a repeat; events without one never clash.
    let again = store
        .accept(vec![
            event("x", Some("hook:old"), &[("w", "t")]),
            event("x", None, &[("w", "t")]),
            event("x", None, &[("w", "t")]),
        ])
        .await
        .unwrap();
    assert!(again[0].duplicate);
    assert_eq!(again[0].event_id, "evt_keyed");
    assert!(!again[1].duplicate && !again[2].duplicate);
    // Each new event behind the repeat shows its own job (found by its id range).
    for a in &again[1..] {
        let detail = store.event_detail(&a.event_id).await.unwrap();
        let ids: Vec<i64> = detail.jobs.iter().map(|j| j.id).collect();
        assert_eq!(ids, [a.jobs[0].id]);
    }
    assert_ne!(again[1].jobs[0].id, again[2].jobs[0].id);
    assert_eq!(store.stats().await.unwrap().events, 4);
    // New events come after the old ones (`seq` was kept).
    let listed = store.events(10, None).await.unwrap();
    assert_eq!(listed.last().map(|e| e.id.as_str()), Some("evt_keyed"));
    store.close().await;

    let mut conn = sqlite_file(&file).await.unwrap();
    let partial: i64 = sqlx::query_scalar(
        "SELECT \"partial\" FROM pragma_index_list('events') WHERE name = 'events_idempotency'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(partial, 1, "only events with a key have an index entry");
}

#[tokio::test]
async fn events_stored_before_jobs_were_found_by_id_range_still_show_their_jobs() {
    let dir = tempdir();
    let file = dir.path().join("switchyard.db");
    // The schema as the first three migrations left it: jobs found through an index by event.
    folder_as_migrations_left_it(
        &file,
        3,
        "INSERT INTO events (seq, id, name, source, payload, received_at)
         VALUES (1, 'evt_two', 'x', 'webhook', '{}', 1),
                (2, 'evt_none', 'x', 'manual', '{}', 2),
                (3, 'evt_one', 'x', 'manual', '{}', 3);
         INSERT INTO jobs (id, event_id, workflow_id, trigger_node, status, available_at, updated_at)
         VALUES (4, 'evt_two', 'a', 't', 'done', 1, 1),
                (5, 'evt_two', 'b', 't', 'dead', 1, 1),
                (6, 'evt_one', 'c', 't', 'queued', 3, 3);",
    )
    .await;

    let store = open(dir.path()).await;
    let jobs = |d: switchyard_store::EventDetail| -> Vec<(i64, String)> {
        d.jobs.into_iter().map(|j| (j.id, j.workflow_id)).collect()
    };
    assert_eq!(
        jobs(store.event_detail("evt_two").await.unwrap()),
        [(4, "a".to_string()), (5, "b".to_string())]
    );
    assert_eq!(jobs(store.event_detail("evt_none").await.unwrap()), []);
    assert_eq!(
        jobs(store.event_detail("evt_one").await.unwrap()),
        [(6, "c".to_string())]
    );
    // A new event's jobs follow the old ones and are found the same way.
    let acc = store
        .accept(vec![event("x", None, &[("d", "t"), ("e", "t")])])
        .await
        .unwrap();
    let ids: Vec<i64> = acc[0].jobs.iter().map(|j| j.id).collect();
    assert_eq!(ids, [7, 8]);
    let detail = store.event_detail(&acc[0].event_id).await.unwrap();
    assert_eq!(jobs(detail), [(7, "d".to_string()), (8, "e".to_string())]);
    store.close().await;
}

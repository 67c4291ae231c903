//! Data folders made by earlier versions: the migrations since keep every event, key and job
//! that was stored, and what is stored after them is found the same way.

mod common;

use common::*;
use serde_json::json;
use switchyard_store::*;

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

#[tokio::test]
async fn ids_made_before_they_carried_their_row_key_are_still_found() {
    let dir = tempdir();
    let file = dir.path().join("switchyard.db");
    // The schema as the first four migrations left it: unique indexes of event and run ids.
    folder_as_migrations_left_it(
        &file,
        4,
        r#"INSERT INTO events (seq, id, name, source, payload, received_at, first_job, job_count)
           VALUES (1, 'evt_01a22d3be57cc3f8c32149', 'x', 'webhook', '{"who":"old ada"}', 1, 1, 1),
                  (2, 'evt_01a22d3be57cc3f8c32150', 'x', 'manual', '{"who":"old bob"}', 2, NULL, 0);
           INSERT INTO jobs (id, event_id, workflow_id, trigger_node, status, available_at, updated_at)
           VALUES (1, 'evt_01a22d3be57cc3f8c32149', 'w', 't', 'done', 1, 1);
           INSERT INTO runs (seq, id, job_id, event_id, workflow_id, status, started_at, finished_at,
                             duration_ms, journal, origin)
           VALUES (1, 'run_01a22d3be57c38342ec693', 1, 'evt_01a22d3be57cc3f8c32149', 'w',
                   'succeeded', 1, 1, 0.5, '{"nodes":[]}', 'webhook');"#,
    )
    .await;

    let finished_run = |run: RunRecord| FinishedRun {
        run,
        job: None,
        emitted: vec![],
        logs: vec![],
    };
    let store = open(dir.path()).await;
    let old = store
        .event_detail("evt_01a22d3be57cc3f8c32149")
        .await
        .unwrap();
    assert_eq!(old.event.payload, json!({"who": "old ada"}));
    assert_eq!(old.jobs.iter().map(|j| j.id).collect::<Vec<_>>(), [1]);
    assert_eq!(old.runs[0].id, "run_01a22d3be57c38342ec693");
    let run = store.run("run_01a22d3be57c38342ec693").await.unwrap();
    assert_eq!(run.journal.get(), r#"{"nodes":[]}"#);
    assert!(store.event("evt_01a22d3be57cc3f8c32150").await.is_ok());

    // A new event and its run: ids that carry their row's key, found the same way.
    let mut ev = event("x", None, &[("w", "t")]);
    ev.payload = json!({"who": "new cy"});
    let run = unstored(&ev, "succeeded");
    let new_run = run.id.clone();
    let acc = store
        .accept_ran(ev, finished_run(run), JobOutcome::Done)
        .await
        .unwrap();
    let new_event = acc[0].event_id.clone();
    assert!(new_event.starts_with("evt_") && new_event.len() == 4 + 19);
    let detail = store.event_detail(&new_event).await.unwrap();
    assert_eq!(detail.runs[0].id, new_run);
    assert_eq!(detail.jobs.len(), 1);
    assert_eq!(store.run(&new_run).await.unwrap().id, new_run);

    // Ids a caller chose are stored and found too, and stay unique.
    let mut chosen = event("x", None, &[("w", "t")]);
    chosen.id = "evt-chosen".into();
    chosen.payload = json!({"who": "chosen dee"});
    let mut run = unstored(&chosen, "succeeded");
    run.id = "run-chosen".into();
    let acc = store
        .accept_ran(chosen.clone(), finished_run(run.clone()), JobOutcome::Done)
        .await
        .unwrap();
    assert_eq!(acc[0].event_id, "evt-chosen");
    assert_eq!(store.run("run-chosen").await.unwrap().status, "succeeded");
    // The same run stored again (by a caller that retries) keeps the first, whatever its id.
    for (id, status) in [("run-chosen", "failed"), (new_run.as_str(), "failed")] {
        let mut again = run.clone();
        again.id = id.into();
        again.status = status.into();
        store.finish(finished_run(again)).await.unwrap();
        assert_eq!(store.run(id).await.unwrap().status, "succeeded", "{id}");
    }
    // An event id stored already fails its commit and stores nothing.
    let before = store.stats().await.unwrap().events;
    assert!(store.accept(vec![chosen]).await.is_err());
    assert_eq!(store.stats().await.unwrap().events, before);

    // Searching runs by their event's payload finds old, new and chosen.
    for (text, id) in [
        ("old ada", "run_01a22d3be57c38342ec693"),
        ("new cy", new_run.as_str()),
        ("chosen dee", "run-chosen"),
    ] {
        let found = store
            .runs(&RunFilter {
                q: Some(text.into()),
                ..Default::default()
            })
            .await
            .unwrap();
        let ids: Vec<&str> = found.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, [id], "{text}");
    }
    // Newest first: the new event, the chosen one, then the old ones.
    let listed: Vec<String> = store
        .events(10, None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(listed[0], new_event);
    assert_eq!(listed.len(), 4);
    store.close().await;

    // Only old and chosen ids have index entries; no index holds every id any more.
    let mut conn = sqlite_file(&file).await.unwrap();
    for (table, index, with_entries) in [
        ("events", "events_other_id", 3),
        ("runs", "runs_other_id", 2),
    ] {
        let n: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM {table} INDEXED BY {index} WHERE seq < 1099511627776"
        ))
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(n, with_entries, "{index}");
        let unique_whole: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT name FROM pragma_index_list('{table}') WHERE \"unique\" AND NOT \"partial\""
        ))
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert_eq!(unique_whole, Vec::<String>::new(), "{table}");
    }
}

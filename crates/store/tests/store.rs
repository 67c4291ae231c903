//! The store against a real SQLite file: acknowledgement, idempotency, runs, recovery, dead
//! letters, versions, and that everything survives closing and reopening.

mod common;

use common::*;
use serde_json::json;
use switchyard_store::*;

/// The workflows of `jobs`, sorted.
fn workflows_of(jobs: &[Job]) -> Vec<&str> {
    let mut wfs: Vec<&str> = jobs.iter().map(|j| j.workflow_id.as_str()).collect();
    wfs.sort();
    wfs
}

#[tokio::test]
async fn accepted_events_and_runs_survive_a_reopen() {
    let dir = tempdir();
    let store = open(dir.path()).await;
    let acc = store
        .accept(vec![event(
            "lead.submitted",
            None,
            &[("leads", "hook"), ("audit", "on_lead")],
        )])
        .await
        .unwrap();
    assert_eq!(acc.len(), 1);
    assert!(!acc[0].duplicate);
    assert_eq!(acc[0].jobs.len(), 2, "one job per subscribed workflow");
    let job = acc[0].jobs[0].clone();
    let run = finished(&job, "succeeded");
    let run_id = run.id.clone();
    store
        .finish(FinishedRun {
            run,
            job: Some((job.id, JobOutcome::Done)),
            emitted: vec![event("lead.scored", None, &[("crm", "on_score")])],
            logs: Vec::new(),
        })
        .await
        .unwrap();
    store.close().await;

    let store = open(dir.path()).await;
    let detail = store.event_detail(&acc[0].event_id).await.unwrap();
    assert_eq!(detail.event.payload["text"], "it's \"quoted\"");
    assert_eq!(detail.runs.len(), 1);
    assert_eq!(detail.runs[0].id, run_id);
    let statuses: Vec<&str> = detail.jobs.iter().map(|j| j.status.as_str()).collect();
    assert_eq!(statuses, ["done", "leased"]);
    let run = store.run(&run_id).await.unwrap();
    let journal: serde_json::Value = serde_json::from_str(run.journal.get()).unwrap();
    assert_eq!(journal["nodes"][0]["status"], "succeeded");
    let events = store.events(10, None).await.unwrap();
    assert_eq!(events.len(), 2, "the emitted event was stored with the run");
    let runs = store
        .runs(&RunFilter {
            workflow: Some("leads".into()),
            ..RunFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(runs.len(), 1);

    // The audit job and the emitted event's job were open when the process went away.
    let recovered = store.recover(5).await.unwrap();
    assert_eq!(workflows_of(&recovered.jobs), ["audit", "crm"]);
    assert!(recovered.jobs.iter().all(|j| j.attempts == 2));
    store.close().await;
}

/// A run that ended before its event was stored goes in with the event: its job is created
/// settled (done, or a dead letter that can be retried), the other listeners' jobs are leased
/// as usual, and what the run emitted is stored too.
#[tokio::test]
async fn an_event_stored_with_its_run_settles_that_job_in_the_same_commit() {
    let dir = tempdir();
    let store = open(dir.path()).await;
    let ev = event(
        "lead.submitted",
        None,
        &[("leads", "hook"), ("audit", "on_lead")],
    );
    let event_id = ev.id.clone();
    let run = unstored(&ev, "succeeded");
    let run_id = run.id.clone();
    let line = RunLogLine {
        at: now_ms(),
        level: "info".into(),
        target: "run".into(),
        message: "scored".into(),
        fields: Default::default(),
    };
    let acc = store
        .accept_ran(
            ev,
            FinishedRun {
                run,
                job: None,
                emitted: vec![event("lead.scored", None, &[("crm", "on_score")])],
                logs: vec![line],
            },
            JobOutcome::Done,
        )
        .await
        .unwrap();
    assert_eq!(acc.len(), 2, "the event and the one its run emitted");
    assert_eq!(acc[0].event_id, event_id);
    let to_run: Vec<&str> = acc
        .iter()
        .flat_map(|a| &a.jobs)
        .map(|j| j.workflow_id.as_str())
        .collect();
    assert_eq!(
        to_run,
        ["audit", "crm"],
        "only jobs still to run are handed out"
    );
    store.close().await;

    let store = open(dir.path()).await;
    let detail = store.event_detail(&event_id).await.unwrap();
    let jobs: Vec<(&str, &str)> = detail
        .jobs
        .iter()
        .map(|j| (j.workflow_id.as_str(), j.status.as_str()))
        .collect();
    assert_eq!(jobs, [("leads", "done"), ("audit", "leased")]);
    assert_eq!(detail.runs.len(), 1);
    assert_eq!(detail.runs[0].id, run_id);
    let record = store.run(&run_id).await.unwrap();
    assert_eq!(
        record.job_id,
        Some(detail.jobs[0].id),
        "the run points at the job it settled"
    );
    assert_eq!(store.run_logs(&run_id).await.unwrap()[0].message, "scored");
    assert_eq!(store.stats().await.unwrap().events, 2);
    let recovered = store.recover(5).await.unwrap();
    assert_eq!(
        workflows_of(&recovered.jobs),
        ["audit", "crm"],
        "the settled job does not run again"
    );

    // A failed run's job is a dead letter from the start, and can be retried.
    let ev = event("lead.submitted", None, &[("leads", "hook")]);
    let run = unstored(&ev, "failed");
    let acc = store
        .accept_ran(
            ev,
            FinishedRun {
                run,
                job: None,
                emitted: vec![],
                logs: vec![],
            },
            JobOutcome::Dead("score: bad expression".into()),
        )
        .await
        .unwrap();
    assert!(acc[0].jobs.is_empty());
    let dead = store.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].event.id, acc[0].event_id);
    assert_eq!(
        dead[0].job.last_error.as_deref(),
        Some("score: bad expression")
    );
    assert_eq!(
        store
            .retry_dead_letter(dead[0].job.id)
            .await
            .unwrap()
            .attempts,
        2
    );

    // A repeated delivery that ran before it was stored: the first event's id, and its run
    // and what it emitted are dropped; whether the first came in an earlier commit, in the same
    // commit, or through a plain accept.
    let ran = |key: &str| {
        let ev = event("lead.submitted", Some(key), &[("leads", "hook")]);
        let run = unstored(&ev, "succeeded");
        let emitted = vec![event("lead.scored", None, &[("crm", "on_score")])];
        (
            ev,
            FinishedRun {
                run,
                job: None,
                emitted,
                logs: vec![],
            },
        )
    };
    let (ev, run) = ran("hook:k1");
    let first = store.accept_ran(ev, run, JobOutcome::Done).await.unwrap();
    let (ev, run) = ran("hook:k1");
    let again = store.accept_ran(ev, run, JobOutcome::Done).await.unwrap();
    assert_eq!(again.len(), 1, "nothing of what the repeat emitted");
    assert!(again[0].duplicate);
    assert_eq!(again[0].event_id, first[0].event_id);
    let (ev1, run1) = ran("hook:k2");
    let (ev2, run2) = ran("hook:k2");
    let (a, b) = tokio::join!(
        store.accept_ran(ev1, run1, JobOutcome::Done),
        store.accept_ran(ev2, run2, JobOutcome::Done)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a[0].event_id, b[0].event_id);
    assert_eq!(u8::from(a[0].duplicate) + u8::from(b[0].duplicate), 1);
    let plain = event("lead.submitted", Some("hook:k3"), &[("leads", "hook")]);
    let (ev, run) = ran("hook:k3");
    let (plain, third) = tokio::join!(
        store.accept(vec![plain]),
        store.accept_ran(ev, run, JobOutcome::Done)
    );
    assert!(!plain.unwrap()[0].duplicate);
    assert!(third.unwrap()[0].duplicate);
    // Before: 3 events. Now k1 and k2 with one emitted event each, and k3 alone.
    assert_eq!(store.stats().await.unwrap().events, 3 + 2 + 2 + 1);
    let stored = store.events(100, None).await.unwrap();
    for key in ["hook:k1", "hook:k2", "hook:k3"] {
        let first = stored
            .iter()
            .find(|e| e.idempotency_key.as_deref() == Some(key))
            .unwrap();
        let runs = store.event_detail(&first.id).await.unwrap().runs.len();
        assert_eq!(runs, usize::from(key != "hook:k3"), "{key}");
    }
    let (mut no_target, run) = ran("hook:k4");
    no_target.targets.clear();
    let err = store
        .accept_ran(no_target, run, JobOutcome::Done)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_request");
    store.close().await;
}

#[tokio::test]
async fn a_repeated_delivery_gets_the_first_event_id_and_no_job() {
    let dir = tempdir();
    let store = open(dir.path()).await;
    let first = store
        .accept(vec![event("x", Some("hook:k1"), &[("w", "t")])])
        .await
        .unwrap();
    // The second delivery, and a third in the same batch as a fresh event.
    let again = store
        .accept(vec![
            event("x", Some("hook:k1"), &[("w", "t")]),
            event("x", Some("hook:k2"), &[("w", "t")]),
        ])
        .await
        .unwrap();
    assert!(again[0].duplicate);
    assert_eq!(again[0].event_id, first[0].event_id);
    assert!(again[0].jobs.is_empty());
    assert!(!again[1].duplicate);
    assert_eq!(again[1].jobs.len(), 1);
    assert_eq!(store.stats().await.unwrap().events, 2);
    store.close().await;
}

#[tokio::test]
async fn dead_letters_can_be_retried_and_discarded() {
    let dir = tempdir();
    let store = open(dir.path()).await;
    let acc = store
        .accept(vec![
            event("x", None, &[("w", "t")]),
            event("y", None, &[("w", "t")]),
        ])
        .await
        .unwrap();
    for a in &acc {
        let job = &a.jobs[0];
        store
            .finish(FinishedRun {
                run: finished(job, "failed"),
                job: Some((job.id, JobOutcome::Dead("crm: 500".into()))),
                emitted: vec![],
                logs: Vec::new(),
            })
            .await
            .unwrap();
    }
    let dead = store.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 2);
    assert_eq!(dead[0].job.last_error.as_deref(), Some("crm: 500"));
    let again = store.retry_dead_letter(acc[0].jobs[0].id).await.unwrap();
    assert_eq!(again.attempts, 2);
    store.discard_dead_letter(acc[1].jobs[0].id).await.unwrap();
    assert!(store.dead_letters(10).await.unwrap().is_empty());
    let err = store
        .discard_dead_letter(acc[1].jobs[0].id)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not_found");
    store.close().await;
}

#[tokio::test]
async fn jobs_delivered_too_often_go_to_dead_letters_on_recovery() {
    let dir = tempdir();
    {
        let store = open(dir.path()).await;
        store
            .accept(vec![event("x", None, &[("w", "t")])])
            .await
            .unwrap();
        store.close().await;
    }
    // Each reopen is a restart after the job did not finish.
    for expected_attempts in 2..=3 {
        let store = open(dir.path()).await;
        let r = store.recover(3).await.unwrap();
        assert_eq!(r.jobs.len(), 1);
        assert_eq!(r.jobs[0].attempts, expected_attempts);
        store.close().await;
    }
    let store = open(dir.path()).await;
    let r = store.recover(3).await.unwrap();
    assert!(r.jobs.is_empty());
    assert_eq!(r.dead.len(), 1);
    let dead = store.dead_letters(10).await.unwrap();
    assert!(dead[0].job.last_error.as_ref().unwrap().contains("3 times"));
    store.close().await;
}

#[tokio::test]
async fn versions_are_kept_once_per_change() {
    let dir = tempdir();
    let store = open(dir.path()).await;
    assert_eq!(
        store.save_version("w", "{\"a\":1}", "file").await.unwrap(),
        (1, true)
    );
    assert_eq!(
        store.save_version("w", "{\"a\":1}", "file").await.unwrap(),
        (1, false)
    );
    assert_eq!(
        store
            .save_version("w", "{\"a\":2}", "editor")
            .await
            .unwrap(),
        (2, true)
    );
    let v = store.versions("w").await.unwrap();
    assert_eq!(v.iter().map(|v| v.version).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(store.version_file("w", 1).await.unwrap(), "{\"a\":1}");
    assert_eq!(
        store.version_file("w", 9).await.unwrap_err().code(),
        "not_found"
    );
    store.set_setting("ssrf_guard", "off").await.unwrap();
    assert_eq!(
        store.setting("ssrf_guard").await.unwrap().as_deref(),
        Some("off")
    );
    store.close().await;
}

#[tokio::test]
async fn a_second_process_cannot_open_the_same_folder() {
    let dir = tempdir();
    let store = open(dir.path()).await;
    let err = Store::open(StoreConfig::new(dir.path()))
        .await
        .err()
        .unwrap();
    assert_eq!(err.code(), "data_dir_locked");
    store.close().await;
}

#[tokio::test]
async fn many_concurrent_callers_are_committed_in_groups() {
    let dir = tempdir();
    let store = open(dir.path()).await;
    let mut tasks = Vec::new();
    for i in 0..400 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let key = format!("k{}", i % 200);
            store
                .accept(vec![event("x", Some(&key), &[("w", "t")])])
                .await
                .unwrap()
        }));
    }
    let mut fresh = 0;
    for t in tasks {
        let acc = t.await.unwrap();
        if !acc[0].duplicate {
            fresh += 1;
        }
    }
    assert_eq!(fresh, 200, "each key is stored once");
    let stats = store.stats().await.unwrap();
    assert_eq!((stats.events, stats.open_jobs), (200, 200));
    assert!(
        stats.commits < 100,
        "400 callers at once took {} commits",
        stats.commits
    );
    store.close().await;
}

#[tokio::test]
async fn reads_see_every_commit_made_before_them() {
    let dir = tempdir();
    let mut config = StoreConfig::new(dir.path());
    config.readers = 1; // one read connection, reused by every read
    let store = Store::open(config).await.unwrap();
    let acc = store
        .accept(vec![event("x", None, &[("w", "t")])])
        .await
        .unwrap();
    let id = acc[0].event_id.clone();
    for round in 0..20 {
        // A read that stops at its first row, then a commit, then reads again.
        let before = store.event_detail(&id).await.unwrap();
        assert_eq!(before.runs.len(), round);
        let job = &acc[0].jobs[0];
        store
            .finish(FinishedRun {
                run: finished(job, "succeeded"),
                job: None,
                emitted: vec![],
                logs: Vec::new(),
            })
            .await
            .unwrap();
        let after = store.event_detail(&id).await.unwrap();
        assert_eq!(after.runs.len(), round + 1, "round {round}: a stale read");
    }
    store.close().await;
}

#[tokio::test]
async fn commits_reach_the_database_file_through_background_checkpoints() {
    use sqlx::Connection;
    let dir = tempdir();
    let store = open(dir.path()).await;
    for _ in 0..20 {
        store
            .accept(vec![event("x", None, &[("w", "t")])])
            .await
            .unwrap();
    }
    // A copy of the database file alone (no WAL) holds what checkpoints have copied into it.
    // The writer never checkpoints (its automatic checkpoint is off): the checkpointer must.
    let copy = tempdir();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let checkpointed = loop {
        let file = copy.path().join("copy.db");
        std::fs::copy(dir.path().join("switchyard.db"), &file).unwrap();
        let count = async {
            let mut conn = sqlite_file(&file).await?;
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
                .fetch_one(&mut conn)
                .await?;
            conn.close().await?;
            Ok::<i64, sqlx::Error>(n)
        }
        .await
        .unwrap_or(0); // a copy taken mid-checkpoint may not open yet
        if count == 20 || std::time::Instant::now() > deadline {
            break count;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await; // polling a file
    };
    assert_eq!(
        checkpointed, 20,
        "every committed event is in the database file"
    );
    store.close().await;
    assert!(
        !dir.path().join("switchyard.db-wal").exists(),
        "closing leaves one file"
    );
}

#[tokio::test]
async fn the_wal_stays_bounded_under_sustained_writes() {
    let dir = tempdir();
    let mut config = StoreConfig::new(dir.path());
    config.checkpoint_pace = std::time::Duration::from_millis(5);
    config.wal_restart_frames = 64; // 256 KiB
    let store = Store::open(config).await.unwrap();
    // 8 writers that never pause, 200 events of about 8 KiB each: 13 MiB in all, so the WAL
    // is never all copied between commits; restarts must keep it small.
    let text = "x".repeat(8 * 1024);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (store, text) = (store.clone(), text.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..200 {
                let mut e = event("x", None, &[("w", "t")]);
                e.payload = json!({ "text": text });
                store.accept(vec![e]).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let wal = std::fs::metadata(dir.path().join("switchyard.db-wal"))
        .unwrap()
        .len();
    assert!(
        wal < 6 * 1024 * 1024,
        "the WAL grew to {wal} bytes for 13 MiB written"
    );
    assert_eq!(store.stats().await.unwrap().events, 1600);
    store.close().await;
}

#[tokio::test]
async fn long_journals_are_stored_compressed_and_read_back_whole() {
    use sqlx::Connection;
    let dir = tempdir();
    let store = open(dir.path()).await;
    let acc = store
        .accept(vec![event("x", None, &[("w", "t")])])
        .await
        .unwrap();
    let job = &acc[0].jobs[0];
    // A journal like a real run's: each node's output repeats most of its input.
    let nodes: Vec<_> = (0..12)
        .map(|i| {
            json!({"id": format!("node_{i}"), "status": "succeeded", "attempts": 1,
                        "output": {"email": "ada@example.com", "name": "Ada Lovelace",
                                   "company": "Analytical Engines", "score": i}})
        })
        .collect();
    let journal = json!({"nodes": nodes, "status": "succeeded"}).to_string();
    let mut run = finished(job, "succeeded");
    run.journal = serde_json::value::RawValue::from_string(journal.clone()).unwrap();
    let run_id = run.id.clone();
    store
        .finish(FinishedRun {
            run,
            job: None,
            emitted: vec![],
            logs: Vec::new(),
        })
        .await
        .unwrap();
    assert_eq!(store.run(&run_id).await.unwrap().journal.get(), journal);
    store.close().await;

    // On disk it takes a fraction of its length; a journal an older version wrote as plain
    // text reads back too.
    let mut conn = sqlite_file(&dir.path().join("switchyard.db"))
        .await
        .unwrap();
    let (kind, size): (String, i64) =
        sqlx::query_as("SELECT typeof(journal), length(journal) FROM runs WHERE id = ?1")
            .bind(&run_id)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(kind, "blob");
    assert!(
        size * 3 < journal.len() as i64,
        "{size} bytes for {}",
        journal.len()
    );
    sqlx::query("UPDATE runs SET journal = ?1 WHERE id = ?2")
        .bind(&journal)
        .bind(&run_id)
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let store = open(dir.path()).await;
    assert_eq!(store.run(&run_id).await.unwrap().journal.get(), journal);
    store.close().await;
}

#[tokio::test]
async fn a_failed_commit_keeps_nothing_and_the_next_one_works() {
    let dir = tempdir();
    let store = open(dir.path()).await;
    // Two events with one id: the INSERT fails after the first row, inside the transaction.
    let first = event("x", None, &[("w", "t")]);
    let mut twin = event("x", None, &[("w", "t")]);
    twin.id = first.id.clone();
    let failed = store.accept(vec![first.clone(), twin]).await;
    assert!(failed.is_err(), "a batch with a repeated id is refused");
    assert!(
        store.event(&first.id).await.is_err(),
        "nothing of it was kept"
    );
    // The transaction was rolled back: the writer goes on.
    let next = store.accept(vec![first.clone()]).await.unwrap();
    assert_eq!(next[0].event_id, first.id);
    let stats = store.stats().await.unwrap();
    assert_eq!((stats.events, stats.open_jobs), (1, 1));
    store.close().await;
}

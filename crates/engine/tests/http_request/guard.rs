//! The SSRF guard: refused addresses, names, redirects, allowed hosts, policy changes.

use super::*;

#[tokio::test]
async fn the_guard_refuses_loopback_by_address_by_name_and_as_a_mapped_address() {
    let server = recorder("127.0.0.1:0").await;
    let p = port(&server.base);
    let engine = engine(NetworkPolicy::default());
    let r = run_on(
        &engine,
        json!({"url": format!("http://127.0.0.1:{p}/hit")}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Failed);
    let err = r.error.unwrap();
    assert_eq!(err.code, "address_blocked");
    assert_eq!(
        err.message,
        format!("refused to call http://127.0.0.1:{p}/hit: 127.0.0.1 is a loopback address; {ALLOW_HINT}")
    );

    let r = run_on(
        &engine,
        json!({"url": format!("http://localhost:{p}/hit")}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(err.code, "address_blocked", "{}", err.message);
    assert!(
        err.message.starts_with(&format!(
            "refused to call http://localhost:{p}/hit: localhost is at "
        )) && err.message.contains("a loopback address")
            && err.message.ends_with(ALLOW_HINT),
        "{}",
        err.message
    );

    let r = run_on(
        &engine,
        json!({"url": format!("http://[::ffff:127.0.0.1]:{p}/hit")}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(err.code, "address_blocked", "{}", err.message);
    assert!(
        err.message
            .contains("::ffff:127.0.0.1 is a loopback address"),
        "{}",
        err.message
    );
    assert_eq!(server.hits().len(), 0, "nothing reached the server");

    // Allowed from the next run on, without a new engine.
    engine.set_workspace(Arc::new(Workspace {
        network: open(),
        ..Workspace::default()
    }));
    for url in [
        format!("http://127.0.0.1:{p}/hit"),
        format!("http://localhost:{p}/hit"),
        format!("http://[::ffff:127.0.0.1]:{p}/hit"),
    ] {
        let r = run_on(&engine, json!({"url": url}), json!({})).await;
        assert_eq!(r.status, RunStatus::Succeeded, "{url}: {:?}", r.error);
        assert_eq!(r.output["body"], json!({"ok": true}));
    }
    assert_eq!(server.hits().len(), 3);
}

#[tokio::test]
async fn allowed_hosts_open_single_addresses_and_names() {
    let server = recorder("127.0.0.1:0").await;
    let p = port(&server.base);
    let by_address = engine(guarded(&["127.0.0.1"]));
    let r = run_on(
        &by_address,
        json!({"url": format!("http://127.0.0.1:{p}/a")}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    // localhost resolves to 127.0.0.1 here, which is allowed.
    let r = run_on(
        &by_address,
        json!({"url": format!("http://localhost:{p}/b")}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);

    let by_name = engine(guarded(&["localhost"]));
    let r = run_on(
        &by_name,
        json!({"url": format!("http://localhost:{p}/c")}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    let r = run_on(
        &by_name,
        json!({"url": format!("http://127.0.0.1:{p}/d")}),
        json!({}),
    )
    .await;
    assert_eq!(r.error.unwrap().code, "address_blocked");
    let paths: Vec<String> = server.hits().into_iter().map(|h| h.path).collect();
    assert_eq!(paths, ["/a", "/b", "/c"]);
}

#[tokio::test]
async fn cloud_metadata_addresses_are_refused_before_any_connection() {
    let engine = engine(NetworkPolicy::default());
    for (url, shown) in [
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254",
        ),
        ("http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254"),
        (
            "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
            "64:ff9b::a9fe:a9fe",
        ),
        (
            "http://[::ffff:169.254.169.254]/latest/meta-data/",
            "::ffff:169.254.169.254",
        ),
    ] {
        let started = std::time::Instant::now();
        let r = run_on(
            &engine,
            json!({"url": url, "timeout_ms": 60_000}),
            json!({}),
        )
        .await;
        let elapsed = started.elapsed();
        let err = r.error.unwrap();
        assert_eq!(err.code, "address_blocked", "{url}: {}", err.message);
        assert!(
            err.message
                .contains(&format!("{shown} is the cloud metadata address")),
            "{}",
            err.message
        );
        // Nothing was contacted: a connection attempt would wait for the 60 s timeout or fail
        // with a connection error, not this code.
        assert!(
            elapsed < std::time::Duration::from_secs(2),
            "{url}: {elapsed:?}"
        );
        assert_eq!(r.nodes[1].attempts, 1);
    }
}

#[tokio::test]
async fn redirects_to_refused_addresses_are_refused_and_never_reach_them() {
    let first = recorder("127.0.0.1:0").await;
    let second = recorder("127.0.0.2:0").await;
    let target = format!("{}/inside", second.base);
    let url = format!("{}/redirect?to={target}", first.base);

    let r = run_on(
        &engine(guarded(&["127.0.0.1"])),
        json!({"url": url}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(err.code, "address_blocked", "{}", err.message);
    assert_eq!(
        err.message,
        format!("refused to call {target} (redirected from {url}): 127.0.0.2 is a loopback address; {ALLOW_HINT}")
    );
    assert_eq!(first.hits().len(), 1);
    assert_eq!(
        second.hits().len(),
        0,
        "the refused server received nothing"
    );

    let r = run_on(&engine(open()), json!({"url": url}), json!({})).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    assert_eq!(r.output["body"], json!({"ok": true}));
    assert_eq!(second.hits().len(), 1);
    assert_eq!(second.hits()[0].path, "/inside");
}

#[tokio::test]
async fn redirects_stop_after_ten() {
    let server = recorder("127.0.0.1:0").await;
    let r = call(json!({"url": format!("{}/loop", server.base)}), json!({})).await;
    let err = r.error.unwrap();
    assert_eq!(err.code, "http_error");
    assert!(
        err.message.contains("redirected more than 10 times"),
        "{}",
        err.message
    );
    assert_eq!(
        server.hits().len(),
        11,
        "the first request and ten redirects"
    );
}

#[tokio::test]
async fn tightening_the_policy_applies_to_open_connections_too() {
    let server = recorder("127.0.0.1:0").await;
    let p = port(&server.base);
    let engine = engine(open());
    // Keep-alive: this connection stays in the client's pool.
    let r = run_on(
        &engine,
        json!({"url": format!("http://localhost:{p}/a")}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    engine.set_workspace(Arc::new(Workspace::default()));
    let r = run_on(
        &engine,
        json!({"url": format!("http://localhost:{p}/b")}),
        json!({}),
    )
    .await;
    assert_eq!(r.error.map(|e| e.code).as_deref(), Some("address_blocked"));
    assert_eq!(server.hits().len(), 1);
}

#[tokio::test]
async fn credentials_do_not_follow_redirects_to_other_sites() {
    let first = recorder("127.0.0.1:0").await;
    let second = recorder("127.0.0.2:0").await;
    let elsewhere = format!("{}/elsewhere", second.base);
    let url = format!("{}/redirect?to={elsewhere}", first.base);
    // An API key: the redirect to another site is not followed.
    let r = call(
        json!({"url": url, "auth": "api_key", "auth_secret": "CRM_KEY"}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(err.code, "http_error");
    assert!(
        err.message
            .contains(&format!("it redirected to another site ({elsewhere})")),
        "{}",
        err.message
    );
    assert_eq!(second.hits().len(), 0);
    // Within the same site it is.
    let same = format!("{}/redirect?to={}/inside", first.base, first.base);
    let r = call(
        json!({"url": same, "auth": "api_key", "auth_secret": "CRM_KEY"}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    assert_eq!(first.hits().last().unwrap().headers["x-api-key"], API_KEY);
    // A bearer token follows, without the Authorization header (the client drops it).
    let r = call(
        json!({"url": url, "auth": "bearer", "auth_secret": "CRM_TOKEN"}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    let hits = second.hits();
    assert_eq!(hits.len(), 1);
    assert!(
        !hits[0].headers.contains_key("authorization"),
        "{:?}",
        hits[0].headers
    );
}

#[tokio::test]
async fn refusals_are_not_retried() {
    let text = json!({
        "schema_version": 1, "id": "t", "name": "T",
        "nodes": [{"id": "start", "kind": "manual_trigger"},
                  {"id": "call", "kind": "http_request", "params": {"url": "http://10.0.0.1/x"},
                   "retry": {"max_attempts": 3, "backoff_ms": 60000, "max_backoff_ms": 60000}}],
        "edges": [{"from": "start", "to": "call"}]
    })
    .to_string();
    let plan = Arc::new(compile(&WorkflowFile::from_json(&text).unwrap()).unwrap());
    let started = std::time::Instant::now();
    let r = engine(NetworkPolicy::default())
        .run(plan, RunRequest::new("r", json!({})), &mut |_| {})
        .await;
    assert_eq!(r.error.as_ref().unwrap().code, "address_blocked");
    assert_eq!(r.node("call").unwrap().attempts, 1);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

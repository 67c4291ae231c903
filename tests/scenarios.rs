//! The three seed scenarios from `workflows/`, run by the real `switchyard run` with the built-in
//! AI provider against local stand-ins: a real SMTP server (aiosmtpd), an HTTP server that
//! records what it receives (CRM, CMS, task list), and a SQLite file. Each test asserts what
//! every stand-in received.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use axum::extract::{Path as AxPath, State};
use axum::routing::post;
use axum::{Json as AxJson, Router};
use common::{stderr, stdout, switchyard};
use serde_json::{json, Value as Json};

/// A real SMTP server (tests/support/smtp_server.py, aiosmtpd) on loopback.
struct Smtp {
    child: Child,
    port: u16,
    out: PathBuf,
}

impl Smtp {
    fn start(dir: &Path) -> Smtp {
        let out = dir.join("mail.jsonl");
        let mut child = Command::new("python3")
            .arg(common::root().join("tests/support/smtp_server.py"))
            .args(["--port", "0", "--out"])
            .arg(&out)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 is needed for the SMTP server: run scripts/install-deps.sh");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                panic!("the SMTP server did not start (is aiosmtpd installed? run scripts/install-deps.sh): {line:?}")
            });
        Smtp { child, port, out }
    }

    /// Every message received so far: (recipients, raw message).
    fn messages(&self) -> Vec<(Vec<String>, String)> {
        let Ok(text) = std::fs::read_to_string(&self.out) else {
            return vec![];
        };
        text.lines()
            .map(|l| {
                let m: Json = serde_json::from_str(l).unwrap();
                let to = m["rcpt_tos"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect();
                (to, m["data"].as_str().unwrap().to_string())
            })
            .collect()
    }

    fn to(&self, address: &str) -> Vec<String> {
        self.messages()
            .into_iter()
            .filter(|(to, _)| to.iter().any(|t| t == address))
            .map(|(_, data)| data)
            .collect()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

type Received = Arc<Mutex<Vec<(String, Json)>>>;

/// An HTTP stand-in on loopback (CRM, CMS, task list): records each POST and answers 201.
async fn stand_in() -> (String, Received) {
    let received: Received = Arc::default();
    let app = Router::new()
        .route(
            "/{*path}",
            post(
                |State(r): State<Received>,
                 AxPath(path): AxPath<String>,
                 AxJson(body): AxJson<Json>| async move {
                    r.lock().unwrap().push((path, body));
                    (
                        axum::http::StatusCode::CREATED,
                        AxJson(json!({"id": "sa-1"})),
                    )
                },
            ),
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, received)
}

/// A workspace for the templates: the `outbox` email server is the test's SMTP server, the
/// `marketing` database a SQLite file in `dir`, and loopback reachable.
fn workspace(dir: &Path, smtp: &Smtp) -> PathBuf {
    let ws = json!({
        "schema_version": 1,
        "email_servers": [{"id": "outbox", "host": "127.0.0.1", "port": smtp.port, "security": "plain",
                           "from": "Switchyard <automation@example.com>"}],
        "databases": [{"id": "marketing", "url": format!("sqlite:{}", dir.join("marketing.db").display())}],
        "network": {"allow_private_networks": true}
    });
    let path = dir.join("workspace.json");
    std::fs::write(&path, ws.to_string()).unwrap();
    path
}

async fn run(args: Vec<String>) -> Json {
    let out = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        switchyard(&args)
    })
    .await
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn node<'a>(report: &'a Json, id: &str) -> &'a Json {
    report["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .unwrap_or_else(|| panic!("no node {id}"))
}

async fn rows(db: &Path, sql: &str) -> Vec<Json> {
    use sqlx::{Column, Row};
    let url = format!("sqlite:{}", db.display());
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let rows = sqlx::query(sql).fetch_all(&mut conn).await.unwrap();
    rows.iter()
        .map(|r| {
            let mut m = serde_json::Map::new();
            for (i, c) in r.columns().iter().enumerate() {
                let v: Json = r
                    .try_get::<Option<i64>, _>(i)
                    .map(|v| json!(v))
                    .or_else(|_| r.try_get::<Option<f64>, _>(i).map(|v| json!(v)))
                    .or_else(|_| r.try_get::<Option<String>, _>(i).map(|v| json!(v)))
                    .unwrap();
                m.insert(c.name().to_string(), v);
            }
            Json::Object(m)
        })
        .collect()
}

fn lead_args(ws: &Path, crm: &str, event: Json) -> Vec<String> {
    vec![
        "run".into(),
        "workflows/lead-processing.json".into(),
        "--workspace".into(),
        ws.display().to_string(),
        "--event".into(),
        event.to_string(),
        "--var".into(),
        format!("crm_url={crm}/api/leads"),
        "--var".into(),
        "follow_up_after_minutes=0".into(),
        "--json".into(),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hot_lead_reaches_the_crm_and_sales_and_gets_a_follow_up() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(dir.path());
    let ws = workspace(dir.path(), &smtp);
    let (crm, received) = stand_in().await;
    let report = run(lead_args(
        &ws,
        &crm,
        json!({"name": " ada lovelace ", "email": "Ada@Example.COM", "company": "Analytical Engines Ltd",
               "budget": 50000, "message": "Urgent: enterprise demo needed, budget 50000"}),
    ))
    .await;
    assert_eq!(report["status"], "succeeded");
    let classify = node(&report, "classify");
    assert_eq!(classify["output"]["label"], "hot", "{classify}");
    assert!(classify["ports"]
        .as_array()
        .unwrap()
        .contains(&json!("hot")));
    for skipped in ["nurture", "cold_table", "save_cold", "crm_failed"] {
        assert_eq!(node(&report, skipped)["status"], "skipped", "{skipped}");
    }

    let crm_got = received.lock().unwrap().clone();
    assert_eq!(crm_got.len(), 1);
    assert_eq!(crm_got[0].0, "api/leads");
    assert_eq!(crm_got[0].1["email"], "ada@example.com");
    assert_eq!(crm_got[0].1["name"], "Ada Lovelace");
    assert_eq!(crm_got[0].1["tier"], "hot");
    assert_eq!(crm_got[0].1["budget"], 50000);

    let to_sales = smtp.to("sales@example.com");
    assert_eq!(to_sales.len(), 1);
    assert!(
        to_sales[0].contains("Subject: Hot lead: Ada Lovelace (Analytical Engines Ltd)"),
        "{}",
        to_sales[0]
    );
    assert!(
        to_sales[0].contains("Reply-To: ada@example.com"),
        "{}",
        to_sales[0]
    );
    assert!(to_sales[0].contains("Budget: 50000"));
    let to_lead = smtp.to("ada@example.com");
    assert_eq!(to_lead.len(), 1, "only the follow-up goes to the lead");
    assert!(to_lead[0].contains("Subject: Your demo"), "{}", to_lead[0]);
    assert!(
        !dir.path().join("marketing.db").exists()
            || rows(
                &dir.path().join("marketing.db"),
                "SELECT name FROM sqlite_master WHERE name = 'cold_leads'"
            )
            .await
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_lead_is_kept_in_the_database_and_never_reaches_the_crm() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(dir.path());
    let ws = workspace(dir.path(), &smtp);
    let (crm, received) = stand_in().await;
    let event = json!({"name": "sam student", "email": "sam@uni.example", "message": "just browsing, student project"});
    let report = run(lead_args(&ws, &crm, event.clone())).await;
    assert_eq!(node(&report, "classify")["output"]["label"], "cold");
    assert_eq!(node(&report, "crm")["status"], "skipped");
    assert!(received.lock().unwrap().is_empty(), "the CRM got nothing");

    let db = dir.path().join("marketing.db");
    let saved = rows(&db, "SELECT email, name, budget, message FROM cold_leads").await;
    assert_eq!(
        saved,
        vec![
            json!({"email": "sam@uni.example", "name": "Sam Student", "budget": 0, "message": "just browsing, student project"})
        ]
    );
    // The same lead again updates its row instead of adding one.
    run(lead_args(&ws, &crm, event)).await;
    assert_eq!(rows(&db, "SELECT email FROM cold_leads").await.len(), 1);

    let to_lead = smtp.to("sam@uni.example");
    assert_eq!(to_lead.len(), 2, "one follow-up per run");
    assert!(
        to_lead[0].contains("Subject: Still curious?"),
        "{}",
        to_lead[0]
    );
    assert!(smtp.to("sales@example.com").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warm_lead_gets_the_nurture_email_in_text_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(dir.path());
    let ws = workspace(dir.path(), &smtp);
    let (crm, received) = stand_in().await;
    let report = run(lead_args(
        &ws,
        &crm,
        json!({"name": "Wen", "email": "wen@shop.example", "message": "Interested in pricing for a small team, could you send more information?"}),
    ))
    .await;
    assert_eq!(node(&report, "classify")["output"]["label"], "warm");
    assert!(received.lock().unwrap().is_empty());
    let to_lead = smtp.to("wen@shop.example");
    assert_eq!(to_lead.len(), 2, "the nurture email, then the follow-up");
    let nurture = to_lead
        .iter()
        .find(|m| m.contains("Subject: Thanks for your interest, Wen"))
        .expect("the nurture email");
    assert!(nurture.contains("multipart/alternative"), "{nurture}");
    assert!(nurture.contains("text/html"));
    assert!(to_lead
        .iter()
        .any(|m| m.contains("Subject: Any questions?")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_content_pipeline_publishes_a_long_draft_and_sends_a_short_one_back() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(dir.path());
    let ws = workspace(dir.path(), &smtp);
    let (site, received) = stand_in().await;
    let args = |min_words: u32| {
        vec![
            "run".to_string(),
            "workflows/content-pipeline.json".into(),
            "--workspace".into(),
            ws.display().to_string(),
            "--event".into(),
            json!({"keyword": "Event-Driven Automation", "audience": "operations teams"})
                .to_string(),
            "--var".into(),
            format!("cms_url={site}/cms/posts"),
            "--var".into(),
            format!("tasks_url={site}/tasks"),
            "--var".into(),
            format!("min_words={min_words}"),
            "--json".into(),
        ]
    };
    let report = run(args(300)).await;
    assert_eq!(node(&report, "draft")["output"]["generated_by"], "template");
    let words = node(&report, "stats")["output"]["words"].as_u64().unwrap();
    assert!(words >= 300, "{words}");
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    let (path, post) = &got[0];
    assert_eq!(path, "cms/posts");
    assert_eq!(post["title"], "Event-Driven Automation: a practical guide");
    assert_eq!(post["slug"], "event-driven-automation");
    assert_eq!(post["words"], words);
    let seo_title = post["seo_title"].as_str().unwrap();
    let description = post["description"].as_str().unwrap();
    assert!(
        !seo_title.is_empty() && seo_title.chars().count() <= 60,
        "{seo_title}"
    );
    assert!(
        description.len() > 20 && description.chars().count() <= 163,
        "{description}"
    );
    assert!(post["body"].as_str().unwrap().contains("operations teams"));

    // Asking for more words than the draft has: it goes back as a task, nothing is published.
    received.lock().unwrap().clear();
    let report = run(args(5000)).await;
    assert_eq!(node(&report, "publish")["status"], "skipped");
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "tasks");
    assert_eq!(got[0].1["needed"], 5000);
    assert_eq!(got[0].1["words"], words);
    assert!(smtp.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_gets_an_upsell_email_and_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(dir.path());
    let ws = workspace(dir.path(), &smtp);
    let base = |event: Option<Json>| {
        let mut a = vec![
            "run".to_string(),
            "workflows/order-followup.json".into(),
            "--workspace".into(),
            ws.display().to_string(),
            "--json".into(),
        ];
        if let Some(e) = event {
            a.push("--event".into());
            a.push(e.to_string());
        }
        a
    };
    // The trigger's sample: a first order with a laptop and a camera.
    let report = run(base(None)).await;
    assert_eq!(node(&report, "upsell")["output"]["label"], "premium");
    let mail = smtp.to("grace@example.com");
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].contains("Subject: Thanks for order A-1001, Grace"),
        "{}",
        mail[0]
    );
    assert!(mail[0].contains("Premium care plan"), "{}", mail[0]);
    assert!(mail[0].contains("CARE-A-1001"));

    // A returning customer with a small order gets the loyalty discount.
    let report = run(base(Some(json!({
        "order_id": "A-1002", "total": 45,
        "customer": {"email": "lin@example.com", "name": "Lin", "orders": 4},
        "items": [{"name": "Cable", "price": 15, "qty": 3, "sku": "CB-1"}]
    }))))
    .await;
    assert_eq!(node(&report, "upsell")["output"]["label"], "loyalty");
    let mail = smtp.to("lin@example.com");
    assert_eq!(mail.len(), 1);
    assert!(mail[0].contains("THANKS10"), "{}", mail[0]);

    let recorded = rows(
        &dir.path().join("marketing.db"),
        "SELECT email, event, order_id, offer, total FROM customer_events ORDER BY id",
    )
    .await;
    assert_eq!(
        recorded,
        vec![
            json!({"email": "grace@example.com", "event": "order.followed_up", "order_id": "A-1001", "offer": "premium", "total": 1540.0}),
            json!({"email": "lin@example.com", "event": "order.followed_up", "order_id": "A-1002", "offer": "loyalty", "total": 45.0}),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_mode_sends_nothing_and_shows_what_would_be_sent() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(dir.path());
    let ws = workspace(dir.path(), &smtp);
    let (crm, received) = stand_in().await;
    let with_test_mode = |event: Json| {
        let mut args = lead_args(&ws, &crm, event);
        args.push("--test-mode".into());
        args
    };
    let report = run(with_test_mode(json!({
        "name": "Ada", "email": "ada@example.com", "company": "Engines",
        "budget": 50000, "message": "Urgent: enterprise demo needed, budget 50000"
    })))
    .await;
    assert_eq!(report["status"], "succeeded");
    assert!(received.lock().unwrap().is_empty(), "the CRM got nothing");
    assert!(smtp.messages().is_empty(), "no email went out");
    let crm_node = &node(&report, "crm")["output"];
    assert_eq!(crm_node["simulated"], true);
    assert_eq!(crm_node["would_send"]["method"], "POST");
    assert_eq!(crm_node["would_send"]["body"]["email"], "ada@example.com");
    let alert = &node(&report, "alert_sales")["output"];
    assert_eq!(alert["simulated"], true);
    assert_eq!(alert["to"], json!(["sales@example.com"]));
    assert_eq!(alert["subject"], "Hot lead: Ada (Engines)");
    assert!(report["logs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["message"]
            .as_str()
            .unwrap()
            .starts_with("test mode: would send POST")));

    // A cold lead for real creates the table and its row; in test mode the upsert is rolled back.
    let cold = json!({"name": "Sam", "email": "sam@uni.example", "message": "just browsing, student project"});
    run(lead_args(&ws, &crm, cold)).await;
    let db = dir.path().join("marketing.db");
    assert_eq!(rows(&db, "SELECT email FROM cold_leads").await.len(), 1);
    let mails_before = smtp.messages().len();
    let report = run(with_test_mode(json!({"name": "Kim", "email": "kim@uni.example", "message": "just browsing, student project"}))).await;
    let saved = &node(&report, "save_cold")["output"];
    assert_eq!(saved["simulated"], true);
    assert_eq!(saved["action"], "inserted");
    assert_eq!(
        rows(&db, "SELECT email FROM cold_leads").await,
        vec![json!({"email": "sam@uni.example"})],
        "the test run's row was rolled back"
    );
    assert_eq!(smtp.messages().len(), mails_before);
}

//! The Send email node against a real SMTP server (aiosmtpd, tests/support/smtp_server.py) on
//! loopback: plain, STARTTLS with a login, implicit TLS, and the ways it fails.

mod smtp;

use std::path::Path;
use std::sync::Arc;

use mail_parser::{MessageParser, MimeHeaders};
use serde_json::{json, Value as Json};
use smtp::{certificates, SmtpServer};
use switchyard_core::workspace::{EmailServer, SmtpSecurity, Workspace};
use switchyard_core::{compile, WorkflowFile};
use switchyard_engine::{
    Engine, EngineConfig, RunEvent, RunReport, RunRequest, RunStatus, Secrets,
};
use tempfile::TempDir;

const PASSWORD: &str = "s3cret-Pa55word";

fn server(id: &str, port: u16, security: SmtpSecurity) -> EmailServer {
    EmailServer {
        id: id.into(),
        name: None,
        host: "127.0.0.1".into(),
        port,
        security,
        username: None,
        password_secret: None,
        from: "Switchyard <robot@example.com>".into(),
        ca_file: None,
        timeout_ms: 10_000,
    }
}

fn engine(dir: &Path, servers: Vec<EmailServer>) -> Engine {
    Engine::new(EngineConfig {
        secrets: Secrets::new([("SMTP_PASSWORD".to_string(), PASSWORD.to_string())]),
        workspace: Arc::new(Workspace {
            email_servers: servers,
            ..Default::default()
        }),
        workspace_dir: dir.to_path_buf(),
        ..Default::default()
    })
}

/// Runs a manual trigger followed by one Send email node; also returns every event.
async fn send(engine: &Engine, params: Json, event: Json) -> (RunReport, Vec<RunEvent>) {
    let text = json!({
        "schema_version": 1, "id": "t", "name": "T",
        "nodes": [{"id": "start", "kind": "manual_trigger"}, {"id": "mail", "kind": "send_email", "params": params}],
        "edges": [{"from": "start", "to": "mail"}]
    })
    .to_string();
    let plan = Arc::new(compile(&WorkflowFile::from_json(&text).unwrap()).unwrap());
    let mut events = Vec::new();
    let report = engine
        .run(plan, RunRequest::new("r", event), &mut |e| {
            events.push(e.clone())
        })
        .await;
    (report, events)
}

fn simple(server: &str) -> Json {
    json!({"server": server, "to": "ada@example.com", "subject": "Hi", "text": "Hello"})
}

fn error(r: &RunReport) -> (String, Option<String>, String) {
    assert_eq!(r.status, RunStatus::Failed, "{r:?}");
    let e = r.error.clone().unwrap();
    eprintln!("{}: {}", e.code, e.message);
    (e.code, e.field, e.message)
}

#[tokio::test]
async fn plain_delivery_with_every_kind_of_recipient_and_both_bodies() {
    let dir = TempDir::new().unwrap();
    let smtp = SmtpServer::start(dir.path(), &[]);
    let engine = engine(
        dir.path(),
        vec![server("relay", smtp.port, SmtpSecurity::Plain)],
    );
    let params = json!({
        "server": "relay",
        "to": "{{ event.name }} <{{ event.email }}>, second@example.com",
        "cc": "{{ event.team }}",
        "bcc": "audit@example.com",
        "reply_to": "Support <support@example.com>",
        "subject": "Welcome, {{ event.name }}!",
        "text": "Hello {{ event.name }},\nyour budget: {{ event.budget }}.",
        "html": "<p>Hello <b>{{ event.name }}</b></p>"
    });
    let event = json!({"name": "Ada", "email": "ada@example.com", "team": ["ops@example.com", "\"Lovelace, Ltd\" <ll@example.com>"], "budget": 50000});
    let (r, _) = send(&engine, params.clone(), event.clone()).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    let out = &r.output;
    assert_eq!(out["server"], "relay");
    assert_eq!(out["from"], "Switchyard <robot@example.com>");
    assert_eq!(
        out["to"],
        json!(["Ada <ada@example.com>", "second@example.com"])
    );
    assert_eq!(
        out["cc"],
        json!(["ops@example.com", "\"Lovelace, Ltd\" <ll@example.com>"])
    );
    assert_eq!(out["bcc"], json!(["audit@example.com"]));
    assert_eq!(out["subject"], "Welcome, Ada!");
    let message_id = out["message_id"].as_str().unwrap().to_string();
    assert!(
        message_id.starts_with('<') && message_id.contains('@'),
        "{message_id}"
    );

    let got = smtp.received();
    assert_eq!(got.len(), 1, "{got:?}");
    let m = &got[0];
    assert_eq!(m["mail_from"], "robot@example.com");
    assert_eq!(m["tls"], false);
    assert_eq!(m["auth_user"], Json::Null);
    let mut rcpt: Vec<&str> = m["rcpt_tos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    rcpt.sort();
    assert_eq!(
        rcpt,
        [
            "ada@example.com",
            "audit@example.com",
            "ll@example.com",
            "ops@example.com",
            "second@example.com"
        ]
    );
    let raw = m["data"].as_str().unwrap();
    assert!(!raw.to_ascii_lowercase().contains("\nbcc:"), "{raw}");
    assert!(!raw.contains("audit@example.com"), "bcc leaked: {raw}");
    let msg = MessageParser::default().parse(raw.as_bytes()).unwrap();
    assert_eq!(msg.subject(), Some("Welcome, Ada!"));
    assert_eq!(
        msg.message_id().map(|id| format!("<{id}>")),
        Some(message_id)
    );
    let addrs = |a: Option<&mail_parser::Address>| -> Vec<String> {
        a.map(|a| {
            a.iter()
                .map(|x| x.address().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
    };
    assert_eq!(addrs(msg.to()), ["ada@example.com", "second@example.com"]);
    assert_eq!(addrs(msg.cc()), ["ops@example.com", "ll@example.com"]);
    assert_eq!(addrs(msg.reply_to()), ["support@example.com"]);
    assert_eq!(addrs(msg.from()), ["robot@example.com"]);
    assert_eq!(
        msg.to().unwrap().first().unwrap().name(),
        Some("Ada"),
        "display names are kept"
    );
    assert!(
        msg.content_type()
            .is_some_and(|ct| ct.c_type == "multipart" && ct.subtype() == Some("alternative")),
        "{raw}"
    );
    assert_eq!(
        msg.body_text(0).map(|t| t.trim_end().replace("\r\n", "\n")),
        Some("Hello Ada,\nyour budget: 50000.".to_string())
    );
    assert_eq!(
        msg.body_html(0).as_deref().map(str::trim_end),
        Some("<p>Hello <b>Ada</b></p>")
    );
    let parts: Vec<String> = msg
        .parts
        .iter()
        .filter_map(|p| p.content_type())
        .map(|ct| format!("{}/{}", ct.c_type, ct.subtype().unwrap_or_default()))
        .collect();
    assert_eq!(parts, ["multipart/alternative", "text/plain", "text/html"]);

    // The next message reuses the connection (same client port on the server's side).
    let (r, _) = send(&engine, params, event).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    let got = smtp.received();
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[1]["peer"], got[0]["peer"],
        "the idle connection was reused"
    );
}

#[tokio::test]
async fn starttls_with_a_login_and_a_company_ca() {
    let dir = TempDir::new().unwrap();
    let (ca, cert, key) = certificates(dir.path(), "company");
    let smtp = SmtpServer::start(
        dir.path(),
        &[
            "--starttls",
            cert.to_str().unwrap(),
            key.to_str().unwrap(),
            "--auth",
            &format!("mailer:{PASSWORD}"),
        ],
    );
    let mut s = server("office", smtp.port, SmtpSecurity::Starttls);
    s.host = "localhost".into();
    s.username = Some("mailer".into());
    s.password_secret = Some("SMTP_PASSWORD".into());
    // Relative to the workspace folder.
    s.ca_file = Some(ca.file_name().unwrap().to_str().unwrap().into());
    let engine = engine(dir.path(), vec![s]);
    let (r, events) = send(
        &engine,
        json!({"server": "office", "from": "Sales <sales@example.com>", "to": "{{ event.to }}", "subject": "Report", "html": "<h1>Report</h1>"}),
        json!({"to": ["a@example.com", "b@example.com"]}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(r.output["from"], "Sales <sales@example.com>");
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["tls"], true);
    assert_eq!(got[0]["auth_user"], "mailer");
    assert_eq!(got[0]["mail_from"], "sales@example.com");
    assert_eq!(
        got[0]["rcpt_tos"],
        json!(["a@example.com", "b@example.com"])
    );
    let raw = got[0]["data"].as_str().unwrap();
    let msg = MessageParser::default().parse(raw.as_bytes()).unwrap();
    assert!(msg
        .content_type()
        .is_some_and(|ct| ct.c_type == "text" && ct.subtype() == Some("html")));
    let report = serde_json::to_string(&(&r, &events)).unwrap();
    assert!(!report.contains(PASSWORD));
}

#[tokio::test]
async fn implicit_tls() {
    let dir = TempDir::new().unwrap();
    let (ca, cert, key) = certificates(dir.path(), "smtps");
    let smtp = SmtpServer::start(
        dir.path(),
        &[
            "--smtps",
            cert.to_str().unwrap(),
            key.to_str().unwrap(),
            "--auth",
            &format!("mailer:{PASSWORD}"),
        ],
    );
    let mut s = server("smtps", smtp.port, SmtpSecurity::Tls);
    s.username = Some("mailer".into());
    s.password_secret = Some("SMTP_PASSWORD".into());
    s.ca_file = Some(ca.to_str().unwrap().into());
    let (r, _) = send(&engine(dir.path(), vec![s]), simple("smtps"), json!({})).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        (&got[0]["tls"], &got[0]["auth_user"]),
        (&json!(true), &json!("mailer"))
    );
}

#[tokio::test]
async fn a_certificate_from_an_unknown_authority_is_refused() {
    let dir = TempDir::new().unwrap();
    let (_, cert, key) = certificates(dir.path(), "rogue");
    let (other_ca, _, _) = certificates(dir.path(), "other");
    for (flag, security) in [
        ("--starttls", SmtpSecurity::Starttls),
        ("--smtps", SmtpSecurity::Tls),
    ] {
        let smtp = SmtpServer::start(
            dir.path(),
            &[flag, cert.to_str().unwrap(), key.to_str().unwrap()],
        );
        let mut s = server("mail", smtp.port, security);
        s.ca_file = Some(other_ca.to_str().unwrap().into());
        let (r, _) = send(&engine(dir.path(), vec![s]), simple("mail"), json!({})).await;
        let (code, _, message) = error(&r);
        assert_eq!(code, "smtp_error", "{message}");
        assert!(
            message.contains("certificate") && message.contains("unknown certificate authority"),
            "{message}"
        );
        assert!(smtp.received().is_empty());
    }
}

#[tokio::test]
async fn a_wrong_password_is_a_refused_login_and_never_shown() {
    let dir = TempDir::new().unwrap();
    let (ca, cert, key) = certificates(dir.path(), "login");
    let smtp = SmtpServer::start(
        dir.path(),
        &[
            "--starttls",
            cert.to_str().unwrap(),
            key.to_str().unwrap(),
            "--auth",
            "mailer:the-right-one",
        ],
    );
    let mut s = server("office", smtp.port, SmtpSecurity::Starttls);
    s.username = Some("mailer".into());
    s.password_secret = Some("SMTP_PASSWORD".into());
    s.ca_file = Some(ca.to_str().unwrap().into());
    let (r, events) = send(&engine(dir.path(), vec![s]), simple("office"), json!({})).await;
    let (code, _, message) = error(&r);
    assert_eq!(code, "smtp_error");
    assert!(
        message.contains("refused the login for user mailer") && message.contains("535"),
        "{message}"
    );
    let report = serde_json::to_string(&(&r, &events)).unwrap();
    assert!(!report.contains(PASSWORD), "{report}");
    assert!(smtp.received().is_empty());
}

#[tokio::test]
async fn starttls_is_required_when_chosen() {
    let dir = TempDir::new().unwrap();
    let smtp = SmtpServer::start(dir.path(), &[]);
    let (r, _) = send(
        &engine(
            dir.path(),
            vec![server("mail", smtp.port, SmtpSecurity::Starttls)],
        ),
        simple("mail"),
        json!({}),
    )
    .await;
    let (code, _, message) = error(&r);
    assert_eq!(code, "smtp_error");
    assert!(message.contains("does not offer STARTTLS"), "{message}");
    assert!(smtp.received().is_empty());
}

#[tokio::test]
async fn invalid_settings_are_invalid_values_in_their_field() {
    let dir = TempDir::new().unwrap();
    // Nothing is sent in these cases, so no server is needed.
    let engine = engine(
        dir.path(),
        vec![
            server("relay", 9, SmtpSecurity::Plain),
            server("backup", 9, SmtpSecurity::Plain),
        ],
    );
    let (r, _) = send(
        &engine,
        json!({"server": "relay", "to": "ada@example.com, {{ event.bad }}", "subject": "x", "text": "x"}),
        json!({"bad": "bob at example"}),
    )
    .await;
    let (code, field, message) = error(&r);
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("invalid_value", Some("to"))
    );
    assert!(message.contains("\"bob at example\""), "{message}");

    let mut params = simple("relay");
    params["reply_to"] = json!("nobody@");
    let (code, field, _) = error(&send(&engine, params, json!({})).await.0);
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("invalid_value", Some("reply_to"))
    );

    let (code, field, message) = error(&send(&engine, simple("mailgun"), json!({})).await.0);
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("invalid_value", Some("server"))
    );
    assert!(
        message.contains("\"mailgun\"") && message.contains("\"relay\", \"backup\""),
        "{message}"
    );

    let mut no_user = server("no_user", 9, SmtpSecurity::Plain);
    no_user.password_secret = Some("SMTP_PASSWORD".into());
    let mut no_password = server("no_password", 9, SmtpSecurity::Plain);
    no_password.username = Some("mailer".into());
    let half_set = crate::engine(dir.path(), vec![no_user, no_password]);
    for (id, says) in [
        ("no_user", "no user name"),
        ("no_password", "no password secret"),
    ] {
        let (code, field, message) = error(&send(&half_set, simple(id), json!({})).await.0);
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("invalid_value", Some("server"))
        );
        assert!(message.contains(says), "{message}");
    }

    let params = json!({"server": "relay", "to": "ada@example.com", "subject": "x", "text": " ", "html": ""});
    let (code, field, _) = error(&send(&engine, params, json!({})).await.0);
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("invalid_value", Some("text"))
    );
}

#[tokio::test]
async fn nothing_listening_and_a_silent_server_fail_clearly() {
    let dir = TempDir::new().unwrap();
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = free.local_addr().unwrap().port();
    drop(free);
    let (r, _) = send(
        &engine(
            dir.path(),
            vec![server("mail", closed_port, SmtpSecurity::Plain)],
        ),
        simple("mail"),
        json!({}),
    )
    .await;
    let (code, _, message) = error(&r);
    assert_eq!(code, "smtp_error");
    assert!(
        message.contains(&format!("could not connect to 127.0.0.1:{closed_port}")),
        "{message}"
    );

    // Accepts connections (the kernel does) but never greets.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut s = server(
        "mail",
        silent.local_addr().unwrap().port(),
        SmtpSecurity::Plain,
    );
    s.timeout_ms = 300;
    let (r, _) = send(&engine(dir.path(), vec![s]), simple("mail"), json!({})).await;
    let (code, _, message) = error(&r);
    assert_eq!(code, "timeout", "{message}");
    assert!(message.contains("300 ms"), "{message}");
}

#[tokio::test]
async fn a_test_run_shows_the_email_before_any_server_is_set_up() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path(), vec![]);
    let plan = {
        let text = json!({
            "schema_version": 1, "id": "t", "name": "T",
            "nodes": [{"id": "start", "kind": "manual_trigger"},
                      {"id": "mail", "kind": "send_email", "params": simple("outbox")}],
            "edges": [{"from": "start", "to": "mail"}]
        })
        .to_string();
        Arc::new(compile(&WorkflowFile::from_json(&text).unwrap()).unwrap())
    };
    let mut req = RunRequest::new("r", json!({}));
    req.test_mode = true;
    let report = engine.run(plan.clone(), req, &mut |_| {}).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:?}");
    let out = report.node("mail").unwrap().output.clone().unwrap();
    assert_eq!(out["simulated"], true);
    assert_eq!(out["to"], json!(["ada@example.com"]));
    assert!(out["warning"]
        .as_str()
        .unwrap()
        .contains("no email server \"outbox\""));
    // A real run still refuses, in the setting concerned.
    let report = engine
        .run(plan, RunRequest::new("r", json!({})), &mut |_| {})
        .await;
    let (code, field, _) = error(&report);
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("invalid_value", Some("server"))
    );
}

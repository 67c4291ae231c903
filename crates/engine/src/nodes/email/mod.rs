//! The Send email node: builds the message from its settings and sends it through one of the
//! workspace's email servers (`smtp.rs`).

mod address;
mod smtp;

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;
use serde_json::{json, Value as Json};
use switchyard_core::workspace::{EmailServer, Workspace};

use super::{NodeCx, NodeOutput};
use crate::events::NodeError;

pub(crate) use smtp::SmtpPool;

pub(super) async fn run(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    let workspace = cx.workspace();
    // A test shows what would be sent even before the email server is set up.
    let (server, missing) = match server(cx, &workspace) {
        Ok(s) => (Some(s), None),
        Err(e) if cx.test_mode => (None, Some(e)),
        Err(e) => return Err(e),
    };

    let from_setting = text(cx.eval("from")?);
    let from = if from_setting.trim().is_empty() {
        match server {
            Some(s) => server_sender(s)?,
            None => "the-server-sender@example.invalid"
                .parse()
                .expect("a valid placeholder address"),
        }
    } else {
        address::parse_one("from", &from_setting)?
    };
    let to = address::parse_list("to", cx.eval("to")?.as_ref())?;
    if to.is_empty() {
        return Err(NodeError::new(
            "invalid_value",
            "to: there is no recipient; write at least one email address",
        )
        .in_field("to"));
    }
    let cc = address::parse_list("cc", cx.eval("cc")?.as_ref())?;
    let bcc = address::parse_list("bcc", cx.eval("bcc")?.as_ref())?;
    let reply_to = address::parse_list("reply_to", cx.eval("reply_to")?.as_ref())?;
    // A header is one line.
    let subject = text(cx.eval("subject")?)
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    let body_text = text(cx.eval("text")?);
    let body_html = text(cx.eval("html")?);

    let mut builder = Message::builder()
        .from(from.clone())
        .subject(subject.clone())
        .message_id(None);
    for m in &to {
        builder = builder.to(m.clone());
    }
    for m in &cc {
        builder = builder.cc(m.clone());
    }
    for m in &bcc {
        builder = builder.bcc(m.clone());
    }
    for m in &reply_to {
        builder = builder.reply_to(m.clone());
    }
    let message = match (body_text.trim().is_empty(), body_html.trim().is_empty()) {
        (true, true) => {
            return Err(NodeError::new(
                "invalid_value",
                "the email is empty: write its text, its HTML, or both",
            )
            .in_field("text"))
        }
        (false, true) => builder.singlepart(SinglePart::plain(body_text.clone())),
        (true, false) => builder.singlepart(SinglePart::html(body_html.clone())),
        (false, false) => builder.multipart(MultiPart::alternative_plain_html(
            body_text.clone(),
            body_html.clone(),
        )),
    }
    .map_err(|e| NodeError::new("invalid_value", format!("the email cannot be built: {e}")))?;
    let message_id = message
        .headers()
        .get_raw("Message-ID")
        .unwrap_or_default()
        .to_string();

    if cx.test_mode {
        let list = |ms: &[Mailbox]| ms.iter().map(|m| m.to_string()).collect::<Vec<_>>();
        let mut value = json!({
            "simulated": true,
            "message_id": Json::Null,
            "server": cx.node().params.str("server").unwrap_or_default(),
            "from": if server.is_none() && from_setting.trim().is_empty() {
                Json::Null
            } else {
                json!(from.to_string())
            },
            "to": list(&to),
            "cc": list(&cc),
            "bcc": list(&bcc),
            "subject": subject,
            "would_send": {"reply_to": list(&reply_to), "text": body_text, "html": body_html},
        });
        if let Some(e) = &missing {
            value["warning"] = json!(format!("a real run would fail: {}", e.message));
        }
        let mut out = NodeOutput::out(value);
        if let Some(e) = missing {
            out.logs.push((
                "warn".to_string(),
                format!("a real run would fail: {}", e.message),
            ));
        }
        out.logs.push((
            "info".to_string(),
            format!(
                "test mode: would send \"{subject}\" to {}",
                list(&to).join(", ")
            ),
        ));
        return Ok(out);
    }
    let Some(server) = server else {
        return Err(missing.unwrap_or_else(|| NodeError::new("invalid_value", "no email server")));
    };
    let password = match (&server.username, &server.password_secret) {
        (Some(_), Some(secret)) => Some(cx.secret(secret, "server")?),
        (None, Some(_)) => {
            return Err(NodeError::new(
                "invalid_value",
                format!(
                    "the email server \"{}\" has a password secret but no user name: set the user name to log in with in its settings",
                    server.id
                ),
            )
            .in_field("server"))
        }
        (Some(user), None) => {
            return Err(NodeError::new(
                "invalid_value",
                format!(
                    "the email server \"{}\" has the user name {user} but no password secret: name the secret that holds the password in its settings",
                    server.id
                ),
            )
            .in_field("server"))
        }
        (None, None) => None,
    };
    let ca_pem = match &server.ca_file {
        Some(file) => {
            let path = cx.services.resolve_path(file);
            Some(tokio::fs::read(&path).await.map_err(|e| {
                NodeError::new(
                    "invalid_value",
                    format!(
                        "the CA file of the email server \"{}\" cannot be read ({}): {e}",
                        server.id,
                        path.display()
                    ),
                )
                .in_field("server")
            })?)
        }
        None => None,
    };
    let target = smtp::Target {
        server: server.clone(),
        password,
        ca_pem,
    };
    let formatted = message.formatted();
    let sending = smtp::send(&cx.services.smtp, &target, message.envelope(), &formatted);
    tokio::time::timeout(Duration::from_millis(server.timeout_ms.max(1)), sending)
        .await
        .map_err(|_| {
            NodeError::new(
                "timeout",
                format!(
                    "the email server {}:{} did not answer within {} ms, so the email was not sent (or its delivery was not confirmed)",
                    server.host, server.port, server.timeout_ms
                ),
            )
        })??;

    let list = |l: &[Mailbox]| l.iter().map(ToString::to_string).collect::<Vec<_>>();
    Ok(NodeOutput::out(json!({
        "message_id": message_id,
        "server": server.id,
        "from": from.to_string(),
        "to": list(&to),
        "cc": list(&cc),
        "bcc": list(&bcc),
        "subject": subject,
    })))
}

/// The email server named in the `server` setting.
fn server<'a>(cx: &NodeCx, workspace: &'a Workspace) -> Result<&'a EmailServer, NodeError> {
    let id = cx.node().params.str("server").unwrap_or_default().trim();
    workspace.email_server(id).ok_or_else(|| {
        let known: Vec<String> = workspace
            .email_servers
            .iter()
            .map(|s| format!("\"{}\"", s.id))
            .collect();
        let known = if known.is_empty() {
            "none is set up yet: add one in Settings → Email servers".to_string()
        } else {
            format!("the email servers are {}", known.join(", "))
        };
        NodeError::new(
            "invalid_value",
            format!("there is no email server \"{id}\"; {known}"),
        )
        .in_field("server")
    })
}

/// The server's default sender.
fn server_sender(server: &EmailServer) -> Result<Mailbox, NodeError> {
    address::parse_one("from", &server.from).map_err(|_| {
        NodeError::new(
            "invalid_value",
            format!(
                "the sender of the email server \"{}\" (\"{}\") is not a valid email address; fix it in the server's settings or fill in From",
                server.id, server.from
            ),
        )
        .in_field("from")
    })
}

fn text(v: Option<Json>) -> String {
    match v {
        Some(Json::String(s)) => s,
        Some(Json::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

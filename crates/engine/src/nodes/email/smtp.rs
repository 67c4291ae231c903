//! SMTP sessions with the workspace's email servers: TLS as configured (never falling back to
//! clear text), login, one mail transaction with a clear error for each step, and a few idle
//! connections kept per server for the next message.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::Error as SmtpError;
use switchyard_core::workspace::{EmailServer, SmtpSecurity};

use crate::events::NodeError;

/// Idle connections kept per server.
const MAX_IDLE: usize = 4;
/// Idle connections older than this are closed instead of reused.
const MAX_IDLE_TIME: Duration = Duration::from_secs(60);

/// How to reach one email server, resolved from the workspace settings.
pub(crate) struct Target {
    pub server: EmailServer,
    pub password: Option<Arc<str>>,
    /// The PEM text of the extra certificate authorities (`ca_file`).
    pub ca_pem: Option<Vec<u8>>,
}

impl Target {
    fn address(&self) -> String {
        format!("{}:{}", self.server.host, self.server.port)
    }

    /// Connections are shared only between identical settings (and the same password).
    fn key(&self) -> u64 {
        let mut h = DefaultHasher::new();
        let s = &self.server;
        (&s.id, &s.host, s.port, s.security as u8, &s.username).hash(&mut h);
        (self.password.as_deref(), &self.ca_pem).hash(&mut h);
        h.finish()
    }
}

/// Idle SMTP connections by server, shared by every run of an engine.
#[derive(Default)]
pub(crate) struct SmtpPool {
    idle: Mutex<HashMap<u64, Vec<(Instant, AsyncSmtpConnection)>>>,
}

impl SmtpPool {
    /// An idle connection that still answers (NOOP) within `wait`, if there is one.
    async fn take(&self, key: u64, wait: Duration) -> Option<AsyncSmtpConnection> {
        loop {
            let (since, mut conn) = self.idle.lock().expect("pool lock").get_mut(&key)?.pop()?;
            if since.elapsed() < MAX_IDLE_TIME
                && tokio::time::timeout(wait, conn.test_connected())
                    .await
                    .unwrap_or(false)
            {
                return Some(conn);
            }
            // A server that went away without closing the connection must not hang the send.
            let _ = tokio::time::timeout(wait, conn.abort()).await;
        }
    }

    async fn put(&self, key: u64, mut conn: AsyncSmtpConnection) {
        if conn.has_broken() {
            return;
        }
        {
            let mut idle = self.idle.lock().expect("pool lock");
            let list = idle.entry(key).or_default();
            if list.len() < MAX_IDLE {
                list.push((Instant::now(), conn));
                return;
            }
        }
        let _ = conn.quit().await;
    }
}

/// Sends one message: an idle connection to the same server or a new one, then MAIL, RCPT for
/// each recipient, DATA.
pub(crate) async fn send(
    pool: &SmtpPool,
    target: &Target,
    envelope: &Envelope,
    message: &[u8],
) -> Result<(), NodeError> {
    let key = target.key();
    let wait = Duration::from_millis(target.server.timeout_ms.clamp(1, 5_000));
    let mut conn = match pool.take(key, wait).await {
        Some(conn) => conn,
        None => connect(target).await?,
    };
    match transaction(&mut conn, envelope, message).await {
        Ok(()) => {
            pool.put(key, conn).await;
            Ok(())
        }
        Err(e) => {
            conn.abort().await;
            Err(e)
        }
    }
}

/// The step of the session that failed, for the error message.
enum Step<'a> {
    Connect,
    Starttls,
    Login(&'a str),
    Sender(&'a str),
    Recipient(&'a str),
    Message,
}

async fn connect(target: &Target) -> Result<AsyncSmtpConnection, NodeError> {
    let server = &target.server;
    let addr = (server.host.as_str(), server.port);
    let timeout = Some(Duration::from_millis(server.timeout_ms.max(1)));
    let hello = ClientId::default();
    let fail = |step: Step, e: SmtpError| failure(target, step, e);
    let mut conn = match server.security {
        SmtpSecurity::Plain => {
            AsyncSmtpConnection::connect_tokio1(addr, timeout, &hello, None, None)
                .await
                .map_err(|e| fail(Step::Connect, e))?
        }
        SmtpSecurity::Tls => {
            let tls = tls_parameters(target)?;
            AsyncSmtpConnection::connect_tokio1(addr, timeout, &hello, Some(tls), None)
                .await
                .map_err(|e| fail(Step::Connect, e))?
        }
        SmtpSecurity::Starttls => {
            let tls = tls_parameters(target)?;
            let mut conn = AsyncSmtpConnection::connect_tokio1(addr, timeout, &hello, None, None)
                .await
                .map_err(|e| fail(Step::Connect, e))?;
            if !conn.can_starttls() {
                conn.abort().await;
                let what = if server.username.is_some() {
                    "the email and the password"
                } else {
                    "the email"
                };
                return Err(NodeError::new(
                    "smtp_error",
                    format!(
                        "the email server {} does not offer STARTTLS, so nothing was sent ({what} would have travelled unencrypted). Check the port, or choose TLS security",
                        target.address()
                    ),
                ));
            }
            conn.starttls(tls, &hello)
                .await
                .map_err(|e| fail(Step::Starttls, e))?;
            conn
        }
    };
    if let Some(user) = &server.username {
        let password = target.password.as_deref().unwrap_or_default();
        let credentials = Credentials::new(user.clone(), password.to_string());
        if let Err(e) = conn
            .auth(&[Mechanism::Plain, Mechanism::Login], &credentials)
            .await
        {
            conn.abort().await;
            return Err(fail(Step::Login(user), e));
        }
    }
    Ok(conn)
}

fn tls_parameters(target: &Target) -> Result<TlsParameters, NodeError> {
    let server = &target.server;
    let mut builder = TlsParameters::builder(server.host.clone());
    if let Some(pem) = &target.ca_pem {
        let ca = Certificate::from_pem(pem).map_err(|_| {
            NodeError::new(
                "invalid_value",
                format!(
                    "the CA file of the email server \"{}\" ({}) does not contain PEM certificates",
                    server.id,
                    server.ca_file.as_deref().unwrap_or_default()
                ),
            )
            .in_field("server")
        })?;
        builder = builder.add_root_certificate(ca);
    }
    builder.build_rustls().map_err(|e| {
        NodeError::new(
            "smtp_error",
            format!(
                "could not set up TLS for the email server \"{}\": {}",
                server.id,
                chain(&e)
            ),
        )
    })
}

async fn transaction(
    conn: &mut AsyncSmtpConnection,
    envelope: &Envelope,
    message: &[u8],
) -> Result<(), NodeError> {
    let from = envelope.from().map(|a| a.to_string()).unwrap_or_default();
    let mut options = Vec::new();
    let non_ascii = envelope
        .to()
        .iter()
        .chain(envelope.from())
        .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
    if non_ascii {
        if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
            return Err(NodeError::new(
                "smtp_error",
                "an address contains non-ASCII characters, which this email server does not accept (no SMTPUTF8)",
            ));
        }
        options.push(MailParameter::SmtpUtfEight);
    }
    if !message.is_ascii() && conn.server_info().supports_feature(Extension::EightBitMime) {
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    let plain = |step: Step, e: SmtpError| refused(step, e);
    conn.command(Mail::new(envelope.from().cloned(), options))
        .await
        .map_err(|e| plain(Step::Sender(&from), e))?;
    for to in envelope.to() {
        conn.command(Rcpt::new(to.clone(), vec![]))
            .await
            .map_err(|e| plain(Step::Recipient(to.as_ref()), e))?;
    }
    conn.command(Data)
        .await
        .map_err(|e| plain(Step::Message, e))?;
    conn.message(message)
        .await
        .map_err(|e| plain(Step::Message, e))?;
    Ok(())
}

/// An error during the mail transaction (the connection is up).
fn refused(step: Step, e: SmtpError) -> NodeError {
    if e.is_timeout() {
        return NodeError::new("timeout", "the email server stopped answering");
    }
    let what = match step {
        Step::Sender(from) => format!("the sender {from}"),
        Step::Recipient(to) => format!("the recipient {to}"),
        _ => "the message".to_string(),
    };
    NodeError::new(
        "smtp_error",
        format!("the email server refused {what}: {}", reply(&e)),
    )
}

/// An error while connecting, securing the connection or logging in.
fn failure(target: &Target, step: Step, e: SmtpError) -> NodeError {
    let addr = target.address();
    if e.is_timeout() {
        return NodeError::new(
            "timeout",
            format!(
                "the email server {addr} did not answer within {} ms",
                target.server.timeout_ms
            ),
        );
    }
    if let Some(why) = certificate_problem(&e) {
        return NodeError::new(
            "smtp_error",
            format!("the certificate of the email server {addr} is not trusted: {why}"),
        );
    }
    let message = match step {
        Step::Connect if e.status().is_some() => {
            format!("the email server {addr} refused the connection: {}", reply(&e))
        }
        Step::Connect => {
            let refused = io_errors(&e)
                .any(|io| io.kind() == std::io::ErrorKind::ConnectionRefused);
            if refused {
                format!("could not connect to {addr}: nothing answers there (connection refused). Check the host and port, and that the server is running")
            } else {
                format!("could not connect to {addr}: {}", chain(&e))
            }
        }
        Step::Starttls => format!(
            "could not start an encrypted connection (STARTTLS) with {addr}: {}",
            chain(&e)
        ),
        Step::Login(user) if e.status().is_some() => format!(
            "the server refused the login for user {user} ({}). Check the user name and the password secret",
            reply(&e)
        ),
        Step::Login(user) => {
            let hint = if target.server.security == SmtpSecurity::Plain {
                " Many servers only offer a login over an encrypted connection: choose STARTTLS or TLS security."
            } else {
                ""
            };
            format!(
                "could not log in to {addr} as {user}: {}.{hint}",
                chain(&e)
            )
        }
        _ => return refused(step, e),
    };
    NodeError::new("smtp_error", message)
}

/// The server's reply: `535 5.7.8 Authentication credentials invalid`.
fn reply(e: &SmtpError) -> String {
    match (e.status(), std::error::Error::source(e)) {
        (Some(code), Some(text)) => format!("{code} {}", text.to_string().trim()),
        (Some(code), None) => code.to_string(),
        _ => chain(e),
    }
}

/// The error and its causes, one after the other.
fn chain(e: &SmtpError) -> String {
    let mut msg = e.to_string();
    for cause in causes(e) {
        let text = cause.to_string();
        if !msg.contains(&text) {
            msg = format!("{msg}: {text}");
        }
    }
    msg
}

/// The I/O errors among the causes.
fn io_errors(e: &SmtpError) -> impl Iterator<Item = &std::io::Error> {
    causes(e).filter_map(|c| c.downcast_ref::<std::io::Error>())
}

/// The causes of `e`, looking inside I/O errors (whose `source()` skips the error they wrap).
fn causes(e: &SmtpError) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
    let mut next = std::error::Error::source(e);
    std::iter::from_fn(move || {
        let current = next?;
        next = match current
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => current.source(),
        };
        Some(current)
    })
}

/// A plain explanation when the TLS handshake failed on the server's certificate.
fn certificate_problem(e: &SmtpError) -> Option<String> {
    use rustls::CertificateError as C;
    let cert = causes(e).find_map(|c| match c.downcast_ref::<rustls::Error>() {
        Some(rustls::Error::InvalidCertificate(cert)) => Some(cert.clone()),
        _ => None,
    })?;
    Some(match cert {
        C::UnknownIssuer => "it was issued by an unknown certificate authority. If the server uses your company's own authority, set its PEM file as the CA file in the email server's settings".to_string(),
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "it was issued for a different host name".to_string()
        }
        C::Expired | C::ExpiredContext { .. } => "it has expired".to_string(),
        C::NotValidYet | C::NotValidYetContext { .. } => "it is not valid yet".to_string(),
        C::Revoked => "it was revoked".to_string(),
        other => format!("{other:?}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(password: &str) -> Target {
        Target {
            server: EmailServer {
                id: "office".into(),
                name: None,
                host: "smtp.example.com".into(),
                port: 587,
                security: SmtpSecurity::Starttls,
                username: Some("mailer".into()),
                password_secret: Some("SMTP".into()),
                from: "a@example.com".into(),
                ca_file: None,
                timeout_ms: 1_000,
            },
            password: Some(Arc::from(password)),
            ca_pem: None,
        }
    }

    #[test]
    fn connections_are_shared_only_between_identical_settings() {
        assert_eq!(target("one").key(), target("one").key());
        assert_ne!(target("one").key(), target("two").key());
        let mut other = target("one");
        other.server.security = SmtpSecurity::Tls;
        assert_ne!(other.key(), target("one").key());
        other = target("one");
        other.ca_pem = Some(b"pem".to_vec());
        assert_ne!(other.key(), target("one").key());
    }
}

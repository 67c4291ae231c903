//! Workspace settings: what is configured once for every workflow in a folder (AI providers,
//! email servers, databases, the network policy) and picked by name from nodes.
//!
//! Kept in `workspace.json` beside the workflow files, so a team shares it in git. It holds no
//! secret values: passwords and API keys are referenced by the name of a secret.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The file name of the workspace settings inside the workflows folder.
pub const WORKSPACE_FILE: &str = "workspace.json";

/// The provider id that always exists: the offline, built-in AI.
pub const BUILTIN_PROVIDER: &str = "builtin";

/// Settings shared by the workflows of one folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Workspace {
    #[serde(default = "one")]
    pub schema_version: u32,
    /// AI providers that AI nodes pick by id (the built-in one, `builtin`, is always there).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ai_providers: Vec<AiProvider>,
    /// SMTP servers that Send email nodes pick by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub email_servers: Vec<EmailServer>,
    /// Databases that SQL nodes pick by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub databases: Vec<Database>,
    #[serde(default)]
    pub network: NetworkPolicy,
}

fn one() -> u32 {
    1
}

impl Default for Workspace {
    /// No connections, the SSRF guard on, format version 1.
    fn default() -> Workspace {
        Workspace {
            schema_version: 1,
            ai_providers: Vec::new(),
            email_servers: Vec::new(),
            databases: Vec::new(),
            network: NetworkPolicy::default(),
        }
    }
}

/// An OpenAI-compatible chat-completions endpoint (OpenAI, Gemini's OpenAI endpoint, Ollama,
/// LM Studio, vLLM ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AiProvider {
    pub id: String,
    /// Shown in pickers; the id when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// For example `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`.
    pub base_url: String,
    /// The model used when a node does not name one.
    pub model: String,
    /// The secret holding the API key (sent as a bearer token); none for local servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_secret: Option<String>,
    /// How long one request may take.
    #[serde(default = "ai_timeout_ms")]
    pub timeout_ms: u64,
    /// Attempts for rate limits (429, honouring retry-after) and server errors (5xx).
    #[serde(default = "ai_attempts")]
    pub max_attempts: u32,
}

fn ai_timeout_ms() -> u64 {
    60_000
}

fn ai_attempts() -> u32 {
    3
}

/// How the connection to an SMTP server is secured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// No encryption (local relays only).
    Plain,
    /// Plain connection upgraded with STARTTLS (usually port 587); refused if unsupported.
    #[default]
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailServer {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub host: String,
    pub port: u16,
    #[serde(default)]
    pub security: SmtpSecurity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The secret holding the password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_secret: Option<String>,
    /// The sender used when a node does not set one, e.g. `Sales <sales@example.com>`.
    pub from: String,
    /// A PEM file of certificate authorities to trust besides the built-in public ones (a
    /// company CA), relative to the workflows folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    #[serde(default = "smtp_timeout_ms")]
    pub timeout_ms: u64,
}

fn smtp_timeout_ms() -> u64 {
    30_000
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Database {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A URL without a password: `sqlite:data/shop.db` (relative to the workflows folder) or
    /// `postgres://app@localhost/shop`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The secret holding the URL when it carries a password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_secret: Option<String>,
    #[serde(default = "db_connections")]
    pub max_connections: u32,
}

fn db_connections() -> u32 {
    4
}

/// What addresses workflow-controlled requests (HTTP request nodes) may reach.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkPolicy {
    /// Allow private, loopback, link-local and cloud-metadata addresses. Off by default: a
    /// workflow cannot reach the machine's or the office network's internal services.
    #[serde(default)]
    pub allow_private_networks: bool,
    /// Hosts that stay reachable even when private networks are not allowed (an internal CRM):
    /// host names (`crm.office.lan`), addresses (`10.1.2.3`, `fd00::7`) or ranges
    /// (`10.1.0.0/16`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_hosts: Vec<String>,
}

/// One entry of [`NetworkPolicy::allowed_hosts`], parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedHost {
    /// A host name, lower-case, without a trailing dot.
    Name(String),
    /// An address range (`prefix` bits of `addr`); a single address has the full length.
    Net { addr: std::net::IpAddr, prefix: u8 },
}

impl AllowedHost {
    /// Parses `crm.office.lan`, `10.1.2.3`, `[fd00::7]` or `10.1.0.0/16`.
    pub fn parse(entry: &str) -> Result<AllowedHost, String> {
        let entry = entry.trim();
        let bad =
            || format!("\"{entry}\" is not a host name, an address or a range such as 10.1.0.0/16");
        let (addr, prefix) = match entry.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (entry, None),
        };
        let bare = addr.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<std::net::IpAddr>() {
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let prefix = prefix.unwrap_or(max);
            if prefix > max {
                return Err(bad());
            }
            return Ok(AllowedHost::Net { addr: ip, prefix });
        }
        let name = entry.trim_end_matches('.').to_ascii_lowercase();
        let valid_name = prefix.is_none()
            && !name.is_empty()
            && name.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            });
        if valid_name {
            Ok(AllowedHost::Name(name))
        } else {
            Err(bad())
        }
    }
}

/// A problem with the workspace file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct WorkspaceError {
    /// `invalid_workspace`, `unsupported_version`, `duplicate_id`, `password_in_url`.
    pub code: &'static str,
    pub message: String,
}

impl Workspace {
    /// Parses and checks `workspace.json`.
    pub fn from_json(text: &str) -> Result<Workspace, WorkspaceError> {
        let ws: Workspace = serde_json::from_str(text).map_err(|e| WorkspaceError {
            code: "invalid_workspace",
            message: format!(
                "{WORKSPACE_FILE} line {}, column {}: {e}",
                e.line(),
                e.column()
            ),
        })?;
        ws.check()?;
        Ok(ws)
    }

    /// The canonical text: pretty, keys sorted (like workflow files), defaults written out.
    pub fn to_json(&self) -> String {
        let value = serde_json::to_value(self).expect("workspace serializes");
        let mut s = serde_json::to_string_pretty(&value).expect("JSON serializes");
        s.push('\n');
        s
    }

    fn check(&self) -> Result<(), WorkspaceError> {
        if self.schema_version != 1 {
            return Err(WorkspaceError {
                code: "unsupported_version",
                message: format!(
                    "{WORKSPACE_FILE} has schema_version {}; this Switchyard reads version 1",
                    self.schema_version
                ),
            });
        }
        let lists: [(&str, Vec<&str>); 3] = [
            (
                "ai_providers",
                self.ai_providers.iter().map(|p| p.id.as_str()).collect(),
            ),
            (
                "email_servers",
                self.email_servers.iter().map(|p| p.id.as_str()).collect(),
            ),
            (
                "databases",
                self.databases.iter().map(|p| p.id.as_str()).collect(),
            ),
        ];
        for (list, ids) in lists {
            let mut seen = std::collections::BTreeSet::new();
            for id in ids {
                if id.is_empty()
                    || !seen.insert(id)
                    || (list == "ai_providers" && id == BUILTIN_PROVIDER)
                {
                    return Err(WorkspaceError {
                        code: "duplicate_id",
                        message: format!("{list}: the id \"{id}\" is empty, repeated or reserved"),
                    });
                }
            }
        }
        for entry in &self.network.allowed_hosts {
            AllowedHost::parse(entry).map_err(|why| WorkspaceError {
                code: "invalid_workspace",
                message: format!("network.allowed_hosts: {why}"),
            })?;
        }
        for db in &self.databases {
            match (&db.url, &db.url_secret) {
                (Some(url), None) if url_has_password(url) => {
                    return Err(WorkspaceError {
                        code: "password_in_url",
                        message: format!(
                            "databases.{}: the URL contains a password; put the whole URL in a secret and name it in url_secret",
                            db.id
                        ),
                    })
                }
                (Some(_), None) | (None, Some(_)) => {}
                _ => {
                    return Err(WorkspaceError {
                        code: "invalid_workspace",
                        message: format!(
                            "databases.{}: set exactly one of url and url_secret",
                            db.id
                        ),
                    })
                }
            }
        }
        Ok(())
    }

    pub fn ai_provider(&self, id: &str) -> Option<&AiProvider> {
        self.ai_providers.iter().find(|p| p.id == id)
    }

    pub fn email_server(&self, id: &str) -> Option<&EmailServer> {
        self.email_servers.iter().find(|p| p.id == id)
    }

    pub fn database(&self, id: &str) -> Option<&Database> {
        self.databases.iter().find(|p| p.id == id)
    }
}

/// Whether `scheme://user:password@host` carries a password.
fn url_has_password(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_workspace_is_valid_and_round_trips() {
        assert_eq!(Workspace::default(), Workspace::from_json("{}").unwrap());
        let ws = Workspace::from_json("{}").unwrap();
        assert_eq!(ws.schema_version, 1);
        assert!(!ws.network.allow_private_networks);
        assert_eq!(Workspace::from_json(&ws.to_json()).unwrap(), ws);
    }

    #[test]
    fn refuses_passwords_in_database_urls_and_reserved_ids() {
        let e = Workspace::from_json(
            r#"{"databases":[{"id":"crm","url":"postgres://app:hunter2@db/crm"}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.code, "password_in_url");
        assert!(!e.message.contains("hunter2"));
        let e = Workspace::from_json(
            r#"{"ai_providers":[{"id":"builtin","base_url":"http://x","model":"m"}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.code, "duplicate_id");
        let ok = Workspace::from_json(
            r#"{"databases":[{"id":"shop","url":"postgres://app@db/shop"},{"id":"crm","url_secret":"CRM_DB"}]}"#,
        )
        .unwrap();
        assert_eq!(
            ok.database("crm").unwrap().url_secret.as_deref(),
            Some("CRM_DB")
        );
    }

    #[test]
    fn allowed_hosts_are_names_addresses_or_ranges() {
        use std::net::IpAddr;
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            AllowedHost::parse("CRM.Office.lan."),
            Ok(AllowedHost::Name("crm.office.lan".into()))
        );
        assert_eq!(
            AllowedHost::parse("10.1.0.0/16"),
            Ok(AllowedHost::Net {
                addr: ip("10.1.0.0"),
                prefix: 16
            })
        );
        assert_eq!(
            AllowedHost::parse("[fd00::7]"),
            Ok(AllowedHost::Net {
                addr: ip("fd00::7"),
                prefix: 128
            })
        );
        assert_eq!(
            AllowedHost::parse("127.0.0.1"),
            Ok(AllowedHost::Net {
                addr: ip("127.0.0.1"),
                prefix: 32
            })
        );
        for bad in [
            "",
            "10.0.0.0/33",
            "fd00::/129",
            "crm/8",
            "http://crm",
            "a b",
            "-x.lan",
        ] {
            assert!(AllowedHost::parse(bad).is_err(), "{bad:?}");
        }
        let ws = Workspace::from_json(
            r#"{"network":{"allowed_hosts":["crm.office.lan","10.1.0.0/16"]}}"#,
        )
        .unwrap();
        assert_eq!(Workspace::from_json(&ws.to_json()).unwrap(), ws);
        let e =
            Workspace::from_json(r#"{"network":{"allowed_hosts":["10.0.0.0/40"]}}"#).unwrap_err();
        assert_eq!(e.code, "invalid_workspace");
        assert!(e.message.contains("10.0.0.0/40"), "{}", e.message);
    }

    #[test]
    fn unknown_fields_are_errors_with_a_position() {
        let e = Workspace::from_json("{\n  \"netwrk\": {}\n}").unwrap_err();
        assert_eq!(e.code, "invalid_workspace");
        assert!(e.message.contains("line 2"), "{}", e.message);
    }
}

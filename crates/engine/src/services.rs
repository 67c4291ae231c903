//! What every run of an engine shares: HTTP clients, SMTP connections, the SQL nodes'
//! connection pools, secret values, the workspace settings.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use serde_json::Value as Json;
use switchyard_core::Workspace;

use crate::net_guard::GuardedHttp;

/// Secret values by name. The application layer fills it from the encrypted store; nodes read
/// a secret by name through their context, and whatever a node returns is scrubbed of the values
/// it read before it reaches a journal, a log or the UI.
#[derive(Clone, Default)]
pub struct Secrets {
    values: Arc<RwLock<SecretMap>>,
}

/// A snapshot of the secret values, replaced whole.
type SecretMap = Arc<HashMap<String, Arc<str>>>;

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("names", &self.names())
            .finish()
    }
}

impl Secrets {
    pub fn new(values: impl IntoIterator<Item = (String, String)>) -> Secrets {
        let s = Secrets::default();
        s.replace(values);
        s
    }

    /// Replaces every value (after a secret was set or deleted).
    pub fn replace(&self, values: impl IntoIterator<Item = (String, String)>) {
        let map = values
            .into_iter()
            .map(|(k, v)| (k, Arc::<str>::from(v)))
            .collect();
        *self.values.write().expect("secrets lock") = Arc::new(map);
    }

    /// The value of `name`: from the store, else from `SWITCHYARD_SECRET_<NAME>` (the name
    /// upper-cased, `-`, `.` and spaces as `_`), for containers and CI.
    pub fn get(&self, name: &str) -> Option<Arc<str>> {
        if let Some(v) = self.values.read().expect("secrets lock").get(name) {
            return Some(v.clone());
        }
        std::env::var(env_name(name)).ok().map(Arc::from)
    }

    /// `text` with every stored secret value in it replaced by `[secret NAME]`, or none when
    /// it holds no secret (for text that no node scrubbed: log lines). Values under 4 bytes
    /// are left alone, as nodes do.
    pub fn scrub(&self, text: &str) -> Option<String> {
        let values = self.values.read().expect("secrets lock").clone();
        let mut redactor = Redactor::default();
        for (name, value) in values.iter() {
            if text.contains(value.as_ref()) {
                redactor.add(name, value.clone());
            }
        }
        redactor.text(text)
    }

    /// The names of the stored secrets (never their values).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .values
            .read()
            .expect("secrets lock")
            .keys()
            .cloned()
            .collect();
        names.sort();
        names
    }
}

/// `SWITCHYARD_SECRET_<NAME>` for a secret name.
pub fn env_name(name: &str) -> String {
    let var: String = name
        .chars()
        .map(|c| match c {
            '-' | '.' | ' ' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    format!("SWITCHYARD_SECRET_{var}")
}

/// Settings shared by every run of an engine.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub user_agent: String,
    pub secrets: Secrets,
    pub workspace: Arc<Workspace>,
    /// Where relative paths in the workspace settings (SQLite files, CA files) start.
    // Read by nodes that open files named in the workspace settings (SQLite, CA files).
    #[allow(dead_code)]
    pub workspace_dir: PathBuf,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            user_agent: format!("Switchyard/{}", env!("CARGO_PKG_VERSION")),
            secrets: Secrets::default(),
            workspace: Arc::new(Workspace::default()),
            workspace_dir: PathBuf::from("."),
        }
    }
}

/// The engine's shared state, reached by nodes through their context.
pub(crate) struct Services {
    /// For addresses a workflow controls (HTTP request nodes): refuses what the workspace's
    /// network policy refuses, at each connection and redirect.
    pub http: GuardedHttp,
    /// For endpoints the workspace configures (AI providers).
    #[allow(
        dead_code,
        reason = "for the workspace-configured nodes (AI, email, SQL)"
    )]
    pub trusted_http: reqwest::Client,
    pub secrets: Secrets,
    pub workspace: RwLock<Arc<Workspace>>,
    #[allow(
        dead_code,
        reason = "for the workspace-configured nodes (AI, email, SQL)"
    )]
    pub workspace_dir: PathBuf,
    /// Connection pools of the databases SQL nodes use, opened on first use.
    pub sql_pools: crate::nodes::sql::Pools,
    /// Idle connections to the workspace's email servers (Send email nodes).
    pub smtp: crate::nodes::email::SmtpPool,
}

impl Services {
    pub fn new(config: EngineConfig) -> Services {
        let http = GuardedHttp::new(&config.workspace.network, &config.user_agent);
        let trusted_http = reqwest::Client::builder()
            .user_agent(config.user_agent)
            .build()
            .expect("the HTTP client configuration is valid");
        Services {
            http,
            trusted_http,
            secrets: config.secrets,
            workspace: RwLock::new(config.workspace),
            workspace_dir: config.workspace_dir,
            sql_pools: Default::default(),
            smtp: Default::default(),
        }
    }

    pub fn workspace(&self) -> Arc<Workspace> {
        self.workspace.read().expect("workspace lock").clone()
    }

    /// Replaces the workspace settings and the network policy that comes with them.
    pub fn set_workspace(&self, workspace: Arc<Workspace>) {
        self.http.set_policy(&workspace.network);
        *self.workspace.write().expect("workspace lock") = workspace;
    }

    /// A path from the workspace settings, relative to the workspace folder.
    #[allow(
        dead_code,
        reason = "for the workspace-configured nodes (AI, email, SQL)"
    )]
    pub fn resolve_path(&self, path: &str) -> PathBuf {
        let p = PathBuf::from(path);
        if p.is_absolute() {
            p
        } else {
            self.workspace_dir.join(p)
        }
    }
}

/// Secret values a node read, to scrub from what it returns.
#[derive(Default)]
pub(crate) struct Redactor {
    values: Vec<(String, Arc<str>)>,
}

/// Values shorter than this are not scrubbed (they would mangle ordinary text).
const MIN_REDACTED_LEN: usize = 4;

impl Redactor {
    pub fn add(&mut self, name: &str, value: Arc<str>) {
        if value.len() >= MIN_REDACTED_LEN && !self.values.iter().any(|(_, v)| *v == value) {
            self.values.push((name.to_string(), value));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `text` with each secret value replaced by `[secret NAME]`.
    pub fn text(&self, text: &str) -> Option<String> {
        let mut out: Option<String> = None;
        for (name, value) in &self.values {
            let current = out.as_deref().unwrap_or(text);
            if current.contains(value.as_ref()) {
                out = Some(current.replace(value.as_ref(), &format!("[secret {name}]")));
            }
        }
        out
    }

    /// Scrubs every string (and object key) inside `value`.
    pub fn json(&self, value: &mut Json) {
        match value {
            Json::String(s) => {
                if let Some(r) = self.text(s) {
                    *s = r;
                }
            }
            Json::Array(items) => items.iter_mut().for_each(|v| self.json(v)),
            Json::Object(map) => {
                if map.keys().any(|k| self.text(k).is_some()) {
                    let old = std::mem::take(map);
                    let rebuilt: BTreeMap<String, Json> = old
                        .into_iter()
                        .map(|(k, v)| (self.text(&k).unwrap_or(k), v))
                        .collect();
                    map.extend(rebuilt);
                }
                map.values_mut().for_each(|v| self.json(v));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redactor_scrubs_nested_values_and_keys() {
        let mut r = Redactor::default();
        r.add("API_KEY", Arc::from("sk-live-123456"));
        r.add("SHORT", Arc::from("ab"));
        let mut v = serde_json::json!({
            "error": "invalid key sk-live-123456 given",
            "list": ["x", "sk-live-123456"],
            "sk-live-123456": 1,
            "ab": "ab"
        });
        r.json(&mut v);
        let text = v.to_string();
        assert!(!text.contains("sk-live-123456"), "{text}");
        assert_eq!(v["error"], "invalid key [secret API_KEY] given");
        assert_eq!(v["ab"], "ab", "values under 4 bytes are left alone");
    }

    #[test]
    fn secrets_fall_back_to_the_environment() {
        let s = Secrets::new([("crm-token".to_string(), "t0ken".to_string())]);
        assert_eq!(s.get("crm-token").as_deref(), Some("t0ken"));
        assert_eq!(env_name("smtp.password"), "SWITCHYARD_SECRET_SMTP_PASSWORD");
        assert!(s.get("not-set-anywhere-4711").is_none());
        assert_eq!(s.names(), ["crm-token"]);
        assert_eq!(
            s.scrub("sent t0ken to the CRM").as_deref(),
            Some("sent [secret crm-token] to the CRM")
        );
        assert_eq!(s.scrub("nothing secret"), None);
        assert!(!format!("{s:?}").contains("t0ken"));
    }
}

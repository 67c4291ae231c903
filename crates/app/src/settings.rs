//! Workspace settings (`workspace.json` beside the workflows) and named secrets (encrypted in
//! the data folder): loaded on start, picked up again when their files change, and handed to
//! the engine. A broken `workspace.json` keeps the last good settings running.

use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use switchyard_core::workspace::{Workspace, WORKSPACE_FILE};
use switchyard_secrets::{SecretError, SecretStore, SECRETS_FILE};

use crate::api::{SecretList, SecretSummary, WorkspaceState};
use crate::files::write_atomically;
use crate::{App, AppError};

/// The workspace the templates expect, shipped inside the binary.
const TEMPLATE_WORKSPACE: &str = include_str!("../../../workflows/workspace.json");

/// What the app remembers between checks.
#[derive(Default)]
pub(crate) struct SettingsState {
    workspace_stamp: Option<Option<SystemTime>>,
    workspace_error: Option<AppError>,
    secrets: Option<SecretStore>,
    secrets_stamp: Option<SystemTime>,
}

/// Reads `workspace.json` from `dir`; an absent file is the default workspace.
pub fn load_workspace(dir: &Path) -> Result<Workspace, AppError> {
    read_workspace(&dir.join(WORKSPACE_FILE), true)
}

/// Reads and checks a workspace file (`unreadable_file` when it cannot be read, unless it is
/// absent and `absent_is_default`).
pub fn read_workspace(path: &Path, absent_is_default: bool) -> Result<Workspace, AppError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Workspace::from_json(&text).map_err(|e| AppError::new(e.code, e.message)),
        Err(e) if absent_is_default && e.kind() == std::io::ErrorKind::NotFound => {
            Ok(Workspace::default())
        }
        Err(e) => Err(AppError::new(
            "unreadable_file",
            format!("cannot read {}: {e}", path.display()),
        )),
    }
}

/// The secrets of `data_dir` when any were ever stored (opening never creates a key then).
pub fn open_existing_secrets(data_dir: &Path) -> Result<Option<SecretStore>, AppError> {
    if !data_dir.join(SECRETS_FILE).exists() {
        return Ok(None);
    }
    SecretStore::open(data_dir).map(Some).map_err(secret_error)
}

pub(crate) fn secret_error(e: SecretError) -> AppError {
    let code = match e.code {
        "invalid_name" => "invalid_request",
        other => other,
    };
    AppError::new(code, e.message)
}

fn stamp(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl App {
    /// Picks up changes to `workspace.json` and the secrets file.
    pub(crate) fn refresh_settings(&self) {
        let dir = &self.inner.config.workflows_dir;
        let ws_stamp = stamp(&dir.join(WORKSPACE_FILE));
        let mut state = self.inner.settings.lock().expect("settings lock");
        if state.workspace_stamp != Some(ws_stamp) {
            state.workspace_stamp = Some(ws_stamp);
            match load_workspace(dir) {
                Ok(ws) => {
                    state.workspace_error = None;
                    self.inner.engine.set_workspace(Arc::new(ws));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "workspace.json has a problem; the last good settings stay in use");
                    state.workspace_error = Some(e);
                }
            }
        }
        let secrets_path = self.inner.config.data_dir.join(SECRETS_FILE);
        let s_stamp = stamp(&secrets_path);
        if s_stamp.is_some() && s_stamp != state.secrets_stamp {
            if state.secrets.is_none() {
                match SecretStore::open(&self.inner.config.data_dir) {
                    Ok(store) => state.secrets = Some(store),
                    Err(e) => {
                        tracing::warn!(code = e.code, error = %e, "the secrets cannot be opened");
                        return;
                    }
                }
            }
            let store = state.secrets.as_ref().expect("opened above");
            match store.load_all() {
                Ok(values) => {
                    self.inner.engine.secrets().replace(values);
                    state.secrets_stamp = s_stamp;
                }
                Err(e) => tracing::warn!(code = e.code, error = %e, "the secrets cannot be read"),
            }
        }
    }

    /// The workspace settings in use, and the problem with `workspace.json` if it has one.
    pub fn workspace(&self) -> WorkspaceState {
        self.refresh_settings();
        let state = self.inner.settings.lock().expect("settings lock");
        WorkspaceState {
            settings: self.inner.engine.workspace().as_ref().clone(),
            file: WORKSPACE_FILE.to_string(),
            error: state.workspace_error.as_ref().map(|e| e.message.clone()),
        }
    }

    /// Saves `workspace.json` (canonical text, written through a temporary file).
    pub fn save_workspace(&self, settings: Workspace) -> Result<WorkspaceState, AppError> {
        let text = settings.to_json();
        // Checked the same way as when it is loaded.
        Workspace::from_json(&text).map_err(|e| AppError::new(e.code, e.message))?;
        write_atomically(&self.inner.config.workflows_dir.join(WORKSPACE_FILE), &text)?;
        Ok(self.workspace())
    }

    /// The names of the secrets (never their values) and where the master key comes from.
    pub fn list_secrets(&self) -> Result<SecretList, AppError> {
        self.refresh_settings();
        let state = self.inner.settings.lock().expect("settings lock");
        let Some(store) = &state.secrets else {
            return Ok(SecretList {
                secrets: vec![],
                key_source: None,
            });
        };
        Ok(SecretList {
            secrets: store
                .list()
                .map_err(secret_error)?
                .into_iter()
                .map(|s| SecretSummary {
                    name: s.name,
                    created_at: s.created_at,
                    updated_at: s.updated_at,
                })
                .collect(),
            key_source: Some(store.key_source().to_string()),
        })
    }

    /// Stores `value` under `name` (encrypted); runs starting from now on see it.
    pub fn set_secret(&self, name: &str, value: &str) -> Result<(), AppError> {
        {
            let mut state = self.inner.settings.lock().expect("settings lock");
            if state.secrets.is_none() {
                state.secrets =
                    Some(SecretStore::open(&self.inner.config.data_dir).map_err(secret_error)?);
            }
            let store = state.secrets.as_ref().expect("opened above");
            store.set(name, value).map_err(secret_error)?;
            state.secrets_stamp = None;
        }
        self.refresh_settings();
        Ok(())
    }

    pub fn delete_secret(&self, name: &str) -> Result<(), AppError> {
        {
            let mut state = self.inner.settings.lock().expect("settings lock");
            let Some(store) = state.secrets.as_ref() else {
                return Err(AppError::not_found(format!(
                    "there is no secret named \"{name}\""
                )));
            };
            store.delete(name).map_err(secret_error)?;
            state.secrets_stamp = None;
        }
        self.refresh_settings();
        Ok(())
    }

    /// Writes the template workspace (the `outbox` email server, the `marketing` SQLite
    /// database) when the workflows folder has none: the desktop app's first start.
    pub fn seed_workspace(&self) -> Result<(), AppError> {
        let path = self.inner.config.workflows_dir.join(WORKSPACE_FILE);
        if path.exists() {
            return Ok(());
        }
        write_atomically(&path, TEMPLATE_WORKSPACE)?;
        self.refresh_settings();
        Ok(())
    }

    /// The value of a secret, for the server's own use (webhook signing keys).
    pub fn secret(&self, name: &str) -> Option<Arc<str>> {
        self.inner.engine.secrets().get(name)
    }
}

//! Named secrets (API keys, SMTP passwords, database URLs), encrypted at rest.
//!
//! `<data dir>/secrets.json` holds each value sealed with XChaCha20-Poly1305 under a 256-bit
//! master key, with the secret's name as associated data (a value cannot be moved to another
//! name). The master key comes from, in order:
//! 1. `SWITCHYARD_MASTER_KEY` (base64 or hex of 32 bytes), for containers and CI;
//! 2. the file named by `SWITCHYARD_MASTER_KEY_FILE`;
//! 3. `<data dir>/master.key`, when it exists (the store was created headless);
//! 4. the OS keychain (macOS Keychain, Windows Credential Manager, the Secret Service on
//!    Linux desktops), created there on first use;
//! 5. otherwise a new `<data dir>/master.key`, readable by its owner only.
//!
//! The file is written to a temporary file and renamed, so the server can read it while the
//! CLI changes it. Values never appear in errors.

mod key;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

pub use key::{KeySource, MasterKey};

/// The file the secrets live in, inside the data directory.
pub const SECRETS_FILE: &str = "secrets.json";

/// A problem with the secret store. `code` is stable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SecretError {
    /// `invalid_name`, `not_found`, `wrong_master_key`, `invalid_master_key`, `corrupt_store`,
    /// `io_error`.
    pub code: &'static str,
    pub message: String,
}

impl SecretError {
    fn new(code: &'static str, message: impl Into<String>) -> SecretError {
        SecretError {
            code,
            message: message.into(),
        }
    }

    fn io(what: &str, path: &Path, e: std::io::Error) -> SecretError {
        SecretError::new("io_error", format!("cannot {what} {}: {e}", path.display()))
    }
}

/// What `list` shows: never the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretInfo {
    pub name: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    version: u32,
    cipher: String,
    /// A known text sealed with the master key: tells a wrong key from a damaged file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_check: Option<Sealed>,
    #[serde(default)]
    secrets: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sealed {
    nonce: String,
    ciphertext: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(flatten)]
    sealed: Sealed,
    created_at: String,
    updated_at: String,
}

const CIPHER: &str = "xchacha20poly1305";
const KEY_CHECK_AAD: &[u8] = b"switchyard/key-check";
const KEY_CHECK_TEXT: &[u8] = b"switchyard secrets v1";

/// The encrypted secrets of one data directory.
pub struct SecretStore {
    path: PathBuf,
    key: MasterKey,
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretStore")
            .field("path", &self.path)
            .field("key_source", &self.key.source())
            .finish()
    }
}

impl SecretStore {
    /// Opens the store of `data_dir`, finding (or creating) the master key as described above.
    pub fn open(data_dir: &Path) -> Result<SecretStore, SecretError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| SecretError::io("create the folder", data_dir, e))?;
        let key = MasterKey::resolve(data_dir)?;
        SecretStore::with_key(data_dir, key)
    }

    /// Opens the store of `data_dir` with a given key.
    pub fn with_key(data_dir: &Path, key: MasterKey) -> Result<SecretStore, SecretError> {
        let store = SecretStore {
            path: data_dir.join(SECRETS_FILE),
            key,
        };
        // Fail early, with a clear message, when the key does not match the file.
        store.read()?;
        Ok(store)
    }

    /// Where the master key came from.
    pub fn key_source(&self) -> &KeySource {
        self.key.source()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// When the file last changed (to notice changes made by another process).
    pub fn stamp(&self) -> Option<SystemTime> {
        std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok()
    }

    /// Names and dates, sorted by name.
    pub fn list(&self) -> Result<Vec<SecretInfo>, SecretError> {
        Ok(self
            .read()?
            .secrets
            .into_iter()
            .map(|(name, e)| SecretInfo {
                name,
                created_at: e.created_at,
                updated_at: e.updated_at,
            })
            .collect())
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        let file = self.read()?;
        file.secrets
            .get(name)
            .map(|e| self.open_sealed(&e.sealed, name.as_bytes(), name))
            .transpose()
    }

    /// Every secret, decrypted (for the engine).
    pub fn load_all(&self) -> Result<Vec<(String, String)>, SecretError> {
        let file = self.read()?;
        file.secrets
            .iter()
            .map(|(name, e)| {
                Ok((
                    name.clone(),
                    self.open_sealed(&e.sealed, name.as_bytes(), name)?,
                ))
            })
            .collect()
    }

    /// Creates or replaces `name`. Returns whether it existed.
    pub fn set(&self, name: &str, value: &str) -> Result<bool, SecretError> {
        check_name(name)?;
        let mut file = self.read()?;
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let sealed = self.seal(value.as_bytes(), name.as_bytes());
        let existed = match file.secrets.get_mut(name) {
            Some(e) => {
                e.sealed = sealed;
                e.updated_at = now;
                true
            }
            None => {
                file.secrets.insert(
                    name.to_string(),
                    Entry {
                        sealed,
                        created_at: now.clone(),
                        updated_at: now,
                    },
                );
                false
            }
        };
        self.write(&mut file)?;
        Ok(existed)
    }

    /// Removes `name`; `not_found` when there is no such secret.
    pub fn delete(&self, name: &str) -> Result<(), SecretError> {
        let mut file = self.read()?;
        if file.secrets.remove(name).is_none() {
            return Err(SecretError::new(
                "not_found",
                format!("there is no secret named \"{name}\""),
            ));
        }
        self.write(&mut file)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.key.bytes().into())
    }

    fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Sealed {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .expect("XChaCha20-Poly1305 encryption does not fail for in-memory data");
        Sealed {
            nonce: B64.encode(nonce),
            ciphertext: B64.encode(ciphertext),
        }
    }

    fn open_sealed(&self, sealed: &Sealed, aad: &[u8], name: &str) -> Result<String, SecretError> {
        let corrupt = || {
            SecretError::new(
                "corrupt_store",
                format!(
                    "the secret \"{name}\" in {} is damaged and cannot be read; set it again",
                    self.path.display()
                ),
            )
        };
        let nonce = B64.decode(&sealed.nonce).map_err(|_| corrupt())?;
        let ciphertext = B64.decode(&sealed.ciphertext).map_err(|_| corrupt())?;
        if nonce.len() != 24 {
            return Err(corrupt());
        }
        let plain = self
            .cipher()
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &ciphertext,
                    aad,
                },
            )
            .map_err(|_| corrupt())?;
        String::from_utf8(plain).map_err(|_| corrupt())
    }

    fn read(&self) -> Result<FileFormat, SecretError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(FileFormat {
                    version: 1,
                    cipher: CIPHER.into(),
                    ..Default::default()
                })
            }
            Err(e) => return Err(SecretError::io("read", &self.path, e)),
        };
        let file: FileFormat = serde_json::from_str(&text).map_err(|e| {
            SecretError::new(
                "corrupt_store",
                format!("{} is not a valid secrets file: {e}", self.path.display()),
            )
        })?;
        if file.version != 1 || file.cipher != CIPHER {
            return Err(SecretError::new(
                "corrupt_store",
                format!(
                    "{} has version {} ({}); this Switchyard reads version 1 ({CIPHER})",
                    self.path.display(),
                    file.version,
                    file.cipher
                ),
            ));
        }
        if let Some(check) = &file.key_check {
            let ok = self
                .open_sealed(check, KEY_CHECK_AAD, "key check")
                .is_ok_and(|t| t.as_bytes() == KEY_CHECK_TEXT);
            if !ok {
                return Err(SecretError::new(
                    "wrong_master_key",
                    format!(
                        "the master key from {} is not the one the secrets in {} were encrypted with",
                        self.key.source(),
                        self.path.display()
                    ),
                ));
            }
        }
        Ok(file)
    }

    fn write(&self, file: &mut FileFormat) -> Result<(), SecretError> {
        if file.key_check.is_none() {
            file.key_check = Some(self.seal(KEY_CHECK_TEXT, KEY_CHECK_AAD));
        }
        let mut text = serde_json::to_string_pretty(file).expect("the secrets file serializes");
        text.push('\n');
        key::write_private(&self.path, text.as_bytes())
    }
}

/// Secret names: letters, digits, `_`, `-`, `.`; 1 to 64 characters.
pub fn check_name(name: &str) -> Result<(), SecretError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(SecretError::new(
            "invalid_name",
            format!(
                "\"{name}\" is not a valid secret name: use 1 to 64 letters, digits, _, - or ."
            ),
        ))
    }
}

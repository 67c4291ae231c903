//! The master key: where it comes from, and files only their owner can read.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chacha20poly1305::aead::{KeyInit, OsRng};
use chacha20poly1305::XChaCha20Poly1305;
use zeroize::Zeroizing;

use crate::SecretError;

/// The key file created in the data directory when no other source is available.
pub const LOCAL_KEY_FILE: &str = "master.key";
const KEYCHAIN_SERVICE: &str = "switchyard";
const KEYCHAIN_USER: &str = "master-key";

/// Where a master key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `SWITCHYARD_MASTER_KEY`.
    Environment,
    /// `SWITCHYARD_MASTER_KEY_FILE`, or the data directory's `master.key`.
    KeyFile(PathBuf),
    /// The operating system's keychain.
    Keychain,
    /// Given by the caller (tests, tools).
    Provided,
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Environment => f.write_str("SWITCHYARD_MASTER_KEY"),
            KeySource::KeyFile(p) => write!(f, "the key file {}", p.display()),
            KeySource::Keychain => f.write_str("the OS keychain"),
            KeySource::Provided => f.write_str("the key given"),
        }
    }
}

/// 32 bytes, wiped from memory when dropped.
pub struct MasterKey {
    bytes: Zeroizing<[u8; 32]>,
    source: KeySource,
}

impl MasterKey {
    /// A new random key.
    pub fn generate() -> MasterKey {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let mut bytes = Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(&key);
        MasterKey {
            bytes,
            source: KeySource::Provided,
        }
    }

    /// Parses base64 or hex of 32 bytes (surrounding whitespace ignored).
    pub fn parse(text: &str, source: KeySource) -> Result<MasterKey, SecretError> {
        let text = text.trim();
        let decoded = if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
            (0..32)
                .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16))
                .collect::<Result<Vec<u8>, _>>()
                .ok()
        } else {
            B64.decode(text).ok()
        };
        let decoded = Zeroizing::new(decoded.unwrap_or_default());
        if decoded.len() != 32 {
            return Err(SecretError::new(
                "invalid_master_key",
                format!(
                    "the master key from {source} must be 32 bytes written as base64 or 64 hex digits (for example the output of `openssl rand -base64 32`)"
                ),
            ));
        }
        let mut bytes = Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(&decoded);
        Ok(MasterKey { bytes, source })
    }

    /// The key as base64 (to store it).
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(B64.encode(self.bytes.as_ref()))
    }

    pub fn source(&self) -> &KeySource {
        &self.source
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// Finds the key for `data_dir` (see the crate documentation for the order).
    pub fn resolve(data_dir: &Path) -> Result<MasterKey, SecretError> {
        if let Ok(text) = std::env::var("SWITCHYARD_MASTER_KEY") {
            return MasterKey::parse(&text, KeySource::Environment);
        }
        if let Some(path) = std::env::var_os("SWITCHYARD_MASTER_KEY_FILE") {
            return read_key_file(Path::new(&path));
        }
        let local = data_dir.join(LOCAL_KEY_FILE);
        if local.exists() {
            return read_key_file(&local);
        }
        if keychain_wanted() {
            match keychain_key() {
                Ok(key) => return Ok(key),
                Err(why) => tracing_free_note(&why),
            }
        }
        let mut key = MasterKey::generate();
        key.source = KeySource::KeyFile(local.clone());
        write_private(&local, format!("{}\n", key.to_base64().as_str()).as_bytes())?;
        Ok(key)
    }
}

fn read_key_file(path: &Path) -> Result<MasterKey, SecretError> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path).map_err(|e| SecretError::io("read", path, e))?,
    );
    MasterKey::parse(&text, KeySource::KeyFile(path.to_path_buf()))
}

/// The keychain is used unless `SWITCHYARD_KEYCHAIN=off`; on Linux only in a desktop session
/// (a session bus), so headless servers never wait on D-Bus.
fn keychain_wanted() -> bool {
    if std::env::var("SWITCHYARD_KEYCHAIN").is_ok_and(|v| v == "off" || v == "0") {
        return false;
    }
    if cfg!(any(target_os = "linux", target_os = "freebsd")) {
        return std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
    }
    true
}

fn keychain_key() -> Result<MasterKey, String> {
    let entry = keyring::Entry::new(KEYCHAIN_SERVICE, KEYCHAIN_USER).map_err(|e| e.to_string())?;
    match entry.get_password() {
        Ok(text) => {
            let text = Zeroizing::new(text);
            MasterKey::parse(&text, KeySource::Keychain).map_err(|e| e.message)
        }
        Err(keyring::Error::NoEntry) => {
            let mut key = MasterKey::generate();
            key.source = KeySource::Keychain;
            entry
                .set_password(key.to_base64().as_str())
                .map_err(|e| e.to_string())?;
            Ok(key)
        }
        Err(e) => Err(e.to_string()),
    }
}

/// The keychain being unavailable is normal on servers; say so once on stderr.
fn tracing_free_note(why: &str) {
    eprintln!("switchyard: the OS keychain is not available ({why}); using a key file instead");
}

/// Writes `bytes` to `path` through a temporary file and a rename; owner-only permissions.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), SecretError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("secret"),
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        SecretError::io("write", path, e)
    })
}

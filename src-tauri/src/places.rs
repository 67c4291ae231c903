//! Where the desktop app keeps its data and its workflow files, and where it serves webhooks.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

/// The port webhooks and the JSON API are served on unless `SWITCHYARD_LISTEN` says otherwise
/// (the same as `switchyard serve`).
pub const DEFAULT_PORT: u16 = 8787;

/// The folders the app uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Places {
    /// Events, runs and versions (SQLite).
    pub data_dir: PathBuf,
    /// The workflow files being edited and served.
    pub workflows_dir: PathBuf,
    /// Whether the workflows folder should get the templates, because it is the app's own and
    /// does not exist yet (the first start).
    pub seed_templates: bool,
}

/// What [`Places::resolve`] reads from the environment.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// `SWITCHYARD_DATA_DIR`.
    pub data_dir: Option<PathBuf>,
    /// `SWITCHYARD_WORKFLOWS_DIR`.
    pub workflows_dir: Option<PathBuf>,
    /// The current directory.
    pub cwd: Option<PathBuf>,
    /// The platform's data folder (`~/.local/share` on Linux).
    pub platform_data: Option<PathBuf>,
}

impl Env {
    pub fn from_process() -> Env {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Env {
            data_dir: var("SWITCHYARD_DATA_DIR"),
            workflows_dir: var("SWITCHYARD_WORKFLOWS_DIR"),
            cwd: std::env::current_dir().ok(),
            platform_data: dirs::data_dir(),
        }
    }
}

impl Places {
    /// The data folder is `SWITCHYARD_DATA_DIR`, else `<platform data>/switchyard` (the same as
    /// `switchyard serve`, so `switchyard runs` shows the app's history). The workflows folder is
    /// `SWITCHYARD_WORKFLOWS_DIR`, else `./workflows` when it exists (`make app` in the repository
    /// edits the repository's files), else `<data>/workflows`, seeded with the templates.
    pub fn resolve(env: &Env) -> Places {
        let data_dir = env.data_dir.clone().unwrap_or_else(|| {
            env.platform_data
                .clone()
                .unwrap_or_else(|| PathBuf::from(".switchyard"))
                .join("switchyard")
        });
        if let Some(dir) = &env.workflows_dir {
            return Places {
                data_dir,
                workflows_dir: dir.clone(),
                seed_templates: false,
            };
        }
        if let Some(local) = env.cwd.as_deref().map(|c| c.join("workflows")) {
            if local.is_dir() {
                return Places {
                    data_dir,
                    workflows_dir: local,
                    seed_templates: false,
                };
            }
        }
        let workflows_dir = data_dir.join("workflows");
        Places {
            seed_templates: !workflows_dir.exists(),
            workflows_dir,
            data_dir,
        }
    }
}

/// Where to listen: `SWITCHYARD_LISTEN` as an address (`127.0.0.1:9000`) or a port (`9000`),
/// else 127.0.0.1:8787. `None` when the value is neither.
pub fn listen_addr(value: Option<&str>) -> Option<SocketAddr> {
    let loopback = |port| SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Some(loopback(DEFAULT_PORT)),
        Some(v) => v
            .parse::<SocketAddr>()
            .ok()
            .or_else(|| v.parse::<u16>().ok().map(loopback)),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn env(cwd: &Path) -> Env {
        Env {
            data_dir: None,
            workflows_dir: None,
            cwd: Some(cwd.to_path_buf()),
            platform_data: Some(PathBuf::from("/home/u/.local/share")),
        }
    }

    #[test]
    fn the_environment_wins() {
        let cwd = tempfile::tempdir().unwrap();
        std::fs::create_dir(cwd.path().join("workflows")).unwrap();
        let mut e = env(cwd.path());
        e.data_dir = Some("/d".into());
        e.workflows_dir = Some("/w".into());
        assert_eq!(
            Places::resolve(&e),
            Places {
                data_dir: "/d".into(),
                workflows_dir: "/w".into(),
                seed_templates: false,
            }
        );
    }

    #[test]
    fn a_workflows_folder_in_the_current_directory_is_edited_in_place() {
        let cwd = tempfile::tempdir().unwrap();
        std::fs::create_dir(cwd.path().join("workflows")).unwrap();
        let p = Places::resolve(&env(cwd.path()));
        assert_eq!(p.workflows_dir, cwd.path().join("workflows"));
        assert_eq!(p.data_dir, PathBuf::from("/home/u/.local/share/switchyard"));
        assert!(!p.seed_templates);
    }

    #[test]
    fn otherwise_the_apps_own_folder_is_seeded_on_first_start_only() {
        let cwd = tempfile::tempdir().unwrap();
        let data = tempfile::tempdir().unwrap();
        let mut e = env(cwd.path());
        e.data_dir = Some(data.path().to_path_buf());
        let first = Places::resolve(&e);
        assert_eq!(first.workflows_dir, data.path().join("workflows"));
        assert!(first.seed_templates);
        std::fs::create_dir(&first.workflows_dir).unwrap();
        assert!(!Places::resolve(&e).seed_templates);
    }

    #[test]
    fn listen_takes_a_port_or_an_address() {
        assert_eq!(listen_addr(None), Some("127.0.0.1:8787".parse().unwrap()));
        assert_eq!(
            listen_addr(Some("9000")),
            Some("127.0.0.1:9000".parse().unwrap())
        );
        assert_eq!(
            listen_addr(Some("127.0.0.1:0")),
            Some("127.0.0.1:0".parse().unwrap())
        );
        assert_eq!(listen_addr(Some("here")), None);
    }
}

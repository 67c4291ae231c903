//! A throwaway PostgreSQL server for tests: a fresh cluster in a temporary folder, listening on
//! a free loopback port, stopped (and its folder removed) on drop.
//!
//! PostgreSQL refuses to run as root, so when the tests run as root the folder is given to the
//! `postgres` user and the server binaries run as that user (`runuser`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sqlx::{ConnectOptions, Connection};

const INSTALL: &str = "install postgresql: run scripts/install-deps.sh";

pub struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    as_postgres: bool,
    pub port: u16,
    // Removed after the server stopped (fields drop after `Drop::drop`).
    _dir: tempfile::TempDir,
}

impl Postgres {
    /// Starts a server; fails the test when PostgreSQL is not installed.
    pub async fn start() -> Postgres {
        let bin = bin_dir();
        let as_postgres = is_root();
        let dir = tempfile::Builder::new()
            .prefix("switchyard-pg-")
            .tempdir()
            .unwrap();
        let data = dir.path().join("data");
        let sockets = dir.path().join("sockets");
        std::fs::create_dir(&sockets).unwrap();
        if as_postgres {
            run(Command::new("chown")
                .arg("-R")
                .arg("postgres:")
                .arg(dir.path()));
        }
        let port = free_port();
        let pg = Postgres {
            bin,
            data,
            as_postgres,
            port,
            _dir: dir,
        };
        pg.run_bin(
            "initdb",
            &[
                "-D",
                path(&pg.data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        let log = pg.data.with_file_name("server.log");
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off",
            path(&sockets)
        );
        // -W: do not wait here; readiness is checked below with real connections.
        pg.run_bin(
            "pg_ctl",
            &[
                "-D",
                path(&pg.data),
                "-l",
                path(&log),
                "-o",
                &options,
                "-W",
                "start",
            ],
        );
        pg.wait_until_ready(&log).await;
        pg
    }

    /// `postgres://postgres:<password>@127.0.0.1:<port>/postgres` (trust authentication: any
    /// password is accepted, so tests can check that it never leaks).
    pub fn url(&self, password: &str) -> String {
        format!(
            "postgres://postgres:{password}@127.0.0.1:{}/postgres",
            self.port
        )
    }

    async fn wait_until_ready(&self, log: &Path) {
        let options = sqlx::postgres::PgConnectOptions::new()
            .host("127.0.0.1")
            .port(self.port)
            .username("postgres")
            .database("postgres");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match options.connect().await {
                Ok(conn) => {
                    conn.close().await.unwrap();
                    return;
                }
                Err(e) if Instant::now() > deadline => panic!(
                    "PostgreSQL did not accept connections within 60 s: {e}\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                ),
                // Poll again shortly: the server is still starting.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    fn command(&self, name: &str) -> Command {
        let program = self.bin.join(name);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    fn run_bin(&self, name: &str, args: &[&str]) {
        run(self.command(name).args(args).current_dir("/"));
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-D", path(&self.data), "-m", "immediate", "stop"])
            .current_dir("/")
            .output();
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin` that has initdb and pg_ctl.
fn bin_dir() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").exists() && bin.join("pg_ctl").exists()).then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!("{INSTALL} (no initdb under /usr/lib/postgresql/*/bin)"),
    }
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

fn run(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{INSTALL}: could not run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

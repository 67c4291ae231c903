//! The test SMTP server (tests/support/smtp_server.py, aiosmtpd) as a child process, and
//! certificates for its TLS modes.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value as Json;

/// tests/support/smtp_server.py as a child process; killed on drop.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    out: PathBuf,
}

impl SmtpServer {
    pub fn start(dir: &Path, args: &[&str]) -> SmtpServer {
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/support/smtp_server.py");
        let out = dir.join(format!("received-{}.jsonl", fastrand::u64(..)));
        let mut child = Command::new("python3")
            .arg(&script)
            .args(["--port", "0", "--out"])
            .arg(&out)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start python3 ({e}): the email tests need python3 with aiosmtpd; run scripts/install-deps.sh")
            });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let Some(port) = line.trim().strip_prefix("READY ") else {
            let mut err = String::new();
            let _ = child.wait();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("the test SMTP server did not start (is aiosmtpd installed? run scripts/install-deps.sh):\n{err}");
        };
        // Its log goes nowhere from now on; reading stderr only mattered for a failed start.
        drop(child.stderr.take());
        SmtpServer {
            port: port.parse().unwrap(),
            child,
            out,
        }
    }

    /// What the server accepted, one JSON object per message.
    pub fn received(&self) -> Vec<Json> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A certificate authority and a certificate for localhost / 127.0.0.1 that it signed, as
/// files in `dir`: (ca.pem, server.pem, server.key).
pub fn certificates(dir: &Path, name: &str) -> (PathBuf, PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, format!("{name} test CA"));
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    let paths = (
        dir.join(format!("{name}-ca.pem")),
        dir.join(format!("{name}-server.pem")),
        dir.join(format!("{name}-server.key")),
    );
    std::fs::write(&paths.0, ca_cert.pem()).unwrap();
    std::fs::write(&paths.1, cert.pem()).unwrap();
    std::fs::write(&paths.2, key.serialize_pem()).unwrap();
    paths
}

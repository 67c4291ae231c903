//! `switchyard secrets set|list|delete`: named credentials, encrypted in the data folder.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::json;
use switchyard_secrets::SecretStore;

#[derive(Args)]
pub struct SecretsArgs {
    /// The data folder the secrets belong to [default: the platform's data folder].
    #[arg(long, env = "SWITCHYARD_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: SecretsCommand,
}

#[derive(Subcommand)]
enum SecretsCommand {
    /// Store a secret; the value is read from standard input (never from the command line).
    Set { name: String },
    /// List the secrets' names and dates (never their values).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Delete a secret.
    Delete { name: String },
}

pub fn main(args: SecretsArgs) -> ExitCode {
    let data = crate::serve::data_dir(args.data_dir);
    let store = match SecretStore::open(&data) {
        Ok(s) => s,
        Err(e) => return fail(e.code, &e.message),
    };
    match args.command {
        SecretsCommand::Set { name } => {
            if let Err(e) = switchyard_secrets::check_name(&name) {
                return fail(e.code, &e.message);
            }
            let value = match read_value(&name) {
                Ok(v) => v,
                Err(message) => return fail("invalid_request", &message),
            };
            match store.set(&name, &value) {
                Ok(existed) => {
                    eprintln!(
                        "{} secret {name} (encrypted with the master key from {})",
                        if existed { "replaced" } else { "stored" },
                        store.key_source()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e.code, &e.message),
            }
        }
        SecretsCommand::List { json } => match store.list() {
            Ok(list) if json => {
                let items: Vec<_> = list
                    .iter()
                    .map(|s| json!({"name": s.name, "created_at": s.created_at, "updated_at": s.updated_at}))
                    .collect();
                println!(
                    "{}",
                    json!({"secrets": items, "key_source": store.key_source().to_string()})
                );
                ExitCode::SUCCESS
            }
            Ok(list) => {
                if list.is_empty() {
                    eprintln!("no secrets yet: `switchyard secrets set NAME` reads a value from standard input");
                }
                for s in &list {
                    println!("{:<32} updated {}", s.name, s.updated_at);
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(e.code, &e.message),
        },
        SecretsCommand::Delete { name } => match store.delete(&name) {
            Ok(()) => {
                eprintln!("deleted secret {name}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e.code, &e.message),
        },
    }
}

/// The value from standard input: typed at a prompt (not echoed when possible), or piped;
/// one trailing newline is dropped.
fn read_value(name: &str) -> Result<String, String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("value for {name} (then Enter, or Ctrl+D): ");
    }
    let mut value = String::new();
    stdin
        .lock()
        .read_to_string(&mut value)
        .map_err(|e| format!("cannot read the value from standard input: {e}"))?;
    if value.ends_with('\n') {
        value.pop();
        if value.ends_with('\r') {
            value.pop();
        }
    }
    if value.is_empty() {
        return Err("the value is empty: pipe it in, e.g. `printf %s \"$KEY\" | switchyard secrets set NAME`".into());
    }
    Ok(value)
}

fn fail(code: &str, message: &str) -> ExitCode {
    eprintln!("error [{code}]: {message}");
    ExitCode::from(1)
}

//! `switchyard`: validate and run workflows from the command line.

mod history;
mod run;
mod secrets;
mod serve;
mod test_cmd;
mod trigger;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::Layer as _;

#[derive(Parser)]
#[command(
    name = "switchyard",
    version,
    about = "Event-driven automations you can test: validate and run workflow files"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check workflow files; prints `FILE: NODE: CODE message` per problem, exit 1 if any.
    Validate {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print the diagnostics as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run a workflow once, in this process, for one event.
    Run(run::RunArgs),
    /// Run test suites (*.tests.json) in test mode: exit 0 when all pass, 1 when a case
    /// fails, 2 on bad input. With --csv, run every row of a CSV through one workflow.
    Test(test_cmd::TestArgs),
    /// Rewrite workflow files in canonical form (sorted keys, stable order); --check only reports.
    Fmt {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Exit 1 if a file is not canonical, without changing it.
        #[arg(long)]
        check: bool,
    },
    /// Serve the workflows: webhooks, schedules, workers, the JSON API and the browser UI.
    Serve(serve::ServeArgs),
    /// Start a workflow by hand on a running server (stored in its history).
    Trigger(trigger::TriggerArgs),
    /// List stored runs (newest first), or show one with its per-node journal.
    Runs(history::RunsArgs),
    /// List stored events (newest first), or show one with the runs it caused.
    Events(history::EventsArgs),
    /// Named credentials (API keys, passwords, database URLs), encrypted in the data folder.
    Secrets(secrets::SecretsArgs),
    /// Print the JSON Schema of the workflow file format.
    Schema,
    /// Print the node catalog (descriptors of every node kind) as JSON.
    Catalog,
}

/// mimalloc: the server allocates many small JSON values per event; glibc's malloc spent a
/// sixth of the time per webhook in the benchmark. With its `override` feature it also serves
/// C code's malloc and free, so SQLite's thread (a quarter of the server's time per event)
/// stops paying glibc's arena locking and consolidation as well.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // The console gets what SWITCHYARD_LOG asks for; each run keeps the lines logged while it
    // ran (GET /api/runs/{id}/logs), whatever the console shows.
    let console = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(
            tracing_subscriber::EnvFilter::try_from_env("SWITCHYARD_LOG").unwrap_or_else(|_| {
                "warn,sqlx::query=error,switchyard_app=info,switchyard_app::run=warn,\
                 switchyard::workflow_log=off"
                    .into()
            }),
        );
    tracing_subscriber::registry()
        .with(console)
        .with(switchyard_app::run_logs::layer())
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Validate { files, json } => validate::main(&files, json),
        Command::Run(args) => run::main(args),
        Command::Test(args) => test_cmd::main(args),
        Command::Fmt { files, check } => validate::fmt(&files, check),
        Command::Serve(args) => serve::main(args),
        Command::Trigger(args) => trigger::main(args),
        Command::Runs(args) => history::runs(args),
        Command::Events(args) => history::events(args),
        Command::Secrets(args) => secrets::main(args),
        Command::Schema => {
            print!("{}", switchyard_core::file::json_schema());
            ExitCode::SUCCESS
        }
        Command::Catalog => {
            let catalog = switchyard_core::catalog::catalog();
            println!(
                "{}",
                serde_json::to_string_pretty(&catalog).expect("descriptors serialize")
            );
            ExitCode::SUCCESS
        }
    }
}

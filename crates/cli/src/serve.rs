//! `switchyard serve`: webhooks, schedules, workers and the JSON API (and the browser UI).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};
use switchyard_app::{App, AppConfig};
use switchyard_server::ServerOptions;
use switchyard_store::Durability;

#[derive(Args)]
pub struct ServeArgs {
    /// Where events, runs and versions are kept [default: the platform's data folder].
    #[arg(long, env = "SWITCHYARD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// The workflow files to serve; changes are picked up while running.
    #[arg(long, default_value = "workflows")]
    workflows: PathBuf,
    /// Address to listen on; port 0 picks a free one (printed on start).
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Runs at the same time.
    #[arg(long, default_value_t = 64)]
    workers: usize,
    /// Largest webhook body, in bytes (larger gets 413).
    #[arg(long, default_value_t = 1024 * 1024)]
    max_body: usize,
    /// Seconds a webhook with a Respond to webhook node waits for the run.
    #[arg(long, default_value_t = 30)]
    respond_timeout: u64,
    /// Seconds shutdown waits for runs in flight before releasing them to the next start.
    #[arg(long, default_value_t = 10)]
    shutdown_grace: u64,
    /// full: every commit reaches the disk (survives a power cut); normal: survives the process
    /// being killed, not a power cut, and commits faster.
    #[arg(long, value_enum, default_value_t = DurabilityArg::Full)]
    durability: DurabilityArg,
    /// The built UI to serve at / [default: ui/dist when it exists].
    #[arg(long, env = "SWITCHYARD_UI_DIR")]
    ui: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum DurabilityArg {
    Full,
    Normal,
}

/// The data folder: `--data-dir`, `SWITCHYARD_DATA_DIR`, or the platform's data directory.
pub fn data_dir(arg: Option<PathBuf>) -> PathBuf {
    arg.unwrap_or_else(|| {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from(".switchyard"))
            .join("switchyard")
    })
}

pub fn main(args: ServeArgs) -> ExitCode {
    // On one core a single-threaded scheduler does the same work without handing tasks
    // between threads (requests, runs and the writer's task all run where they were woken).
    let one_core = std::thread::available_parallelism().is_ok_and(|n| n.get() == 1);
    let runtime = if one_core {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    }
    .enable_all()
    .build()
    .expect("the runtime starts");
    runtime.block_on(serve(args))
}

async fn serve(args: ServeArgs) -> ExitCode {
    let data = data_dir(args.data_dir);
    let mut config = AppConfig::new(&data, &args.workflows);
    config.workers = args.workers.max(1);
    config.respond_timeout = Duration::from_secs(args.respond_timeout);
    config.shutdown_grace = Duration::from_secs(args.shutdown_grace);
    config.durability = match args.durability {
        DurabilityArg::Full => Durability::Full,
        DurabilityArg::Normal => Durability::Normal,
    };
    let app = match App::start(config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("switchyard: {}: {}", e.code, e.message);
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("switchyard: cannot listen on {}: {e}", args.listen);
            app.shutdown().await;
            return ExitCode::from(2);
        }
    };
    let addr = listener
        .local_addr()
        .expect("a bound socket has an address");
    let ui_dir = args
        .ui
        .or_else(|| Some(PathBuf::from("ui/dist")))
        .filter(|d| d.join("index.html").is_file());
    for w in app.list_workflows() {
        let errors = w.diagnostics.iter().filter(|d| d.is_error()).count();
        let hooks: Vec<String> = w
            .triggers
            .iter()
            .filter_map(|t| t.webhook_path.as_ref().map(|p| format!("/hooks/{p}")))
            .collect();
        eprintln!(
            "  {} ({}){}{}",
            w.id,
            w.file,
            if hooks.is_empty() {
                String::new()
            } else {
                format!(": {}", hooks.join(", "))
            },
            if errors > 0 {
                format!(" - {errors} error(s), see GET /api/workflows")
            } else {
                String::new()
            }
        );
    }
    println!(
        "switchyard listening on http://{addr} (data: {})",
        data.display()
    );
    let opts = ServerOptions {
        max_body_bytes: args.max_body,
        ui_dir,
        ..ServerOptions::default()
    };
    match switchyard_server::serve(app, listener, opts, shutdown_signal()).await {
        Ok(()) => {
            eprintln!("switchyard: stopped cleanly");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("switchyard: the server failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

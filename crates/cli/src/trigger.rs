//! `switchyard trigger WORKFLOW --event JSON`: a manual run on a running `switchyard serve`,
//! stored in its history like any other event.

use std::process::ExitCode;

use clap::Args;
use serde_json::Value as Json;

#[derive(Args)]
pub struct TriggerArgs {
    /// The workflow id.
    workflow: String,
    /// The event: JSON text, @FILE, or @- for standard input.
    #[arg(long, default_value = "{}")]
    event: String,
    /// The trigger node to start from (default: its Manual trigger, else its first trigger).
    #[arg(long)]
    trigger: Option<String>,
    /// The server.
    #[arg(
        long,
        env = "SWITCHYARD_SERVER",
        default_value = "http://127.0.0.1:8787"
    )]
    server: String,
    /// Wait for the run and print it; exit 1 when it failed.
    #[arg(long)]
    wait: bool,
}

pub fn main(args: TriggerArgs) -> ExitCode {
    let event = match crate::run::parse_event(&args.event) {
        Ok(e) => e,
        Err(errors) => {
            for e in errors {
                eprintln!("switchyard: {e}");
            }
            return ExitCode::from(2);
        }
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the runtime starts")
        .block_on(send(args, event))
}

async fn send(args: TriggerArgs, event: Json) -> ExitCode {
    let mut url = format!(
        "{}/api/workflows/{}/run?wait={}",
        args.server.trim_end_matches('/'),
        args.workflow,
        args.wait
    );
    if let Some(t) = &args.trigger {
        url.push_str(&format!("&trigger={t}"));
    }
    let response = match reqwest::Client::new().post(&url).json(&event).send().await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("switchyard: cannot reach {}: {e}", args.server);
            return ExitCode::from(2);
        }
    };
    let status = response.status();
    let body: Json = response.json().await.unwrap_or(Json::Null);
    if !status.is_success() {
        eprintln!(
            "switchyard: {}: {}",
            body["code"].as_str().unwrap_or("error"),
            body["message"].as_str().unwrap_or(status.as_str())
        );
        return ExitCode::from(2);
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&body).expect("serializes")
    );
    match body["run"]["status"].as_str() {
        Some("succeeded") | None => ExitCode::SUCCESS,
        Some(_) => ExitCode::from(1),
    }
}

//! `switchyard runs` and `switchyard events`: what `serve` stored, read next to it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use switchyard_store::{RunFilter, Store};

#[derive(Args)]
pub struct RunsArgs {
    /// Show one run with its per-node journal.
    id: Option<String>,
    #[arg(long, env = "SWITCHYARD_DATA_DIR")]
    data_dir: Option<PathBuf>,
    #[arg(long)]
    workflow: Option<String>,
    /// succeeded, failed or cancelled.
    #[arg(long)]
    status: Option<String>,
    #[arg(long, default_value_t = 20)]
    limit: i64,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct EventsArgs {
    /// Show one event with the runs it caused.
    id: Option<String>,
    #[arg(long, env = "SWITCHYARD_DATA_DIR")]
    data_dir: Option<PathBuf>,
    #[arg(long, default_value_t = 20)]
    limit: i64,
    #[arg(long)]
    json: bool,
}

fn block<F: std::future::Future<Output = ExitCode>>(f: F) -> ExitCode {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the runtime starts")
        .block_on(f)
}

fn fail(e: switchyard_store::StoreError) -> ExitCode {
    eprintln!("switchyard: {}: {e}", e.code());
    ExitCode::from(if e.code() == "not_found" { 1 } else { 2 })
}

fn print_json<T: serde::Serialize>(v: &T) {
    println!("{}", serde_json::to_string_pretty(v).expect("serializes"));
}

fn time(ms: i64) -> String {
    chrono_like(ms)
}

/// `YYYY-MM-DD HH:MM:SS` UTC without pulling a date crate into the CLI.
fn chrono_like(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

pub fn runs(args: RunsArgs) -> ExitCode {
    block(async move {
        let store = match Store::open_reader(&crate::serve::data_dir(args.data_dir)).await {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        if let Some(id) = args.id {
            return match store.run(&id).await {
                Ok(r) => {
                    print_json(&r);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            };
        }
        let filter = RunFilter {
            workflow: args.workflow,
            status: args.status,
            limit: Some(args.limit),
            ..RunFilter::default()
        };
        match store.runs(&filter).await {
            Ok(list) if args.json => {
                print_json(&list);
                ExitCode::SUCCESS
            }
            Ok(list) => {
                for r in list {
                    println!(
                        "{}  {}  {:<9}  {:>8.1} ms  {}{}",
                        r.id,
                        time(r.started_at),
                        r.status,
                        r.duration_ms,
                        r.workflow_id,
                        r.failed_node
                            .map(|n| format!("  (failed at {n})"))
                            .unwrap_or_default()
                    );
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        }
    })
}

pub fn events(args: EventsArgs) -> ExitCode {
    block(async move {
        let store = match Store::open_reader(&crate::serve::data_dir(args.data_dir)).await {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        if let Some(id) = args.id {
            return match store.event_detail(&id).await {
                Ok(d) => {
                    print_json(&d);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            };
        }
        match store.events(args.limit, None).await {
            Ok(list) if args.json => {
                print_json(&list);
                ExitCode::SUCCESS
            }
            Ok(list) => {
                for e in list {
                    println!(
                        "{}  {}  {:<8}  {}",
                        e.id,
                        time(e.received_at),
                        e.source.as_str(),
                        e.name
                    );
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        }
    })
}

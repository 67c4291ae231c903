//! `switchyard test WORKFLOW --csv FILE`: every row of a CSV through the workflow in test mode
//! (the batch logic is the app's, `testing::run_batch`), a progress bar on stderr when it is a
//! terminal, then the breakdown by route and branch, the rows, and `--out FILE` as CSV.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use serde_json::Value as Json;
use switchyard_app::testing::{self, BatchOptions, BatchResult, BatchRow, ColumnMap, Target};
use switchyard_engine::Engine;

use super::{TestArgs, EXIT_FAILED, EXIT_INVALID};
use crate::run::{engine_config, Setup};

/// Rows shown in the readable summary (every row is in `--out` and `--json`).
const SHOWN_ROWS: usize = 20;

#[derive(clap::Args)]
pub struct BatchArgs {
    /// Batch test: run every row of this CSV file (header row first) through the workflow.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<std::path::PathBuf>,
    /// Put a CSV column elsewhere in the event: COLUMN=PATH, e.g. email=contact.email
    /// (COLUMN= leaves it out). By default each column is a top-level field. Repeatable.
    #[arg(long = "map", value_name = "COLUMN=PATH", requires = "csv")]
    pub map: Vec<String>,
    /// An output value to report per row, as NODE.PATH, e.g. classify.label. Repeatable.
    #[arg(long = "column", value_name = "NODE.PATH", requires = "csv")]
    pub columns: Vec<String>,
    /// Write the results as CSV (row, status, route, the columns, error) to FILE.
    #[arg(long, value_name = "FILE", requires = "csv")]
    pub out: Option<std::path::PathBuf>,
    /// Rows run at the same time (1 to 64).
    #[arg(long, default_value_t = 8, requires = "csv")]
    pub concurrency: usize,
    /// The trigger the runs start from (default: the manual trigger, else the first).
    #[arg(long, requires = "csv")]
    pub trigger: Option<String>,
    /// Override a workflow variable for every row: NAME=VALUE (VALUE is JSON, or else text).
    #[arg(long = "var", value_name = "NAME=VALUE", requires = "csv")]
    pub vars: Vec<String>,
}

pub fn main(args: &TestArgs) -> ExitCode {
    match prepare_and_run(args) {
        Ok(result) => {
            if let Some(out) = &args.batch.out {
                if let Err(e) = write_csv(out, &result) {
                    eprintln!("{}: cannot write the results: {e}", out.display());
                    return ExitCode::from(EXIT_INVALID);
                }
            }
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&result).expect("results serialize")
                );
            } else {
                print_human(&result, args.batch.out.as_deref());
            }
            if result.failed + result.invalid > 0 {
                ExitCode::from(EXIT_FAILED)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(EXIT_INVALID)
        }
    }
}

fn prepare_and_run(args: &TestArgs) -> Result<BatchResult, String> {
    let b = &args.batch;
    let csv_path = b.csv.as_ref().expect("batch mode has --csv");
    let [workflow] = args.paths.as_slice() else {
        return Err("--csv runs one workflow: give exactly one workflow file".into());
    };
    let loaded = switchyard_app::load::load(workflow);
    let Some(file) = loaded.file else {
        let lines: Vec<String> = loaded
            .diagnostics
            .iter()
            .map(|d| switchyard_app::load::line(workflow, d))
            .collect();
        return Err(lines.join("\n"));
    };
    let map = b
        .map
        .iter()
        .map(|m| {
            m.split_once('=')
                .map(|(c, p)| ColumnMap {
                    column: c.trim().to_string(),
                    path: p.trim().to_string(),
                })
                .ok_or_else(|| format!("--map {m}: expected COLUMN=PATH"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut vars = BTreeMap::new();
    for v in &b.vars {
        let (name, value) = v
            .split_once('=')
            .ok_or_else(|| format!("--var {v}: expected NAME=VALUE"))?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| Json::String(value.to_string()));
        vars.insert(name.to_string(), value);
    }
    let bytes = std::fs::read(csv_path)
        .map_err(|e| format!("{}: cannot read the file: {e}", csv_path.display()))?;
    let rows = testing::rows_from_csv(&bytes, &map)
        .map_err(|e| format!("{}: {} {}", csv_path.display(), e.code, e.message))?;
    let config = engine_config(&Setup {
        file: workflow,
        workspace: args.workspace.as_deref(),
        data_dir: args.data_dir.clone(),
        allow_private_network: args.allow_private_network,
    })?;
    let options = BatchOptions {
        trigger: b.trigger.clone(),
        vars,
        columns: b.columns.clone(),
        concurrency: Some(b.concurrency),
    };
    let bar = progress_bar(rows.len() as u64);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio starts");
    let target = Target::new(file);
    let result = runtime.block_on(async {
        let engine = Engine::new(config);
        testing::run_batch(&engine, &target, rows, &options, &|done, _| {
            bar.set_position(done as u64)
        })
        .await
    });
    bar.finish_and_clear();
    result.map_err(|e| format!("{}: {} {}", workflow.display(), e.code, e.message))
}

/// A bar on stderr when it is a terminal; hidden otherwise (CI logs, pipes).
fn progress_bar(len: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} rows  {elapsed_precise} (eta {eta})",
        )
        .expect("a valid template"),
    );
    bar
}

fn print_human(r: &BatchResult, out: Option<&Path>) {
    println!(
        "{} rows in {:.2} s: {} succeeded, {} failed, {} not run",
        r.total,
        r.duration_ms / 1000.0,
        r.succeeded,
        r.failed,
        r.invalid
    );
    println!("\nRoutes");
    for c in &r.routes {
        let route = if c.route.is_empty() {
            "(no branch)"
        } else {
            c.route.as_str()
        };
        println!("  {:>6}  {route}", c.count);
    }
    if !r.branches.is_empty() {
        println!("\nBreakdown");
        let width = r
            .branches
            .iter()
            .map(|b| b.node.len() + b.port.len() + 3)
            .max()
            .unwrap_or(0);
        for b in &r.branches {
            let label = format!("{} → {}", b.node, b.port);
            let share = 100.0 * b.count as f64 / r.total.max(1) as f64;
            println!("  {label:<width$}  {:>6}  ({share:.0}%)", b.count);
        }
    }
    let shown: Vec<&BatchRow> = r.rows.iter().take(SHOWN_ROWS).collect();
    println!(
        "\nRows{}",
        if r.rows.len() > SHOWN_ROWS {
            format!(" (the first {SHOWN_ROWS} of {})", r.rows.len())
        } else {
            String::new()
        }
    );
    let mut header = vec!["row".to_string(), "status".into(), "route".into()];
    header.extend(r.columns.iter().cloned());
    header.push("error".into());
    let mut table = vec![header];
    for row in &shown {
        table.push(cells(row, &r.columns));
    }
    let bad: Vec<&BatchRow> = r
        .rows
        .iter()
        .skip(SHOWN_ROWS)
        .filter(|row| row.error.is_some())
        .collect();
    for row in &bad {
        table.push(cells(row, &r.columns));
    }
    print_table(&table);
    if r.rows.len() > SHOWN_ROWS {
        match out {
            Some(p) => println!("every row is in {}", p.display()),
            None => println!("(--out FILE writes every row as CSV)"),
        }
    }
}

/// row, status, route, the columns, error.
fn cells(row: &BatchRow, columns: &[String]) -> Vec<String> {
    let mut v = vec![
        row.row.to_string(),
        row.outcome.as_str().to_string(),
        row.route.summary.clone(),
    ];
    for c in columns {
        v.push(row.values.get(c).map(text).unwrap_or_default());
    }
    v.push(
        row.error
            .as_ref()
            .map(|e| match &e.node {
                Some(n) => format!("{n}: {} ({})", e.message, e.code),
                None => format!("{} ({})", e.message, e.code),
            })
            .unwrap_or_default(),
    );
    v
}

/// Text as it is, other values as JSON.
fn text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn print_table(rows: &[Vec<String>]) {
    let cols = rows.first().map(Vec::len).unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count().min(48))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                let c: String = if c.chars().count() > 48 {
                    format!("{}…", c.chars().take(47).collect::<String>())
                } else {
                    c.clone()
                };
                format!("{c:<w$}")
            })
            .collect();
        println!("  {}", line.join("  ").trim_end());
    }
}

/// Header `row,status,route,<columns>,error`, then one line per row.
fn write_csv(path: &Path, r: &BatchResult) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_path(path)?;
    let mut header = vec!["row".to_string(), "status".into(), "route".into()];
    header.extend(r.columns.iter().cloned());
    header.push("error".into());
    w.write_record(&header)?;
    for row in &r.rows {
        w.write_record(cells(row, &r.columns))?;
    }
    w.flush()?;
    Ok(())
}

//! `switchyard run FILE --event JSON|@PATH`: one run, in this process.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use serde_json::{json, Value as Json};
use switchyard_engine::{Engine, EngineConfig, NodeStatus, RunReport, RunRequest, RunStatus};

use switchyard_app::load::{line, load};

const EXIT_FAILED: u8 = 1;
const EXIT_INVALID: u8 = 2;

#[derive(clap::Args)]
pub struct RunArgs {
    /// The workflow file.
    file: PathBuf,
    /// The event: JSON text, @FILE, or @- for standard input. Default: the trigger's sample.
    #[arg(long)]
    event: Option<String>,
    /// The trigger node to start from (default: the manual trigger, else the first trigger).
    #[arg(long)]
    trigger: Option<String>,
    /// Override a workflow variable: NAME=VALUE (VALUE is JSON, or else text). Repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Print the result as JSON: {"status", "nodes": [...], "output"}.
    #[arg(long)]
    json: bool,
    /// The workspace settings (AI providers, email servers, databases, network policy)
    /// [default: workspace.json beside the workflow file, when there is one].
    #[arg(long)]
    workspace: Option<PathBuf>,
    /// Where the secrets are kept [default: the platform's data folder].
    #[arg(long, env = "SWITCHYARD_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Let HTTP request nodes reach private and loopback addresses for this run.
    #[arg(long)]
    allow_private_network: bool,
    /// Simulate side effects: HTTP requests other than GET, emails and emitted events are
    /// not sent but shown as `would_send`; SQL runs in a transaction that is rolled back.
    #[arg(long)]
    test_mode: bool,
}

pub fn main(args: RunArgs) -> ExitCode {
    let setup = Setup {
        file: &args.file,
        workspace: args.workspace.as_deref(),
        data_dir: args.data_dir.clone(),
        allow_private_network: args.allow_private_network,
    };
    let config = match engine_config(&setup) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    match prepare(&args) {
        Ok((plan, req)) => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio starts");
            let report = runtime.block_on(async {
                let engine = Engine::new(config);
                engine.run(Arc::new(plan), req, &mut |_| {}).await
            });
            print_report(&report, args.json);
            if report.status == RunStatus::Succeeded {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(EXIT_FAILED)
            }
        }
        Err(lines) => {
            if args.json {
                println!("{}", json!({"status": "invalid", "errors": lines}));
            } else {
                for l in &lines {
                    eprintln!("{l}");
                }
            }
            ExitCode::from(EXIT_INVALID)
        }
    }
}

/// Where the settings of a run of `file` come from.
pub struct Setup<'a> {
    pub file: &'a Path,
    /// The workspace file; by default `workspace.json` beside `file`, when there is one.
    pub workspace: Option<&'a Path>,
    pub data_dir: Option<PathBuf>,
    pub allow_private_network: bool,
}

/// The workspace settings and secrets a run uses.
pub fn engine_config(args: &Setup) -> Result<EngineConfig, String> {
    let dir = match args.workspace {
        Some(file) => file.parent().map(PathBuf::from).unwrap_or_default(),
        None => args.file.parent().map(PathBuf::from).unwrap_or_default(),
    };
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    let file = args
        .workspace
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dir.join(switchyard_core::workspace::WORKSPACE_FILE));
    let mut workspace = switchyard_app::read_workspace(&file, args.workspace.is_none())
        .map_err(|e| format!("{}: {} {}", file.display(), e.code, e.message))?;
    if args.allow_private_network {
        workspace.network.allow_private_networks = true;
    }
    let data = crate::serve::data_dir(args.data_dir.clone());
    let secrets = match switchyard_app::open_existing_secrets(&data) {
        Ok(Some(store)) => store.load_all().map_err(|e| {
            format!(
                "the secrets in {}: {} {}",
                data.display(),
                e.code,
                e.message
            )
        })?,
        Ok(None) => Vec::new(),
        Err(e) => {
            return Err(format!(
                "the secrets in {}: {} {}",
                data.display(),
                e.code,
                e.message
            ))
        }
    };
    Ok(EngineConfig {
        secrets: switchyard_engine::Secrets::new(secrets),
        workspace: Arc::new(workspace),
        workspace_dir: dir,
        ..EngineConfig::default()
    })
}

fn prepare(args: &RunArgs) -> Result<(switchyard_core::Plan, RunRequest), Vec<String>> {
    let loaded = load(&args.file);
    let Some(plan) = loaded.plan else {
        return Err(loaded
            .diagnostics
            .iter()
            .map(|d| line(&args.file, d))
            .collect());
    };
    let event = match &args.event {
        Some(text) => parse_event(text)?,
        None => sample_event(&plan, loaded.file.as_ref(), args.trigger.as_deref()),
    };
    let mut vars = BTreeMap::new();
    for v in &args.vars {
        let (name, value) = v
            .split_once('=')
            .ok_or_else(|| vec![format!("--var {v}: expected NAME=VALUE")])?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| Json::String(value.to_string()));
        vars.insert(name.to_string(), value);
    }
    let mut req = RunRequest::new(run_id(), event);
    req.trigger = args.trigger.clone();
    req.vars = vars;
    req.test_mode = args.test_mode;
    Ok((plan, req))
}

pub fn parse_event(text: &str) -> Result<Json, Vec<String>> {
    let (source, body) = match text.strip_prefix('@') {
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| vec![format!("--event @-: cannot read standard input: {e}")])?;
            ("standard input".to_string(), s)
        }
        Some(path) => {
            let s = std::fs::read_to_string(path)
                .map_err(|e| vec![format!("--event @{path}: cannot read the file: {e}")])?;
            (path.to_string(), s)
        }
        None => ("--event".to_string(), text.to_string()),
    };
    serde_json::from_str(&body)
        .map_err(|e| vec![format!("{source}: the event is not valid JSON: {e}")])
}

/// The sample event of the trigger the run starts from, or `{}`.
fn sample_event(
    plan: &switchyard_core::Plan,
    file: Option<&switchyard_core::WorkflowFile>,
    trigger: Option<&str>,
) -> Json {
    let trigger = trigger
        .map(str::to_string)
        .or_else(|| plan.default_trigger().map(|t| plan.nodes[t].id.clone()));
    file.and_then(|f| f.nodes.iter().find(|n| Some(&n.id) == trigger.as_ref()))
        .and_then(|n| n.params.get("sample").cloned())
        .unwrap_or_else(|| json!({}))
}

fn run_id() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "run-{}-{:04x}",
        now.as_millis(),
        std::process::id() & 0xffff
    )
}

fn print_report(r: &RunReport, as_json: bool) {
    if as_json {
        let nodes: Vec<Json> = r
            .nodes
            .iter()
            .map(|n| {
                json!({
                    "id": n.id, "status": n.status, "output": n.output, "error": n.error,
                    "attempts": n.attempts, "duration_ms": n.duration_ms, "ports": n.ports,
                })
            })
            .collect();
        let out = json!({
            "run_id": r.run_id, "status": r.status, "nodes": nodes, "output": r.output,
            "error": r.error, "failed_node": r.failed_node, "duration_ms": r.duration_ms, "logs": r.logs,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).expect("reports serialize")
        );
        return;
    }
    let width = r.nodes.iter().map(|n| n.id.len()).max().unwrap_or(4);
    for n in &r.nodes {
        let (mark, status) = match n.status {
            NodeStatus::Succeeded => ("✓", "succeeded"),
            NodeStatus::Failed => ("✗", "failed"),
            NodeStatus::Skipped => ("·", "skipped"),
            NodeStatus::Running | NodeStatus::Retrying => ("…", "running"),
            NodeStatus::Pending => (" ", "pending"),
        };
        let mut extra = String::new();
        if n.status != NodeStatus::Skipped {
            extra.push_str(&format!("  {:>8.2} ms", n.duration_ms));
        }
        if n.attempts > 1 {
            extra.push_str(&format!("  after {} attempts", n.attempts));
        }
        if !n.ports.is_empty() && n.ports != ["out"] {
            extra.push_str(&format!("  → {}", n.ports.join(", ")));
        }
        if let Some(e) = &n.error {
            extra.push_str(&format!("  {}: {}", e.code, e.message));
        }
        println!("{mark} {:<width$}  {status:<9}{extra}", n.id);
    }
    for l in &r.logs {
        println!("  [{}] {}: {}", l.level, l.node, l.message);
    }
    println!("run {} in {:.2} ms", r.status.as_str(), r.duration_ms);
    if let Some(e) = &r.error {
        println!(
            "error in {}: {} ({})",
            r.failed_node.as_deref().unwrap_or("-"),
            e.message,
            e.code
        );
    }
    println!(
        "output:\n{}",
        serde_json::to_string_pretty(&r.output).expect("JSON prints")
    );
}

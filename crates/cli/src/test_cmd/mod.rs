//! `switchyard test FILE|DIR ...`: runs test suites (`*.tests.json`) headless, every case in test
//! mode; a readable summary, `--json` on stdout, `--junit FILE` for CI. With `--csv`, a batch
//! test of one workflow (see `batch.rs`). Exit 0 when everything passed, 1 when a case (or a
//! batch row) failed, 2 on bad input.

mod batch;
mod junit;
mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use switchyard_app::testing::{self, SuiteResult, Target};
use switchyard_core::testsuite::TESTS_SUFFIX;
use switchyard_core::TestSuite;
use switchyard_engine::Engine;

use crate::run::{engine_config, Setup};

pub const EXIT_FAILED: u8 = 1;
pub const EXIT_INVALID: u8 = 2;

#[derive(clap::Args)]
pub struct TestArgs {
    /// Workflow files (their `.tests.json` beside them is run), suites (`*.tests.json`) or
    /// folders (every suite in them).
    #[arg(required = true, value_name = "FILE|DIR")]
    paths: Vec<PathBuf>,
    /// Only the cases with this name (repeatable).
    #[arg(long = "case", value_name = "NAME")]
    cases: Vec<String>,
    /// Print the report as JSON on standard output.
    #[arg(long)]
    json: bool,
    /// Also write a JUnit XML report (for CI systems) to FILE.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// The workspace settings [default: workspace.json beside each workflow, when there is one].
    #[arg(long)]
    workspace: Option<PathBuf>,
    /// Where the secrets are kept [default: the platform's data folder].
    #[arg(long, env = "SWITCHYARD_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Let HTTP request nodes reach private and loopback addresses.
    #[arg(long)]
    allow_private_network: bool,
    #[command(flatten)]
    batch: batch::BatchArgs,
}

/// One suite to run, found from the paths given.
struct Found {
    suite_file: PathBuf,
    workflow_file: PathBuf,
}

/// A file that could not be used, reported as bad input.
pub struct Problem {
    pub file: PathBuf,
    pub code: String,
    pub message: String,
}

/// A suite's result with where it came from.
pub struct Ran {
    pub suite_file: PathBuf,
    pub workflow_file: PathBuf,
    pub result: SuiteResult,
}

pub fn main(args: TestArgs) -> ExitCode {
    if args.batch.csv.is_some() {
        return batch::main(&args);
    }
    let mut problems = Vec::new();
    let found = discover(&args.paths, &mut problems);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio starts");
    let mut ran = Vec::new();
    for f in found {
        match runtime.block_on(run_one(&f, &args)) {
            Ok(r) => ran.push(r),
            Err(p) => problems.push(p),
        }
    }
    if !args.cases.is_empty() {
        let known = |n: &String| {
            ran.iter()
                .any(|r| r.result.cases.iter().any(|c| &c.name == n))
        };
        for name in args.cases.iter().filter(|n| !known(n)) {
            problems.push(Problem {
                file: PathBuf::new(),
                code: "not_found".into(),
                message: format!("no suite has a case named \"{name}\""),
            });
        }
    }
    if ran.is_empty() && problems.is_empty() {
        problems.push(Problem {
            file: PathBuf::new(),
            code: "no_tests".into(),
            message: format!(
                "no test suites (*{TESTS_SUFFIX}) found in {}",
                args.paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    if let Some(path) = &args.junit {
        if let Err(e) = std::fs::write(path, junit::xml(&ran, &problems)) {
            eprintln!("{}: cannot write the JUnit report: {e}", path.display());
            return ExitCode::from(EXIT_INVALID);
        }
    }
    if args.json {
        report::print_json(&ran, &problems);
    } else {
        report::print_human(&ran, &problems);
    }
    let invalid = !problems.is_empty()
        || ran.iter().any(|r| {
            r.result
                .cases
                .iter()
                .any(|c| c.outcome == testing::Outcome::Invalid)
        });
    if invalid {
        ExitCode::from(EXIT_INVALID)
    } else if ran.iter().any(|r| r.result.failed > 0) {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

/// The suites the paths name, in a stable order.
fn discover(paths: &[PathBuf], problems: &mut Vec<Problem>) -> Vec<Found> {
    let mut suites: Vec<PathBuf> = Vec::new();
    for p in paths {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if p.is_dir() {
            match std::fs::read_dir(p) {
                Ok(read) => {
                    let mut in_dir: Vec<PathBuf> = read
                        .flatten()
                        .map(|e| e.path())
                        .filter(|f| f.to_str().is_some_and(|s| s.ends_with(TESTS_SUFFIX)))
                        .collect();
                    in_dir.sort();
                    suites.extend(in_dir);
                }
                Err(e) => problems.push(problem(
                    p,
                    "unreadable_file",
                    format!("cannot read the folder: {e}"),
                )),
            }
        } else if name.ends_with(TESTS_SUFFIX) {
            suites.push(p.clone());
        } else if !p.exists() {
            problems.push(problem(
                p,
                "unreadable_file",
                "there is no such file or folder".into(),
            ));
        } else {
            let suite = testing::suite_path(p);
            if suite.exists() {
                suites.push(suite);
            } else {
                problems.push(problem(
                    p,
                    "no_tests",
                    format!(
                        "the workflow has no test suite ({} does not exist)",
                        suite.display()
                    ),
                ));
            }
        }
    }
    suites.dedup();
    let mut found = Vec::new();
    for suite_file in suites {
        match testing::load_suite(&suite_file) {
            Err(e) => problems.push(problem(&suite_file, e.code, e.to_string())),
            Ok(suite) => {
                let dir = suite_file.parent().unwrap_or(Path::new("."));
                let dir = if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                };
                match testing::workflow_for_suite(dir, &suite.workflow) {
                    Some(workflow_file) => found.push(Found {
                        suite_file,
                        workflow_file,
                    }),
                    None => problems.push(problem(
                        &suite_file,
                        "unknown_workflow",
                        format!(
                            "there is no workflow \"{}\" in {}",
                            suite.workflow,
                            dir.display()
                        ),
                    )),
                }
            }
        }
    }
    found
}

fn problem(file: &Path, code: &str, message: String) -> Problem {
    Problem {
        file: file.to_path_buf(),
        code: code.to_string(),
        message,
    }
}

async fn run_one(f: &Found, args: &TestArgs) -> Result<Ran, Problem> {
    let suite: TestSuite = testing::load_suite(&f.suite_file)
        .map_err(|e| problem(&f.suite_file, e.code, e.to_string()))?;
    let loaded = switchyard_app::load::load(&f.workflow_file);
    let Some(file) = loaded.file else {
        let d = loaded
            .diagnostics
            .first()
            .map(|d| (d.code.clone(), d.to_string()));
        let (code, message) =
            d.unwrap_or_else(|| ("invalid_workflow".into(), "cannot be read".into()));
        return Err(problem(&f.workflow_file, &code, message));
    };
    let config = engine_config(&Setup {
        file: &f.workflow_file,
        workspace: args.workspace.as_deref(),
        data_dir: args.data_dir.clone(),
        allow_private_network: args.allow_private_network,
    })
    .map_err(|m| problem(&f.workflow_file, "invalid_workspace", m))?;
    let engine = Engine::new(config);
    let only = (!args.cases.is_empty()).then_some(args.cases.as_slice());
    let result = testing::run_suite(&engine, &Target::new(file), &suite, only).await;
    Ok(Ran {
        suite_file: f.suite_file.clone(),
        workflow_file: f.workflow_file.clone(),
        result,
    })
}

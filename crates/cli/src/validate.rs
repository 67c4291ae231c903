use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;

use switchyard_app::load::{line, load};
use switchyard_app::testing;
use switchyard_core::workspace::WORKSPACE_FILE;
use switchyard_core::{Diagnostic, TestSuite, Workspace};

fn is_workspace(path: &std::path::Path) -> bool {
    path.file_name().is_some_and(|n| n == WORKSPACE_FILE)
}

fn is_suite(path: &std::path::Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(switchyard_core::testsuite::is_suite_file_name)
}

/// A test suite is checked against the workflow it names (found beside it): valid means it
/// loads and has no errors.
fn check_suite(path: &std::path::Path) -> (Option<TestSuite>, Vec<Diagnostic>) {
    let suite = match testing::load_suite(path) {
        Ok(s) => s,
        Err(e) => return (None, vec![e.into()]),
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let Some(workflow) = testing::workflow_for_suite(dir, &suite.workflow) else {
        let d = Diagnostic::error(
            "unknown_workflow",
            None,
            format!(
                "there is no workflow \"{}\" in {}",
                suite.workflow,
                dir.display()
            ),
        )
        .with_field("workflow");
        return (Some(suite), vec![d]);
    };
    match load(&workflow).file {
        Some(file) => {
            let diagnostics = switchyard_core::testsuite::check(&suite, &file).diagnostics;
            (Some(suite), diagnostics)
        }
        None => (Some(suite), vec![]),
    }
}

/// `workspace.json` is checked as workspace settings: valid means it loads.
fn load_workspace(path: &std::path::Path) -> (Option<Workspace>, Vec<Diagnostic>) {
    match switchyard_app::read_workspace(path, false) {
        Ok(ws) => (Some(ws), vec![]),
        Err(e) => (None, vec![Diagnostic::error(&e.code, None, e.message)]),
    }
}

pub fn main(files: &[PathBuf], as_json: bool) -> ExitCode {
    let mut ok = true;
    let mut report = Vec::new();
    for path in files {
        let (valid, diagnostics) = if is_workspace(path) {
            let (ws, diagnostics) = load_workspace(path);
            (ws.is_some(), diagnostics)
        } else if is_suite(path) {
            let (suite, diagnostics) = check_suite(path);
            let valid = suite.is_some() && !diagnostics.iter().any(Diagnostic::is_error);
            (valid, diagnostics)
        } else {
            let loaded = load(path);
            (loaded.plan.is_some(), loaded.diagnostics)
        };
        ok &= valid;
        if as_json {
            report.push(json!({"file": path.display().to_string(), "valid": valid, "diagnostics": diagnostics}));
        } else {
            for d in &diagnostics {
                println!("{}", line(path, d));
            }
        }
    }
    if as_json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("diagnostics serialize")
        );
    } else if ok {
        let n = files.len();
        eprintln!("{n} file{} valid", if n == 1 { "" } else { "s" });
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Rewrites files canonically (written to a temporary file, then renamed over the original).
pub fn fmt(files: &[PathBuf], check: bool) -> ExitCode {
    let mut ok = true;
    for path in files {
        if is_workspace(path) {
            let (ws, diagnostics) = load_workspace(path);
            let Some(ws) = ws else {
                for d in &diagnostics {
                    eprintln!("{}", line(path, d));
                }
                ok = false;
                continue;
            };
            ok &= write_canonical(path, &ws.to_json(), check);
            continue;
        }
        if is_suite(path) {
            match testing::load_suite(path) {
                Ok(suite) => ok &= write_canonical(path, &suite.to_canonical_json(), check),
                Err(e) => {
                    eprintln!("{}", line(path, &e.into()));
                    ok = false;
                }
            }
            continue;
        }
        let loaded = load(path);
        let Some(file) = loaded.file else {
            for d in &loaded.diagnostics {
                eprintln!("{}", line(path, d));
            }
            ok = false;
            continue;
        };
        ok &= write_canonical(path, &file.to_canonical_json(), check);
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Writes `canonical` over `path` unless it is already that (or, with `check`, only reports).
fn write_canonical(path: &std::path::Path, canonical: &str, check: bool) -> bool {
    let current = std::fs::read_to_string(path).unwrap_or_default();
    if current == canonical {
        return true;
    }
    if check {
        println!(
            "{}: not in canonical form (run `switchyard fmt {}`)",
            path.display(),
            path.display()
        );
        return false;
    }
    let tmp = path.with_extension("json.tmp");
    if let Err(e) = std::fs::write(&tmp, canonical).and_then(|_| std::fs::rename(&tmp, path)) {
        eprintln!("{}: cannot write: {e}", path.display());
        false
    } else {
        println!("{}: formatted", path.display());
        true
    }
}

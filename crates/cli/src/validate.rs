use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;

use switchyard_app::load::{line, load};

pub fn main(files: &[PathBuf], as_json: bool) -> ExitCode {
    let mut ok = true;
    let mut report = Vec::new();
    for path in files {
        let loaded = load(path);
        let valid = loaded.plan.is_some();
        ok &= valid;
        if as_json {
            report.push(json!({"file": path.display().to_string(), "valid": valid, "diagnostics": loaded.diagnostics}));
        } else {
            for d in &loaded.diagnostics {
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
        eprintln!("{n} workflow{} valid", if n == 1 { "" } else { "s" });
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
        let loaded = load(path);
        let Some(file) = loaded.file else {
            for d in &loaded.diagnostics {
                eprintln!("{}", line(path, d));
            }
            ok = false;
            continue;
        };
        let canonical = file.to_canonical_json();
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if current == canonical {
            continue;
        }
        if check {
            println!(
                "{}: not in canonical form (run `switchyard fmt {}`)",
                path.display(),
                path.display()
            );
            ok = false;
            continue;
        }
        let tmp = path.with_extension("json.tmp");
        if let Err(e) = std::fs::write(&tmp, canonical).and_then(|_| std::fs::rename(&tmp, path)) {
            eprintln!("{}: cannot write: {e}", path.display());
            ok = false;
        } else {
            println!("{}: formatted", path.display());
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

//! Reading and compiling workflow files, with problems as diagnostics.

use std::path::Path;

use switchyard_core::{compile, Diagnostic, LoadError, Plan, WorkflowFile};

/// The outcome of loading one file.
pub struct Loaded {
    pub file: Option<WorkflowFile>,
    pub plan: Option<Plan>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads and compiles one workflow file; every problem comes back as a diagnostic.
pub fn load(path: &Path) -> Loaded {
    let failed = |d: Diagnostic| Loaded {
        file: None,
        plan: None,
        diagnostics: vec![d],
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            return failed(Diagnostic::error(
                "unreadable_file",
                None,
                format!("cannot read the file: {e}"),
            ))
        }
    };
    if meta.len() > switchyard_core::file::MAX_FILE_BYTES as u64 {
        // Refuse before reading it into memory.
        return failed(LoadError::too_large(meta.len()).into());
    }
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                return failed(Diagnostic::error(
                    "invalid_json",
                    None,
                    "the file is not UTF-8 text",
                ))
            }
        },
        Err(e) => {
            return failed(Diagnostic::error(
                "unreadable_file",
                None,
                format!("cannot read the file: {e}"),
            ))
        }
    };
    load_text(&text)
}

/// Parses and compiles workflow text (an import, an unsaved edit).
pub fn load_text(text: &str) -> Loaded {
    let failed = |d: Diagnostic| Loaded {
        file: None,
        plan: None,
        diagnostics: vec![d],
    };
    let file = match WorkflowFile::from_json(text) {
        Ok(f) => f,
        Err(e) => return failed(e.into()),
    };
    load_file(file)
}

/// Compiles a parsed file.
pub fn load_file(file: WorkflowFile) -> Loaded {
    match compile(&file) {
        Ok(plan) => {
            let diagnostics = plan.warnings.clone();
            Loaded {
                file: Some(file),
                plan: Some(plan),
                diagnostics,
            }
        }
        Err(diagnostics) => Loaded {
            file: Some(file),
            plan: None,
            diagnostics,
        },
    }
}

/// `FILE: NODE: CODE message`, with the line and column for problems found while reading.
pub fn line(path: &Path, d: &Diagnostic) -> String {
    format!("{}: {d}", path.display())
}

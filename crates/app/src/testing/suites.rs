//! Test suite files on disk: `<workflow file stem>.tests.json` beside the workflow file.

use std::path::{Path, PathBuf};

use switchyard_core::testsuite::{suite_file_name, TESTS_SUFFIX};
use switchyard_core::workspace::WORKSPACE_FILE;
use switchyard_core::{LoadError, TestSuite, WorkflowFile};

/// The suite beside a workflow file: `workflows/lead-processing.json` →
/// `workflows/lead-processing.tests.json`.
pub fn suite_path(workflow_file: &Path) -> PathBuf {
    let stem = workflow_file
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.strip_suffix(".json").unwrap_or(n))
        .unwrap_or_default();
    workflow_file.with_file_name(suite_file_name(stem))
}

/// Reads a suite file. Codes: `unreadable_file`, `file_too_large`, `invalid_json`,
/// `unknown_field`, `invalid_test_suite`, `unsupported_version` (a [`LoadError`] turns into a
/// `Diagnostic` with `into()`).
pub fn load_suite(path: &Path) -> Result<TestSuite, LoadError> {
    let meta = std::fs::metadata(path).map_err(|e| unreadable(path, e))?;
    if meta.len() > switchyard_core::file::MAX_FILE_BYTES as u64 {
        return Err(LoadError::too_large(meta.len()));
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(path, e))?;
    let text = String::from_utf8(bytes).map_err(|_| LoadError {
        code: "invalid_json",
        message: "the file is not UTF-8 text".into(),
        line: None,
        column: None,
    })?;
    TestSuite::from_json(&text)
}

fn unreadable(path: &Path, e: std::io::Error) -> LoadError {
    LoadError {
        code: "unreadable_file",
        message: format!("cannot read {}: {e}", path.display()),
        line: None,
        column: None,
    }
}

/// The workflow file a suite in `dir` tests: `<dir>/<id>.json` when it has that id, else the
/// workflow file of `dir` whose id it is.
pub fn workflow_for_suite(dir: &Path, workflow_id: &str) -> Option<PathBuf> {
    let id_of = |p: &Path| {
        std::fs::read_to_string(p)
            .ok()
            .and_then(|t| WorkflowFile::from_json(&t).ok())
            .map(|f| f.id)
    };
    let direct = dir.join(format!("{workflow_id}.json"));
    if id_of(&direct).as_deref() == Some(workflow_id) {
        return Some(direct);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| is_workflow_file(p))
        .collect();
    files.sort();
    files
        .into_iter()
        .find(|p| id_of(p).as_deref() == Some(workflow_id))
}

/// A `.json` file that is neither a suite nor the workspace settings.
pub fn is_workflow_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name.ends_with(".json") && !name.ends_with(TESTS_SUFFIX) && name != WORKSPACE_FILE
}

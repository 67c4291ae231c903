//! Workflow files for the editor: list, open, save (a new version each time), delete, check,
//! templates, history and restore.

use std::path::Path;

use switchyard_core::catalog::{catalog, Descriptor};
use switchyard_core::compile::is_slug;
use switchyard_core::WorkflowFile;
use switchyard_store::VersionInfo;

use crate::api::{CheckedText, Saved, TemplateInfo, Validation, WorkflowSummary};
use crate::load::{load_file, load_text};
use crate::{App, AppError};

/// The seed scenarios, shipped inside the binary.
const TEMPLATES: &[&str] = &[
    include_str!("../../../workflows/lead-processing.json"),
    include_str!("../../../workflows/content-pipeline.json"),
    include_str!("../../../workflows/order-followup.json"),
];

impl App {
    pub fn catalog(&self) -> Vec<&'static Descriptor> {
        catalog()
    }

    pub fn list_workflows(&self) -> Vec<WorkflowSummary> {
        self.registry().summaries()
    }

    pub fn get_workflow(&self, id: &str) -> Result<WorkflowFile, AppError> {
        let reg = self.registry();
        let e = reg
            .entries
            .get(id)
            .ok_or_else(|| AppError::not_found(format!("there is no workflow \"{id}\"")))?;
        e.file.clone().ok_or_else(|| {
            AppError::new(
                "invalid_workflow",
                format!(
                    "{} cannot be read: {}",
                    e.file_name,
                    first_message(&e.diagnostics)
                ),
            )
        })
    }

    /// Writes `file` to the workflows folder (canonical JSON, written to a temporary file and
    /// renamed), records it as a version, and reloads.
    pub async fn save_workflow(&self, file: WorkflowFile) -> Result<Saved, AppError> {
        if !is_slug(&file.id) {
            return Err(AppError::new(
                "invalid_request",
                format!(
                    "the workflow id \"{}\" may only contain lowercase letters, digits, - and _",
                    file.id
                ),
            ));
        }
        if format!("{}.json", file.id) == switchyard_core::workspace::WORKSPACE_FILE {
            return Err(AppError::new(
                "invalid_request",
                "\"workspace\" is reserved for the workspace settings file; choose another id",
            ));
        }
        let text = file.to_canonical_json();
        let name = self
            .registry()
            .entries
            .get(&file.id)
            .map(|e| e.file_name.clone())
            .unwrap_or_else(|| format!("{}.json", file.id));
        write_atomically(&self.inner.config.workflows_dir.join(&name), &text)?;
        let (version, _) = self
            .inner
            .store
            .save_version(&file.id, &text, "editor")
            .await?;
        self.reload().await?;
        let diagnostics = self
            .registry()
            .entries
            .get(&file.id)
            .map(|e| e.diagnostics.clone())
            .unwrap_or_default();
        Ok(Saved {
            id: file.id,
            file: name,
            version,
            diagnostics,
        })
    }

    pub async fn delete_workflow(&self, id: &str) -> Result<(), AppError> {
        let name = self
            .registry()
            .entries
            .get(id)
            .map(|e| e.file_name.clone())
            .ok_or_else(|| AppError::not_found(format!("there is no workflow \"{id}\"")))?;
        std::fs::remove_file(self.inner.config.workflows_dir.join(name))
            .map_err(|e| AppError::new("io_error", format!("cannot delete the file: {e}")))?;
        self.reload().await
    }

    /// Compiles unsaved edits.
    pub fn validate_workflow(&self, file: WorkflowFile) -> Validation {
        Validation {
            diagnostics: load_file(file).diagnostics,
        }
    }

    /// Reads text as a workflow file (import).
    pub fn check_workflow_text(&self, text: &str) -> CheckedText {
        let loaded = load_text(text);
        CheckedText {
            file: loaded.file,
            diagnostics: loaded.diagnostics,
        }
    }

    pub fn list_templates(&self) -> Vec<TemplateInfo> {
        templates()
            .map(|f| TemplateInfo {
                id: f.id,
                name: f.name,
                description: f.description,
            })
            .collect()
    }

    pub fn get_template(&self, id: &str) -> Result<WorkflowFile, AppError> {
        templates()
            .find(|f| f.id == id)
            .ok_or_else(|| AppError::not_found(format!("there is no template \"{id}\"")))
    }

    pub async fn versions(&self, id: &str) -> Result<Vec<VersionInfo>, AppError> {
        Ok(self.inner.store.versions(id).await?)
    }

    /// Puts an earlier version back in the workflows folder; it becomes the newest version.
    pub async fn restore_version(&self, id: &str, version: i64) -> Result<Saved, AppError> {
        let text = self.inner.store.version_file(id, version).await?;
        let file = WorkflowFile::from_json(&text)
            .map_err(|e| AppError::new("corrupt_data", e.to_string()))?;
        let saved = self.save_workflow(file).await?;
        Ok(saved)
    }
}

fn templates() -> impl Iterator<Item = WorkflowFile> {
    TEMPLATES
        .iter()
        .map(|t| WorkflowFile::from_json(t).expect("shipped templates parse"))
}

fn first_message(d: &[switchyard_core::Diagnostic]) -> String {
    d.first().map(|d| d.message.clone()).unwrap_or_default()
}

pub(crate) fn write_atomically(path: &Path, text: &str) -> Result<(), AppError> {
    let tmp = path.with_extension("json.tmp");
    let io = |e: std::io::Error| {
        AppError::new("io_error", format!("cannot write {}: {e}", path.display()))
    };
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

//! `save_export`: the native save dialog for exports (workflow files, pictures). The dialog and
//! the write happen in Rust; the UI gets no file system or dialog permission of its own.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use switchyard_app::api::{ExportKind, ExportRequest};
use switchyard_app::AppError;
use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

use crate::commands::CommandError;

/// Asks where to save `request` and writes it there. The path written, or `None` when the
/// user cancelled.
#[tauri::command]
pub async fn save_export(
    app: AppHandle,
    request: ExportRequest,
) -> Result<Option<String>, CommandError> {
    let bytes = contents(&request)?;
    let Some(chosen) = ask_where(&app, &request).await else {
        return Ok(None);
    };
    let path = with_extension(chosen, request.kind);
    std::fs::write(&path, bytes)
        .map_err(|e| AppError::new("io_error", format!("cannot write {}: {e}", path.display())))?;
    Ok(Some(path.display().to_string()))
}

async fn ask_where(app: &AppHandle, request: &ExportRequest) -> Option<PathBuf> {
    let (label, extension) = file_type(request.kind);
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Export")
        .set_file_name(file_name(&request.suggested_name, request.kind))
        .add_filter(label, &[extension])
        .save_file(move |chosen| {
            let _ = tx.send(chosen);
        });
    rx.await.ok().flatten().and_then(|p| p.into_path().ok())
}

/// The bytes to write: the text itself, or the decoded base64 of a PNG.
fn contents(request: &ExportRequest) -> Result<Vec<u8>, AppError> {
    match request.kind {
        ExportKind::Json | ExportKind::Svg | ExportKind::Csv => {
            Ok(request.contents.clone().into_bytes())
        }
        ExportKind::Png => STANDARD.decode(request.contents.trim()).map_err(|e| {
            AppError::new("invalid_request", format!("the picture is not base64: {e}"))
        }),
    }
}

fn file_type(kind: ExportKind) -> (&'static str, &'static str) {
    match kind {
        ExportKind::Json => ("Workflow file", "json"),
        ExportKind::Svg => ("SVG picture", "svg"),
        ExportKind::Png => ("PNG picture", "png"),
        ExportKind::Csv => ("Table (CSV)", "csv"),
    }
}

/// The name proposed in the dialog: only a file name (never a path), with the kind's extension.
fn file_name(suggested: &str, kind: ExportKind) -> String {
    let base = Path::new(suggested)
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| !n.starts_with('.'))
        .unwrap_or("workflow");
    with_extension(PathBuf::from(base), kind)
        .display()
        .to_string()
}

/// `path` with the kind's extension added when the user typed a name without it.
fn with_extension(path: PathBuf, kind: ExportKind) -> PathBuf {
    let (_, extension) = file_type(kind);
    let has = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(extension));
    if has {
        path
    } else {
        let mut name = path.into_os_string();
        name.push(".");
        name.push(extension);
        PathBuf::from(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(kind: ExportKind, contents: &str) -> ExportRequest {
        ExportRequest {
            suggested_name: "x".into(),
            contents: contents.into(),
            kind,
        }
    }

    #[test]
    fn text_is_written_as_is_and_png_is_decoded() {
        let svg = "<svg/>";
        assert_eq!(
            contents(&request(ExportKind::Svg, svg)).unwrap(),
            svg.as_bytes()
        );
        let png = [0x89, b'P', b'N', b'G'];
        let encoded = STANDARD.encode(png);
        assert_eq!(
            contents(&request(ExportKind::Png, &encoded)).unwrap(),
            png.to_vec()
        );
        let err = contents(&request(ExportKind::Png, "not base64!")).unwrap_err();
        assert_eq!(err.code, "invalid_request");
    }

    #[test]
    fn the_proposed_name_is_a_bare_file_name_with_the_right_extension() {
        assert_eq!(
            file_name("lead-processing.svg", ExportKind::Svg),
            "lead-processing.svg"
        );
        assert_eq!(
            file_name("lead-processing", ExportKind::Png),
            "lead-processing.png"
        );
        assert_eq!(
            file_name("../../etc/passwd", ExportKind::Json),
            "passwd.json"
        );
        assert_eq!(file_name("", ExportKind::Json), "workflow.json");
    }

    #[test]
    fn a_chosen_path_keeps_its_extension_or_gets_one() {
        assert_eq!(
            with_extension("/tmp/a.JSON".into(), ExportKind::Json),
            PathBuf::from("/tmp/a.JSON")
        );
        assert_eq!(
            with_extension("/tmp/a.v2".into(), ExportKind::Png),
            PathBuf::from("/tmp/a.v2.png")
        );
    }
}

fn main() {
    // Declaring the app's commands makes each one need an explicit permission
    // (`allow-<command>`) in capabilities/, so a new command is not exposed by accident.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "app_info",
        "ui_ready",
        "catalog",
        "list_workflows",
        "get_workflow",
        "save_workflow",
        "delete_workflow",
        "validate_workflow",
        "check_workflow_text",
        "list_templates",
        "get_template",
        "save_export",
        "get_workspace",
        "save_workspace",
        "list_secrets",
        "set_secret",
        "delete_secret",
        "run_live",
        "cancel_run",
        "get_tests",
        "save_tests",
        "run_tests",
        "run_batch",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("failed to run tauri-build");
}

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
        "list_runs",
        "get_run",
        "get_event",
        "get_run_logs",
        "rerun_run",
        "retry_run",
        "replay_run",
        "compare_runs",
        "cancel_run",
        "get_metrics",
        "list_dead_letters",
        "retry_dead_letter",
        "discard_dead_letter",
        "run_live",
        "get_tests",
        "save_tests",
        "run_tests",
        "run_batch",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("failed to run tauri-build");
}

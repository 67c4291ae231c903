//! The UI's command table (`ui/src/api/commands.ts`) and the shell agree: every command the UI
//! can call is declared to tauri-build (so it has a permission) and allowed for the main window,
//! and nothing else is.

use std::collections::BTreeSet;

fn read(path: &str) -> String {
    let full = concat!(env!("CARGO_MANIFEST_DIR"), "/");
    std::fs::read_to_string(format!("{full}{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Names of the members of the `Commands` and `StreamCommands` interfaces: lines like
/// `  get_workflow: { args: ...`.
fn ui_commands() -> BTreeSet<String> {
    let text = read("../ui/src/api/commands.ts");
    let members = |interface: &str| -> BTreeSet<String> {
        let body = text
            .split(&format!("export interface {interface} {{"))
            .nth(1)
            .and_then(|rest| rest.split("\n}").next())
            .unwrap_or_else(|| panic!("commands.ts declares `interface {interface}`"));
        body.lines()
            .filter_map(|l| l.trim().split_once(": { args:").map(|(n, _)| n.to_string()))
            .collect()
    };
    let mut all = members("Commands");
    all.extend(members("StreamCommands"));
    all
}

#[test]
fn every_ui_command_is_declared_and_allowed_and_nothing_more() {
    let ui = ui_commands();
    assert!(
        ui.contains("get_workflow") && ui.contains("save_export"),
        "{ui:?}"
    );

    let build = read("build.rs");
    let declared: BTreeSet<String> = build
        .split(".commands(&[")
        .nth(1)
        .and_then(|rest| rest.split("])").next())
        .expect("build.rs declares the commands")
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(declared, ui, "build.rs vs ui/src/api/commands.ts");

    let caps: serde_json::Value =
        serde_json::from_str(&read("capabilities/default.json")).expect("JSON");
    let allowed: BTreeSet<String> = caps["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|c| c.replace('-', "_"))
        .collect();
    assert_eq!(
        allowed, ui,
        "capabilities/default.json vs ui/src/api/commands.ts"
    );
    let others: Vec<&str> = caps["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .filter(|p| !p.starts_with("allow-"))
        .collect();
    assert_eq!(
        others,
        ["core:default"],
        "no plugin permission reaches the UI"
    );
}

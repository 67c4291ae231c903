//! The workflows being served: loaded from the workflows folder, compiled, and indexed by how
//! they start (webhook paths, event names, schedules). A file that stops compiling keeps its
//! last good plan running and shows its diagnostics.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use switchyard_core::kind::NodeKind;
use switchyard_core::{Diagnostic, Plan, WorkflowFile};

use crate::api::{TriggerInfo, WorkflowSummary};
use crate::load::load;

/// One workflow file and what became of it.
#[derive(Clone)]
pub struct Entry {
    pub id: String,
    pub file_name: String,
    /// The file as last read (absent when it does not parse).
    pub file: Option<WorkflowFile>,
    /// The plan that runs: the last one that compiled.
    pub plan: Option<Arc<Plan>>,
    /// Version number of `plan` in the history.
    pub version: Option<i64>,
    pub diagnostics: Vec<Diagnostic>,
    stamp: Stamp,
}

/// What a file looked like when it was read, to notice changes without reading it again.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

/// A trigger node of a live plan.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TriggerRef {
    pub workflow_id: String,
    pub node: String,
}

/// Everything served, indexed by how runs start.
#[derive(Clone, Default)]
pub struct Registry {
    /// By workflow id.
    pub entries: BTreeMap<String, Entry>,
    /// Webhook path (without slashes around it) to its trigger.
    pub hooks: HashMap<String, TriggerRef>,
    /// Event name to the Event triggers listening for it.
    pub events: HashMap<String, Vec<TriggerRef>>,
}

/// A changed file, for the caller to record as a new version.
pub struct Changed {
    pub id: String,
    pub canonical: String,
}

impl Registry {
    /// Reads the folder again; unchanged files are not re-read. Returns the files whose plan
    /// changed so the caller can store them as versions.
    pub fn refresh(&mut self, dir: &Path) -> Vec<Changed> {
        let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
        if let Ok(read) = std::fs::read_dir(dir) {
            for entry in read.flatten() {
                let path = entry.path();
                // Not the workspace settings, nor test suites (`*.tests.json`).
                if crate::testing::is_workflow_file(&path) {
                    if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
                        seen.insert(name.to_string(), path);
                    }
                }
            }
        }
        let mut changed = Vec::new();
        let by_file: HashMap<String, String> = self
            .entries
            .values()
            .map(|e| (e.file_name.clone(), e.id.clone()))
            .collect();
        // Files gone: their workflows stop.
        self.entries.retain(|_, e| seen.contains_key(&e.file_name));
        for (name, path) in &seen {
            let stamp = stamp(path);
            let previous = by_file.get(name).and_then(|id| self.entries.get(id));
            if previous.is_some_and(|p| p.stamp == stamp) {
                continue;
            }
            let loaded = load(path);
            let fallback_id = name.trim_end_matches(".json").to_string();
            let id = loaded
                .file
                .as_ref()
                .map(|f| f.id.clone())
                .unwrap_or(fallback_id);
            let mut entry = Entry {
                id: id.clone(),
                file_name: name.clone(),
                file: loaded.file,
                plan: None,
                version: None,
                diagnostics: loaded.diagnostics,
                stamp,
            };
            if let Some(other) = self.entries.get(&id).filter(|o| &o.file_name != name) {
                entry.plan = None;
                entry.diagnostics.push(Diagnostic::error(
                    "duplicate_workflow_id",
                    None,
                    format!("{} already uses the id \"{id}\"", other.file_name),
                ));
                // Keep the first file's workflow; this one is listed under its file name.
                entry.id = name.trim_end_matches(".json").to_string();
                self.entries.insert(entry.id.clone(), entry);
                continue;
            }
            match loaded.plan {
                Some(plan) => {
                    entry.plan = Some(Arc::new(plan));
                    if let Some(f) = &entry.file {
                        changed.push(Changed {
                            id: id.clone(),
                            canonical: f.to_canonical_json(),
                        });
                    }
                }
                None => {
                    // Keep running the last good plan, if any.
                    if let Some(prev) = previous.filter(|p| p.id == id) {
                        entry.plan = prev.plan.clone();
                        entry.version = prev.version;
                    }
                }
            }
            self.entries.insert(id, entry);
        }
        self.index();
        changed
    }

    /// Rebuilds the trigger indexes; a webhook path taken by two workflows goes to the first
    /// (by id) and the second gets a diagnostic.
    fn index(&mut self) {
        self.hooks.clear();
        self.events.clear();
        let ids: Vec<String> = self.entries.keys().cloned().collect();
        for id in ids {
            let Some(plan) = self.entries[&id].plan.clone() else {
                continue;
            };
            self.entries
                .get_mut(&id)
                .expect("listed")
                .diagnostics
                .retain(|d| d.code != "duplicate_webhook_path");
            for &t in &plan.triggers {
                let node = &plan.nodes[t];
                let r = TriggerRef {
                    workflow_id: id.clone(),
                    node: node.id.clone(),
                };
                match node.kind {
                    NodeKind::WebhookTrigger => {
                        let path = node
                            .params
                            .str("path")
                            .unwrap_or_default()
                            .trim_matches('/')
                            .to_string();
                        if let Some(first) = self.hooks.get(&path) {
                            let msg = format!(
                                "the workflow \"{}\" already listens on /hooks/{path}; this trigger is not served",
                                first.workflow_id
                            );
                            self.entries.get_mut(&id).expect("listed").diagnostics.push(
                                Diagnostic::error("duplicate_webhook_path", Some(&node.id), msg)
                                    .with_field("path"),
                            );
                        } else {
                            self.hooks.insert(path, r);
                        }
                    }
                    NodeKind::EventTrigger => {
                        let name = node.params.str("event").unwrap_or_default().to_string();
                        self.events.entry(name).or_default().push(r);
                    }
                    _ => {}
                }
            }
        }
    }

    pub fn plan(&self, workflow_id: &str) -> Option<(Arc<Plan>, Option<i64>)> {
        let e = self.entries.get(workflow_id)?;
        Some((e.plan.clone()?, e.version))
    }

    pub fn summaries(&self) -> Vec<WorkflowSummary> {
        self.entries.values().map(summary).collect()
    }
}

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok();
    Stamp {
        modified: meta.as_ref().and_then(|m| m.modified().ok()),
        len: meta.map(|m| m.len()).unwrap_or(0),
    }
}

/// A workflow as the API lists it.
pub fn summary(e: &Entry) -> WorkflowSummary {
    let (name, description, nodes) = match &e.file {
        Some(f) => (f.name.clone(), f.description.clone(), f.nodes.len()),
        None => (e.id.clone(), String::new(), 0),
    };
    WorkflowSummary {
        id: e.id.clone(),
        name,
        description,
        file: e.file_name.clone(),
        nodes,
        triggers: e.plan.as_deref().map(triggers).unwrap_or_default(),
        diagnostics: e.diagnostics.clone(),
        active: e.plan.is_some(),
    }
}

/// How a plan starts.
pub fn triggers(plan: &Plan) -> Vec<TriggerInfo> {
    plan.triggers
        .iter()
        .map(|&t| {
            let n = &plan.nodes[t];
            let p = &n.params;
            let s = |k: &str| p.str(k).map(str::to_string);
            TriggerInfo {
                node: n.id.clone(),
                kind: n.kind.as_str().to_string(),
                webhook_path: (n.kind == NodeKind::WebhookTrigger)
                    .then(|| s("path").map(|p| p.trim_matches('/').to_string()))
                    .flatten(),
                event: (n.kind == NodeKind::EventTrigger)
                    .then(|| s("event"))
                    .flatten(),
                cron: (n.kind == NodeKind::ScheduleTrigger)
                    .then(|| s("cron"))
                    .flatten(),
                timezone: (n.kind == NodeKind::ScheduleTrigger)
                    .then(|| s("timezone"))
                    .flatten(),
            }
        })
        .collect()
}

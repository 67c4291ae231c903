// What the File commands do: open, new (blank or from a template), save, rename, delete,
// import and export. Each asks before losing or overwriting anything.
import { backend } from "../../api/backend";
import { TransportError } from "../../api/transport";
import { canonicalJson } from "../../core/canonical";
import { fileKey } from "../../core/canvas";
import { position, summary } from "../../core/diagnostics";
import { isWorkflowId, slugify, uniqueSlug } from "../../core/ids";
import type { Diagnostic, ExportKind, WorkflowFile } from "../../generated/api";
import { useApp } from "../../stores/app";
import { ask } from "../../stores/dialogs";
import { selectDirty, useEditor } from "../../stores/editor";
import { useWorkflows } from "../../stores/workflows";
import { offerExport, pickTextFile } from "./download";
import { TemplatePicker } from "./TemplatePicker";

const notify = (tone: "info" | "success" | "error", text: string) =>
  useApp.getState().notify(tone, text);

export function errorText(error: unknown): string {
  if (error instanceof TransportError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

async function takenIds(): Promise<Set<string>> {
  const list = await useWorkflows.getState().refresh();
  return new Set(list.map((w) => w.id));
}

/**
 * Resolves when it is fine to leave the open workflow: nothing unsaved, or the user saved or
 * chose to discard. False when they cancelled.
 */
export async function confirmLeave(): Promise<boolean> {
  const state = useEditor.getState();
  if (!state.model || !selectDirty(state)) return true;
  const choice = await ask({
    type: "choice",
    title: "Save your changes?",
    message: `"${state.model.meta.name}" has changes that are not saved yet.`,
    actions: [
      { id: "discard", label: "Don't save", tone: "danger" },
      { id: "save", label: "Save", tone: "primary" },
    ],
  });
  if (choice === "discard") return true;
  if (choice === "save") return saveCurrent();
  return false;
}

export async function goHome(): Promise<void> {
  if (!(await confirmLeave())) return;
  useEditor.getState().close();
  useApp.getState().go({ name: "home" });
  void useWorkflows.getState().refresh();
}

export async function openWorkflow(id: string): Promise<void> {
  if (!(await confirmLeave())) return;
  try {
    const file = await backend.getWorkflow(id);
    useEditor.getState().open(file);
    useApp.getState().go({ name: "editor" });
  } catch (error) {
    notify("error", `Could not open the workflow: ${errorText(error)}`);
  }
}

/** Saves the open workflow. New workflows whose id is taken by then ask before replacing. */
export async function saveCurrent(): Promise<boolean> {
  const state = useEditor.getState();
  const file = state.history?.present;
  if (!file) return false;
  if (state.savedKey === null) {
    const taken = await takenIds();
    if (taken.has(file.id)) {
      const choice = await ask({
        type: "choice",
        title: "Replace the existing workflow?",
        message: `A workflow with the id "${file.id}" already exists. Saving replaces it.`,
        actions: [{ id: "replace", label: "Replace it", tone: "danger" }],
      });
      if (choice !== "replace") return false;
    }
  }
  try {
    const saved = await backend.saveWorkflow(file);
    useEditor.getState().markSaved(file);
    useEditor.getState().setDiagnostics(fileKey(file), saved.diagnostics);
    const errors = saved.diagnostics.filter((d) => d.severity === "error").length;
    const warnings = saved.diagnostics.length - errors;
    notify(
      errors ? "info" : "success",
      errors || warnings
        ? `Saved as ${saved.file} (${summary(errors, warnings)} to look at).`
        : `Saved as ${saved.file}.`,
    );
    return true;
  } catch (error) {
    notify("error", `Could not save: ${errorText(error)}`);
    return false;
  }
}

function blankWorkflow(id: string, name: string): WorkflowFile {
  return {
    description: "",
    edges: [],
    id,
    name,
    nodes: [
      {
        id: "start",
        kind: "manual_trigger",
        name: "Start",
        params: { sample: {} },
        position: { x: 0, y: 0 },
      },
    ],
    notes: [],
    schema_version: 1,
    vars: {},
  };
}

/** The "New workflow" dialog: a name and a starting point (blank or a template). */
export async function newWorkflow(): Promise<void> {
  if (!(await confirmLeave())) return;
  const taken = await takenIds();
  const result = await ask({
    type: "custom",
    wide: true,
    render: (close) => <TemplatePicker taken={taken} onDone={close} />,
  });
  if (!result) return;
  const { template, name } = JSON.parse(result) as { template: string | null; name: string };
  const id = uniqueSlug(slugify(name), taken);
  try {
    let file: WorkflowFile;
    if (template) {
      file = { ...(await backend.getTemplate(template)), id, name };
    } else {
      file = blankWorkflow(id, name);
    }
    useEditor.getState().open(file, { saved: false });
    useApp.getState().go({ name: "editor" });
  } catch (error) {
    notify("error", `Could not start the workflow: ${errorText(error)}`);
  }
}

export async function renameWorkflow(id: string, current: string): Promise<void> {
  const name = await ask({
    type: "prompt",
    title: "Rename workflow",
    message: `The file stays ${id}.json; only the name people see changes.`,
    label: "Name",
    value: current,
    confirm: "Rename",
    validate: (v) => (v.trim() === "" ? "Give the workflow a name." : null),
  });
  if (name === null || name.trim() === current) return;
  try {
    const file = await backend.getWorkflow(id);
    await backend.saveWorkflow({ ...file, name: name.trim() });
    notify("success", `Renamed to "${name.trim()}".`);
    await useWorkflows.getState().refresh();
  } catch (error) {
    notify("error", `Could not rename: ${errorText(error)}`);
  }
}

export async function deleteWorkflow(id: string, name: string): Promise<void> {
  const choice = await ask({
    type: "choice",
    title: `Delete "${name}"?`,
    message: `This removes ${id}.json from the workflows folder. Its run history is kept.`,
    actions: [{ id: "delete", label: "Delete", tone: "danger" }],
  });
  if (choice !== "delete") return;
  try {
    await backend.deleteWorkflow(id);
    notify("success", `Deleted "${name}".`);
  } catch (error) {
    notify("error", `Could not delete: ${errorText(error)}`);
  }
  await useWorkflows.getState().refresh();
}

function ImportProblems({ name, diagnostics }: { name: string; diagnostics: Diagnostic[] }) {
  return (
    <>
      <p>
        <strong>{name}</strong> is not a workflow file Switchyard can read. Nothing was imported.
      </p>
      <ul className="problem-list" data-testid="import-problems">
        {diagnostics.map((d, i) => (
          <li key={i} className={d.severity}>
            <span>
              {position(d) && <strong>{position(d)}: </strong>}
              {d.message}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

/** Reads a workflow file chosen by the user, checks it, and saves it (asking before replacing). */
export async function importWorkflow(): Promise<void> {
  const picked = await pickTextFile(".json,application/json");
  if (!picked) return;
  let checked;
  try {
    checked = await backend.checkWorkflowText(picked.text);
  } catch (error) {
    notify("error", `Could not read the file: ${errorText(error)}`);
    return;
  }
  const file = checked.file;
  if (!file) {
    await ask({
      type: "choice",
      title: "This file cannot be imported",
      message: <ImportProblems name={picked.name} diagnostics={checked.diagnostics} />,
      actions: [],
    });
    return;
  }
  const taken = await takenIds();
  let target = file;
  if (taken.has(file.id)) {
    const choice = await ask({
      type: "choice",
      title: "A workflow with this id already exists",
      message: `"${file.id}" is already in your workflows. Replace it with the imported file, or import it as a copy?`,
      actions: [
        { id: "replace", label: "Replace", tone: "danger" },
        { id: "copy", label: "Import as a copy", tone: "primary" },
      ],
    });
    if (choice === null) return;
    if (choice === "copy") {
      const id = uniqueSlug(isWorkflowId(file.id) ? file.id : slugify(file.name), taken);
      target = { ...file, id, name: `${file.name} (copy)` };
    }
  }
  try {
    const saved = await backend.saveWorkflow(target);
    const problems = saved.diagnostics.length
      ? ` It has ${summary(
          saved.diagnostics.filter((d) => d.severity === "error").length,
          saved.diagnostics.filter((d) => d.severity === "warning").length,
        )}.`
      : "";
    notify(problems ? "info" : "success", `Imported "${target.name}".${problems}`);
    await useWorkflows.getState().refresh();
    await openWorkflow(target.id);
  } catch (error) {
    notify("error", `Could not import: ${errorText(error)}`);
  }
}

/** Exports the open workflow as its canonical JSON file (workflow files never hold secrets). */
export async function exportJson(): Promise<void> {
  const file = useEditor.getState().history?.present;
  if (!file) return;
  await exportAs(`${file.id}.json`, "json", () => canonicalJson(file));
}

/** Offers an export (a save dialog or a download) and says where it went or what failed. */
export async function exportAs(
  name: string,
  kind: ExportKind,
  make: () => string | Blob | Promise<string | Blob>,
): Promise<void> {
  try {
    const path = await offerExport(name, kind, await make());
    if (path) notify("success", `Saved ${path}.`);
  } catch (error) {
    notify("error", `Could not export: ${errorText(error)}`);
  }
}

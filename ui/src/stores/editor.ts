// The open workflow: the canvas model (what React Flow shows), its undo history (saved-file
// states), whether it has unsaved changes, and the compiler's latest diagnostics.
import {
  addEdge,
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type EdgeChange,
  type NodeChange,
} from "@xyflow/react";
import { create } from "zustand";

import {
  canvasToFile,
  fileKey,
  fileToCanvas,
  isStep,
  type CanvasEdge,
  type CanvasModel,
  type CanvasNode,
  type StepData,
  type WorkflowMeta,
} from "../core/canvas";
import { copyFragment, pasteFragment, type Fragment } from "../core/clipboard";
import { followPorts, newNote, newStep, removeIds } from "../core/edits";
import { connectionProblem } from "../core/graph";
import { viewDiagnostics, type DiagnosticsView } from "../core/diagnostics";
import * as H from "../core/history";
import { autoLayout } from "../core/layout";
import type { Diagnostic, NodeKind, WorkflowFile } from "../generated/api";
import { useApp } from "./app";
import { useCatalog } from "./catalog";

export interface EditorState {
  model: CanvasModel | null;
  history: H.History<WorkflowFile> | null;
  /** `fileKey` of the file as last saved or opened; null when it was never saved. */
  savedKey: string | null;
  diagnostics: Diagnostic[];
  /** The diagnostics grouped for display (badges, problems list). */
  view: DiagnosticsView;
  /** Whether the diagnostics describe the present file. */
  diagnosticsFresh: boolean;

  open(file: WorkflowFile, options?: { saved?: boolean }): void;
  close(): void;
  markSaved(file: WorkflowFile): void;
  setDiagnostics(forKey: string, diagnostics: Diagnostic[]): void;

  onNodesChange(changes: NodeChange<CanvasNode>[]): void;
  onEdgesChange(changes: EdgeChange<CanvasEdge>[]): void;
  connect(connection: Connection): void;
  addStep(kind: NodeKind, position: { x: number; y: number }): void;
  addNote(position: { x: number; y: number }): void;
  updateStep(id: string, data: StepData, mergeKey?: string): void;
  updateNoteText(id: string, text: string): void;
  updateMeta(patch: Partial<WorkflowMeta>, mergeKey?: string): void;
  select(ids: readonly string[]): void;
  deleteSelection(): void;
  copySelection(): void;
  paste(): void;
  duplicateSelection(): void;
  layout(): void;
  undo(): void;
  redo(): void;
}

const EMPTY_VIEW = viewDiagnostics([]);
const EMPTY_NODES: CanvasNode[] = [];
const EMPTY_EDGES: CanvasEdge[] = [];

let clipboard: Fragment | null = null;
let pasteCount = 0;

const same = (a: WorkflowFile, b: WorkflowFile) => fileKey(a) === fileKey(b);

export const useEditor = create<EditorState>()((set, get) => {
  /** Sets a new model and records it in the history as one undo step (or part of one). */
  const commit = (model: CanvasModel, mergeKey?: string) => {
    const { history } = get();
    if (!history) return;
    const file = canvasToFile(model);
    const next = H.record(history, file, mergeKey !== undefined ? { mergeKey, same } : { same });
    set({ model, history: next, diagnosticsFresh: next === history && get().diagnosticsFresh });
  };

  /** Replaces the canvas with a state from the history, keeping measurements and selection. */
  const restore = (history: H.History<WorkflowFile>) => {
    const previous = new Map((get().model?.nodes ?? []).map((n) => [n.id, n]));
    const model = fileToCanvas(history.present);
    model.nodes = model.nodes.map((n) => {
      const old = previous.get(n.id);
      return old ? ({ ...n, measured: old.measured, selected: old.selected } as CanvasNode) : n;
    });
    set({ model, history, diagnosticsFresh: false });
  };

  const selectedIds = () => {
    const { model } = get();
    const ids = new Set<string>();
    if (!model) return ids;
    for (const n of model.nodes) if (n.selected) ids.add(n.id);
    for (const e of model.edges) if (e.selected) ids.add(e.id);
    return ids;
  };

  const takenIds = () => new Set((get().model?.nodes ?? []).map((n) => n.id));

  return {
    model: null,
    history: null,
    savedKey: null,
    diagnostics: [],
    view: EMPTY_VIEW,
    diagnosticsFresh: false,

    open(file, options = {}) {
      const model = fileToCanvas(file);
      const present = canvasToFile(model);
      set({
        model,
        history: H.startHistory(present),
        savedKey: options.saved === false ? null : fileKey(present),
        diagnostics: [],
        view: EMPTY_VIEW,
        diagnosticsFresh: false,
      });
    },

    close: () =>
      set({ model: null, history: null, savedKey: null, diagnostics: [], view: EMPTY_VIEW }),

    markSaved: (file) =>
      set({ savedKey: fileKey(file), history: get().history && H.seal(get().history!) }),

    setDiagnostics(forKey, diagnostics) {
      const { history } = get();
      if (!history || fileKey(history.present) !== forKey) return;
      set({ diagnostics, view: viewDiagnostics(diagnostics), diagnosticsFresh: true });
    },

    onNodesChange(changes) {
      const { model } = get();
      if (!model) return;
      const nodes = applyNodeChanges(changes, model.nodes);
      const next = { ...model, nodes };
      const settled = changes.some(
        (c) =>
          (c.type === "position" && !c.dragging) ||
          (c.type === "dimensions" && c.resizing === false) ||
          c.type === "remove" ||
          c.type === "add" ||
          c.type === "replace",
      );
      if (settled) commit(next);
      else set({ model: next });
    },

    onEdgesChange(changes) {
      const { model } = get();
      if (!model) return;
      const edges = applyEdgeChanges(changes, model.edges);
      const next = { ...model, edges };
      if (changes.some((c) => c.type !== "select")) commit(next);
      else set({ model: next });
    },

    connect(connection) {
      const { model } = get();
      if (!model) return;
      const problem = connectionProblem(
        connection,
        model.nodes,
        model.edges,
        useCatalog.getState().catalog,
      );
      if (problem) {
        useApp.getState().notify("error", problem);
        return;
      }
      const from = connection.sourceHandle ?? "out";
      const to = connection.targetHandle ?? "in";
      const edge: CanvasEdge = {
        id: `${connection.source}:${from}->${connection.target}:${to}`,
        source: connection.source,
        sourceHandle: from,
        target: connection.target,
        targetHandle: to,
      };
      commit({ ...model, edges: addEdge(edge, model.edges) });
    },

    addStep(kind, position) {
      const { model } = get();
      const descriptor = useCatalog.getState().catalog.get(kind);
      if (!model || !descriptor) return;
      const node = newStep(descriptor, position, takenIds());
      const nodes = model.nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
      commit({ ...model, nodes: [...nodes, node] });
    },

    addNote(position) {
      const { model } = get();
      if (!model) return;
      const nodes = model.nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
      commit({ ...model, nodes: [...nodes, newNote(position, takenIds())] });
    },

    updateStep(id, data, mergeKey) {
      const { model } = get();
      if (!model) return;
      const node = model.nodes.find((n) => n.id === id);
      if (!node || !isStep(node)) return;
      const edges = followPorts(node, data, model.edges, useCatalog.getState().catalog);
      const nodes = model.nodes.map((n) => (n.id === id ? ({ ...n, data } as CanvasNode) : n));
      commit({ ...model, nodes, edges }, mergeKey);
    },

    updateNoteText(id, text) {
      const { model } = get();
      if (!model) return;
      const nodes = model.nodes.map((n) =>
        n.id === id && !isStep(n) ? ({ ...n, data: { ...n.data, text } } as CanvasNode) : n,
      );
      commit({ ...model, nodes }, `note:${id}`);
    },

    updateMeta(patch, mergeKey) {
      const { model } = get();
      if (!model) return;
      commit({ ...model, meta: { ...model.meta, ...patch } }, mergeKey);
    },

    select(ids) {
      const { model } = get();
      if (!model) return;
      const want = new Set(ids);
      set({
        model: {
          ...model,
          nodes: model.nodes.map((n) =>
            !!n.selected === want.has(n.id) ? n : { ...n, selected: want.has(n.id) },
          ),
          edges: model.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        },
      });
    },

    deleteSelection() {
      const { model } = get();
      if (!model) return;
      const ids = selectedIds();
      if (ids.size === 0) return;
      commit({ ...model, ...removeIds(model.nodes, model.edges, ids) });
    },

    copySelection() {
      const { model } = get();
      if (!model) return;
      const ids = selectedIds();
      if (ids.size === 0) return;
      clipboard = copyFragment(model.nodes, model.edges, ids);
      pasteCount = 0;
      const count = clipboard.nodes.length;
      useApp.getState().notify("info", `Copied ${count} item${count === 1 ? "" : "s"}.`);
    },

    paste() {
      const { model } = get();
      if (!model || !clipboard || clipboard.nodes.length === 0) return;
      pasteCount++;
      const shift = 40 * pasteCount;
      const fragment = pasteFragment(clipboard, takenIds(), { x: shift, y: shift });
      const nodes = model.nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
      commit({
        ...model,
        nodes: [...nodes, ...fragment.nodes],
        edges: [...model.edges, ...fragment.edges],
      });
    },

    duplicateSelection() {
      const { model } = get();
      if (!model) return;
      const ids = selectedIds();
      if (ids.size === 0) return;
      const fragment = pasteFragment(copyFragment(model.nodes, model.edges, ids), takenIds(), {
        x: 40,
        y: 40,
      });
      const nodes = model.nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
      commit({
        ...model,
        nodes: [...nodes, ...fragment.nodes],
        edges: [...model.edges, ...fragment.edges],
      });
    },

    layout() {
      const { model } = get();
      if (!model) return;
      const positions = autoLayout(model.nodes, model.edges);
      const nodes = model.nodes.map((n) => {
        const p = positions.get(n.id);
        return p ? { ...n, position: p } : n;
      });
      commit({ ...model, nodes });
    },

    undo() {
      const { history } = get();
      if (history && H.canUndo(history)) restore(H.undo(history));
    },

    redo() {
      const { history } = get();
      if (history && H.canRedo(history)) restore(H.redo(history));
    },
  };
});

// Selectors.
export const selectDirty = (s: EditorState) =>
  s.history !== null && (s.savedKey === null || fileKey(s.history.present) !== s.savedKey);
export const selectCanUndo = (s: EditorState) => s.history !== null && H.canUndo(s.history);
export const selectCanRedo = (s: EditorState) => s.history !== null && H.canRedo(s.history);
export const selectNodes = (s: EditorState) => s.model?.nodes ?? EMPTY_NODES;
export const selectEdges = (s: EditorState) => s.model?.edges ?? EMPTY_EDGES;
/** Ids of the selected nodes, one per line (a string, so that it compares by value). */
export const selectSelectedIds = (s: EditorState) => {
  let out = "";
  for (const n of s.model?.nodes ?? EMPTY_NODES)
    if (n.selected) out = out ? `${out}\n${n.id}` : n.id;
  return out;
};
export const selectMeta = (s: EditorState) => s.model?.meta ?? null;
export const selectFile = (s: EditorState) => s.history?.present ?? null;

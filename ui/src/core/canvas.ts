// The canvas view model, kept apart from the saved file (n8n's canvas.types.ts does the same):
// React Flow nodes and edges on one side, `WorkflowFile` on the other, and pure functions between
// them. A round trip file -> canvas -> file is lossless.
import type { Edge as RFEdge, Node as RFNode } from "@xyflow/react";

import type {
  Edge,
  Node,
  NodeKind,
  Note,
  Pinned,
  RetryPolicy,
  Size,
  WorkflowFile,
} from "../generated/api";

/** What a step node on the canvas carries: everything of a `Node` but its id and position. */
export type StepData = {
  kind: NodeKind;
  name: string;
  params: Record<string, unknown>;
  retry?: RetryPolicy;
  timeout_ms?: number;
  /** Sample output used instead of running the step in test runs. */
  pinned?: Pinned;
};

export type NoteData = { text: string; size?: Size };

export type StepNode = RFNode<StepData, "step">;
export type NoteNode = RFNode<NoteData, "note">;
export type CanvasNode = StepNode | NoteNode;
export type CanvasEdge = RFEdge;

/** The workflow's own properties, edited outside the canvas. */
export interface WorkflowMeta {
  id: string;
  name: string;
  description: string;
  schema_version: number;
  vars: Record<string, unknown>;
}

export interface CanvasModel {
  meta: WorkflowMeta;
  nodes: CanvasNode[];
  edges: CanvasEdge[];
}

/** Note ids live in their own namespace in the file; on the canvas they share one with nodes. */
export const NOTE_PREFIX = "note:";

export function edgeId(e: Edge): string {
  return `${e.from}:${e.from_port ?? "out"}->${e.to}:${e.to_port ?? "in"}`;
}

export function fileToCanvas(file: WorkflowFile): CanvasModel {
  const nodes: CanvasNode[] = (file.nodes ?? []).map(nodeToCanvas);
  for (const note of file.notes ?? []) nodes.push(noteToCanvas(note));
  return {
    meta: {
      id: file.id,
      name: file.name,
      description: file.description ?? "",
      schema_version: file.schema_version,
      vars: structuredClone(file.vars ?? {}),
    },
    nodes,
    edges: (file.edges ?? []).map(edgeToCanvas),
  };
}

export function nodeToCanvas(node: Node): StepNode {
  const data: StepData = {
    kind: node.kind,
    name: node.name ?? "",
    params: structuredClone(node.params ?? {}),
  };
  if (node.retry) data.retry = { ...node.retry };
  if (node.timeout_ms !== undefined && node.timeout_ms !== null) data.timeout_ms = node.timeout_ms;
  if (node.pinned) data.pinned = structuredClone(node.pinned);
  return {
    id: node.id,
    type: "step",
    position: { x: node.position?.x ?? 0, y: node.position?.y ?? 0 },
    data,
  };
}

function noteToCanvas(note: Note): NoteNode {
  const data: NoteData = { text: note.text };
  if (note.size) data.size = { ...note.size };
  const node: NoteNode = {
    id: NOTE_PREFIX + note.id,
    type: "note",
    position: { x: note.position?.x ?? 0, y: note.position?.y ?? 0 },
    data,
    zIndex: -1,
  };
  if (note.size) {
    node.width = note.size.width;
    node.height = note.size.height;
  }
  return node;
}

export function edgeToCanvas(edge: Edge): CanvasEdge {
  return {
    id: edgeId(edge),
    source: edge.from,
    sourceHandle: edge.from_port ?? "out",
    target: edge.to,
    targetHandle: edge.to_port ?? "in",
  };
}

export function isStep(node: CanvasNode): node is StepNode {
  return node.type === "step";
}

export function isNote(node: CanvasNode): node is NoteNode {
  return node.type === "note";
}

/** The canonical file for a canvas: nodes and notes sorted by id, edges sorted. */
export function canvasToFile(model: CanvasModel): WorkflowFile {
  const nodes: Node[] = [];
  const notes: Note[] = [];
  for (const n of model.nodes) {
    if (isStep(n)) nodes.push(stepToFile(n));
    else notes.push(noteToFile(n));
  }
  const edges = model.edges.map(edgeToFile);
  nodes.sort((a, b) => compare(a.id, b.id));
  notes.sort((a, b) => compare(a.id, b.id));
  edges.sort(
    (a, b) =>
      compare(a.from, b.from) ||
      compare(a.from_port ?? "", b.from_port ?? "") ||
      compare(a.to, b.to) ||
      compare(a.to_port ?? "", b.to_port ?? ""),
  );
  return {
    description: model.meta.description,
    edges,
    id: model.meta.id,
    name: model.meta.name,
    nodes,
    notes,
    schema_version: model.meta.schema_version,
    vars: structuredClone(model.meta.vars),
  };
}

function stepToFile(n: StepNode): Node {
  // Keys in the canonical (sorted) order of saved files.
  const node: Node = {
    id: n.id,
    kind: n.data.kind,
    name: n.data.name,
    params: structuredClone(n.data.params),
    ...(n.data.pinned ? { pinned: structuredClone(n.data.pinned) } : {}),
    position: { x: n.position.x, y: n.position.y },
  };
  if (n.data.retry) node.retry = { ...n.data.retry };
  if (n.data.timeout_ms !== undefined) node.timeout_ms = n.data.timeout_ms;
  return node;
}

function noteToFile(n: NoteNode): Note {
  const note: Note = {
    id: n.id.startsWith(NOTE_PREFIX) ? n.id.slice(NOTE_PREFIX.length) : n.id,
    position: { x: n.position.x, y: n.position.y },
    text: n.data.text,
  };
  const width = n.width ?? n.data.size?.width;
  const height = n.height ?? n.data.size?.height;
  if (width !== undefined && height !== undefined) note.size = { width, height };
  return note;
}

function edgeToFile(e: CanvasEdge): Edge {
  return {
    from: e.source,
    from_port: e.sourceHandle ?? "out",
    to: e.target,
    to_port: e.targetHandle ?? "in",
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const keys = new WeakMap<WorkflowFile, string>();

/** A stable text for comparing two files (unsaved changes, history); computed once per file. */
export function fileKey(file: WorkflowFile): string {
  let key = keys.get(file);
  if (key === undefined) {
    key = JSON.stringify(file);
    keys.set(file, key);
  }
  return key;
}

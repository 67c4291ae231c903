// Pure edits of the canvas model. The editor store wraps them with history and selection.
import type { Descriptor, NodeKind } from "../generated/api";
import { defaultParams, outputPorts, type Catalog } from "./catalog";
import {
  isStep,
  NOTE_PREFIX,
  type CanvasEdge,
  type CanvasNode,
  type NoteNode,
  type StepData,
  type StepNode,
} from "./canvas";
import { freshId } from "./ids";

export function newStep(
  descriptor: Descriptor,
  position: { x: number; y: number },
  taken: ReadonlySet<string>,
): StepNode {
  return {
    id: freshId(descriptor.kind, taken),
    type: "step",
    position,
    data: { kind: descriptor.kind, name: descriptor.title, params: defaultParams(descriptor) },
    selected: true,
  };
}

export function newNote(position: { x: number; y: number }, taken: ReadonlySet<string>): NoteNode {
  const ids = new Set(
    [...taken].filter((t) => t.startsWith(NOTE_PREFIX)).map((t) => t.slice(NOTE_PREFIX.length)),
  );
  return {
    id: NOTE_PREFIX + freshId("note", ids),
    type: "note",
    position,
    data: { text: "", size: { width: 240, height: 120 } },
    width: 240,
    height: 120,
    zIndex: -1,
    selected: true,
  };
}

/** Removes the nodes and edges with these ids, and every edge touching a removed node. */
export function removeIds(
  nodes: readonly CanvasNode[],
  edges: readonly CanvasEdge[],
  ids: ReadonlySet<string>,
): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  return {
    nodes: nodes.filter((n) => !ids.has(n.id)),
    edges: edges.filter((e) => !ids.has(e.id) && !ids.has(e.source) && !ids.has(e.target)),
  };
}

/**
 * When a node's settings change its dynamic output ports (a Switch route renamed), edges leaving
 * the renamed port follow it; edges from a removed port are dropped.
 */
export function followPorts(
  node: StepNode,
  next: StepData,
  edges: readonly CanvasEdge[],
  catalog: Catalog,
): CanvasEdge[] {
  const d = catalog.get(node.data.kind as NodeKind);
  if (!d?.dynamic_outputs) return edges as CanvasEdge[];
  const before = outputPorts(d, node.data.params).map((p) => p.name);
  const after = outputPorts(d, next.params).map((p) => p.name);
  if (before.join("\n") === after.join("\n")) return edges as CanvasEdge[];
  const rename = new Map<string, string | null>();
  if (before.length === after.length) {
    before.forEach((name, i) => {
      if (name !== after[i]) rename.set(name, after[i]!);
    });
  } else {
    for (const name of before) if (!after.includes(name)) rename.set(name, null);
  }
  const out: CanvasEdge[] = [];
  for (const e of edges) {
    const handle = e.sourceHandle ?? "out";
    if (e.source !== node.id || !rename.has(handle)) {
      out.push(e);
      continue;
    }
    const to = rename.get(handle);
    if (to) {
      out.push({
        ...e,
        sourceHandle: to,
        id: `${e.source}:${to}->${e.target}:${e.targetHandle ?? "in"}`,
      });
    }
  }
  return out;
}

export function stepIds(nodes: readonly CanvasNode[]): Set<string> {
  return new Set(nodes.filter(isStep).map((n) => n.id));
}

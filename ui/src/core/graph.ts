// Graph questions the editor asks: what runs before a node, would an edge close a loop,
// is a connection allowed (and if not, why, in words a non-programmer understands).
import { isTrigger, outputPorts, type Catalog } from "./catalog";
import { isStep, type CanvasEdge, type CanvasNode, type StepNode } from "./canvas";

/** Ids of every node that runs before `id` (its ancestors), nearest first. */
export function upstreamOf(id: string, edges: readonly CanvasEdge[]): string[] {
  const incoming = new Map<string, string[]>();
  for (const e of edges) {
    const list = incoming.get(e.target) ?? [];
    list.push(e.source);
    incoming.set(e.target, list);
  }
  const seen = new Set<string>([id]);
  const order: string[] = [];
  let frontier = [id];
  while (frontier.length) {
    const next: string[] = [];
    for (const n of frontier) {
      for (const s of incoming.get(n) ?? []) {
        if (seen.has(s)) continue;
        seen.add(s);
        order.push(s);
        next.push(s);
      }
    }
    frontier = next;
  }
  return order;
}

/** Whether `to` can already reach `from` (so an edge from -> to would close a loop). */
export function reaches(from: string, to: string, edges: readonly CanvasEdge[]): boolean {
  return upstreamOf(from, edges).includes(to) || from === to;
}

export interface ConnectionAttempt {
  source: string | null;
  sourceHandle?: string | null | undefined;
  target: string | null;
  targetHandle?: string | null | undefined;
}

/** `null` when the connection is allowed, otherwise the reason it is refused. */
export function connectionProblem(
  c: ConnectionAttempt,
  nodes: readonly CanvasNode[],
  edges: readonly CanvasEdge[],
  catalog: Catalog,
): string | null {
  const source = nodes.find((n) => n.id === c.source);
  const target = nodes.find((n) => n.id === c.target);
  if (!source || !target || !isStep(source) || !isStep(target)) {
    return "Connect an output (right side of a step) to an input (left side of another step).";
  }
  if (source.id === target.id) return "A step cannot be connected to itself.";
  const sd = catalog.get(source.data.kind);
  const td = catalog.get(target.data.kind);
  if (!sd || !td) return "One of these steps is of a kind this version does not know.";
  if (isTrigger(td)) {
    return `"${label(target)}" is a trigger: it starts the workflow, so nothing can lead into it.`;
  }
  const fromPort = c.sourceHandle ?? "out";
  if (!outputPorts(sd, source.data.params).some((p) => p.name === fromPort)) {
    return `"${label(source)}" has no output called "${fromPort}".`;
  }
  const toPort = c.targetHandle ?? "in";
  if (!td.inputs.some((p) => p.name === toPort)) {
    return `"${label(target)}" has no input called "${toPort}".`;
  }
  if (
    edges.some(
      (e) =>
        e.source === source.id &&
        (e.sourceHandle ?? "out") === fromPort &&
        e.target === target.id &&
        (e.targetHandle ?? "in") === toPort,
    )
  ) {
    return "These two steps are already connected this way.";
  }
  if (reaches(source.id, target.id, edges)) {
    return `This would make a loop: "${label(target)}" already runs before "${label(source)}". Workflows run from start to finish, without loops.`;
  }
  return null;
}

export function label(node: StepNode): string {
  return node.data.name || node.id;
}

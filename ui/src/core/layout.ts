// Auto-layout: left to right in the order things run (dagre's layered layout).
import dagre from "@dagrejs/dagre";

import { isStep, type CanvasEdge, type CanvasNode } from "./canvas";

export const DEFAULT_NODE_SIZE = { width: 220, height: 72 };

/** New positions (top-left corners) for the steps; notes stay where they are. */
export function autoLayout(
  nodes: readonly CanvasNode[],
  edges: readonly CanvasEdge[],
): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 40, ranksep: 80, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  const steps = nodes.filter(isStep);
  for (const n of steps) {
    const width = n.measured?.width ?? DEFAULT_NODE_SIZE.width;
    const height = n.measured?.height ?? DEFAULT_NODE_SIZE.height;
    g.setNode(n.id, { width, height });
  }
  for (const e of edges) {
    if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  }
  dagre.layout(g);
  const out = new Map<string, { x: number; y: number }>();
  for (const n of steps) {
    const p = g.node(n.id);
    if (!p) continue;
    out.set(n.id, { x: Math.round(p.x - p.width / 2), y: Math.round(p.y - p.height / 2) });
  }
  return out;
}

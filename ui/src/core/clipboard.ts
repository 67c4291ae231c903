// Copy, paste and duplicate: a fragment of the canvas with fresh ids on the way back in.
import { isStep, NOTE_PREFIX, type CanvasEdge, type CanvasNode } from "./canvas";
import { freshId } from "./ids";

export interface Fragment {
  nodes: CanvasNode[];
  /** Only edges between copied nodes. */
  edges: CanvasEdge[];
}

export function copyFragment(
  nodes: readonly CanvasNode[],
  edges: readonly CanvasEdge[],
  selected: ReadonlySet<string>,
): Fragment {
  return {
    nodes: structuredClone(nodes.filter((n) => selected.has(n.id)).map(stripUi)),
    edges: structuredClone(edges.filter((e) => selected.has(e.source) && selected.has(e.target))),
  };
}

function stripUi(n: CanvasNode): CanvasNode {
  const { selected: _s, dragging: _d, measured: _m, ...rest } = n;
  return rest as CanvasNode;
}

/**
 * The fragment with new ids (not in `taken`), moved by `offset`, selected. Expressions that
 * mention a copied node by id are left alone: they still read the original.
 */
export function pasteFragment(
  fragment: Fragment,
  taken: ReadonlySet<string>,
  offset: { x: number; y: number },
): Fragment {
  const used = new Set(taken);
  const rename = new Map<string, string>();
  for (const n of fragment.nodes) {
    let id: string;
    if (isStep(n)) {
      id = freshId(n.data.kind, used);
    } else {
      id = NOTE_PREFIX + freshId("note", new Set([...used].map((u) => u.replace(NOTE_PREFIX, ""))));
    }
    used.add(id);
    rename.set(n.id, id);
  }
  const nodes = fragment.nodes.map(
    (n) =>
      ({
        ...structuredClone(n),
        id: rename.get(n.id)!,
        position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
        selected: true,
      }) as CanvasNode,
  );
  const edges = fragment.edges.map((e) => {
    const source = rename.get(e.source)!;
    const target = rename.get(e.target)!;
    return {
      ...e,
      id: `${source}:${e.sourceHandle ?? "out"}->${target}:${e.targetHandle ?? "in"}`,
      source,
      target,
      selected: false,
    };
  });
  return { nodes, edges };
}

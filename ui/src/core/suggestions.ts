// What a text field can refer to at a given node: the event's fields (from the trigger's sample),
// the fields arriving as `input`, the outputs of the nodes that run before it, and the variables.
import type { Descriptor } from "../generated/api";
import { isTrigger, sampleEvent, type Catalog } from "./catalog";
import { isStep, type CanvasEdge, type CanvasNode, type StepNode } from "./canvas";
import { upstreamOf } from "./graph";

export interface Suggestion {
  /** What is inserted, e.g. `nodes.score.score`. */
  path: string;
  /** Where it comes from, e.g. "Score the lead" or "sample: 50000". */
  detail: string;
}

/** Kinds whose output is their input, unchanged. */
const PASS_THROUGH = new Set(["condition", "switch", "filter", "delay", "log", "merge"]);

/** Keys of an example value, nested objects as `a.b` (two levels deep). */
export function keysOf(
  value: unknown,
  prefix = "",
  depth = 0,
): { key: string; example: unknown }[] {
  if (typeof value !== "object" || value === null || Array.isArray(value) || depth > 1) return [];
  const out: { key: string; example: unknown }[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) continue;
    const key = prefix ? `${prefix}.${k}` : k;
    out.push({ key, example: v });
    out.push(...keysOf(v, key, depth + 1));
  }
  return out;
}

function preview(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? "");
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** The known output keys of every step (memoised over one computation). */
function outputKeyFinder(
  nodes: readonly CanvasNode[],
  edges: readonly CanvasEdge[],
  catalog: Catalog,
) {
  const byId = new Map(nodes.filter(isStep).map((n) => [n.id, n]));
  const memo = new Map<string, string[]>();
  const visiting = new Set<string>();
  const keys = (id: string): string[] => {
    const cached = memo.get(id);
    if (cached) return cached;
    const node = byId.get(id);
    if (!node || visiting.has(id)) return [];
    visiting.add(id);
    const d: Descriptor | undefined = catalog.get(node.data.kind);
    const inputKeys = () => [
      ...new Set(edges.filter((e) => e.target === id).flatMap((e) => keys(e.source))),
    ];
    let result: string[] = [];
    if (isTrigger(d)) {
      result = keysOf(sampleEvent(node.data.params)).map((k) => k.key);
      if (d?.output_keys) result = [...new Set([...d.output_keys, ...result])];
    } else if (node.data.kind === "set") {
      const fields = node.data.params["fields"];
      const own = typeof fields === "object" && fields !== null ? Object.keys(fields) : [];
      result = node.data.params["keep_input"] ? [...new Set([...inputKeys(), ...own])] : own;
    } else if (d?.output_keys) {
      result = d.output_keys;
    } else if (PASS_THROUGH.has(node.data.kind)) {
      result = inputKeys();
    }
    visiting.delete(id);
    memo.set(id, result);
    return result;
  };
  return keys;
}

export function suggestionsFor(
  nodeId: string,
  nodes: readonly CanvasNode[],
  edges: readonly CanvasEdge[],
  vars: Record<string, unknown>,
  catalog: Catalog,
): Suggestion[] {
  const out: Suggestion[] = [];
  const seen = new Set<string>();
  const add = (path: string, detail: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    out.push({ path, detail });
  };
  const byId = new Map(nodes.filter(isStep).map((n) => [n.id, n]));
  const upstream = upstreamOf(nodeId, edges)
    .map((id) => byId.get(id))
    .filter((n): n is StepNode => n !== undefined);
  const outputKeys = outputKeyFinder(nodes, edges, catalog);

  // The event: from the triggers this node descends from (or any trigger, if not connected yet).
  let triggers = upstream.filter((n) => isTrigger(catalog.get(n.data.kind)));
  if (triggers.length === 0)
    triggers = [...byId.values()].filter((n) => isTrigger(catalog.get(n.data.kind)));
  for (const t of triggers) {
    for (const { key, example } of keysOf(sampleEvent(t.data.params))) {
      add(`event.${key}`, `sample: ${preview(example)}`);
    }
  }
  add("event", "the event that started the run");

  const parents = [...new Set(edges.filter((e) => e.target === nodeId).map((e) => e.source))];
  for (const p of parents) {
    for (const key of outputKeys(p)) add(`input.${key}`, `from ${byId.get(p)?.data.name || p}`);
  }
  add("input", "the data arriving at this step");

  for (const n of upstream) {
    const name = n.data.name || n.id;
    add(`nodes.${n.id}`, name);
    for (const key of outputKeys(n.id)) add(`nodes.${n.id}.${key}`, name);
  }
  for (const [name, value] of Object.entries(vars))
    add(`vars.${name}`, `variable: ${preview(value)}`);
  return out;
}

/** The path being typed just before the cursor (`nodes.sc` in `{{ nodes.sc|`), or null. */
export function tokenBefore(text: string, cursor: number): { start: number; token: string } | null {
  const before = text.slice(0, cursor);
  const match = /[A-Za-z_][A-Za-z0-9_.]*$/.exec(before);
  if (!match) return null;
  return { start: cursor - match[0].length, token: match[0] };
}

/** Whether the cursor is inside `{{ ... }}` in a template. */
export function insideExpression(text: string, cursor: number): boolean {
  const before = text.slice(0, cursor);
  return before.lastIndexOf("{{") > before.lastIndexOf("}}");
}

/** Suggestions that extend `token`, best first (prefix matches before other matches). */
export function filterSuggestions(
  all: readonly Suggestion[],
  token: string,
  limit = 12,
): Suggestion[] {
  const t = token.toLowerCase();
  const prefix = all.filter((s) => s.path.toLowerCase().startsWith(t) && s.path !== token);
  const other = all.filter(
    (s) => !s.path.toLowerCase().startsWith(t) && s.path.toLowerCase().includes(t),
  );
  return [...prefix, ...other].slice(0, limit);
}

// What a run looks like on the canvas: each node's status and result, folded from the run's
// events as they arrive (the same fold as the engine's report), and the path the data took.
import type { NodeError, NodeReport, NodeStatus, RunEvent, RunReport } from "../generated/api";

export interface NodeRun {
  status: NodeStatus;
  attempts: number;
  durationMs: number;
  output?: unknown;
  error?: NodeError | undefined;
  /** Output ports the node sent data to. */
  ports: string[];
  /** The node whose output was this node's input (none: the event). */
  inputFrom?: string;
  /** The output is a pinned sample or a recording: the node did not run. */
  pinned: boolean;
  /** Inside a For each: items that reached the node. */
  items: number;
}

export interface RunView {
  runId: string | null;
  status: "running" | "succeeded" | "failed" | "cancelled";
  nodes: Record<string, NodeRun>;
  failedNode?: string;
  error?: NodeError;
  durationMs?: number;
  logs: { node: string; level: string; message: string }[];
}

export function emptyRun(): RunView {
  return { runId: null, status: "running", nodes: {}, logs: [] };
}

const blank = (): NodeRun => ({
  status: "pending",
  attempts: 0,
  durationMs: 0,
  ports: [],
  pinned: false,
  items: 0,
});

/** The view after one more event (a new object; the nodes not concerned are shared). */
export function applyEvent(view: RunView, e: RunEvent): RunView {
  const node = (id: string, patch: (n: NodeRun) => NodeRun): RunView => ({
    ...view,
    nodes: { ...view.nodes, [id]: patch(view.nodes[id] ?? blank()) },
  });
  const inLoop = (e as { item?: number | null }).item != null;
  switch (e.type) {
    case "run_started":
      return { ...view, runId: e.run_id, status: "running" };
    case "node_started":
      return node(e.node, (n) => ({
        ...n,
        status: "running",
        attempts: inLoop ? n.attempts : e.attempt,
        items: inLoop && e.attempt === 1 ? n.items + 1 : n.items,
        ...(e.input_from ? { inputFrom: e.input_from } : {}),
      }));
    case "node_succeeded":
      return node(e.node, (n) => ({
        ...n,
        status: "succeeded",
        attempts: inLoop ? n.attempts + 1 : e.attempt,
        durationMs: inLoop ? n.durationMs + e.duration_ms : e.duration_ms,
        output: e.output,
        ports: inLoop ? [...new Set([...n.ports, ...e.ports])] : e.ports,
        pinned: n.pinned || !!e.pinned,
        error: undefined,
      }));
    case "node_retrying":
      return node(e.node, (n) => ({
        ...n,
        status: "retrying",
        attempts: e.attempt,
        error: e.error,
      }));
    case "node_failed":
      return node(e.node, (n) => ({
        ...n,
        status: "failed",
        attempts: e.attempt,
        durationMs: e.duration_ms,
        error: e.error,
        ports: e.handled ? ["error"] : n.ports,
      }));
    case "node_skipped":
      return node(e.node, (n) => (n.status === "pending" ? { ...n, status: "skipped" } : n));
    case "log":
      return {
        ...view,
        logs: [...view.logs, { node: e.node, level: e.level, message: e.message }],
      };
    case "run_finished":
      return {
        ...view,
        status: e.status === "running" ? "running" : e.status,
        durationMs: e.duration_ms,
        ...(e.failed_node ? { failedNode: e.failed_node } : {}),
        ...(e.error ? { error: e.error } : {}),
      };
  }
}

/** The view of a finished run, from its report (authoritative once the run has ended). */
export function fromReport(report: RunReport): RunView {
  const nodes: Record<string, NodeRun> = {};
  for (const n of report.nodes) nodes[n.id] = nodeFromReport(n);
  return {
    runId: report.run_id,
    status: report.status === "running" ? "running" : report.status,
    nodes,
    ...(report.failed_node ? { failedNode: report.failed_node } : {}),
    ...(report.error ? { error: report.error } : {}),
    durationMs: report.duration_ms,
    logs: (report.logs ?? []).map((l) => ({ node: l.node, level: l.level, message: l.message })),
  };
}

function nodeFromReport(n: NodeReport): NodeRun {
  return {
    status: n.status,
    attempts: n.attempts ?? 0,
    durationMs: n.duration_ms ?? 0,
    ...(n.output !== undefined ? { output: n.output } : {}),
    ...(n.error ? { error: n.error } : {}),
    ports: n.ports ?? [],
    ...(n.input_from ? { inputFrom: n.input_from } : {}),
    pinned: !!n.pinned,
    items: n.items ?? 0,
  };
}

/** Whether data went along an edge: its source sent to its port and its target ran. */
export function edgeTaken(
  view: RunView,
  edge: { source: string; sourceHandle?: string | null; target: string },
): boolean {
  const from = view.nodes[edge.source];
  const to = view.nodes[edge.target];
  if (!from || !to) return false;
  if (!from.ports.includes(edge.sourceHandle ?? "out")) return false;
  return to.status !== "pending" && to.status !== "skipped";
}

/** What a node read as `input`: the output of the node before it, or the event. */
export function nodeInput(view: RunView, id: string, event: unknown): unknown {
  const from = view.nodes[id]?.inputFrom;
  if (!from) return event;
  return view.nodes[from]?.output ?? null;
}

/** "1.2 ms", "340 ms", "2.5 s" */
export function formatDuration(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

// How compiler diagnostics are shown: a badge per node, messages per setting, a problems list.
import type { Diagnostic, Severity } from "../generated/api";

export interface NodeProblems {
  errors: number;
  warnings: number;
  /** Worst first. */
  messages: Diagnostic[];
}

export interface DiagnosticsView {
  /** By node id. */
  byNode: ReadonlyMap<string, NodeProblems>;
  /** The problems list: errors before warnings, then by node, then as reported. */
  list: Diagnostic[];
  errors: number;
  warnings: number;
}

const rank: Record<Severity, number> = { error: 0, warning: 1 };

export function viewDiagnostics(diagnostics: readonly Diagnostic[]): DiagnosticsView {
  const list = diagnostics
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) =>
        rank[a.d.severity] - rank[b.d.severity] ||
        (a.d.node ?? "").localeCompare(b.d.node ?? "") ||
        a.i - b.i,
    )
    .map(({ d }) => d);
  const byNode = new Map<string, NodeProblems>();
  let errors = 0;
  let warnings = 0;
  for (const d of list) {
    if (d.severity === "error") errors++;
    else warnings++;
    if (!d.node) continue;
    let entry = byNode.get(d.node);
    if (!entry) {
      entry = { errors: 0, warnings: 0, messages: [] };
      byNode.set(d.node, entry);
    }
    if (d.severity === "error") entry.errors++;
    else entry.warnings++;
    entry.messages.push(d);
  }
  return { byNode, list, errors, warnings };
}

/** The top-level setting a diagnostic's `field` concerns: `routes[1].condition` -> `routes`. */
export function fieldRoot(field: string | null | undefined): string | null {
  if (!field) return null;
  const match = /^[^.[]+/.exec(field);
  return match ? match[0] : null;
}

/** Messages for the settings of one node, by top-level field name. */
export function fieldMessages(
  diagnostics: readonly Diagnostic[],
  nodeId: string,
): ReadonlyMap<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    if (d.node !== nodeId) continue;
    const root = fieldRoot(d.field);
    if (!root) continue;
    const list = out.get(root) ?? [];
    list.push(d);
    out.set(root, list);
  }
  return out;
}

/** A one-line summary for a badge or a status bar. */
export function summary(errors: number, warnings: number): string {
  if (errors === 0 && warnings === 0) return "No problems";
  const parts: string[] = [];
  if (errors) parts.push(`${errors} error${errors === 1 ? "" : "s"}`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? "" : "s"}`);
  return parts.join(", ");
}

/** Where a file problem is, for import errors: "line 3, column 7". */
export function position(d: Diagnostic): string | null {
  if (d.line === undefined || d.line === null) return null;
  return d.column !== undefined && d.column !== null
    ? `line ${d.line}, column ${d.column}`
    : `line ${d.line}`;
}

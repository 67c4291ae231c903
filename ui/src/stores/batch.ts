// Batch tests from a CSV: the file, its column mapping, and the results, run in chunks so that
// the progress bar moves and a large file never travels in one request.
import { create } from "zustand";

import { backend } from "../api/backend";
import { TransportError } from "../api/transport";
import { canvasToFile } from "../core/canvas";
import { csvCells, csvChunks } from "../core/csv";
import type { BatchRow, BranchCount, RouteCount } from "../generated/api";
import { useEditor } from "./editor";

/** Rows per request: small enough for a steady progress bar, large enough to stay fast. */
const CHUNK = 25;

export interface BatchResults {
  total: number;
  succeeded: number;
  failed: number;
  invalid: number;
  durationMs: number;
  columns: string[];
  routes: RouteCount[];
  branches: BranchCount[];
  rows: BatchRow[];
}

export interface BatchState {
  fileName: string | null;
  text: string;
  headers: string[];
  rowCount: number;
  /** Column header to event path ("" leaves the column out). */
  map: Record<string, string>;
  /** Outputs to show per row, as `node.path`. */
  columns: string;
  progress: { done: number; total: number } | null;
  results: BatchResults | null;
  error: string | null;

  load(fileName: string, text: string): void;
  setPath(column: string, path: string): void;
  setColumns(text: string): void;
  run(): Promise<void>;
  reset(): void;
}

const empty = {
  fileName: null,
  text: "",
  headers: [],
  rowCount: 0,
  map: {},
  progress: null,
  results: null,
  error: null,
};

function merge<T extends { count: number }>(into: T[], add: T[], key: (t: T) => string): T[] {
  const by = new Map(into.map((t) => [key(t), { ...t }]));
  for (const t of add) {
    const have = by.get(key(t));
    if (have) have.count += t.count;
    else by.set(key(t), { ...t });
  }
  return [...by.values()];
}

let generation = 0;

export const useBatch = create<BatchState>()((set, get) => ({
  ...empty,
  columns: "",

  load(fileName, text) {
    const { header, chunks } = csvChunks(text, CHUNK);
    const headers = header ? csvCells(header).filter((h) => h !== "") : [];
    set({
      ...empty,
      fileName,
      text,
      headers,
      rowCount: chunks.reduce((n, c) => n + c.length, 0),
      map: Object.fromEntries(headers.map((h) => [h, h])),
      error: headers.length
        ? null
        : "The file has no header row: its first line must name the columns.",
    });
  },
  setPath: (column, path) => set({ map: { ...get().map, [column]: path } }),
  setColumns: (columns) => set({ columns }),
  reset: () => {
    generation++;
    set({ ...empty });
  },

  async run() {
    const model = useEditor.getState().model;
    const { text, map, columns } = get();
    if (!model || !text || get().progress) return;
    const mine = ++generation;
    const { header, chunks } = csvChunks(text, CHUNK);
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const workflow = canvasToFile(model);
    const wanted = columns
      .split(/[\s,]+/)
      .map((c) => c.trim())
      .filter(Boolean);
    const results: BatchResults = {
      total: 0,
      succeeded: 0,
      failed: 0,
      invalid: 0,
      durationMs: 0,
      columns: wanted,
      routes: [],
      branches: [],
      rows: [],
    };
    const started = performance.now();
    set({ progress: { done: 0, total }, results, error: null });
    let offset = 0;
    try {
      for (const chunk of chunks) {
        const r = await backend.runBatch(model.meta.id, {
          workflow,
          csv: {
            text: [header, ...chunk].join("\n"),
            map: Object.entries(map).map(([column, path]) => ({ column, path })),
          },
          columns: wanted,
        });
        if (mine !== generation) return;
        results.total += r.total;
        results.succeeded += r.succeeded;
        results.failed += r.failed;
        results.invalid += r.invalid;
        results.routes = merge(results.routes, r.routes, (t) => t.route).sort(
          (a, b) => b.count - a.count,
        );
        results.branches = merge(results.branches, r.branches, (t) => `${t.node}\u0000${t.port}`);
        results.rows = [
          ...results.rows,
          ...r.rows.map((row) => ({ ...row, row: row.row + offset })),
        ];
        offset += chunk.length;
        results.durationMs = performance.now() - started;
        set({ progress: { done: offset, total }, results: { ...results } });
      }
      set({ progress: null });
    } catch (error) {
      if (mine !== generation) return;
      set({
        progress: null,
        error: error instanceof TransportError ? error.message : String(error),
      });
    }
  },
}));

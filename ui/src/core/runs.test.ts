import { describe, expect, it } from "vitest";

import { query } from "../api/commands";
import type { RunReport, RunSummary } from "../generated/api";
import {
  axisDuration,
  axisNumber,
  EMPTY_FILTER,
  formatDuration,
  insertRun,
  matchesFilter,
  niceMax,
  nodeInput,
  percent,
  timeline,
  toRunFilter,
} from "./runs";

const run = (id: string, started_at: number, extra: Partial<RunSummary> = {}): RunSummary => ({
  id,
  started_at,
  finished_at: started_at + 5,
  duration_ms: 5,
  status: "succeeded",
  workflow_id: "leads",
  origin: "webhook",
  ...extra,
});

const report: RunReport = {
  run_id: "r",
  status: "failed",
  duration_ms: 100,
  output: {},
  nodes: [
    { id: "hook", status: "succeeded", started_ms: 0, ended_ms: 0, output: { email: "a" } },
    {
      id: "lookup",
      status: "succeeded",
      started_ms: 10,
      ended_ms: 60,
      input_from: "hook",
      output: { body: 1 },
      pinned: true,
    },
    { id: "crm", status: "failed", started_ms: 60, ended_ms: 100, input_from: "lookup" },
    { id: "later", status: "skipped" },
  ],
};

describe("run filters", () => {
  it("send only what is set, and page after the last run", () => {
    expect(toRunFilter(EMPTY_FILTER)).toEqual({ limit: 50 });
    const form = { ...EMPTY_FILTER, workflow: "leads", status: "failed", q: "  ada " };
    const f = toRunFilter(form, run("run_9", 1234));
    expect(f).toEqual({
      limit: 50,
      workflow: "leads",
      status: "failed",
      q: "ada",
      before: 1234,
      before_id: "run_9",
    });
    expect(query({ ...f })).toBe(
      "?limit=50&workflow=leads&status=failed&q=ada&before=1234&before_id=run_9",
    );
    const since = toRunFilter({ ...EMPTY_FILTER, since: "2026-01-02T03:04" }).since;
    expect(since).toBe(new Date("2026-01-02T03:04").getTime());
  });

  it("tell whether a live run belongs to the list, or that the list must be read again", () => {
    const r = run("a", 1000, { status: "failed" });
    expect(matchesFilter(r, EMPTY_FILTER)).toBe(true);
    expect(matchesFilter(r, { ...EMPTY_FILTER, status: "succeeded" })).toBe(false);
    expect(matchesFilter(r, { ...EMPTY_FILTER, workflow: "orders" })).toBe(false);
    expect(matchesFilter(r, { ...EMPTY_FILTER, q: "ada" })).toBeNull();
  });

  it("keep the list newest first without duplicates", () => {
    const list = [run("c", 30), run("a", 10)];
    expect(insertRun(list, run("b", 20)).map((r) => r.id)).toEqual(["c", "b", "a"]);
    expect(insertRun(list, run("d", 40)).map((r) => r.id)).toEqual(["d", "c", "a"]);
    expect(insertRun(list, run("c", 30, { status: "failed" }))[0]?.status).toBe("failed");
  });
});

describe("timeline", () => {
  it("places each node by its start and end in the run", () => {
    const rows = timeline(report, 100);
    expect(rows.map((r) => [r.id, r.left, r.width])).toEqual([
      ["hook", 0, 0],
      ["lookup", 0.1, 0.5],
      ["crm", 0.6, 0.4],
      ["later", 0, 0],
    ]);
    expect(rows[1]?.pinned).toBe(true);
    expect(rows[3]?.startMs).toBeNull();
  });

  it("finds a node's input: the event, or the output of the node before", () => {
    expect(nodeInput(report, report.nodes[0]!, { e: 1 })).toEqual({
      from: "the event",
      value: { e: 1 },
    });
    expect(nodeInput(report, report.nodes[2]!, {})).toEqual({ from: "lookup", value: { body: 1 } });
    expect(nodeInput(report, report.nodes[3]!, {})).toBeNull();
  });
});

describe("formatting and scales", () => {
  it("formats durations, rates and axis bounds", () => {
    expect(formatDuration(950)).toBe("950 ms");
    expect(formatDuration(1250)).toBe("1.25 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(null)).toBe("–");
    expect(formatDuration(0)).toBe("0 ms");
    expect([0, 125, 2500, 90_000].map(axisDuration)).toEqual(["0", "125ms", "2.5s", "1.5m"]);
    expect([0, 0.25, 12.5].map(axisNumber)).toEqual(["0", "0.25", "12.5"]);
    expect(percent(0.6)).toBe("60%");
    expect(percent(null)).toBe("–");
    expect([0, 0.3, 3, 7, 12, 240].map(niceMax)).toEqual([1, 0.5, 5, 10, 20, 250]);
  });
});

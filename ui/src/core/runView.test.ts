import { describe, expect, it } from "vitest";

import type { RunEvent } from "../generated/api";
import { applyEvent, edgeTaken, emptyRun, fromReport, nodeInput } from "./runView";
import { eventSkeleton, parseEvent } from "./sampleEvent";
import { fileToCanvas, isStep, type StepNode } from "./canvas";
import { lead } from "../test/fixtures";

const fold = (events: RunEvent[]) => events.reduce(applyEvent, emptyRun());

const hotRun: RunEvent[] = [
  { type: "run_started", run_id: "r1", workflow_id: "w", trigger: "start", started_at_ms: 1 },
  { type: "node_started", node: "start", attempt: 1 },
  {
    type: "node_succeeded",
    node: "start",
    attempt: 1,
    duration_ms: 0.1,
    output: { m: "hi" },
    ports: ["out"],
  },
  { type: "node_started", node: "classify", attempt: 1, input_from: "start" },
  {
    type: "node_retrying",
    node: "classify",
    attempt: 1,
    error: { code: "http_status", message: "503" },
    delay_ms: 10,
  },
  { type: "node_started", node: "classify", attempt: 2, input_from: "start" },
  {
    type: "node_succeeded",
    node: "classify",
    attempt: 2,
    duration_ms: 12,
    output: { label: "hot" },
    ports: ["out", "hot"],
    pinned: true,
  },
  { type: "node_skipped", node: "nurture" },
  { type: "node_started", node: "crm", attempt: 1, input_from: "classify" },
];

describe("the run view folds events as they arrive", () => {
  it("tracks each step's status, attempts, output and route", () => {
    const v = fold(hotRun);
    expect(v.runId).toBe("r1");
    expect(v.status).toBe("running");
    expect(v.nodes["classify"]).toMatchObject({
      status: "succeeded",
      attempts: 2,
      output: { label: "hot" },
      ports: ["out", "hot"],
      pinned: true,
    });
    expect(v.nodes["classify"]!.error).toBeUndefined();
    expect(v.nodes["nurture"]!.status).toBe("skipped");
    expect(v.nodes["crm"]!.status).toBe("running");
    expect(nodeInput(v, "crm", { m: "hi" })).toEqual({ label: "hot" });
    expect(nodeInput(v, "start", { m: "hi" })).toEqual({ m: "hi" });
  });

  it("shows a retry while it waits, and the failure with its error", () => {
    const retrying = fold(hotRun.slice(0, 5));
    expect(retrying.nodes["classify"]).toMatchObject({ status: "retrying", attempts: 1 });
    const failed = fold([
      ...hotRun.slice(0, 4),
      {
        type: "node_failed",
        node: "classify",
        attempt: 1,
        duration_ms: 3,
        error: { code: "timeout", message: "gave up" },
        handled: false,
      },
      {
        type: "run_finished",
        status: "failed",
        duration_ms: 4,
        failed_node: "classify",
        error: { code: "timeout", message: "gave up" },
      },
    ]);
    expect(failed.status).toBe("failed");
    expect(failed.failedNode).toBe("classify");
    expect(failed.nodes["classify"]!.error?.code).toBe("timeout");
  });

  it("highlights only the connections the data went along", () => {
    const v = fold(hotRun);
    expect(edgeTaken(v, { source: "classify", sourceHandle: "hot", target: "crm" })).toBe(true);
    expect(edgeTaken(v, { source: "classify", sourceHandle: "warm", target: "nurture" })).toBe(
      false,
    );
    expect(edgeTaken(v, { source: "start", sourceHandle: "out", target: "classify" })).toBe(true);
  });

  it("reads a finished run from its report", () => {
    const v = fromReport({
      run_id: "r2",
      status: "succeeded",
      duration_ms: 5,
      output: {},
      nodes: [
        { id: "a", status: "succeeded", output: 1, ports: ["out"], duration_ms: 1, attempts: 1 },
        { id: "b", status: "skipped" },
      ],
    });
    expect(v.status).toBe("succeeded");
    expect(v.nodes["a"]).toMatchObject({ status: "succeeded", output: 1, attempts: 1 });
    expect(v.nodes["b"]).toMatchObject({ status: "skipped", ports: [] });
  });
});

describe("the sample event", () => {
  it("lists the event fields the steps read when the trigger has no sample", () => {
    const steps = fileToCanvas(lead()).nodes.filter(isStep) as StepNode[];
    const skeleton = eventSkeleton(steps);
    expect(Object.keys(skeleton).length).toBeGreaterThan(0);
    for (const key of Object.keys(skeleton)) {
      expect(steps.some((s) => JSON.stringify(s.data.params).includes(`event.${key}`))).toBe(true);
    }
  });

  it("says why text is not an event", () => {
    expect(parseEvent("")).toEqual({ event: {} });
    expect(parseEvent('{"a": 1}')).toEqual({ event: { a: 1 } });
    expect("error" in parseEvent("{a: 1}")).toBe(true);
  });
});

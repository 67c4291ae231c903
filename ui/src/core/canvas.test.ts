import { describe, expect, it } from "vitest";

import type { WorkflowFile } from "../generated/api";
import { lead, workflows } from "../test/fixtures";
import { canvasToFile, fileToCanvas, isNote, isStep, NOTE_PREFIX } from "./canvas";

describe("file <-> canvas", () => {
  it("keeps a pinned sample output, in canonical key order", () => {
    const file = lead();
    const node = file.nodes![1]!;
    const pinned = { output: { label: "hot", confidence: 0.9 }, ports: ["out", "hot"] };
    const { position, retry, timeout_ms, ...head } = node;
    file.nodes![1] = {
      ...head,
      pinned,
      ...(position ? { position } : {}),
      ...(retry ? { retry } : {}),
      ...(timeout_ms != null ? { timeout_ms } : {}),
    };
    const back = canvasToFile(fileToCanvas(file));
    expect(back.nodes![1]!.pinned).toEqual(pinned);
    expect(JSON.stringify(back)).toBe(JSON.stringify(file));
  });

  it.each(Object.keys(workflows))("round-trips %s losslessly", (id) => {
    const file = workflows[id]!;
    expect(canvasToFile(fileToCanvas(file))).toEqual(file);
  });

  it("keeps the exact canonical key order (so saving unchanged files is byte-identical)", () => {
    const file = lead();
    expect(JSON.stringify(canvasToFile(fileToCanvas(file)), null, 2)).toBe(
      JSON.stringify(file, null, 2),
    );
  });

  it("keeps positions, params, retry, timeout, notes with sizes, vars and edge ports", () => {
    const file: WorkflowFile = {
      schema_version: 1,
      id: "all",
      name: "All",
      description: "d",
      nodes: [
        {
          id: "a",
          kind: "manual_trigger",
          name: "Start",
          params: { sample: { x: 1 } },
          position: { x: 1.5, y: -2 },
        },
        {
          id: "b",
          kind: "http_request",
          name: "Call",
          params: { url: "{{ vars.u }}", headers: { A: "1" } },
          position: { x: 300, y: 0 },
          retry: { max_attempts: 3, backoff_ms: 10, jitter: false, max_backoff_ms: 100 },
          timeout_ms: 2500,
        },
      ],
      edges: [
        { from: "a", from_port: "out", to: "b", to_port: "in" },
        { from: "b", from_port: "error", to: "a", to_port: "in" },
      ],
      notes: [
        { id: "n1", position: { x: 5, y: 6 }, text: "hello", size: { width: 200, height: 90 } },
        { id: "n2", position: { x: 0, y: 0 }, text: "" },
      ],
      vars: { u: "https://x", n: 3 },
    };
    const model = fileToCanvas(file);
    expect(model.nodes.filter(isStep)).toHaveLength(2);
    const notes = model.nodes.filter(isNote);
    expect(notes.map((n) => n.id)).toEqual([`${NOTE_PREFIX}n1`, `${NOTE_PREFIX}n2`]);
    expect(model.edges[1]).toMatchObject({
      source: "b",
      sourceHandle: "error",
      target: "a",
      targetHandle: "in",
    });
    expect(canvasToFile(model)).toEqual(file);
  });

  it("fills the defaults of a sparse file and sorts what it writes", () => {
    const sparse: WorkflowFile = {
      schema_version: 1,
      id: "s",
      name: "S",
      nodes: [
        { id: "z", kind: "log" },
        { id: "a", kind: "manual_trigger" },
      ],
      edges: [{ from: "a", to: "z" }],
    };
    expect(canvasToFile(fileToCanvas(sparse))).toEqual({
      description: "",
      edges: [{ from: "a", from_port: "out", to: "z", to_port: "in" }],
      id: "s",
      name: "S",
      nodes: [
        { id: "a", kind: "manual_trigger", name: "", params: {}, position: { x: 0, y: 0 } },
        { id: "z", kind: "log", name: "", params: {}, position: { x: 0, y: 0 } },
      ],
      notes: [],
      schema_version: 1,
      vars: {},
    });
  });

  it("does not share objects between the file and the canvas", () => {
    const file = lead();
    const model = fileToCanvas(file);
    const step = model.nodes.find(isStep)!;
    step.data.params["changed"] = true;
    expect(file.nodes!.some((n) => "changed" in (n.params ?? {}))).toBe(false);
  });

  it("writes a moved node's new position", () => {
    const model = fileToCanvas(lead());
    model.nodes = model.nodes.map((n) =>
      n.id === "score" ? { ...n, position: { x: 1, y: 2 } } : n,
    );
    expect(canvasToFile(model).nodes!.find((n) => n.id === "score")!.position).toEqual({
      x: 1,
      y: 2,
    });
  });
});

import { describe, expect, it } from "vitest";

import { catalog, lead } from "../test/fixtures";
import { fileToCanvas } from "./canvas";
import { connectionProblem, upstreamOf } from "./graph";

describe("connections", () => {
  const model = fileToCanvas(lead());
  const check = (source: string, sourceHandle: string, target: string, targetHandle = "in") =>
    connectionProblem(
      { source, sourceHandle, target, targetHandle },
      model.nodes,
      model.edges,
      catalog,
    );

  it("allows a new edge between compatible ports", () => {
    expect(check("normalise", "out", "follow_up")).toBeNull();
    expect(check("route", "warm", "crm")).toBeNull();
    expect(check("normalise", "error", "crm_failed")).toBeNull();
  });

  it("refuses with a reason a non-programmer understands", () => {
    expect(check("score", "out", "lead_form")).toMatch(/is a trigger/);
    expect(check("score", "out", "score")).toMatch(/itself/);
    expect(check("score", "out", "route")).toMatch(/already connected/);
    expect(check("follow_up", "out", "normalise")).toMatch(/loop/);
    expect(check("route", "cold", "archive")).toMatch(/no output called "cold"/);
    expect(check("lead_form", "error", "score")).toMatch(/no output called "error"/);
    expect(check("score", "out", "about")).not.toBeNull();
  });

  it("lists what runs before a node, nearest first", () => {
    expect(upstreamOf("score", model.edges)).toEqual(["normalise", "lead_form"]);
    expect(upstreamOf("lead_form", model.edges)).toEqual([]);
  });
});

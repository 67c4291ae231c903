import { describe, expect, it } from "vitest";

import { catalog, lead } from "../test/fixtures";
import { fileToCanvas } from "./canvas";
import {
  filterSuggestions,
  insideExpression,
  keysOf,
  suggestionsFor,
  tokenBefore,
} from "./suggestions";

describe("autocomplete", () => {
  const model = fileToCanvas(lead());
  const at = (id: string) =>
    suggestionsFor(id, model.nodes, model.edges, model.meta.vars, catalog).map((s) => s.path);

  it("offers the trigger's sample event fields", () => {
    expect(at("normalise")).toEqual(
      expect.arrayContaining(["event.budget", "event.email", "event.company"]),
    );
  });

  it("offers upstream nodes' output fields, not downstream ones", () => {
    const paths = at("route");
    expect(paths).toEqual(
      expect.arrayContaining(["nodes.score.score", "nodes.normalise.email", "input.score"]),
    );
    // score keeps its input, so it carries normalise's fields too
    expect(paths).toContain("nodes.score.email");
    expect(paths.some((p) => p.startsWith("nodes.crm"))).toBe(false);
  });

  it("uses descriptor output keys (HTTP request) and variables", () => {
    const paths = at("alert_sales");
    expect(paths).toEqual(
      expect.arrayContaining(["nodes.crm.status", "nodes.crm.body", "vars.crm_url"]),
    );
  });

  it("finds the token being typed and whether it is inside {{ }}", () => {
    expect(tokenBefore("Hi {{ nodes.sc", 14)).toEqual({ start: 6, token: "nodes.sc" });
    expect(tokenBefore("a >= ", 5)).toBeNull();
    expect(insideExpression("Hi {{ x }} and {{ y", 19)).toBe(true);
    expect(insideExpression("Hi {{ x }} and", 14)).toBe(false);
  });

  it("ranks prefix matches first", () => {
    const all = [
      { path: "vars.score", detail: "" },
      { path: "nodes.score.score", detail: "" },
      { path: "nodes.scout", detail: "" },
    ];
    expect(filterSuggestions(all, "nodes.sco").map((s) => s.path)).toEqual([
      "nodes.score.score",
      "nodes.scout",
    ]);
    expect(filterSuggestions(all, "score").map((s) => s.path)).toEqual([
      "vars.score",
      "nodes.score.score",
    ]);
  });

  it("flattens nested sample keys two levels deep", () => {
    expect(keysOf({ a: { b: { c: 1 } }, "bad key": 1 }).map((k) => k.key)).toEqual(["a", "a.b"]);
  });
});

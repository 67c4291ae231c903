import { describe, expect, it } from "vitest";

import { catalog, descriptors, lead } from "../test/fixtures";
import { outputPorts } from "./catalog";
import { fileToCanvas, isStep, NOTE_PREFIX, type StepNode } from "./canvas";
import { copyFragment, pasteFragment } from "./clipboard";
import { followPorts, newNote, newStep, removeIds } from "./edits";
import { freshId, slugify, uniqueSlug } from "./ids";
import { nodeShape } from "./nodeShape";

describe("edits", () => {
  it("adds a step with the descriptor's defaults and a fresh id", () => {
    const http = descriptors.find((d) => d.kind === "http_request")!;
    const node = newStep(http, { x: 5, y: 6 }, new Set(["http_request_1"]));
    expect(node.id).toBe("http_request_2");
    expect(node.data.params).toMatchObject({ method: "GET", url: "" });
    expect(newNote({ x: 0, y: 0 }, new Set([`${NOTE_PREFIX}note_1`])).id).toBe(
      `${NOTE_PREFIX}note_2`,
    );
  });

  it("removes edges that touch removed nodes", () => {
    const m = fileToCanvas(lead());
    const out = removeIds(m.nodes, m.edges, new Set(["score"]));
    expect(out.nodes.some((n) => n.id === "score")).toBe(false);
    expect(out.edges.some((e) => e.source === "score" || e.target === "score")).toBe(false);
    expect(out.edges).toHaveLength(m.edges.length - 2);
  });

  it("makes Switch ports from its routes, and edges follow a renamed route", () => {
    const m = fileToCanvas(lead());
    const route = m.nodes.find((n) => n.id === "route") as StepNode;
    const d = catalog.get("switch")!;
    expect(outputPorts(d, route.data.params).map((p) => p.name)).toEqual([
      "hot",
      "warm",
      "default",
      "error",
    ]);
    const routes = [
      { name: "very_hot", condition: "true" },
      { name: "warm", condition: "true" },
    ];
    const edges = followPorts(
      route,
      { ...route.data, params: { ...route.data.params, routes } },
      m.edges,
      catalog,
    );
    expect(edges.find((e) => e.target === "crm")!.sourceHandle).toBe("very_hot");
    const fewer = followPorts(
      route,
      { ...route.data, params: { ...route.data.params, routes: routes.slice(1) } },
      m.edges,
      catalog,
    );
    expect(fewer.some((e) => e.sourceHandle === "hot")).toBe(false);
    expect(fewer.some((e) => e.sourceHandle === "warm")).toBe(true);
  });

  it("copies and pastes with new ids and internal edges only", () => {
    const m = fileToCanvas(lead());
    const frag = copyFragment(m.nodes, m.edges, new Set(["normalise", "score"]));
    expect(frag.edges).toHaveLength(1);
    const pasted = pasteFragment(frag, new Set(m.nodes.map((n) => n.id)), { x: 40, y: 40 });
    expect(pasted.nodes.map((n) => n.id)).toEqual(["set_1", "set_2"]);
    expect(pasted.edges[0]).toMatchObject({ source: "set_1", target: "set_2" });
    const original = m.nodes.find((n) => n.id === "normalise")!;
    expect(pasted.nodes[0]!.position).toEqual({
      x: original.position.x + 40,
      y: original.position.y + 40,
    });
  });

  it("makes ids and slugs", () => {
    expect(freshId("http_request", new Set())).toBe("http_request_1");
    expect(slugify("Lead Processing — Été 2026!")).toBe("lead-processing-ete-2026");
    expect(uniqueSlug("a", new Set(["a", "a-2"]))).toBe("a-3");
  });

  it("places handles: rows for several outputs, one header handle for a single one", () => {
    const m = fileToCanvas(lead());
    const trigger = m.nodes.filter(isStep).find((n) => n.id === "lead_form")!;
    const single = nodeShape(catalog.get(trigger.data.kind), trigger.data.params);
    expect(single.rows).toBe(false);
    expect(single.inputY).toBeNull();
    const cond = nodeShape(catalog.get("condition"), {});
    expect(cond.outputs.map((o) => o.port.name)).toEqual(["true", "false", "error"]);
    expect(cond.height).toBeGreaterThan(single.height);
  });
});

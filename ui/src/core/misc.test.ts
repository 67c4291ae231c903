import { describe, expect, it } from "vitest";

import { shortcutFor } from "../features/editor/shortcuts";
import { catalog, lead } from "../test/fixtures";
import { canonicalJson } from "./canonical";
import { fileToCanvas } from "./canvas";
import { autoLayout } from "./layout";
import { graphToSvg } from "./svg";

const key = (k: string, mods: Partial<{ ctrl: boolean; shift: boolean; alt: boolean }> = {}) => ({
  key: k,
  ctrlKey: mods.ctrl ?? false,
  metaKey: false,
  shiftKey: mods.shift ?? false,
  altKey: mods.alt ?? false,
});

describe("shortcuts", () => {
  it("maps keys to actions", () => {
    expect(shortcutFor(key("z", { ctrl: true }), false)).toBe("undo");
    expect(shortcutFor(key("Z", { ctrl: true, shift: true }), false)).toBe("redo");
    expect(shortcutFor(key("s", { ctrl: true }), false)).toBe("save");
    expect(shortcutFor(key("Delete"), false)).toBe("delete");
    expect(shortcutFor(key("L", { shift: true }), false)).toBe("layout");
  });

  it("leaves text fields their own keys, but Ctrl+S always saves", () => {
    expect(shortcutFor(key("z", { ctrl: true }), true)).toBeNull();
    expect(shortcutFor(key("Backspace"), true)).toBeNull();
    expect(shortcutFor(key("s", { ctrl: true }), true)).toBe("save");
  });
});

describe("canonical JSON", () => {
  it("sorts keys at every level and ends with a newline", () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 2 } })).toBe(
      '{\n  "a": {\n    "c": 2,\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
  });
});

describe("auto-layout", () => {
  it("puts every step to the right of the steps before it", () => {
    const m = fileToCanvas(lead());
    const p = autoLayout(m.nodes, m.edges);
    for (const e of m.edges) expect(p.get(e.target)!.x).toBeGreaterThan(p.get(e.source)!.x);
    expect(p.has("note:about")).toBe(false);
  });
});

describe("SVG export", () => {
  it("draws every step, edge and note, escaping text", () => {
    const m = fileToCanvas(lead());
    const svg = graphToSvg(m.nodes, m.edges, catalog, "Leads <&> more");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("Leads &lt;&amp;&gt; more");
    expect(svg).toContain("Score the lead");
    expect(svg.match(/stroke-width="1.6"/g)).toHaveLength(m.edges.length);
    expect(svg).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });
});

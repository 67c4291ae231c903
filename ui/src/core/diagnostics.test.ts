import { describe, expect, it } from "vitest";

import type { Diagnostic } from "../generated/api";
import { fieldMessages, fieldRoot, position, summary, viewDiagnostics } from "./diagnostics";

const d = (p: Partial<Diagnostic> & Pick<Diagnostic, "code">): Diagnostic => ({
  severity: "error",
  message: p.code,
  ...p,
});

describe("diagnostics display", () => {
  const list = [
    d({ code: "unknown_field", severity: "warning", node: "a" }),
    d({ code: "missing_setting", node: "b", field: "url" }),
    d({ code: "no_trigger" }),
    d({ code: "expression_syntax", node: "a", field: "routes[1].condition" }),
  ];

  it("counts per node and puts the worst first", () => {
    const view = viewDiagnostics(list);
    expect(view.errors).toBe(3);
    expect(view.warnings).toBe(1);
    expect(view.byNode.get("a")).toMatchObject({ errors: 1, warnings: 1 });
    expect(view.byNode.get("a")!.messages[0]!.code).toBe("expression_syntax");
    expect(view.byNode.has("c")).toBe(false);
    expect(view.list.map((x) => x.code)).toEqual([
      "no_trigger",
      "expression_syntax",
      "missing_setting",
      "unknown_field",
    ]);
  });

  it("maps field paths to the top-level setting", () => {
    expect(fieldRoot("routes[1].condition")).toBe("routes");
    expect(fieldRoot("fields.email")).toBe("fields");
    expect(fieldRoot(null)).toBeNull();
    const byField = fieldMessages(list, "a");
    expect([...byField.keys()]).toEqual(["routes"]);
  });

  it("summarises and locates", () => {
    expect(summary(0, 0)).toBe("No problems");
    expect(summary(1, 2)).toBe("1 error, 2 warnings");
    expect(position(d({ code: "invalid_json", line: 3, column: 7 }))).toBe("line 3, column 7");
    expect(position(d({ code: "invalid_json", line: 3 }))).toBe("line 3");
    expect(position(d({ code: "x" }))).toBeNull();
  });
});

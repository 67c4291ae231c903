import { describe, expect, it } from "vitest";

import { buildCondition, literal, parseCondition, type Condition } from "./condition";

describe("condition builder", () => {
  it("writes field / operator / value as an expression", () => {
    expect(
      buildCondition({ join: "and", rules: [{ field: "event.budget", op: ">=", value: "10000" }] }),
    ).toBe("event.budget >= 10000");
    expect(
      buildCondition({
        join: "or",
        rules: [
          { field: "event.message", op: "contains", value: "demo" },
          { field: "event.source", op: "==", value: "website" },
          { field: "nodes.score.score", op: ">=", value: "vars.hot_score" },
        ],
      }),
    ).toBe(
      "'demo' in event.message or event.source == 'website' or nodes.score.score >= vars.hot_score",
    );
  });

  it("quotes text safely and leaves numbers, booleans and paths bare", () => {
    expect(literal("it's")).toBe("'it\\'s'");
    expect(literal("a\\b")).toBe("'a\\\\b'");
    expect(literal("-3.5")).toBe("-3.5");
    expect(literal("true")).toBe("true");
    expect(literal("vars.limit")).toBe("vars.limit");
    expect(literal("12 apples")).toBe("'12 apples'");
  });

  it("skips rows without a field", () => {
    expect(buildCondition({ join: "and", rules: [{ field: " ", op: "==", value: "x" }] })).toBe("");
  });

  const cases: Condition[] = [
    { join: "and", rules: [{ field: "event.budget", op: ">=", value: "10000" }] },
    {
      join: "and",
      rules: [
        { field: "event.email", op: "is_not_empty", value: "" },
        { field: "event.message", op: "not_contains", value: "student's" },
      ],
    },
    {
      join: "or",
      rules: [
        { field: "event.tier", op: "!=", value: "cold and old" },
        { field: "input.ok", op: "is_empty", value: "" },
      ],
    },
  ];
  it.each(cases.map((c) => [buildCondition(c), c] as const))("reads back %s", (text, c) => {
    expect(parseCondition(text)).toEqual(c);
  });

  it("reads the seed workflows' conditions", () => {
    expect(parseCondition("nodes.score.score >= vars.hot_score")).toEqual({
      join: "and",
      rules: [{ field: "nodes.score.score", op: ">=", value: "vars.hot_score" }],
    });
  });

  it("declines what it cannot show, so it is edited as text", () => {
    expect(parseCondition("event.a > 1 and event.b < 2 or event.c")).toBeNull();
    expect(parseCondition("(event.budget | int) > 5")).toBeNull();
    expect(parseCondition("")).toEqual({ join: "and", rules: [] });
  });
});

import { describe, expect, it } from "vitest";

import { canRedo, canUndo, HISTORY_LIMIT, record, redo, seal, startHistory, undo } from "./history";

describe("history", () => {
  it("undoes and redoes in order", () => {
    let h = startHistory(1);
    h = record(h, 2);
    h = record(h, 3);
    expect(canUndo(h)).toBe(true);
    h = undo(h);
    expect(h.present).toBe(2);
    h = undo(h);
    expect(h.present).toBe(1);
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h);
    h = redo(h);
    h = redo(h);
    expect(h.present).toBe(3);
    expect(canRedo(h)).toBe(false);
  });

  it("drops the redo branch when a new edit is recorded", () => {
    let h = record(record(startHistory("a"), "b"), "c");
    h = record(undo(h), "d");
    expect(h.present).toBe("d");
    expect(canRedo(h)).toBe(false);
    expect(undo(h).present).toBe("b");
  });

  it("merges consecutive edits with the same key into one step", () => {
    let h = startHistory("");
    h = record(h, "H", { mergeKey: "name" });
    h = record(h, "He", { mergeKey: "name" });
    h = record(h, "Hey", { mergeKey: "name" });
    expect(undo(h).present).toBe("");
    h = record(h, "Hey!", { mergeKey: "other" });
    expect(undo(h).present).toBe("Hey");
  });

  it("does not merge across an undo or a seal", () => {
    let h = record(startHistory(0), 1, { mergeKey: "k" });
    h = record(seal(h), 2, { mergeKey: "k" });
    expect(undo(h).present).toBe(1);
  });

  it("ignores edits that change nothing", () => {
    const h = record(startHistory({ v: 1 }), { v: 2 });
    const same = (a: { v: number }, b: { v: number }) => a.v === b.v;
    expect(record(h, { v: 2 }, { same })).toBe(h);
  });

  it("keeps at most HISTORY_LIMIT steps", () => {
    let h = startHistory(0);
    for (let i = 1; i <= HISTORY_LIMIT + 50; i++) h = record(h, i);
    expect(h.past).toHaveLength(HISTORY_LIMIT);
    expect(h.past[0]).toBe(50);
  });
});

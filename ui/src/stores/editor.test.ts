import { beforeEach, describe, expect, it } from "vitest";

import { canvasToFile, fileKey, type StepData } from "../core/canvas";
import { ready } from "../core/loadable";
import { catalog, descriptors, lead } from "../test/fixtures";
import { useApp } from "./app";
import { useCatalog } from "./catalog";
import { selectCanRedo, selectCanUndo, selectDirty, useEditor } from "./editor";

const s = () => useEditor.getState();
const file = () => s().history!.present;
const node = (id: string) => file().nodes!.find((n) => n.id === id);

beforeEach(() => {
  useCatalog.setState({ catalog, descriptors: ready(descriptors) });
  useApp.setState({ toasts: [] });
  s().open(lead());
});

describe("editor store", () => {
  it("opens clean and becomes dirty on an edit; undo makes it clean again", () => {
    expect(selectDirty(s())).toBe(false);
    expect(selectCanUndo(s())).toBe(false);
    s().addStep("log", { x: 10, y: 20 });
    expect(selectDirty(s())).toBe(true);
    expect(node("log_1")).toMatchObject({ kind: "log", position: { x: 10, y: 20 } });
    s().undo();
    expect(node("log_1")).toBeUndefined();
    expect(selectDirty(s())).toBe(false);
    expect(selectCanRedo(s())).toBe(true);
    s().redo();
    expect(node("log_1")).toBeDefined();
  });

  it("a new workflow is dirty until saved", () => {
    s().open(lead(), { saved: false });
    expect(selectDirty(s())).toBe(true);
    s().markSaved(file());
    expect(selectDirty(s())).toBe(false);
  });

  it("typing into one setting is one undo step", () => {
    const score = s().model!.nodes.find((n) => n.id === "score")!;
    for (const name of ["S", "Sc", "Sco"]) {
      s().updateStep("score", { ...(score.data as StepData), name }, "score:name");
    }
    expect(node("score")!.name).toBe("Sco");
    s().undo();
    expect(node("score")!.name).toBe("Score the lead");
  });

  it("connects valid ports and refuses invalid ones with a message", () => {
    s().connect({
      source: "normalise",
      sourceHandle: "out",
      target: "follow_up",
      targetHandle: "in",
    });
    expect(file().edges!.some((e) => e.from === "normalise" && e.to === "follow_up")).toBe(true);
    const before = file();
    s().connect({
      source: "follow_up",
      sourceHandle: "out",
      target: "normalise",
      targetHandle: "in",
    });
    expect(file()).toBe(before);
    expect(useApp.getState().toasts.at(-1)?.text).toMatch(/loop/);
  });

  it("deletes the selection with its edges as one step", () => {
    s().select(["score"]);
    s().deleteSelection();
    expect(node("score")).toBeUndefined();
    expect(file().edges!.some((e) => e.from === "score" || e.to === "score")).toBe(false);
    s().undo();
    expect(node("score")).toBeDefined();
    expect(file()).toEqual(lead());
  });

  it("duplicates and pastes with fresh ids", () => {
    s().select(["normalise", "score"]);
    s().duplicateSelection();
    expect(file().nodes!.map((n) => n.id)).toEqual(expect.arrayContaining(["set_1", "set_2"]));
    s().select(["crm"]);
    s().copySelection();
    s().paste();
    s().paste();
    expect(file().nodes!.filter((n) => n.kind === "http_request")).toHaveLength(3);
  });

  it("moving a node records one step when the drag ends", () => {
    s().onNodesChange([
      { type: "position", id: "score", position: { x: 1, y: 1 }, dragging: true },
    ]);
    expect(selectCanUndo(s())).toBe(false);
    s().onNodesChange([
      { type: "position", id: "score", position: { x: 5, y: 5 }, dragging: false },
    ]);
    expect(node("score")!.position).toEqual({ x: 5, y: 5 });
    s().undo();
    expect(node("score")!.position).toEqual({ x: 520, y: 200 });
  });

  it("selection alone is not an edit", () => {
    s().onNodesChange([{ type: "select", id: "score", selected: true }]);
    expect(selectCanUndo(s())).toBe(false);
    expect(selectDirty(s())).toBe(false);
  });

  it("keeps only diagnostics that describe the present file", () => {
    const stale = fileKey(file());
    s().addNote({ x: 0, y: 0 });
    s().setDiagnostics(stale, [{ code: "no_trigger", severity: "error", message: "x" }]);
    expect(s().diagnostics).toEqual([]);
    s().setDiagnostics(fileKey(file()), [
      { code: "missing_setting", severity: "error", message: "x", node: "crm" },
    ]);
    expect(s().view.byNode.get("crm")?.errors).toBe(1);
  });

  it("auto-layout moves steps but is undoable", () => {
    s().layout();
    expect(canvasToFile(s().model!)).not.toEqual(lead());
    s().undo();
    expect(file()).toEqual(lead());
  });
});

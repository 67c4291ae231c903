import { useReactFlow } from "@xyflow/react";
import { useEffect, useRef, useState } from "react";

import { Icon } from "../../components/Icon";
import { ThemeToggle } from "../../components/ThemeToggle";
import { graphToSvg } from "../../core/svg";
import { openSettings } from "../../stores/app";
import { useCatalog } from "../../stores/catalog";
import { ask } from "../../stores/dialogs";
import {
  selectCanRedo,
  selectCanUndo,
  selectDirty,
  selectMeta,
  useEditor,
} from "../../stores/editor";
import { exportAs, exportJson, goHome, saveCurrent } from "../files/actions";
import { svgToPng } from "../files/image";
import { Canvas } from "./Canvas";
import "./editor.css";
import { Inspector } from "./Inspector";
import { Palette } from "./Palette";
import { ProblemsPanel } from "./ProblemsPanel";
import { RunPanel } from "./run/RunPanel";
import { useRun } from "../../stores/run";
import { SHORTCUTS, shortcutFor, type ShortcutAction } from "./shortcuts";
import { useValidation } from "./useValidation";

export function EditorScreen() {
  useValidation();
  const run = useEditorActions();
  useShortcuts(run);
  useUnloadGuard();
  useRunClearedOnLeave();
  return (
    <div className="editor">
      <Toolbar run={run} />
      <div className="editor__body">
        <Palette />
        <div className="editor__centre">
          <Canvas />
          <RunPanel />
          <ProblemsPanel />
        </div>
        <Inspector />
      </div>
    </div>
  );
}

function useEditorActions() {
  const { fitView, screenToFlowPosition } = useReactFlow();
  return (action: ShortcutAction) => {
    const s = useEditor.getState();
    switch (action) {
      case "save":
        return void saveCurrent();
      case "undo":
        return s.undo();
      case "redo":
        return s.redo();
      case "copy":
        return s.copySelection();
      case "paste":
        return s.paste();
      case "duplicate":
        return s.duplicateSelection();
      case "delete":
        return s.deleteSelection();
      case "selectAll":
        return s.select(s.model?.nodes.map((n) => n.id) ?? []);
      case "layout":
        s.layout();
        return void setTimeout(() => void fitView({ padding: 0.2, duration: 300, maxZoom: 1 }), 30);
      case "fit":
        return void fitView({ padding: 0.2, duration: 300, maxZoom: 1 });
      case "note": {
        const c = document.querySelector(".canvas")?.getBoundingClientRect();
        const p = screenToFlowPosition(
          c ? { x: c.left + c.width / 2, y: c.top + c.height / 2 } : { x: 300, y: 300 },
        );
        return s.addNote({ x: Math.round(p.x - 120), y: Math.round(p.y - 60) });
      }
      case "help":
        return void showShortcuts();
    }
  };
}

function useShortcuts(run: (a: ShortcutAction) => void) {
  const runRef = useRef(run);
  runRef.current = run;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      if (document.querySelector(".dialog-backdrop")) return;
      const t = e.target as HTMLElement | null;
      const inText = !!t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      const action = shortcutFor(e, inText);
      if (!action) return;
      e.preventDefault();
      runRef.current(action);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}

/** A run shown on the canvas belongs to the workflow it ran: it goes when the workflow does. */
function useRunClearedOnLeave() {
  const id = useEditor((s) => s.model?.meta.id);
  useEffect(() => () => useRun.getState().clear(), [id]);
}

/** The browser asks before closing a tab with unsaved changes. */
function useUnloadGuard() {
  const dirty = useEditor(selectDirty);
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [dirty]);
}

function showShortcuts() {
  return ask({
    type: "custom",
    render: (close) => (
      <>
        <h2>Keyboard shortcuts</h2>
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.action}>
                <td>
                  {s.keys.split("+").map((k) => (
                    <span key={k} className="kbd">
                      {k}
                    </span>
                  ))}
                </td>
                <td>{s.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">
          On a Mac, use ⌘ for Ctrl. Hold Shift and drag on the canvas to select several steps.
        </p>
        <div className="dialog__actions">
          <button className="btn btn--primary" onClick={() => close(null)}>
            Close
          </button>
        </div>
      </>
    ),
  });
}

function Toolbar({ run }: { run: (a: ShortcutAction) => void }) {
  const meta = useEditor(selectMeta);
  const dirty = useEditor(selectDirty);
  const canUndo = useEditor(selectCanUndo);
  const canRedo = useEditor(selectCanRedo);
  const isNew = useEditor((s) => s.savedKey === null);
  const updateMeta = useEditor((s) => s.updateMeta);
  if (!meta) return null;

  return (
    <header className="toolbar">
      <button
        className="btn btn--ghost btn--icon"
        onClick={() => void goHome()}
        title="Back to your workflows"
        aria-label="Back to your workflows"
        data-testid="back-home"
      >
        <Icon name="back" />
      </button>
      <div className="toolbar__title">
        <input
          className="toolbar__name"
          value={meta.name}
          aria-label="Workflow name"
          onChange={(e) => updateMeta({ name: e.target.value }, "meta:name")}
          size={Math.max(8, meta.name.length + 1)}
          data-testid="workflow-name"
        />
        <span className="toolbar__status" data-testid="save-status">
          {isNew ? "Not saved yet" : dirty ? "Unsaved changes" : "All changes saved"}
        </span>
      </div>
      <div className="toolbar__group">
        <button
          className="btn btn--ghost btn--icon"
          disabled={!canUndo}
          onClick={() => run("undo")}
          title="Undo (Ctrl+Z)"
          aria-label="Undo"
          data-testid="undo"
        >
          <Icon name="undo" />
        </button>
        <button
          className="btn btn--ghost btn--icon"
          disabled={!canRedo}
          onClick={() => run("redo")}
          title="Redo (Ctrl+Shift+Z)"
          aria-label="Redo"
          data-testid="redo"
        >
          <Icon name="redo" />
        </button>
        <span className="toolbar__sep" />
        <button
          className="btn btn--ghost btn--icon"
          onClick={() => run("layout")}
          title="Tidy up (Shift+L)"
          aria-label="Tidy up the layout"
        >
          <Icon name="layout" />
        </button>
        <button
          className="btn btn--ghost btn--icon"
          onClick={() => run("fit")}
          title="Zoom to fit (Shift+1)"
          aria-label="Zoom to fit"
        >
          <Icon name="fit" />
        </button>
        <button
          className="btn btn--ghost btn--icon"
          onClick={() => run("note")}
          title="Add a sticky note (N)"
          aria-label="Add a sticky note"
        >
          <Icon name="note" />
        </button>
        <span className="toolbar__sep" />
        <RunButton />
        <ExportMenu />
        <button
          className="btn btn--ghost btn--icon"
          onClick={() => run("help")}
          title="Keyboard shortcuts (?)"
          aria-label="Keyboard shortcuts"
        >
          <Icon name="keyboard" />
        </button>
        <button
          className="btn btn--ghost btn--icon"
          onClick={openSettings}
          title="Settings: connections, secrets, network"
          aria-label="Settings"
          data-testid="open-settings"
        >
          <Icon name="gear" />
        </button>
        <ThemeToggle />
        <button
          className="btn btn--primary"
          onClick={() => run("save")}
          disabled={!dirty}
          title="Save (Ctrl+S)"
          data-testid="save"
        >
          <Icon name="save" size={16} /> Save
        </button>
      </div>
    </header>
  );
}

function RunButton() {
  const open = useRun((s) => s.panelOpen);
  const toggle = useRun((s) => s.togglePanel);
  return (
    <button
      className={open ? "btn btn--ghost btn--active" : "btn btn--ghost"}
      onClick={() => toggle()}
      aria-pressed={open}
      title="Run this workflow on a sample event"
      data-testid="open-run"
    >
      <Icon name="play" size={16} /> Run
    </button>
  );
}

function ExportMenu() {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener("mousedown", close);
    return () => window.removeEventListener("mousedown", close);
  }, [open]);

  const picture = () => {
    const { model } = useEditor.getState();
    if (!model) return null;
    return {
      id: model.meta.id,
      svg: graphToSvg(model.nodes, model.edges, useCatalog.getState().catalog, model.meta.name),
    };
  };
  const exportSvg = async () => {
    const p = picture();
    if (p) await exportAs(`${p.id}.svg`, "svg", () => p.svg);
  };
  const exportPng = async () => {
    const p = picture();
    if (p) await exportAs(`${p.id}.png`, "png", () => svgToPng(p.svg));
  };

  const item = (label: string, hint: string, icon: "file" | "image", fn: () => void) => (
    <button
      role="menuitem"
      className="menu__item"
      onClick={() => {
        setOpen(false);
        fn();
      }}
    >
      <Icon name={icon} size={16} />
      <span>
        <strong>{label}</strong>
        <small>{hint}</small>
      </span>
    </button>
  );

  return (
    <div className="menu" ref={ref}>
      <button
        className="btn btn--ghost"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        data-testid="export"
      >
        <Icon name="download" size={16} /> Export
      </button>
      {open && (
        <div className="menu__list" role="menu">
          {item(
            "Workflow file (.json)",
            "To share or keep in git. Never contains secrets.",
            "file",
            () => void exportJson(),
          )}
          {item(
            "Picture (.svg)",
            "Sharp at any size, for documents.",
            "image",
            () => void exportSvg(),
          )}
          {item("Picture (.png)", "For slides and chat.", "image", () => void exportPng())}
        </div>
      )}
    </div>
  );
}

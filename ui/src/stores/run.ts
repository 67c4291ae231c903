// Runs from the editor: the sample event, test mode, and the run being shown on the canvas
// (live while it goes, then from its report).
import { create } from "zustand";

import { backend } from "../api/backend";
import { TransportError } from "../api/transport";
import { canvasToFile } from "../core/canvas";
import { applyEvent, emptyRun, fromReport, type RunView } from "../core/runView";
import { useEditor } from "./editor";

export type RunTab = "run" | "tests" | "batch";

export interface RunState {
  panelOpen: boolean;
  tab: RunTab;
  /** The sample event as typed (JSON text), per workflow id. */
  eventTexts: Record<string, string>;
  /** Simulate side effects and use pinned samples (on by default: nothing reaches a customer). */
  testMode: boolean;
  /** The trigger to start from (null: the default one). */
  trigger: string | null;
  /** The run shown on the canvas. */
  view: RunView | null;
  /** The event the shown run started with. */
  event: unknown;
  running: boolean;
  /** Why the last run could not start or be followed. */
  error: string | null;

  togglePanel(open?: boolean): void;
  setTab(tab: RunTab): void;
  setEventText(workflowId: string, text: string): void;
  setTestMode(on: boolean): void;
  setTrigger(id: string | null): void;
  /** Starts a run of the open workflow; `beforeRealRun` saves it (false: do not run). */
  start(event: unknown, beforeRealRun: () => Promise<boolean>): Promise<void>;
  cancel(): Promise<void>;
  clear(): void;
}

const TEXTS_KEY = "switchyard.sampleEvents";

function storedTexts(): Record<string, string> {
  try {
    const raw = globalThis.localStorage?.getItem(TEXTS_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** Each run gets a number; events of an older run (cancelled, replaced) are ignored. */
let current = 0;

export const useRun = create<RunState>()((set, get) => ({
  panelOpen: false,
  tab: "run",
  eventTexts: storedTexts(),
  testMode: true,
  trigger: null,
  view: null,
  event: null,
  running: false,
  error: null,

  togglePanel: (open) => set({ panelOpen: open ?? !get().panelOpen }),
  setTab: (tab) => set({ tab }),
  setEventText(workflowId, text) {
    const eventTexts = { ...get().eventTexts, [workflowId]: text };
    try {
      globalThis.localStorage?.setItem(TEXTS_KEY, JSON.stringify(eventTexts));
    } catch {
      // Private mode: kept for this session only.
    }
    set({ eventTexts });
  },
  setTestMode: (testMode) => set({ testMode }),
  setTrigger: (trigger) => set({ trigger }),

  async start(event, beforeRealRun) {
    const model = useEditor.getState().model;
    if (!model || get().running) return;
    const testMode = get().testMode;
    if (!testMode && !(await beforeRealRun())) return;
    const mine = ++current;
    set({ running: true, error: null, view: emptyRun(), event });
    const trigger = get().trigger;
    try {
      const outcome = await backend.runLive(
        {
          workflow_id: model.meta.id,
          ...(testMode ? { file: canvasToFile(model) } : {}),
          ...(trigger ? { trigger } : {}),
          event: event as Record<string, unknown>,
          test_mode: testMode,
        },
        (e) => {
          if (mine !== current) return;
          const view = get().view;
          if (view) set({ view: applyEvent(view, e) });
        },
      );
      if (mine === current) set({ view: fromReport(outcome.report), running: false });
    } catch (error) {
      if (mine !== current) return;
      const message = error instanceof TransportError ? error.message : String(error);
      set({ running: false, error: message, view: get().view?.runId ? get().view : null });
    }
  },

  async cancel() {
    const id = get().view?.runId;
    if (!get().running || !id) return;
    try {
      await backend.cancelRun(id);
    } catch (error) {
      // It ended in the meantime: its outcome arrives anyway.
      if (!(error instanceof TransportError && error.code === "not_found")) throw error;
    }
  },

  clear() {
    current++;
    set({ view: null, event: null, running: false, error: null });
  },
}));

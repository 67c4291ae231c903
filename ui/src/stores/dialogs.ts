// Modal questions as promises: `await ask(...)` resolves with the chosen action (null: cancelled).
import type { ReactNode } from "react";
import { create } from "zustand";

export interface Action {
  id: string;
  label: string;
  tone?: "primary" | "danger";
}

export type DialogSpec =
  | { type: "choice"; title: string; message: ReactNode; actions: Action[] }
  | {
      type: "prompt";
      title: string;
      message?: ReactNode;
      label: string;
      value: string;
      confirm: string;
      /** A reason the value cannot be used, or null. */
      validate?: (value: string) => string | null;
    }
  | {
      type: "custom";
      wide?: boolean;
      render: (close: (result: string | null) => void) => ReactNode;
    };

interface Open {
  id: number;
  spec: DialogSpec;
  resolve: (result: string | null) => void;
}

interface DialogState {
  open: Open[];
  show(spec: DialogSpec): Promise<string | null>;
  close(id: number, result: string | null): void;
}

let nextId = 1;

export const useDialogs = create<DialogState>()((set, get) => ({
  open: [],
  show(spec) {
    return new Promise((resolve) => {
      set({ open: [...get().open, { id: nextId++, spec, resolve }] });
    });
  },
  close(id, result) {
    const dialog = get().open.find((d) => d.id === id);
    set({ open: get().open.filter((d) => d.id !== id) });
    dialog?.resolve(result);
  },
}));

export const ask = (spec: DialogSpec) => useDialogs.getState().show(spec);

// Keyboard shortcuts of the editor, as data (listed in the help dialog) and as one handler.

export interface Shortcut {
  keys: string;
  label: string;
  action: ShortcutAction;
}

export type ShortcutAction =
  | "save"
  | "undo"
  | "redo"
  | "copy"
  | "paste"
  | "duplicate"
  | "delete"
  | "selectAll"
  | "layout"
  | "fit"
  | "note"
  | "help";

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: "Ctrl+S", label: "Save", action: "save" },
  { keys: "Ctrl+Z", label: "Undo", action: "undo" },
  { keys: "Ctrl+Shift+Z", label: "Redo (also Ctrl+Y)", action: "redo" },
  { keys: "Ctrl+C", label: "Copy the selection", action: "copy" },
  { keys: "Ctrl+V", label: "Paste", action: "paste" },
  { keys: "Ctrl+D", label: "Duplicate the selection", action: "duplicate" },
  { keys: "Delete", label: "Delete the selection (also Backspace)", action: "delete" },
  { keys: "Ctrl+A", label: "Select everything", action: "selectAll" },
  { keys: "Shift+L", label: "Tidy up (auto-layout)", action: "layout" },
  { keys: "Shift+1", label: "Zoom to fit", action: "fit" },
  { keys: "N", label: "Add a sticky note", action: "note" },
  { keys: "?", label: "Show these shortcuts", action: "help" },
];

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** The action for a key press, or null. `inText`: the focus is in a text field. */
export function shortcutFor(e: KeyLike, inText: boolean): ShortcutAction | null {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (mod && !e.altKey && key === "s") return "save";
  if (inText) return null; // Text fields keep their own undo, copy and paste.
  if (mod && key === "z") return e.shiftKey ? "redo" : "undo";
  if (mod && key === "y") return "redo";
  if (mod && key === "c") return "copy";
  if (mod && key === "v") return "paste";
  if (mod && key === "d") return "duplicate";
  if (mod && key === "a") return "selectAll";
  if (mod || e.altKey) return null;
  if (key === "Delete" || key === "Backspace") return "delete";
  if (e.shiftKey && key === "l") return "layout";
  if (e.shiftKey && (key === "!" || key === "1")) return "fit";
  if (key === "n") return "note";
  if (key === "?") return "help";
  return null;
}

// Which screen is showing, the theme, and passing messages (toasts).
import { create } from "zustand";

export type Screen =
  | { name: "home" }
  | { name: "editor" }
  /** `back`: the screen the Settings' back button returns to (the open workflow stays open). */
  | { name: "settings"; back: "home" | "editor" }
  /** Run history, dead letters, metrics; `back` as for Settings. */
  | { name: "runs"; back: "home" | "editor" };
export type ThemeChoice = "system" | "light" | "dark";

export interface Toast {
  id: number;
  tone: "info" | "success" | "error";
  text: string;
}

interface AppState {
  screen: Screen;
  theme: ThemeChoice;
  toasts: Toast[];
  go(screen: Screen): void;
  setTheme(theme: ThemeChoice): void;
  notify(tone: Toast["tone"], text: string): void;
  dismiss(id: number): void;
}

const THEME_KEY = "switchyard.theme";

function storedTheme(): ThemeChoice {
  try {
    const t = globalThis.localStorage?.getItem(THEME_KEY);
    return t === "light" || t === "dark" ? t : "system";
  } catch {
    return "system";
  }
}

let nextToast = 1;

export const useApp = create<AppState>()((set, get) => ({
  screen: { name: "home" },
  theme: storedTheme(),
  toasts: [],
  go: (screen) => set({ screen }),
  setTheme(theme) {
    try {
      globalThis.localStorage?.setItem(THEME_KEY, theme);
    } catch {
      // Private mode: the choice lasts for this session.
    }
    set({ theme });
  },
  notify(tone, text) {
    const id = nextToast++;
    set({ toasts: [...get().toasts.slice(-3), { id, tone, text }] });
    setTimeout(() => get().dismiss(id), tone === "error" ? 7000 : 3500);
  },
  dismiss: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
}));

/** Shows Settings; its back button returns to the current screen. */
export function openSettings(): void {
  const { screen, go } = useApp.getState();
  if (screen.name === "settings") return;
  go({ name: "settings", back: screen.name === "runs" ? screen.back : screen.name });
}

import { useApp, type ThemeChoice } from "../stores/app";
import { Icon } from "./Icon";

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };
const LABEL: Record<ThemeChoice, string> = {
  system: "Theme: follows the system",
  light: "Theme: light",
  dark: "Theme: dark",
};

export function ThemeToggle() {
  const theme = useApp((s) => s.theme);
  const setTheme = useApp((s) => s.setTheme);
  return (
    <button
      className="btn btn--ghost btn--icon"
      title={`${LABEL[theme]} (click to change)`}
      aria-label={LABEL[theme]}
      onClick={() => setTheme(NEXT[theme])}
    >
      <Icon name={theme === "dark" ? "moon" : theme === "light" ? "sun" : "contrast"} />
    </button>
  );
}

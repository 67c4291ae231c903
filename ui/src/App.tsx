import { ReactFlowProvider } from "@xyflow/react";
import { useEffect } from "react";

import { DialogHost } from "./components/DialogHost";
import { Toasts } from "./components/Toasts";
import { EditorScreen } from "./features/editor/EditorScreen";
import { HomeScreen } from "./features/home/HomeScreen";
import { RunsScreen } from "./features/runs/RunsScreen";
import { SettingsScreen } from "./features/settings/SettingsScreen";
import { useApp } from "./stores/app";
import { useCatalog } from "./stores/catalog";
import { useSettings } from "./stores/settings";

export function App() {
  const screen = useApp((s) => s.screen.name);
  const theme = useApp((s) => s.theme);

  useEffect(() => {
    void useCatalog.getState().load();
    void useSettings.getState().load();
  }, []);

  useEffect(() => {
    const root = document.documentElement;
    if (theme === "system") delete root.dataset["theme"];
    else root.dataset["theme"] = theme;
  }, [theme]);

  return (
    <>
      {screen === "home" ? (
        <HomeScreen />
      ) : screen === "settings" ? (
        <SettingsScreen />
      ) : screen === "runs" ? (
        <RunsScreen />
      ) : (
        <ReactFlowProvider>
          <EditorScreen />
        </ReactFlowProvider>
      )}
      <DialogHost />
      <Toasts />
    </>
  );
}

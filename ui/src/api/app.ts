// Calls about the app itself. Each function is one backend command.
import { transport } from "./transport";

/** Mirrors `AppInfo` in src-tauri/src/commands.rs (to be generated into ../generated/). */
export interface AppInfo {
  name: string;
  version: string;
}

export function getAppInfo(): Promise<AppInfo> {
  return transport().call<AppInfo>("app_info");
}

/**
 * Tells the desktop shell that the first screen shows `shownVersion`. The shell uses it for its
 * smoke check (SWITCHYARD_SMOKE_EXIT=1) and ignores it otherwise; there is nothing to tell in a browser.
 */
export async function reportUiReady(shownVersion: string): Promise<void> {
  const t = transport();
  if (t.kind !== "tauri") return;
  await t.call<void>("ui_ready", { shownVersion });
}

// The workspace settings and the names of the stored secrets, loaded once and refreshed after
// every change made in Settings. Node forms read them for their pickers.
import { create } from "zustand";

import { backend } from "../api/backend";
import { failed, loading, ready, type Loadable } from "../core/loadable";
import type { SecretList, Workspace, WorkspaceState } from "../generated/api";

interface SettingsState {
  workspace: Loadable<WorkspaceState>;
  secrets: Loadable<SecretList>;
  /** Loads both lists unless they are already loaded. */
  load(): Promise<void>;
  /** Loads both lists again. */
  refresh(): Promise<void>;
  /** Saves `workspace.json`; throws the backend's error (shown beside the form). */
  saveWorkspace(settings: Workspace): Promise<void>;
  setSecret(name: string, value: string): Promise<void>;
  deleteSecret(name: string): Promise<void>;
}

export const useSettings = create<SettingsState>()((set, get) => {
  const loadWorkspace = () =>
    backend.getWorkspace().then(
      (value) => set({ workspace: ready(value) }),
      (error: unknown) => set({ workspace: failed(error) }),
    );
  const loadSecrets = () =>
    backend.listSecrets().then(
      (value) => set({ secrets: ready(value) }),
      (error: unknown) => set({ secrets: failed(error) }),
    );
  return {
    workspace: loading,
    secrets: loading,
    async load() {
      const { workspace, secrets } = get();
      await Promise.all([
        workspace.state === "ready" ? undefined : loadWorkspace(),
        secrets.state === "ready" ? undefined : loadSecrets(),
      ]);
    },
    async refresh() {
      await Promise.all([loadWorkspace(), loadSecrets()]);
    },
    async saveWorkspace(settings) {
      // The backend reports a missing workspace.json as schema_version 0, which it refuses
      // to save; this UI writes version 1.
      const saved = await backend.saveWorkspace({ ...settings, schema_version: 1 });
      set({ workspace: ready(saved) });
    },
    async setSecret(name, value) {
      await backend.setSecret(name, value);
      await loadSecrets();
    },
    async deleteSecret(name) {
      try {
        await backend.deleteSecret(name);
      } finally {
        await loadSecrets();
      }
    },
  };
});

/** The settings in use, or undefined while loading or when they could not be loaded. */
export const selectWorkspace = (s: SettingsState): Workspace | undefined =>
  s.workspace.state === "ready" ? s.workspace.value.settings : undefined;

export const selectSecretList = (s: SettingsState): SecretList | undefined =>
  s.secrets.state === "ready" ? s.secrets.value : undefined;

// The workflow list on the home screen.
import { create } from "zustand";

import { backend } from "../api/backend";
import { failed, loading, ready, type Loadable } from "../core/loadable";
import type { WorkflowSummary } from "../generated/api";

interface WorkflowsState {
  list: Loadable<WorkflowSummary[]>;
  refresh(): Promise<WorkflowSummary[]>;
}

export const useWorkflows = create<WorkflowsState>()((set) => ({
  list: loading,
  async refresh() {
    try {
      const list = await backend.listWorkflows();
      list.sort((a, b) => a.name.localeCompare(b.name));
      set({ list: ready(list) });
      return list;
    } catch (error) {
      set({ list: failed(error) });
      return [];
    }
  },
}));

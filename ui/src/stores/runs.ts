// The Runs screen's state: the history's filters and list (kept current by live updates),
// the selected run, and a comparison of two runs.
import { create } from "zustand";

import { backend } from "../api/backend";
import { failed, loading, ready, type Loadable } from "../core/loadable";
import {
  EMPTY_FILTER,
  insertRun,
  matchesFilter,
  PAGE,
  toRunFilter,
  type FilterForm,
} from "../core/runs";
import type { RunSummary } from "../generated/api";
import { useApp } from "./app";

export type RunsTab = "history" | "dead" | "metrics";

interface RunsState {
  tab: RunsTab;
  filter: FilterForm;
  list: Loadable<RunSummary[]>;
  /** Whether older runs may exist beyond the list. */
  more: boolean;
  selected: string | null;
  compare: { a: string; b: string } | null;
  setTab(tab: RunsTab): void;
  setFilter(patch: Partial<FilterForm>): void;
  resetFilter(workflow?: string): void;
  refresh(): Promise<void>;
  loadMore(): Promise<void>;
  select(id: string | null): void;
  openCompare(a: string, b: string): void;
  closeCompare(): void;
  /** A run was stored: add it when it belongs to the list as filtered. */
  arrived(run: RunSummary): void;
}

/** Every read of the list gets a number: an answer to an older read is dropped. */
let generation = 0;
/** Runs kept in the list while they arrive (older ones come back with "Load older runs"). */
const MAX_LIVE = 500;
/** Reading the list again because of arrivals: at most once per this many ms. */
const REREAD_MS = 1000;
let reread: ReturnType<typeof setTimeout> | null = null;

export const useRuns = create<RunsState>()((set, get) => ({
  tab: "history",
  filter: EMPTY_FILTER,
  list: loading,
  more: false,
  selected: null,
  compare: null,
  setTab: (tab) => set({ tab }),
  setFilter(patch) {
    set({ filter: { ...get().filter, ...patch } });
    void get().refresh();
  },
  resetFilter(workflow) {
    set({ filter: { ...EMPTY_FILTER, workflow: workflow ?? "" } });
    void get().refresh();
  },
  async refresh() {
    const mine = ++generation;
    if (get().list.state !== "ready") set({ list: loading });
    try {
      const runs = await backend.listRuns(toRunFilter(get().filter));
      if (mine === generation) set({ list: ready(runs), more: runs.length === PAGE });
    } catch (error) {
      if (mine === generation) set({ list: failed(error) });
    }
  },
  async loadMore() {
    const list = get().list;
    if (list.state !== "ready" || list.value.length === 0) return;
    const mine = ++generation;
    const last = list.value[list.value.length - 1];
    try {
      const older = await backend.listRuns(toRunFilter(get().filter, last));
      if (mine !== generation) return;
      set({ list: ready([...list.value, ...older]), more: older.length === PAGE });
    } catch (error) {
      if (mine === generation) set({ list: failed(error) });
    }
  },
  select: (id) => set({ selected: id, compare: null }),
  openCompare: (a, b) => set({ compare: { a, b } }),
  closeCompare: () => set({ compare: null }),
  arrived(run) {
    const { list, filter } = get();
    const fits = matchesFilter(run, filter);
    if (fits === null) {
      // The text filter reads the event: ask the server, once for a burst of arrivals.
      reread ??= setTimeout(() => {
        reread = null;
        void get().refresh();
      }, REREAD_MS);
      return;
    }
    if (!fits || list.state !== "ready") return;
    const next = insertRun(list.value, run);
    set({
      list: ready(next.slice(0, MAX_LIVE)),
      more: get().more || next.length > MAX_LIVE,
    });
  },
}));

/** Shows the Runs screen (its history filtered to `workflow`, when given). */
export function openRuns(workflow?: string, tab: RunsTab = "history"): void {
  const { screen, go } = useApp.getState();
  const back = screen.name === "editor" ? "editor" : "home";
  useRuns.setState({ tab, selected: null, compare: null });
  useRuns.getState().resetFilter(workflow);
  go({ name: "runs", back });
}

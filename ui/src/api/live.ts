// Runs as they are stored, for the history's live updates. In a browser (served by
// `switchyard serve`) they come from the server's event stream (`/api/stream`, Server-Sent
// Events). In the desktop app the UI talks to the engine over IPC, which has no stream: the
// newest runs are read again every few seconds instead (documented in ARCHITECTURE.md).
import type { RunSummary } from "../generated/api";
import { backend } from "./backend";
import { transport } from "./transport";

/** How often the desktop app looks for new runs. */
export const POLL_MS = 3000;

export interface LiveRuns {
  /** `sse` (pushed) or `poll` (read again every POLL_MS). */
  readonly mode: "sse" | "poll";
  stop(): void;
}

/** Calls `onStored` with each run stored from now on; `onGap` when some may have been missed. */
export function watchRuns(onStored: (run: RunSummary) => void, onGap: () => void): LiveRuns {
  if (transport().kind === "http" && typeof EventSource !== "undefined") {
    const source = new EventSource("/api/stream?stored=true");
    let opened = false;
    source.onopen = () => {
      // After a reconnection, runs stored in between were not pushed.
      if (opened) onGap();
      opened = true;
    };
    source.onmessage = (message: MessageEvent<string>) => {
      try {
        const event = JSON.parse(message.data) as { type?: string; run?: RunSummary };
        if (event.type === "run_stored" && event.run) onStored(event.run);
        else if (event.type === "lagged") onGap();
      } catch {
        // Not JSON: ignore it.
      }
    };
    return { mode: "sse", stop: () => source.close() };
  }
  let seen = new Set<string>();
  let first = true;
  let stopped = false;
  const tick = async () => {
    try {
      const latest = await backend.listRuns({ limit: 20 });
      if (!first) {
        for (const run of [...latest].reverse()) if (!seen.has(run.id)) onStored(run);
      }
      seen = new Set(latest.map((r) => r.id));
      first = false;
    } catch {
      // The next tick tries again.
    }
  };
  void tick();
  const timer = setInterval(() => {
    if (!stopped) void tick();
  }, POLL_MS);
  return {
    mode: "poll",
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

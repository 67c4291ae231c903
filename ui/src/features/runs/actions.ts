// What an operator does with a run: run it again, retry it from its failed node, replay it,
// and the dead letters' retry and discard. Each tells the outcome in a toast and shows the
// run it produced.
import { backend } from "../../api/backend";
import type { RetryVersion, RunSummary } from "../../generated/api";
import { useApp } from "../../stores/app";
import { ask } from "../../stores/dialogs";
import { useRuns } from "../../stores/runs";

function problem(what: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  useApp.getState().notify("error", `${what}: ${message}`);
}

function show(run: RunSummary | null | undefined, done: string): void {
  if (!run) return;
  const tone = run.status === "succeeded" ? "success" : "error";
  useApp.getState().notify(tone, `${done}: ${run.status}.`);
  useRuns.getState().arrived(run);
  useRuns.getState().select(run.id);
}

export async function rerun(id: string): Promise<void> {
  try {
    const started = await backend.rerunRun(id);
    show(started.run, "Re-run");
  } catch (error) {
    problem("The run could not start again", error);
  }
}

export async function retryFromFailed(id: string, version: RetryVersion): Promise<void> {
  try {
    const started = await backend.retryRun(id, version);
    show(started.run, `Retry on the ${version} version`);
  } catch (error) {
    problem("The run could not be retried", error);
  }
}

/** Replays a run, then shows it beside the original. */
export async function replay(id: string): Promise<void> {
  try {
    const result = await backend.replayRun(id);
    const { comparison } = result;
    const differing = comparison.nodes.filter(
      (n) => n.status_differs || n.output_differs || n.error_differs,
    ).length;
    useApp
      .getState()
      .notify(
        comparison.same_outcome ? "success" : "info",
        comparison.same_outcome
          ? "Replayed from its recordings: every step gave the same result."
          : `Replayed from its recordings: ${differing} step${differing === 1 ? "" : "s"} gave a different result.`,
      );
    useRuns.getState().arrived(result.run);
    useRuns.getState().select(result.run.id);
    useRuns.getState().openCompare(id, result.run.id);
  } catch (error) {
    problem("The run could not be replayed", error);
  }
}

export async function retryDeadLetter(job: number): Promise<boolean> {
  try {
    await backend.retryDeadLetter(job);
    useApp.getState().notify("info", "Delivered again: its run appears in the history.");
    return true;
  } catch (error) {
    problem("The dead letter could not be retried", error);
    return false;
  }
}

export async function discardDeadLetter(job: number, what: string): Promise<boolean> {
  const choice = await ask({
    type: "choice",
    title: "Discard this dead letter?",
    message: `${what} will not run again. Its event and runs stay in the history.`,
    actions: [
      { id: "cancel", label: "Keep it" },
      { id: "discard", label: "Discard", tone: "danger" },
    ],
  });
  if (choice !== "discard") return false;
  try {
    await backend.discardDeadLetter(job);
    useApp.getState().notify("success", "Discarded.");
    return true;
  } catch (error) {
    problem("The dead letter could not be discarded", error);
    return false;
  }
}

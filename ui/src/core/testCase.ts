// A test case from a run the user just watched: the same event, and what the run showed
// (how it ended, the way each branching step went, the steps it reached and skipped).
import type { TestCase } from "../generated/api";
import type { RunView } from "./runView";

export function caseFromRun(
  name: string,
  event: unknown,
  view: RunView,
  trigger: string | null,
): TestCase {
  const route: Record<string, string | string[]> = {};
  const reached: string[] = [];
  const notReached: string[] = [];
  for (const [id, n] of Object.entries(view.nodes)) {
    if (n.status === "skipped") notReached.push(id);
    if (n.status !== "succeeded" && n.status !== "failed") continue;
    reached.push(id);
    // A branching step: the outputs that tell the way (AI classify also sends to `out`).
    const ways = n.ports.filter((p) => p !== "out");
    if (ways.length === 1) route[id] = ways[0]!;
    else if (ways.length > 1) route[id] = ways;
  }
  return {
    name,
    ...(trigger ? { trigger } : {}),
    event,
    expect: {
      status: view.status === "failed" ? "failed" : "succeeded",
      ...(view.status === "failed" && view.failedNode
        ? { error: { node: view.failedNode, ...(view.error ? { code: view.error.code } : {}) } }
        : {}),
      ...(Object.keys(route).length ? { route } : {}),
      reached: reached.sort(),
      not_reached: notReached.sort(),
    },
  };
}

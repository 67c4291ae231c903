// The event a run from the editor starts with, before the user types one: the trigger's own
// sample, else the event fields the workflow's settings read, else an empty object.
import type { CanvasModel, StepNode } from "./canvas";
import { isStep } from "./canvas";

const EVENT_FIELD = /\bevent\.([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?/g;

/** The sample event for starting at `trigger` (the first trigger when null), as JSON text. */
export function defaultEventText(
  model: CanvasModel,
  trigger: string | null,
  isTrigger: (kind: string) => boolean,
): string {
  const steps = model.nodes.filter(isStep) as StepNode[];
  const start =
    steps.find((n) => n.id === trigger) ??
    steps.find((n) => n.data.kind === "manual_trigger") ??
    steps.find((n) => isTrigger(n.data.kind));
  const sample = start?.data.params["sample"];
  if (sample !== undefined && sample !== null && sample !== "") {
    return JSON.stringify(sample, null, 2);
  }
  return JSON.stringify(eventSkeleton(steps), null, 2);
}

/** `{field: ""}` for every `event.field` (and `event.a.b`) the steps' settings read. */
export function eventSkeleton(steps: StepNode[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of steps) {
    const text = JSON.stringify(s.data.params);
    for (const m of text.matchAll(EVENT_FIELD)) {
      const [, a, b] = m;
      if (!a) continue;
      if (b) {
        const inner = out[a];
        const obj =
          typeof inner === "object" && inner !== null ? (inner as Record<string, unknown>) : {};
        if (!(b in obj)) obj[b] = "";
        out[a] = obj;
      } else if (!(a in out)) {
        out[a] = "";
      }
    }
  }
  return out;
}

/** The text as an event, or why it is not one. */
export function parseEvent(text: string): { event: unknown } | { error: string } {
  if (text.trim() === "") return { event: {} };
  try {
    return { event: JSON.parse(text) as unknown };
  } catch (e) {
    return {
      error: `The sample event is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}

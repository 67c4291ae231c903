// Pure helpers of the Runs screen: filters as the API wants them, a run's timeline, a node's
// input, formatting, and chart scales. No React, no backend.
import type {
  MetricsBucket,
  NodeReport,
  NodeStatus,
  RunFilter,
  RunOrigin,
  RunReport,
  RunSummary,
} from "../generated/api";

/** The history's filter form, as typed (times as `datetime-local` text). */
export interface FilterForm {
  workflow: string;
  status: string;
  origin: string;
  /** `YYYY-MM-DDTHH:mm`, local time; empty: no bound. */
  since: string;
  until: string;
  q: string;
}

export const EMPTY_FILTER: FilterForm = {
  workflow: "",
  status: "",
  origin: "",
  since: "",
  until: "",
  q: "",
};

export const PAGE = 50;

/** Local `datetime-local` text to Unix milliseconds (null when empty or not a time). */
export function localTimeToMs(text: string): number | null {
  if (!text) return null;
  const ms = new Date(text).getTime();
  return Number.isFinite(ms) ? ms : null;
}

/** The API's filter for a form (and the page after `after`, when given). */
export function toRunFilter(form: FilterForm, after?: RunSummary): RunFilter {
  const filter: RunFilter = { limit: PAGE };
  if (form.workflow) filter.workflow = form.workflow;
  if (form.status) filter.status = form.status;
  if (form.origin) filter.origin = form.origin;
  const since = localTimeToMs(form.since);
  const until = localTimeToMs(form.until);
  if (since !== null) filter.since = since;
  if (until !== null) filter.until = until;
  if (form.q.trim()) filter.q = form.q.trim();
  if (after) {
    filter.before = after.started_at;
    filter.before_id = after.id;
  }
  return filter;
}

/**
 * Whether a run that just arrived belongs in the list as filtered. `null`: cannot tell here
 * (the text filter reads the event's payload): the list should be read again.
 */
export function matchesFilter(run: RunSummary, form: FilterForm): boolean | null {
  if (form.workflow && run.workflow_id !== form.workflow) return false;
  if (form.status && run.status !== form.status) return false;
  if (form.origin && run.origin !== form.origin) return false;
  const since = localTimeToMs(form.since);
  const until = localTimeToMs(form.until);
  if (since !== null && run.started_at < since) return false;
  if (until !== null && run.started_at >= until) return false;
  if (form.q.trim()) return null;
  return true;
}

/** Adds a run to a list kept newest first (replacing one with its id). */
export function insertRun(list: RunSummary[], run: RunSummary): RunSummary[] {
  const rest = list.filter((r) => r.id !== run.id);
  const at = rest.findIndex(
    (r) => r.started_at < run.started_at || (r.started_at === run.started_at && r.id < run.id),
  );
  return at === -1 ? [...rest, run] : [...rest.slice(0, at), run, ...rest.slice(at)];
}

export const ORIGIN_LABEL: Record<RunOrigin, string> = {
  webhook: "Webhook",
  schedule: "Schedule",
  manual: "Manual",
  event: "Event",
  rerun: "Re-run",
  retry: "Retry",
  replay: "Replay",
};

/** How a derived run relates to the run it came from. */
export const ORIGIN_RELATION: Partial<Record<RunOrigin, string>> = {
  rerun: "Re-run of",
  retry: "Retry of",
  replay: "Replay of",
};

/** One row of a run's timeline: where its bar sits, as fractions of the run's duration. */
export interface TimelineRow {
  id: string;
  status: NodeStatus;
  /** 0..1 */
  left: number;
  /** 0..1; 0 for nodes that did not run. */
  width: number;
  startMs: number | null;
  endMs: number | null;
  pinned: boolean;
  items: number;
}

/** The rows of a run's timeline, in the journal's (topological) order. */
export function timeline(report: RunReport, durationMs: number): TimelineRow[] {
  const ends = report.nodes.map((n) => n.ended_ms ?? 0);
  const total = Math.max(durationMs, ...ends, 0.001);
  return report.nodes.map((n) => {
    const start = n.started_ms ?? null;
    const end = n.ended_ms ?? null;
    const ran = start !== null && end !== null;
    return {
      id: n.id,
      status: n.status,
      left: ran ? clamp(start / total) : 0,
      width: ran ? clamp((end - start) / total) : 0,
      startMs: start,
      endMs: end,
      pinned: n.pinned === true,
      items: n.items ?? 0,
    };
  });
}

function clamp(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** What a node read as its input: the output of the node it came from, or the event. */
export function nodeInput(
  report: RunReport,
  node: NodeReport,
  event: unknown,
): { from: string; value: unknown } | null {
  if (node.status === "pending" || node.status === "skipped") return null;
  if (!node.input_from) return { from: "the event", value: event };
  const source = report.nodes.find((n) => n.id === node.input_from);
  return { from: node.input_from, value: source?.output ?? null };
}

/** `950 ms`, `1.25 s`, `2 min 5 s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms === 0) return "0 ms";
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const min = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${min} min ${s} s`;
}

/** A duration on a chart's axis: short (`0`, `250ms`, `1.5s`, `2m`). */
export function axisDuration(ms: number): string {
  if (ms === 0) return "0";
  if (ms < 1000) return `${Number(ms.toPrecision(3))}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toPrecision(3))}s`;
  return `${Number((ms / 60_000).toPrecision(3))}m`;
}

/** A rate on a chart's axis (`0`, `0.25`, `2.5`, `40`). */
export function axisNumber(v: number): string {
  return v === 0 ? "0" : String(Number(v.toPrecision(3)));
}

/** A time as the user's locale writes it, with seconds. */
export function formatTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

/** JSON for reading, cut at `max` characters. */
export function pretty(value: unknown, max = 20_000): { text: string; cut: boolean } {
  const text = value === undefined ? "(nothing)" : JSON.stringify(value, null, 2);
  return text.length > max ? { text: text.slice(0, max), cut: true } : { text, cut: false };
}

/** Runs per minute in a metrics bucket. */
export function perMinute(bucket: MetricsBucket, bucketMs: number): number {
  return bucket.runs / (bucketMs / 60_000);
}

/** A round upper bound for an axis starting at 0 (1, 2, 2.5, 5 x 10^n). */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const exp = Math.floor(Math.log10(value));
  const base = 10 ** exp;
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (value <= step * base) return step * base;
  }
  return 10 * base;
}

/** `0.6` as `60%`. */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? "–" : `${Math.round(rate * 1000) / 10}%`;
}

/** The label of a bucket's start on a chart's axis: a time, with the date for long windows. */
export function bucketLabel(ms: number, windowMs: number): string {
  const d = new Date(ms);
  return windowMs > 86_400_000
    ? d.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit" })
    : d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

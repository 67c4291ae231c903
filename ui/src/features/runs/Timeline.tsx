// A run's timeline: one row per node, a bar from when it started to when it ended (retries
// and For each items included), coloured by status; nodes given their earlier output or
// recording (retries, replays) are hatched. Rows are buttons: pick one to see its data.
import { formatDuration, timeline } from "../../core/runs";
import type { RunReport } from "../../generated/api";
import "./timeline.css";

export function Timeline({
  report,
  durationMs,
  selected,
  onSelect,
}: {
  report: RunReport;
  durationMs: number;
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  const rows = timeline(report, durationMs);
  const total = Math.max(durationMs, ...rows.map((r) => r.endMs ?? 0));
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <div className="timeline" data-testid="timeline">
      <div className="timeline__axis" aria-hidden="true">
        <span className="timeline__label" />
        <span className="timeline__scale">
          {ticks.map((t) => (
            <span key={t} className="timeline__tick" style={{ left: `${t * 100}%` }}>
              {formatDuration(total * t)}
            </span>
          ))}
        </span>
      </div>
      <ul className="timeline__rows" aria-label="Steps of the run, in order">
        {rows.map((r) => {
          const ran = r.startMs !== null;
          const what = ran
            ? `${r.status}, started at ${formatDuration(r.startMs)}, took ${formatDuration(
                (r.endMs ?? 0) - (r.startMs ?? 0),
              )}${r.pinned ? ", given its earlier output (did not run)" : ""}`
            : r.status;
          return (
            <li key={r.id}>
              <button
                className={
                  r.id === selected ? "timeline__row timeline__row--active" : "timeline__row"
                }
                aria-current={r.id === selected ? "true" : undefined}
                aria-label={`${r.id}: ${what}`}
                onClick={() => onSelect(r.id)}
                data-testid={`timeline-${r.id}`}
                data-status={r.status}
                data-pinned={r.pinned ? "true" : undefined}
              >
                <span className="timeline__label">
                  <code>{r.id}</code>
                  {r.pinned && <span className="tag tag--pinned">given</span>}
                  {r.items > 0 && <span className="tag">{r.items} items</span>}
                </span>
                <span className="timeline__track">
                  {ran ? (
                    <span
                      className={`timeline__bar timeline__bar--${r.status}${
                        r.pinned ? " timeline__bar--pinned" : ""
                      }`}
                      style={{ left: `${r.left * 100}%`, width: `max(3px, ${r.width * 100}%)` }}
                    />
                  ) : (
                    <span className="timeline__none">
                      {r.status === "skipped" ? "skipped" : "did not run"}
                    </span>
                  )}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

// The history: filters (workflow, status, how it started, time range, text in the event) and
// the runs, newest first, kept current while runs arrive.
import { useEffect, useState } from "react";

import { Icon } from "../../components/Icon";
import { formatDuration, formatTime, ORIGIN_LABEL, type FilterForm } from "../../core/runs";
import type { RunOrigin, RunSummary } from "../../generated/api";
import { useRuns } from "../../stores/runs";
import { useWorkflows } from "../../stores/workflows";
import { OriginBadge } from "./parts";

const STATUSES = ["succeeded", "failed", "cancelled"];

export function RunList() {
  const list = useRuns((s) => s.list);
  const more = useRuns((s) => s.more);
  const selected = useRuns((s) => s.selected);
  return (
    <aside className="runs__list" aria-label="Run history">
      <Filters />
      {list.state === "loading" && <p className="muted runs__note">Loading the runs…</p>}
      {list.state === "failed" && (
        <div className="callout callout--error" role="alert">
          <Icon name="error" size={16} />
          <p>
            The runs could not be loaded: {list.message}{" "}
            <button className="btn btn--small" onClick={() => void useRuns.getState().refresh()}>
              Try again
            </button>
          </p>
        </div>
      )}
      {list.state === "ready" && list.value.length === 0 && (
        <p className="muted runs__note" data-testid="no-runs">
          No run matches these filters yet. Runs appear here as soon as they are stored.
        </p>
      )}
      {list.state === "ready" && list.value.length > 0 && (
        <ul className="run-list" data-testid="run-list">
          {list.value.map((r) => (
            <RunRow key={r.id} run={r} active={r.id === selected} />
          ))}
        </ul>
      )}
      {list.state === "ready" && more && (
        <button className="btn runs__more" onClick={() => void useRuns.getState().loadMore()}>
          Load older runs
        </button>
      )}
    </aside>
  );
}

function RunRow({ run, active }: { run: RunSummary; active: boolean }) {
  return (
    <li>
      <button
        className={active ? "run-row run-row--active" : "run-row"}
        aria-current={active ? "true" : undefined}
        onClick={() => useRuns.getState().select(run.id)}
        data-testid="run-row"
        data-run-id={run.id}
        data-status={run.status}
      >
        <span className={`run-row__dot run-row__dot--${run.status}`} aria-hidden="true" />
        <span className="run-row__main">
          <span className="run-row__title">
            <strong>{run.workflow_id}</strong> <OriginBadge origin={run.origin} />
          </span>
          <span className="run-row__meta">
            {formatTime(run.started_at)} · {formatDuration(run.duration_ms)}
            {run.failed_node && (
              <>
                {" "}
                · failed at <code>{run.failed_node}</code>
              </>
            )}
          </span>
        </span>
        <span className="visually-hidden">{run.status}</span>
      </button>
    </li>
  );
}

function Filters() {
  const filter = useRuns((s) => s.filter);
  const workflows = useWorkflows((s) => s.list);
  const [text, setText] = useState(filter.q);
  const set = (patch: Partial<FilterForm>) => useRuns.getState().setFilter(patch);

  // Typing searches after a short pause; Enter searches at once.
  useEffect(() => {
    if (text === filter.q) return;
    const t = setTimeout(() => set({ q: text }), 350);
    return () => clearTimeout(t);
  }, [text, filter.q]);
  useEffect(() => setText(filter.q), [filter.q]);

  const ids = workflows.state === "ready" ? workflows.value.map((w) => w.id) : [];
  if (filter.workflow && !ids.includes(filter.workflow)) ids.push(filter.workflow);
  return (
    <form
      className="filters"
      role="search"
      aria-label="Filter the runs"
      onSubmit={(e) => {
        e.preventDefault();
        set({ q: text });
      }}
    >
      <label className="filters__field filters__field--wide">
        <span>Text in the event</span>
        <span className="filters__search">
          <Icon name="search" size={14} />
          <input
            className="input"
            type="search"
            value={text}
            placeholder="an email, an order number…"
            onChange={(e) => setText(e.target.value)}
            data-testid="filter-text"
          />
        </span>
      </label>
      <label className="filters__field">
        <span>Workflow</span>
        <select
          className="select"
          value={filter.workflow}
          onChange={(e) => set({ workflow: e.target.value })}
          data-testid="filter-workflow"
        >
          <option value="">All workflows</option>
          {ids.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <label className="filters__field">
        <span>Status</span>
        <select
          className="select"
          value={filter.status}
          onChange={(e) => set({ status: e.target.value })}
          data-testid="filter-status"
        >
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className="filters__field">
        <span>Started by</span>
        <select
          className="select"
          value={filter.origin}
          onChange={(e) => set({ origin: e.target.value })}
          data-testid="filter-origin"
        >
          <option value="">Anything</option>
          {(Object.keys(ORIGIN_LABEL) as RunOrigin[]).map((o) => (
            <option key={o} value={o}>
              {ORIGIN_LABEL[o]}
            </option>
          ))}
        </select>
      </label>
      <label className="filters__field">
        <span>From</span>
        <input
          className="input"
          type="datetime-local"
          value={filter.since}
          onChange={(e) => set({ since: e.target.value })}
          data-testid="filter-since"
        />
      </label>
      <label className="filters__field">
        <span>Until</span>
        <input
          className="input"
          type="datetime-local"
          value={filter.until}
          onChange={(e) => set({ until: e.target.value })}
          data-testid="filter-until"
        />
      </label>
      <div className="filters__end">
        <button
          type="button"
          className="btn btn--small btn--ghost"
          onClick={() => {
            setText("");
            useRuns.getState().resetFilter();
          }}
          data-testid="filter-clear"
        >
          Clear filters
        </button>
      </div>
    </form>
  );
}

// Metrics of a workflow (or all) over a window: runs per minute, success rate, p50/p95
// duration, failures by node. Read again when runs arrive (at most every few seconds).
import { useCallback, useEffect, useRef, useState } from "react";

import { backend } from "../../api/backend";
import { Icon } from "../../components/Icon";
import { failed, loading, ready, type Loadable } from "../../core/loadable";
import {
  axisDuration,
  axisNumber,
  bucketLabel,
  formatDuration,
  perMinute,
  percent,
} from "../../core/runs";
import type { Metrics } from "../../generated/api";
import { useRuns } from "../../stores/runs";
import { useWorkflows } from "../../stores/workflows";
import { BarList, Lines, StackedColumns } from "./charts";
import { useThrottledRead } from "./parts";
import "./metrics.css";

const WINDOWS = [
  { id: "1h", label: "Last hour" },
  { id: "24h", label: "Last 24 hours" },
  { id: "7d", label: "Last 7 days" },
];

export function MetricsView() {
  const filtered = useRuns((s) => s.filter.workflow);
  const [workflow, setWorkflow] = useState(filtered);
  const [windowId, setWindowId] = useState("1h");
  const [m, setM] = useState<Loadable<Metrics>>(loading);
  const workflows = useWorkflows((s) => s.list);
  const runs = useRuns((s) => s.list);

  // Read at once when the choice changes; again when runs arrive (at most every 2 s). An
  // answer to an older choice is dropped.
  const asked = useRef(0);
  const read = useCallback(() => {
    const mine = ++asked.current;
    backend.getMetrics(workflow || null, windowId).then(
      (v) => mine === asked.current && setM(ready(v)),
      (e: unknown) => mine === asked.current && setM(failed(e)),
    );
  }, [workflow, windowId]);
  useEffect(read, [read]);
  useThrottledRead(read, runs, { initial: false });

  const ids = workflows.state === "ready" ? workflows.value.map((w) => w.id) : [];
  return (
    <main className="runs__page" aria-labelledby="metrics-title">
      <div className="runs__page-head metrics__head">
        <h2 id="metrics-title">Metrics</h2>
        <label className="filters__field">
          <span>Workflow</span>
          <select
            className="select"
            value={workflow}
            onChange={(e) => setWorkflow(e.target.value)}
            data-testid="metrics-workflow"
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
          <span>Window</span>
          <select
            className="select"
            value={windowId}
            onChange={(e) => setWindowId(e.target.value)}
            data-testid="metrics-window"
          >
            {WINDOWS.map((w) => (
              <option key={w.id} value={w.id}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {m.state === "loading" && <p className="muted">Loading…</p>}
      {m.state === "failed" && (
        <div className="callout callout--error" role="alert">
          <Icon name="error" size={16} />
          <p>The metrics could not be loaded: {m.message}</p>
        </div>
      )}
      {m.state === "ready" && <Charts m={m.value} />}
    </main>
  );
}

function Charts({ m }: { m: Metrics }) {
  const windowMs = m.until - m.since;
  const b = m.buckets;
  const xLabels: [string, string, string] = [
    bucketLabel(m.since, windowMs),
    bucketLabel(m.since + windowMs / 2, windowMs),
    bucketLabel(m.until, windowMs),
  ];
  const minutes = m.bucket_ms / 60_000;
  const perMin = (v: number) => v / minutes;
  const busiest = Math.max(0, ...b.map((x) => perMinute(x, m.bucket_ms)));
  return (
    <div className="metrics" data-testid="metrics">
      <dl className="metrics__cards">
        <Card label="Runs" value={String(m.runs)} testId="metric-runs" />
        <Card label="Success rate" value={percent(m.success_rate)} testId="metric-success" />
        <Card label="p50 duration" value={formatDuration(m.p50_ms)} testId="metric-p50" />
        <Card label="p95 duration" value={formatDuration(m.p95_ms)} testId="metric-p95" />
        <Card label="Failed" value={String(m.failed)} testId="metric-failed" />
      </dl>
      <div className="metrics__grid">
        <figure className="metrics__chart">
          <figcaption>
            Runs per minute{" "}
            <Legend
              items={[
                ["ok", "succeeded"],
                ["bad", "failed"],
                ["other", "cancelled"],
              ]}
            />
          </figcaption>
          <StackedColumns
            frame={{
              title: "Runs per minute",
              summary: `${m.runs} runs in the window; at most ${axisNumber(busiest)} per minute (buckets of ${formatDuration(m.bucket_ms)}).`,
              xLabels,
              yFormat: axisNumber,
              testId: "chart-rate",
            }}
            columns={b.map((x) => [
              perMin(x.succeeded),
              perMin(x.failed),
              perMin(x.runs - x.succeeded - x.failed),
            ])}
            classes={["chart__ok", "chart__bad", "chart__other"]}
          />
        </figure>
        <figure className="metrics__chart">
          <figcaption>Success rate</figcaption>
          <Lines
            frame={{
              title: "Success rate",
              summary: `${percent(m.success_rate)} of the runs in the window succeeded.`,
              xLabels,
              yMax: 1,
              yFormat: (v) => percent(v),
              testId: "chart-success",
            }}
            series={[
              {
                name: "success",
                className: "chart__series-ok",
                points: b.map((x) => (x.runs > 0 ? x.succeeded / x.runs : null)),
              },
            ]}
          />
        </figure>
        <figure className="metrics__chart">
          <figcaption>
            Duration{" "}
            <Legend
              items={[
                ["p50", "p50"],
                ["p95", "p95"],
              ]}
            />
          </figcaption>
          <Lines
            frame={{
              title: "Run duration, p50 and p95",
              summary: `Half the runs took ${formatDuration(m.p50_ms)} or less, 95% took ${formatDuration(m.p95_ms)} or less.`,
              xLabels,
              yFormat: axisDuration,
              testId: "chart-duration",
            }}
            series={[
              {
                name: "p50",
                className: "chart__series-p50",
                points: b.map((x) => x.p50_ms ?? null),
              },
              {
                name: "p95",
                className: "chart__series-p95",
                points: b.map((x) => x.p95_ms ?? null),
              },
            ]}
          />
        </figure>
        <figure className="metrics__chart">
          <figcaption>Failures by step</figcaption>
          {m.failures_by_node.length === 0 ? (
            <p className="muted">No run failed in this window.</p>
          ) : (
            <BarList
              label="Failed runs by the step that failed them"
              testId="chart-failures"
              items={m.failures_by_node.map((f) => ({
                name: f.node ?? "(before any step)",
                value: f.failures,
              }))}
            />
          )}
        </figure>
      </div>
    </div>
  );
}

function Card({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="metrics__card">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

function Legend({ items }: { items: [string, string][] }) {
  return (
    <span className="legend" aria-hidden="true">
      {items.map(([k, label]) => (
        <span key={k} className={`legend__item legend__item--${k}`}>
          {label}
        </span>
      ))}
    </span>
  );
}

// One run: what it was, what to do with it (re-run, retry from the failed node, replay,
// compare), its timeline, the selected node's input, output, error and timing, and its logs.
import { useEffect, useState, type ReactNode } from "react";

import { backend } from "../../api/backend";
import { Icon } from "../../components/Icon";
import { failed, loading, ready, type Loadable } from "../../core/loadable";
import { formatDuration, formatTime, nodeInput, ORIGIN_RELATION } from "../../core/runs";
import type {
  EventDetail,
  NodeReport,
  RetryVersion,
  RunLogs,
  RunRecord,
  RunReport,
} from "../../generated/api";
import { useRuns } from "../../stores/runs";
import { replay, rerun, retryFromFailed } from "./actions";
import { JsonBlock, OriginBadge, StatusPill } from "./parts";
import { Timeline } from "./Timeline";

interface Loaded {
  run: RunRecord;
  report: RunReport;
  event: EventDetail | null;
}

export function RunDetail({ id }: { id: string }) {
  const [data, setData] = useState<Loadable<Loaded>>(loading);
  const [node, setNode] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    (async () => {
      const run = await backend.getRun(id);
      const event = run.event_id ? await backend.getEvent(run.event_id).catch(() => null) : null;
      return { run, report: run.journal as unknown as RunReport, event };
    })().then(
      (value) => {
        if (!live) return;
        setData(ready(value));
        setNode(value.run.failed_node ?? value.report.nodes[0]?.id ?? null);
      },
      (error: unknown) => live && setData(failed(error)),
    );
    return () => {
      live = false;
    };
  }, [id]);

  if (data.state === "loading") return <p className="muted">Loading the run…</p>;
  if (data.state === "failed") {
    return (
      <div className="callout callout--error" role="alert">
        <Icon name="error" size={16} />
        <p>The run could not be loaded: {data.message}</p>
      </div>
    );
  }
  const { run, report, event } = data.value;
  const selected = report.nodes.find((n) => n.id === node) ?? null;
  return (
    <article className="run-detail" data-testid="run-detail" data-run-id={run.id}>
      <Summary run={run} />
      <Actions
        run={run}
        siblings={event?.runs.map((r) => r.id).filter((r) => r !== run.id) ?? []}
      />
      <section className="run-section" aria-labelledby="timeline-title">
        <h3 id="timeline-title">Timeline</h3>
        {report.nodes.length === 0 ? (
          <p className="muted">No step ran.</p>
        ) : (
          <Timeline
            report={report}
            durationMs={run.duration_ms}
            selected={node}
            onSelect={setNode}
          />
        )}
      </section>
      {selected && <NodePanel report={report} node={selected} event={event?.event.payload} />}
      <Logs id={run.id} />
    </article>
  );
}

function Summary({ run }: { run: RunRecord }) {
  const relation = ORIGIN_RELATION[run.origin];
  const error = run.error as { code?: string; message?: string } | null | undefined;
  return (
    <header className="run-detail__head">
      <div className="run-detail__title">
        <StatusPill status={run.status} />
        <h2>{run.workflow_id}</h2>
        <OriginBadge origin={run.origin} />
        {relation && run.origin_run && (
          <span className="muted">
            {relation}{" "}
            <button
              className="link"
              onClick={() => useRuns.getState().select(run.origin_run ?? null)}
              data-testid="origin-run"
            >
              {run.origin_run}
            </button>
          </span>
        )}
      </div>
      <dl className="facts">
        <Fact label="Run">
          <code>{run.id}</code>
        </Fact>
        <Fact label="Started">{formatTime(run.started_at)}</Fact>
        <Fact label="Took">{formatDuration(run.duration_ms)}</Fact>
        <Fact label="Version">{run.workflow_version ?? "–"}</Fact>
        <Fact label="Trigger">
          <code>{run.trigger_node ?? "–"}</code>
        </Fact>
      </dl>
      {error && (
        <div className="callout callout--error" role="alert">
          <Icon name="error" size={16} />
          <p>
            {run.failed_node ? (
              <>
                <code>{run.failed_node}</code> failed:{" "}
              </>
            ) : null}
            {error.message} <span className="muted">({error.code})</span>
          </p>
        </div>
      )}
    </header>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="facts__item">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Actions({ run, siblings }: { run: RunRecord; siblings: string[] }) {
  const [version, setVersion] = useState<RetryVersion>("current");
  const [busy, setBusy] = useState<string | null>(null);
  const [other, setOther] = useState(run.origin_run ?? siblings[0] ?? "");
  const act = (what: string, f: () => Promise<void>) => async () => {
    setBusy(what);
    try {
      await f();
    } finally {
      setBusy(null);
    }
  };
  const failedRun = run.status === "failed" && !!run.failed_node;
  const choices = [...new Set([run.origin_run, ...siblings].filter((x): x is string => !!x))];
  return (
    <div className="run-actions" role="group" aria-label="Run again">
      <button
        className="btn"
        disabled={busy !== null}
        onClick={act("rerun", () => rerun(run.id))}
        title="The same event again, on the version served now"
        data-testid="rerun"
      >
        <Icon name="play" size={16} /> {busy === "rerun" ? "Running…" : "Re-run"}
      </button>
      <span className="run-actions__group">
        <button
          className="btn btn--primary"
          disabled={busy !== null || !failedRun}
          onClick={act("retry", () => retryFromFailed(run.id, version))}
          title={
            failedRun
              ? `Resume at "${run.failed_node}": the steps before it give their recorded results`
              : "Only a run that failed at a step can be retried from it"
          }
          data-testid="retry"
        >
          <Icon name="retry" size={16} />
          {busy === "retry" ? "Retrying…" : failedRun ? `Retry from “${run.failed_node}”` : "Retry"}
        </button>
        <select
          className="select run-actions__version"
          aria-label="Version for the retry"
          value={version}
          disabled={!failedRun}
          onChange={(e) => setVersion(e.target.value as RetryVersion)}
          data-testid="retry-version"
        >
          <option value="current">current version</option>
          <option value="original">version {run.workflow_version ?? "it ran"}</option>
        </select>
      </span>
      <button
        className="btn"
        disabled={busy !== null}
        onClick={act("replay", () => replay(run.id))}
        title="The same event and version, every call given its recorded answer: nothing is sent"
        data-testid="replay"
      >
        <Icon name="replay" size={16} /> {busy === "replay" ? "Replaying…" : "Replay"}
      </button>
      <form
        className="run-actions__compare"
        onSubmit={(e) => {
          e.preventDefault();
          if (other.trim()) useRuns.getState().openCompare(run.id, other.trim());
        }}
      >
        <label className="visually-hidden" htmlFor="compare-with">
          Compare with the run
        </label>
        <input
          id="compare-with"
          className="input input--code"
          list="compare-choices"
          placeholder="run id to compare with"
          value={other}
          onChange={(e) => setOther(e.target.value)}
          data-testid="compare-with"
        />
        <datalist id="compare-choices">
          {choices.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <button className="btn" type="submit" disabled={!other.trim()} data-testid="compare">
          <Icon name="columns" size={16} /> Compare
        </button>
      </form>
    </div>
  );
}

function NodePanel({
  report,
  node,
  event,
}: {
  report: RunReport;
  node: NodeReport;
  event: unknown;
}) {
  const input = nodeInput(report, node, event);
  return (
    <section
      className="run-section node-panel"
      aria-labelledby="node-title"
      data-testid="node-panel"
    >
      <h3 id="node-title">
        <code>{node.id}</code> <StatusPill status={node.status} />
        {node.pinned && (
          <span className="tag tag--pinned">given its earlier result, did not run</span>
        )}
      </h3>
      <dl className="facts">
        <Fact label="Started">
          {node.started_ms == null ? "–" : `${formatDuration(node.started_ms)} into the run`}
        </Fact>
        <Fact label="Took">{formatDuration(node.duration_ms)}</Fact>
        <Fact label="Attempts">{node.attempts ?? 0}</Fact>
        {(node.items ?? 0) > 0 && <Fact label="Items">{node.items}</Fact>}
        <Fact label="Sent to">{node.ports?.length ? node.ports.join(", ") : "–"}</Fact>
      </dl>
      {node.error && (
        <div className="callout callout--error" role="alert">
          <Icon name="error" size={16} />
          <p>
            {node.error.message} <span className="muted">({node.error.code})</span>
          </p>
        </div>
      )}
      <div className="node-panel__data">
        {input ? (
          <JsonBlock label={`Input (from ${input.from})`} value={input.value} />
        ) : (
          <p className="muted">It did not run, so it received nothing.</p>
        )}
        {node.output !== undefined && node.output !== null && (
          <JsonBlock
            label={node.item != null ? `Output (item ${node.item})` : "Output"}
            value={node.output}
          />
        )}
      </div>
    </section>
  );
}

function Logs({ id }: { id: string }) {
  const [logs, setLogs] = useState<Loadable<RunLogs>>(loading);
  useEffect(() => {
    let live = true;
    backend.getRunLogs(id).then(
      (v) => live && setLogs(ready(v)),
      (e: unknown) => live && setLogs(failed(e)),
    );
    return () => {
      live = false;
    };
  }, [id]);
  return (
    <section className="run-section" aria-labelledby="logs-title" data-testid="run-logs">
      <h3 id="logs-title">Logs</h3>
      {logs.state === "loading" && <p className="muted">Loading…</p>}
      {logs.state === "failed" && (
        <p className="muted">The logs could not be loaded: {logs.message}</p>
      )}
      {logs.state === "ready" &&
        (logs.value.lines.length + logs.value.nodes.length === 0 ? (
          <p className="muted">Nothing was logged while it ran.</p>
        ) : (
          <ol className="log-lines">
            {logs.value.nodes.map((l, i) => (
              <li key={`n${i}`} className={`log-line log-line--${l.level}`}>
                <span className="log-line__level">{l.level}</span>
                <code>{l.node}</code>
                {l.item != null && <span className="muted"> item {l.item}</span>} {l.message}
              </li>
            ))}
            {logs.value.lines.map((l, i) => (
              <li key={`l${i}`} className={`log-line log-line--${l.level}`}>
                <span className="log-line__level">{l.level}</span>
                <time className="muted">{new Date(l.at).toLocaleTimeString()}</time> {l.message}
              </li>
            ))}
          </ol>
        ))}
    </section>
  );
}

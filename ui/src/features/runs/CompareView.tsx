// Two runs side by side: node by node, status and duration on each side, and where their
// outputs differ (by path), with both outputs below.
import { Fragment, useEffect, useState } from "react";

import { backend } from "../../api/backend";
import { Icon } from "../../components/Icon";
import { failed, loading, ready, type Loadable } from "../../core/loadable";
import { formatDuration, formatTime } from "../../core/runs";
import type { NodeComparison, NodeReport, RunComparison, RunSummary } from "../../generated/api";
import { useRuns } from "../../stores/runs";
import { JsonBlock, OriginBadge, StatusPill } from "./parts";
import "./compare.css";

export function CompareView({ a, b }: { a: string; b: string }) {
  const [cmp, setCmp] = useState<Loadable<RunComparison>>(loading);
  const [open, setOpen] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setCmp(loading);
    backend.compareRuns(a, b).then(
      (v) => {
        if (!live) return;
        setCmp(ready(v));
        setOpen(v.nodes.find(differs)?.node ?? null);
      },
      (e: unknown) => live && setCmp(failed(e)),
    );
    return () => {
      live = false;
    };
  }, [a, b]);

  const close = (
    <button
      className="btn btn--small"
      onClick={() => useRuns.getState().closeCompare()}
      data-testid="close-compare"
    >
      <Icon name="close" size={14} /> Close the comparison
    </button>
  );
  if (cmp.state === "loading") return <p className="muted">Comparing…</p>;
  if (cmp.state === "failed") {
    return (
      <div className="callout callout--error" role="alert">
        <Icon name="error" size={16} />
        <p>
          The runs could not be compared: {cmp.message} {close}
        </p>
      </div>
    );
  }
  const c = cmp.value;
  const count = c.nodes.filter(differs).length;
  return (
    <article className="compare" data-testid="compare-view">
      <header className="compare__head">
        <h2>Comparison</h2>
        {close}
      </header>
      <div className="compare__runs">
        <RunCard label="A" run={c.a} />
        <RunCard label="B" run={c.b} />
      </div>
      <p
        className={c.same_outcome ? "callout callout--ok" : "callout callout--warn"}
        role="status"
        data-testid="compare-verdict"
      >
        <Icon name={c.same_outcome ? "check" : "warning"} size={16} />
        {c.same_outcome
          ? "Same outcome: every step ended the same way with the same output."
          : `${count} step${count === 1 ? "" : "s"} differ${count === 1 ? "s" : ""}.`}
      </p>
      <table className="compare__table">
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">A</th>
            <th scope="col">B</th>
            <th scope="col">Difference</th>
          </tr>
        </thead>
        <tbody>
          {c.nodes.map((n) => (
            <Fragment key={n.node}>
              <tr
                className={differs(n) ? "compare__row compare__row--differs" : "compare__row"}
                data-testid={`compare-${n.node}`}
                data-differs={differs(n) ? "true" : "false"}
              >
                <th scope="row">
                  <button
                    className="link"
                    aria-expanded={open === n.node}
                    onClick={() => setOpen(open === n.node ? null : n.node)}
                  >
                    <code>{n.node}</code>
                  </button>
                </th>
                <td>
                  <Side node={n.a} />
                </td>
                <td>
                  <Side node={n.b} />
                </td>
                <td>{summary(n)}</td>
              </tr>
              {open === n.node && (
                <tr className="compare__open">
                  <td colSpan={4}>
                    <Details n={n} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </article>
  );
}

function differs(n: NodeComparison): boolean {
  return n.status_differs || n.output_differs || n.error_differs;
}

function summary(n: NodeComparison): string {
  const parts: string[] = [];
  if (n.status_differs) parts.push("status");
  if (n.error_differs) parts.push("error");
  if (n.output_differs) {
    const k = n.differences.length;
    parts.push(`output (${k}${n.more_differences ? "+" : ""} place${k === 1 ? "" : "s"})`);
  }
  const delta = n.duration_delta_ms;
  const time =
    delta == null ? "" : ` · ${delta >= 0 ? "+" : "−"}${formatDuration(Math.abs(delta))}`;
  return (parts.length ? parts.join(", ") : "same") + time;
}

function Side({ node }: { node: NodeReport | null | undefined }) {
  if (!node) return <span className="muted">not in this version</span>;
  return (
    <span className="compare__side">
      <StatusPill status={node.status} /> {formatDuration(node.duration_ms)}
      {node.pinned && <span className="tag tag--pinned">given</span>}
    </span>
  );
}

function Details({ n }: { n: NodeComparison }) {
  return (
    <div className="compare__details">
      {n.differences.length > 0 && (
        <table className="diff" aria-label={`Where the outputs of ${n.node} differ`}>
          <thead>
            <tr>
              <th scope="col">Where</th>
              <th scope="col">A</th>
              <th scope="col">B</th>
            </tr>
          </thead>
          <tbody>
            {n.differences.map((d) => (
              <tr key={d.path} data-testid="difference">
                <th scope="row">
                  <code>{d.path || "(the whole output)"}</code>
                </th>
                <td className="diff__a">
                  {d.a === undefined ? <em>absent</em> : <code>{JSON.stringify(d.a)}</code>}
                </td>
                <td className="diff__b">
                  {d.b === undefined ? <em>absent</em> : <code>{JSON.stringify(d.b)}</code>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {n.more_differences && <p className="muted">More differences are not listed.</p>}
      <div className="compare__outputs">
        <JsonBlock label="Output in A" value={n.a?.error ?? n.a?.output} />
        <JsonBlock label="Output in B" value={n.b?.error ?? n.b?.output} />
      </div>
    </div>
  );
}

function RunCard({ label, run }: { label: string; run: RunSummary }) {
  return (
    <section className="compare__run" aria-label={`Run ${label}`}>
      <span className="compare__letter" aria-hidden="true">
        {label}
      </span>
      <div>
        <button className="link" onClick={() => useRuns.getState().select(run.id)}>
          <code>{run.id}</code>
        </button>
        <div className="compare__meta">
          <StatusPill status={run.status} /> <OriginBadge origin={run.origin} />{" "}
          {formatTime(run.started_at)} · {formatDuration(run.duration_ms)} · version{" "}
          {run.workflow_version ?? "–"}
        </div>
      </div>
    </section>
  );
}

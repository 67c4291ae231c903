import { useMemo, type ChangeEvent } from "react";

import { Icon } from "../../../components/Icon";
import { isStep } from "../../../core/canvas";
import { csvLine } from "../../../core/csv";
import { formatDuration } from "../../../core/runView";
import { useBatch, type BatchResults } from "../../../stores/batch";
import { useEditor } from "../../../stores/editor";
import { exportAs } from "../../files/actions";

/** Run every row of a CSV file through the workflow in test mode and see where each went. */
export function BatchTab() {
  const b = useBatch();
  const model = useEditor((s) => s.model);
  const suggested = useMemo(
    () =>
      (model?.nodes ?? [])
        .filter((n) => isStep(n) && n.data.kind === "ai_classify")
        .map((n) => `${n.id}.label`)
        .join(", "),
    [model?.nodes],
  );

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (!file) return;
    b.load(file.name, await file.text());
    if (!useBatch.getState().columns) b.setColumns(suggested);
  };

  return (
    <div className="batch" data-testid="batch">
      <div className="batch__setup">
        <label className="btn btn--ghost batch__file">
          <Icon name="upload" size={16} /> {b.fileName ? "Another CSV file…" : "Choose a CSV file…"}
          <input
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => void onFile(e)}
            data-testid="batch-file"
          />
        </label>
        {b.fileName && (
          <span>
            <strong>{b.fileName}</strong>{" "}
            <span className="muted" data-testid="batch-row-count">
              {b.rowCount} rows
            </span>
          </span>
        )}
        {b.headers.length > 0 && (
          <button
            className="btn btn--primary"
            disabled={!!b.progress || b.rowCount === 0}
            onClick={() => void b.run()}
            data-testid="batch-run"
          >
            <Icon name="play" size={14} /> Test all {b.rowCount} rows
          </button>
        )}
      </div>
      {b.error && (
        <p className="run-panel__problem" role="alert">
          {b.error}
        </p>
      )}
      {b.headers.length > 0 && (
        <details className="batch__map" open={!b.results}>
          <summary>Columns → event fields</summary>
          <table>
            <tbody>
              {b.headers.map((h) => (
                <tr key={h}>
                  <td>{h}</td>
                  <td>
                    →{" "}
                    <input
                      className="input"
                      value={b.map[h] ?? ""}
                      placeholder="(left out)"
                      aria-label={`Event field for the column ${h}`}
                      onChange={(e) => b.setPath(h, e.target.value)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <label className="batch__columns">
            Show these outputs per row
            <input
              className="input"
              value={b.columns}
              placeholder="node.path, e.g. classify.label"
              onChange={(e) => b.setColumns(e.target.value)}
              data-testid="batch-columns"
            />
          </label>
        </details>
      )}
      {b.progress && (
        <div className="batch__progress" data-testid="batch-progress">
          <progress value={b.progress.done} max={b.progress.total} />
          <span>
            {b.progress.done} of {b.progress.total} rows
          </span>
        </div>
      )}
      {b.results && <Results results={b.results} fileName={b.fileName ?? "batch.csv"} />}
      {!b.fileName && (
        <p className="muted">
          Each row becomes an event (its columns become the event&apos;s fields). Every row runs in
          test mode: nothing is sent. You see where each row went, and how many went each way.
        </p>
      )}
    </div>
  );
}

function Results({ results, fileName }: { results: BatchResults; fileName: string }) {
  const byNode = new Map<string, { port: string; count: number }[]>();
  for (const b of results.branches) {
    byNode.set(b.node, [...(byNode.get(b.node) ?? []), { port: b.port, count: b.count }]);
  }
  const exportCsv = () =>
    exportAs(
      `${fileName.replace(/\.csv$/i, "")}-results.csv`,
      "csv",
      () =>
        [
          csvLine(["row", "outcome", "route", ...results.columns, "error"]),
          ...results.rows.map((r) =>
            csvLine([
              r.row,
              r.outcome,
              r.route.summary,
              ...results.columns.map((c) => r.values[c]),
              r.error ? `${r.error.node ? `${r.error.node}: ` : ""}${r.error.message}` : "",
            ]),
          ),
        ].join("\n") + "\n",
    );
  return (
    <div className="batch__results">
      <p data-testid="batch-summary">
        <strong>{results.total}</strong> rows: {results.succeeded} succeeded, {results.failed}{" "}
        failed{results.invalid ? `, ${results.invalid} could not run` : ""} ·{" "}
        {formatDuration(results.durationMs)}
        <button className="btn btn--ghost btn--small" onClick={() => void exportCsv()}>
          <Icon name="download" size={14} /> Export results (.csv)
        </button>
      </p>
      <div className="batch__chart" data-testid="batch-breakdown" aria-label="Where the rows went">
        {[...byNode.entries()].map(([node, ports]) => {
          const max = Math.max(...ports.map((p) => p.count), 1);
          return (
            <figure key={node}>
              <figcaption>{node}</figcaption>
              {ports.map((p) => (
                <div
                  className="batch__bar"
                  key={p.port}
                  data-testid={`branch-${node}-${p.port}`}
                  data-count={p.count}
                >
                  <span className="batch__bar-label">{p.port}</span>
                  <span className="batch__bar-track">
                    <span
                      className="batch__bar-fill"
                      style={{ width: `${(100 * p.count) / max}%` }}
                    />
                  </span>
                  <span className="batch__bar-count">{p.count}</span>
                </div>
              ))}
            </figure>
          );
        })}
      </div>
      <table className="batch__table" data-testid="batch-table">
        <thead>
          <tr>
            <th>Row</th>
            <th>Outcome</th>
            <th>Route</th>
            {results.columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {results.rows.slice(0, 1000).map((r) => (
            <tr key={r.row} className={r.outcome === "succeeded" ? "" : "batch__row--bad"}>
              <td>{r.row}</td>
              <td>{r.outcome}</td>
              <td>{r.route.summary}</td>
              {results.columns.map((c) => (
                <td key={c}>{format(r.values[c])}</td>
              ))}
              <td>
                {r.error ? `${r.error.node ? `${r.error.node}: ` : ""}${r.error.message}` : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function format(v: unknown): string {
  if (v === undefined || v === null) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

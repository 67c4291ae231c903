import { useEffect, useState } from "react";

import { backend } from "../../../api/backend";
import { TransportError } from "../../../api/transport";
import { Icon } from "../../../components/Icon";
import { canvasToFile } from "../../../core/canvas";
import { formatDuration } from "../../../core/runView";
import type { CaseResult, SuiteResult, TestSuite } from "../../../generated/api";
import { useApp } from "../../../stores/app";
import { useEditor } from "../../../stores/editor";

const message = (e: unknown) => (e instanceof TransportError ? e.message : String(e));

/** The workflow's test cases (`<id>.tests.json`): run them, see what differs, delete them. */
export function TestsTab({ reloadKey }: { reloadKey: number }) {
  const id = useEditor((s) => s.model?.meta.id);
  const [suite, setSuite] = useState<TestSuite | null>(null);
  const [file, setFile] = useState("");
  const [results, setResults] = useState<SuiteResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!id) return;
    let live = true;
    backend
      .getTests(id)
      .then((t) => {
        if (!live) return;
        setSuite(t.suite);
        setFile(t.file);
      })
      .catch((e: unknown) => {
        if (!live) return;
        // A workflow never saved has no tests yet.
        setSuite({ schema_version: 1, workflow: id, cases: [] });
        if (!(e instanceof TransportError && e.code === "not_found")) setError(message(e));
      });
    return () => {
      live = false;
    };
  }, [id, reloadKey]);

  if (!id || !suite) return <p className="muted">Loading the test cases…</p>;
  const cases = suite.cases ?? [];

  const run = async (names?: string[]) => {
    const model = useEditor.getState().model;
    if (!model) return;
    setBusy(true);
    setError(null);
    try {
      const r = await backend.runTests(id, {
        workflow: canvasToFile(model),
        suite,
        ...(names ? { cases: names } : {}),
      });
      setResults(r);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (name: string) => {
    const next = { ...suite, cases: cases.filter((c) => c.name !== name) };
    try {
      const saved = await backend.saveTests(id, next);
      setSuite(saved.suite);
      useApp.getState().notify("success", `Deleted the test case "${name}".`);
    } catch (e) {
      setError(message(e));
    }
  };

  const resultOf = (name: string) => results?.cases.find((c) => c.name === name);
  return (
    <div className="tests" data-testid="tests">
      <div className="batch__setup">
        <button
          className="btn btn--primary"
          disabled={busy || cases.length === 0}
          onClick={() => void run()}
          data-testid="tests-run"
        >
          <Icon name="play" size={14} /> Run {cases.length} test
          {cases.length === 1 ? "" : "s"}
        </button>
        {results && (
          <span
            className={`run-chip run-chip--${results.failed ? "failed" : "succeeded"}`}
            data-testid="tests-summary"
          >
            {results.passed} passed, {results.failed} failed · {formatDuration(results.duration_ms)}
          </span>
        )}
        <span className="muted">
          Saved beside the workflow as <code>{file || `${id}.tests.json`}</code>; run them in CI
          with <code>switchyard test</code>.
        </span>
      </div>
      {error && (
        <p className="run-panel__problem" role="alert">
          {error}
        </p>
      )}
      {cases.length === 0 && (
        <p className="muted">
          No test cases yet. Run the workflow on a sample event, then press “Save as a test case”:
          the case checks that the same event keeps going the same way.
        </p>
      )}
      <ul className="tests__list">
        {cases.map((c) => (
          <li key={c.name} data-testid={`case-${c.name}`}>
            <CaseRow
              name={c.name}
              description={c.description ?? ""}
              result={resultOf(c.name)}
              onRun={() => void run([c.name])}
              onDelete={() => void remove(c.name)}
              busy={busy}
            />
          </li>
        ))}
      </ul>
    </div>
  );
}

function CaseRow(props: {
  name: string;
  description: string;
  result: CaseResult | undefined;
  onRun: () => void;
  onDelete: () => void;
  busy: boolean;
}) {
  const { result } = props;
  return (
    <div className="tests__case">
      <div className="tests__head">
        {result ? (
          <span
            className={`run-dot run-dot--${result.passed ? "succeeded" : "failed"}`}
            aria-label={result.passed ? "passed" : "failed"}
          />
        ) : (
          <span className="run-dot" aria-hidden />
        )}
        <strong>{props.name}</strong>
        {result && (
          <span className="muted" data-testid="case-route">
            {result.route.summary}
          </span>
        )}
        <span className="tests__actions">
          <button className="btn btn--ghost btn--small" disabled={props.busy} onClick={props.onRun}>
            Run
          </button>
          <button
            className="btn btn--ghost btn--small"
            onClick={props.onDelete}
            aria-label={`Delete the test case ${props.name}`}
          >
            <Icon name="trash" size={14} />
          </button>
        </span>
      </div>
      {props.description && <p className="muted">{props.description}</p>}
      {result && !result.passed && (
        <ul className="tests__failures" data-testid="case-failures">
          {result.error && !result.failures.length && <li>{result.error.message}</li>}
          {(result.diagnostics ?? []).map((d, i) => (
            <li key={`d${i}`}>{d.message}</li>
          ))}
          {result.failures.map((f, i) => (
            <li key={i}>
              {f.message}
              {f.differences && f.differences.length > 0 && (
                <table className="tests__diff">
                  <thead>
                    <tr>
                      <th>Field</th>
                      <th>Expected</th>
                      <th>Actual</th>
                    </tr>
                  </thead>
                  <tbody>
                    {f.differences.map((d) => (
                      <tr key={d.path}>
                        <td>{d.path}</td>
                        <td>
                          {d.expected === undefined ? "(absent)" : JSON.stringify(d.expected)}
                        </td>
                        <td>{d.actual === undefined ? "(absent)" : JSON.stringify(d.actual)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

import { useMemo, useState } from "react";

import { backend } from "../../../api/backend";
import { TransportError } from "../../../api/transport";
import { caseFromRun } from "../../../core/testCase";
import { useApp } from "../../../stores/app";
import { ask } from "../../../stores/dialogs";
import { useRun, type RunTab } from "../../../stores/run";
import { BatchTab } from "./BatchTab";
import { TestsTab } from "./TestsTab";

import { Icon } from "../../../components/Icon";
import { isStep, type StepNode } from "../../../core/canvas";
import { isTrigger } from "../../../core/catalog";
import { formatDuration, type RunView } from "../../../core/runView";
import { defaultEventText, parseEvent } from "../../../core/sampleEvent";
import { useCatalog } from "../../../stores/catalog";
import { selectDirty, selectSelectedIds, useEditor } from "../../../stores/editor";
import { saveCurrent } from "../../files/actions";
import { NodeResult, STATUS_TEXT } from "./NodeResult";
import "./run.css";

/** Run the open workflow on a sample event and see what each step did. */
export function RunPanel() {
  const open = useRun((s) => s.panelOpen);
  if (!open) return null;
  return <RunPanelBody />;
}

function RunPanelBody() {
  const model = useEditor((s) => s.model);
  const catalog = useCatalog((s) => s.catalog);
  const run = useRun();
  const selected = useEditor(selectSelectedIds);
  const [testsKey, setTestsKey] = useState(0);
  const triggerKind = (kind: string) => isTrigger(catalog.get(kind as never));
  const triggers = useMemo(
    () =>
      (model?.nodes ?? []).filter(
        (n): n is StepNode => isStep(n) && isTrigger(catalog.get(n.data.kind)),
      ),
    [model?.nodes, catalog],
  );
  if (!model) return null;
  const id = model.meta.id;
  const text = run.eventTexts[id] ?? defaultEventText(model, run.trigger, triggerKind);
  const parsed = parseEvent(text);
  const selectedStep =
    selected && !selected.includes("\n")
      ? model.nodes.find((n): n is StepNode => n.id === selected && isStep(n))
      : undefined;

  const start = () => {
    if ("error" in parsed) return;
    void run.start(parsed.event, confirmRealRun);
  };

  return (
    <section className="run-panel" aria-label="Run" data-testid="run-panel">
      <div className="run-panel__bar">
        <div className="run-panel__tabs" role="tablist" aria-label="Run, test cases, batch">
          {TABS.map(([tab, label]) => (
            <button
              key={tab}
              role="tab"
              aria-selected={run.tab === tab}
              className={run.tab === tab ? "run-tab run-tab--on" : "run-tab"}
              onClick={() => run.setTab(tab)}
              data-testid={`run-tab-${tab}`}
            >
              {label}
            </button>
          ))}
        </div>
        {run.tab === "run" ? (
          <>
            <label
              className="run-panel__mode"
              title="Emails, HTTP calls other than GET, SQL writes and emitted events are only simulated; pinned samples stand in for their steps."
            >
              <input
                type="checkbox"
                checked={run.testMode}
                onChange={(e) => run.setTestMode(e.target.checked)}
                data-testid="test-mode"
              />
              Test mode
            </label>
            {triggers.length > 1 && (
              <label className="run-panel__trigger">
                Start at
                <select
                  value={run.trigger ?? ""}
                  onChange={(e) => run.setTrigger(e.target.value || null)}
                  aria-label="Trigger to start at"
                >
                  <option value="">the default trigger</option>
                  {triggers.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.data.name || t.id}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <span className="run-panel__status" />
            <span className="run-panel__actions">
              {run.running ? (
                <button
                  className="btn btn--ghost"
                  onClick={() => void run.cancel()}
                  data-testid="run-cancel"
                >
                  <Icon name="stop" size={14} /> Cancel
                </button>
              ) : (
                run.view && (
                  <button className="btn btn--ghost" onClick={run.clear} data-testid="run-clear">
                    Clear
                  </button>
                )
              )}
              {run.view && !run.running && (
                <button
                  className="btn btn--ghost"
                  onClick={() =>
                    void saveAsCase(() => {
                      setTestsKey((k) => k + 1);
                      run.setTab("tests");
                    })
                  }
                  title="Keep this event and the way it went as a test case"
                  data-testid="save-case"
                >
                  Save as a test case
                </button>
              )}
              <button
                className="btn btn--primary"
                onClick={start}
                disabled={run.running || "error" in parsed}
                data-testid="run-start"
              >
                <Icon name="play" size={14} /> {run.testMode ? "Test run" : "Run for real"}
              </button>
            </span>
          </>
        ) : (
          <span className="run-panel__status" />
        )}
        <span className="run-panel__actions">
          <button
            className="btn btn--ghost btn--icon"
            onClick={() => run.togglePanel(false)}
            aria-label="Close the run panel"
          >
            <Icon name="close" size={16} />
          </button>
        </span>
      </div>
      {run.tab === "tests" ? (
        <div className="run-panel__tab">
          <TestsTab reloadKey={testsKey} />
        </div>
      ) : run.tab === "batch" ? (
        <div className="run-panel__tab">
          <BatchTab />
        </div>
      ) : (
        <div className="run-panel__body">
          <div className="run-panel__event">
            <label htmlFor="sample-event">
              Sample event <span className="muted">(what the trigger receives)</span>
            </label>
            <textarea
              id="sample-event"
              className="textarea textarea--code"
              value={text}
              spellCheck={false}
              aria-invalid={"error" in parsed}
              onChange={(e) => run.setEventText(id, e.target.value)}
              data-testid="sample-event"
            />
            {"error" in parsed ? (
              <p className="run-panel__problem" role="alert">
                {parsed.error}
              </p>
            ) : (
              run.eventTexts[id] !== undefined && (
                <button
                  className="link-button"
                  onClick={() => {
                    const texts = { ...run.eventTexts };
                    delete texts[id];
                    useRun.setState({ eventTexts: texts });
                  }}
                >
                  Back to the trigger&apos;s sample
                </button>
              )
            )}
          </div>
          <div className="run-panel__result">
            <div className="run-panel__summary" data-testid="run-status">
              <RunSummaryLine view={run.view} running={run.running} />
            </div>
            {run.error && (
              <p className="run-panel__problem" role="alert" data-testid="run-error">
                {run.error}
              </p>
            )}
            {selectedStep ? (
              <NodeResult node={selectedStep} run={run.view?.nodes[selectedStep.id]} />
            ) : run.view ? (
              <StepsReached view={run.view} steps={model.nodes.filter(isStep) as StepNode[]} />
            ) : (
              <p className="muted">
                Press {run.testMode ? "Test run" : "Run for real"} to run this workflow on the
                sample event. Click a step to see its input and output.
              </p>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

const TABS: [RunTab, string][] = [
  ["run", "Run"],
  ["tests", "Test cases"],
  ["batch", "Batch (CSV)"],
];

/** Adds the shown run (its event, the way it went) to the workflow's saved test cases. */
async function saveAsCase(then: () => void): Promise<void> {
  const { view, event, trigger } = useRun.getState();
  const model = useEditor.getState().model;
  if (!view || !model) return;
  const id = model.meta.id;
  const notify = useApp.getState().notify;
  try {
    if (useEditor.getState().savedKey === null && !(await saveCurrent())) return;
    const state = await backend.getTests(id);
    const cases = state.suite.cases ?? [];
    const taken = new Set(cases.map((c) => c.name));
    const name = await ask({
      type: "prompt",
      title: "Save as a test case",
      message: "The case runs this event in test mode and checks that it goes the same way.",
      label: "Name",
      value: `Case ${cases.length + 1}`,
      confirm: "Save the case",
      validate: (v) =>
        v.trim() === ""
          ? "Give the case a name."
          : taken.has(v.trim())
            ? "A case has this name already."
            : null,
    });
    if (!name) return;
    const suite = {
      ...state.suite,
      cases: [...cases, caseFromRun(name.trim(), event, view, trigger)],
    };
    await backend.saveTests(id, suite);
    notify("success", `Saved the test case "${name.trim()}".`);
    then();
  } catch (e) {
    notify(
      "error",
      `Could not save the test case: ${e instanceof TransportError ? e.message : String(e)}`,
    );
  }
}

/** A real run runs the saved file: unsaved changes are saved first (after asking). */
async function confirmRealRun(): Promise<boolean> {
  const s = useEditor.getState();
  if (s.savedKey !== null && !selectDirty(s)) return true;
  return saveCurrent();
}

function RunSummaryLine({ view, running }: { view: RunView | null; running: boolean }) {
  if (!view) return null;
  if (running) {
    const done = Object.values(view.nodes).filter((n) => n.status !== "running").length;
    return (
      <span className="run-chip run-chip--running">
        Running… {done} step{done === 1 ? "" : "s"} done
      </span>
    );
  }
  const time = view.durationMs !== undefined ? ` in ${formatDuration(view.durationMs)}` : "";
  if (view.status === "succeeded") {
    return <span className="run-chip run-chip--succeeded">Succeeded{time}</span>;
  }
  if (view.status === "cancelled")
    return <span className="run-chip run-chip--skipped">Cancelled</span>;
  return (
    <span className="run-chip run-chip--failed">
      Failed{view.failedNode ? ` at ${view.failedNode}` : ""}
      {view.error ? `: ${view.error.message}` : ""}
    </span>
  );
}

/** The steps the run reached, in order, with the way each branching step went. */
function StepsReached({ view, steps }: { view: RunView; steps: StepNode[] }) {
  const select = useEditor((s) => s.select);
  const byId = new Map(steps.map((s) => [s.id, s]));
  const reached = Object.entries(view.nodes).filter(
    ([, n]) => n.status !== "pending" && n.status !== "skipped",
  );
  const skipped = Object.values(view.nodes).filter((n) => n.status === "skipped").length;
  return (
    <div>
      <ol className="run-steps" data-testid="run-steps">
        {reached.map(([id, n]) => {
          const ways = n.ports.filter((p) => p !== "out");
          return (
            <li key={id}>
              <button className="run-steps__item" onClick={() => select([id])}>
                <span className={`run-dot run-dot--${n.status}`} aria-hidden />
                <span className="run-steps__name">{byId.get(id)?.data.name || id}</span>
                {ways.length > 0 && <span className="run-steps__way">→ {ways.join(", ")}</span>}
                {n.pinned && <Icon name="pin" size={12} />}
                <span className="muted">
                  {STATUS_TEXT[n.status]} · {formatDuration(n.durationMs)}
                </span>
              </button>
            </li>
          );
        })}
      </ol>
      {skipped > 0 && (
        <p className="muted">
          {skipped} step{skipped === 1 ? " was" : "s were"} not on this run&apos;s path.
        </p>
      )}
    </div>
  );
}

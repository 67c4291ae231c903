import { Icon } from "../../../components/Icon";
import type { StepNode } from "../../../core/canvas";
import { formatDuration, nodeInput, type NodeRun } from "../../../core/runView";
import type { Pinned } from "../../../generated/api";
import { useEditor } from "../../../stores/editor";
import { useRun } from "../../../stores/run";
import { JsonView } from "./JsonView";

export const STATUS_TEXT: Record<NodeRun["status"], string> = {
  pending: "Not reached",
  running: "Running",
  retrying: "Retrying",
  succeeded: "Succeeded",
  failed: "Failed",
  skipped: "Skipped",
};

/** One step's part in the shown run: status, attempts, timing, error, input and output. */
export function NodeResult({ node, run }: { node: StepNode; run: NodeRun | undefined }) {
  const view = useRun((s) => s.view);
  const event = useRun((s) => s.event);
  const updateStep = useEditor((s) => s.updateStep);
  const name = node.data.name || node.id;
  const pin = (pinned: Pinned | undefined) => {
    const { pinned: _old, ...rest } = node.data;
    updateStep(node.id, pinned ? { ...rest, pinned } : rest);
  };

  const pinnedNote = node.data.pinned && (
    <p className="run-node__pinned" data-testid="pinned-note">
      <Icon name="pin" size={14} /> Test runs use a pinned sample output instead of running this
      step.{" "}
      <button className="link-button" onClick={() => pin(undefined)} data-testid="unpin">
        Unpin
      </button>
    </p>
  );

  if (!run || !view) {
    return (
      <div className="run-node" data-testid="node-result">
        <h3>{name}</h3>
        {pinnedNote}
        <p className="muted">This step has no result in the shown run.</p>
      </div>
    );
  }
  const output = run.output as { simulated?: boolean; would_send?: unknown } | undefined;
  return (
    <div className="run-node" data-testid="node-result">
      <div className="run-node__head">
        <h3>{name}</h3>
        <span className={`run-chip run-chip--${run.status}`} data-testid="node-result-status">
          {STATUS_TEXT[run.status]}
        </span>
        {run.pinned && (
          <span className="run-chip run-chip--pinned" title="The output is a sample or a recording">
            <Icon name="pin" size={12} /> Pinned
          </span>
        )}
        <span className="muted">
          {run.attempts > 1 ? `${run.attempts} attempts · ` : ""}
          {run.items ? `${run.items} items · ` : ""}
          {formatDuration(run.durationMs)}
        </span>
        {run.status === "succeeded" && !run.pinned && (
          <button
            className="btn btn--ghost btn--small"
            title="Test runs will use this output instead of running the step"
            onClick={() => pin({ output: run.output as Pinned["output"], ports: run.ports })}
            data-testid="pin-output"
          >
            <Icon name="pin" size={14} /> Pin this output
          </button>
        )}
      </div>
      {pinnedNote}
      {run.error && (
        <div className="run-node__error" role="alert" data-testid="node-result-error">
          <strong>{run.error.message}</strong>
          <span className="problems__code">
            {run.error.code}
            {run.error.field ? ` · ${run.error.field}` : ""}
          </span>
        </div>
      )}
      {output?.simulated && (
        <div className="run-node__simulated" data-testid="would-send">
          <strong>Test mode: nothing was sent.</strong> It would have sent:
          <JsonView value={output.would_send ?? output} label="What it would send" />
        </div>
      )}
      {run.ports.length > 0 && !(run.ports.length === 1 && run.ports[0] === "out") && (
        <p className="run-node__route">
          Went to: <strong>{run.ports.filter((p) => p !== "out").join(", ") || "out"}</strong>
        </p>
      )}
      <div className="run-node__io">
        <section>
          <h4>Input</h4>
          <JsonView
            value={nodeInput(view, node.id, event)}
            label={`Input of ${name}`}
            testId="node-result-input"
          />
        </section>
        <section>
          <h4>Output</h4>
          <JsonView value={run.output} label={`Output of ${name}`} testId="node-result-output" />
        </section>
      </div>
    </div>
  );
}

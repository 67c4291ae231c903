import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";

import { Icon } from "../../../components/Icon";
import type { StepNode } from "../../../core/canvas";
import { nodeShape } from "../../../core/nodeShape";
import { formatDuration } from "../../../core/runView";
import { useCatalog } from "../../../stores/catalog";
import { useEditor } from "../../../stores/editor";
import { useRun } from "../../../stores/run";

const PENDING = { status: "pending", attempts: 0, durationMs: 0 } as const;

/** A step on the canvas: icon, name, kind, a problems badge, and its ports. */
export const StepNodeView = memo(function StepNodeView({
  id,
  data,
  selected,
}: NodeProps<StepNode>) {
  const descriptor = useCatalog((s) => s.catalog.get(data.kind));
  const problems = useEditor((s) => s.view.byNode.get(id));
  const shape = nodeShape(descriptor, data.params);
  const category = descriptor?.category ?? "utilities";
  const worst = problems ? (problems.errors ? "error" : "warning") : null;
  // While a run is shown: this step's part in it.
  const run = useRun((s) => (s.view ? (s.view.nodes[id] ?? PENDING) : null));

  return (
    <div
      className={`step step--${category}${selected ? " step--selected" : ""}${worst ? ` step--has-${worst}` : ""}${run ? ` step--run-${run.status}` : ""}`}
      style={{ width: shape.width, height: shape.height }}
      data-testid={`node-${id}`}
      data-run-status={run?.status}
    >
      {data.pinned && (
        <span
          className="step__pin"
          title="Pinned sample output (used in test runs)"
          data-testid={`pin-${id}`}
        >
          <Icon name="pin" size={11} />
        </span>
      )}
      {run && run.status !== "pending" && run.status !== "skipped" && (
        <span className={`step__run step__run--${run.status}`} data-testid={`run-${id}`}>
          {run.status === "succeeded" ? (
            <Icon name="check" size={11} />
          ) : run.status === "failed" ? (
            <Icon name="close" size={11} />
          ) : null}
          {run.status === "running"
            ? "running"
            : run.status === "retrying"
              ? `retry ${run.attempts}`
              : formatDuration(run.durationMs)}
        </span>
      )}
      <div className="step__header">
        <span className="step__icon">
          <Icon name={category} size={16} />
        </span>
        <span className="step__titles">
          <span className="step__name">{data.name || id}</span>
          <span className="step__kind">{descriptor?.title ?? data.kind}</span>
        </span>
        {problems && worst && (
          <span
            className={`step__badge step__badge--${worst}`}
            title={problems.messages.map((m) => m.message).join("\n")}
            data-testid={`badge-${id}`}
          >
            <Icon name={worst} size={12} />
            {problems.errors + problems.warnings}
          </span>
        )}
      </div>
      {shape.rows && (
        <div className="step__ports">
          {shape.outputs.map(({ port }) => (
            <div
              key={port.name}
              className={port.name === "error" ? "step__port step__port--error" : "step__port"}
            >
              {port.label}
            </div>
          ))}
        </div>
      )}
      {shape.inputY !== null && (
        <Handle
          type="target"
          position={Position.Left}
          id="in"
          style={{ top: shape.inputY }}
          className="handle handle--in"
        />
      )}
      {shape.outputs.map(({ port, y }) => (
        <Handle
          key={port.name}
          type="source"
          position={Position.Right}
          id={port.name}
          style={{ top: y }}
          className={port.name === "error" ? "handle handle--error" : "handle"}
          title={port.label}
        />
      ))}
    </div>
  );
});

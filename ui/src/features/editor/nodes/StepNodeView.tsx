import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";

import { Icon } from "../../../components/Icon";
import type { StepNode } from "../../../core/canvas";
import { nodeShape } from "../../../core/nodeShape";
import { useCatalog } from "../../../stores/catalog";
import { useEditor } from "../../../stores/editor";

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

  return (
    <div
      className={`step step--${category}${selected ? " step--selected" : ""}${worst ? ` step--has-${worst}` : ""}`}
      style={{ width: shape.width, height: shape.height }}
      data-testid={`node-${id}`}
    >
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

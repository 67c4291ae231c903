import { useRef, useState } from "react";

import { Icon } from "../../../components/Icon";
import {
  buildCondition,
  OPERATORS,
  parseCondition,
  type Condition,
  type Rule,
} from "../../../core/condition";
import { ExpressionInput } from "./ExpressionInput";

/**
 * A condition: rows of field / operator / value that write the expression, or the expression
 * as text when it is more than the builder can show.
 */
export function ConditionEditor({
  value,
  onChange,
  invalid,
}: {
  value: string;
  onChange: (value: string) => void;
  invalid?: boolean;
}) {
  const parsed = parseCondition(value);
  const [asText, setAsText] = useState(parsed === null);
  // The rows as typed (half-typed rows cannot be read back from the expression).
  const [local, setLocal] = useState<Condition>(parsed ?? { join: "and", rules: [] });
  const written = useRef(value);
  if (value !== written.current) {
    // Changed from outside (undo, another editor): show what the expression says.
    written.current = value;
    if (parsed) setLocal(parsed);
    else if (!asText) setAsText(true);
  }
  const condition = local;
  const rules = condition.rules.length
    ? condition.rules
    : [{ field: "", op: ">=" as const, value: "" }];

  const write = (next: Condition) => {
    setLocal(next);
    const text = buildCondition(next);
    written.current = text;
    onChange(text);
  };
  const setRule = (i: number, patch: Partial<Rule>) =>
    write({ ...condition, rules: rules.map((r, j) => (j === i ? { ...r, ...patch } : r)) });

  if (asText) {
    return (
      <div className="cond">
        <ExpressionInput
          value={value}
          onChange={onChange}
          mode="expression"
          invalid={invalid ?? false}
          placeholder="event.budget >= 10000"
        />
        <button
          type="button"
          className="btn btn--ghost btn--small"
          disabled={parsed === null}
          title={parsed === null ? "This expression is more than the builder can show" : undefined}
          onClick={() => {
            if (parsed) setLocal(parsed);
            setAsText(false);
          }}
        >
          <Icon name="wand" size={14} /> Use the builder
        </button>
      </div>
    );
  }

  return (
    <div className="cond" data-testid="condition-builder">
      {rules.map((rule, i) => {
        const needsValue = OPERATORS.find((o) => o.op === rule.op)?.needsValue ?? true;
        return (
          <div key={i} className="cond__row">
            {i > 0 ? (
              <select
                className="select cond__join"
                value={condition.join}
                onChange={(e) => write({ ...condition, join: e.target.value as "and" | "or" })}
                aria-label="Combine with"
              >
                <option value="and">and</option>
                <option value="or">or</option>
              </select>
            ) : (
              <span className="cond__join cond__join--first">When</span>
            )}
            <div className="cond__parts">
              <ExpressionInput
                value={rule.field}
                onChange={(field) => setRule(i, { field })}
                mode="expression"
                placeholder="event.budget"
                label="Field"
                invalid={invalid ?? false}
              />
              <select
                className="select"
                value={rule.op}
                onChange={(e) => setRule(i, { op: e.target.value as Rule["op"] })}
                aria-label="Comparison"
              >
                {OPERATORS.map((o) => (
                  <option key={o.op} value={o.op}>
                    {o.label}
                  </option>
                ))}
              </select>
              {needsValue ? (
                <ExpressionInput
                  value={rule.value}
                  onChange={(v) => setRule(i, { value: v })}
                  mode="expression"
                  placeholder="10000"
                  label="Value"
                />
              ) : null}
            </div>
            <button
              type="button"
              className="btn btn--ghost btn--icon"
              aria-label="Remove this rule"
              onClick={() => write({ ...condition, rules: rules.filter((_, j) => j !== i) })}
            >
              <Icon name="close" size={14} />
            </button>
          </div>
        );
      })}
      <div className="cond__footer">
        <button
          type="button"
          className="btn btn--small"
          onClick={() =>
            write({ ...condition, rules: [...rules, { field: "", op: "==", value: "" }] })
          }
        >
          <Icon name="plus" size={14} /> Add a rule
        </button>
        <button type="button" className="btn btn--ghost btn--small" onClick={() => setAsText(true)}>
          <Icon name="code" size={14} /> Edit as text
        </button>
        {value && (
          <code className="cond__preview" title="The expression this writes">
            {value}
          </code>
        )}
      </div>
    </div>
  );
}

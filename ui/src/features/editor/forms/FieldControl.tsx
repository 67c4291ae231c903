import { useEffect, useId, useState } from "react";

import { Icon } from "../../../components/Icon";
import { emptyValue } from "../../../core/catalog";
import { pickerFor } from "../../../core/settings";
import type { Diagnostic, Field } from "../../../generated/api";
import { ConditionEditor } from "./ConditionEditor";
import { ExpressionInput } from "./ExpressionInput";
import { PickerControl } from "./PickerControl";

interface Props {
  field: Field;
  value: unknown;
  /** `undefined` removes the setting (the default applies). */
  onChange: (value: unknown) => void;
  problems?: readonly Diagnostic[] | undefined;
}

/** One setting: label, the control for its type, help, and the compiler's messages about it. */
export function FieldRow({ field, value, onChange, problems }: Props) {
  const id = useId();
  const invalid = problems !== undefined && problems.some((p) => p.severity === "error");
  const inline = field.type.kind === "boolean";
  return (
    <div className={inline ? "field field--inline" : "field"} data-testid={`field-${field.name}`}>
      {!inline && (
        <label className="field__label" htmlFor={id}>
          {field.label}
          {field.required && (
            <span className="field__required" title="Required">
              {" "}
              *
            </span>
          )}
        </label>
      )}
      <FieldControl id={id} field={field} value={value} onChange={onChange} invalid={invalid} />
      {field.help && <small className="field__help">{field.help}</small>}
      {problems?.map((p, i) => (
        <small key={i} className={p.severity === "error" ? "field__error" : "field__warning"}>
          <Icon name={p.severity === "error" ? "error" : "warning"} size={12} /> {p.message}
        </small>
      ))}
    </div>
  );
}

function FieldControl({
  id,
  field,
  value,
  onChange,
  invalid,
}: {
  id: string;
  field: Field;
  value: unknown;
  onChange: (value: unknown) => void;
  invalid: boolean;
}) {
  const type = field.type;
  const fallback = value === undefined ? field.default : value;
  // Settings that name a secret or a connection pick from what Settings holds.
  const picker = pickerFor(field.name);
  if (picker && (type.kind === "text" || type.kind === "template")) {
    return (
      <PickerControl
        id={id}
        kind={picker}
        field={field}
        value={value}
        onChange={onChange}
        invalid={invalid}
      />
    );
  }
  switch (type.kind) {
    case "text":
      return (
        <input
          id={id}
          className="input"
          value={typeof value === "string" ? value : ""}
          placeholder={typeof field.default === "string" ? field.default : ""}
          aria-invalid={invalid || undefined}
          onChange={(e) =>
            onChange(e.target.value === "" && !field.required ? undefined : e.target.value)
          }
        />
      );
    case "template":
      return (
        <ExpressionInput
          id={id}
          value={
            typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value)
          }
          onChange={(v) => onChange(v === "" && !field.required ? undefined : v)}
          mode="template"
          multiline={type.multiline}
          invalid={invalid}
        />
      );
    case "expression":
      return (
        <ConditionEditor
          value={typeof value === "string" ? value : ""}
          onChange={(v) => onChange(v === "" && !field.required ? undefined : v)}
          invalid={invalid}
        />
      );
    case "number":
      return (
        <NumberInput
          id={id}
          value={fallback}
          min={type.min ?? undefined}
          max={type.max ?? undefined}
          integer={type.integer}
          invalid={invalid}
          onChange={onChange}
        />
      );
    case "boolean":
      return (
        <label className="toggle" htmlFor={id}>
          <input
            id={id}
            type="checkbox"
            checked={fallback === true}
            onChange={(e) => onChange(e.target.checked)}
          />
          <span className="toggle__track" aria-hidden="true" />
          <span className="field__label">{field.label}</span>
        </label>
      );
    case "select":
      return (
        <select
          id={id}
          className="select"
          value={typeof fallback === "string" ? fallback : ""}
          onChange={(e) => onChange(e.target.value)}
        >
          {fallback === undefined && <option value="">Choose…</option>}
          {type.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
    case "key_value":
      return <KeyValueEditor value={value} onChange={onChange} />;
    case "json":
      return <JsonEditor id={id} value={value} onChange={onChange} invalid={invalid} />;
    case "list":
      return (
        <ListEditor
          fields={type.fields}
          value={value}
          onChange={onChange}
          itemLabel={field.label}
        />
      );
  }
}

function NumberInput(props: {
  id: string;
  value: unknown;
  min: number | undefined;
  max: number | undefined;
  integer: boolean;
  invalid: boolean;
  onChange: (v: unknown) => void;
}) {
  const [text, setText] = useState(typeof props.value === "number" ? String(props.value) : "");
  useEffect(() => {
    setText((t) =>
      Number(t) === props.value ? t : typeof props.value === "number" ? String(props.value) : "",
    );
  }, [props.value]);
  return (
    <input
      id={props.id}
      className="input"
      type="number"
      inputMode={props.integer ? "numeric" : "decimal"}
      step={props.integer ? 1 : "any"}
      min={props.min}
      max={props.max}
      value={text}
      aria-invalid={props.invalid || undefined}
      onChange={(e) => {
        setText(e.target.value);
        if (e.target.value === "") return props.onChange(undefined);
        const n = Number(e.target.value);
        if (Number.isFinite(n)) props.onChange(n);
      }}
    />
  );
}

/** Names mapped to template values (headers, fields to set). */
export function KeyValueEditor({
  value,
  onChange,
}: {
  value: unknown;
  onChange: (v: unknown) => void;
}) {
  const map =
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  // Rows keep their order while keys are typed; a blank key is kept locally until named.
  const [blank, setBlank] = useState(false);
  const entries = Object.entries(map);
  const write = (rows: [string, unknown][]) => onChange(Object.fromEntries(rows));

  return (
    <div className="kv">
      {entries.map(([k, v], i) => (
        <div key={i} className="kv__row">
          <input
            className="input input--code kv__key"
            value={k}
            aria-label="Name"
            placeholder="name"
            onChange={(e) => {
              const name = e.target.value;
              if (name !== k && name in map) return;
              write(entries.map(([ek, ev], j) => (j === i ? [name, ev] : [ek, ev])));
            }}
          />
          <ExpressionInput
            value={typeof v === "string" ? v : JSON.stringify(v)}
            onChange={(text) =>
              write(entries.map(([ek, ev], j) => (j === i ? [ek, text] : [ek, ev])))
            }
            mode="template"
            label={`Value of ${k}`}
          />
          <button
            type="button"
            className="btn btn--ghost btn--icon"
            aria-label={`Remove ${k}`}
            onClick={() => write(entries.filter((_, j) => j !== i))}
          >
            <Icon name="close" size={14} />
          </button>
        </div>
      ))}
      {blank && (
        <div className="kv__row">
          <input
            className="input input--code kv__key"
            autoFocus
            placeholder="name"
            aria-label="New name"
            onBlur={() => setBlank(false)}
            onChange={(e) => {
              const name = e.target.value.trim();
              if (!name || name in map) return;
              setBlank(false);
              write([...entries, [name, ""]]);
            }}
          />
          <span />
          <span />
        </div>
      )}
      <button type="button" className="btn btn--small" onClick={() => setBlank(true)}>
        <Icon name="plus" size={14} /> Add
      </button>
    </div>
  );
}

/** Any JSON value, written as text; only valid JSON reaches the workflow. */
function JsonEditor({
  id,
  value,
  onChange,
  invalid,
}: {
  id: string;
  value: unknown;
  onChange: (v: unknown) => void;
  invalid: boolean;
}) {
  const pretty = value === undefined ? "" : JSON.stringify(value, null, 2);
  const [text, setText] = useState(pretty);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText((t) => {
      try {
        return JSON.stringify(JSON.parse(t)) === JSON.stringify(value) ? t : pretty;
      } catch {
        return pretty;
      }
    });
  }, [value, pretty]);
  return (
    <>
      <textarea
        id={id}
        className="textarea textarea--code"
        rows={Math.min(12, Math.max(3, text.split("\n").length))}
        value={text}
        spellCheck={false}
        aria-invalid={invalid || error !== null || undefined}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === "") {
            setError(null);
            return onChange(undefined);
          }
          try {
            const parsed: unknown = JSON.parse(e.target.value);
            setError(null);
            onChange(parsed);
          } catch (err) {
            setError(err instanceof Error ? err.message : "Not valid JSON");
          }
        }}
      />
      {error && <small className="field__error">Not saved until it is valid JSON: {error}</small>}
    </>
  );
}

/** A list of items, each a small form (the Switch node's routes). */
function ListEditor({
  fields,
  value,
  onChange,
  itemLabel,
}: {
  fields: Field[];
  value: unknown;
  onChange: (v: unknown) => void;
  itemLabel: string;
}) {
  const items = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  const write = (next: Record<string, unknown>[]) => onChange(next);
  const move = (i: number, by: number) => {
    const next = [...items];
    const [item] = next.splice(i, 1);
    next.splice(i + by, 0, item!);
    write(next);
  };
  return (
    <div className="list">
      {items.map((item, i) => (
        <fieldset key={i} className="list__item">
          <legend>
            {itemLabel.replace(/s$/, "")} {i + 1}
            <span className="list__tools">
              <button
                type="button"
                className="btn btn--ghost btn--icon btn--small"
                disabled={i === 0}
                aria-label="Move up"
                onClick={() => move(i, -1)}
              >
                <Icon name="up" size={14} />
              </button>
              <button
                type="button"
                className="btn btn--ghost btn--icon btn--small"
                disabled={i === items.length - 1}
                aria-label="Move down"
                onClick={() => move(i, 1)}
              >
                <Icon name="down" size={14} />
              </button>
              <button
                type="button"
                className="btn btn--ghost btn--icon btn--small"
                aria-label="Remove"
                onClick={() => write(items.filter((_, j) => j !== i))}
              >
                <Icon name="trash" size={14} />
              </button>
            </span>
          </legend>
          {fields.map((f) => (
            <FieldRow
              key={f.name}
              field={f}
              value={item[f.name]}
              onChange={(v) => {
                const nextItem = { ...item };
                if (v === undefined) delete nextItem[f.name];
                else nextItem[f.name] = v;
                write(items.map((it, j) => (j === i ? nextItem : it)));
              }}
            />
          ))}
        </fieldset>
      ))}
      <button
        type="button"
        className="btn btn--small"
        onClick={() =>
          write([
            ...items,
            Object.fromEntries(
              fields.filter((f) => f.required).map((f) => [f.name, emptyValue(f)]),
            ),
          ])
        }
      >
        <Icon name="plus" size={14} /> Add {itemLabel.replace(/s$/, "").toLowerCase()}
      </button>
    </div>
  );
}

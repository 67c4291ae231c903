// A setting that names something kept in Settings (a secret, an AI provider, an email server,
// a database): a list of what exists, plus typing a name that does not exist yet.
import { useState } from "react";

import { Icon } from "../../../components/Icon";
import { missingChoiceHint, pickerChoices, type PickerKind } from "../../../core/settings";
import type { Field } from "../../../generated/api";
import { openSettings } from "../../../stores/app";
import { selectSecretList, selectWorkspace, useSettings } from "../../../stores/settings";

/** The `<select>` value of "type a name". */
const OTHER = "\u0000other";

const NOUN: Record<PickerKind, string> = {
  secret: "secret",
  provider: "AI provider",
  server: "email server",
  database: "database",
};

export function PickerControl({
  id,
  kind,
  field,
  value,
  onChange,
  invalid,
}: {
  id: string;
  kind: PickerKind;
  field: Field;
  value: unknown;
  onChange: (value: unknown) => void;
  invalid: boolean;
}) {
  const workspace = useSettings(selectWorkspace);
  const secrets = useSettings(selectSecretList);
  const choices = pickerChoices(kind, workspace, secrets);
  const text = typeof value === "string" ? value : "";
  const known = choices.some((c) => c.value === text);
  // Chosen "Type a name…" (a name that is not in the list shows the text field anyway).
  const [typing, setTyping] = useState(false);
  const showText = typing || (text !== "" && !known);
  const hint = missingChoiceHint(kind, text, choices);
  const fallback = typeof field.default === "string" ? field.default : null;
  const none = fallback
    ? `Default (${fallback})`
    : field.required
      ? `Choose a ${NOUN[kind]}…`
      : "None";

  return (
    <div className="picker" data-testid={`picker-${kind}`}>
      <select
        id={id}
        className="select"
        value={showText ? OTHER : text}
        aria-invalid={invalid || undefined}
        onChange={(e) => {
          if (e.target.value === OTHER) {
            setTyping(true);
            return;
          }
          setTyping(false);
          onChange(e.target.value === "" && !field.required ? undefined : e.target.value);
        }}
      >
        <option value="">{none}</option>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
        <option value={OTHER}>Type a name…</option>
      </select>
      {showText && (
        <input
          className="input input--code"
          value={text}
          placeholder={`name of the ${NOUN[kind]}`}
          aria-label={`Name of the ${NOUN[kind]}`}
          spellCheck={false}
          aria-invalid={invalid || undefined}
          autoFocus={typing && text === ""}
          onChange={(e) =>
            onChange(e.target.value === "" && !field.required ? undefined : e.target.value)
          }
        />
      )}
      {hint && (
        <small className="field__warning" data-testid="picker-hint">
          <Icon name="warning" size={12} /> {hint}{" "}
          <button type="button" className="link-button" onClick={openSettings}>
            Open Settings
          </button>
        </small>
      )}
      {choices.length === 0 && !hint && (
        <small className="field__help">
          No {NOUN[kind]} is set up yet.{" "}
          <button type="button" className="link-button" onClick={openSettings}>
            Add one in Settings
          </button>
        </small>
      )}
    </div>
  );
}

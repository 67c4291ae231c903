// Small pieces shared by the Settings sections: a labelled field, the secret picker and the
// "add a secret" dialog.
import { useId, useState, type ReactNode } from "react";

import { Icon } from "../../components/Icon";
import { errorText, pickerChoices, secretNameProblem } from "../../core/settings";
import { ask } from "../../stores/dialogs";
import { selectSecretList, useSettings } from "../../stores/settings";

/** A label, the control (given the id to use), help and an error. */
export function Field({
  label,
  help,
  error,
  children,
  testId,
}: {
  label: string;
  help?: ReactNode;
  error?: string | undefined;
  children: (id: string) => ReactNode;
  testId?: string;
}) {
  const id = useId();
  return (
    <div className="field" data-testid={testId}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {children(id)}
      {help && <small className="field__help">{help}</small>}
      {error && (
        <small className="field__error" role="alert">
          <Icon name="error" size={12} /> {error}
        </small>
      )}
    </div>
  );
}

/** A one-line text field. */
export function TextInput({
  id,
  value,
  onChange,
  placeholder,
  invalid,
  code,
  inputMode,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  invalid?: boolean;
  code?: boolean;
  inputMode?: "numeric" | "decimal";
}) {
  return (
    <input
      id={id}
      className={code ? "input input--code" : "input"}
      value={value}
      placeholder={placeholder}
      inputMode={inputMode}
      spellCheck={false}
      aria-invalid={invalid || undefined}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/**
 * Picks a stored secret by name (never showing a value); "" is none. A name that is not stored
 * stays selectable (and says so); "New secret…" stores one and picks it.
 */
export function SecretPicker({
  id,
  value,
  onChange,
  noneLabel = "None",
  invalid,
}: {
  id: string;
  value: string;
  onChange: (name: string) => void;
  noneLabel?: string;
  invalid?: boolean;
}) {
  const secrets = useSettings(selectSecretList);
  const choices = pickerChoices("secret", undefined, secrets);
  const missing = value !== "" && !choices.some((c) => c.value === value);
  return (
    <div className="secret-picker">
      <select
        id={id}
        className="select"
        value={value}
        aria-invalid={invalid || undefined}
        onChange={(e) => onChange(e.target.value)}
      >
        <option value="">{noneLabel}</option>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
        {missing && <option value={value}>{value} (not stored yet)</option>}
      </select>
      <button
        type="button"
        className="btn btn--small"
        onClick={() =>
          void addSecretDialog(missing ? value : "").then((name) => name && onChange(name))
        }
      >
        <Icon name="key" size={14} /> {missing ? "Store it…" : "New secret…"}
      </button>
      {missing && (
        <small className="field__warning">
          <Icon name="warning" size={12} /> "{value}" is not stored yet: runs that need it will fail
          until it is.
        </small>
      )}
    </div>
  );
}

/** Asks for a secret's name and value and stores it; the name, or null when cancelled. */
export function addSecretDialog(name: string, replacing = false): Promise<string | null> {
  return ask({
    type: "custom",
    render: (close) => <SecretForm initialName={name} replacing={replacing} close={close} />,
  });
}

function SecretForm({
  initialName,
  replacing,
  close,
}: {
  initialName: string;
  replacing: boolean;
  close: (result: string | null) => void;
}) {
  const [name, setName] = useState(initialName);
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameProblem = secretNameProblem(name.trim());
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (nameProblem || value === "") return;
        setBusy(true);
        useSettings
          .getState()
          .setSecret(name.trim(), value)
          .then(
            () => close(name.trim()),
            (err: unknown) => {
              setBusy(false);
              setError(errorText(err));
            },
          );
      }}
      data-testid="secret-form"
    >
      <h2>{replacing ? `Replace "${initialName}"` : "Store a secret"}</h2>
      <p>
        {replacing
          ? "Type the new value. The old one is overwritten; workflows keep using the same name."
          : "A password, API key or address with a password in it. It is encrypted on this computer and never shown again; workflows use it by its name."}
      </p>
      {!replacing && (
        <label className="dialog__field">
          <span>Name</span>
          <input
            className="input input--code"
            value={name}
            placeholder="OPENAI_API_KEY"
            spellCheck={false}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={(name !== "" && nameProblem !== null) || undefined}
            data-autofocus={initialName === "" ? true : undefined}
          />
          {name !== "" && nameProblem && <small className="field__error">{nameProblem}</small>}
        </label>
      )}
      <label className="dialog__field">
        <span>Value</span>
        <input
          className="input"
          type="password"
          autoComplete="new-password"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          data-autofocus={initialName !== "" ? true : undefined}
          data-testid="secret-value"
        />
      </label>
      {error && (
        <p className="field__error" role="alert">
          <Icon name="error" size={12} /> {error}
        </p>
      )}
      <div className="dialog__actions">
        <button type="button" className="btn" onClick={() => close(null)}>
          Cancel
        </button>
        <button
          type="submit"
          className="btn btn--primary"
          disabled={busy || nameProblem !== null || value === ""}
        >
          {replacing ? "Replace" : "Store secret"}
        </button>
      </div>
    </form>
  );
}

// The forms that add or change one connection: an AI provider, an email server, a database.
// Each checks itself before saving; the backend's own refusal is shown under the buttons.
import { useState, type FormEvent, type ReactNode } from "react";

import { Icon } from "../../components/Icon";
import {
  checkDatabase,
  checkEmail,
  checkProvider,
  databaseDraft,
  emailDraft,
  providerDraft,
  SECURITY_PORTS,
  type Checked,
  type DatabaseDraft,
  type EmailDraft,
  type FormErrors,
  type ProviderDraft,
} from "../../core/settings";
import type { AiProvider, Database, EmailServer, SmtpSecurity } from "../../generated/api";
import { Field, SecretPicker, TextInput } from "./parts";

export interface FormProps<T> {
  /** The connection being changed, or undefined for a new one. */
  item: T | undefined;
  /** Ids of the other connections of the same kind. */
  otherIds: readonly string[];
  /** Saves; resolves with a problem in plain words, or null when saved. */
  onSave: (item: T) => Promise<string | null>;
  onCancel: () => void;
}

/** Draft state, the errors shown after the first attempt, and the submit handler. */
function useDraft<D, T, F extends string>(
  initial: D,
  check: (d: D) => Checked<T, F>,
  onSave: (item: T) => Promise<string | null>,
) {
  const [draft, setDraft] = useState(initial);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const checked = check(draft);
  const errors: FormErrors<F> = tried && !checked.ok ? checked.errors : {};
  const set = <K extends keyof D>(key: K, value: D[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!checked.ok) return;
    setBusy(true);
    setSaveError(null);
    void onSave(checked.value).then((problem) => {
      setBusy(false);
      setSaveError(problem);
    });
  };
  return { draft, set, setDraft, errors, submit, busy, saveError };
}

function FormFrame({
  title,
  children,
  onSubmit,
  onCancel,
  busy,
  saveError,
  testId,
}: {
  title: string;
  children: ReactNode;
  onSubmit: (e: FormEvent) => void;
  onCancel: () => void;
  busy: boolean;
  saveError: string | null;
  testId: string;
}) {
  return (
    <form className="conn-form" onSubmit={onSubmit} noValidate data-testid={testId}>
      <h4 className="conn-form__title">{title}</h4>
      <div className="conn-form__grid">{children}</div>
      {saveError && (
        <p className="conn-form__error" role="alert" data-testid="save-error">
          <Icon name="error" size={14} /> {saveError}
        </p>
      )}
      <div className="conn-form__actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn--primary" disabled={busy}>
          <Icon name="save" size={16} /> {busy ? "Saving…" : "Save"}
        </button>
      </div>
    </form>
  );
}

const ID_HELP = "Nodes pick the connection by this name. No spaces.";

export function ProviderForm({ item, otherIds, onSave, onCancel }: FormProps<AiProvider>) {
  const f = useDraft<ProviderDraft, AiProvider, keyof ProviderDraft>(
    providerDraft(item),
    (d) => checkProvider(d, otherIds),
    onSave,
  );
  const { draft, set, errors } = f;
  return (
    <FormFrame
      title={item ? `Change ${item.name || item.id}` : "Add an AI provider"}
      onSubmit={f.submit}
      onCancel={onCancel}
      busy={f.busy}
      saveError={f.saveError}
      testId="provider-form"
    >
      <Field label="Display name (optional)" help="Shown in lists, e.g. OpenAI (work account).">
        {(id) => <TextInput id={id} value={draft.name} onChange={(v) => set("name", v)} />}
      </Field>
      <Field label="Short name" help={ID_HELP} error={errors.id}>
        {(id) => (
          <TextInput
            id={id}
            code
            value={draft.id}
            placeholder="openai"
            invalid={!!errors.id}
            onChange={(v) => set("id", v)}
          />
        )}
      </Field>
      <Field
        label="Base URL"
        help={
          <>
            The address of the service. For OpenAI <code>https://api.openai.com/v1</code>, for
            Ollama <code>http://127.0.0.1:11434/v1</code>, for LM Studio{" "}
            <code>http://127.0.0.1:1234/v1</code>.
          </>
        }
        error={errors.base_url}
      >
        {(id) => (
          <TextInput
            id={id}
            code
            value={draft.base_url}
            placeholder="https://api.openai.com/v1"
            invalid={!!errors.base_url}
            onChange={(v) => set("base_url", v)}
          />
        )}
      </Field>
      <Field
        label="Model"
        help="Used when an AI step does not name one, e.g. gpt-4o-mini or llama3.2."
        error={errors.model}
      >
        {(id) => (
          <TextInput
            id={id}
            code
            value={draft.model}
            placeholder="gpt-4o-mini"
            invalid={!!errors.model}
            onChange={(v) => set("model", v)}
          />
        )}
      </Field>
      <Field
        label="API key"
        help="The secret that holds the key. Local servers such as Ollama need none."
      >
        {(id) => (
          <SecretPicker
            id={id}
            value={draft.api_key_secret}
            noneLabel="No key"
            onChange={(v) => set("api_key_secret", v)}
          />
        )}
      </Field>
      <div className="conn-form__pair">
        <Field label="Time limit (seconds)" error={errors.timeout_s}>
          {(id) => (
            <TextInput
              id={id}
              inputMode="decimal"
              value={draft.timeout_s}
              invalid={!!errors.timeout_s}
              onChange={(v) => set("timeout_s", v)}
            />
          )}
        </Field>
        <Field
          label="Attempts"
          help="Tries again when the service is busy or fails."
          error={errors.max_attempts}
        >
          {(id) => (
            <TextInput
              id={id}
              inputMode="numeric"
              value={draft.max_attempts}
              invalid={!!errors.max_attempts}
              onChange={(v) => set("max_attempts", v)}
            />
          )}
        </Field>
      </div>
    </FormFrame>
  );
}

const SECURITY_LABELS: Record<SmtpSecurity, string> = {
  starttls: "STARTTLS (usually port 587)",
  tls: "TLS (usually port 465)",
  plain: "None (local relays only)",
};

export function EmailForm({ item, otherIds, onSave, onCancel }: FormProps<EmailServer>) {
  const f = useDraft<EmailDraft, EmailServer, keyof EmailDraft>(
    emailDraft(item),
    (d) => checkEmail(d, otherIds),
    onSave,
  );
  const { draft, set, errors } = f;
  return (
    <FormFrame
      title={item ? `Change ${item.name || item.id}` : "Add an email server"}
      onSubmit={f.submit}
      onCancel={onCancel}
      busy={f.busy}
      saveError={f.saveError}
      testId="email-form"
    >
      <Field label="Display name (optional)" help="Shown in lists, e.g. Office mail.">
        {(id) => <TextInput id={id} value={draft.name} onChange={(v) => set("name", v)} />}
      </Field>
      <Field label="Short name" help={ID_HELP} error={errors.id}>
        {(id) => (
          <TextInput
            id={id}
            code
            value={draft.id}
            placeholder="office"
            invalid={!!errors.id}
            onChange={(v) => set("id", v)}
          />
        )}
      </Field>
      <Field
        label="Server (SMTP host)"
        help="From your email provider's settings, e.g. smtp.gmail.com."
        error={errors.host}
      >
        {(id) => (
          <TextInput
            id={id}
            code
            value={draft.host}
            placeholder="smtp.example.com"
            invalid={!!errors.host}
            onChange={(v) => set("host", v)}
          />
        )}
      </Field>
      <div className="conn-form__pair">
        <Field
          label="Security"
          help="How the connection is encrypted; your provider says which to use."
        >
          {(id) => (
            <select
              id={id}
              className="select"
              value={draft.security}
              onChange={(e) => {
                const security = e.target.value as SmtpSecurity;
                // The port follows the security while it is the usual one.
                const usual = String(SECURITY_PORTS[draft.security]);
                f.setDraft((d) => ({
                  ...d,
                  security,
                  port: d.port === usual ? String(SECURITY_PORTS[security]) : d.port,
                }));
              }}
            >
              {(Object.keys(SECURITY_LABELS) as SmtpSecurity[]).map((s) => (
                <option key={s} value={s}>
                  {SECURITY_LABELS[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Port" error={errors.port}>
          {(id) => (
            <TextInput
              id={id}
              inputMode="numeric"
              value={draft.port}
              invalid={!!errors.port}
              onChange={(v) => set("port", v)}
            />
          )}
        </Field>
      </div>
      <Field
        label="Sender"
        help="Used when an email step does not set one, e.g. Sales <sales@example.com>."
        error={errors.from}
      >
        {(id) => (
          <TextInput
            id={id}
            value={draft.from}
            placeholder="Sales <sales@example.com>"
            invalid={!!errors.from}
            onChange={(v) => set("from", v)}
          />
        )}
      </Field>
      <div className="conn-form__pair">
        <Field
          label="User name (optional)"
          help="Often your email address."
          error={errors.username}
        >
          {(id) => (
            <TextInput
              id={id}
              value={draft.username}
              invalid={!!errors.username}
              onChange={(v) => set("username", v)}
            />
          )}
        </Field>
        <Field label="Password" help="The secret that holds the password (or an app password).">
          {(id) => (
            <SecretPicker
              id={id}
              value={draft.password_secret}
              noneLabel="No password"
              onChange={(v) => set("password_secret", v)}
            />
          )}
        </Field>
      </div>
      <details className="conn-form__more">
        <summary>More options</summary>
        <Field
          label="Company certificate file (optional)"
          help="A PEM file of certificate authorities to trust, if your company runs its own."
        >
          {(id) => (
            <TextInput
              id={id}
              code
              value={draft.ca_file}
              placeholder="/etc/ssl/company-ca.pem"
              onChange={(v) => set("ca_file", v)}
            />
          )}
        </Field>
        <Field label="Time limit (seconds)" error={errors.timeout_s}>
          {(id) => (
            <TextInput
              id={id}
              inputMode="decimal"
              value={draft.timeout_s}
              invalid={!!errors.timeout_s}
              onChange={(v) => set("timeout_s", v)}
            />
          )}
        </Field>
      </details>
    </FormFrame>
  );
}

export function DatabaseForm({ item, otherIds, onSave, onCancel }: FormProps<Database>) {
  const f = useDraft<DatabaseDraft, Database, keyof DatabaseDraft>(
    databaseDraft(item),
    (d) => checkDatabase(d, otherIds),
    onSave,
  );
  const { draft, set, errors } = f;
  return (
    <FormFrame
      title={item ? `Change ${item.name || item.id}` : "Add a database"}
      onSubmit={f.submit}
      onCancel={onCancel}
      busy={f.busy}
      saveError={f.saveError}
      testId="database-form"
    >
      <Field label="Display name (optional)" help="Shown in lists, e.g. Shop orders.">
        {(id) => <TextInput id={id} value={draft.name} onChange={(v) => set("name", v)} />}
      </Field>
      <Field label="Short name" help={ID_HELP} error={errors.id}>
        {(id) => (
          <TextInput
            id={id}
            code
            value={draft.id}
            placeholder="shop"
            invalid={!!errors.id}
            onChange={(v) => set("id", v)}
          />
        )}
      </Field>
      <fieldset className="conn-form__choice">
        <legend className="field__label">Where is the address?</legend>
        <label>
          <input
            type="radio"
            name="db-source"
            checked={draft.source === "url"}
            onChange={() => set("source", "url")}
          />{" "}
          Typed here (it has no password)
        </label>
        <label>
          <input
            type="radio"
            name="db-source"
            checked={draft.source === "secret"}
            onChange={() => set("source", "secret")}
          />{" "}
          Kept in a secret (it has a password)
        </label>
      </fieldset>
      {draft.source === "url" ? (
        <Field
          label="Address"
          help={
            <>
              A file on this computer like <code>sqlite:data/shop.db</code> (next to your workflows)
              or a server like <code>postgres://app@localhost/shop</code>.
            </>
          }
          error={errors.url}
        >
          {(id) => (
            <TextInput
              id={id}
              code
              value={draft.url}
              placeholder="sqlite:data/shop.db"
              invalid={!!errors.url}
              onChange={(v) => set("url", v)}
            />
          )}
        </Field>
      ) : (
        <Field
          label="Address secret"
          help="The secret that holds the whole address, password included."
          error={errors.url_secret}
        >
          {(id) => (
            <SecretPicker
              id={id}
              value={draft.url_secret}
              noneLabel="Choose a secret…"
              invalid={!!errors.url_secret}
              onChange={(v) => set("url_secret", v)}
            />
          )}
        </Field>
      )}
      <Field
        label="Connections at once"
        help="How many queries may run at the same time."
        error={errors.max_connections}
      >
        {(id) => (
          <TextInput
            id={id}
            inputMode="numeric"
            value={draft.max_connections}
            invalid={!!errors.max_connections}
            onChange={(v) => set("max_connections", v)}
          />
        )}
      </Field>
    </FormFrame>
  );
}

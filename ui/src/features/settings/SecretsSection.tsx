// Secrets: names and dates only; values go in through a password field and never come back.
import { useState } from "react";

import { Icon } from "../../components/Icon";
import { errorText, keySourceText } from "../../core/settings";
import type { SecretList } from "../../generated/api";
import { ask } from "../../stores/dialogs";
import { useSettings } from "../../stores/settings";
import { addSecretDialog } from "./parts";

/** A stored date (RFC 3339) as the user's locale writes it. */
export function shownDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function SecretsSection({ list }: { list: SecretList }) {
  const [error, setError] = useState<string | null>(null);

  const remove = async (name: string) => {
    const choice = await ask({
      type: "choice",
      title: `Delete the secret "${name}"?`,
      message:
        "The value is erased from this computer. Connections and steps that use this name will fail until a secret with the same name is stored again.",
      actions: [{ id: "delete", label: "Delete", tone: "danger" }],
    });
    if (choice !== "delete") return;
    setError(null);
    try {
      await useSettings.getState().deleteSecret(name);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <div className="settings__stack">
      <section className="settings-card">
        <div className="settings-card__head">
          <Icon name="key" size={20} className="settings-card__icon" />
          <div>
            <h3>Secrets</h3>
            <p className="muted">
              Passwords and API keys, stored encrypted on this computer. Connections and steps use
              them by name, so the values never appear in workflow files or in results.
            </p>
          </div>
          <button
            className="btn btn--small settings-card__add"
            onClick={() => void addSecretDialog("")}
            data-testid="add-secret"
          >
            <Icon name="plus" size={14} /> Add a secret
          </button>
        </div>
        {error && (
          <p className="conn-form__error" role="alert">
            <Icon name="error" size={14} /> {error}
          </p>
        )}
        {list.secrets.length === 0 ? (
          <p className="settings-card__empty" data-testid="secrets-empty">
            No secret yet. Add one for each password or API key your connections need, for example{" "}
            <code>OPENAI_API_KEY</code> or <code>SMTP_PASSWORD</code>.
          </p>
        ) : (
          <ul className="conn-list" data-testid="secret-list">
            {list.secrets.map((s) => (
              <li key={s.name} className="conn-row" data-testid={`secret-${s.name}`}>
                <div className="conn-row__text">
                  <code className="conn-row__name">{s.name}</code>
                  <span className="conn-row__detail">
                    ●●●●●●●● · changed {shownDate(s.updated_at)}
                  </span>
                </div>
                <button
                  className="btn btn--small"
                  onClick={() => void addSecretDialog(s.name, true)}
                  aria-label={`Replace the value of ${s.name}`}
                >
                  Replace…
                </button>
                <button
                  className="btn btn--ghost btn--icon"
                  title="Delete"
                  aria-label={`Delete ${s.name}`}
                  onClick={() => void remove(s.name)}
                >
                  <Icon name="trash" size={16} />
                </button>
              </li>
            ))}
          </ul>
        )}
        <p className="settings-card__foot muted" data-testid="key-source">
          <Icon name="key" size={14} /> {keySourceText(list.key_source)}
        </p>
      </section>
    </div>
  );
}

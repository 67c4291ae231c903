// Connections: the AI providers, email servers and databases that nodes pick by name.
import { useState, type ReactNode } from "react";

import { Icon, type IconName } from "../../components/Icon";
import {
  BUILTIN_PROVIDER,
  errorText,
  otherIds,
  putConnection,
  removeConnection,
  type ConnectionList,
} from "../../core/settings";
import type { AiProvider, Database, EmailServer, Workspace } from "../../generated/api";
import { ask } from "../../stores/dialogs";
import { useSettings } from "../../stores/settings";
import { DatabaseForm, EmailForm, ProviderForm, type FormProps } from "./ConnectionForms";

/** Which form is open: a connection's (by id) or a new one's (null). */
type Editing = { list: ConnectionList; id: string | null } | null;

/** Saves `next`; a problem in plain words, or null. */
async function save(next: Workspace): Promise<string | null> {
  try {
    await useSettings.getState().saveWorkspace(next);
    return null;
  } catch (error) {
    return errorText(error);
  }
}

export function ConnectionsSection({ workspace }: { workspace: Workspace }) {
  const [editing, setEditing] = useState<Editing>(null);
  const [removeError, setRemoveError] = useState<string | null>(null);

  const formProps = <L extends ConnectionList, T>(
    list: L,
    item: T | undefined,
    id: string | null,
  ) =>
    ({
      item,
      otherIds: otherIds(workspace, list, id),
      onCancel: () => setEditing(null),
      onSave: async (value: T) => {
        const problem = await save(putConnection(workspace, list, id, value as never));
        if (!problem) setEditing(null);
        return problem;
      },
    }) satisfies FormProps<T>;

  const remove = async (list: ConnectionList, id: string, what: string) => {
    const choice = await ask({
      type: "choice",
      title: `Remove ${what}?`,
      message: `Steps that use "${id}" will show a problem until you pick another one.`,
      actions: [{ id: "remove", label: "Remove", tone: "danger" }],
    });
    if (choice !== "remove") return;
    setRemoveError(await save(removeConnection(workspace, list, id)));
  };

  const isEditing = (list: ConnectionList, id: string | null) =>
    editing !== null && editing.list === list && editing.id === id;

  const rows = <T extends { id: string; name?: string | null }>(
    list: ConnectionList,
    items: readonly T[] | undefined,
    detail: (item: T) => ReactNode,
    form: (item: T) => ReactNode,
    what: string,
  ) =>
    (items ?? []).map((item) =>
      isEditing(list, item.id) ? (
        <li key={item.id} className="conn-list__form">
          {form(item)}
        </li>
      ) : (
        <li key={item.id} className="conn-row" data-testid={`conn-${list}-${item.id}`}>
          <div className="conn-row__text">
            <span className="conn-row__name">{item.name || item.id}</span>
            <span className="conn-row__detail">
              <code>{item.id}</code> · {detail(item)}
            </span>
          </div>
          <button
            className="btn btn--ghost btn--icon"
            title="Change"
            aria-label={`Change ${item.id}`}
            onClick={() => setEditing({ list, id: item.id })}
          >
            <Icon name="edit" size={16} />
          </button>
          <button
            className="btn btn--ghost btn--icon"
            title="Remove"
            aria-label={`Remove ${item.id}`}
            onClick={() => void remove(list, item.id, what)}
          >
            <Icon name="trash" size={16} />
          </button>
        </li>
      ),
    );

  return (
    <div className="settings__stack">
      {removeError && (
        <p className="conn-form__error" role="alert">
          <Icon name="error" size={14} /> {removeError}
        </p>
      )}
      <Card
        icon="ai"
        title="AI providers"
        intro="Services that AI steps (summarise, classify, extract …) send text to. Any service that speaks the OpenAI API works: OpenAI, Gemini, a local Ollama or LM Studio."
        addLabel="Add an AI provider"
        adding={isEditing("ai_providers", null)}
        onAdd={() => setEditing({ list: "ai_providers", id: null })}
        form={
          <ProviderForm
            {...formProps<"ai_providers", AiProvider>("ai_providers", undefined, null)}
          />
        }
      >
        <li className="conn-row conn-row--builtin" data-testid="conn-builtin">
          <div className="conn-row__text">
            <span className="conn-row__name">
              Built-in AI <span className="pill pill--plain">always there</span>
            </span>
            <span className="conn-row__detail">
              <code>{BUILTIN_PROVIDER}</code> · Runs on this computer: works offline, no account
              needed. Good for trying workflows out.
            </span>
          </div>
        </li>
        {rows(
          "ai_providers",
          workspace.ai_providers,
          (p: AiProvider) => (
            <>
              {p.model} at {p.base_url}
              {p.api_key_secret ? ` · key: ${p.api_key_secret}` : ""}
            </>
          ),
          (p) => (
            <ProviderForm {...formProps<"ai_providers", AiProvider>("ai_providers", p, p.id)} />
          ),
          "this AI provider",
        )}
      </Card>

      <Card
        icon="actions"
        title="Email servers"
        intro="Where Send email steps send from. Your email provider's help pages list the server, port and security to use."
        addLabel="Add an email server"
        adding={isEditing("email_servers", null)}
        onAdd={() => setEditing({ list: "email_servers", id: null })}
        form={
          <EmailForm
            {...formProps<"email_servers", EmailServer>("email_servers", undefined, null)}
          />
        }
        empty="No email server yet. Add one before using a Send email step."
      >
        {rows(
          "email_servers",
          workspace.email_servers,
          (s: EmailServer) => (
            <>
              {s.host}:{s.port} ({s.security ?? "starttls"}) · from {s.from}
            </>
          ),
          (s) => (
            <EmailForm {...formProps<"email_servers", EmailServer>("email_servers", s, s.id)} />
          ),
          "this email server",
        )}
      </Card>

      <Card
        icon="data"
        title="Databases"
        intro="Databases that SQL steps read and write: a SQLite file next to your workflows, or a PostgreSQL server."
        addLabel="Add a database"
        adding={isEditing("databases", null)}
        onAdd={() => setEditing({ list: "databases", id: null })}
        form={<DatabaseForm {...formProps<"databases", Database>("databases", undefined, null)} />}
        empty="No database yet. Add one before using a SQL step."
      >
        {rows(
          "databases",
          workspace.databases,
          (d: Database) => (d.url_secret ? <>address in the secret {d.url_secret}</> : d.url),
          (d) => (
            <DatabaseForm {...formProps<"databases", Database>("databases", d, d.id)} />
          ),
          "this database",
        )}
      </Card>
    </div>
  );
}

function Card({
  icon,
  title,
  intro,
  addLabel,
  adding,
  onAdd,
  form,
  empty,
  children,
}: {
  icon: IconName;
  title: string;
  intro: string;
  addLabel: string;
  adding: boolean;
  onAdd: () => void;
  form: ReactNode;
  empty?: string;
  children: ReactNode[] | ReactNode;
}) {
  const count = Array.isArray(children) ? children.flat().filter(Boolean).length : 1;
  return (
    <section className="settings-card">
      <div className="settings-card__head">
        <Icon name={icon} size={20} className="settings-card__icon" />
        <div>
          <h3>{title}</h3>
          <p className="muted">{intro}</p>
        </div>
        {!adding && (
          <button className="btn btn--small settings-card__add" onClick={onAdd}>
            <Icon name="plus" size={14} /> {addLabel}
          </button>
        )}
      </div>
      {count === 0 && !adding && empty && <p className="settings-card__empty">{empty}</p>}
      <ul className="conn-list">{children}</ul>
      {adding && <div className="conn-list__form">{form}</div>}
    </section>
  );
}

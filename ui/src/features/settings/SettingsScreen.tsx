// Settings: the connections, secrets and network policy shared by every workflow in the folder
// (saved in workspace.json beside the workflows; secret values encrypted on this computer).
import { useEffect, useState, type ReactNode } from "react";

import { Icon, type IconName } from "../../components/Icon";
import { ThemeToggle } from "../../components/ThemeToggle";
import type { Loadable } from "../../core/loadable";
import { useApp } from "../../stores/app";
import { useSettings } from "../../stores/settings";
import { ConnectionsSection } from "./ConnectionsSection";
import { NetworkSection } from "./NetworkSection";
import { SecretsSection } from "./SecretsSection";
import "./settings.css";

type Tab = "connections" | "secrets" | "network";

const TABS: { id: Tab; label: string; icon: IconName; hint: string }[] = [
  { id: "connections", label: "Connections", icon: "plug", hint: "AI, email, databases" },
  { id: "secrets", label: "Secrets", icon: "key", hint: "Passwords and API keys" },
  { id: "network", label: "Network", icon: "globe", hint: "What workflows may reach" },
];

export function SettingsScreen() {
  const [tab, setTab] = useState<Tab>("connections");
  const workspace = useSettings((s) => s.workspace);
  const secrets = useSettings((s) => s.secrets);
  const back = useApp((s) => (s.screen.name === "settings" ? s.screen.back : "home"));

  useEffect(() => {
    void useSettings.getState().refresh();
  }, []);

  return (
    <div className="settings">
      <header className="settings__header">
        <button
          className="btn btn--ghost btn--icon"
          onClick={() => useApp.getState().go({ name: back })}
          title={back === "editor" ? "Back to the workflow" : "Back to your workflows"}
          aria-label={back === "editor" ? "Back to the workflow" : "Back to your workflows"}
          data-testid="settings-back"
        >
          <Icon name="back" />
        </button>
        <h1 className="settings__title">Settings</h1>
        {workspace.state === "ready" && (
          <span className="muted settings__file">
            shared by every workflow in this folder · saved in <code>{workspace.value.file}</code>
          </span>
        )}
        <div className="settings__header-end">
          <ThemeToggle />
        </div>
      </header>

      <div className="settings__body">
        <nav className="settings__nav" aria-label="Settings sections">
          {TABS.map((t) => (
            <button
              key={t.id}
              className={t.id === tab ? "settings__tab settings__tab--active" : "settings__tab"}
              aria-current={t.id === tab ? "page" : undefined}
              onClick={() => setTab(t.id)}
              data-testid={`settings-tab-${t.id}`}
            >
              <Icon name={t.icon} size={18} />
              <span>
                <span className="settings__tab-label">{t.label}</span>
                <span className="settings__tab-hint">{t.hint}</span>
              </span>
            </button>
          ))}
        </nav>

        <main className="settings__main">
          {workspace.state === "ready" && workspace.value.error && (
            <div className="callout callout--error" role="alert" data-testid="workspace-error">
              <Icon name="error" size={16} />
              <p>
                <strong>{workspace.value.file} on disk has a problem, so it is not in use.</strong>{" "}
                Workflows keep the last good settings, shown here. Saving replaces the file with
                these settings. The problem: {workspace.value.error}
              </p>
            </div>
          )}
          {tab === "secrets" ? (
            <Loaded what="the secrets" value={secrets}>
              {(list) => <SecretsSection list={list} />}
            </Loaded>
          ) : (
            <Loaded what="the settings" value={workspace}>
              {(state) =>
                tab === "connections" ? (
                  <ConnectionsSection workspace={state.settings} />
                ) : (
                  <NetworkSection
                    key={JSON.stringify(state.settings.network ?? {})}
                    workspace={state.settings}
                  />
                )
              }
            </Loaded>
          )}
        </main>
      </div>
    </div>
  );
}

function Loaded<T>({
  what,
  value,
  children,
}: {
  what: string;
  value: Loadable<T>;
  children: (value: T) => ReactNode;
}) {
  switch (value.state) {
    case "loading":
      return <p className="muted">Loading {what}…</p>;
    case "failed":
      return (
        <section className="empty">
          <Icon name="warning" size={32} className="empty__icon empty__icon--warn" />
          <h2>Could not load {what}</h2>
          <p>{value.message}</p>
          <button className="btn" onClick={() => void useSettings.getState().refresh()}>
            Try again
          </button>
        </section>
      );
    case "ready":
      return <>{children(value.value)}</>;
  }
}

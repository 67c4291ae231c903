// Network: whether workflows may reach private and local addresses, and the hosts allowed anyway.
import { useState } from "react";

import { Icon } from "../../components/Icon";
import { errorText, hostProblem, networkOf, withNetwork } from "../../core/settings";
import type { Workspace } from "../../generated/api";
import { useSettings } from "../../stores/settings";

export function NetworkSection({ workspace }: { workspace: Workspace }) {
  const saved = networkOf(workspace);
  const [allowPrivate, setAllowPrivate] = useState(saved.allow_private_networks);
  const [hosts, setHosts] = useState(saved.allowed_hosts);
  const [newHost, setNewHost] = useState("");
  const [hostError, setHostError] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dirty =
    allowPrivate !== saved.allow_private_networks ||
    hosts.join("\n") !== saved.allowed_hosts.join("\n");

  const addHost = () => {
    const host = newHost.trim();
    const problem = hostProblem(host, hosts);
    setHostError(problem);
    if (problem) return;
    setHosts([...hosts, host]);
    setNewHost("");
  };

  const save = async () => {
    setBusy(true);
    setSaveError(null);
    try {
      await useSettings.getState().saveWorkspace(withNetwork(workspace, allowPrivate, hosts));
    } catch (e) {
      setSaveError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="settings__stack">
      <section className="settings-card">
        <div className="settings-card__head">
          <Icon name="globe" size={20} className="settings-card__icon" />
          <div>
            <h3>What workflows may reach</h3>
            <p className="muted">
              HTTP request steps can call any public web address. Addresses inside this computer or
              your office network are closed to them unless you open them here.
            </p>
          </div>
        </div>

        <label className="toggle settings__toggle" data-testid="allow-private">
          <input
            type="checkbox"
            checked={allowPrivate}
            onChange={(e) => setAllowPrivate(e.target.checked)}
          />
          <span className="toggle__track" aria-hidden="true" />
          <span className="field__label">Allow workflows to reach private and local addresses</span>
        </label>
        <div className={allowPrivate ? "callout callout--warn" : "callout"} role="note">
          <Icon name="warning" size={16} />
          <p>
            A workflow can be started by anyone who can reach its webhook, and the address it calls
            can come from what they send. With this on, someone could make a workflow fetch pages
            from your router, printers, internal tools or this computer and send back what it finds
            (this is called server-side request forgery, SSRF). Leave it off unless a workflow must
            call something on your own network — and then prefer listing just that host below.
          </p>
        </div>

        <h4 className="settings-card__sub">Allowed anyway</h4>
        <p className="muted">
          Hosts, IP addresses or ranges that workflows may reach even while the switch above is off,
          e.g. <code>printer.local</code>, <code>192.168.1.20</code> or <code>10.0.5.0/24</code>.
        </p>
        {hosts.length === 0 ? (
          <p className="settings-card__empty">No host listed.</p>
        ) : (
          <ul className="host-list" data-testid="allowed-hosts">
            {hosts.map((h) => (
              <li key={h} className="host-list__item">
                <code>{h}</code>
                <button
                  className="btn btn--ghost btn--icon btn--small"
                  aria-label={`Remove ${h}`}
                  onClick={() => setHosts(hosts.filter((x) => x !== h))}
                >
                  <Icon name="close" size={14} />
                </button>
              </li>
            ))}
          </ul>
        )}
        <form
          className="host-add"
          onSubmit={(e) => {
            e.preventDefault();
            addHost();
          }}
        >
          <input
            className="input input--code"
            value={newHost}
            placeholder="192.168.1.20"
            aria-label="Host to allow"
            aria-invalid={hostError !== null || undefined}
            spellCheck={false}
            onChange={(e) => {
              setNewHost(e.target.value);
              setHostError(null);
            }}
          />
          <button type="submit" className="btn btn--small">
            <Icon name="plus" size={14} /> Add
          </button>
        </form>
        {hostError && (
          <small className="field__error" role="alert">
            <Icon name="error" size={12} /> {hostError}
          </small>
        )}

        {saveError && (
          <p className="conn-form__error" role="alert" data-testid="save-error">
            <Icon name="error" size={14} /> {saveError}
          </p>
        )}
        <div className="conn-form__actions">
          <button
            className="btn"
            disabled={!dirty || busy}
            onClick={() => {
              setAllowPrivate(saved.allow_private_networks);
              setHosts(saved.allowed_hosts);
              setSaveError(null);
            }}
          >
            Undo changes
          </button>
          <button
            className="btn btn--primary"
            disabled={!dirty || busy}
            onClick={() => void save()}
            data-testid="save-network"
          >
            <Icon name="save" size={16} /> {busy ? "Saving…" : "Save"}
          </button>
        </div>
      </section>
    </div>
  );
}

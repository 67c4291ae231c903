import { useEffect, useState } from "react";

import { backend, reportUiReady, type AppInfo } from "../../api/backend";
import { Icon } from "../../components/Icon";
import { ThemeToggle } from "../../components/ThemeToggle";
import { summary } from "../../core/diagnostics";
import { failed, loading, ready, type Loadable } from "../../core/loadable";
import type { TriggerInfo, WorkflowSummary } from "../../generated/api";
import { openSettings } from "../../stores/app";
import { openRuns } from "../../stores/runs";
import { useWorkflows } from "../../stores/workflows";
import {
  deleteWorkflow,
  importWorkflow,
  newWorkflow,
  openWorkflow,
  renameWorkflow,
} from "../files/actions";
import "./HomeScreen.css";

export const TAGLINE = "Draw event-driven automations. Test them safely. Run them anywhere.";

export function HomeScreen() {
  const [info, setInfo] = useState<Loadable<AppInfo>>(loading);
  const list = useWorkflows((s) => s.list);

  useEffect(() => {
    let live = true;
    backend.appInfo().then(
      (value) => live && setInfo(ready(value)),
      (error: unknown) => live && setInfo(failed(error)),
    );
    void useWorkflows.getState().refresh();
    return () => {
      live = false;
    };
  }, []);

  // Runs after the version is on screen.
  const shownVersion = info.state === "ready" ? info.value.version : undefined;
  useEffect(() => {
    if (shownVersion === undefined) return;
    reportUiReady(shownVersion).catch((error: unknown) => {
      console.warn("could not report that the UI is ready", error);
    });
  }, [shownVersion]);

  return (
    <div className="home">
      <header className="home__header">
        <img className="home__logo" src="/icon.png" alt="" width={40} height={40} />
        <div>
          <h1 className="home__title">{info.state === "ready" ? info.value.name : "Switchyard"}</h1>
          <p className="home__tagline">{TAGLINE}</p>
        </div>
        <div className="home__header-end">
          <button
            className="btn"
            onClick={() => openRuns()}
            title="Run history, dead letters and metrics"
            data-testid="open-runs"
          >
            <Icon name="history" size={16} /> Runs
          </button>
          <button
            className="btn btn--ghost btn--icon"
            onClick={openSettings}
            title="Settings: connections, secrets, network"
            aria-label="Settings"
            data-testid="open-settings"
          >
            <Icon name="gear" />
          </button>
          <ThemeToggle />
          <VersionBadge info={info} />
        </div>
      </header>

      <main className="home__main">
        <div className="home__bar">
          <h2>Your workflows</h2>
          <div className="home__actions">
            <button
              className="btn"
              onClick={() => void importWorkflow()}
              data-testid="import-workflow"
            >
              <Icon name="upload" size={16} /> Import…
            </button>
            <button
              className="btn btn--primary"
              onClick={() => void newWorkflow()}
              data-testid="new-workflow"
            >
              <Icon name="plus" size={16} /> New workflow
            </button>
          </div>
        </div>
        <WorkflowList list={list} />
        {info.state === "ready" && <Where info={info.value} />}
      </main>
    </div>
  );
}

function WorkflowList({ list }: { list: Loadable<WorkflowSummary[]> }) {
  if (list.state === "loading")
    return <p className="muted home__status">Loading your workflows…</p>;
  if (list.state === "failed") {
    return (
      <section className="empty">
        <Icon name="warning" size={32} className="empty__icon empty__icon--warn" />
        <h2>Your workflows could not be loaded</h2>
        <p>{list.message}</p>
        <button className="btn" onClick={() => void useWorkflows.getState().refresh()}>
          Try again
        </button>
      </section>
    );
  }
  if (list.value.length === 0) {
    return (
      <section className="empty" data-testid="empty-state">
        <svg className="empty__art" viewBox="0 0 120 64" aria-hidden="true">
          <path d="M12 32 H50 C64 32 70 14 92 14" />
          <path d="M50 32 C64 32 70 50 92 50" />
          <circle cx="12" cy="32" r="7" className="empty__node" />
          <circle cx="100" cy="14" r="7" className="empty__node empty__node--accent" />
          <circle cx="100" cy="50" r="7" className="empty__node empty__node--accent" />
        </svg>
        <h2>Build your first automation</h2>
        <p>
          A workflow starts with a trigger — a form submitted, a schedule, an event — and runs the
          steps you connect after it. Start from a ready-made flow such as <em>Lead processing</em>{" "}
          and change it to fit.
        </p>
        <div className="empty__actions">
          <button className="btn btn--primary" onClick={() => void newWorkflow()}>
            <Icon name="plus" size={16} /> New workflow
          </button>
          <button className="btn" onClick={() => void importWorkflow()}>
            <Icon name="upload" size={16} /> Import a file
          </button>
        </div>
      </section>
    );
  }
  return (
    <ul className="wf-list" data-testid="workflow-list">
      {list.value.map((w) => (
        <WorkflowCard key={w.id} w={w} />
      ))}
    </ul>
  );
}

function triggerLabel(t: TriggerInfo): string {
  if (t.webhook_path) return `Webhook /hooks/${t.webhook_path}`;
  if (t.cron) return `Schedule ${t.cron}${t.timezone ? ` (${t.timezone})` : ""}`;
  if (t.event) return `Event ${t.event}`;
  return t.kind === "manual_trigger" ? "Manual" : t.kind.replace(/_/g, " ");
}

function WorkflowCard({ w }: { w: WorkflowSummary }) {
  const errors = w.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = w.diagnostics.length - errors;
  return (
    <li className="wf-card" data-testid={`workflow-${w.id}`}>
      <button
        className="wf-card__open"
        onClick={() => void openWorkflow(w.id)}
        title="Open in the editor"
      >
        <span className="wf-card__name">{w.name}</span>
        <span className="wf-card__desc">{w.description || <em>No description</em>}</span>
        <span className="wf-card__meta">
          {w.triggers.map((t) => (
            <span key={t.node} className="pill">
              <Icon name="triggers" size={12} /> {triggerLabel(t)}
            </span>
          ))}
          <span className="pill pill--plain">
            {w.nodes} step{w.nodes === 1 ? "" : "s"}
          </span>
          {(errors > 0 || warnings > 0) && (
            <span className={errors ? "pill pill--error" : "pill pill--warn"}>
              <Icon name={errors ? "error" : "warning"} size={12} /> {summary(errors, warnings)}
            </span>
          )}
          <span className="wf-card__file">{w.file}</span>
        </span>
      </button>
      <div className="wf-card__actions">
        <button
          className="btn btn--ghost btn--icon"
          title="Rename"
          aria-label={`Rename ${w.name}`}
          onClick={() => void renameWorkflow(w.id, w.name)}
        >
          <Icon name="edit" size={16} />
        </button>
        <button
          className="btn btn--ghost btn--icon"
          title="Delete"
          aria-label={`Delete ${w.name}`}
          onClick={() => void deleteWorkflow(w.id, w.name)}
        >
          <Icon name="trash" size={16} />
        </button>
      </div>
    </li>
  );
}

/** Where the desktop app keeps the files and serves webhooks (the browser knows its own URL). */
function Where({ info }: { info: AppInfo }) {
  if (!info.server_url && !info.workflows_dir) return null;
  return (
    <p className="home__where muted">
      {info.workflows_dir && (
        <>
          Files are saved in <code>{info.workflows_dir}</code>.{" "}
        </>
      )}
      {info.server_url && (
        <>
          While the app is open, webhooks are received at{" "}
          <code data-testid="server-url">{info.server_url}</code>
          <code>/hooks/…</code>
        </>
      )}
    </p>
  );
}

function VersionBadge({ info }: { info: Loadable<AppInfo> }) {
  switch (info.state) {
    case "loading":
      return <span className="badge badge--muted">loading…</span>;
    case "ready":
      return (
        <span className="badge" data-testid="app-version">
          v{info.value.version}
        </span>
      );
    case "failed":
      return (
        <span className="badge badge--muted" title={info.message}>
          browser
        </span>
      );
  }
}

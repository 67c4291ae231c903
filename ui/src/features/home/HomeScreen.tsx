import { useEffect, useState } from "react";

import { backend, reportUiReady, type AppInfo } from "../../api/backend";
import { failed, loading, ready, type Loadable } from "../../core/loadable";
import "./HomeScreen.css";

export const TAGLINE = "Draw event-driven automations. Test them safely. Run them anywhere.";

export function HomeScreen() {
  const [info, setInfo] = useState<Loadable<AppInfo>>(loading);

  useEffect(() => {
    let live = true;
    backend.appInfo().then(
      (value) => live && setInfo(ready(value)),
      (error: unknown) => live && setInfo(failed(error)),
    );
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
        <img className="home__logo" src="/icon.png" alt="" width={56} height={56} />
        <div>
          <h1 className="home__title">{info.state === "ready" ? info.value.name : "Switchyard"}</h1>
          <p className="home__tagline">{TAGLINE}</p>
        </div>
        <VersionBadge info={info} />
      </header>

      <main className="home__main">
        <section className="empty" aria-labelledby="empty-title">
          <svg className="empty__art" viewBox="0 0 120 64" aria-hidden="true">
            <path d="M12 32 H50 C64 32 70 14 92 14" />
            <path d="M50 32 C64 32 70 50 92 50" />
            <circle cx="12" cy="32" r="7" className="empty__node" />
            <circle cx="100" cy="14" r="7" className="empty__node empty__node--accent" />
            <circle cx="100" cy="50" r="7" className="empty__node empty__node--accent" />
          </svg>
          <h2 id="empty-title">The workflow editor is on its way</h2>
          <p>
            Soon you will drag triggers and actions onto a canvas, connect them, try the flow on
            sample events without sending anything for real, and run it on this machine.
          </p>
          <p className="empty__hint">Nothing to set up yet — this window will grow into the editor.</p>
        </section>
      </main>
    </div>
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
        <span className="badge badge--warn" title={info.message}>
          {info.code === "http_api_unavailable" ? "browser preview" : "version unavailable"}
        </span>
      );
  }
}

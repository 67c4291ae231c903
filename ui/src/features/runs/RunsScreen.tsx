// The Runs screen: the history of runs (filters, live updates, a run's detail, comparisons),
// the dead letters, and metrics per workflow.
import { useEffect, useState } from "react";

import { watchRuns } from "../../api/live";
import { Icon, type IconName } from "../../components/Icon";
import { ThemeToggle } from "../../components/ThemeToggle";
import { useApp } from "../../stores/app";
import { useRuns, type RunsTab } from "../../stores/runs";
import { useWorkflows } from "../../stores/workflows";
import { CompareView } from "./CompareView";
import { DeadLetters } from "./DeadLetters";
import { MetricsView } from "./MetricsView";
import { RunDetail } from "./RunDetail";
import { RunList } from "./RunList";
import "./runs.css";

const TABS: { id: RunsTab; label: string; icon: IconName }[] = [
  { id: "history", label: "History", icon: "history" },
  { id: "dead", label: "Dead letters", icon: "inbox" },
  { id: "metrics", label: "Metrics", icon: "chart" },
];

export function RunsScreen() {
  const tab = useRuns((s) => s.tab);
  const back = useApp((s) => (s.screen.name === "runs" ? s.screen.back : "home"));
  const [mode, setMode] = useState<"sse" | "poll">("sse");

  useEffect(() => {
    void useWorkflows.getState().refresh();
    const live = watchRuns(
      (run) => useRuns.getState().arrived(run),
      () => void useRuns.getState().refresh(),
    );
    setMode(live.mode);
    return () => live.stop();
  }, []);

  return (
    <div className="runs">
      <header className="runs__header">
        <button
          className="btn btn--ghost btn--icon"
          onClick={() => useApp.getState().go({ name: back })}
          title={back === "editor" ? "Back to the workflow" : "Back to your workflows"}
          aria-label={back === "editor" ? "Back to the workflow" : "Back to your workflows"}
          data-testid="runs-back"
        >
          <Icon name="back" />
        </button>
        <h1 className="runs__title">Runs</h1>
        <nav className="segmented" aria-label="Runs sections">
          {TABS.map((t) => (
            <button
              key={t.id}
              className={
                t.id === tab ? "segmented__item segmented__item--active" : "segmented__item"
              }
              aria-current={t.id === tab ? "page" : undefined}
              onClick={() => useRuns.getState().setTab(t.id)}
              data-testid={`runs-tab-${t.id}`}
            >
              <Icon name={t.icon} size={16} /> {t.label}
            </button>
          ))}
        </nav>
        <span className="runs__live muted" data-testid="live-mode">
          <span className={`live-dot live-dot--${mode}`} aria-hidden="true" />
          {mode === "sse" ? "Live" : "Updates every 3 s"}
        </span>
        <div className="runs__header-end">
          <ThemeToggle />
        </div>
      </header>
      {tab === "history" ? <History /> : tab === "dead" ? <DeadLetters /> : <MetricsView />}
    </div>
  );
}

function History() {
  const selected = useRuns((s) => s.selected);
  const compare = useRuns((s) => s.compare);
  return (
    <div className="runs__body">
      <RunList />
      <main className="runs__detail" aria-label="Run detail">
        {compare ? (
          <CompareView a={compare.a} b={compare.b} />
        ) : selected ? (
          <RunDetail key={selected} id={selected} />
        ) : (
          <section className="empty runs__empty">
            <Icon name="history" size={32} className="empty__icon" />
            <h2>Pick a run</h2>
            <p>
              Its timeline shows each step in order, with what it received and gave. From there you
              can run it again, retry it from the step that failed, or replay it without calling
              anything.
            </p>
          </section>
        )}
      </main>
    </div>
  );
}

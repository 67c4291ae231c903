// Dead letters: deliveries that will not run again unless retried (their run failed, or the
// process stopped during them too often). Retry delivers the event again; discard gives up.
import { useCallback, useState } from "react";

import { backend } from "../../api/backend";
import { Icon } from "../../components/Icon";
import { failed, loading, ready, type Loadable } from "../../core/loadable";
import { formatTime, pretty } from "../../core/runs";
import type { DeadLetter } from "../../generated/api";
import { useRuns } from "../../stores/runs";
import { discardDeadLetter, retryDeadLetter } from "./actions";
import { useThrottledRead } from "./parts";

export function DeadLetters() {
  const [list, setList] = useState<Loadable<DeadLetter[]>>(loading);
  const reload = useCallback(() => {
    backend.listDeadLetters().then(
      (v) => setList(ready(v)),
      (e: unknown) => setList(failed(e)),
    );
  }, []);
  // A run stored (a retry's, say) may settle a dead letter or make one: read the list again.
  const runs = useRuns((s) => s.list);
  useThrottledRead(reload, runs);

  const lastRun = async (eventId: string) => {
    const detail = await backend.getEvent(eventId);
    const last = detail.runs[detail.runs.length - 1];
    if (last) {
      useRuns.getState().setTab("history");
      useRuns.getState().select(last.id);
    }
  };

  return (
    <main className="runs__page" aria-labelledby="dead-title">
      <div className="runs__page-head">
        <h2 id="dead-title">Dead letters</h2>
        <p className="muted">
          Events whose run failed, kept until you retry them (the event is delivered again, on the
          version served now) or discard them.
        </p>
      </div>
      {list.state === "loading" && <p className="muted">Loading…</p>}
      {list.state === "failed" && (
        <div className="callout callout--error" role="alert">
          <Icon name="error" size={16} />
          <p>The dead letters could not be loaded: {list.message}</p>
        </div>
      )}
      {list.state === "ready" && list.value.length === 0 && (
        <section className="empty" data-testid="no-dead-letters">
          <Icon name="check" size={32} className="empty__icon" />
          <h2>No dead letters</h2>
          <p>Every event that arrived was handled, or was retried or discarded since.</p>
        </section>
      )}
      {list.state === "ready" && list.value.length > 0 && (
        <ul className="dead-list" data-testid="dead-letters">
          {list.value.map((d) => (
            <li key={d.job.id} className="dead" data-testid="dead-letter" data-job={d.job.id}>
              <div className="dead__main">
                <div className="dead__title">
                  <strong>{d.job.workflow_id}</strong>
                  <span className="muted">
                    {d.event.name} · {d.job.attempts} deliver{d.job.attempts === 1 ? "y" : "ies"} ·{" "}
                    {formatTime(d.job.updated_at)}
                  </span>
                </div>
                {d.job.last_error && <p className="dead__error">{d.job.last_error}</p>}
                <pre className="dead__payload" aria-label="The event's payload">
                  {pretty(d.event.payload, 400).text}
                </pre>
              </div>
              <div className="dead__actions">
                <button
                  className="btn btn--primary btn--small"
                  onClick={() => void retryDeadLetter(d.job.id).then((ok) => ok && reload())}
                  data-testid="dead-retry"
                >
                  <Icon name="retry" size={14} /> Retry
                </button>
                <button
                  className="btn btn--small"
                  onClick={() =>
                    void discardDeadLetter(d.job.id, `The ${d.event.name} event`).then(
                      (ok) => ok && reload(),
                    )
                  }
                  data-testid="dead-discard"
                >
                  <Icon name="trash" size={14} /> Discard
                </button>
                <button
                  className="btn btn--ghost btn--small"
                  onClick={() => void lastRun(d.event.id)}
                >
                  Last run
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

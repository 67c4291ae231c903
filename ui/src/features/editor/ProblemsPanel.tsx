import { useReactFlow } from "@xyflow/react";
import { useState } from "react";

import { Icon } from "../../components/Icon";
import { summary } from "../../core/diagnostics";
import { useEditor } from "../../stores/editor";

/** The compiler's problems for the whole workflow; clicking one selects and shows its step. */
export function ProblemsPanel() {
  const view = useEditor((s) => s.view);
  const fresh = useEditor((s) => s.diagnosticsFresh);
  const select = useEditor((s) => s.select);
  // Names of the nodes with problems, as one string so that moving nodes does not re-render.
  const names = useEditor((s) => {
    const wanted = new Set(s.view.list.map((d) => d.node).filter(Boolean));
    if (wanted.size === 0) return "";
    const out: string[] = [];
    for (const n of s.model?.nodes ?? []) {
      if (wanted.has(n.id) && n.type === "step")
        out.push(`${n.id}\t${(n.data as { name: string }).name}`);
    }
    return out.join("\n");
  });
  const { fitView } = useReactFlow();
  const [open, setOpen] = useState(true);

  const nameOf = (id: string) => {
    const line = names.split("\n").find((l) => l.startsWith(`${id}\t`));
    return line?.slice(id.length + 1) || id;
  };

  const total = view.errors + view.warnings;
  return (
    <section className={open ? "problems problems--open" : "problems"} aria-label="Problems">
      <button
        className="problems__bar"
        onClick={() => setOpen(!open)}
        aria-expanded={open}
        data-testid="problems-toggle"
      >
        <Icon name={open ? "down" : "up"} size={14} />
        <strong>Problems</strong>
        <span
          className={
            view.errors
              ? "problems__count problems__count--error"
              : total
                ? "problems__count problems__count--warn"
                : "problems__count problems__count--ok"
          }
          data-testid="problems-summary"
        >
          {view.errors ? (
            <Icon name="error" size={13} />
          ) : total ? (
            <Icon name="warning" size={13} />
          ) : (
            <Icon name="check" size={13} />
          )}
          {summary(view.errors, view.warnings)}
        </span>
        {!fresh && <span className="problems__checking muted">checking…</span>}
      </button>
      {open && (
        <ul className="problems__list" data-testid="problems-list">
          {total === 0 && (
            <li className="problems__empty muted">
              {fresh
                ? "The workflow is ready to run: the compiler found nothing to fix."
                : "Checking the workflow…"}
            </li>
          )}
          {view.list.map((d, i) => (
            <li key={i}>
              <button
                className={`problems__item problems__item--${d.severity}`}
                disabled={!d.node}
                onClick={() => {
                  if (!d.node) return;
                  select([d.node]);
                  void fitView({
                    nodes: [{ id: d.node }],
                    duration: 300,
                    maxZoom: 1.2,
                    padding: 0.6,
                  });
                }}
              >
                <Icon name={d.severity === "error" ? "error" : "warning"} size={14} />
                {d.node && <span className="problems__node">{nameOf(d.node)}</span>}
                <span className="problems__msg">{d.message}</span>
                <code className="problems__code">{d.code}</code>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

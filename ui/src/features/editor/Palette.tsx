import { useReactFlow } from "@xyflow/react";
import { useMemo, useState, type DragEvent } from "react";

import { Icon } from "../../components/Icon";
import { CATEGORIES } from "../../core/catalog";
import type { Descriptor } from "../../generated/api";
import { useCatalog } from "../../stores/catalog";
import { useEditor } from "../../stores/editor";
import { DRAG_MIME } from "./Canvas";

/** The node palette: grouped by category, searchable; drag an item onto the canvas, or click it. */
export function Palette() {
  const descriptors = useCatalog((s) => s.descriptors);
  const [query, setQuery] = useState("");
  const addStep = useEditor((s) => s.addStep);
  const addNote = useEditor((s) => s.addNote);
  const { screenToFlowPosition } = useReactFlow();

  const groups = useMemo(() => {
    if (descriptors.state !== "ready") return [];
    const q = query.trim().toLowerCase();
    const match = (d: Descriptor) =>
      !q || `${d.title} ${d.description} ${d.kind} ${d.category}`.toLowerCase().includes(q);
    return CATEGORIES.map((c) => ({
      ...c,
      items: descriptors.value.filter((d) => d.category === c.id && match(d)),
    })).filter((g) => g.items.length > 0);
  }, [descriptors, query]);

  const centre = () => {
    const canvas = document.querySelector(".canvas")?.getBoundingClientRect();
    const p = screenToFlowPosition(
      canvas
        ? { x: canvas.left + canvas.width / 2, y: canvas.top + canvas.height / 2 }
        : { x: 400, y: 300 },
    );
    return { x: Math.round(p.x - 110), y: Math.round(p.y - 28) };
  };

  const onDragStart = (e: DragEvent, kind: string) => {
    e.dataTransfer.setData(DRAG_MIME, kind);
    e.dataTransfer.effectAllowed = "copy";
  };

  return (
    <aside className="palette" aria-label="Steps you can add">
      <div className="palette__search">
        <Icon name="search" size={16} />
        <input
          className="input"
          type="search"
          placeholder="Search steps"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-label="Search steps"
        />
      </div>
      <div className="palette__list">
        {descriptors.state === "loading" && <p className="palette__empty muted">Loading steps…</p>}
        {descriptors.state === "failed" && (
          <p className="palette__empty muted">
            The list of steps could not be loaded: {descriptors.message}
          </p>
        )}
        {descriptors.state === "ready" && groups.length === 0 && (
          <p className="palette__empty muted">No step matches “{query}”.</p>
        )}
        {groups.map((g) => (
          <section key={g.id} className="palette__group">
            <h3 className={`palette__heading cat--${g.id}`}>
              <Icon name={g.id} size={14} /> {g.label}
            </h3>
            {g.items.map((d) => (
              <button
                key={d.kind}
                className={`palette__item cat--${d.category}`}
                draggable
                onDragStart={(e) => onDragStart(e, d.kind)}
                onClick={() => addStep(d.kind, centre())}
                title="Drag onto the canvas, or click to add"
                data-testid={`palette-${d.kind}`}
              >
                <span className="palette__icon">
                  <Icon name={d.category} size={15} />
                </span>
                <span className="palette__text">
                  <span className="palette__title">{d.title}</span>
                  <span className="palette__desc">{d.description}</span>
                </span>
              </button>
            ))}
          </section>
        ))}
        <section className="palette__group">
          <h3 className="palette__heading">
            <Icon name="note" size={14} /> Canvas
          </h3>
          <button
            className="palette__item"
            onClick={() => addNote(centre())}
            data-testid="palette-note"
          >
            <span className="palette__icon palette__icon--note">
              <Icon name="note" size={15} />
            </span>
            <span className="palette__text">
              <span className="palette__title">Sticky note</span>
              <span className="palette__desc">
                Explain part of the flow to your team. Notes do not run.
              </span>
            </span>
          </button>
        </section>
      </div>
    </aside>
  );
}

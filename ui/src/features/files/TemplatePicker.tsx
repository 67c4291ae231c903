import { useEffect, useState } from "react";

import { backend } from "../../api/backend";
import { Icon } from "../../components/Icon";
import { failed, loading, ready, type Loadable } from "../../core/loadable";
import { slugify, uniqueSlug } from "../../core/ids";
import type { TemplateInfo } from "../../generated/api";
import "./TemplatePicker.css";

/** Picks a starting point and a name; answers `{"template": id|null, "name": ...}` as JSON. */
export function TemplatePicker({
  taken,
  onDone,
}: {
  taken: ReadonlySet<string>;
  onDone: (result: string | null) => void;
}) {
  const [templates, setTemplates] = useState<Loadable<TemplateInfo[]>>(loading);
  const [choice, setChoice] = useState<string | null>(null);
  const [name, setName] = useState("My workflow");
  const [touched, setTouched] = useState(false);

  useEffect(() => {
    let live = true;
    backend.listTemplates().then(
      (list) => live && setTemplates(ready(list)),
      (error: unknown) => live && setTemplates(failed(error)),
    );
    return () => {
      live = false;
    };
  }, []);

  const pick = (id: string | null, title: string) => {
    setChoice(id);
    if (!touched) setName(id ? title : "My workflow");
  };

  const id = uniqueSlug(slugify(name), taken);
  const problem = name.trim() === "" ? "Give the workflow a name." : null;

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (!problem) onDone(JSON.stringify({ template: choice, name: name.trim() }));
      }}
    >
      <h2>New workflow</h2>
      <p>Start from scratch, or from a ready-made flow you can change.</p>
      <div className="templates" role="radiogroup" aria-label="Starting point">
        <TemplateCard
          selected={choice === null}
          title="Blank workflow"
          description="A manual trigger on an empty canvas. Add steps from the palette."
          onPick={() => pick(null, "")}
        />
        {templates.state === "loading" && (
          <div className="templates__note muted">Loading templates…</div>
        )}
        {templates.state === "failed" && (
          <div className="templates__note muted">
            Templates are not available: {templates.message}
          </div>
        )}
        {templates.state === "ready" &&
          templates.value.map((t) => (
            <TemplateCard
              key={t.id}
              selected={choice === t.id}
              title={t.name}
              description={t.description}
              onPick={() => pick(t.id, t.name)}
              testId={`template-${t.id}`}
            />
          ))}
      </div>
      <label className="dialog__field">
        <span>Name</span>
        <input
          className="input"
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setTouched(true);
          }}
          aria-invalid={problem ? true : undefined}
          data-testid="new-workflow-name"
        />
        <small className="muted">
          Saved as <code>workflows/{id}.json</code>
        </small>
      </label>
      <div className="dialog__actions">
        <button type="button" className="btn" onClick={() => onDone(null)}>
          Cancel
        </button>
        <button
          type="submit"
          className="btn btn--primary"
          disabled={problem !== null}
          data-testid="create-workflow"
        >
          <Icon name="plus" size={16} /> Create
        </button>
      </div>
    </form>
  );
}

function TemplateCard(props: {
  selected: boolean;
  title: string;
  description: string;
  onPick: () => void;
  testId?: string;
}) {
  return (
    <button
      type="button"
      role="radio"
      aria-checked={props.selected}
      className={props.selected ? "template template--selected" : "template"}
      onClick={props.onPick}
      data-testid={props.testId}
    >
      <strong>{props.title}</strong>
      <span>{props.description}</span>
    </button>
  );
}

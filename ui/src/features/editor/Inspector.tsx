import { useMemo } from "react";

import { Icon } from "../../components/Icon";
import { isTrigger } from "../../core/catalog";
import { isStep, type StepData, type StepNode } from "../../core/canvas";
import { fieldMessages } from "../../core/diagnostics";
import { suggestionsFor } from "../../core/suggestions";
import type { Diagnostic } from "../../generated/api";
import { useCatalog } from "../../stores/catalog";
import { selectMeta, selectSelectedIds, useEditor } from "../../stores/editor";
import { FieldRow, KeyValueEditor } from "./forms/FieldControl";
import { SuggestionsContext } from "./forms/ExpressionInput";

/** The right-hand panel: the selected step's settings, or the workflow's when nothing is selected. */
export function Inspector() {
  // A string, so that moving nodes around does not re-render the panel.
  const selected = useEditor(selectSelectedIds);
  const ids = selected === "" ? [] : selected.split("\n");
  const only = useEditor((s) =>
    ids.length === 1 ? s.model?.nodes.find((n) => n.id === ids[0]) : undefined,
  );

  let body;
  if (ids.length > 1) body = <MultiSelection count={ids.length} />;
  else if (only && isStep(only)) body = <StepSettings key={only.id} node={only} />;
  else if (only) body = <NoteHelp />;
  else body = <WorkflowSettings />;
  return (
    <aside className="inspector" aria-label="Settings">
      {body}
    </aside>
  );
}

function StepSettings({ node }: { node: StepNode }) {
  const descriptor = useCatalog((s) => s.catalog.get(node.data.kind));
  const catalog = useCatalog((s) => s.catalog);
  const updateStep = useEditor((s) => s.updateStep);
  const edges = useEditor((s) => s.model?.edges);
  const vars = useEditor((s) => s.model?.meta.vars);
  const diagnostics = useEditor((s) => s.diagnostics);
  const problems = useEditor((s) => s.view.byNode.get(node.id));
  const byField = useMemo(() => fieldMessages(diagnostics, node.id), [diagnostics, node.id]);
  const general = problems?.messages.filter(
    (d) => !d.field || !descriptor?.fields.some((f) => d.field!.startsWith(f.name)),
  );
  // Worked out when a field asks (the nodes' settings matter, their positions do not).
  const suggestions = useMemo(
    () => () => {
      const model = useEditor.getState().model;
      return model
        ? suggestionsFor(node.id, model.nodes, model.edges, model.meta.vars, catalog)
        : [];
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [node.id, edges, vars, catalog, node.data],
  );

  const update = (data: StepData, mergeKey?: string) => updateStep(node.id, data, mergeKey);
  const setParam = (name: string, value: unknown) => {
    const params = { ...node.data.params };
    if (value === undefined) delete params[name];
    else params[name] = value;
    update({ ...node.data, params }, `${node.id}:param:${name}`);
  };

  if (!descriptor) {
    return (
      <div className="inspector__section">
        <h2>Unknown step</h2>
        <p className="muted">
          This version of Switchyard does not know steps of kind “{node.data.kind}”.
        </p>
      </div>
    );
  }

  return (
    <SuggestionsContext.Provider value={suggestions}>
      <div className="inspector__head">
        <span className={`inspector__icon cat--${descriptor.category}`}>
          <Icon name={descriptor.category} size={18} />
        </span>
        <div>
          <div className="inspector__kind">{descriptor.title}</div>
          <div className="inspector__desc">{descriptor.description}</div>
        </div>
      </div>
      <div className="inspector__section">
        <div className="field">
          <label className="field__label" htmlFor="step-name">
            Name
          </label>
          <input
            id="step-name"
            className="input"
            value={node.data.name}
            placeholder={descriptor.title}
            onChange={(e) => update({ ...node.data, name: e.target.value }, `${node.id}:name`)}
            data-testid="step-name"
          />
          <small className="field__help">
            Other steps read its output as <code>nodes.{node.id}</code>
          </small>
        </div>
        {general && general.length > 0 && <ProblemNotes problems={general} />}
      </div>
      <div className="inspector__section">
        <h3>Settings</h3>
        {descriptor.fields.length === 0 && <p className="muted">This step has no settings.</p>}
        {descriptor.fields.map((f) => (
          <FieldRow
            key={f.name}
            field={f}
            value={node.data.params[f.name]}
            onChange={(v) => setParam(f.name, v)}
            problems={byField.get(f.name)}
          />
        ))}
      </div>
      {!isTrigger(descriptor) && <Reliability node={node} update={update} />}
    </SuggestionsContext.Provider>
  );
}

function ProblemNotes({ problems }: { problems: readonly Diagnostic[] }) {
  return (
    <ul className="inspector__problems">
      {problems.map((p, i) => (
        <li key={i} className={p.severity}>
          <Icon name={p.severity === "error" ? "error" : "warning"} size={14} /> {p.message}
        </li>
      ))}
    </ul>
  );
}

/** Retry policy and time limit, for every step but triggers. */
function Reliability({
  node,
  update,
}: {
  node: StepNode;
  update: (d: StepData, k?: string) => void;
}) {
  const retry = node.data.retry;
  const setRetry = (patch: Partial<NonNullable<StepData["retry"]>> | null) => {
    const data = { ...node.data };
    if (patch === null) delete data.retry;
    else
      data.retry = {
        max_attempts: 3,
        backoff_ms: 1000,
        jitter: true,
        max_backoff_ms: 60000,
        ...retry,
        ...patch,
      };
    update(data, `${node.id}:retry`);
  };
  const num = (v: string) => (v === "" ? undefined : Math.max(0, Math.round(Number(v))));
  return (
    <details
      className="inspector__section"
      open={retry !== undefined || node.data.timeout_ms !== undefined}
    >
      <summary>
        <h3>When it fails</h3>
      </summary>
      <label className="toggle">
        <input
          type="checkbox"
          checked={retry !== undefined}
          onChange={(e) => setRetry(e.target.checked ? {} : null)}
        />
        <span className="toggle__track" aria-hidden="true" />
        <span className="field__label">Try again</span>
      </label>
      {retry && (
        <div className="inspector__grid">
          <label className="field">
            <span className="field__label">Attempts in all</span>
            <input
              className="input"
              type="number"
              min={1}
              max={20}
              value={retry.max_attempts}
              onChange={(e) => setRetry({ max_attempts: num(e.target.value) ?? 1 })}
            />
          </label>
          <label className="field">
            <span className="field__label">First wait (ms)</span>
            <input
              className="input"
              type="number"
              min={0}
              step={100}
              value={retry.backoff_ms ?? 1000}
              onChange={(e) => setRetry({ backoff_ms: num(e.target.value) ?? 0 })}
            />
          </label>
        </div>
      )}
      <label className="field">
        <span className="field__label">Time limit per attempt (ms)</span>
        <input
          className="input"
          type="number"
          min={1}
          step={100}
          placeholder="No limit"
          value={node.data.timeout_ms ?? ""}
          onChange={(e) => {
            const data = { ...node.data };
            const v = num(e.target.value);
            if (v === undefined) delete data.timeout_ms;
            else data.timeout_ms = v;
            update(data, `${node.id}:timeout`);
          }}
        />
        <small className="field__help">
          Connect the step's “On error” output to handle a failure instead of stopping the run.
        </small>
      </label>
    </details>
  );
}

function WorkflowSettings() {
  const meta = useEditor(selectMeta);
  const updateMeta = useEditor((s) => s.updateMeta);
  const diagnostics = useEditor((s) => s.diagnostics);
  if (!meta) return null;
  const general = diagnostics.filter((d) => !d.node);
  return (
    <>
      <div className="inspector__head">
        <span className="inspector__icon">
          <Icon name="file" size={18} />
        </span>
        <div>
          <div className="inspector__kind">Workflow</div>
          <div className="inspector__desc">
            Select a step to change its settings. Saved as <code>workflows/{meta.id}.json</code>.
          </div>
        </div>
      </div>
      <div className="inspector__section">
        {general.length > 0 && <ProblemNotes problems={general} />}
        <div className="field">
          <label className="field__label" htmlFor="wf-name">
            Name
          </label>
          <input
            id="wf-name"
            className="input"
            value={meta.name}
            onChange={(e) => updateMeta({ name: e.target.value }, "meta:name")}
          />
        </div>
        <div className="field">
          <label className="field__label" htmlFor="wf-desc">
            Description
          </label>
          <textarea
            id="wf-desc"
            className="textarea"
            rows={3}
            value={meta.description}
            placeholder="What this workflow does, in a sentence or two."
            onChange={(e) => updateMeta({ description: e.target.value }, "meta:description")}
          />
        </div>
      </div>
      <div className="inspector__section">
        <h3>Variables</h3>
        <p className="field__help">
          Values used in several places, read as <code>vars.NAME</code>. Numbers stay numbers. Never
          put passwords here: workflow files are shared.
        </p>
        <KeyValueEditor
          value={Object.fromEntries(
            Object.entries(meta.vars).map(([k, v]) => [
              k,
              typeof v === "string" ? v : JSON.stringify(v),
            ]),
          )}
          onChange={(next) => {
            const vars: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(next as Record<string, string>))
              vars[k] = parseVar(v);
            updateMeta({ vars }, "meta:vars");
          }}
        />
      </div>
      <div className="inspector__section inspector__tips">
        <h3>Getting started</h3>
        <ul>
          <li>Drag a step from the left onto the canvas.</li>
          <li>Connect a step’s right side to another step’s left side.</li>
          <li>Problems appear on the steps and in the list below as you edit.</li>
          <li>
            <span className="kbd">Ctrl</span> <span className="kbd">S</span> saves,{" "}
            <span className="kbd">?</span> lists every shortcut.
          </li>
        </ul>
      </div>
    </>
  );
}

/** A variable typed as text: numbers, booleans and JSON become values; anything else stays text. */
function parseVar(text: string): unknown {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t) || t === "true" || t === "false" || /^[[{]/.test(t)) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function MultiSelection({ count }: { count: number }) {
  const deleteSelection = useEditor((s) => s.deleteSelection);
  const duplicateSelection = useEditor((s) => s.duplicateSelection);
  return (
    <div className="inspector__section">
      <h2>{count} items selected</h2>
      <p className="muted">Drag to move them together, or:</p>
      <div className="inspector__buttons">
        <button className="btn" onClick={duplicateSelection}>
          <Icon name="copy" size={16} /> Duplicate
        </button>
        <button className="btn" onClick={deleteSelection}>
          <Icon name="trash" size={16} /> Delete
        </button>
      </div>
    </div>
  );
}

function NoteHelp() {
  return (
    <div className="inspector__section">
      <h2>Sticky note</h2>
      <p className="muted">
        Double-click the note to edit its text; drag its corners to resize it. Notes are saved with
        the workflow but never run.
      </p>
    </div>
  );
}

import { useEffect, useRef, useState, type ReactNode } from "react";

import { useDialogs, type DialogSpec } from "../stores/dialogs";

/** Shows the open dialogs, newest on top. */
export function DialogHost() {
  const open = useDialogs((s) => s.open);
  const close = useDialogs((s) => s.close);
  return (
    <>
      {open.map((d) => (
        <DialogFrame
          key={d.id}
          wide={d.spec.type === "custom" && d.spec.wide === true}
          onCancel={() => close(d.id, null)}
        >
          <DialogBody spec={d.spec} close={(result) => close(d.id, result)} />
        </DialogFrame>
      ))}
    </>
  );
}

function DialogFrame({
  children,
  wide,
  onCancel,
}: {
  children: ReactNode;
  wide: boolean;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>(
      "[data-autofocus], input, textarea, button.btn--primary, button",
    );
    first?.focus();
    return () => previous?.focus?.();
  }, []);
  return (
    <div
      className="dialog-backdrop"
      onMouseDown={(e) => e.target === e.currentTarget && onCancel()}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.stopPropagation();
          onCancel();
        }
      }}
    >
      <div
        ref={ref}
        className={wide ? "dialog dialog--wide" : "dialog"}
        role="dialog"
        aria-modal="true"
      >
        {children}
      </div>
    </div>
  );
}

function DialogBody({ spec, close }: { spec: DialogSpec; close: (result: string | null) => void }) {
  switch (spec.type) {
    case "choice":
      return (
        <>
          <h2>{spec.title}</h2>
          <div className="dialog__message">
            {typeof spec.message === "string" ? <p>{spec.message}</p> : spec.message}
          </div>
          <div className="dialog__actions">
            {/* A notice (no choices) is closed; a question can be cancelled. */}
            <button
              className={spec.actions.length ? "btn" : "btn btn--primary"}
              onClick={() => close(null)}
            >
              {spec.actions.length ? "Cancel" : "Close"}
            </button>
            {spec.actions.map((a) => (
              <button
                key={a.id}
                className={
                  a.tone === "danger"
                    ? "btn btn--danger"
                    : a.tone === "primary"
                      ? "btn btn--primary"
                      : "btn"
                }
                onClick={() => close(a.id)}
                data-autofocus={a.tone === "primary" ? true : undefined}
              >
                {a.label}
              </button>
            ))}
          </div>
        </>
      );
    case "prompt":
      return <PromptBody spec={spec} close={close} />;
    case "custom":
      return <>{spec.render(close)}</>;
  }
}

function PromptBody({
  spec,
  close,
}: {
  spec: Extract<DialogSpec, { type: "prompt" }>;
  close: (result: string | null) => void;
}) {
  const [value, setValue] = useState(spec.value);
  const problem = spec.validate?.(value) ?? null;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (!problem) close(value);
      }}
    >
      <h2>{spec.title}</h2>
      {spec.message && <p>{spec.message}</p>}
      <label className="dialog__field">
        <span>{spec.label}</span>
        <input
          className="input"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-invalid={problem ? true : undefined}
          onFocus={(e) => e.target.select()}
        />
        {problem && <small className="field__error">{problem}</small>}
      </label>
      <div className="dialog__actions">
        <button type="button" className="btn" onClick={() => close(null)}>
          Cancel
        </button>
        <button type="submit" className="btn btn--primary" disabled={problem !== null}>
          {spec.confirm}
        </button>
      </div>
    </form>
  );
}

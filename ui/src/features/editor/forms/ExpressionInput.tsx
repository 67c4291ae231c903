import { createContext, useContext, useId, useRef, useState, type KeyboardEvent } from "react";

import { Icon } from "../../../components/Icon";
import {
  filterSuggestions,
  insideExpression,
  tokenBefore,
  type Suggestion,
} from "../../../core/suggestions";

/** What the text fields of the selected node can refer to (computed when asked). */
export const SuggestionsContext = createContext<() => readonly Suggestion[]>(() => []);

export type TextMode = "template" | "expression";

interface Props {
  value: string;
  onChange: (value: string) => void;
  mode: TextMode;
  multiline?: boolean;
  placeholder?: string;
  invalid?: boolean;
  id?: string;
  label?: string;
}

/**
 * A text field that completes `event.*`, `input.*`, `nodes.<id>.*` and `vars.*` as you type
 * (or on Ctrl+Space, or with the { } button). In templates, a field picked outside `{{ }}` is
 * inserted as `{{ path }}`.
 */
export function ExpressionInput({
  value,
  onChange,
  mode,
  multiline,
  placeholder,
  invalid,
  id,
  label,
}: Props) {
  const suggestions = useContext(SuggestionsContext);
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [open, setOpen] = useState<{
    items: Suggestion[];
    start: number;
    end: number;
    wrap: boolean;
  } | null>(null);
  const [active, setActive] = useState(0);
  const listId = useId();

  const refresh = (force: boolean) => {
    const el = ref.current;
    if (!el) return;
    const cursor = el.selectionStart ?? value.length;
    const text = el.value;
    const inside = mode === "expression" || insideExpression(text, cursor);
    const token = inside ? tokenBefore(text, cursor) : null;
    if (!token && !force) return setOpen(null);
    const items = filterSuggestions(suggestions(), token?.token ?? "", 40);
    if (items.length === 0) return setOpen(null);
    setActive(0);
    setOpen({
      items,
      start: token?.start ?? cursor,
      end: cursor,
      wrap: mode === "template" && !inside,
    });
  };

  const pick = (s: Suggestion) => {
    if (!open) return;
    const rest = value.slice(open.end);
    // Close an open `{{` for the user when nothing closes it yet.
    const unclosed = mode === "template" && !open.wrap && !/^[^{]*\}\}/.test(rest);
    const insert = open.wrap ? `{{ ${s.path} }}` : unclosed ? `${s.path} }}` : s.path;
    const next = value.slice(0, open.start) + insert + rest;
    onChange(next);
    setOpen(null);
    const caret = open.start + insert.length;
    requestAnimationFrame(() => {
      ref.current?.focus();
      ref.current?.setSelectionRange(caret, caret);
    });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === " " && e.ctrlKey) {
      e.preventDefault();
      refresh(true);
      return;
    }
    if (!open) return;
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setActive((a) => (a + 1) % open.items.length);
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => (a - 1 + open.items.length) % open.items.length);
    } else if (e.key === "Enter" || e.key === "Tab") {
      const s = open.items[active];
      if (s) {
        e.preventDefault();
        pick(s);
      }
    } else if (e.key === "Escape") {
      e.stopPropagation();
      setOpen(null);
    }
  };

  const common = {
    id,
    ref,
    value,
    placeholder,
    "aria-invalid": invalid ? true : undefined,
    "aria-label": label,
    "aria-autocomplete": "list" as const,
    "aria-controls": open ? listId : undefined,
    spellCheck: false,
    onChange: (e: { target: { value: string } }) => {
      onChange(e.target.value);
      requestAnimationFrame(() => refresh(false));
    },
    onKeyDown,
    onBlur: () => setTimeout(() => setOpen(null), 150),
  };

  return (
    <div className="xinput">
      {multiline ? (
        <textarea className="textarea textarea--code" rows={3} {...common} />
      ) : (
        <input className="input input--code" {...common} />
      )}
      <button
        type="button"
        className="xinput__button"
        title="Insert a field (Ctrl+Space)"
        aria-label="Insert a field"
        tabIndex={-1}
        onMouseDown={(e) => {
          e.preventDefault();
          ref.current?.focus();
          refresh(true);
        }}
      >
        <Icon name="code" size={14} />
      </button>
      {open && (
        <ul className="xinput__list" id={listId} role="listbox">
          {open.items.map((s, i) => (
            <li
              key={s.path}
              role="option"
              aria-selected={i === active}
              className={i === active ? "xinput__item xinput__item--active" : "xinput__item"}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(s);
              }}
              onMouseEnter={() => setActive(i)}
            >
              <code>{s.path}</code>
              <span>{s.detail}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

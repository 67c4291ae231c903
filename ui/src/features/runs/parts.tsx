// Small pieces shared by the Runs screen's views.
import { useEffect, useRef } from "react";

import type { RunOrigin } from "../../generated/api";
import { ORIGIN_LABEL, pretty } from "../../core/runs";

/** A run's or a node's status as a coloured pill. */
export function StatusPill({ status }: { status: string }) {
  return (
    <span className={`status status--${status}`} data-testid="status">
      {status}
    </span>
  );
}

export function OriginBadge({ origin }: { origin: RunOrigin }) {
  return <span className={`origin origin--${origin}`}>{ORIGIN_LABEL[origin]}</span>;
}

/** A JSON value for reading, cut when very large. */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  const { text, cut } = pretty(value);
  return (
    <figure className="json">
      <figcaption className="json__label">{label}</figcaption>
      <pre className="json__body" tabIndex={0} aria-label={label}>
        {text}
        {cut && "\n… (cut: the value is larger than shown)"}
      </pre>
    </figure>
  );
}

/**
 * Calls `read` whenever `trigger` changes (and at first, unless `initial` is false), but at
 * most once every `gapMs`: a burst of arriving runs reads a view once.
 */
export function useThrottledRead(
  read: () => void,
  trigger: unknown,
  { gapMs = 2000, initial = true }: { gapMs?: number; initial?: boolean } = {},
): void {
  const last = useRef(0);
  const latest = useRef(read);
  const first = useRef(true);
  latest.current = read;
  useEffect(() => {
    if (first.current) {
      first.current = false;
      if (!initial) {
        last.current = Date.now();
        return;
      }
    }
    const wait = Math.max(0, last.current + gapMs - Date.now());
    const t = setTimeout(() => {
      last.current = Date.now();
      latest.current();
    }, wait);
    return () => clearTimeout(t);
  }, [trigger, gapMs, initial]);
}

import { useState } from "react";

const LIMIT = 20_000;

/** A value as indented JSON, cut at 20,000 characters until asked for all of it. */
export function JsonView({
  value,
  label,
  testId,
}: {
  value: unknown;
  label: string;
  testId?: string;
}) {
  const [all, setAll] = useState(false);
  const text = value === undefined ? "(nothing)" : JSON.stringify(value, null, 2);
  const long = text.length > LIMIT;
  return (
    <div className="json-view">
      <pre aria-label={label} data-testid={testId} tabIndex={0}>
        {long && !all ? `${text.slice(0, LIMIT)}\n…` : text}
      </pre>
      {long && !all && (
        <button className="link-button" onClick={() => setAll(true)}>
          Show all {Math.round(text.length / 1000)}k characters
        </button>
      )}
    </div>
  );
}

// Undo/redo as an immutable value: a list of past states, the present, and undone futures.
// Edits that carry the same `mergeKey` one after another (typing into one field) become one step.

export interface History<T> {
  readonly past: readonly T[];
  readonly present: T;
  readonly future: readonly T[];
  /** The key of the last recorded edit, if it may absorb the next one. */
  readonly mergeKey: string | null;
}

export const HISTORY_LIMIT = 200;

export function startHistory<T>(present: T): History<T> {
  return { past: [], present, future: [], mergeKey: null };
}

/**
 * Records `next` as the new present. With a `mergeKey` equal to the previous edit's, it replaces
 * the present instead of adding a step. Recording a state equal to the present (by `same`) does nothing.
 */
export function record<T>(
  history: History<T>,
  next: T,
  options: { mergeKey?: string; same?: (a: T, b: T) => boolean } = {},
): History<T> {
  if (options.same?.(history.present, next)) return history;
  const mergeKey = options.mergeKey ?? null;
  if (mergeKey !== null && mergeKey === history.mergeKey) {
    return { past: history.past, present: next, future: [], mergeKey };
  }
  const past = [...history.past, history.present];
  if (past.length > HISTORY_LIMIT) past.splice(0, past.length - HISTORY_LIMIT);
  return { past, present: next, future: [], mergeKey };
}

export function canUndo<T>(history: History<T>): boolean {
  return history.past.length > 0;
}

export function canRedo<T>(history: History<T>): boolean {
  return history.future.length > 0;
}

export function undo<T>(history: History<T>): History<T> {
  const previous = history.past[history.past.length - 1];
  if (previous === undefined) return history;
  return {
    past: history.past.slice(0, -1),
    present: previous,
    future: [history.present, ...history.future],
    mergeKey: null,
  };
}

export function redo<T>(history: History<T>): History<T> {
  const [next, ...rest] = history.future;
  if (next === undefined) return history;
  return { past: [...history.past, history.present], present: next, future: rest, mergeKey: null };
}

/** Ends any merging: the next edit is its own step even with the same key. */
export function seal<T>(history: History<T>): History<T> {
  return history.mergeKey === null ? history : { ...history, mergeKey: null };
}

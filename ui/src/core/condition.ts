// The condition builder: rows of field / operator / value written as an expression
// (`event.budget >= 10000 and 'demo' in event.message`), and read back when the expression is
// one it could have written. Anything else is edited as text.

export type Operator =
  "==" | "!=" | ">" | ">=" | "<" | "<=" | "contains" | "not_contains" | "is_empty" | "is_not_empty";

export const OPERATORS: readonly { op: Operator; label: string; needsValue: boolean }[] = [
  { op: "==", label: "is", needsValue: true },
  { op: "!=", label: "is not", needsValue: true },
  { op: ">", label: "is greater than", needsValue: true },
  { op: ">=", label: "is at least", needsValue: true },
  { op: "<", label: "is less than", needsValue: true },
  { op: "<=", label: "is at most", needsValue: true },
  { op: "contains", label: "contains", needsValue: true },
  { op: "not_contains", label: "does not contain", needsValue: true },
  { op: "is_empty", label: "is empty", needsValue: false },
  { op: "is_not_empty", label: "is not empty", needsValue: false },
];

export interface Rule {
  field: string;
  op: Operator;
  /** As typed: a number, true/false, a path such as `vars.hot_score`, or plain text. */
  value: string;
}

export interface Condition {
  join: "and" | "or";
  rules: Rule[];
}

const PATH = /^(event|input|nodes|vars|run|item)(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

/** The value as it appears in the expression: numbers, booleans and paths bare; text quoted. */
export function literal(value: string): string {
  const v = value.trim();
  if (NUMBER.test(v) || v === "true" || v === "false" || v === "none" || PATH.test(v)) return v;
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** The text back from a literal written by `literal`, or null when it is not one. */
function unliteral(text: string): string | null {
  const v = text.trim();
  if (NUMBER.test(v) || v === "true" || v === "false" || v === "none" || PATH.test(v)) return v;
  const quoted = /^'((?:[^'\\]|\\.)*)'$/.exec(v);
  return quoted ? quoted[1]!.replace(/\\(.)/g, "$1") : null;
}

export function buildRule(rule: Rule): string {
  const f = rule.field.trim();
  switch (rule.op) {
    case "contains":
      return `${literal(rule.value)} in ${f}`;
    case "not_contains":
      return `${literal(rule.value)} not in ${f}`;
    case "is_empty":
      return `not (${f} is defined and ${f})`;
    case "is_not_empty":
      return `(${f} is defined and ${f})`;
    default:
      return `${f} ${rule.op} ${literal(rule.value)}`;
  }
}

export function buildCondition(condition: Condition): string {
  return condition.rules
    .filter((r) => r.field.trim() !== "")
    .map(buildRule)
    .join(` ${condition.join} `);
}

function parseRule(text: string): Rule | null {
  const t = text.trim();
  let m = /^not \(([\w.]+) is defined and ([\w.]+)\)$/.exec(t);
  if (m && m[1] === m[2] && PATH.test(m[1]!)) return { field: m[1]!, op: "is_empty", value: "" };
  m = /^\(([\w.]+) is defined and ([\w.]+)\)$/.exec(t);
  if (m && m[1] === m[2] && PATH.test(m[1]!))
    return { field: m[1]!, op: "is_not_empty", value: "" };
  m = /^(.+?) (not in|in) ([\w.]+)$/.exec(t);
  if (m && PATH.test(m[3]!)) {
    const value = unliteral(m[1]!);
    if (value !== null)
      return { field: m[3]!, op: m[2] === "in" ? "contains" : "not_contains", value };
  }
  m = /^([\w.]+) (==|!=|>=|<=|>|<) (.+)$/.exec(t);
  if (m && PATH.test(m[1]!)) {
    const value = unliteral(m[3]!);
    if (value !== null) return { field: m[1]!, op: m[2] as Operator, value };
  }
  return null;
}

/** Splits on a top-level ` and ` / ` or ` outside quotes and parentheses. */
function splitJoin(text: string, word: "and" | "or"): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  const sep = ` ${word} `;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === "'") quote = false;
      continue;
    }
    if (c === "'") quote = true;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (depth === 0 && text.startsWith(sep, i)) {
      parts.push(text.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** The builder's rows for an expression, or null when the builder cannot show it. */
export function parseCondition(expression: string): Condition | null {
  const text = expression.trim();
  if (text === "") return { join: "and", rules: [] };
  for (const join of ["and", "or"] as const) {
    const parts = splitJoin(text, join);
    if (parts.length === 1) continue;
    const other = join === "and" ? "or" : "and";
    if (parts.some((p) => splitJoin(p, other).length > 1)) continue;
    const rules = parts.map(parseRule);
    if (rules.every((r): r is Rule => r !== null)) return { join, rules };
  }
  const single = parseRule(text);
  return single ? { join: "and", rules: [single] } : null;
}

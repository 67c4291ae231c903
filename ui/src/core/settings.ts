// Workspace settings as the Settings screen edits them: forms of text fields mapped to and from
// the saved `Workspace`, the checks the backend makes (said in plain words before saving), and
// the choices the pickers in node forms offer.
import type {
  AiProvider,
  Database,
  EmailServer,
  NetworkPolicy,
  SecretList,
  SmtpSecurity,
  Workspace,
} from "../generated/api";

/** The AI provider that always exists: it runs on this machine. */
export const BUILTIN_PROVIDER = "builtin";

/**
 * The network policy, with the list of hosts allowed even when private. Older backends do not
 * know `allowed_hosts` (they refuse unknown fields), so it is sent only when it has entries.
 */
export type Network = NetworkPolicy & { allowed_hosts?: string[] };

/** A problem with one field of a form, or with the form as a whole (`form`). */
export type FormErrors<F extends string> = Partial<Record<F | "form", string>>;

export type Checked<T, F extends string> =
  { ok: true; value: T } | { ok: false; errors: FormErrors<F> };

// ------------------------------------------------------------------ drafts

export interface ProviderDraft {
  id: string;
  name: string;
  base_url: string;
  model: string;
  api_key_secret: string;
  timeout_s: string;
  max_attempts: string;
}

export interface EmailDraft {
  id: string;
  name: string;
  host: string;
  port: string;
  security: SmtpSecurity;
  username: string;
  password_secret: string;
  from: string;
  ca_file: string;
  timeout_s: string;
}

export interface DatabaseDraft {
  id: string;
  name: string;
  /** Where the address is: typed here (no password) or kept in a secret. */
  source: "url" | "secret";
  url: string;
  url_secret: string;
  max_connections: string;
}

const seconds = (ms: number) => String(Math.round(ms / 100) / 10);

export function providerDraft(p?: AiProvider): ProviderDraft {
  return {
    id: p?.id ?? "",
    name: p?.name ?? "",
    base_url: p?.base_url ?? "",
    model: p?.model ?? "",
    api_key_secret: p?.api_key_secret ?? "",
    timeout_s: seconds(p?.timeout_ms ?? 60_000),
    max_attempts: String(p?.max_attempts ?? 3),
  };
}

export function emailDraft(s?: EmailServer): EmailDraft {
  return {
    id: s?.id ?? "",
    name: s?.name ?? "",
    host: s?.host ?? "",
    port: String(s?.port ?? 587),
    security: s?.security ?? "starttls",
    username: s?.username ?? "",
    password_secret: s?.password_secret ?? "",
    from: s?.from ?? "",
    ca_file: s?.ca_file ?? "",
    timeout_s: seconds(s?.timeout_ms ?? 30_000),
  };
}

export function databaseDraft(d?: Database): DatabaseDraft {
  return {
    id: d?.id ?? "",
    name: d?.name ?? "",
    source: d?.url_secret ? "secret" : "url",
    url: d?.url ?? "",
    url_secret: d?.url_secret ?? "",
    max_connections: String(d?.max_connections ?? 4),
  };
}

/** The usual port for each kind of email security. */
export const SECURITY_PORTS: Record<SmtpSecurity, number> = { plain: 25, starttls: 587, tls: 465 };

// ------------------------------------------------------------------ checks

/** Why `id` cannot name a new or edited connection among `taken`, or null. */
export function idProblem(id: string, taken: readonly string[], reserved = false): string | null {
  if (id === "") return "Give it a short name; nodes refer to it by this name.";
  if (/\s/.test(id)) return "Use a name without spaces, for example sales-mail.";
  if (reserved) return `"${id}" is the built-in AI's name; choose another.`;
  if (taken.includes(id)) return `Another connection is already called "${id}".`;
  return null;
}

function whole(text: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= min && n <= max ? n : null;
}

function positiveSeconds(text: string): number | null {
  const n = Number(text.trim());
  return text.trim() !== "" && Number.isFinite(n) && n > 0 ? Math.round(n * 1000) : null;
}

/** Whether `scheme://user:password@host` carries a password (the backend refuses it). */
export function urlHasPassword(url: string): boolean {
  const rest = url.split("://")[1];
  if (rest === undefined) return false;
  const authority = rest.split(/[/?#]/)[0] ?? "";
  const at = authority.lastIndexOf("@");
  return at >= 0 && authority.slice(0, at).includes(":");
}

const optional = (text: string): string | undefined => text.trim() || undefined;

/** Removes the keys whose value is `undefined` (the saved file leaves them out). */
function compact<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function checkProvider(
  d: ProviderDraft,
  otherIds: readonly string[],
): Checked<AiProvider, keyof ProviderDraft> {
  const errors: FormErrors<keyof ProviderDraft> = {};
  const id = d.id.trim();
  const idError = idProblem(id, otherIds, id === BUILTIN_PROVIDER);
  if (idError) errors.id = idError;
  const baseUrl = d.base_url.trim();
  if (!/^https?:\/\/\S+$/.test(baseUrl))
    errors.base_url = "Type the address starting with http:// or https://.";
  else if (urlHasPassword(baseUrl))
    errors.base_url = "Leave the password out of the address; put the API key in a secret.";
  if (d.model.trim() === "") errors.model = "Name the model to use, for example gpt-4o-mini.";
  const timeout = positiveSeconds(d.timeout_s);
  if (timeout === null) errors.timeout_s = "Type a number of seconds greater than 0.";
  const attempts = whole(d.max_attempts, 1, 10);
  if (attempts === null) errors.max_attempts = "Type a whole number from 1 to 10.";
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: compact<AiProvider>({
      id,
      name: optional(d.name),
      base_url: baseUrl,
      model: d.model.trim(),
      api_key_secret: optional(d.api_key_secret),
      timeout_ms: timeout!,
      max_attempts: attempts!,
    }),
  };
}

export function checkEmail(
  d: EmailDraft,
  otherIds: readonly string[],
): Checked<EmailServer, keyof EmailDraft> {
  const errors: FormErrors<keyof EmailDraft> = {};
  const id = d.id.trim();
  const idError = idProblem(id, otherIds);
  if (idError) errors.id = idError;
  const host = d.host.trim();
  if (host === "" || /[\s/:]/.test(host))
    errors.host = "Type the server's name only, for example smtp.example.com.";
  const port = whole(d.port, 1, 65535);
  if (port === null) errors.port = "Type a port number from 1 to 65535 (usually 587 or 465).";
  if (!/\S+@\S+/.test(d.from))
    errors.from = "Type an email address, e.g. Sales <sales@example.com>.";
  if (d.password_secret.trim() !== "" && d.username.trim() === "")
    errors.username = "A password needs a user name to sign in with.";
  const timeout = positiveSeconds(d.timeout_s);
  if (timeout === null) errors.timeout_s = "Type a number of seconds greater than 0.";
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: compact<EmailServer>({
      id,
      name: optional(d.name),
      host,
      port: port!,
      security: d.security,
      username: optional(d.username),
      password_secret: optional(d.password_secret),
      from: d.from.trim(),
      ca_file: optional(d.ca_file),
      timeout_ms: timeout!,
    }),
  };
}

export function checkDatabase(
  d: DatabaseDraft,
  otherIds: readonly string[],
): Checked<Database, keyof DatabaseDraft> {
  const errors: FormErrors<keyof DatabaseDraft> = {};
  const id = d.id.trim();
  const idError = idProblem(id, otherIds);
  if (idError) errors.id = idError;
  const url = d.url.trim();
  const secret = d.url_secret.trim();
  if (d.source === "url") {
    if (!/^[a-z][a-z0-9+.-]*:\S+$/.test(url))
      errors.url =
        "Type the address, for example sqlite:data/shop.db or postgres://app@localhost/shop.";
    else if (urlHasPassword(url))
      errors.url =
        "This address contains a password. Store the whole address as a secret instead and pick it here.";
  } else if (secret === "") {
    errors.url_secret = "Pick the secret that holds the address.";
  }
  const max = whole(d.max_connections, 1, 100);
  if (max === null) errors.max_connections = "Type a whole number from 1 to 100.";
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: compact<Database>({
      id,
      name: optional(d.name),
      url: d.source === "url" ? url : undefined,
      url_secret: d.source === "secret" ? secret : undefined,
      max_connections: max!,
    }),
  };
}

/** Why a secret name cannot be used (the store's rule), or null. */
export function secretNameProblem(name: string): string | null {
  if (name === "") return "Give the secret a name.";
  if (name.length > 64) return "Use at most 64 characters.";
  if (!/^[A-Za-z0-9_.-]+$/.test(name))
    return "Use letters, digits, _ - or . only (no spaces), for example OPENAI_API_KEY.";
  return null;
}

/** A host, IP address or CIDR range for the allowed-hosts list, or why it is not one. */
export function hostProblem(host: string, list: readonly string[]): string | null {
  if (host === "") return "Type a host name, an IP address or a range like 10.0.0.0/8.";
  if (/[\s/]/.test(host.replace(/\/\d{1,3}$/, "")) || host.includes("://"))
    return "Type only the host, without http:// or a path (e.g. printer.local or 192.168.1.20).";
  if (list.includes(host)) return "It is already in the list.";
  return null;
}

// ------------------------------------------------------------------ the workspace

/** The network policy with the list always present. */
export function networkOf(ws: Workspace): {
  allow_private_networks: boolean;
  allowed_hosts: string[];
} {
  const n = ws.network as Network | undefined;
  return {
    allow_private_networks: n?.allow_private_networks ?? false,
    allowed_hosts: n?.allowed_hosts ?? [],
  };
}

/** `ws` with a new network policy; `allowed_hosts` is written only when it has entries. */
export function withNetwork(
  ws: Workspace,
  allowPrivate: boolean,
  allowedHosts: readonly string[],
): Workspace {
  const network: Network = {
    ...(ws.network as Network | undefined),
    allow_private_networks: allowPrivate,
  };
  if (allowedHosts.length > 0) network.allowed_hosts = [...allowedHosts];
  else delete network.allowed_hosts;
  return { ...ws, network };
}

export type ConnectionList = "ai_providers" | "email_servers" | "databases";
type Item<L extends ConnectionList> = NonNullable<Workspace[L]>[number];

/** `ws` with `item` in place of the entry whose id was `previousId`, or added at the end. */
export function putConnection<L extends ConnectionList>(
  ws: Workspace,
  list: L,
  previousId: string | null,
  item: Item<L>,
): Workspace {
  const items = [...((ws[list] ?? []) as Item<L>[])];
  const at = previousId === null ? -1 : items.findIndex((i) => i.id === previousId);
  if (at >= 0) items[at] = item;
  else items.push(item);
  return { ...ws, [list]: items };
}

export function removeConnection(ws: Workspace, list: ConnectionList, id: string): Workspace {
  const items = ((ws[list] ?? []) as { id: string }[]).filter((i) => i.id !== id);
  return { ...ws, [list]: items };
}

/** The ids in `list` other than `except` (for the duplicate check while editing). */
export function otherIds(ws: Workspace, list: ConnectionList, except: string | null): string[] {
  return ((ws[list] ?? []) as { id: string }[]).map((i) => i.id).filter((id) => id !== except);
}

// ------------------------------------------------------------------ errors in plain words

const CODE_TEXT: Record<string, string> = {
  password_in_url:
    "A database address contains a password. Store the whole address as a secret and pick that secret instead.",
  duplicate_id:
    "Two connections of the same kind have the same name (or one is called builtin). Give each its own name.",
  unsupported_version:
    "The settings file was written by a newer Switchyard. Update the app before changing settings.",
  invalid_workspace: "The settings could not be saved because one of them is not valid.",
  invalid_request: "Switchyard did not accept this.",
  io_error: "The settings file could not be written. Check that the workflows folder is writable.",
  network_error: "Switchyard's server cannot be reached. Is the app still running?",
  not_found: "It is not there any more; the list has been refreshed.",
};

/** A backend error in plain words, with the backend's own detail after it. */
export function errorText(error: unknown): string {
  const { code, message } =
    typeof error === "object" && error !== null
      ? (error as { code?: unknown; message?: unknown })
      : { code: undefined, message: String(error) };
  const detail = typeof message === "string" ? message : "";
  const plain = typeof code === "string" ? CODE_TEXT[code] : undefined;
  if (!plain) return detail || "Something went wrong.";
  return detail ? `${plain} (${detail})` : plain;
}

// ------------------------------------------------------------------ pickers

export interface Choice {
  value: string;
  label: string;
}

const label = (item: { id: string; name?: string | null }) =>
  item.name && item.name !== item.id ? `${item.name} (${item.id})` : item.id;

/** What a node setting named `provider`, `server` or `database` picks from. */
export type PickerKind = "secret" | "provider" | "server" | "database";

/** The picker for a node setting, by its name; null for an ordinary setting. */
export function pickerFor(settingName: string): PickerKind | null {
  if (settingName === "secret" || settingName.endsWith("_secret")) return "secret";
  if (settingName === "provider") return "provider";
  if (settingName === "server") return "server";
  if (settingName === "database") return "database";
  return null;
}

/** The choices of a picker; the built-in AI comes first among providers. */
export function pickerChoices(
  kind: PickerKind,
  ws: Workspace | undefined,
  secrets: SecretList | undefined,
): Choice[] {
  switch (kind) {
    case "secret":
      return (secrets?.secrets ?? [])
        .map((s) => ({ value: s.name, label: s.name }))
        .sort((a, b) => a.value.localeCompare(b.value));
    case "provider":
      return [
        { value: BUILTIN_PROVIDER, label: "Built-in AI (works offline, no account)" },
        ...(ws?.ai_providers ?? []).map((p) => ({ value: p.id, label: label(p) })),
      ];
    case "server":
      return (ws?.email_servers ?? []).map((s) => ({ value: s.id, label: label(s) }));
    case "database":
      return (ws?.databases ?? []).map((d) => ({ value: d.id, label: label(d) }));
  }
}

/** What a picker says when `value` is not among its choices (a name typed before it exists). */
export function missingChoiceHint(
  kind: PickerKind,
  value: string,
  choices: Choice[],
): string | null {
  if (value === "" || value.includes("{{") || choices.some((c) => c.value === value)) return null;
  return kind === "secret"
    ? `"${value}" is not stored yet — add it in Settings › Secrets.`
    : `"${value}" is not set up yet — add it in Settings › Connections.`;
}

/** "Where the master key comes from", said for a person. */
export function keySourceText(source: string | null | undefined): string {
  if (!source)
    return "No secret is stored yet. The first one creates a master key that encrypts them all.";
  return `Secrets are encrypted with a master key from ${source}.`;
}

// The one table of backend commands. The Tauri shell registers commands with these names and
// arguments; `switchyard serve` answers the same calls over HTTP at the routes below. Both
// transports read this table, so they cannot drift apart.
import type {
  AppInfo,
  BatchRequest,
  BatchResult,
  CheckedText,
  Descriptor,
  ExportRequest,
  LiveRunOutcome,
  LiveRunRequest,
  RunEvent,
  RunTestsRequest,
  Saved,
  SecretList,
  SuiteResult,
  TemplateInfo,
  TestsState,
  TestSuite,
  Validation,
  WorkflowFile,
  WorkflowSummary,
  Workspace,
  WorkspaceState,
} from "../generated/api";

/** Arguments and result of every command. */
export interface Commands {
  app_info: { args: Record<string, never>; result: AppInfo };
  ui_ready: { args: { shownVersion: string }; result: null };
  catalog: { args: Record<string, never>; result: Descriptor[] };
  list_workflows: { args: Record<string, never>; result: WorkflowSummary[] };
  get_workflow: { args: { id: string }; result: WorkflowFile };
  save_workflow: { args: { file: WorkflowFile }; result: Saved };
  delete_workflow: { args: { id: string }; result: null };
  validate_workflow: { args: { file: WorkflowFile }; result: Validation };
  check_workflow_text: { args: { text: string }; result: CheckedText };
  list_templates: { args: Record<string, never>; result: TemplateInfo[] };
  get_template: { args: { id: string }; result: WorkflowFile };
  /** Desktop only: a native save dialog, then the file is written; the path, or null if cancelled. */
  save_export: { args: { request: ExportRequest }; result: string | null };
  get_workspace: { args: Record<string, never>; result: WorkspaceState };
  save_workspace: { args: { settings: Workspace }; result: WorkspaceState };
  /** Names and dates only: a secret's value never comes back. */
  list_secrets: { args: Record<string, never>; result: SecretList };
  set_secret: { args: { name: string; value: string }; result: null };
  delete_secret: { args: { name: string }; result: null };
  /** Cancels a run in progress. */
  cancel_run: { args: { id: string }; result: null };
  /** The workflow's test suite (`<id>.tests.json`; an empty one when there is none yet). */
  get_tests: { args: { id: string }; result: TestsState };
  /** Saves the suite beside the workflow; problems come back as diagnostics, nothing is lost. */
  save_tests: { args: { id: string; suite: TestSuite }; result: TestsState };
  /** Runs the cases in test mode (the saved suite and workflow, or drafts in `request`). */
  run_tests: { args: { id: string; request: RunTestsRequest }; result: SuiteResult };
  /** Runs rows (events, or CSV text) through the workflow in test mode. */
  run_batch: { args: { id: string; request: BatchRequest }; result: BatchResult };
}

/**
 * Commands that send events while they work, then answer once. Over Tauri the events come
 * through a channel passed as `onEvent`; over HTTP the answer is newline-delimited JSON:
 * `{"type":"event","event"}` lines, then `{"type":"done","result"}` or `{"type":"error"}`.
 */
export interface StreamCommands {
  run_live: { args: { request: LiveRunRequest }; event: RunEvent; result: LiveRunOutcome };
}

export type StreamName = keyof StreamCommands;

export const STREAM_ROUTES: {
  [C in StreamName]: { path: string; body: (args: StreamCommands[C]["args"]) => unknown };
} = {
  run_live: { path: "/api/runs/live", body: ({ request }) => request },
};

export type CommandName = keyof Commands;
export type ArgsOf<C extends CommandName> = Commands[C]["args"];
export type ResultOf<C extends CommandName> = Commands[C]["result"];

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** How one command travels over HTTP. */
export interface HttpRoute<C extends CommandName> {
  method: HttpMethod;
  path: (args: ArgsOf<C>) => string;
  /** The JSON body, for methods that send one. */
  body?: (args: ArgsOf<C>) => unknown;
  /** Shapes the answer when the HTTP API says it differently from the Tauri command. */
  decode?: (answer: unknown) => ResultOf<C>;
}

const seg = encodeURIComponent;

/** `null`: the command exists only in the desktop shell. */
export const HTTP_ROUTES: { [C in CommandName]: HttpRoute<C> | null } = {
  // The server reports its version in its health check.
  app_info: {
    method: "GET",
    path: () => "/api/health",
    decode: (answer) => ({
      name: "Switchyard",
      version: String((answer as { version?: unknown }).version ?? ""),
    }),
  },
  ui_ready: null,
  catalog: { method: "GET", path: () => "/api/catalog" },
  list_workflows: { method: "GET", path: () => "/api/workflows" },
  get_workflow: { method: "GET", path: ({ id }) => `/api/workflows/${seg(id)}/file` },
  save_workflow: {
    method: "PUT",
    path: ({ file }) => `/api/workflows/${seg(file.id)}/file`,
    body: ({ file }) => file,
  },
  delete_workflow: { method: "DELETE", path: ({ id }) => `/api/workflows/${seg(id)}` },
  validate_workflow: { method: "POST", path: () => "/api/validate", body: ({ file }) => file },
  check_workflow_text: {
    method: "POST",
    path: () => "/api/workflows/check",
    body: ({ text }) => ({ text }),
  },
  list_templates: { method: "GET", path: () => "/api/templates" },
  get_template: { method: "GET", path: ({ id }) => `/api/templates/${seg(id)}` },
  // A browser saves exports itself (a download).
  save_export: null,
  get_workspace: { method: "GET", path: () => "/api/workspace" },
  save_workspace: {
    method: "PUT",
    path: () => "/api/workspace",
    body: ({ settings }) => settings,
  },
  list_secrets: { method: "GET", path: () => "/api/secrets" },
  set_secret: {
    method: "PUT",
    path: ({ name }) => `/api/secrets/${seg(name)}`,
    body: ({ value }) => ({ value }),
  },
  delete_secret: { method: "DELETE", path: ({ name }) => `/api/secrets/${seg(name)}` },
  cancel_run: {
    method: "POST",
    path: ({ id }) => `/api/runs/${seg(id)}/cancel`,
    decode: () => null,
  },
  get_tests: { method: "GET", path: ({ id }) => `/api/workflows/${seg(id)}/tests` },
  save_tests: {
    method: "PUT",
    path: ({ id }) => `/api/workflows/${seg(id)}/tests`,
    body: ({ suite }) => suite,
  },
  run_tests: {
    method: "POST",
    path: ({ id }) => `/api/workflows/${seg(id)}/tests/run`,
    body: ({ request }) => request,
  },
  run_batch: {
    method: "POST",
    path: ({ id }) => `/api/workflows/${seg(id)}/batch`,
    body: ({ request }) => request,
  },
};

/** The method, path and JSON body (if any) for a call, or `null` for desktop-only commands. */
export function httpRequestFor<C extends CommandName>(
  command: C,
  args: ArgsOf<C>,
): {
  method: HttpMethod;
  path: string;
  body?: string;
  decode: (answer: unknown) => ResultOf<C>;
} | null {
  const route = HTTP_ROUTES[command] as HttpRoute<C> | null;
  if (!route) return null;
  const path = route.path(args);
  const decode = route.decode ?? ((answer: unknown) => answer as ResultOf<C>);
  return route.body
    ? { method: route.method, path, body: JSON.stringify(route.body(args)), decode }
    : { method: route.method, path, decode };
}

// Typed calls to the backend, one function per command.
import type {
  AppInfo,
  ExportRequest,
  LiveRunRequest,
  RunEvent,
  BatchRequest,
  RunTestsRequest,
  TestSuite,
  WorkflowFile,
  Workspace,
} from "../generated/api";
import { transport } from "./transport";

export type { AppInfo };

export const backend = {
  appInfo: () => transport().call("app_info", {}),
  catalog: () => transport().call("catalog", {}),
  listWorkflows: () => transport().call("list_workflows", {}),
  getWorkflow: (id: string) => transport().call("get_workflow", { id }),
  saveWorkflow: (file: WorkflowFile) => transport().call("save_workflow", { file }),
  deleteWorkflow: (id: string) => transport().call("delete_workflow", { id }),
  validateWorkflow: (file: WorkflowFile) => transport().call("validate_workflow", { file }),
  checkWorkflowText: (text: string) => transport().call("check_workflow_text", { text }),
  listTemplates: () => transport().call("list_templates", {}),
  getTemplate: (id: string) => transport().call("get_template", { id }),
  getWorkspace: () => transport().call("get_workspace", {}),
  saveWorkspace: (settings: Workspace) => transport().call("save_workspace", { settings }),
  listSecrets: () => transport().call("list_secrets", {}),
  setSecret: (name: string, value: string) => transport().call("set_secret", { name, value }),
  deleteSecret: (name: string) => transport().call("delete_secret", { name }),
  /** Runs a workflow, calling `onEvent` as it goes; resolves with the outcome at the end. */
  runLive: (request: LiveRunRequest, onEvent: (event: RunEvent) => void) =>
    transport().stream("run_live", { request }, onEvent),
  cancelRun: (id: string) => transport().call("cancel_run", { id }),
  getTests: (id: string) => transport().call("get_tests", { id }),
  saveTests: (id: string, suite: TestSuite) => transport().call("save_tests", { id, suite }),
  /** All cases of the saved suite by default; `request` may carry drafts and case names. */
  runTests: (id: string, request: RunTestsRequest = {}) =>
    transport().call("run_tests", { id, request }),
  runBatch: (id: string, request: BatchRequest) => transport().call("run_batch", { id, request }),
};

/**
 * In the desktop app: asks where to save an export (native dialog) and writes it; the path
 * written, or null when the user cancelled. `undefined` in a browser, which downloads instead.
 */
export async function saveExportNatively(
  request: ExportRequest,
): Promise<string | null | undefined> {
  const t = transport();
  if (t.kind !== "tauri") return undefined;
  return t.call("save_export", { request });
}

/**
 * Tells the desktop shell that the first screen shows `shownVersion`. The shell uses it for its
 * smoke check (SWITCHYARD_SMOKE_EXIT=1) and ignores it otherwise; there is nothing to tell in a browser.
 */
export async function reportUiReady(shownVersion: string): Promise<void> {
  const t = transport();
  if (t.kind !== "tauri") return;
  await t.call("ui_ready", { shownVersion });
}

import { describe, expect, it } from "vitest";

import { HTTP_ROUTES } from "./commands";
import {
  detectTransport,
  httpTransport,
  toTransportError,
  TransportError,
  type Fetch,
} from "./transport";

describe("detectTransport", () => {
  it("picks Tauri IPC when the webview injected its internals", () => {
    expect(detectTransport({ __TAURI_INTERNALS__: { invoke: () => undefined } })).toBe("tauri");
  });

  it("picks HTTP in a plain browser or outside one", () => {
    expect(detectTransport({})).toBe("http");
    expect(detectTransport({ __TAURI_INTERNALS__: undefined })).toBe("http");
    expect(detectTransport({ __TAURI_INTERNALS__: null })).toBe("http");
    expect(detectTransport(undefined)).toBe("http");
  });

  it("picks HTTP when run by the test runner itself", () => {
    expect(detectTransport(globalThis)).toBe("http");
  });
});

describe("toTransportError", () => {
  it("keeps the code of a structured error from a command", () => {
    const error = toTransportError({ code: "workflow_not_found", message: "No such workflow" });
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe("workflow_not_found");
    expect(error.message).toBe("No such workflow");
  });

  it("wraps plain strings and unknown values as ipc_error", () => {
    expect(toTransportError("boom").code).toBe("ipc_error");
    expect(toTransportError("boom").message).toBe("boom");
    expect(toTransportError({ message: "bad" }).message).toBe("bad");
  });
});

describe("httpTransport", () => {
  type Seen = { url: string; method: string; body?: string | undefined };
  function fakeFetch(status: number, body: string, seen: Seen[]): Fetch {
    return (url, init) => {
      seen.push({ url, method: init.method, body: init.body });
      return Promise.resolve({ ok: status < 400, status, text: () => Promise.resolve(body) });
    };
  }
  const file = { schema_version: 1, id: "lead-processing", name: "Leads" };

  it("maps each command to its REST call", async () => {
    const seen: Seen[] = [];
    const t = httpTransport(fakeFetch(200, "[]", seen));
    await t.call("catalog", {});
    await t.call("list_workflows", {});
    await t.call("get_workflow", { id: "a b" });
    await t.call("save_workflow", { file });
    await t.call("delete_workflow", { id: "x" });
    await t.call("validate_workflow", { file });
    await t.call("check_workflow_text", { text: "{}" });
    await t.call("list_templates", {});
    await t.call("get_template", { id: "lead-processing" });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      "GET /api/catalog",
      "GET /api/workflows",
      "GET /api/workflows/a%20b/file",
      "PUT /api/workflows/lead-processing/file",
      "DELETE /api/workflows/x",
      "POST /api/validate",
      "POST /api/workflows/check",
      "GET /api/templates",
      "GET /api/templates/lead-processing",
    ]);
    expect(JSON.parse(seen[3]!.body!)).toEqual(file);
    expect(JSON.parse(seen[6]!.body!)).toEqual({ text: "{}" });
    expect(seen[0]!.body).toBeUndefined();
  });

  it("maps the settings commands, sending a secret's value only in the body", async () => {
    const seen: Seen[] = [];
    const t = httpTransport(fakeFetch(200, "{}", seen));
    const settings = { schema_version: 1, network: { allow_private_networks: true } };
    await t.call("get_workspace", {});
    await t.call("save_workspace", { settings });
    await t.call("list_secrets", {});
    await t.call("set_secret", { name: "SMTP/PASS", value: "hunter2" });
    await t.call("delete_secret", { name: "OPENAI_API_KEY" });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      "GET /api/workspace",
      "PUT /api/workspace",
      "GET /api/secrets",
      "PUT /api/secrets/SMTP%2FPASS",
      "DELETE /api/secrets/OPENAI_API_KEY",
    ]);
    expect(JSON.parse(seen[1]!.body!)).toEqual(settings);
    expect(JSON.parse(seen[3]!.body!)).toEqual({ value: "hunter2" });
    expect(seen[3]!.url).not.toContain("hunter2");
    expect(seen[4]!.body).toBeUndefined();
  });

  it("returns null for an empty answer (delete)", async () => {
    const t = httpTransport(fakeFetch(204, "", []));
    await expect(t.call("delete_workflow", { id: "x" })).resolves.toBeNull();
  });

  it("turns {code, message} error bodies into TransportErrors", async () => {
    const t = httpTransport(
      fakeFetch(404, '{"code":"workflow_not_found","message":"No workflow x"}', []),
    );
    await expect(t.call("get_workflow", { id: "x" })).rejects.toMatchObject({
      code: "workflow_not_found",
      message: "No workflow x",
    });
  });

  it("names the status when the error body is not structured", async () => {
    const t = httpTransport(fakeFetch(502, "Bad gateway", []));
    await expect(t.call("catalog", {})).rejects.toMatchObject({ code: "http_502" });
  });

  it("reports network failures and desktop-only commands", async () => {
    const down = httpTransport(() => Promise.reject(new Error("refused")));
    await expect(down.call("catalog", {})).rejects.toMatchObject({ code: "network_error" });
    const t = httpTransport(fakeFetch(200, "null", []));
    await expect(t.call("ui_ready", { shownVersion: "1" })).rejects.toMatchObject({
      code: "desktop_only",
    });
  });
});

describe("the command table", () => {
  it("has an HTTP route for every command but the desktop-only ones", () => {
    const desktopOnly = Object.entries(HTTP_ROUTES)
      .filter(([, route]) => route === null)
      .map(([name]) => name);
    expect(desktopOnly).toEqual(["ui_ready", "save_export"]);
  });
});

describe("streaming commands over HTTP", () => {
  const ndjson = (chunks: string[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        const enc = new TextEncoder();
        for (const c of chunks) controller.enqueue(enc.encode(c));
        controller.close();
      },
    });

  it("passes each event as its line completes, then resolves with the result", async () => {
    const seen: unknown[] = [];
    let request: { url: string; body?: string } | undefined;
    const fetchFn: Fetch = (url, init) => {
      request = { url, ...(init.body !== undefined ? { body: init.body } : {}) };
      return Promise.resolve({
        ok: true,
        status: 200,
        text: () => Promise.resolve(""),
        // A line split across chunks, two lines in one chunk, a blank line.
        body: ndjson([
          '{"type":"event","event":{"type":"run_st',
          'arted","run_id":"r1"}}\n{"type":"event","event":{"type":"node_started","node":"a"}}\n\n',
          '{"type":"done","result":{"run_id":"r1"}}\n',
        ]),
      });
    };
    const t = httpTransport(fetchFn, "http://x");
    const result = await t.stream(
      "run_live",
      { request: { workflow_id: "w", event: {}, test_mode: true, vars: {} } },
      (e) => seen.push(e),
    );
    expect(request?.url).toBe("http://x/api/runs/live");
    expect(JSON.parse(request?.body ?? "{}")).toMatchObject({ workflow_id: "w", test_mode: true });
    expect(seen).toEqual([
      { type: "run_started", run_id: "r1" },
      { type: "node_started", node: "a" },
    ]);
    expect(result).toEqual({ run_id: "r1" });
  });

  it("rejects with the server's code when the last line is an error", async () => {
    const fetchFn: Fetch = () =>
      Promise.resolve({
        ok: true,
        status: 200,
        text: () => Promise.resolve(""),
        body: ndjson(['{"type":"error","code":"invalid_workflow","message":"fix it"}\n']),
      });
    const err = await httpTransport(fetchFn)
      .stream(
        "run_live",
        { request: { workflow_id: "w", event: {}, vars: {}, test_mode: true } },
        () => {},
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe("invalid_workflow");
    expect((err as TransportError).message).toBe("fix it");
  });

  it("says the connection was lost when the stream ends without an answer", async () => {
    const fetchFn: Fetch = () =>
      Promise.resolve({
        ok: true,
        status: 200,
        text: () => Promise.resolve(""),
        body: ndjson(['{"type":"event","event":{"type":"node_started","node":"a"}}\n']),
      });
    const err = await httpTransport(fetchFn)
      .stream(
        "run_live",
        { request: { workflow_id: "w", event: {}, vars: {}, test_mode: true } },
        () => {},
      )
      .catch((e: unknown) => e);
    expect((err as TransportError).code).toBe("connection_lost");
  });
});

import { describe, expect, it } from "vitest";

import { detectTransport, toTransportError, TransportError } from "./transport";

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

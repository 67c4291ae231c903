// The one module that imports `@tauri-apps/api`. Everything else calls the backend through
// `transport()`, so the same UI runs in the desktop shell (Tauri IPC) and in a browser
// (`switchyard serve`, HTTP API — not there yet).
import { invoke } from "@tauri-apps/api/core";

export type TransportKind = "tauri" | "http";

/** A failed call. The UI branches on `code`, never on `message`. */
export class TransportError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "TransportError";
    this.code = code;
  }
}

export interface Transport {
  readonly kind: TransportKind;
  call<T>(command: string, args?: Record<string, unknown>): Promise<T>;
}

/**
 * Decides where the UI runs from its global object: Tauri's webview injects
 * `__TAURI_INTERNALS__` before any page script runs; a plain browser has no such thing.
 */
export function detectTransport(globals: object | undefined): TransportKind {
  if (typeof globals !== "object" || globals === null) return "http";
  const internals: unknown = (globals as Record<string, unknown>)["__TAURI_INTERNALS__"];
  return typeof internals === "object" && internals !== null ? "tauri" : "http";
}

const tauriTransport: Transport = {
  kind: "tauri",
  async call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return await invoke<T>(command, args);
    } catch (error) {
      throw toTransportError(error);
    }
  },
};

const httpTransport: Transport = {
  kind: "http",
  call<T>(command: string): Promise<T> {
    return Promise.reject(
      new TransportError(
        "http_api_unavailable",
        `The browser version cannot reach the Switchyard server yet (tried "${command}").`,
      ),
    );
  },
};

let current: Transport | undefined;

/** The transport for this page, chosen once. */
export function transport(): Transport {
  current ??= detectTransport(globalThis) === "tauri" ? tauriTransport : httpTransport;
  return current;
}

/** Turns whatever a Tauri command rejected with into a `TransportError`. */
export function toTransportError(error: unknown): TransportError {
  if (error instanceof TransportError) return error;
  if (typeof error === "object" && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code === "string" && typeof message === "string") {
      return new TransportError(code, message);
    }
    if (typeof message === "string") return new TransportError("ipc_error", message);
  }
  return new TransportError("ipc_error", String(error));
}

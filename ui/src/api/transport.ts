// The one module that imports `@tauri-apps/api`. Everything else calls the backend through
// `transport()`, so the same UI runs in the desktop shell (Tauri IPC) and in a browser served
// by `switchyard serve` (HTTP, same origin). Both read the command table in ./commands.
import { Channel, invoke } from "@tauri-apps/api/core";

import {
  httpRequestFor,
  STREAM_ROUTES,
  type ArgsOf,
  type CommandName,
  type ResultOf,
  type StreamCommands,
  type StreamName,
} from "./commands";

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
  call<C extends CommandName>(command: C, args: ArgsOf<C>): Promise<ResultOf<C>>;
  /** Calls a streaming command: `onEvent` for each event as it comes, then the answer. */
  stream<C extends StreamName>(
    command: C,
    args: StreamCommands[C]["args"],
    onEvent: (event: StreamCommands[C]["event"]) => void,
  ): Promise<StreamCommands[C]["result"]>;
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
  async call<C extends CommandName>(command: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
    try {
      return await invoke<ResultOf<C>>(command, args as Record<string, unknown>);
    } catch (error) {
      throw toTransportError(error);
    }
  },
  async stream(command, args, onEvent) {
    const channel = new Channel<never>();
    channel.onmessage = onEvent;
    try {
      return await invoke(command, { ...(args as Record<string, unknown>), onEvent: channel });
    } catch (error) {
      throw toTransportError(error);
    }
  },
};

/** What the HTTP transport needs from `fetch`; injectable for tests. */
export type Fetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{
  ok: boolean;
  status: number;
  text(): Promise<string>;
  /** The body as it arrives (streaming commands). */
  body?: ReadableStream<Uint8Array> | null;
}>;

/** Calls `switchyard serve`'s JSON API at `base` (empty: the page's own origin). */
export function httpTransport(fetchFn: Fetch, base = ""): Transport {
  return {
    kind: "http",
    async call<C extends CommandName>(command: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
      const request = httpRequestFor(command, args);
      if (!request) {
        throw new TransportError(
          "desktop_only",
          `"${command}" is only available in the desktop app.`,
        );
      }
      const headers: Record<string, string> = { Accept: "application/json" };
      if (request.body !== undefined) headers["Content-Type"] = "application/json";
      let response: Awaited<ReturnType<Fetch>>;
      try {
        response = await fetchFn(base + request.path, {
          method: request.method,
          headers,
          ...(request.body !== undefined ? { body: request.body } : {}),
        });
      } catch (error) {
        throw new TransportError(
          "network_error",
          `Could not reach the Switchyard server: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      const text = await response.text();
      if (!response.ok) throw httpError(response.status, text);
      if (text.trim() === "") return request.decode(null);
      try {
        return request.decode(JSON.parse(text) as unknown);
      } catch {
        throw new TransportError(
          "invalid_response",
          "The server answered with something that is not JSON.",
        );
      }
    },
    async stream(command, args, onEvent) {
      const route = STREAM_ROUTES[command];
      let response: Awaited<ReturnType<Fetch>>;
      try {
        response = await fetchFn(base + route.path, {
          method: "POST",
          headers: { Accept: "application/x-ndjson", "Content-Type": "application/json" },
          body: JSON.stringify(route.body(args)),
        });
      } catch (error) {
        throw new TransportError(
          "network_error",
          `Could not reach the Switchyard server: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (!response.ok) throw httpError(response.status, await response.text());
      let answer: { result: unknown } | undefined;
      let failure: TransportError | undefined;
      const onLine = (line: unknown) => {
        const l = line as { type?: unknown; event?: unknown; result?: unknown };
        if (l.type === "event") onEvent(l.event as never);
        else if (l.type === "done") answer = { result: l.result };
        else if (l.type === "error") failure = httpError(200, JSON.stringify(line));
      };
      if (response.body) await readJsonLines(response.body, onLine);
      else for (const line of splitJsonLines(await response.text())) onLine(line);
      if (failure) throw failure;
      if (!answer) {
        throw new TransportError("connection_lost", "The connection closed before the run ended.");
      }
      return answer.result as never;
    },
  };
}

/** Parses newline-delimited JSON text (blank lines skipped). */
export function splitJsonLines(text: string): unknown[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as unknown);
}

/** Reads newline-delimited JSON from a byte stream, calling `onLine` as each line completes. */
export async function readJsonLines(
  body: ReadableStream<Uint8Array>,
  onLine: (line: unknown) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pending = "";
  for (;;) {
    const { done, value } = await reader.read();
    pending += done ? decoder.decode() : decoder.decode(value, { stream: true });
    let end;
    while ((end = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      if (line.trim() !== "") onLine(JSON.parse(line) as unknown);
    }
    if (done) break;
  }
  if (pending.trim() !== "") onLine(JSON.parse(pending) as unknown);
}

/** An HTTP error answer: `{"code","message"}` when the server says what went wrong. */
export function httpError(status: number, body: string): TransportError {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null) {
      const { code, message } = parsed as { code?: unknown; message?: unknown };
      if (typeof code === "string" && typeof message === "string") {
        return new TransportError(code, message);
      }
    }
  } catch {
    // Not JSON: fall through to a generic error.
  }
  const detail = body.trim().slice(0, 200);
  return new TransportError(
    `http_${status}`,
    `The server answered ${status}${detail ? `: ${detail}` : ""}.`,
  );
}

let current: Transport | undefined;

/** The transport for this page, chosen once. */
export function transport(): Transport {
  current ??=
    detectTransport(globalThis) === "tauri"
      ? tauriTransport
      : httpTransport((url, init) => globalThis.fetch(url, init));
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

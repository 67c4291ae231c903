// What both browser e2e tests need: the repository root, the `switchyard` binary under test,
// and `switchyard serve` started on given folders (serving the built UI), on a free port.
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const bin =
  process.env.SWITCHYARD_BIN ??
  join(process.env.CARGO_TARGET_DIR ?? join(root, "target"), "debug", "switchyard");

/** The secrets' master key for the server under test (never the keychain of the machine). */
export const MASTER_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/** Starts `serve`; resolves with the process and its address once it listens. */
export function startServe(workflows, data) {
  const server = spawn(
    bin,
    [
      "serve",
      "--workflows",
      workflows,
      "--data-dir",
      data,
      "--listen",
      "127.0.0.1:0",
      "--ui",
      join(root, "ui", "dist"),
      "--durability",
      "normal",
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, SWITCHYARD_MASTER_KEY: MASTER_KEY, SWITCHYARD_KEYCHAIN: "off" },
    },
  );
  let output = "";
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`serve did not start:\n${output}`)), 30_000);
    const onData = (chunk) => {
      output += chunk;
      const m = /http:\/\/(127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        ok({ server, base: `http://${m[1]}` });
      }
    };
    server.stdout.on("data", onData);
    server.stderr.on("data", onData);
    server.on("exit", (code) => fail(new Error(`serve exited with ${code}:\n${output}`)));
  });
}

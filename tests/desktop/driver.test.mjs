// Desktop end-to-end test: the real Tauri window (WebKitGTK) driven through tauri-driver over
// the W3C WebDriver protocol (plain HTTP, no client library). It opens the app as a user would,
// opens "Lead processing" from the workflow list and checks that the canvas shows exactly the
// file's nodes and notes; and that the engine the app owns answers webhooks on localhost.
// (WebKitWebDriver kills the app when a session ends, so the clean stop on exit is checked by
// tests/desktop/smoke.sh, where the app exits by itself.)
//
// Run under X (the Makefile wraps it in xvfb-run):
//   node --test tests/desktop/driver.test.mjs
// Env: SWITCHYARD_DESKTOP_BIN (the app, built with the UI embedded), TAURI_DRIVER (default
//      `tauri-driver` on PATH), DESKTOP_SCREENSHOTS (a folder to write screenshots to).
import { spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bin = resolve(
  process.env.SWITCHYARD_DESKTOP_BIN ??
    join(
      process.env.CARGO_TARGET_DIR ?? join(root, "target"),
      "debug",
      "switchyard-desktop",
    ),
);
const shots = process.env.DESKTOP_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });

const TEMPLATES = [
  "lead-processing.json",
  "content-pipeline.json",
  "order-followup.json",
];
const work = mkdtempSync(join(tmpdir(), "switchyard-desktop-"));
let driver;
const driverLogPath = join(work, "tauri-driver.log");
const driverLog = () =>
  existsSync(driverLogPath) ? readFileSync(driverLogPath, "utf8") : "";
let webdriver; // base URL of tauri-driver
let session; // base URL of the session

/** A free TCP port on 127.0.0.1 (the OS picks it). */
function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Polls `check` until it returns something truthy, or fails with `what` after `ms`. */
async function until(what, check, ms = 20_000) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${ms} ms waiting for ${what} (last: ${String(last)})`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One WebDriver call; returns `value` or throws the WebDriver error. */
async function wd(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = await response.json();
  if (!response.ok) {
    const v = answer.value ?? {};
    throw new Error(
      `${method} ${url}: ${v.error ?? response.status}: ${v.message ?? ""}`,
    );
  }
  return answer.value;
}

/** Runs a function body in the page and returns its result. */
const script = (body, ...args) =>
  wd("POST", `${session}/execute/sync`, { script: body, args });

async function shot(name) {
  if (!shots) return;
  // Let the page paint what the test has just seen in the DOM.
  await wd("POST", `${session}/execute/async`, {
    script:
      "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
    args: [],
  });
  const png = await wd("GET", `${session}/screenshot`);
  writeFileSync(join(shots, `${name}.png`), Buffer.from(png, "base64"));
}

/** Clicks the first element matching `css`. */
async function click(css) {
  const el = await wd("POST", `${session}/element`, {
    using: "css selector",
    value: css,
  });
  const id = el["element-6066-11e4-a52e-4a4a0a0a0a0a"] ?? Object.values(el)[0];
  await wd("POST", `${session}/element/${id}/click`, {});
}

before(async () => {
  mkdirSync(join(work, "workflows"));
  for (const name of TEMPLATES) {
    cpSync(join(root, "workflows", name), join(work, "workflows", name));
  }
  const port = await freePort();
  const nativePort = await freePort();
  webdriver = `http://127.0.0.1:${port}`;
  const log = openSync(driverLogPath, "a");
  driver = spawn(
    process.env.TAURI_DRIVER ?? "tauri-driver",
    ["--port", String(port), "--native-port", String(nativePort)],
    {
      // A process group of its own, so that `after` can end the driver and the app it started.
      detached: true,
      stdio: ["ignore", log, log],
      // The app inherits this environment: its own data and workflows, any free port.
      env: {
        ...process.env,
        SWITCHYARD_DATA_DIR: join(work, "data"),
        SWITCHYARD_WORKFLOWS_DIR: join(work, "workflows"),
        SWITCHYARD_LISTEN: "127.0.0.1:0",
      },
    },
  );
  let spawnError;
  driver.on("error", (e) => (spawnError = e));
  await until("tauri-driver to listen", async () => {
    if (spawnError)
      throw new Error(`cannot start tauri-driver: ${spawnError.message}`);
    if (driver.exitCode !== null)
      throw new Error(`tauri-driver stopped:\n${driverLog()}`);
    return (await fetch(`${webdriver}/status`)).ok;
  });
  const created = await wd("POST", `${webdriver}/session`, {
    capabilities: {
      alwaysMatch: {
        browserName: "wry",
        "tauri:options": { application: bin },
      },
    },
  });
  session = `${webdriver}/session/${created.sessionId}`;
});

after(async () => {
  if (session) await wd("DELETE", session).catch(() => {});
  if (driver?.pid && driver.exitCode === null) {
    try {
      process.kill(-driver.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  rmSync(work, { recursive: true, force: true });
});

test("the workflow list shows the files, and the app serves their webhooks", async () => {
  await until("the workflow list", () =>
    script(
      `return document.querySelector('[data-testid="workflow-lead-processing"]') !== null`,
    ),
  ).catch(async (error) => {
    const page = await script(
      `return location.href + "\\n" + document.body.innerText`,
    ).catch((e) => String(e));
    throw new Error(
      `${error.message}\n-- page --\n${page}\n-- tauri-driver --\n${driverLog()}`,
    );
  });
  const cards = await script(
    `return [...document.querySelectorAll('[data-testid^="workflow-"] .wf-card__name')].map(e => e.textContent)`,
  );
  const names = TEMPLATES.map(
    (f) => JSON.parse(readFileSync(join(work, "workflows", f), "utf8")).name,
  );
  assert.deepEqual(cards.sort(), names.sort());
  const serverUrl = await until("the server address on the home screen", () =>
    script(
      `return document.querySelector('[data-testid="server-url"]')?.textContent`,
    ),
  );
  assert.match(serverUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  await shot("desktop-workflow-list");

  // The engine runs in the app: a webhook is stored and acknowledged like `switchyard serve` does.
  const health = await (await fetch(`${serverUrl}/api/health`)).json();
  assert.equal(health.status, "ok");
  assert.equal(health.workflows, 3);
  const lead = readFileSync(
    join(root, "tests/fixtures/events/hot-lead.json"),
    "utf8",
  );
  const accepted = await fetch(`${serverUrl}/hooks/lead-form`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: lead,
  });
  assert.equal(accepted.status, 202);
  const { event_id } = await accepted.json();
  const stored = await fetch(`${serverUrl}/api/events/${event_id}`);
  assert.equal(stored.status, 200);
});

test("opening Lead processing shows every node and note of the file on the canvas", async () => {
  const file = JSON.parse(
    readFileSync(join(work, "workflows", "lead-processing.json"), "utf8"),
  );
  await click('[data-testid="workflow-lead-processing"] .wf-card__open');
  // React Flow keeps nodes hidden until it has measured them.
  const visible = (type) =>
    script(
      `return [...document.querySelectorAll('.react-flow__node-${type}')]
         .filter(n => getComputedStyle(n).visibility !== 'hidden')
         .map(n => n.getAttribute('data-id'))`,
    );
  const steps = await until(
    `${file.nodes.length} nodes on the canvas`,
    async () => {
      const ids = await visible("step");
      return ids.length === file.nodes.length ? ids : false;
    },
  );
  assert.deepEqual(steps.sort(), file.nodes.map((n) => n.id).sort());
  const notes = await visible("note");
  assert.equal(notes.length, file.notes.length);
  await shot("desktop-editor");
});

test("a test run from the editor goes through the desktop shell and shows the hot path", async () => {
  // The editor of Lead processing is open (previous test). Run it on the trigger's sample.
  await click('[data-testid="open-run"]');
  await until("the run panel", () =>
    script(`return document.querySelector('[data-testid="run-start"]') !== null`),
  );
  await click('[data-testid="run-start"]');
  const summary = await until("the run to end", async () => {
    const text = await script(
      `return document.querySelector('[data-testid="run-status"]')?.textContent ?? ""`,
    );
    return /Succeeded|Failed|Cancelled/.test(text) ? text : false;
  });
  assert.match(summary, /Succeeded/);
  const status = (id) =>
    script(
      `return document.querySelector('[data-testid="node-${id}"]')?.getAttribute('data-run-status')`,
    );
  assert.equal(await status("crm"), "succeeded");
  assert.equal(await status("nurture"), "skipped");
  await shot("desktop-test-run");
});

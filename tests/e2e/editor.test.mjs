// Browser end-to-end test of the editor against the real `switchyard serve`:
// new from the lead template, drag a node from the palette, see a diagnostic appear, connect the
// node and fill its form, see the diagnostic go, save, reload, and compare the file on disk.
//
//   node --test tests/e2e/editor.test.mjs
// Env: SWITCHYARD_BIN (default target/debug/switchyard, or $CARGO_TARGET_DIR/debug/switchyard),
//      CHROMIUM (default /usr/bin/chromium), E2E_SCREENSHOTS (a folder to write screenshots to).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import { chromium } from "playwright-core";

import { root, startServe } from "./serve.mjs";

const shots = process.env.E2E_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });


let server;
let browser;
let page;
let base;
let work;
const consoleErrors = [];

async function startServer() {
  work = mkdtempSync(join(tmpdir(), "switchyard-e2e-"));
  mkdirSync(join(work, "workflows"));
  writeFileSync(join(work, "workflows", "big.json"), JSON.stringify(bigWorkflow(500)));
  const started = await startServe(join(work, "workflows"), join(work, "data"));
  server = started.server;
  return started.base;
}

const shot = async (name) => shots && page.screenshot({ path: join(shots, `${name}.png`) });

/** Drags from the centre of one element to the centre of another with real mouse moves. */
/** A workflow of `n` nodes in columns of 20, each fed by the one to its left. */
function bigWorkflow(n) {
  const nodes = [
    {
      id: "start",
      kind: "manual_trigger",
      name: "Start",
      params: { sample: { email: "a@example.com" } },
      position: { x: 0, y: 0 },
    },
  ];
  const edges = [];
  for (let i = 1; i < n; i++) {
    const col = Math.floor((i - 1) / 20) + 1;
    nodes.push({
      id: `n${i}`,
      kind: "set",
      name: `Step ${i}`,
      params: { fields: { x: `{{ event.email }} ${i}` } },
      position: { x: col * 260, y: ((i - 1) % 20) * 100 },
    });
    edges.push({
      from: col === 1 ? "start" : `n${i - 20}`,
      from_port: "out",
      to: `n${i}`,
      to_port: "in",
    });
  }
  return { schema_version: 1, id: "big", name: `Big (${n} nodes)`, nodes, edges };
}

async function drag(from, to) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 10 });
  await page.mouse.up();
}

before(async () => {
  base = await startServer();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("pageerror", (e) => consoleErrors.push(e.message));
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  if (work) rmSync(work, { recursive: true, force: true });
});

test("build the lead flow from the template, change it, save it, reload it", async () => {
  await page.goto(base);
  await page.getByTestId("workflow-big").waitFor();

  await page.getByTestId("new-workflow").click();
  await page.getByTestId("template-lead-processing").click();
  await page.getByTestId("new-workflow-name").fill("Leads e2e");
  await shot("new-from-template");
  const started = Date.now();
  await page.getByTestId("create-workflow").click();
  await page.getByTestId("node-classify").waitFor({ state: "visible" });
  await page.getByTestId("problems-summary").filter({ hasText: "No problems" }).waitFor();
  const steps = await page.locator(".step").count();
  console.log(`load-to-interactive (lead template, ${steps} steps): ${Date.now() - started} ms`);

  // Drag a Log node from the palette: unconnected, it is unreachable (a warning on the node).
  const pane = page.locator(".react-flow__pane");
  const box = await pane.boundingBox();
  await page.getByTestId("palette-log").hover();
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.8, {
    steps: 10,
  });
  await page.mouse.up();
  // Chromium turns these mouse moves into HTML5 drag and drop; the node lands where dropped.
  await page.getByTestId("node-log_1").waitFor({ state: "visible", timeout: 5_000 });
  await page.getByTestId("node-log_1").waitFor({ state: "visible" });
  await page.getByTestId("badge-log_1").waitFor();
  await shot("diagnostic-on-node");

  // Connect nurture -> log_1: the problem about it not being connected goes away.
  const badge = page.getByTestId("badge-log_1");
  const unconnected = () =>
    badge.getAttribute("title").then((t) => /connected|reach|never run/i.test(t ?? ""));
  assert.ok(await unconnected(), "an unconnected node is reported");
  await drag(
    page.locator('[data-testid=node-nurture] .react-flow__handle[data-handleid="out"]'),
    page.locator('[data-testid=node-log_1] .react-flow__handle[data-handleid="in"]'),
  );
  await page.waitForFunction(
    () =>
      !/connected|reach|never run/i.test(
        document.querySelector("[data-testid=badge-log_1]")?.getAttribute("title") ?? "",
      ),
  );

  // Fill its form: the last problem (its required message) goes away too.
  await page.getByTestId("node-log_1").click();
  const message = page.locator(
    "[data-testid=field-message] input, [data-testid=field-message] textarea",
  );
  await message.fill("Nurturing {{ nodes.normalise.email }}");
  await page.getByTestId("step-name").fill("Note the nurture");
  await badge.waitFor({ state: "detached" });
  await page.getByTestId("problems-summary").filter({ hasText: "No problems" }).waitFor();
  await shot("settings-form");

  // Save with the keyboard and compare the file on disk.
  await pane.click({ position: { x: 10, y: 10 } });
  await page.keyboard.press("Control+s");
  await page.getByTestId("save-status").filter({ hasText: "All changes saved" }).waitFor();
  const onDisk = JSON.parse(readFileSync(join(work, "workflows", "leads-e2e.json"), "utf8"));
  const log = onDisk.nodes.find((n) => n.id === "log_1");
  assert.equal(onDisk.name, "Leads e2e");
  assert.equal(log.name, "Note the nurture");
  assert.equal(log.params.message, "Nurturing {{ nodes.normalise.email }}");
  assert.ok(
    onDisk.edges.some((e) => e.from === "nurture" && e.from_port === "out" && e.to === "log_1"),
  );
  assert.equal(onDisk.nodes.length, steps + 1);

  // Reload: the list shows it; opening it shows the same graph.
  await page.reload();
  await page.getByTestId("workflow-leads-e2e").waitFor();
  await shot("home-list");
  await page.locator("[data-testid=workflow-leads-e2e] .wf-card__open").click();
  await page.getByTestId("node-log_1").waitFor({ state: "visible" });
  assert.equal(await page.locator(".react-flow__node").count(), steps + 1 + onDisk.notes.length);
  assert.equal(await page.locator(".react-flow__edge").count(), onDisk.edges.length);
  await shot("editor");

  const unexpected = consoleErrors.filter((e) => !/Failed to load resource/.test(e));
  assert.deepEqual(unexpected, []);
});

test("a 500-node workflow opens and stays responsive", async () => {
  await page.getByTestId("back-home").click();
  await page.getByTestId("workflow-big").waitFor();
  const started = Date.now();
  await page.locator("[data-testid=workflow-big] .wf-card__open").click();
  await page.getByTestId("node-n499").waitFor({ state: "visible" });
  const loaded = Date.now() - started;
  await page.getByTestId("node-n1").click();
  await page.getByTestId("step-name").waitFor();
  const selected = Date.now() - started - loaded;
  const typing = Date.now();
  await page.getByTestId("step-name").pressSequentially("abcdefghij");
  const perKey = (Date.now() - typing) / 10;
  console.log(
    `500 nodes: load-to-interactive ${loaded} ms, select ${selected} ms, ${perKey.toFixed(0)} ms per keystroke`,
  );
  assert.equal(await page.locator(".react-flow__node").count(), 500);
  await page.keyboard.press("Control+s");
  await page.getByTestId("save-status").filter({ hasText: "All changes saved" }).waitFor();
  await shot("big");
});

test("settings: a secret, a database, the network policy, and a secret picked in a node form", async () => {
  const workspaceFile = () =>
    JSON.parse(readFileSync(join(work, "workflows", "workspace.json"), "utf8"));
  writeFileSync(
    join(work, "workflows", "hook.json"),
    JSON.stringify({
      schema_version: 1,
      id: "hook",
      name: "Signed hook",
      nodes: [
        {
          id: "hook",
          kind: "webhook_trigger",
          name: "Hook",
          params: { path: "signed", secret: "HOOK_KEY" },
          position: { x: 0, y: 0 },
        },
      ],
      edges: [],
    }),
  );
  await page.goto(base);
  await page.getByTestId("open-settings").click();

  // Secrets: empty at first; a stored value is never shown again.
  await page.getByTestId("settings-tab-secrets").click();
  await page.getByTestId("secrets-empty").waitFor();
  await page.getByTestId("add-secret").click();
  await page.getByPlaceholder("OPENAI_API_KEY").fill("HOOK_KEY");
  await page.getByTestId("secret-value").fill("whsec-e2e-value");
  await page.getByRole("button", { name: "Store secret" }).click();
  await page.getByTestId("secret-HOOK_KEY").waitFor();
  assert.match(await page.getByTestId("key-source").textContent(), /SWITCHYARD_MASTER_KEY/);
  assert.ok(!(await page.content()).includes("whsec-e2e-value"));
  await shot("settings-secrets");

  // Connections: a password in a database address is refused before saving; a plain one is saved.
  await page.getByTestId("settings-tab-connections").click();
  await page.getByTestId("conn-builtin").waitFor();
  await page.getByRole("button", { name: "Add a database" }).click();
  const form = page.getByTestId("database-form");
  await form.getByLabel("Short name").fill("shop");
  await form.getByLabel("Address", { exact: true }).fill("postgres://app:pw@db/shop");
  await form.getByRole("button", { name: "Save" }).click();
  await form.getByText("This address contains a password").waitFor();
  await form.getByLabel("Address", { exact: true }).fill("sqlite:data/shop.db");
  await form.getByRole("button", { name: "Save" }).click();
  await page.getByTestId("conn-databases-shop").waitFor();
  assert.deepEqual(workspaceFile().databases, [
    { id: "shop", url: "sqlite:data/shop.db", max_connections: 4 },
  ]);

  // Network: the switch is saved to workspace.json.
  await page.getByTestId("settings-tab-network").click();
  await page.getByTestId("allow-private").click();
  await page.getByTestId("save-network").click();
  await page.getByTestId("save-network").and(page.locator(":disabled")).waitFor();
  assert.equal(workspaceFile().network.allow_private_networks, true);
  await shot("settings-network");

  // A broken workspace.json on disk is reported above the settings still in use.
  writeFileSync(join(work, "workflows", "workspace.json"), '{ "netwrk": {} }');
  await page.getByTestId("settings-back").click();
  await page.getByTestId("open-settings").click();
  await page.getByTestId("workspace-error").filter({ hasText: "netwrk" }).waitFor();
  await page.getByTestId("conn-databases-shop").waitFor();

  // The webhook's signing secret picks from the stored secrets.
  await page.getByTestId("settings-back").click();
  await page.locator("[data-testid=workflow-hook] .wf-card__open").click();
  await page.getByTestId("node-hook").click();
  const picker = page.getByTestId("picker-secret");
  assert.equal(await picker.locator("select").inputValue(), "HOOK_KEY");
  assert.equal(await picker.getByTestId("picker-hint").count(), 0);
  await shot("settings-picker");

  const unexpected = consoleErrors.filter((e) => !/Failed to load resource/.test(e));
  assert.deepEqual(unexpected, []);
});

test("run the lead template on a hot lead in test mode: live path, node output, pinning", async () => {
  await page.goto(base);
  await page.getByTestId("new-workflow").click();
  await page.getByTestId("template-lead-processing").click();
  await page.getByTestId("new-workflow-name").fill("Leads run e2e");
  await page.getByTestId("create-workflow").click();
  await page.getByTestId("node-classify").waitFor({ state: "visible" });

  // The run panel starts from the trigger's sample: the hot lead.
  await page.getByTestId("open-run").click();
  const sample = JSON.parse(await page.getByTestId("sample-event").inputValue());
  assert.match(sample.message, /enterprise demo/);
  assert.equal(await page.getByTestId("test-mode").isChecked(), true);
  const started = Date.now();
  await page.getByTestId("run-start").click();
  await page.getByTestId("run-status").filter({ hasText: "Succeeded" }).waitFor();
  console.log(`test run of the lead template (not saved), click to result: ${Date.now() - started} ms`);
  await shot("run-hot-lead");

  // The hot path is highlighted; the other routes were skipped.
  const status = (id) => page.getByTestId(`node-${id}`).getAttribute("data-run-status");
  for (const id of ["lead_form", "normalise", "classify", "crm", "alert_sales", "wait", "follow_up"]) {
    assert.equal(await status(id), "succeeded", id);
  }
  for (const id of ["nurture", "cold_table", "save_cold", "crm_failed"]) {
    assert.equal(await status(id), "skipped", id);
  }
  const taken = await page.locator(".react-flow__edge.edge--taken").evaluateAll((els) =>
    els.map((e) => e.getAttribute("data-testid") ?? e.getAttribute("aria-label") ?? e.id),
  );
  assert.ok(taken.length >= 6, `taken edges: ${taken}`);
  assert.equal(await page.locator(".react-flow__edge.edge--idle").count() > 0, true);

  // The CRM step's result: its input is the classification, and test mode sent nothing.
  await page.getByTestId("node-crm").click();
  const result = page.getByTestId("node-result");
  await result.getByTestId("node-result-status").filter({ hasText: "Succeeded" }).waitFor();
  const input = JSON.parse(await result.getByTestId("node-result-input").innerText());
  assert.equal(input.label, "hot");
  await result.getByTestId("would-send").waitFor();
  const output = JSON.parse(await result.getByTestId("node-result-output").innerText());
  assert.equal(output.simulated, true);
  assert.match(JSON.stringify(output.would_send), /Analytical Engines/);
  await shot("run-node-output");

  // Pin the classification, then run a cold-sounding lead: the pinned sample decides the route.
  await page.getByTestId("node-classify").click();
  await page.getByTestId("pin-output").click();
  await page.getByTestId("pin-classify").waitFor();
  await page
    .getByTestId("sample-event")
    .fill(JSON.stringify({ ...sample, message: "just browsing, student project", budget: 0 }));
  await page.getByTestId("run-start").click();
  await page.getByTestId("run-status").filter({ hasText: "Succeeded" }).waitFor();
  assert.equal(await status("crm"), "succeeded");
  assert.equal(await status("cold_table"), "skipped");
  await page.getByTestId("node-classify").click();
  await page.locator("[data-testid=node-result] .run-chip--pinned").waitFor();
  await page.getByTestId("unpin").click();
  await page.getByTestId("pin-classify").waitFor({ state: "detached" });

  // Back to the hot lead; keep that run as a test case, and the case passes.
  await page.getByRole("button", { name: "Back to the trigger's sample" }).click();
  await page.getByTestId("run-start").click();
  await page.getByTestId("run-status").filter({ hasText: "Succeeded" }).waitFor();
  assert.equal(await status("crm"), "succeeded");
  await page.getByTestId("save-case").click();
  await page.locator(".dialog-backdrop input.input").fill("Hot lead reaches the CRM");
  await page.getByRole("button", { name: "Save the case" }).click();
  await page.getByTestId("case-Hot lead reaches the CRM").waitFor();
  const suite = JSON.parse(readFileSync(join(work, "workflows", "leads-run-e2e.tests.json"), "utf8"));
  assert.equal(suite.cases[0].expect.route.classify, "hot");
  await page.getByTestId("tests-run").click();
  await page.getByTestId("tests-summary").filter({ hasText: "1 passed, 0 failed" }).waitFor();
  await shot("test-cases");

  // Batch: 200 leads from a CSV, in test mode; the breakdown counts every row once.
  await page.getByTestId("run-tab-batch").click();
  await page.getByTestId("batch-file").setInputFiles(join(root, "tests", "fixtures", "leads-200.csv"));
  await page.getByTestId("batch-row-count").filter({ hasText: "200 rows" }).waitFor();
  const batchStarted = Date.now();
  await page.getByTestId("batch-run").click();
  await page.getByTestId("batch-summary").filter({ hasText: /^200 rows/ }).waitFor({ timeout: 120_000 });
  await page.getByTestId("batch-progress").waitFor({ state: "detached" });
  console.log(`batch test of 200 leads in the browser: ${Date.now() - batchStarted} ms`);
  const counts = Object.fromEntries(
    await page
      .locator("[data-testid^=branch-classify-]")
      .evaluateAll((els) => els.map((e) => [e.dataset.testid.slice(16), Number(e.dataset.count)])),
  );
  assert.equal(counts.hot + counts.warm + counts.cold, 200, JSON.stringify(counts));
  for (const way of ["hot", "warm", "cold"]) assert.ok(counts[way] > 0, JSON.stringify(counts));
  // Row 2 of the file is an urgent enterprise lead with a budget: it went the hot way.
  const row2 = page.locator("[data-testid=batch-table] tbody tr").nth(1);
  assert.match(await row2.innerText(), /classify → hot/);
  assert.equal(await page.locator("[data-testid=batch-table] tbody tr").count(), 200);
  await shot("batch-200-leads");

  const unexpected = consoleErrors.filter((e) => !/Failed to load resource/.test(e));
  assert.deepEqual(unexpected, []);
});

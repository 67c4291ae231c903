// Browser end-to-end test of the Runs screen against the real `switchyard serve`: real webhook
// posts make real runs (a stand-in API on loopback counts what the workflow calls, and fails
// on demand), then the history's filters, a run's timeline, a retry from the failed node, a
// replay and a comparison, the dead letters and the metrics are checked in Chromium.
//
//   node --test tests/e2e/runs.test.mjs
// Env: SWITCHYARD_BIN, CHROMIUM, E2E_SCREENSHOTS (as for editor.test.mjs).
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import { chromium } from "playwright-core";

import { startServe } from "./serve.mjs";

const shots = process.env.E2E_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });

let server;
let api;
let browser;
let page;
let base;
let work;
const consoleErrors = [];

/** The stand-in API: hits counted by path; POST /crm answers 503 until `healthy`. */
const hits = { "/lookup": 0, "/crm": 0 };
let healthy = false;

function startApi() {
  api = createServer((req, res) => {
    const path = req.url.split("?")[0];
    hits[path] = (hits[path] ?? 0) + 1;
    res.setHeader("content-type", "application/json");
    if (path === "/lookup") {
      res.end(JSON.stringify({ company: "Acme Corp", size: 1200 }));
    } else if (path === "/crm" && healthy) {
      res.statusCode = 201;
      res.end(JSON.stringify({ id: hits["/crm"] }));
    } else {
      res.statusCode = 503;
      res.end(JSON.stringify({ busy: true }));
    }
  });
  return new Promise((ok) =>
    api.listen(0, "127.0.0.1", () =>
      ok(`http://127.0.0.1:${api.address().port}`),
    ),
  );
}

/** hook -> lookup (GET /lookup) -> score (Set) -> crm (POST /crm). */
function leads(apiBase) {
  return {
    schema_version: 1,
    id: "leads",
    name: "Leads",
    vars: { api: apiBase },
    nodes: [
      { id: "hook", kind: "webhook_trigger", params: { path: "lead" } },
      {
        id: "lookup",
        kind: "http_request",
        params: { url: "{{ vars.api }}/lookup" },
      },
      {
        id: "score",
        kind: "set",
        params: {
          fields: {
            company: "{{ input.body.company }}",
            email: "{{ event.email }}",
          },
        },
      },
      {
        id: "crm",
        kind: "http_request",
        params: {
          method: "POST",
          url: "{{ vars.api }}/crm",
          body: { email: "{{ input.email }}" },
        },
      },
    ],
    edges: [
      { from: "hook", to: "lookup" },
      { from: "lookup", to: "score" },
      { from: "score", to: "crm" },
    ],
  };
}

async function startServer(apiBase) {
  work = mkdtempSync(join(tmpdir(), "switchyard-e2e-runs-"));
  const dir = join(work, "workflows");
  mkdirSync(dir);
  writeFileSync(
    join(dir, "leads.json"),
    JSON.stringify(leads(apiBase), null, 2),
  );
  writeFileSync(
    join(dir, "workspace.json"),
    JSON.stringify({ network: { allowed_hosts: ["127.0.0.1"] } }),
  );
  const started = await startServe(dir, join(work, "data"));
  server = started.server;
  return started.base;
}

/** Posts a lead to the webhook and waits (long poll) until its run is stored. */
async function postLead(email) {
  const r = await fetch(`${base}/hooks/lead`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email }),
  });
  assert.equal(r.status, 202);
  const { event_id } = await r.json();
  const detail = await (
    await fetch(`${base}/api/events/${event_id}?wait_ms=20000`)
  ).json();
  assert.equal(detail.runs.length, 1, JSON.stringify(detail));
  return detail.runs[0];
}

const shot = async (name) =>
  shots && page.screenshot({ path: join(shots, `${name}.png`) });
const rows = () => page.getByTestId("run-row");
const row = (id) => page.locator(`[data-testid=run-row][data-run-id="${id}"]`);

before(async () => {
  const apiBase = await startApi();
  base = await startServer(apiBase);
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
  page.on(
    "console",
    (m) => m.type() === "error" && consoleErrors.push(m.text()),
  );
  page.on("pageerror", (e) => consoleErrors.push(e.message));
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  api?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("history, timeline, retry, replay, compare, dead letters and metrics of real runs", async () => {
  // Three real runs: Ada's fails at the CRM (503), then the CRM is back for Bob and Carol.
  const ada = await postLead("ada@example.com");
  assert.equal(ada.status, "failed");
  assert.equal(ada.failed_node, "crm");
  healthy = true;
  const bob = await postLead("bob@example.com");
  const carol = await postLead("carol@example.com");
  assert.deepEqual([bob.status, carol.status], ["succeeded", "succeeded"]);
  assert.deepEqual([hits["/lookup"], hits["/crm"]], [3, 3]);

  await page.goto(base);
  await page.getByTestId("open-runs").click();
  await page.getByTestId("live-mode").filter({ hasText: "Live" }).waitFor();
  await row(carol.id).waitFor();
  assert.equal(await rows().count(), 3);

  // Filters: text in the event, status, and the list comes back when cleared.
  await page.getByTestId("filter-text").fill("ADA@example");
  await page.waitForFunction(
    () => document.querySelectorAll("[data-testid=run-row]").length === 1,
  );
  await row(ada.id).waitFor();
  await page.getByTestId("filter-clear").click();
  await page.getByTestId("filter-status").selectOption("succeeded");
  await page.waitForFunction(
    () => document.querySelectorAll("[data-testid=run-row]").length === 2,
  );
  assert.equal(await row(ada.id).count(), 0);
  await page.getByTestId("filter-status").selectOption("failed");
  await page.waitForFunction(
    () => document.querySelectorAll("[data-testid=run-row]").length === 1,
  );
  await page.getByTestId("filter-clear").click();
  await page.waitForFunction(
    () => document.querySelectorAll("[data-testid=run-row]").length === 3,
  );

  // Live: a run stored while the screen is open appears without reloading.
  const dan = await postLead("dan@example.com");
  await row(dan.id).waitFor();

  // Ada's run: the timeline has every step, the CRM failed, the lookup's data is there.
  await row(ada.id).click();
  const detail = page.locator(
    `[data-testid=run-detail][data-run-id="${ada.id}"]`,
  );
  await detail.waitFor();
  for (const id of ["hook", "lookup", "score", "crm"])
    await page.getByTestId(`timeline-${id}`).waitFor();
  assert.equal(
    await page.getByTestId("timeline-crm").getAttribute("data-status"),
    "failed",
  );
  assert.equal(
    await page.getByTestId("timeline-lookup").getAttribute("data-status"),
    "succeeded",
  );
  assert.ok(
    (await page.locator(".timeline__bar").count()) >= 3,
    "bars for the steps that ran",
  );
  await page.getByTestId("timeline-lookup").click();
  await page
    .getByTestId("node-panel")
    .filter({ hasText: "Acme Corp" })
    .waitFor();
  await page
    .getByTestId("node-panel")
    .filter({ hasText: "Input (from hook)" })
    .waitFor();
  await page
    .getByTestId("run-logs")
    .filter({ hasText: '"crm" failed (http_status)' })
    .waitFor();
  await shot("runs-detail");

  // Retry from the failed node (the CRM is healthy now): only the CRM is called again.
  await page.getByTestId("retry-version").selectOption("current");
  await page.getByTestId("retry").click();
  const retryDetail = page
    .locator("[data-testid=run-detail]")
    .filter({ hasText: "Retry of" });
  await retryDetail.waitFor();
  const retryId = await retryDetail.getAttribute("data-run-id");
  assert.notEqual(retryId, ada.id);
  await retryDetail
    .getByTestId("status")
    .first()
    .filter({ hasText: "succeeded" })
    .waitFor();
  assert.equal(
    await page.getByTestId("timeline-lookup").getAttribute("data-pinned"),
    "true",
  );
  assert.equal(
    await page.getByTestId("timeline-crm").getAttribute("data-pinned"),
    null,
  );
  assert.deepEqual(
    [hits["/lookup"], hits["/crm"]],
    [4, 5],
    "lookup not called again",
  );
  await row(retryId).waitFor();

  // Compare the retry with the original: the CRM step differs, the lookup does not.
  await page.getByTestId("compare-with").fill(ada.id);
  await page.getByTestId("compare").click();
  await page.getByTestId("compare-view").waitFor();
  assert.equal(
    await page.getByTestId("compare-crm").getAttribute("data-differs"),
    "true",
  );
  assert.equal(
    await page.getByTestId("compare-lookup").getAttribute("data-differs"),
    "false",
  );
  await shot("runs-compare");
  await page.getByTestId("close-compare").click();

  // Replay Ada's original run: nothing is called, and it ends exactly the same way.
  await page.getByTestId("origin-run").click();
  await page
    .locator(`[data-testid=run-detail][data-run-id="${ada.id}"]`)
    .waitFor();
  await page.getByTestId("replay").click();
  await page
    .getByTestId("compare-verdict")
    .filter({ hasText: "Same outcome" })
    .waitFor();
  assert.deepEqual(
    [hits["/lookup"], hits["/crm"]],
    [4, 5],
    "a replay calls nothing",
  );
  await page.getByTestId("filter-origin").selectOption("replay");
  await page.waitForFunction(
    () => document.querySelectorAll("[data-testid=run-row]").length === 1,
  );
  await page.getByTestId("filter-clear").click();

  // Dead letters: Ada's was settled by the successful retry; a new failure shows up, is
  // retried once the CRM is back, and another is discarded.
  await page.getByTestId("runs-tab-dead").click();
  await page.getByTestId("no-dead-letters").waitFor();
  healthy = false;
  const erin = await postLead("erin@example.com");
  const fay = await postLead("fay@example.com");
  assert.deepEqual([erin.status, fay.status], ["failed", "failed"]);
  await page.waitForFunction(
    () => document.querySelectorAll("[data-testid=dead-letter]").length === 2,
  );
  await shot("runs-dead-letters");
  healthy = true;
  const erinLetter = page
    .getByTestId("dead-letter")
    .filter({ hasText: "erin@example.com" });
  await erinLetter.getByTestId("dead-retry").click();
  await page.waitForFunction(
    () => document.querySelectorAll("[data-testid=dead-letter]").length === 1,
  );
  const fayLetter = page
    .getByTestId("dead-letter")
    .filter({ hasText: "fay@example.com" });
  await fayLetter.getByTestId("dead-discard").click();
  await page
    .getByRole("dialog")
    .getByRole("button", { name: "Discard" })
    .click();
  await page.getByTestId("no-dead-letters").waitFor();

  // Metrics of the last hour: every run but the replay; the CRM failed three times.
  const counted = (
    await (await fetch(`${base}/api/runs?workflow=leads&limit=100`)).json()
  ).filter((r) => r.origin !== "replay");
  await page.getByTestId("runs-tab-metrics").click();
  await page.getByTestId("metrics-workflow").selectOption("leads");
  await page
    .getByTestId("metric-runs")
    .filter({ hasText: String(counted.length) })
    .waitFor();
  const failedRuns = counted.filter((r) => r.status === "failed").length;
  assert.equal(failedRuns, 3, "Ada's, Erin's and Fay's first runs");
  await page.getByTestId("metric-failed").filter({ hasText: "3" }).waitFor();
  await page.getByTestId("chart-failures").filter({ hasText: "crm" }).waitFor();
  assert.ok(
    (await page.locator("[data-testid=chart-rate] rect").count()) >= 1,
    "columns drawn",
  );
  assert.ok(
    (await page.locator("[data-testid=chart-duration] circle").count()) >= 1,
    "points drawn",
  );
  await shot("runs-metrics");
  await page.locator("html").evaluate((el) => (el.dataset.theme = "dark"));
  await shot("runs-metrics-dark");

  const unexpected = consoleErrors.filter(
    (e) => !/Failed to load resource/.test(e),
  );
  assert.deepEqual(unexpected, [], "no errors in the console");
});

/*
 * The HTML audit report as a person sees it: a real audit of a real cluster (enriched with a
 * fixture report's findings, checks not run and certificates, so every part of the page has
 * something to show), rendered to a file and opened in Debian's headless Chromium through
 * playwright-core. The page must render its findings, SOC 2 table and expiry chart without a
 * console error and without any request but its own file; its filters must hide and show
 * findings; its CSP must refuse a fetch. A screenshot is kept in test-artifacts/.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer, type Server } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";

import { type BrowserContext, chromium, type Page } from "playwright-core";

import { ALL_CHECKS } from "../src/audit/checks/index.js";
import { type AuditReport, type CertificateSighting } from "../src/audit/report/audit-report.js";
import { renderHtml } from "../src/audit/report/render-html.js";
import { scoreChecks } from "../src/audit/score.js";
import { soc2Table } from "../src/audit/soc2-table.js";
import { FIXTURE_CHECKS, FIXTURE_NOW, fixtureReport, HOSTILE_ROLE } from "./support/audit-report-fixture.js";
import { type AuditedCluster, startAuditedCluster } from "./support/audit-run.js";
import { REPO_ROOT, tempDir } from "./support/cli.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
/** A role whose name would load an image from `port` if the page ever put it in as markup. */
const imgRole = (port: number) => `<img src="http://127.0.0.1:${port}/leak.png">`;
const SCREENSHOT = join(REPO_ROOT, "test-artifacts", "audit-report.png");

/** The fixture's certificate as if the fixture had been made when the real audit ran: its place on the timeline kept. */
function shiftTo(now: string) {
  const delta = Date.parse(now) - FIXTURE_NOW.getTime();
  const shift = (time: string) => new Date(Date.parse(time) + delta).toISOString();
  return (certificate: CertificateSighting): CertificateSighting => ({
    ...certificate,
    notBefore: shift(certificate.notBefore),
    notAfter: shift(certificate.notAfter),
  });
}

/** The real audit's report with the fixture's findings, checks not run and certificates added, scored together. */
function enrich(real: AuditReport): AuditReport {
  const fixture = fixtureReport({ baseline: true });
  const shifted = shiftTo(real.generatedAt);
  const findings = [...real.findings, ...fixture.findings];
  const checks = [...real.checks, ...fixture.checks];
  const notRun = [...real.notRun, ...fixture.notRun];
  return {
    ...real,
    targets: [...real.targets, ...fixture.targets],
    findings,
    checks,
    notRun,
    scores: scoreChecks(checks),
    soc2: soc2Table([...ALL_CHECKS, ...FIXTURE_CHECKS], checks, notRun, findings),
    certificates: [...real.certificates, ...fixture.certificates.map(shifted)],
    baseline: fixture.baseline,
  };
}

describe("the HTML audit report in headless Chromium", () => {
  let audited: AuditedCluster;
  let workDir: { dir: string; cleanup: () => Promise<void> };
  let context: BrowserContext;
  let page: Page;
  let report: AuditReport;
  let real: AuditReport;
  const requests: string[] = [];
  const failures: string[] = [];
  let listener: Server;
  let port = 0;
  let knocks = 0;
  const consoleErrors: string[] = [];
  let fileUrl: string;

  before(async () => {
    // Anything the page fetched from the network would knock on this door.
    listener = createServer((socket) => {
      knocks++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    port = (listener.address() as AddressInfo).port;
    audited = await startAuditedCluster();
    await audited.cluster.sql(`CREATE ROLE "${imgRole(port).replace(/"/g, '""')}" LOGIN SUPERUSER`);
    const { report: json } = await audited.audit();
    real = json as unknown as AuditReport;
    assert.ok(real.findings.length > 0, "the default cluster has findings (ssl off, connections not logged)");
    report = enrich(real);
    workDir = await tempDir("pgwarden-html-");
    const file = join(workDir.dir, "audit.html");
    await writeFile(file, renderHtml(report));
    fileUrl = pathToFileURL(file).href;
    // Chromium keeps its profile, caches and crash reports in the fresh directory, not in anyone's HOME.
    const home = join(workDir.dir, "home");
    await mkdir(home);
    context = await chromium.launchPersistentContext(join(workDir.dir, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: home, XDG_CACHE_HOME: home },
      viewport: { width: 1366, height: 900 },
    });
    page = await context.newPage();
    page.on("request", (request) => requests.push(request.url()));
    page.on("requestfailed", (request) => failures.push(`${request.url()} ${request.failure()?.errorText ?? ""}`));
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    await page.goto(fileUrl, { waitUntil: "load" });
  });

  after(async () => {
    await context?.close();
    await audited?.stop();
    await workDir?.cleanup();
    listener?.close();
  });

  test("the page loads with no console error and no request but its own file", () => {
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(requests, [fileUrl]);
    assert.equal(knocks, 0);
  });

  test("every finding renders, the real audit's included, and hostile role names show as text", async () => {
    const cards = page.locator("article.finding");
    assert.equal(await cards.count(), report.findings.length);
    for (const finding of real.findings) {
      const card = page.locator(`article.finding[data-fingerprint="${finding.fingerprint}"]`);
      assert.ok(await card.isVisible(), `${finding.id} is shown`);
      assert.equal(await card.locator(".message").textContent(), finding.message);
      assert.equal(await card.locator(".fix code").textContent(), finding.fix);
    }
    assert.equal(await page.locator("script").count(), 1, "only the page's own script");
    assert.equal(await page.locator("img").count(), 0);
    const hostile = page.locator("article.finding", { hasText: "is a login superuser" }).first();
    assert.ok((await hostile.locator(".message").textContent())?.includes('<script>alert("x")</script>'));
    assert.ok(HOSTILE_ROLE.startsWith('<script>alert("x")</script>'));
  });

  test("the score per layer and the SOC 2 table render, one row per control with its status", async () => {
    assert.ok(await page.locator("#overall-score").isVisible());
    assert.equal(await page.locator("#layers .layer").count(), 4);
    assert.equal(await page.locator("#soc2 tbody tr").count(), report.soc2.length);
    for (const row of report.soc2) {
      const line = page.locator(`#soc2 tr[data-control="${row.control}"]`);
      assert.ok(await line.isVisible());
      assert.equal(await line.locator(".status").textContent(), row.status);
    }
    assert.equal(await page.locator("#not-run tbody tr").count(), report.notRun.length);
  });

  test("the expiry chart draws one visible mark per certificate and a now line", async () => {
    const chart = page.locator("svg.timeline");
    assert.ok(await chart.isVisible());
    const box = await chart.boundingBox();
    assert.ok(box && box.width > 600 && box.height > 100, `chart size ${JSON.stringify(box)}`);
    assert.equal(await page.locator("svg.timeline g.cert").count(), report.certificates.length);
    const marks = await page.locator("svg.timeline g.cert").all();
    const bands = await Promise.all(marks.map((mark) => mark.getAttribute("data-band")));
    assert.deepEqual([...new Set(bands)].sort(), ["expired", "ok", "soon", "urgent"], "every colour band is drawn");
    for (const bar of await page.locator("svg.timeline .cert-bar").all()) {
      const size = await bar.boundingBox();
      assert.ok(size && size.width >= 1 && size.height >= 5, "each bar is drawn");
    }
    assert.ok(await page.locator("svg.timeline g.now").isVisible());
    const nowLine = await page.locator("svg.timeline g.now line").boundingBox();
    assert.ok(nowLine && nowLine.height > box.height / 2, "the now line crosses the chart");
  });

  test("the severity and layer filters hide and show findings", async () => {
    const total = report.findings.length;
    const visible = () => page.locator("article.finding:visible").count();
    assert.ok(await page.locator("#filters").isVisible(), "the script shows the filters");
    assert.equal(await page.locator("#shown").textContent(), `${total} of ${total} shown`);
    const critical = report.findings.filter((finding) => finding.severity === "critical").length;
    assert.ok(critical > 0);
    await page.locator('input[name="severity"][value="critical"]').uncheck();
    assert.equal(await visible(), total - critical);
    assert.equal(await page.locator('article.finding[data-severity="critical"]:visible').count(), 0);
    assert.equal(await page.locator("#shown").textContent(), `${total - critical} of ${total} shown`);
    const networkNotCritical = report.findings.filter(
      (finding) => finding.layer === "network" && finding.severity !== "critical",
    ).length;
    await page.locator('input[name="layer"][value="network"]').uncheck();
    assert.equal(await visible(), total - critical - networkNotCritical);
    assert.equal(await page.locator('article.finding[data-layer="network"]:visible').count(), 0);
    for (const box of await page.locator('input[name="severity"]').all()) await box.uncheck();
    assert.equal(await visible(), 0);
    assert.ok(await page.locator("#none-shown").isVisible());
    for (const box of await page.locator("#filters input").all()) await box.check();
    assert.equal(await visible(), total);
    assert.ok(await page.locator("#none-shown").isHidden());
  });

  test("a screenshot is kept, and printing leaves out the filters", async (t) => {
    await mkdir(join(REPO_ROOT, "test-artifacts"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    t.diagnostic(`screenshot: ${SCREENSHOT}`);
    await page.emulateMedia({ media: "print" });
    assert.ok(await page.locator("#filters").isHidden());
    assert.equal(await page.locator("article.finding:visible").count(), report.findings.length);
    await page.emulateMedia({ media: "screen" });
  });

  test("the page's CSP refuses a request even from script: the guard holds if escaping ever failed", async () => {
    // A string, as the page runs it: the test compiles without the DOM's types.
    const violation = await page.evaluate<string>(`new Promise((resolve) => {
      document.addEventListener("securitypolicyviolation", (event) => resolve(event.violatedDirective), { once: true });
      const image = document.createElement("img");
      image.src = "http://127.0.0.1:${port}/probe.png";
      document.body.append(image);
    })`);
    assert.equal(violation, "img-src");
    // Chromium reports the request it refused; the listener shows it never left the browser.
    await page.waitForTimeout(300);
    assert.deepEqual(failures, [`http://127.0.0.1:${port}/probe.png csp`]);
    assert.equal(knocks, 0, "nothing reached the network");
  });
});

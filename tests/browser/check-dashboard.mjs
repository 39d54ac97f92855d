// Browser check of the triagebench dashboard: loads dashboard.html from disk in Debian's headless
// Chromium (playwright-core, no downloaded browser) and fails on any console error, page error,
// failed or non-file request, or a chart that is missing or drawn empty. Saves a full-page
// screenshot.
//
//   node check-dashboard.mjs <dashboard.html> <screenshot.png> [--allow-empty=a,b] [--width=1400]
//
// Every name in CHARTS must be present as a `data-chart` element. A chart may be an empty
// "no data yet" panel (data-empty="true") only if --allow-empty lists it (or `all`); otherwise it
// must hold an SVG with drawn content and a non-zero bounding box. Exit 0 on success, 1 on a
// failed check, 2 on bad arguments.

import { mkdtempSync, rmSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

// The charts the dashboard promises: charts.json is generated from evaluator::dashboard::CHARTS
// (triagebench/tests/generated.rs checks it; `just bless` rewrites it).
const CHARTS = JSON.parse(readFileSync(new URL("./charts.json", import.meta.url), "utf8"));

function usage(message) {
  console.error(`check-dashboard: ${message}`);
  console.error("usage: node check-dashboard.mjs <dashboard.html> <screenshot.png> [--allow-empty=a,b|all] [--width=N]");
  process.exit(2);
}

const positional = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const flags = Object.fromEntries(
  process.argv
    .slice(2)
    .filter((a) => a.startsWith("--"))
    .map((a) => {
      const [k, ...v] = a.slice(2).split("=");
      return [k, v.join("=")];
    }),
);
for (const k of Object.keys(flags)) {
  if (!["allow-empty", "width"].includes(k)) usage(`unknown flag --${k}`);
}
if (positional.length !== 2) usage("expected a dashboard file and a screenshot path");
const [htmlArg, shotArg] = positional;
const htmlPath = resolve(htmlArg);
const shotPath = resolve(shotArg);
if (!existsSync(htmlPath)) usage(`no such file: ${htmlPath}`);
const allowEmpty = new Set((flags["allow-empty"] ?? "").split(",").filter(Boolean));
const width = Number(flags.width ?? 1400);
if (!Number.isFinite(width) || width < 320) usage(`bad --width ${flags.width}`);
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
if (!existsSync(executablePath)) usage(`no Chromium at ${executablePath} (apt-get install chromium)`);

const problems = [];
const userDataDir = mkdtempSync(join(tmpdir(), "triagebench-chromium-"));
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width, height: 900 },
    deviceScaleFactor: 1,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") {
      problems.push(`console ${msg.type()}: ${msg.text()}`);
    }
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
  page.on("request", (req) => {
    const url = req.url();
    if (!url.startsWith("file:") && !url.startsWith("data:")) problems.push(`network request: ${url}`);
  });

  const url = pathToFileURL(htmlPath).href;
  const response = await page.goto(url, { waitUntil: "load" });
  if (response && !response.ok()) problems.push(`loading ${url}: status ${response.status()}`);

  const found = await page.evaluate(() =>
    [...document.querySelectorAll("[data-chart]")].map((el) => {
      const svgs = [...el.querySelectorAll("svg[role=img]")].map((svg) => {
        const box = svg.getBoundingClientRect();
        const drawn = svg.querySelectorAll("path, rect, circle, line, polyline, polygon").length;
        return { width: box.width, height: box.height, drawn, title: svg.querySelector(":scope > title")?.textContent ?? "" };
      });
      // A table panel (the audit's fingerprints) is drawn when it has body rows.
      const rows = el.querySelectorAll("table tbody tr, table tr td").length;
      const box = el.getBoundingClientRect();
      return {
        rows,
        name: el.getAttribute("data-chart"),
        empty: el.getAttribute("data-empty") === "true",
        text: el.textContent.trim().slice(0, 120),
        width: box.width,
        height: box.height,
        svgs,
      };
    }),
  );

  const names = found.map((f) => f.name);
  for (const name of CHARTS) {
    const hits = found.filter((f) => f.name === name);
    if (hits.length === 0) {
      problems.push(`missing chart: data-chart="${name}"`);
      continue;
    }
    if (hits.length > 1) problems.push(`chart data-chart="${name}" appears ${hits.length} times`);
    const chart = hits[0];
    if (chart.width <= 0 || chart.height <= 0) problems.push(`chart ${name} is not visible`);
    if (chart.empty) {
      if (!allowEmpty.has(name) && !allowEmpty.has("all")) problems.push(`chart ${name} is an empty panel: "${chart.text}"`);
      if (!/no data yet/i.test(chart.text)) problems.push(`empty panel ${name} does not say "no data yet"`);
      continue;
    }
    if (chart.svgs.length === 0 && chart.rows === 0) {
      problems.push(`chart ${name} has neither an SVG nor table rows`);
      continue;
    }
    chart.svgs.forEach((svg, i) => {
      if (svg.drawn === 0) problems.push(`chart ${name}: SVG ${i + 1} draws nothing`);
      if (!(svg.width > 0 && svg.height > 0)) problems.push(`chart ${name}: SVG ${i + 1} has a zero bounding box`);
      if (!svg.title.trim()) problems.push(`chart ${name}: SVG ${i + 1} has no <title>`);
    });
  }
  for (const name of names) {
    if (!CHARTS.includes(name)) console.log(`note: extra chart data-chart="${name}"`);
  }

  // Nothing may overflow the page horizontally at this width.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 1) problems.push(`page overflows horizontally by ${overflow}px at width ${width}`);

  mkdirSync(dirname(shotPath), { recursive: true });
  await page.screenshot({ path: shotPath, fullPage: true });
  const drawn = found.filter((f) => !f.empty).length;
  console.log(`check-dashboard: ${found.length} charts (${drawn} drawn, ${found.length - drawn} empty), screenshot ${shotPath}`);
} catch (err) {
  problems.push(`browser: ${err.message}`);
} finally {
  if (context) await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}

if (problems.length > 0) {
  for (const p of problems) console.error(`FAIL ${p}`);
  console.error(`check-dashboard: ${problems.length} problem(s) in ${htmlPath}`);
  process.exit(1);
}
console.log("check-dashboard: ok");

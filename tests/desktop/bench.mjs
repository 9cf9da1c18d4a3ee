// Desktop app numbers, measured on the built app in a real WebKitGTK window (run by
// bench/desktop.sh under Xvfb with tauri-driver): a benchmark, not a test — it asserts nothing
// about time, it prints a table.
//
//   cold start → first paint   the app process's start time (/proc) to the page's first
//                              contentful paint (Paint Timing), both as wall-clock times
//   cold start → ready         process start to the connect view being in the DOM
//   idle memory                PSS of the app and its WebKit processes after 5 s idle, in all
//                              and per process (medians of each, so the parts need not add up)
//   100k-row answer            click "Run SQL" on a 100,000-row SELECT → grid shows the count
//
// Each number is the median of RUNS launches (default 5).

import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Builder, By, Key, until } from "selenium-webdriver";

const APP = process.env.SIGHTLINE_APP;
const HOME = process.env.SIGHTLINE_HOME;
const BENCH_DB = process.env.BENCH_DB;
const RUNS = Number(process.env.RUNS ?? 5);
const WEBDRIVER_URL = process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444";
const ROWS = 100_000;

const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
const bootEpochMs = () => {
  const btime = readFileSync("/proc/stat", "utf8").match(/^btime (\d+)$/m);
  return Number(btime[1]) * 1000;
};

/** Wall-clock start of a process, in epoch milliseconds. */
function startEpochMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return bootEpochMs() + (Number(fields[19]) / CLK_TCK) * 1000;
}

function children(pid) {
  const kids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) kids.push(Number(entry), ...children(Number(entry)));
    } catch {
      // The process ended while we looked.
    }
  }
  return kids;
}

/** The process's name as the kernel has it (e.g. "WebKitWebProces", truncated to 15 bytes). */
function comm(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "?";
  }
}

/** Which part of the app a process is: the app itself, WebKit's web or network process, other. */
function part(pid, appPid) {
  if (pid === appPid) return "app";
  const name = comm(pid);
  if (name.startsWith("WebKitWebProces")) return "web";
  if (name.startsWith("WebKitNetworkPr")) return "network";
  return "other";
}

function pssKb(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").match(/^Pss:\s+(\d+) kB/m)[1]);
  } catch {
    return 0;
  }
}

/** The newest sightline-app process (the one the driver just launched). */
function appPid() {
  return Number(execFileSync("pgrep", ["-n", "-f", APP], { encoding: "utf8" }).trim());
}

const byTest = (id) => By.css(`[data-testid="${id}"]`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function once() {
  const driver = await new Builder()
    .usingServer(WEBDRIVER_URL)
    .withCapabilities({ browserName: "wry", "tauri:options": { application: APP, args: [] } })
    .build();
  try {
    await driver.wait(until.elementLocated(byTest("connect")), 60_000);
    const readyAt = Date.now();
    const pid = appPid();
    const started = startEpochMs(pid);
    const paint = await driver.executeScript(`
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]
               || performance.getEntriesByType('paint')[0];
      return fcp ? performance.timeOrigin + fcp.startTime : null;`);
    await sleep(5000);
    const parts = { app: 0, web: 0, network: 0, other: 0 };
    for (const p of [pid, ...children(pid)]) parts[part(p, pid)] += pssKb(p);
    const idleKb = Object.values(parts).reduce((a, b) => a + b, 0);

    const path = await driver.findElement(byTest("db-path-input"));
    await path.sendKeys(BENCH_DB, Key.ENTER);
    const question = await driver.wait(until.elementLocated(byTest("question-input")), 60_000);
    await driver.wait(until.elementIsEnabled(question), 60_000);
    await question.sendKeys("number of orders by status", Key.ENTER);
    await driver.wait(until.elementLocated(byTest("interpretation")), 60_000);
    await driver.findElement(byTest("tab-sql")).click();
    const editor = await driver.wait(until.elementLocated(byTest("sql-editor")), 60_000);
    await editor.click();
    await editor.sendKeys(Key.chord(Key.CONTROL, "a"), Key.BACK_SPACE);
    await editor.sendKeys(`SELECT * FROM orders LIMIT ${ROWS}`);
    const clicked = Date.now();
    await driver.findElement(byTest("rerun-button")).click();
    await driver.wait(until.elementLocated(By.css(`[data-testid="answer"][data-row-count="${ROWS}"]`)), 120_000);
    await driver.findElement(byTest("tab-data")).click();
    await driver.wait(async () => {
      const count = await driver.findElements(byTest("grid-count"));
      const text = count.length ? await driver.executeScript("return arguments[0].textContent", count[0]) : "";
      return text.replace(/[^0-9]/g, "").startsWith(String(ROWS));
    }, 120_000);
    const rendered = Date.now() - clicked;
    return {
      firstPaintMs: paint ? paint - started : null,
      readyMs: readyAt - started,
      idleMb: idleKb / 1024,
      appMb: parts.app / 1024,
      webMb: parts.web / 1024,
      networkMb: parts.network / 1024,
      otherMb: parts.other / 1024,
      render100kMs: rendered,
    };
  } finally {
    await driver.quit();
  }
}

async function main() {
  mkdirSync(HOME, { recursive: true });
  writeFileSync(join(HOME, "settings.json"), JSON.stringify({ settings: { max_rows: ROWS } }));
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(await once());
    console.error(`run ${i + 1}: ${JSON.stringify(runs.at(-1))}`);
  }
  const row = (label, key, unit, aim) => {
    const values = runs.map((r) => r[key]).filter((v) => v !== null);
    const m = values.length ? median(values) : NaN;
    return `| ${label} | ${m.toFixed(0)} ${unit} | ${aim} |`;
  };
  console.log(`| measure (median of ${RUNS} launches) | value | aim |`);
  console.log("| --- | --- | --- |");
  console.log(row("cold start → first contentful paint", "firstPaintMs", "ms", "< 1500 ms"));
  console.log(row("cold start → connect view ready", "readyMs", "ms", ""));
  console.log(row("idle memory (PSS, app + WebKit processes)", "idleMb", "MB", "< 150 MB"));
  console.log(row("— of which the app process", "appMb", "MB", ""));
  console.log(row("— of which WebKit's web process", "webMb", "MB", ""));
  console.log(row("— of which WebKit's network process", "networkMb", "MB", ""));
  if (runs.some((r) => r.otherMb > 0)) console.log(row("— of which other children", "otherMb", "MB", ""));
  console.log(row(`${ROWS.toLocaleString("en")}-row answer: Run SQL → grid shows it`, "render100kMs", "ms", ""));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// End-to-end tests of the built desktop app: the real binary in a real WebKitGTK window (under
// Xvfb), driven through tauri-driver + WebKitWebDriver, with the real keychain (GNOME Keyring in
// the session bus of run.sh) and a settings folder of its own ($SIGHTLINE_HOME).
//
// Run through tests/desktop/run.sh, which builds nothing: it expects SIGHTLINE_APP (the built
// sightline-app), SIGHTLINE_BIN (the sightline CLI, used as the independent oracle of values) and
// a tauri-driver listening on WEBDRIVER_URL.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Builder, By, Key, until } from "selenium-webdriver";

const ROOT = resolve(import.meta.dirname, "../..");
const APP = process.env.SIGHTLINE_APP;
const CLI = process.env.SIGHTLINE_BIN;
const HOME = process.env.SIGHTLINE_HOME;
const WEBDRIVER_URL = process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444";
const SAMPLE = join(ROOT, "sample-data/sample.db");
const SHOTS = process.env.SCREENSHOTS ?? join(ROOT, "tests/desktop/screenshots");
const WAIT = 60_000;

// The seed's examples, one per analysis the UI must draw.
const QUESTIONS = [
  "Show monthly revenue for last year and forecast next 3 months",
  "What factors correlate with customer churn?",
  "Find anomalies in daily transaction amounts",
  "Statistical summary of revenue by region",
];

let driver;

async function launch() {
  return new Builder()
    .usingServer(WEBDRIVER_URL)
    .withCapabilities({ browserName: "wry", "tauri:options": { application: APP, args: [] } })
    .build();
}

const byTest = (id) => By.css(`[data-testid="${id}"]`);

async function find(id, timeout = WAIT) {
  return driver.wait(until.elementLocated(byTest(id)), timeout, `no [data-testid=${id}] appeared`);
}

/** The element's text content (WebDriver's visible text depends on layout and scrolling). */
async function textOf(id) {
  return driver.executeScript("return arguments[0].textContent", await find(id));
}

/** Replaces a field's text the way a user does (select all, type), so the page sees input events;
 *  WebDriver's clear() changes the value without telling the page. */
async function replaceText(element, text) {
  await element.click();
  await element.sendKeys(Key.chord(Key.CONTROL, "a"), Key.BACK_SPACE);
  await element.sendKeys(text);
}

async function shot(name) {
  mkdirSync(SHOTS, { recursive: true });
  writeFileSync(join(SHOTS, `${name}.png`), await driver.takeScreenshot(), "base64");
}

/** The sightline CLI's answer to the same question: the oracle the window is compared with. */
function cliAnswer(question) {
  const out = execFileSync(CLI, ["ask", "--db", SAMPLE, "--json", question], { encoding: "utf8" });
  return JSON.parse(out);
}

/** What Plotly drew in the answer's chart: trace types, names and the first trace's y values. */
async function drawnChart() {
  return driver.executeScript(`
    const root = document.querySelector('[data-testid="chart"]');
    const plot = root && (root.classList.contains('js-plotly-plot') ? root : root.querySelector('.js-plotly-plot'));
    if (!plot || !plot.data || !root.querySelector('.main-svg')) return null;
    return {
      traces: plot.data.map(t => ({ type: t.type || 'scatter', name: t.name || null,
                                    y: Array.from(t.y || t.z || []).slice(0, 50) })),
      svgNodes: root.querySelectorAll('.main-svg *').length,
    };
  `);
}

async function openSample() {
  await (await find("nav-data")).click();
  await (await find("open-sample")).click();
  const input = await find("question-input");
  await driver.wait(until.elementIsEnabled(input), WAIT, "the question box is enabled once the database is open");
  await driver.wait(
    async () => (await textOf("current-db")).includes("sample.db"),
    WAIT,
    "the sample database is shown as the current database",
  );
}

/** Asks through the window and waits for this question's answer (its interpretation, as the
 *  CLI gives it for the same question), not the answer already on screen. */
async function ask(question, expected) {
  const input = await find("question-input");
  await driver.wait(until.elementIsEnabled(input), WAIT, "the question box is enabled");
  await replaceText(input, question);
  await input.sendKeys(Key.ENTER);
  await driver.wait(async () => {
    const errors = await driver.findElements(byTest("error-state"));
    if (errors.length) assert.fail(`${question}: ${await errors[0].getText()}`);
    const shown = await driver.findElements(byTest("interpretation"));
    return shown.length > 0 && (await shown[0].getText()).includes(expected.interpretation);
  }, WAIT, `no answer to ${question}`);
}

/** `sightline analyze summary` on `sql`: the oracle of the SQL tab. */
function cliAnalyze(sql) {
  const out = execFileSync(CLI, ["analyze", "summary", "--db", SAMPLE, "--sql", sql, "--json"], { encoding: "utf8" });
  return JSON.parse(out);
}

async function openSettings() {
  await (await find("nav-settings")).click();
  return find("settings");
}

before(async () => {
  assert.ok(APP && existsSync(APP), `SIGHTLINE_APP must name the built app (got ${APP})`);
  assert.ok(CLI && existsSync(CLI), `SIGHTLINE_BIN must name the sightline CLI (got ${CLI})`);
  assert.ok(HOME, "SIGHTLINE_HOME must be set so the app writes only into a temp folder");
  driver = await launch();
});

after(async () => {
  if (driver) await driver.quit();
});

test("opens the sample database and shows its schema", async () => {
  await openSample();
  await (await find("nav-data")).click();
  const schema = await textOf("schema-browser");
  for (const table of ["customers", "orders", "products"]) {
    assert.match(schema, new RegExp(table), `the schema browser lists ${table}`);
  }
  await shot("01-connect");
  await (await find("nav-ask")).click();
});

for (const [i, question] of QUESTIONS.entries()) {
  test(`draws the chart of "${question}" with the engine's values`, async () => {
    const expected = cliAnswer(question);
    const figure = expected.visualization;
    await ask(question, expected);
    let chart = null;
    await driver.wait(
      async () => (chart = await drawnChart()) !== null && chart.traces.length === figure.data.length,
      WAIT,
      "no Plotly chart with the engine's traces drawn",
    );
    assert.ok(chart.svgNodes > 20, `Plotly drew SVG nodes (${chart.svgNodes})`);
    assert.equal(chart.traces.length, figure.data.length, "as many traces as the engine's figure");
    const first = figure.data[0];
    const want = Array.from(first.y ?? first.z ?? []).slice(0, 50);
    assert.deepEqual(chart.traces[0].y, want, "the first trace carries the engine's values");
    const sentences = await (await find("analysis-cards")).getText();
    assert.ok(sentences.trim().length > 20, "the analysis is said in sentences");
    await shot(`02-answer-${i + 1}`);
  });
}

test("edits the SQL and runs it again", async () => {
  const question = "Show monthly revenue for last year";
  await ask(question, cliAnswer(question));
  await (await find("tab-sql")).click();
  const editor = await find("sql-editor");
  const sql = "SELECT region, COUNT(*) AS customers FROM customers GROUP BY region ORDER BY region";
  await replaceText(editor, sql);
  await (await find("rerun-button")).click();
  const expected = cliAnalyze(sql);
  await driver.wait(
    until.elementLocated(By.css(`[data-testid="answer"][data-row-count="${expected.data.row_count}"]`)),
    WAIT,
    `the answer of the edited SQL (${expected.data.row_count} rows)`,
  );
  await (await find("tab-data")).click();
  const grid = await textOf("grid");
  for (const row of expected.data.rows) {
    assert.ok(grid.includes(String(row[0])), `the grid shows region ${row[0]}`);
  }
  await shot("03-sql-rerun");
});

test("a setting survives a restart", async () => {
  await openSettings();
  const maxRows = await find("settings-max-rows");
  await replaceText(maxRows, "4321");
  await (await find("settings-save")).click();
  await driver.wait(async () => readStore().includes("4321"), WAIT, "the setting reached the store file");
  await driver.quit();
  driver = await launch();
  await openSettings();
  const again = await find("settings-max-rows");
  await driver.wait(async () => (await again.getAttribute("value")) === "4321", WAIT,
    "the saved value is shown after the restart");
});

test("an API key goes to the keychain and nowhere else", async () => {
  const key = `gsk_e2e_${process.pid}_${Date.now()}`;
  await openSettings();
  const profile = await find("settings-model-profile");
  await replaceText(profile, "groq");
  const baseUrl = await find("settings-base-url");
  await replaceText(baseUrl, "https://api.groq.com/openai/v1");
  await (await find("settings-save")).click();
  await driver.wait(async () => (await textOf("key-status")).includes('"groq"'), 15_000,
    "the key panel speaks of the saved profile").catch(async (e) => {
    await shot("failed-key-profile");
    throw e;
  });
  assert.equal(await (await find("key-status")).getAttribute("data-set"), "false", "no key at first");
  await (await find("key-input")).sendKeys(key);
  await (await find("key-set")).click();
  await driver.wait(async () => (await (await find("key-status")).getAttribute("data-set")) === "true", WAIT,
    "the window says a key is set");
  const inKeychain = execFileSync("secret-tool", ["lookup", "service", "dev.sightline.app", "username", "groq"], { encoding: "utf8" });
  assert.equal(inKeychain, key, "the system keychain holds the key");
  assert.ok(!readStore().includes(key), "the settings file never holds the key");
  const webStorage = await driver.executeScript(
    "return JSON.stringify(Object.assign({}, localStorage)) + JSON.stringify(Object.assign({}, sessionStorage))");
  assert.ok(!webStorage.includes(key), "web storage never holds the key");
  assert.equal(await (await find("key-input")).getAttribute("value"), "", "the key field is emptied");
  await shot("04-settings");
  await (await find("key-clear")).click();
  await driver.wait(async () => (await (await find("key-status")).getAttribute("data-set")) === "false", WAIT,
    "the window says no key is set");
  await driver.wait(async () => {
    try {
      execFileSync("secret-tool", ["lookup", "service", "dev.sightline.app", "username", "groq"]);
      return false;
    } catch {
      return true;
    }
  }, WAIT, "clearing removes the key from the keychain");
  // Back to the offline planner for the tests that follow.
  await replaceText(await find("settings-model-profile"), "offline");
  await replaceText(await find("settings-base-url"), " ");
  await (await find("settings-save")).click();
  await driver.wait(async () => (await textOf("key-status")).includes('"offline"'), WAIT, "the offline profile is saved again");
});

function readStore() {
  const path = join(HOME, "settings.json");
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

test("a glossary edited in the app is kept in the app's folder and used, never written beside the database", async () => {
  const sampleFolder = join(ROOT, "sample-data");
  const before = readdirSync(sampleFolder).sort();
  const glossary = JSON.parse(readFileSync(join(sampleFolder, "glossary.json"), "utf8"));
  glossary.terms.push({
    term: "takings",
    table: "orders",
    expression: "amount",
    aggregation: "sum",
    filter: "status = 'completed'",
    label: "Takings",
    date_column: "order_date",
  });
  await openSample();
  await (await find("nav-glossary")).click();
  await (await find("glossary")).findElement(By.xpath(".//button[normalize-space()='Edit as JSON']")).click();
  const editor = await (await find("glossary")).findElement(By.css("textarea"));
  await driver.executeScript(
    "const e = arguments[0]; e.value = arguments[1]; e.dispatchEvent(new Event('input', { bubbles: true }));",
    editor,
    JSON.stringify(glossary, null, 2),
  );
  await (await find("glossary")).findElement(By.xpath(".//button[normalize-space()='Apply JSON']")).click();
  await (await find("glossary-keep")).click();
  const folder = join(HOME, "glossaries");
  const keptFiles = () => (existsSync(folder) ? readdirSync(folder).filter((n) => n.endsWith(".json")) : []);
  await driver.wait(() => keptFiles().length === 1, WAIT, "the glossary is kept in the app's folder");
  const kept = join(folder, keptFiles()[0]);
  const saved = JSON.parse(readFileSync(kept, "utf8"));
  assert.deepEqual(saved.columns, glossary.columns, "the column labels the table does not edit are kept");
  assert.equal(saved.terms.at(-1).term, "takings");
  assert.deepEqual(readdirSync(sampleFolder).sort(), before, "nothing was written beside the database");

  const question = "Show monthly takings for last year";
  const expected = JSON.parse(execFileSync(CLI, ["ask", "--db", SAMPLE, "--glossary", kept, "--json", question], { encoding: "utf8" }));
  assert.match(expected.interpretation, /takings|Takings/, "the CLI reads the new term from the kept glossary");
  await (await find("nav-ask")).click();
  await ask(question, expected);
});

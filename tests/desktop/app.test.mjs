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

import { promptOf, startFakeModel } from "./fake-model.mjs";

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

/** Clicks `element` after bringing it to the middle of the window: typing scrolls a field to the
 *  top edge, under the sticky top bar, where WebDriver refuses to click what sits beside it. */
async function clickCentered(element) {
  await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", element);
  await element.click();
}

/** Saves a screenshot of the page. WebKitWebDriver's screenshot waits for the page's next
 *  rendering update, which an idle page never makes when WebKit draws without GPU compositing
 *  (the app's choice on a machine with no GPU, src-tauri/src/rendering.rs); a 1 px element
 *  changing while the screenshot is taken makes one. */
async function shot(name) {
  mkdirSync(SHOTS, { recursive: true });
  await driver.executeScript(`
    const tick = document.createElement('div');
    tick.id = 'e2e-repaint';
    tick.style.cssText = 'position:fixed;right:0;bottom:0;width:1px;height:1px;opacity:0.01';
    document.body.appendChild(tick);
    let n = 0;
    window.__e2eRepaint = setInterval(() => (tick.style.opacity = n++ % 2 ? '0.01' : '0.02'), 30);`);
  try {
    writeFileSync(join(SHOTS, `${name}.png`), await driver.takeScreenshot(), "base64");
  } finally {
    await driver.executeScript("clearInterval(window.__e2eRepaint); document.getElementById('e2e-repaint')?.remove();");
  }
}

/** Answers the app's GTK "Save File" dialog, which is outside the page and so out of WebDriver's
 *  reach, the way a user does: in its Name field, types the whole path, then presses Enter. */
async function answerSaveDialog(path) {
  const xdotool = (...args) => execFileSync("xdotool", args, { encoding: "utf8" }).trim();
  let dialog = "";
  await driver.wait(() => {
    try {
      dialog = xdotool("search", "--onlyvisible", "--name", "^Save File$").split("\n")[0];
    } catch {
      dialog = ""; // xdotool exits 1 while no window matches
    }
    return dialog !== "";
  }, WAIT, "the save dialog opened");
  xdotool("windowfocus", "--sync", dialog);
  xdotool("key", "--clearmodifiers", "ctrl+a");
  xdotool("type", "--delay", "10", path);
  xdotool("key", "Return");
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

/** Picks `value` in the <select> `id` the way a user does (clicking its option). */
async function choose(id, value) {
  const select = await find(id);
  await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", select);
  await select.findElement(By.css(`option[value="${value}"]`)).click();
  await driver.wait(async () => (await select.getAttribute("value")) === value, WAIT, `${id} shows ${value}`);
}

/** Saves the settings and waits until the store file's settings pass `saved`. */
async function saveSettings(saved, what) {
  await (await find("settings-save")).click();
  await driver.wait(async () => {
    try {
      return saved(JSON.parse(readStore()).settings ?? {});
    } catch {
      return false;
    }
  }, WAIT, `the store file holds ${what}`);
  await driver.wait(async () => (await driver.findElements(byTest("settings-unsaved"))).length === 0, WAIT,
    "no unsaved changes are left");
}

function keychainHas(profile) {
  try {
    return execFileSync("secret-tool", ["lookup", "service", "dev.sightline.app", "username", profile], { encoding: "utf8" });
  } catch {
    return null;
  }
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

test("the chart toolbar saves the chart as an SVG file with the chart in it", async () => {
  const question = "Show monthly revenue for last year";
  const expected = cliAnswer(question);
  await ask(question, expected);
  await (await find("tab-chart")).click();
  await driver.wait(until.elementLocated(By.css('[data-testid="chart"] .main-svg')), WAIT, "the chart is drawn");
  const saved = join(HOME, "exports", "revenue.svg");
  mkdirSync(join(HOME, "exports"), { recursive: true });
  // The toolbar shows while the pointer is over the chart.
  const chart = await find("chart");
  await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", chart);
  await driver.actions().move({ origin: chart }).perform();
  await (await driver.findElement(By.css('.modebar-btn[data-title="Save chart as SVG"]'))).click();
  await answerSaveDialog(saved);
  await driver.wait(async () => (await textOf("notice")).includes(saved), WAIT, "the app says where it saved the chart");

  const svg = readFileSync(saved, "utf8");
  assert.match(svg, /^<svg[^>]* xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, "the file is an SVG document");
  // WebKit's own XML parser and image decoder read the file back: a well-formed SVG whose
  // traces, title and points are the chart's.
  const read = await driver.executeAsyncScript(`
    const [text, done] = [arguments[0], arguments[arguments.length - 1]];
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const image = new Image();
    const facts = {
      parseError: doc.querySelector('parsererror')?.textContent ?? null,
      root: doc.documentElement.localName,
      traces: doc.querySelectorAll('g.trace').length,
      points: doc.querySelectorAll('g.trace .point').length,
      text: Array.from(doc.querySelectorAll('text'), (t) => t.textContent).join(' | '),
    };
    image.onload = () => done({ ...facts, width: image.naturalWidth, height: image.naturalHeight });
    image.onerror = () => done({ ...facts, width: 0, height: 0 });
    image.src = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));`, svg);
  assert.equal(read.parseError, null, "the SVG is well-formed XML");
  assert.equal(read.root, "svg");
  assert.ok(read.width > 0 && read.height > 0, `WebKit draws the file as an image (${read.width}×${read.height})`);
  const figure = expected.visualization;
  assert.equal(read.traces, figure.data.length, "as many traces as the engine's figure");
  assert.match(figure.data[0].mode ?? "", /markers/, "the engine draws this chart's values as markers");
  assert.equal(read.points, figure.data[0].y.length, "one point per value of the first trace");
  const title = figure.layout.title?.text ?? figure.layout.title;
  assert.ok(read.text.includes(title), `the chart's title "${title}" is in the file`);

  // The header's "Chart PNG" button takes the same way out.
  const png = join(HOME, "exports", "revenue.png");
  await (await find("export-png")).click();
  await answerSaveDialog(png);
  await driver.wait(() => existsSync(png), WAIT, "the PNG is saved");
  assert.deepEqual([...readFileSync(png).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG file");
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
  await choose("settings-model-profile", "groq");
  await saveSettings((s) => s.model_profile === "groq", "the groq profile");
  await driver.wait(async () => (await textOf("key-status")).includes('"groq"'), 15_000,
    "the key row speaks of the chosen profile").catch(async (e) => {
    await shot("failed-key-profile");
    throw e;
  });
  assert.equal(await (await find("key-status")).getAttribute("data-set"), "false", "no key at first");
  await (await find("key-input")).sendKeys(key);
  await clickCentered(await find("key-set"));
  await driver.wait(async () => (await (await find("key-status")).getAttribute("data-set")) === "true", WAIT,
    "the window says a key is set");
  assert.equal(keychainHas("groq"), key, "the system keychain holds the key");
  assert.ok(!readStore().includes(key), "the settings file never holds the key");
  const webStorage = await driver.executeScript(
    "return JSON.stringify(Object.assign({}, localStorage)) + JSON.stringify(Object.assign({}, sessionStorage))");
  assert.ok(!webStorage.includes(key), "web storage never holds the key");
  assert.ok(!(await driver.getPageSource()).includes(key), "the page never shows the key");
  assert.equal(await (await find("key-input")).getAttribute("value"), "", "the key field is emptied");
  // For the screenshot: the sandbox status checked, the passing notice hidden.
  await driver.wait(until.elementLocated(By.css('[data-testid="sandbox-status"] li')), WAIT, "the sandbox status is shown");
  await driver.executeScript("const t = document.querySelector('.toast'); if (t) t.style.visibility = 'hidden';");
  await driver.sleep(500); // WebKitGTK under Xvfb paints a moment after the DOM changes
  await shot("04-settings");
  await clickCentered(await find("key-clear"));
  await driver.wait(async () => (await (await find("key-status")).getAttribute("data-set")) === "false", WAIT,
    "the window says no key is set");
  await driver.wait(async () => keychainHas("groq") === null, WAIT, "clearing removes the key from the keychain");
  // Back to the offline planner for the tests that follow.
  await choose("settings-model-profile", "offline");
  await saveSettings((s) => s.model_profile === "offline", "the offline planner");
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

/** The analysis a model writes for the forecast question (a least-squares line), run in Docker;
 *  the engine's analyst tests replay the same file. */
const LINEAR_FORECAST = readFileSync(new URL("../fixtures/linear_forecast.py", import.meta.url), "utf8");

test("a custom profile on an OpenAI-compatible server writes the SQL, the analysis and the chart, and the answer says what was sent", async () => {
  const regionSql =
    "SELECT customers.region AS region, SUM(orders.amount) AS revenue FROM orders JOIN customers ON orders.customer_id = customers.id WHERE orders.status = 'completed' GROUP BY customers.region ORDER BY revenue DESC";
  const westSql =
    "SELECT strftime('%Y-%m', orders.order_date) AS month, SUM(orders.amount) AS revenue FROM orders JOIN customers ON orders.customer_id = customers.id WHERE orders.status = 'completed' AND customers.region = 'West' GROUP BY month ORDER BY month";
  const monthlySql =
    "SELECT strftime('%Y-%m-01', order_date) AS month, SUM(amount) AS revenue FROM orders WHERE status = 'completed' AND order_date >= '2025-01-01' AND order_date < '2026-01-01' GROUP BY 1 ORDER BY 1";
  const model = await startFakeModel({
    sql: [
      { sql: regionSql, explanation: "Revenue of completed orders per customer region." },
      { sql: westSql, explanation: "Monthly revenue of completed orders in the West region." },
      { sql: monthlySql, explanation: "Monthly revenue of completed orders in 2025." },
      { code: LINEAR_FORECAST, explanation: "A least-squares line through the months, carried 3 months on." },
      {
        title: "Revenue in 2025 and the next 3 months",
        traces: [{ index: 0, type: "bar", name: "Revenue in 2025", color: "#2ca02c" }],
        explanation: "Bars for the months, the forecast as a line.",
      },
    ],
    models: ["fake-llama", "fake-llama-small"],
  });
  const key = `sk-fake-e2e-${process.pid}-${Date.now()}`;
  try {
    await openSettings();
    await (await find("profile-add")).click();
    await replaceText(await find("profile-name"), "fake model");
    await driver.wait(async () => (await driver.findElements(By.css('[data-testid="profile-editor"] .field-error'))).length > 0,
      WAIT, "a name with a space is refused next to the field");
    assert.ok(!(await (await find("profile-done")).isEnabled()), "Done waits for a usable profile");
    await (await find("profile-name")).sendKeys(Key.ENTER);
    assert.equal((await driver.findElements(byTest("profile-editor"))).length, 1, "Enter does not take a bad profile either");
    await replaceText(await find("profile-name"), "fake");
    await choose("profile-provider", "custom");
    await replaceText(await find("profile-base-url"), model.baseUrl);
    await replaceText(await find("profile-model"), "fake-llama");
    await clickCentered(await find("profile-done"));
    await driver.wait(async () => (await (await find("settings-model-profile")).getAttribute("value")) === "fake", WAIT,
      "the new profile is the chosen one");
    await saveSettings((s) => s.model_profile === "fake", "the fake profile");
    const stored = JSON.parse(readStore()).settings;
    assert.equal(stored.model_profile, "fake");
    assert.deepEqual(stored.profiles, [{ name: "fake", provider: "custom", base_url: model.baseUrl, model: "fake-llama" }]);

    // Its key goes to the keychain under the profile's name, and reaches the server as a bearer token.
    await driver.wait(async () => (await textOf("key-status")).includes('"fake"'), WAIT, "the key row is the profile's");
    // Enter in the key field sets the key (and does not submit the settings form).
    await (await find("key-input")).sendKeys(key, Key.ENTER);
    await driver.wait(async () => (await (await find("key-status")).getAttribute("data-set")) === "true", WAIT, "a key is set");
    assert.equal(keychainHas("fake"), key);

    await clickCentered(await find("llm-test"));
    const result = await find("llm-test-result");
    await driver.wait(async () => (await result.getAttribute("data-ok")) === "true", WAIT, "Test connection succeeds");
    const said = await textOf("llm-test-result");
    assert.match(said, /llm:custom:fake-llama/);
    assert.match(said, /\d+ ms/);
    assert.match(said, /2 models listed: fake-llama, fake-llama-small/);
    assert.match(said, /ready/);
    // The language-model section at the top of the window, without the passing notice.
    await driver.executeScript(`
      const section = arguments[0];
      window.scrollTo(0, section.getBoundingClientRect().top + window.scrollY - document.querySelector('.topbar').offsetHeight - 12);
      const toast = document.querySelector('.toast');
      if (toast) toast.style.visibility = 'hidden';
    `, await find("llm-settings"));
    await shot("05-settings-model");

    // The question: the model writes the SQL; the answer names it and lists what it was sent.
    await openSample();
    await (await find("nav-ask")).click();
    const input = await find("question-input");
    await replaceText(input, "Total revenue by region");
    await input.sendKeys(Key.ENTER);
    const answer = By.css('[data-testid="answer-method"][data-method="llm:custom:fake-llama"]');
    await driver.wait(until.elementLocated(answer), WAIT, "the answer is the model's").catch(async (e) => {
      await shot("failed-model-answer");
      throw e;
    });
    assert.match(await textOf("answer-method"), /SQL written by the model fake-llama \(custom\)/);
    await (await find("tab-sql")).click();
    assert.equal(await (await find("sql-editor")).getAttribute("value"), regionSql, "the SQL tab shows the model's SQL");
    await (await find("tab-data")).click();
    const grid = await textOf("grid");
    for (const region of ["West", "East", "North", "South"]) assert.ok(grid.includes(region), `the grid shows ${region}`);

    const sent = await find("sent-to-model");
    await sent.findElement(By.css("summary")).click();
    assert.match(await textOf("sent-tables"), /orders/);
    assert.match(await textOf("sent-tables"), /customers/);
    assert.ok(Number(await (await find("sent-columns")).getAttribute("data-count")) > 5, "the columns sent are counted");
    assert.match(await textOf("sent-columns"), /customers\.region/);
    assert.equal(await textOf("sent-samples"), "none — schema only");
    assert.equal(await textOf("sent-previous"), "not included");
    assert.match(await textOf("sent-requests"), /^1 call to the model, for: sql$/);
    await shot("06-answer-model");

    const chats = model.chats();
    assert.equal(chats.length, 2, "one chat for the test, one for the question");
    const asked = chats[1];
    assert.equal(asked.body.stream, true, "the SQL agent streams");
    assert.equal(asked.body.model, "fake-llama");
    assert.equal(asked.headers.authorization, `Bearer ${key}`, "the keychain's key reaches the server");
    assert.ok(!promptOf(asked).includes("West"), "schema only: no value from the data in the prompt");

    // A follow-up: the previous question and its SQL go along, and the answer says so.
    await (await find("follow-up-start")).click();
    await driver.wait(async () => (await textOf("follow-up-text")) === "Total revenue by region", WAIT, "the follow-up chip");
    await replaceText(await find("question-input"), "now only the West region, by month");
    await (await find("question-input")).sendKeys(Key.ENTER);
    await driver.wait(async () => {
      const shown = await driver.findElements(byTest("sent-previous"));
      return shown.length > 0 && (await driver.executeScript("return arguments[0].textContent", shown[0])).startsWith("included");
    }, WAIT, "the follow-up's answer lists the previous question as sent");
    const followed = model.chats()[2];
    assert.ok(promptOf(followed).includes("Total revenue by region"), "the previous question is in the prompt");
    assert.ok(promptOf(followed).includes(regionSql), "and its SQL");
    await (await find("tab-sql")).click();
    assert.equal(await (await find("sql-editor")).getAttribute("value"), westSql);
    await (await find("new-question")).click();

    // The model writes the analysis (Python, run in the Docker sandbox) and restyles its chart;
    // the forecast's own traces stay Sightline's.
    await openSettings();
    await choose("settings-analysis-author", "model");
    await choose("settings-chart-author", "model");
    await saveSettings((s) => s.analysis_author === "model" && s.chart_author === "model", "model-written analysis and chart");
    await (await find("nav-ask")).click();
    await replaceText(await find("question-input"), "Show monthly revenue for last year and forecast next 3 months");
    await (await find("question-input")).sendKeys(Key.ENTER);
    await driver.wait(async () => {
      const shown = await driver.findElements(byTest("sent-requests"));
      return shown.length > 0 &&
        /for: sql, analysis, chart$/.test(await driver.executeScript("return arguments[0].textContent", shown[0]));
    }, WAIT, "the model wrote the SQL, the analysis and the chart").catch(async (e) => {
      await shot("failed-model-analysis");
      throw e;
    });
    assert.match(await textOf("analysis-cards"), /numpy linear fit/, "the analysis card is the model's");
    let chart = null;
    await (await find("tab-chart")).click();
    await driver.wait(async () => (chart = await drawnChart()) !== null && chart.traces.length === 3, WAIT,
      "the restyled forecast chart is drawn");
    assert.equal(chart.traces[0].type, "bar", "the history drawn as bars, as the model asked");
    assert.equal(chart.traces[0].name, "Revenue in 2025", "the model's trace name");
    await driver.executeScript("const toast = document.querySelector('.toast'); if (toast) toast.style.visibility = 'hidden';");
    await shot("07-answer-model-analysis");
    await (await find("tab-python")).click();
    assert.match(await (await find("python-editor")).getAttribute("value"), /np\.polyfit/, "the Python tab shows the model's code");
    const [analysisChat, chartChat] = model.chats().slice(-2);
    assert.match(promptOf(analysisChat), /revenue \(number\)/, "the analyst is told the columns");
    assert.match(promptOf(chartChat), /Traces:/, "the chart request outlines Sightline's figure");
    const value = String(Math.trunc(chart.traces[0].y[0]));
    assert.ok(value.length >= 4 && !promptOf(chartChat).includes(value), `and carries no data value (${value})`);
    await openSettings();
    await choose("settings-analysis-author", "native");
    await choose("settings-chart-author", "native");
    await saveSettings((s) => s.analysis_author === "native" && s.chart_author === "native", "native analysis and chart");

    // Back to the offline planner; the key is cleared from the keychain.
    await openSettings();
    await choose("settings-model-profile", "fake");
    await clickCentered(await find("key-clear"));
    await driver.wait(async () => keychainHas("fake") === null, WAIT, "the key is cleared");
    await choose("settings-model-profile", "offline");
    await saveSettings((s) => s.model_profile === "offline", "the offline planner");
  } finally {
    await model.close();
  }
  const question = "Statistical summary of revenue by region";
  await (await find("nav-ask")).click();
  await ask(question, cliAnswer(question));
  assert.equal(await (await find("answer-method")).getAttribute("data-method"), "offline", "offline again");
});

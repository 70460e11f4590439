// The playground in a real browser (Chromium, driven by playwright-core), against a running
// `claimrules serve`:
//
//   PLAYGROUND_URL=http://127.0.0.1:8080 node web/tests/playground.test.mjs
//
// It types a policy with a misspelt fact name, sees the diagnostic at its line and column, fixes
// it, sees the diagnostic go, loads a sample claim with its button and sees the policy's deny
// finding with its message, and downloads the policy. It saves a screenshot of both states in
// docs/images/ (or in PLAYGROUND_SCREENSHOTS). Exit code 0 when all holds; 1 with the step that failed.
//
// CHROMIUM (default /usr/bin/chromium) is the browser to drive.

import { chromium } from "playwright-core";
import { mkdir, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const base = (process.env.PLAYGROUND_URL ?? "").replace(/\/+$/, "");
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const shots = resolve(process.env.PLAYGROUND_SCREENSHOTS ?? join(here, "..", "..", "docs", "images"));
const TIMEOUT = 15_000;

if (!base) {
  console.error("playground test: set PLAYGROUND_URL to the server's base URL (http://127.0.0.1:PORT)");
  process.exit(2);
}

const misspelt = "fluoroscopy_minuts";
const policyWith = (fact) => `# Playground test: a payer's rule on top of the standard pack.
codes "playground spinal guidance" are 77002, 77003
codes "playground epidurals" are 62320-62327

rule playground.short-spinal-guidance
  for each line in "playground spinal guidance"
  when claim has "playground epidurals" and ${fact} < 1
  deny "{code} on line {line}: under a minute of fluoroscopy for an epidural is not paid separately"
`;
const badPolicy = policyWith(misspelt);
const badLines = badPolicy.split("\n");
const expectedLine = badLines.findIndex((l) => l.includes(misspelt)) + 1;
const expectedColumn = badLines[expectedLine - 1].indexOf(misspelt) + 1;
const sampleFile = "fluoroscopy-76000-with-77003.json";
const expectedMessage = "77003 on line 2: under a minute of fluoroscopy for an epidural is not paid separately";

let step = "start the browser";
const browser = await chromium
  .launch({
    executablePath,
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
  })
  .catch((error) => {
    console.error(`playground test FAILED at step "${step}" (${executablePath}): ${error.message.split("\n")[0]}`);
    process.exit(1);
  });
const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
page.setDefaultTimeout(TIMEOUT);
const pageErrors = [];
page.on("pageerror", (error) => pageErrors.push(error.message));
page.on("console", (message) => {
  // A server without a favicon is not the page's fault.
  if (message.type() === "error" && !message.location().url.endsWith("/favicon.ico")) {
    pageErrors.push(message.text());
  }
});

function check(condition, message) {
  if (!condition) throw new Error(message);
}

try {
  step = `open ${base}/playground`;
  const response = await page.goto(`${base}/playground`);
  check(response?.ok(), `GET /playground answered ${response?.status()}`);
  await page.waitForSelector(`#samples button[data-file="${sampleFile}"]`);
  await page.waitForSelector('#diagnostics-status[data-state="done"]');
  await mkdir(shots, { recursive: true });

  step = "the highlighted overlay lines up with the textarea";
  const fonts = await page.evaluate(() => {
    const font = (id) => {
      const style = getComputedStyle(document.getElementById(id));
      return [style.fontFamily, style.fontSize, style.lineHeight, style.letterSpacing, style.tabSize].join(" / ");
    };
    return { overlay: font("policy-highlight"), input: font("policy") };
  });
  check(fonts.overlay === fonts.input, `the overlay's font (${fonts.overlay}) is not the textarea's (${fonts.input})`);

  step = "type a policy with a misspelt fact name";
  await page.fill("#policy", "");
  await page.focus("#policy");
  // Typed, not pasted: the diagnostics come from the debounced lint as the user types.
  await page.keyboard.insertText(badPolicy.slice(0, -40));
  await page.keyboard.type(badPolicy.slice(-40), { delay: 5 });

  step = `see the diagnostic for \`${misspelt}\` at line ${expectedLine}, column ${expectedColumn}`;
  const diagnostic = page.locator(".diagnostic-error", { hasText: misspelt });
  await diagnostic.first().waitFor();
  const line = await diagnostic.first().getAttribute("data-line");
  const column = await diagnostic.first().getAttribute("data-column");
  check(line === String(expectedLine), `the diagnostic is at line ${line}, not ${expectedLine}`);
  check(column === String(expectedColumn), `the diagnostic is at column ${column}, not ${expectedColumn}`);
  const marked = await page.locator("#policy-highlight .diag-error").allTextContents();
  check(marked.join("").includes(misspelt), `the editor marks ${JSON.stringify(marked)}, not \`${misspelt}\``);
  const gutter = page.locator(`#policy-gutter .gutter-error[data-line="${expectedLine}"]`);
  check((await gutter.count()) === 1, `the gutter has no error marker on line ${expectedLine}`);
  const status = await page.textContent("#diagnostics-status");
  check(/1 error/.test(status ?? ""), `the live region says ${JSON.stringify(status)}`);
  const help = await diagnostic.first().textContent();
  check(/fluoroscopy_minutes/.test(help ?? ""), `the diagnostic suggests no fix: ${JSON.stringify(help)}`);
  // The editor scrolled back to its start (typing the long last line scrolled it sideways).
  await page.evaluate(() => document.getElementById("policy").scrollTo(0, 0));
  await page.waitForFunction(() => document.querySelector(".highlight").style.transform === "translate(0px, 0px)");
  await page.screenshot({ path: join(shots, "playground-diagnostic.png") });

  step = "fix the fact name and see the diagnostic go";
  const offset = badPolicy.indexOf(misspelt);
  await page.focus("#policy");
  await page.evaluate(([start, end]) => {
    const input = document.getElementById("policy");
    input.setSelectionRange(start, end);
  }, [offset, offset + misspelt.length]);
  await page.keyboard.type("fluoroscopy_minutes", { delay: 5 });
  await page.waitForFunction(() => document.querySelectorAll(".diagnostic-error").length === 0);
  await page.waitForSelector('#diagnostics-status[data-state="done"]');
  await page.waitForFunction(() => /No problems/.test(document.getElementById("diagnostics-status")?.textContent ?? ""));
  check((await page.locator("#policy-highlight .diag-mark").count()) === 0, "the editor still marks a span");

  step = `load the sample claim ${sampleFile} and see the policy's deny`;
  await page.click(`#samples button[data-file="${sampleFile}"]`);
  const claimText = await page.inputValue("#claim");
  check(claimText.includes("CLM-FLUORO-1"), "the claim editor does not hold the sample claim");
  const finding = page.locator('.finding[data-rule="playground.short-spinal-guidance"][data-action="deny"]');
  await finding.first().waitFor();
  const findingText = await finding.first().textContent();
  check(findingText?.includes(expectedMessage), `the finding reads ${JSON.stringify(findingText)}`);
  // The rule's action is on line 8, column 3 of the policy (whatever the server calls its file).
  check(/:8:3\b/.test(findingText ?? ""), `the finding does not cite line 8, column 3: ${JSON.stringify(findingText)}`);
  const results = await page.textContent("#results-status");
  check(/CLM-FLUORO-1: deny/.test(results ?? ""), `the results' live region says ${JSON.stringify(results)}`);
  await page.screenshot({ path: join(shots, "playground-deny.png"), fullPage: true });

  step = "download the policy";
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  check(download.suggestedFilename() === "playground.policy", `the download is named ${download.suggestedFilename()}`);
  const saved = await readFile(await download.path(), "utf8");
  check(saved === policyWith("fluoroscopy_minutes"), `the downloaded policy differs from the editor's: ${JSON.stringify(saved.slice(0, 200))}`);

  step = "no script errors";
  check(pageErrors.length === 0, `the page logged errors: ${pageErrors.join(" | ")}`);

  console.log(`playground test passed; screenshots in ${shots}`);
  await browser.close();
  process.exit(0);
} catch (error) {
  let where = "";
  try {
    const dir = await mkdtemp(join(tmpdir(), "playground-failure-"));
    await page.screenshot({ path: join(dir, "failure.png"), fullPage: true });
    where = ` (screenshot of the page: ${join(dir, "failure.png")})`;
  } catch {
    // No screenshot; the message says enough.
  }
  console.error(`playground test FAILED at step "${step}": ${error.message}${where}`);
  if (pageErrors.length > 0) console.error(`page errors: ${pageErrors.join(" | ")}`);
  await browser.close();
  process.exit(1);
}

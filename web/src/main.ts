// The playground page: a policy editor with highlighting and live diagnostics, a claim editor,
// sample claims, running the policy on the claim, and downloading the policy.

import { isPlaygroundPolicy, lint, loadSamples, tryPolicy, type Diagnostic, type Sample } from "./api";
import { byId, el, richText } from "./dom";
import { columnToOffset, renderHighlighted, wordEnd, type LineMark } from "./highlight";
import { renderResult, summarize } from "./results";
import { SAMPLE_POLICY } from "./sample-policy";

const LINT_DELAY_MS = 300;
const RUN_DELAY_MS = 600;

const policyInput = byId<HTMLTextAreaElement>("policy");
const policyHighlight = byId<HTMLElement>("policy-highlight");
// The <pre> around the highlighted <code>: moved with the textarea's scrolling (a transform does
// not apply to the inline <code>).
const policyOverlay = policyHighlight.parentElement as HTMLElement;
const policyGutter = byId<HTMLElement>("policy-gutter");
const claimInput = byId<HTMLTextAreaElement>("claim");
const claimStatus = byId<HTMLElement>("claim-status");
const diagStatus = byId<HTMLElement>("diagnostics-status");
const diagList = byId<HTMLOListElement>("diagnostics");
const resultsStatus = byId<HTMLElement>("results-status");
const resultsBox = byId<HTMLElement>("results");
const runButton = byId<HTMLButtonElement>("run");
const runOnChange = byId<HTMLInputElement>("run-on-change");
const explainBox = byId<HTMLInputElement>("explain");
const downloadButton = byId<HTMLButtonElement>("download");
const samplesBox = byId<HTMLElement>("samples");

let diagnostics: Diagnostic[] = [];

/** Whether a diagnostic's position is in the editor's text (and not in a file of a pack). */
function inEditor(d: Diagnostic): boolean {
  return d.line !== null && d.column !== null && (d.file == null || isPlaygroundPolicy(d.file));
}

// ---------------------------------------------------------------- the policy editor

/** The spans of the diagnostics, per 0-based line, in UTF-16 offsets. */
function diagnosticMarks(text: string): Map<number, LineMark[]> {
  const lines = text.split("\n");
  const marks = new Map<number, LineMark[]>();
  const add = (index: number, mark: LineMark) => {
    const list = marks.get(index) ?? [];
    list.push(mark);
    marks.set(index, list);
  };
  for (const d of diagnostics) {
    if (!inEditor(d) || d.line === null || d.column === null) continue;
    const first = Math.min(Math.max(d.line - 1, 0), lines.length - 1);
    const title = d.label ? `${d.message}: ${d.label}` : d.message;
    const start = columnToOffset(lines[first], d.column);
    const endLine = d.end_line ? Math.min(d.end_line - 1, lines.length - 1) : first;
    if (endLine > first) {
      add(first, { start, end: lines[first].length, severity: d.severity, title });
      for (let i = first + 1; i < endLine; i++) add(i, { start: 0, end: lines[i].length, severity: d.severity, title });
      add(endLine, { start: 0, end: columnToOffset(lines[endLine], d.end_column ?? 1), severity: d.severity, title });
      continue;
    }
    let end = d.end_column ? columnToOffset(lines[first], d.end_column) : wordEnd(lines[first], start);
    if (end <= start) end = start + 1;
    add(first, { start, end, severity: d.severity, title });
  }
  return marks;
}

function renderPolicy(): void {
  const text = policyInput.value;
  policyHighlight.innerHTML = renderHighlighted(text, diagnosticMarks(text));
  // The gutter: line numbers, and a marker on each line with a diagnostic.
  const count = text.split("\n").length;
  const byLine = new Map<number, Diagnostic[]>();
  for (const d of diagnostics) {
    if (!inEditor(d) || d.line === null) continue;
    byLine.set(d.line, [...(byLine.get(d.line) ?? []), d]);
  }
  const rows: HTMLElement[] = [];
  for (let n = 1; n <= count; n++) {
    const here = byLine.get(n) ?? [];
    const severity = here.some((d) => d.severity === "error") ? "error" : here.length > 0 ? "warning" : null;
    rows.push(
      el(
        "div",
        { class: `gutter-line${severity ? ` gutter-${severity}` : ""}`, title: here.map((d) => d.message).join("\n") || undefined, "data-line": String(n) },
        severity ? el("span", { class: "gutter-marker" }, severity === "error" ? "●" : "▲") : null,
        String(n),
      ),
    );
  }
  policyGutter.replaceChildren(...rows);
  syncScroll();
}

function syncScroll(): void {
  const { scrollTop, scrollLeft } = policyInput;
  policyOverlay.style.transform = `translate(${-scrollLeft}px, ${-scrollTop}px)`;
  policyGutter.style.transform = `translateY(${-scrollTop}px)`;
}

/** Moves the caret to a 1-based line and column of the policy, and shows it. */
function goToPolicy(line: number, column: number): void {
  const lines = policyInput.value.split("\n");
  const index = Math.min(Math.max(line - 1, 0), lines.length - 1);
  let offset = 0;
  for (let i = 0; i < index; i++) offset += lines[i].length + 1;
  offset += Math.min(columnToOffset(lines[index], column), lines[index].length);
  policyInput.focus();
  policyInput.setSelectionRange(offset, offset);
  const lineHeight = parseFloat(getComputedStyle(policyInput).lineHeight) || 20;
  const target = index * lineHeight;
  if (target < policyInput.scrollTop || target > policyInput.scrollTop + policyInput.clientHeight - lineHeight * 2) {
    policyInput.scrollTop = Math.max(0, target - policyInput.clientHeight / 3);
  }
  syncScroll();
}

// ---------------------------------------------------------------- diagnostics

function renderDiagnostics(): void {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  diagList.replaceChildren(
    ...diagnostics.map((d) => {
      const position = d.line !== null ? `line ${d.line}${d.column !== null ? `, column ${d.column}` : ""}` : "no position";
      const where = d.file != null && !isPlaygroundPolicy(d.file) ? `${d.file}, ${position}` : position;
      const jump = el("button", { type: "button", class: "link diag-where" }, where);
      if (inEditor(d)) jump.addEventListener("click", () => goToPolicy(d.line ?? 1, d.column ?? 1));
      else jump.disabled = true;
      return el(
        "li",
        { class: `diagnostic diagnostic-${d.severity}`, "data-line": d.line !== null ? String(d.line) : undefined, "data-column": d.column !== null ? String(d.column) : undefined },
        el("span", { class: `badge badge-${d.severity}` }, d.severity),
        " ",
        jump,
        " ",
        el("span", { class: "diag-message" }, richText(d.message)),
        d.label ? el("span", { class: "diag-label" }, " (", richText(d.label), ")") : null,
        d.help ? el("p", { class: "diag-help" }, el("span", { class: "help-tag" }, "help: "), richText(d.help)) : null,
        d.code ? el("p", { class: "diag-code muted" }, d.code) : null,
      );
    }),
  );
  if (diagnostics.length === 0) {
    diagStatus.textContent = "No problems in the policy.";
  } else {
    const first = diagnostics[0];
    diagStatus.textContent =
      `${errors} ${errors === 1 ? "error" : "errors"}, ${warnings} ${warnings === 1 ? "warning" : "warnings"}.` +
      ` First: ${first.line !== null ? `line ${first.line}: ` : ""}${first.message}`;
  }
  diagStatus.dataset.errors = String(errors);
  diagStatus.dataset.warnings = String(warnings);
}

let lintTimer: number | undefined;
let lintController: AbortController | undefined;
let lintSeq = 0;

async function runLint(): Promise<void> {
  lintController?.abort();
  const controller = new AbortController();
  lintController = controller;
  const seq = ++lintSeq;
  const text = policyInput.value;
  try {
    const response = await lint(text, controller.signal);
    if (seq !== lintSeq) return;
    diagnostics = response.diagnostics;
    renderDiagnostics();
    renderPolicy();
    diagStatus.dataset.state = "done";
  } catch (error) {
    if (controller.signal.aborted) return;
    diagStatus.textContent = `Could not check the policy: ${(error as Error).message}`;
    diagStatus.dataset.state = "failed";
  }
}

function scheduleLint(): void {
  window.clearTimeout(lintTimer);
  diagStatus.dataset.state = "pending";
  lintTimer = window.setTimeout(() => void runLint(), LINT_DELAY_MS);
}

// ---------------------------------------------------------------- running

let runTimer: number | undefined;
let runController: AbortController | undefined;
let runSeq = 0;

function readClaim(): unknown | undefined {
  const text = claimInput.value.trim();
  if (text === "") {
    claimStatus.textContent = "Paste a claim (JSON), or load a sample claim.";
    return undefined;
  }
  try {
    const value = JSON.parse(text) as unknown;
    claimStatus.textContent = "";
    claimInput.removeAttribute("aria-invalid");
    return value;
  } catch (error) {
    claimStatus.textContent = `The claim is not valid JSON: ${(error as Error).message}`;
    claimInput.setAttribute("aria-invalid", "true");
    return undefined;
  }
}

async function run(): Promise<void> {
  const claims = readClaim();
  if (claims === undefined) {
    resultsStatus.textContent = "Nothing to run: the claim editor has no valid claim.";
    return;
  }
  runController?.abort();
  const controller = new AbortController();
  runController = controller;
  const seq = ++runSeq;
  resultsStatus.dataset.state = "running";
  resultsBox.setAttribute("aria-busy", "true");
  try {
    const response = await tryPolicy(policyInput.value, claims, explainBox.checked, controller.signal);
    if (seq !== runSeq) return;
    const errors = response.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) {
      resultsBox.replaceChildren(
        el("p", { class: "muted" }, `The policy has ${errors.length === 1 ? "an error" : `${errors.length} errors`}; fix ${errors.length === 1 ? "it" : "them"} (see Problems) to run it.`),
      );
      resultsStatus.textContent = `Not run: the policy has ${errors.length === 1 ? "an error" : `${errors.length} errors`}.`;
    } else {
      resultsBox.replaceChildren(...response.results.map((r) => renderResult(r, goToPolicy)));
      resultsStatus.textContent = summarize(response.results);
    }
    resultsStatus.dataset.state = "done";
  } catch (error) {
    if (controller.signal.aborted) return;
    resultsStatus.textContent = `Could not run: ${(error as Error).message}`;
    resultsStatus.dataset.state = "failed";
  } finally {
    if (seq === runSeq) resultsBox.removeAttribute("aria-busy");
  }
}

function scheduleRun(): void {
  // Nothing to run yet: no claim. (Run says so; typing a policy does not.)
  if (!runOnChange.checked || claimInput.value.trim() === "") return;
  window.clearTimeout(runTimer);
  runTimer = window.setTimeout(() => void run(), RUN_DELAY_MS);
}

// ---------------------------------------------------------------- samples and download

/** JSON on one line, spaced as people write it. */
function flatJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(flatJson).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return entries.length === 0 ? "{}" : `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${flatJson(v)}`).join(", ")} }`;
}

/** JSON with two-space indents, each object or array that fits in `width` on one line. */
function formatJson(value: unknown, indent = "", used = 0, width = 100): string {
  const flat = flatJson(value);
  if (value === null || typeof value !== "object" || indent.length + used + flat.length <= width) return flat;
  const inner = `${indent}  `;
  const items = Array.isArray(value)
    ? value.map((v) => `${inner}${formatJson(v, inner, 1)}`)
    : Object.entries(value as Record<string, unknown>).map(([k, v]) => {
        const key = `${JSON.stringify(k)}: `;
        return `${inner}${key}${formatJson(v, inner, key.length + 1)}`;
      });
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return `${open}\n${items.join(",\n")}\n${indent}${close}`;
}

function renderSamples(samples: Sample[]): void {
  samplesBox.replaceChildren(
    ...samples.map((sample) => {
      const button = el("button", { type: "button", class: "sample", title: sample.file, "data-file": sample.file }, sample.label);
      button.addEventListener("click", () => {
        claimInput.value = `${formatJson(sample.claim)}\n`;
        claimStatus.textContent = `Loaded ${sample.file}.`;
        claimInput.removeAttribute("aria-invalid");
        void run();
      });
      return button;
    }),
  );
}

function download(): void {
  const blob = new Blob([policyInput.value], { type: "text/plain;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: "playground.policy", class: "visually-hidden" }, "download");
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ---------------------------------------------------------------- wiring

policyInput.value = SAMPLE_POLICY;
renderPolicy();
renderDiagnostics();
void runLint();

policyInput.addEventListener("input", () => {
  renderPolicy();
  scheduleLint();
  scheduleRun();
});
policyInput.addEventListener("scroll", syncScroll);
claimInput.addEventListener("input", scheduleRun);
runButton.addEventListener("click", () => void run());
explainBox.addEventListener("change", () => {
  if (resultsStatus.dataset.state === "done") void run();
});
runOnChange.addEventListener("change", scheduleRun);
downloadButton.addEventListener("click", download);
// Ctrl+Enter (Cmd+Enter) in either editor runs.
for (const input of [policyInput, claimInput]) {
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void run();
    }
  });
}
new ResizeObserver(syncScroll).observe(policyInput);

loadSamples()
  .then(renderSamples)
  .catch((error: Error) => {
    samplesBox.replaceChildren(el("p", { class: "muted" }, `Could not load the sample claims: ${error.message}`));
  });

// Built by web/scripts/build.mjs from web/src; do not edit (cd web && npm run build).

// <define:__KEYWORDS__>
var define_KEYWORDS_default = ["CCI", "a", "abbreviation", "across", "add", "add-on", "after", "age", "allowed", "an", "and", "another", "apply", "approach", "are", "as", "before", "between", "boolean", "born", "by", "bypass", "calendar", "case", "change", "charge", "claim", "claims", "code", "codes", "column", "comparison", "cue", "date", "day", "days", "denied", "deny", "derived", "description", "diagnoses", "diagnosis", "different", "disable", "documented", "each", "earlier", "edits", "effective", "equipment", "expect", "extends", "fact", "false", "far", "fee", "finding", "for", "from", "given", "has", "history", "implies", "in", "including", "indicators", "info", "is", "keyed", "lifetime", "limits", "line", "lines", "list", "means", "measures", "member", "merge", "message", "missing", "modifier", "modifiers", "modify", "month", "months", "more", "no", "not", "npi", "number", "of", "on", "one", "or", "other", "override", "owns", "pack", "pair", "patient", "payer", "per", "phrase", "place", "pointers", "procedure", "procedures", "provider", "reason", "remove", "review", "row", "rule", "s", "same", "schedule", "service", "session", "sex", "site", "so", "source", "status", "suggest", "table", "taxonomy", "term", "test", "text", "than", "the", "to", "true", "unit", "units", "unless", "until", "version", "when", "where", "with", "within", "year", "years", "yes"];

// src/api.ts
var POLICY_PATH = "playground.policy";
function isPlaygroundPolicy(file) {
  return file === POLICY_PATH || file.endsWith(`/${POLICY_PATH}`);
}
async function postJson(url, body, signal) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal
  });
  if (!response.ok) {
    let detail = "";
    try {
      detail = (await response.text()).trim();
    } catch {
    }
    throw new Error(`${url} answered ${response.status}${detail ? `: ${detail.slice(0, 300)}` : ""}`);
  }
  return await response.json();
}
function lint(policy, signal) {
  return postJson("/v1/lint", { policy, path: POLICY_PATH }, signal);
}
function tryPolicy(policy, claims, explain, signal) {
  return postJson("/v1/try", { policy, claims, explain }, signal);
}
async function loadSamples() {
  const response = await fetch("/playground/samples.json");
  if (!response.ok) throw new Error(`samples.json answered ${response.status}`);
  return await response.json();
}

// src/dom.ts
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === void 0 || value === false) continue;
    if (name === "class") node.className = String(value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === void 0 || child === false) continue;
    node.append(child);
  }
  return node;
}
function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node;
}
function richText(text) {
  const fragment = document.createDocumentFragment();
  const parts = text.split(/(``[^`]+``|`[^`\n]+`)/);
  for (const part of parts) {
    if (part === "") continue;
    const quoted = /^``([^`]+)``$/.exec(part) ?? /^`([^`]+)`$/.exec(part);
    fragment.append(quoted ? el("code", {}, quoted[1]) : part);
  }
  return fragment;
}

// src/highlight.ts
var KEYWORDS = new Set(define_KEYWORDS_default);
var ACTIONS = /* @__PURE__ */ new Set(["deny", "review", "suggest", "modify", "info", "allowed", "denied"]);
var BEFORE_RULE_ID = /* @__PURE__ */ new Set(["rule", "as"]);
var WORD = /[A-Za-z_][A-Za-z0-9_]*(?:[.-][A-Za-z0-9_*]+)*\*?/y;
var NUMBERISH = /[0-9][A-Za-z0-9]*(?:[.-][A-Za-z0-9]+)*\*?/y;
var OP = /<=|>=|!=|[=<>(),]/y;
var PARAM = /\{[A-Za-z_][A-Za-z0-9_]*\}/y;
function matchAt(re, text, at) {
  re.lastIndex = at;
  const m = re.exec(text);
  return m ? m[0] : null;
}
function classifyNumberish(word) {
  if (/^-?[0-9]+(\.[0-9]+)?$/.test(word) && word.replace(/[^0-9]/g, "").length < 5) {
    return "number";
  }
  if (/^[0-9]+-[0-9]+-[0-9]+$/.test(word)) return "number";
  if (/^[0-9]+(\.[0-9]+)+$/.test(word)) return "number";
  return "code";
}
function classifyWord(word, prev) {
  if (prev !== null && BEFORE_RULE_ID.has(prev) && !KEYWORDS.has(word)) return "ruleid";
  if (KEYWORDS.has(word)) return ACTIONS.has(word) ? "action" : "keyword";
  if (/^(code|diagnosis)\.[A-Za-z_]/.test(word)) return "attr";
  if (!/[a-z]/.test(word)) return "code";
  if (word.includes("-")) return "ruleid";
  return "fact";
}
function tokenizeLine(line) {
  const out = [];
  let prevWord = null;
  let i = 0;
  const push = (start, end, cls) => {
    const last = out[out.length - 1];
    if (last && last.cls === cls && last.end === start) last.end = end;
    else out.push({ start, end, cls });
  };
  while (i < line.length) {
    const ch = line[i];
    if (ch === "#") {
      push(i, line.length, "comment");
      break;
    }
    if (ch === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === "\\" ? 2 : 1;
      const end = Math.min(j + 1, line.length);
      const body = line.slice(i, end);
      const ph = /\{[A-Za-z_][A-Za-z0-9_.]*\}/g;
      let k = 0;
      let m;
      while ((m = ph.exec(body)) !== null) {
        if (m.index > k) push(i + k, i + m.index, "string");
        push(i + m.index, i + m.index + m[0].length, "placeholder");
        k = m.index + m[0].length;
      }
      if (k < body.length) push(i + k, end, "string");
      i = end;
      prevWord = null;
      continue;
    }
    const param = ch === "{" ? matchAt(PARAM, line, i) : null;
    if (param !== null) {
      push(i, i + param.length, "placeholder");
      i += param.length;
      prevWord = null;
      continue;
    }
    if (ch === " " || ch === "	" || ch === "\r") {
      push(i, i + 1, "plain");
      i++;
      continue;
    }
    const num = /[0-9]/.test(ch) || ch === "-" && /[0-9]/.test(line[i + 1] ?? "") ? matchAt(NUMBERISH, line, ch === "-" ? i + 1 : i) : null;
    if (num !== null) {
      const len = num.length + (ch === "-" ? 1 : 0);
      push(i, i + len, classifyNumberish(line.slice(i, i + len)));
      i += len;
      prevWord = null;
      continue;
    }
    const word = matchAt(WORD, line, i);
    if (word !== null) {
      const cls = classifyWord(word, prevWord);
      push(i, i + word.length, cls);
      i += word.length;
      prevWord = cls === "ruleid" && prevWord === "as" ? "as" : word;
      continue;
    }
    const op = matchAt(OP, line, i);
    if (op !== null) {
      push(i, i + op.length, "op");
      i += op.length;
      if (op !== ",") prevWord = null;
      continue;
    }
    push(i, i + 1, "plain");
    i++;
  }
  return out;
}
function escapeHtml(s) {
  return s.replace(/[&<>"]/g, (c) => c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;");
}
function renderHighlighted(text, marks) {
  const lines = text.split("\n");
  const html = [];
  lines.forEach((line, index) => {
    const segs = tokenizeLine(line);
    const lineMarks = marks.get(index) ?? [];
    const cuts = /* @__PURE__ */ new Set();
    for (const m of lineMarks) {
      cuts.add(Math.max(0, Math.min(m.start, line.length)));
      cuts.add(Math.max(0, Math.min(m.end, line.length)));
    }
    const pieces = [];
    for (const seg of segs) {
      let s = seg.start;
      const points = [...cuts].filter((c) => c > seg.start && c < seg.end).sort((a, b) => a - b);
      for (const p of [...points, seg.end]) {
        pieces.push(wrap(line.slice(s, p), seg.cls, markAt(lineMarks, s, p)));
        s = p;
      }
    }
    const tail = lineMarks.find((m) => m.start >= line.length);
    if (tail) pieces.push(wrap(" ", "plain", tail));
    html.push(pieces.join(""));
  });
  return html.join("\n") + "\n";
}
function markAt(marks, start, end) {
  const covering = marks.filter((m) => m.start < end && m.end > start);
  return covering.find((m) => m.severity === "error") ?? covering[0];
}
function wrap(text, cls, mark) {
  if (text === "") return "";
  const classes = cls === "plain" ? [] : [`tok-${cls}`];
  if (mark) classes.push(`diag-mark diag-${mark.severity}`);
  const body = escapeHtml(text);
  if (classes.length === 0) return body;
  const title = mark ? ` title="${escapeHtml(mark.title)}"` : "";
  return `<span class="${classes.join(" ")}"${title}>${body}</span>`;
}
function columnToOffset(line, column) {
  let offset = 0;
  let chars = 1;
  while (chars < column && offset < line.length) {
    const code = line.charCodeAt(offset);
    offset += code >= 55296 && code <= 56319 ? 2 : 1;
    chars++;
  }
  return offset + Math.max(0, column - chars);
}
function wordEnd(line, offset) {
  if (line[offset] === '"') {
    let j = offset + 1;
    while (j < line.length && line[j] !== '"') j += line[j] === "\\" ? 2 : 1;
    return Math.min(j + 1, line.length);
  }
  const m = /^[A-Za-z0-9_.*-]+/.exec(line.slice(offset));
  return offset + (m ? m[0].length : 1);
}

// src/results.ts
function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}
function policyLink(policy, goTo) {
  const text = `${policy.file}:${policy.line}:${policy.column}`;
  if (isPlaygroundPolicy(policy.file)) {
    const button = el("button", { type: "button", class: "link", title: "Show this line in the policy editor" }, text);
    button.addEventListener("click", () => goTo(policy.line, policy.column));
    return button;
  }
  return el("code", {}, text);
}
function describeChange(change) {
  switch (change.op) {
    case "add_modifier":
      return `add modifier ${change.modifier} to line ${change.line}`;
    case "remove_modifier":
      return `remove modifier ${change.modifier} from line ${change.line}`;
    case "remove_line":
      return `remove line ${change.line}`;
    case "merge_lines":
      return `merge lines ${(change.lines ?? []).join(" and ")}${change.modifier ? ` as modifier ${change.modifier}` : ""}`;
    default:
      return JSON.stringify(change);
  }
}
function field(name, ...value) {
  return el("div", { class: "field" }, el("dt", {}, name), el("dd", {}, ...value));
}
function renderFinding(finding, goTo) {
  const ours = isPlaygroundPolicy(finding.policy.file);
  const lines = finding.lines.length === 0 ? "the whole claim" : `${finding.lines.length === 1 ? "line" : "lines"} ${finding.lines.join(", ")}`;
  const details = el(
    "dl",
    { class: "finding-fields" },
    field("rule", el("code", {}, finding.rule)),
    field("policy", policyLink(finding.policy, goTo), finding.pack ? ` (pack ${finding.pack.name}${finding.pack.version ? ` ${finding.pack.version}` : ""})` : ""),
    finding.table ? field("table row", el("code", {}, `${finding.table.name}`), ` ${finding.table.file}, line ${finding.table.line}`) : null,
    finding.suggested_code ? field("suggested code", el("code", {}, finding.suggested_code)) : null,
    finding.change ? field("change", describeChange(finding.change)) : null,
    finding.history ? field("earlier claim", `${finding.history.claim}, line ${finding.history.line}`) : null
  );
  return el(
    "li",
    { class: `finding action-${finding.action}${ours ? " ours" : ""}`, "data-action": finding.action, "data-rule": finding.rule },
    el(
      "p",
      { class: "finding-head" },
      el("span", { class: `badge badge-${finding.action}` }, finding.action),
      " ",
      finding.code ? el("code", { class: "finding-code" }, finding.code) : null,
      finding.code ? " " : null,
      el("span", { class: "finding-lines" }, lines),
      ours ? el("span", { class: "ours-tag" }, "your policy") : null
    ),
    el("p", { class: "finding-message" }, richText(finding.message)),
    details
  );
}
function show(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}
function renderExplain(explain, goTo) {
  const box = el("details", { class: "explain", open: true }, el("summary", {}, "Explain"));
  const fromNote = explain.from_note ?? [];
  box.append(el("h4", {}, "Read from the note"));
  box.append(
    fromNote.length === 0 ? el("p", { class: "muted" }, "Nothing: no note, or it settles no fact.") : el(
      "ul",
      {},
      ...fromNote.map(
        (s) => el("li", {}, el("code", {}, s.fact), ` = ${show(s.value)} from “${s.text}” `, el("span", { class: "muted" }, "("), policyLink(s.policy, goTo), el("span", { class: "muted" }, ")"))
      )
    )
  );
  const derived = explain.derived ?? [];
  if (derived.length > 0) {
    box.append(el("h4", {}, "Derived facts"));
    box.append(
      el("ul", {}, ...derived.map((d) => el("li", {}, el("code", {}, d.fact), ` = ${show(d.value)} by `, el("code", {}, d.rule), ", because ", richText(d.because))))
    );
  }
  const rules = explain.rules ?? [];
  if (rules.length > 0) {
    const rank = (r) => (isPlaygroundPolicy(r.policy.file) ? 0 : 2) + (r.fired ? 0 : 1);
    const sorted = [...rules].sort((a, b) => rank(a) - rank(b));
    const fired = rules.filter((r) => r.fired).length;
    box.append(el("h4", {}, `Rules tried (${fired} of ${rules.length} fired)`));
    const table = el(
      "table",
      { class: "trace" },
      el("caption", { class: "visually-hidden" }, "Every rule the engine tried, whether it fired, and why not"),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "rule"), el("th", { scope: "col" }, "line"), el("th", { scope: "col" }, "fired"), el("th", { scope: "col" }, "why not"), el("th", { scope: "col" }, "policy"))),
      el(
        "tbody",
        {},
        ...sorted.map(
          (r) => el(
            "tr",
            { class: r.fired ? "fired" : "" },
            el("td", {}, el("code", {}, r.rule)),
            el("td", {}, r.line === null ? "claim" : String(r.line)),
            el("td", {}, r.fired ? "yes" : "no"),
            el("td", {}, richText(r.reason ?? "")),
            el("td", {}, policyLink(r.policy, goTo))
          )
        )
      )
    );
    box.append(el("div", { class: "trace-scroll", tabindex: "0", role: "region", "aria-label": "Rules tried" }, table));
  }
  const agreed = explain.agreed ?? [];
  if (agreed.length > 0) {
    box.append(el("h4", {}, "Agreeing findings not repeated (same reason as)"));
    box.append(
      el("ul", {}, ...agreed.map((a) => el("li", {}, el("code", {}, a.rule), ` on line ${a.line} (${a.action}), kept `, el("code", {}, a.kept), `: ${a.message}`)))
    );
  }
  const minutes = explain.minutes ?? [];
  if (minutes.length > 0) {
    box.append(el("h4", {}, "Lines billed in minutes"));
    box.append(el("ul", {}, ...minutes.map((m) => el("li", {}, `line ${m.line}: ${m.minutes} minutes, judged as ${plural(m.units, "unit")}`))));
  }
  return box;
}
function renderResult(result, goTo) {
  const section = el(
    "section",
    { class: `result status-${result.status}`, "aria-label": `Claim ${result.claim ?? "(no id)"}` },
    el(
      "h3",
      {},
      "Claim ",
      el("code", {}, result.claim ?? "(no id)"),
      " ",
      el("span", { class: `badge badge-${result.status}` }, result.status),
      " ",
      el("span", { class: "muted" }, plural(result.findings.length, "finding"))
    )
  );
  if (result.errors.length > 0) {
    section.append(
      el(
        "ul",
        { class: "claim-errors" },
        ...result.errors.map(
          (e) => el("li", {}, e.message, e.path ? el("span", { class: "muted" }, ` at ${e.path}`) : null, e.line !== null ? el("span", { class: "muted" }, `, line ${e.line}`) : null)
        )
      )
    );
  }
  if (result.findings.length > 0) {
    section.append(el("ol", { class: "findings" }, ...result.findings.map((f) => renderFinding(f, goTo))));
  } else if (result.status === "pass") {
    section.append(el("p", { class: "muted" }, "No findings: the claim passes."));
  }
  if (result.explain) section.append(renderExplain(result.explain, goTo));
  return section;
}
function summarize(results) {
  if (results.length === 0) return "No results.";
  return results.map((r) => {
    const ours = r.findings.filter((f) => isPlaygroundPolicy(f.policy.file)).length;
    return `Claim ${r.claim ?? "(no id)"}: ${r.status}, ${plural(r.findings.length, "finding")}${ours > 0 ? `, ${ours} from your policy` : ""}.`;
  }).join(" ");
}

// src/sample-policy.ts
var SAMPLE_POLICY = `# Your policy, checked on top of the standard pack as you type.
# Pick a sample claim below, then Run (or tick "Run on change").

codes "playground spinal guidance" are 77002, 77003
codes "playground epidurals" are 62320-62327

rule playground.short-spinal-guidance
  for each line in "playground spinal guidance"
  when claim has "playground epidurals" and fluoroscopy_minutes < 1
  deny "{code} on line {line}: under a minute of fluoroscopy for an epidural is not paid separately"
`;

// src/main.ts
var LINT_DELAY_MS = 300;
var RUN_DELAY_MS = 600;
var policyInput = byId("policy");
var policyHighlight = byId("policy-highlight");
var policyOverlay = policyHighlight.parentElement;
var policyGutter = byId("policy-gutter");
var claimInput = byId("claim");
var claimStatus = byId("claim-status");
var diagStatus = byId("diagnostics-status");
var diagList = byId("diagnostics");
var resultsStatus = byId("results-status");
var resultsBox = byId("results");
var runButton = byId("run");
var runOnChange = byId("run-on-change");
var explainBox = byId("explain");
var downloadButton = byId("download");
var samplesBox = byId("samples");
var diagnostics = [];
function inEditor(d) {
  return d.line !== null && d.column !== null && (d.file == null || isPlaygroundPolicy(d.file));
}
function diagnosticMarks(text) {
  const lines = text.split("\n");
  const marks = /* @__PURE__ */ new Map();
  const add = (index, mark) => {
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
function renderPolicy() {
  const text = policyInput.value;
  policyHighlight.innerHTML = renderHighlighted(text, diagnosticMarks(text));
  const count = text.split("\n").length;
  const byLine = /* @__PURE__ */ new Map();
  for (const d of diagnostics) {
    if (!inEditor(d) || d.line === null) continue;
    byLine.set(d.line, [...byLine.get(d.line) ?? [], d]);
  }
  const rows = [];
  for (let n = 1; n <= count; n++) {
    const here = byLine.get(n) ?? [];
    const severity = here.some((d) => d.severity === "error") ? "error" : here.length > 0 ? "warning" : null;
    rows.push(
      el(
        "div",
        { class: `gutter-line${severity ? ` gutter-${severity}` : ""}`, title: here.map((d) => d.message).join("\n") || void 0, "data-line": String(n) },
        severity ? el("span", { class: "gutter-marker" }, severity === "error" ? "●" : "▲") : null,
        String(n)
      )
    );
  }
  policyGutter.replaceChildren(...rows);
  syncScroll();
}
function syncScroll() {
  const { scrollTop, scrollLeft } = policyInput;
  policyOverlay.style.transform = `translate(${-scrollLeft}px, ${-scrollTop}px)`;
  policyGutter.style.transform = `translateY(${-scrollTop}px)`;
}
function goToPolicy(line, column) {
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
function renderDiagnostics() {
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
        { class: `diagnostic diagnostic-${d.severity}`, "data-line": d.line !== null ? String(d.line) : void 0, "data-column": d.column !== null ? String(d.column) : void 0 },
        el("span", { class: `badge badge-${d.severity}` }, d.severity),
        " ",
        jump,
        " ",
        el("span", { class: "diag-message" }, richText(d.message)),
        d.label ? el("span", { class: "diag-label" }, " (", richText(d.label), ")") : null,
        d.help ? el("p", { class: "diag-help" }, el("span", { class: "help-tag" }, "help: "), richText(d.help)) : null,
        d.code ? el("p", { class: "diag-code muted" }, d.code) : null
      );
    })
  );
  if (diagnostics.length === 0) {
    diagStatus.textContent = "No problems in the policy.";
  } else {
    const first = diagnostics[0];
    diagStatus.textContent = `${errors} ${errors === 1 ? "error" : "errors"}, ${warnings} ${warnings === 1 ? "warning" : "warnings"}. First: ${first.line !== null ? `line ${first.line}: ` : ""}${first.message}`;
  }
  diagStatus.dataset.errors = String(errors);
  diagStatus.dataset.warnings = String(warnings);
}
var lintTimer;
var lintController;
var lintSeq = 0;
async function runLint() {
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
    diagStatus.textContent = `Could not check the policy: ${error.message}`;
    diagStatus.dataset.state = "failed";
  }
}
function scheduleLint() {
  window.clearTimeout(lintTimer);
  diagStatus.dataset.state = "pending";
  lintTimer = window.setTimeout(() => void runLint(), LINT_DELAY_MS);
}
var runTimer;
var runController;
var runSeq = 0;
function readClaim() {
  const text = claimInput.value.trim();
  if (text === "") {
    claimStatus.textContent = "Paste a claim (JSON), or load a sample claim.";
    return void 0;
  }
  try {
    const value = JSON.parse(text);
    claimStatus.textContent = "";
    claimInput.removeAttribute("aria-invalid");
    return value;
  } catch (error) {
    claimStatus.textContent = `The claim is not valid JSON: ${error.message}`;
    claimInput.setAttribute("aria-invalid", "true");
    return void 0;
  }
}
async function run() {
  const claims = readClaim();
  if (claims === void 0) {
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
        el("p", { class: "muted" }, `The policy has ${errors.length === 1 ? "an error" : `${errors.length} errors`}; fix ${errors.length === 1 ? "it" : "them"} (see Problems) to run it.`)
      );
      resultsStatus.textContent = `Not run: the policy has ${errors.length === 1 ? "an error" : `${errors.length} errors`}.`;
    } else {
      resultsBox.replaceChildren(...response.results.map((r) => renderResult(r, goToPolicy)));
      resultsStatus.textContent = summarize(response.results);
    }
    resultsStatus.dataset.state = "done";
  } catch (error) {
    if (controller.signal.aborted) return;
    resultsStatus.textContent = `Could not run: ${error.message}`;
    resultsStatus.dataset.state = "failed";
  } finally {
    if (seq === runSeq) resultsBox.removeAttribute("aria-busy");
  }
}
function scheduleRun() {
  if (!runOnChange.checked || claimInput.value.trim() === "") return;
  window.clearTimeout(runTimer);
  runTimer = window.setTimeout(() => void run(), RUN_DELAY_MS);
}
function flatJson(value) {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(flatJson).join(", ")}]`;
  const entries = Object.entries(value);
  return entries.length === 0 ? "{}" : `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${flatJson(v)}`).join(", ")} }`;
}
function formatJson(value, indent = "", used = 0, width = 100) {
  const flat = flatJson(value);
  if (value === null || typeof value !== "object" || indent.length + used + flat.length <= width) return flat;
  const inner = `${indent}  `;
  const items = Array.isArray(value) ? value.map((v) => `${inner}${formatJson(v, inner, 1)}`) : Object.entries(value).map(([k, v]) => {
    const key = `${JSON.stringify(k)}: `;
    return `${inner}${key}${formatJson(v, inner, key.length + 1)}`;
  });
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return `${open}
${items.join(",\n")}
${indent}${close}`;
}
function renderSamples(samples) {
  samplesBox.replaceChildren(
    ...samples.map((sample) => {
      const button = el("button", { type: "button", class: "sample", title: sample.file, "data-file": sample.file }, sample.label);
      button.addEventListener("click", () => {
        claimInput.value = `${formatJson(sample.claim)}
`;
        claimStatus.textContent = `Loaded ${sample.file}.`;
        claimInput.removeAttribute("aria-invalid");
        void run();
      });
      return button;
    })
  );
}
function download() {
  const blob = new Blob([policyInput.value], { type: "text/plain;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: "playground.policy", class: "visually-hidden" }, "download");
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1e3);
}
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
for (const input of [policyInput, claimInput]) {
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void run();
    }
  });
}
new ResizeObserver(syncScroll).observe(policyInput);
loadSamples().then(renderSamples).catch((error) => {
  samplesBox.replaceChildren(el("p", { class: "muted" }, `Could not load the sample claims: ${error.message}`));
});

// Renders the results of /v1/try: one section per claim, its findings as a list, and with
// "explain" ticked what the engine read, derived and tried.

import { isPlaygroundPolicy, type ClaimResult, type Change, type Explain, type Finding, type PolicyRef } from "./api";
import { el, richText } from "./dom";

/** Called when the user follows a reference to a line of the playground policy. */
export type GoToPolicy = (line: number, column: number) => void;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function policyLink(policy: PolicyRef, goTo: GoToPolicy): Node {
  const text = `${policy.file}:${policy.line}:${policy.column}`;
  if (isPlaygroundPolicy(policy.file)) {
    const button = el("button", { type: "button", class: "link", title: "Show this line in the policy editor" }, text);
    button.addEventListener("click", () => goTo(policy.line, policy.column));
    return button;
  }
  return el("code", {}, text);
}

function describeChange(change: Change): string {
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

function field(name: string, ...value: (Node | string)[]): HTMLElement {
  return el("div", { class: "field" }, el("dt", {}, name), el("dd", {}, ...value));
}

function renderFinding(finding: Finding, goTo: GoToPolicy): HTMLElement {
  const ours = isPlaygroundPolicy(finding.policy.file);
  const lines = finding.lines.length === 0 ? "the whole claim" : `${finding.lines.length === 1 ? "line" : "lines"} ${finding.lines.join(", ")}`;
  const details = el(
    "dl",
    { class: "finding-fields" },
    field("rule", el("code", {}, finding.rule)),
    field("policy", policyLink(finding.policy, goTo), finding.pack ? ` (pack ${finding.pack.name}${finding.pack.version ? ` ${finding.pack.version}` : ""})` : ""),
    finding.table
      ? field("table row", el("code", {}, `${finding.table.name}`), ` ${finding.table.file}, line ${finding.table.line}`)
      : null,
    finding.suggested_code ? field("suggested code", el("code", {}, finding.suggested_code)) : null,
    finding.change ? field("change", describeChange(finding.change)) : null,
    finding.history ? field("earlier claim", `${finding.history.claim}, line ${finding.history.line}`) : null,
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
      ours ? el("span", { class: "ours-tag" }, "your policy") : null,
    ),
    el("p", { class: "finding-message" }, richText(finding.message)),
    details,
  );
}

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function renderExplain(explain: Explain, goTo: GoToPolicy): HTMLElement {
  const box = el("details", { class: "explain", open: true }, el("summary", {}, "Explain"));
  const fromNote = explain.from_note ?? [];
  box.append(el("h4", {}, "Read from the note"));
  box.append(
    fromNote.length === 0
      ? el("p", { class: "muted" }, "Nothing: no note, or it settles no fact.")
      : el(
          "ul",
          {},
          ...fromNote.map((s) =>
            el("li", {}, el("code", {}, s.fact), ` = ${show(s.value)} from “${s.text}” `, el("span", { class: "muted" }, "("), policyLink(s.policy, goTo), el("span", { class: "muted" }, ")")),
          ),
        ),
  );
  const derived = explain.derived ?? [];
  if (derived.length > 0) {
    box.append(el("h4", {}, "Derived facts"));
    box.append(
      el("ul", {}, ...derived.map((d) => el("li", {}, el("code", {}, d.fact), ` = ${show(d.value)} by `, el("code", {}, d.rule), ", because ", richText(d.because)))),
    );
  }
  const rules = explain.rules ?? [];
  if (rules.length > 0) {
    // The playground's own rules first (they are the ones being written), then the rules that fired.
    const rank = (r: { fired: boolean; policy: PolicyRef }) => (isPlaygroundPolicy(r.policy.file) ? 0 : 2) + (r.fired ? 0 : 1);
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
        ...sorted.map((r) =>
          el(
            "tr",
            { class: r.fired ? "fired" : "" },
            el("td", {}, el("code", {}, r.rule)),
            el("td", {}, r.line === null ? "claim" : String(r.line)),
            el("td", {}, r.fired ? "yes" : "no"),
            el("td", {}, richText(r.reason ?? "")),
            el("td", {}, policyLink(r.policy, goTo)),
          ),
        ),
      ),
    );
    box.append(el("div", { class: "trace-scroll", tabindex: "0", role: "region", "aria-label": "Rules tried" }, table));
  }
  const agreed = explain.agreed ?? [];
  if (agreed.length > 0) {
    box.append(el("h4", {}, "Agreeing findings not repeated (same reason as)"));
    box.append(
      el("ul", {}, ...agreed.map((a) => el("li", {}, el("code", {}, a.rule), ` on line ${a.line} (${a.action}), kept `, el("code", {}, a.kept), `: ${a.message}`))),
    );
  }
  const minutes = explain.minutes ?? [];
  if (minutes.length > 0) {
    box.append(el("h4", {}, "Lines billed in minutes"));
    box.append(el("ul", {}, ...minutes.map((m) => el("li", {}, `line ${m.line}: ${m.minutes} minutes, judged as ${plural(m.units, "unit")}`))));
  }
  return box;
}

export function renderResult(result: ClaimResult, goTo: GoToPolicy): HTMLElement {
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
      el("span", { class: "muted" }, plural(result.findings.length, "finding")),
    ),
  );
  if (result.errors.length > 0) {
    section.append(
      el(
        "ul",
        { class: "claim-errors" },
        ...result.errors.map((e) =>
          el("li", {}, e.message, e.path ? el("span", { class: "muted" }, ` at ${e.path}`) : null, e.line !== null ? el("span", { class: "muted" }, `, line ${e.line}`) : null),
        ),
      ),
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

/** One sentence for the live region: what the run found. */
export function summarize(results: ClaimResult[]): string {
  if (results.length === 0) return "No results.";
  return results
    .map((r) => {
      const ours = r.findings.filter((f) => isPlaygroundPolicy(f.policy.file)).length;
      return `Claim ${r.claim ?? "(no id)"}: ${r.status}, ${plural(r.findings.length, "finding")}${ours > 0 ? `, ${ours} from your policy` : ""}.`;
    })
    .join(" ");
}

// Syntax highlighting of the policy language, and the marks of diagnostics on it.
//
// The keywords come from grammar/policy.pest at build time (scripts/build.mjs), so the
// highlighter knows every keyword the parser does. Everything else is read loosely, the way the
// grammar reads literals: a code is a run of letters and digits, a fact name a lower-case word.

declare const __KEYWORDS__: string[];

/** The token classes the stylesheet colours (`tok-<class>`). */
export type TokenClass =
  | "comment"
  | "string"
  | "placeholder"
  | "keyword"
  | "action"
  | "code"
  | "number"
  | "fact"
  | "attr"
  | "ruleid"
  | "op"
  | "plain";

export interface Segment {
  start: number; // UTF-16 offset in the line
  end: number;
  cls: TokenClass;
}

export type Severity = "error" | "warning";

/** A span of one line to mark, in UTF-16 offsets of that line. */
export interface LineMark {
  start: number;
  end: number;
  severity: Severity;
  title: string;
}

const KEYWORDS = new Set<string>(__KEYWORDS__);
const ACTIONS = new Set(["deny", "review", "suggest", "modify", "info", "allowed", "denied"]);
// Words after which a rule id follows (`rule ID`, `same reason as ID, ID`, `from ID`).
const BEFORE_RULE_ID = new Set(["rule", "as"]);

const WORD = /[A-Za-z_][A-Za-z0-9_]*(?:[.-][A-Za-z0-9_*]+)*\*?/y;
const NUMBERISH = /[0-9][A-Za-z0-9]*(?:[.-][A-Za-z0-9]+)*\*?/y;
const OP = /<=|>=|!=|[=<>(),]/y;
const PARAM = /\{[A-Za-z_][A-Za-z0-9_]*\}/y;

function matchAt(re: RegExp, text: string, at: number): string | null {
  re.lastIndex = at;
  const m = re.exec(text);
  return m ? m[0] : null;
}

function classifyNumberish(word: string): TokenClass {
  if (/^-?[0-9]+(\.[0-9]+)?$/.test(word) && word.replace(/[^0-9]/g, "").length < 5) {
    return "number";
  }
  if (/^[0-9]+-[0-9]+-[0-9]+$/.test(word)) return "number"; // a date
  if (/^[0-9]+(\.[0-9]+)+$/.test(word)) return "number"; // a version
  return "code";
}

function classifyWord(word: string, prev: string | null): TokenClass {
  if (prev !== null && BEFORE_RULE_ID.has(prev) && !KEYWORDS.has(word)) return "ruleid";
  if (KEYWORDS.has(word)) return ACTIONS.has(word) ? "action" : "keyword";
  if (/^(code|diagnosis)\.[A-Za-z_]/.test(word)) return "attr";
  // Codes, modifiers and diagnoses: no lower-case letter (27093, G0008, LT, S82.*, M25.56*).
  if (!/[a-z]/.test(word)) return "code";
  if (word.includes("-")) return "ruleid";
  return "fact";
}

/** Splits one line of policy text into coloured segments, covering the whole line. */
export function tokenizeLine(line: string): Segment[] {
  const out: Segment[] = [];
  let prevWord: string | null = null;
  let i = 0;
  const push = (start: number, end: number, cls: TokenClass) => {
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
      // `{code}`, `{code.column}`: the placeholders of a message.
      const body = line.slice(i, end);
      const ph = /\{[A-Za-z_][A-Za-z0-9_.]*\}/g;
      let k = 0;
      let m: RegExpExecArray | null;
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
    // `{code}`: a parameter of a parameterized test (`*.test.policy`).
    const param = ch === "{" ? matchAt(PARAM, line, i) : null;
    if (param !== null) {
      push(i, i + param.length, "placeholder");
      i += param.length;
      prevWord = null;
      continue;
    }
    if (ch === " " || ch === "\t" || ch === "\r") {
      push(i, i + 1, "plain");
      i++;
      continue;
    }
    const num = /[0-9]/.test(ch) || (ch === "-" && /[0-9]/.test(line[i + 1] ?? ""))
      ? matchAt(NUMBERISH, line, ch === "-" ? i + 1 : i)
      : null;
    if (num !== null) {
      const len = num.length + (ch === "-" ? 1 : 0);
      push(i, i + len, classifyNumberish(line.slice(i, i + len)));
      i += len;
      prevWord = null;
      continue;
    }
    const word = matchAt(WORD, line, i);
    if (word !== null) {
      // `add-on` is one keyword; other hyphenated words are rule ids or code ranges.
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
      // A comma keeps a list of rule ids going: `same reason as a.b, c.d`.
      if (op !== ",") prevWord = null;
      continue;
    }
    push(i, i + 1, "plain");
    i++;
  }
  return out;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;"));
}

/**
 * The HTML of the highlighted text, with the diagnostics' spans marked. `marks` maps a 0-based
 * line index to the spans to mark on it.
 */
export function renderHighlighted(text: string, marks: Map<number, LineMark[]>): string {
  const lines = text.split("\n");
  const html: string[] = [];
  lines.forEach((line, index) => {
    const segs = tokenizeLine(line);
    const lineMarks = marks.get(index) ?? [];
    // Cut the segments where a mark starts or ends.
    const cuts = new Set<number>();
    for (const m of lineMarks) {
      cuts.add(Math.max(0, Math.min(m.start, line.length)));
      cuts.add(Math.max(0, Math.min(m.end, line.length)));
    }
    const pieces: string[] = [];
    for (const seg of segs) {
      let s = seg.start;
      const points = [...cuts].filter((c) => c > seg.start && c < seg.end).sort((a, b) => a - b);
      for (const p of [...points, seg.end]) {
        pieces.push(wrap(line.slice(s, p), seg.cls, markAt(lineMarks, s, p)));
        s = p;
      }
    }
    // A mark at or past the end of the line (an unexpected end of input): one marked space.
    const tail = lineMarks.find((m) => m.start >= line.length);
    if (tail) pieces.push(wrap(" ", "plain", tail));
    html.push(pieces.join(""));
  });
  // A trailing newline needs a last empty line to keep the heights of textarea and overlay equal.
  return html.join("\n") + "\n";
}

function markAt(marks: LineMark[], start: number, end: number): LineMark | undefined {
  const covering = marks.filter((m) => m.start < end && m.end > start);
  return covering.find((m) => m.severity === "error") ?? covering[0];
}

function wrap(text: string, cls: TokenClass, mark: LineMark | undefined): string {
  if (text === "") return "";
  const classes = cls === "plain" ? [] : [`tok-${cls}`];
  if (mark) classes.push(`diag-mark diag-${mark.severity}`);
  const body = escapeHtml(text);
  if (classes.length === 0) return body;
  const title = mark ? ` title="${escapeHtml(mark.title)}"` : "";
  return `<span class="${classes.join(" ")}"${title}>${body}</span>`;
}

/** The UTF-16 offset in `line` of the 1-based character column `column`. */
export function columnToOffset(line: string, column: number): number {
  let offset = 0;
  let chars = 1;
  while (chars < column && offset < line.length) {
    const code = line.charCodeAt(offset);
    offset += code >= 0xd800 && code <= 0xdbff ? 2 : 1;
    chars++;
  }
  return offset + Math.max(0, column - chars);
}

/** The end of the word that starts at `offset`: the span to mark when a diagnostic gives no end. */
export function wordEnd(line: string, offset: number): number {
  if (line[offset] === '"') {
    let j = offset + 1;
    while (j < line.length && line[j] !== '"') j += line[j] === "\\" ? 2 : 1;
    return Math.min(j + 1, line.length);
  }
  const m = /^[A-Za-z0-9_.*-]+/.exec(line.slice(offset));
  return offset + (m ? m[0].length : 1);
}

// The server's JSON API, as the playground uses it (docs/serve.md, docs/formats.md).

export interface Diagnostic {
  severity: "error" | "warning";
  message: string;
  help: string | null;
  label: string | null;
  line: number | null;
  column: number | null;
  /** Where the span ends, 1-based, the end column excluded; without it the word at `column`. */
  end_line?: number | null;
  end_column?: number | null;
  code: string | null;
  /** The file the position is in, when the server says; another than the playground's is a pack's. */
  file?: string | null;
}

export interface LintResponse {
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
}

export interface PolicyRef {
  file: string;
  line: number;
  column: number;
}

export interface TableRef {
  name: string;
  file: string;
  line: number;
}

export interface Change {
  op: "add_modifier" | "remove_modifier" | "remove_line" | "merge_lines" | string;
  line?: number;
  lines?: number[];
  modifier: string | null;
}

export interface Finding {
  rule: string;
  action: "deny" | "review" | "suggest" | "modify" | "info" | string;
  lines: number[];
  code: string | null;
  suggested_code: string | null;
  change: Change | null;
  message: string;
  policy: PolicyRef;
  table: TableRef | null;
  history?: { claim: string; line: number } | null;
  pack?: { name: string; version: string | null };
}

export interface ResultError {
  message: string;
  path: string | null;
  line: number | null;
}

export interface RuleTrace {
  rule: string;
  line: number | null;
  fired: boolean;
  reason: string | null;
  policy: PolicyRef;
}

export interface Explain {
  from_note?: { fact: string; value: unknown; text: string; span: [number, number]; policy: PolicyRef }[];
  derived?: { fact: string; value: unknown; rule: string; because: string; policy: PolicyRef }[];
  rules?: RuleTrace[];
  minutes?: { line: number; minutes: number; units: number }[];
  agreed?: {
    rule: string;
    line: number;
    action: string;
    kept: string;
    message: string;
    policy: PolicyRef;
    table: TableRef | null;
  }[];
}

export interface ClaimResult {
  format_version?: string;
  claim: string | null;
  status: "pass" | "review" | "deny" | "error" | string;
  findings: Finding[];
  errors: ResultError[];
  explain?: Explain;
}

export interface TryResponse {
  diagnostics: Diagnostic[];
  results: ClaimResult[];
}

export interface Sample {
  file: string;
  label: string;
  claim: unknown;
}

/** The name the playground gives its policy; findings of its rules cite it. */
export const POLICY_PATH = "playground.policy";

/** Whether a policy reference is to the playground's policy (and not to a pack's). */
export function isPlaygroundPolicy(file: string): boolean {
  return file === POLICY_PATH || file.endsWith(`/${POLICY_PATH}`);
}

async function postJson<T>(url: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok) {
    let detail = "";
    try {
      detail = (await response.text()).trim();
    } catch {
      // The status alone is the message.
    }
    throw new Error(`${url} answered ${response.status}${detail ? `: ${detail.slice(0, 300)}` : ""}`);
  }
  return (await response.json()) as T;
}

export function lint(policy: string, signal?: AbortSignal): Promise<LintResponse> {
  return postJson<LintResponse>("/v1/lint", { policy, path: POLICY_PATH }, signal);
}

export function tryPolicy(policy: string, claims: unknown, explain: boolean, signal?: AbortSignal): Promise<TryResponse> {
  return postJson<TryResponse>("/v1/try", { policy, claims, explain }, signal);
}

export async function loadSamples(): Promise<Sample[]> {
  const response = await fetch("/playground/samples.json");
  if (!response.ok) throw new Error(`samples.json answered ${response.status}`);
  return (await response.json()) as Sample[];
}

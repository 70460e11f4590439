// Every keyword of the policy language: the literals of the `kw_*` rules of grammar/policy.pest.
// The highlighter gets them at build time, so it knows every keyword the parser does.

import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export async function keywords() {
  const grammar = await readFile(join(repo, "grammar", "policy.pest"), "utf8");
  const words = new Set();
  for (const match of grammar.matchAll(/^kw_\w+\s*=\s*@\{(.*)\}\s*$/gm)) {
    for (const literal of match[1].matchAll(/"([^"]+)"/g)) words.add(literal[1]);
  }
  if (words.size < 50) throw new Error(`found only ${words.size} keywords in grammar/policy.pest`);
  return [...words].sort();
}

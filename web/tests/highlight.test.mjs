// The highlighter on every policy file of the repository (node, no browser):
//
//   node web/tests/highlight.test.mjs
//
// Each line's segments cover it exactly, in order; no character but white space is left
// uncoloured; keywords, codes, fact names, strings and comments get their classes.

import { build } from "esbuild";
import { readFile, readdir } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { keywords } from "../scripts/keywords.mjs";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repo = resolve(web, "..");

const bundle = await build({
  entryPoints: [join(web, "src", "highlight.ts")],
  bundle: true,
  format: "esm",
  write: false,
  define: { __KEYWORDS__: JSON.stringify(await keywords()) },
});
const { tokenizeLine, renderHighlighted } = await import(
  `data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString("base64")}`
);

const failures = [];
function check(condition, message) {
  if (!condition) failures.push(message);
}

// Classes of a few known lines.
const classes = (line) => tokenizeLine(line).filter((s) => s.cls !== "plain").map((s) => [line.slice(s.start, s.end), s.cls]);
const expect = (line, want) => {
  const got = JSON.stringify(classes(line));
  check(got === JSON.stringify(want), `${JSON.stringify(line)}: ${got}, not ${JSON.stringify(want)}`);
};
expect('rule acme.knee-contrast # note', [["rule", "keyword"], ["acme.knee-contrast", "ruleid"], ["# note", "comment"]]);
expect('  when acme_contrast_ml > 20 and claim has 27369-27370, G0008', [
  ["when", "keyword"], ["acme_contrast_ml", "fact"], [">", "op"], ["20", "number"], ["and", "keyword"],
  ["claim", "keyword"], ["has", "keyword"], ["27369-27370", "code"], [",", "op"], ["G0008", "code"],
]);
expect('  deny "{code} is \\"odd\\""', [["deny", "action"], ['"', "string"], ["{code}", "placeholder"], [' is \\"odd\\""', "string"]]);
expect("diagnoses \"knee\" are M25.56*, S82.*", [["diagnoses", "keyword"], ['"knee"', "string"], ["are", "keyword"], ["M25.56*", "code"], [",", "op"], ["S82.*", "code"]]);
expect("  same reason as a.b, c-d.e", [["same", "keyword"], ["reason", "keyword"], ["as", "keyword"], ["a.b", "ruleid"], [",", "op"], ["c-d.e", "ruleid"]]);
expect("  effective 2024-01-01 until 2024-12-31", [["effective", "keyword"], ["2024-01-01", "number"], ["until", "keyword"], ["2024-12-31", "number"]]);
expect("  when patient age < code.youngest_age", [["when", "keyword"], ["patient", "keyword"], ["age", "keyword"], ["<", "op"], ["code.youngest_age", "attr"]]);
const html = renderHighlighted('a <b> & "<i>"', new Map());
check(!html.includes("<b>") && !html.includes("<i>") && html.includes("&lt;") && html.includes("&amp;"), `HTML is not escaped: ${html}`);

// Every policy file of the repository.
async function policies(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !["node_modules", "target", ".git", "fuzz"].includes(entry.name)) found.push(...(await policies(path)));
    else if (entry.isFile() && entry.name.endsWith(".policy")) found.push(path);
  }
  return found;
}
const files = [...(await policies(join(repo, "policies"))), ...(await policies(join(repo, "examples")))];
check(files.length > 10, `only ${files.length} policy files found`);
let lines = 0;
for (const file of files) {
  const text = await readFile(file, "utf8");
  text.split("\n").forEach((line, index) => {
    lines++;
    const where = `${relative(repo, file)}:${index + 1}`;
    const segs = tokenizeLine(line);
    let at = 0;
    for (const s of segs) {
      check(s.start === at && s.end > s.start, `${where}: segments leave a gap or overlap at ${at}`);
      at = s.end;
      const text = line.slice(s.start, s.end);
      check(s.cls !== "plain" || /^\s*$/.test(text), `${where}: ${JSON.stringify(text)} is not coloured`);
    }
    check(at === line.length, `${where}: segments end at ${at}, not ${line.length}`);
  });
}

if (failures.length > 0) {
  console.error(`highlight test FAILED:\n  ${failures.slice(0, 30).join("\n  ")}`);
  process.exit(1);
}
console.log(`highlight test passed: ${files.length} files, ${lines} lines`);

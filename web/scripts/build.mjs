// Builds the playground into web/dist (committed, so that `cargo build` needs neither node nor
// the network): app.js bundled by esbuild from src/main.ts, index.html and style.css copied, and
// samples.json made from claims of examples/claims.
//
//   node scripts/build.mjs            build into dist/
//   node scripts/build.mjs --check    build into a temporary folder and fail if dist/ differs
//   node scripts/build.mjs --out DIR  build into DIR

import { build } from "esbuild";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile, copyFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { keywords } from "./keywords.mjs";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repo = resolve(web, "..");

// The sample claims, each with its button's label. Each gives a deny with the standard pack; the
// first is the one the editor's starting policy denies a line of.
const SAMPLES = [
  ["fluoroscopy-76000-with-77003.json", "Epidural with 77003 and 76000"],
  ["fluoroscopy-77002-spinal-injection.json", "77002 guiding an epidural"],
  ["hip-arthrography-2010-03-31.json", "Hip arthrography before CCI 16.1"],
  ["fluoroscopy-im-nailing.json", "76000 with IM nailing"],
  ["add-on-without-primary.json", "Add-on without its primary"],
];

async function buildInto(out) {
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: [join(web, "src", "main.ts")],
    outfile: join(out, "app.js"),
    bundle: true,
    format: "esm",
    target: "es2020",
    charset: "utf8",
    legalComments: "none",
    logLevel: "warning",
    define: { __KEYWORDS__: JSON.stringify(await keywords()) },
    banner: { js: "// Built by web/scripts/build.mjs from web/src; do not edit (cd web && npm run build)." },
  });
  await copyFile(join(web, "src", "index.html"), join(out, "index.html"));
  await copyFile(join(web, "src", "style.css"), join(out, "style.css"));
  const samples = [];
  for (const [file, label] of SAMPLES) {
    const claim = JSON.parse(await readFile(join(repo, "examples", "claims", file), "utf8"));
    samples.push({ file, label, claim });
  }
  await writeFile(join(out, "samples.json"), `${JSON.stringify(samples, null, 2)}\n`);
}

async function compare(built, committed) {
  const names = (await readdir(built)).sort();
  const differ = [];
  for (const name of names) {
    const a = await readFile(join(built, name));
    const b = await readFile(join(committed, name)).catch(() => null);
    if (b === null || !a.equals(b)) differ.push(name);
  }
  const extra = (await readdir(committed).catch(() => [])).filter((n) => !names.includes(n));
  return [...differ, ...extra.map((n) => `${n} (not built)`)];
}

const args = process.argv.slice(2);
const dist = join(web, "dist");
if (args[0] === "--check") {
  const temp = await mkdtemp(join(tmpdir(), "playground-dist-"));
  try {
    await buildInto(temp);
    const differ = await compare(temp, dist);
    if (differ.length > 0) {
      console.error(`web/dist is out of date (${differ.join(", ")}): run \`cd web && npm ci && npm run build\` and commit web/dist`);
      process.exit(1);
    }
    console.log("web/dist is up to date");
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
} else {
  const out = args[0] === "--out" && args[1] ? resolve(args[1]) : dist;
  await buildInto(out);
  console.log(`built ${out}`);
}

// Builds the package (dist/) and the script-tag build that IHF serves (static/ihf/reporter.js).
// `node build.mjs --check` builds in memory and fails when the committed static/ihf/reporter.js differs;
// `node build.mjs --dist` (npm's prepare) builds dist/ only.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const served = join(here, "..", "static", "ihf", "reporter.js");
const BANNER = "/* IHF reporter — built from reporter/src by reporter/build.mjs; do not edit. See docs/adapters.md. */";

const script = await esbuild.build({
  entryPoints: [join(here, "src", "auto.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  banner: { js: BANNER },
  legalComments: "none",
  write: false,
});
const built = script.outputFiles[0].text;

if (process.argv.includes("--check")) {
  const committed = readFileSync(served, "utf8");
  if (committed !== built) {
    console.error("static/ihf/reporter.js is not the build of reporter/src: run `npm run build` in reporter/.");
    process.exit(1);
  }
  console.log("static/ihf/reporter.js matches a fresh build.");
  process.exit(0);
}

mkdirSync(join(here, "dist"), { recursive: true });
if (!process.argv.includes("--dist")) writeFileSync(served, built);
writeFileSync(join(here, "dist", "reporter.js"), built);
await esbuild.build({
  entryPoints: { index: join(here, "src", "index.js"), react: join(here, "src", "react.js"), vue: join(here, "src", "vue.js") },
  bundle: true,
  splitting: true,
  format: "esm",
  target: ["es2020"],
  outdir: join(here, "dist"),
  outExtension: { ".js": ".mjs" },
  external: ["react", "vue"],
  banner: { js: BANNER },
});
const size = (s) => `${(Buffer.byteLength(s) / 1024).toFixed(1)} KB (${(gzipSync(s).length / 1024).toFixed(1)} KB gzipped)`;
console.log(`static/ihf/reporter.js: ${size(built)}`);
console.log(`dist/index.mjs: ${size(readFileSync(join(here, "dist", "index.mjs"), "utf8"))}`);

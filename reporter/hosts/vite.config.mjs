// Production builds of the React and Vue host pages the browser tests drive (tests/browser/test_reporter_hosts.py).
// `@ihf/reporter` resolves to this package's source, as an app would get it from the registry.
// React resolves from the page's folder first (`dedupe`): react18/ has its own node_modules with React 18,
// which the React page's source (react/main.jsx) and the adapter (src/react.js) then both get; the other
// pages have none, and get the package's React 19.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const src = (name) => fileURLToPath(new URL(`../src/${name}`, import.meta.url));

// A page with its own package.json (react18/) must have its own packages installed: without them React
// would resolve to the package's React 19, and the "React 18" page would silently be another React 19 one.
const ownPackagesInstalled = {
  name: "ihf-own-packages-installed",
  configResolved({ root }) {
    const manifest = join(root, "package.json");
    if (!existsSync(manifest)) return;
    for (const name of Object.keys(JSON.parse(readFileSync(manifest, "utf8")).dependencies || {})) {
      if (!existsSync(join(root, "node_modules", name, "package.json"))) {
        throw new Error(`${name} is not installed in ${root}: run \`npm ci\` there (bin/ihf test does).`);
      }
    }
  },
};

export default defineConfig({
  base: "./",
  plugins: [ownPackagesInstalled],
  logLevel: "warn",
  resolve: {
    dedupe: ["react", "react-dom"],
    alias: [
      { find: /^@ihf\/reporter$/, replacement: src("index.js") },
      { find: /^@ihf\/reporter\/react$/, replacement: src("react.js") },
      { find: /^@ihf\/reporter\/vue$/, replacement: src("vue.js") },
    ],
  },
  oxc: { jsx: { runtime: "automatic" } },
  build: { emptyOutDir: true, minify: true },
});

// Production builds of the React and Vue host pages the browser tests drive (tests/browser/test_reporter_hosts.py).
// `@ihf/reporter` resolves to this package's source, as an app would get it from the registry.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const src = (name) => fileURLToPath(new URL(`../src/${name}`, import.meta.url));

export default defineConfig({
  base: "./",
  logLevel: "warn",
  resolve: {
    alias: [
      { find: /^@ihf\/reporter$/, replacement: src("index.js") },
      { find: /^@ihf\/reporter\/react$/, replacement: src("react.js") },
      { find: /^@ihf\/reporter\/vue$/, replacement: src("vue.js") },
    ],
  },
  oxc: { jsx: { runtime: "automatic" } },
  build: { emptyOutDir: true, minify: true },
});

import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const react18 = fileURLToPath(new URL("./hosts/react18/node_modules/", import.meta.url));

export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", environment: "happy-dom", include: ["test/**/*.test.js"] } },
      {
        // The React adapter against React 18 too: hosts/react18 has its own React (bin/ihf test installs it).
        resolve: {
          alias: [
            { find: /^react(\/.*)?$/, replacement: `${react18}react$1` },
            { find: /^react-dom(\/.*)?$/, replacement: `${react18}react-dom$1` },
          ],
        },
        test: {
          name: "react18",
          environment: "happy-dom",
          include: ["test/react.test.js"],
          env: { IHF_REACT_MAJOR: "18" },
        },
      },
    ],
  },
});

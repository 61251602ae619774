import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Providers load their implementation through the package name (so Pulumi can serialize them);
    // under test that name points at the sources rather than dist/.
    alias: [{ find: /^bootplan\/(.*)\.js$/, replacement: fileURLToPath(new URL("./src/$1.ts", import.meta.url)) }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    reporters: ["default", "./test/summary-reporter.ts"],
  },
});

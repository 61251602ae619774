/**
 * The bundle `bootplan enc` runs first (scripts/bundle-enc.mjs): the quick path with node-postgres and
 * js-yaml in one script, and the V8 code cache recorded beside it. What it answers is covered by the
 * enc tests, which run the launcher; these pin what the bundle may hold and when its cache is trusted.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "../../helpers/stack.js";

const BUNDLE = join(REPO, "dist/cli/enc-quick.bundle.cjs");
const tmp = mkdtempSync(join(tmpdir(), "bootplan-enc-bundle-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `file` with runCachedScript in a fresh node, as the launcher does (NODE_OPTIONS as the build had them). */
function runBundle(file: string): { cacheUsed: boolean; encQuick: string } {
  const code = `import(${JSON.stringify(join(REPO, "dist/util/cached-script.js"))}).then(({ runCachedScript }) => {
    const s = runCachedScript(${JSON.stringify(file)});
    console.log(JSON.stringify({ cacheUsed: s.cacheUsed, encQuick: typeof s.exports.encQuick }));
  })`;
  const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { cacheUsed: boolean; encQuick: string };
}

describe("the enc bundle", () => {
  it("holds pg and js-yaml but none of the store, the lock or the journal", () => {
    const inputs = JSON.parse(readFileSync(join(REPO, "dist/cli/enc-quick.bundle.inputs.json"), "utf8")) as string[];
    expect(inputs).toContain("node_modules/pg/lib/client.js");
    expect(inputs).toContain("node_modules/js-yaml/dist/js-yaml.mjs");
    // A second copy of a module with state of its own (a pool, a lock, a journal) would not be the one
    // the enc command uses when the quick path hands over.
    expect(inputs.filter((f) => /\/(pg-store|pg-lock|pg-backend|file-store|journal|backend)\.js$/.test(f))).toEqual([]);
  });

  it("runs with the code cache the build recorded", () => {
    expect(runBundle(BUNDLE)).toEqual({ cacheUsed: true, encQuick: "function" });
  });

  it("runs without the cache once the script is not the one it was made from, even at the same length", () => {
    const copy = join(tmp, "enc-quick.bundle.cjs");
    const text = readFileSync(BUNDLE, "utf8");
    // V8 checks only the length of the source a cache was made from; the recorded digest catches the rest.
    const edited = text.replace('"use strict"', "'use strict'");
    expect(edited).not.toBe(text);
    expect(edited.length).toBe(text.length);
    writeFileSync(copy, edited);
    copyFileSync(`${BUNDLE}.v8cache`, `${copy}.v8cache`);
    expect(runBundle(copy)).toEqual({ cacheUsed: false, encQuick: "function" });
    writeFileSync(copy, text);
    expect(runBundle(copy).cacheUsed).toBe(true);
  });
});

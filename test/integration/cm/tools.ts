/** Real CM tools for the handoff tests: found on PATH, required in CI, skipped locally with a printed reason. */
import { spawnSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe } from "vitest";
import { REPO } from "../../helpers/stack.js";

/** True when `cmd` is on PATH. */
export function hasTool(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).status === 0;
}

/**
 * A describe block that needs `cmd` (from the Debian package `pkg`). Without it the block fails in CI
 * (process.env.CI set) and is skipped elsewhere, saying why.
 */
export function describeWithTool(cmd: string, pkg: string, name: string, fn: () => void): void {
  const present = hasTool(cmd);
  if (!present && !process.env.CI) {
    console.log(`skipping "${name}": ${cmd} is not installed (apt-get install ${pkg})`);
    describe.skip(name, fn);
    return;
  }
  describe(name, () => {
    if (!present) throw new Error(`${cmd} is not installed, and CI must run this test: apt-get install ${pkg}`);
    fn();
  });
}

/** Writes an executable sh script running the built bootplan CLI as `bootplan BEFORE... <the script's arguments> AFTER...`. */
export function bootplanScript(path: string, before: string[], after: string[] = []): string {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const words = [process.execPath, join(REPO, "bin/bootplan.js"), ...before].map(quote);
  writeFileSync(path, `#!/bin/sh\nexec ${words.join(" ")} "$@" ${after.map(quote).join(" ")}\n`);
  chmodSync(path, 0o755);
  return path;
}

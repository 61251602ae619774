/** Tests that need a real system tool: run when it is installed, fail in CI when not, skip locally with a reason. */
import { spawnSync } from "node:child_process";
import { it } from "vitest";

/** True when `tool` is on PATH. */
export function hasTool(tool: string): boolean {
  return spawnSync("sh", ["-c", 'command -v "$1" >/dev/null', "sh", tool]).status === 0;
}

/** `it` for tests needing `tool`: the real `it` when installed; in CI a failing test; locally `it.skip` with a printed reason. */
export function requireTool(tool: string, install: string): typeof it {
  if (hasTool(tool)) return it;
  if (process.env.CI) {
    return ((name: string) => it(name, () => {
      throw new Error(`${tool} is not installed; CI must provide it (${install})`);
    })) as unknown as typeof it;
  }
  console.warn(`skipping tests that need ${tool}: not installed (${install})`);
  return it.skip as unknown as typeof it;
}

/** Runs a checker on text written to a temp file; returns exit status and stderr. */
export function runOnFile(tool: string, args: string[], content: string): { status: number | null; stderr: string; stdout: string } {
  const dir = spawnSync("mktemp", ["-d"]).stdout.toString().trim();
  const file = `${dir}/input`;
  spawnSync("sh", ["-c", 'cat > "$1"', "sh", file], { input: content });
  const r = spawnSync(tool, [...args, file]);
  spawnSync("rm", ["-rf", dir]);
  return { status: r.status, stderr: r.stderr.toString(), stdout: r.stdout.toString() };
}

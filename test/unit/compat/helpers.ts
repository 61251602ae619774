/** Shared steps of the compatibility tests: lab copies with extra files, plan and explain through the CLI. */
import { afterEach } from "vitest";
import type { Explanation } from "../../../src/compat/explain.js";
import type { Plan } from "../../../src/engine/types.js";
import { cleanup, runCli, tempStack, type CliResult } from "../../helpers/stack.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(cleanup));

/** A throwaway copy of the lab with `files` written over it; removed after the test. */
export function lab(files: Record<string, string> = {}): string {
  const d = tempStack(files);
  dirs.push(d);
  return d;
}

/** Plans `dir` as JSON (no lock); throws with the CLI's stderr when the plan fails. */
export async function planJson(dir: string, ...args: string[]): Promise<Plan> {
  const r = await runCli(["plan", dir, "--json", "--no-lock", ...args]);
  if (r.code !== 0) throw new Error(`plan failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Plan;
}

/** Plans `dir` expecting failure; the error lines without the "Error: " prefix. */
export async function planErrors(dir: string, ...args: string[]): Promise<string[]> {
  const r: CliResult = await runCli(["plan", dir, "--no-lock", ...args]);
  if (r.code !== 1) throw new Error(`expected the plan to fail, got exit ${r.code}: ${r.stdout}`);
  return r.stderr.trim().split("\n").map((l) => l.replace(/^Error: /, ""));
}

/** `bootplan explain system.NAME DIR --json [--package P]`. */
export async function explainJson(dir: string, system: string, pkg?: string): Promise<Explanation> {
  const r = await runCli(["explain", `system.${system}`, dir, "--json", ...(pkg ? ["--package", pkg] : [])]);
  if (r.code !== 0) throw new Error(`explain failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Explanation;
}

/** The content of the answer file the plan writes for `system`. */
export function answerFile(plan: Plan, system: string): string {
  const ch = plan.changes.find((c) => c.address === `system.${system}`);
  const f = ch?.files.find((x) => x.path.startsWith(`http/answers/${system}`));
  if (!f) throw new Error(`no answer file for ${system} in the plan`);
  return f.diff.split("\n").filter((l) => l.startsWith("+") && !l.startsWith("+++")).map((l) => l.slice(1)).join("\n");
}

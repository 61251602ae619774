/** The targeted-plan check both state backends run (test/e2e/targeted-plan.test.ts, the PostgreSQL tests). */
import { join } from "node:path";
import { expect } from "vitest";
import { editStackFile, type CliResult } from "./stack.js";

type Run = (args: string[]) => Promise<CliResult> | CliResult;
interface Change { address: string; action: string }

/** Gives web01 and db01 (of an applied lab copy) a kernel argument each; returns the whole plan's changes. */
export async function changeTwoSystems(dir: string, run: Run): Promise<Change[]> {
  for (const name of ["web01", "db01"]) editStackFile(dir, "systems.yaml", `    hostname: ${name}.lab.example\n`, `    hostname: ${name}.lab.example\n    kernelArgs: [quiet]\n`);
  const full = await run(["plan", dir, "--json"]);
  expect(full.code, full.stderr).toBe(0);
  const changes = JSON.parse(full.stdout).changes as Change[];
  expect(changes.map((c) => c.address)).toEqual(expect.arrayContaining(["system.web01", "system.db01"]));
  return changes;
}

/**
 * Plans `--target system.web01` and applies that saved plan: the plan holds web01's change exactly as
 * the whole plan has it, and nothing else (no removal of what it did not build, no leftovers warning).
 */
export async function applyTargetedWeb01(dir: string, run: Run, whole: Change[]): Promise<void> {
  const planFile = join(dir, "web01.plan");
  const targeted = await run(["plan", dir, "--target", "system.web01", "--json", "--out", planFile]);
  expect(targeted.code, targeted.stderr).toBe(0);
  const plan = JSON.parse(targeted.stdout) as { changes: Change[]; warnings: string[] };
  expect(plan.changes.map((c) => c.address)).toEqual(["system.web01"]);
  expect(plan.changes[0]).toEqual(whole.find((c) => c.address === "system.web01"));
  expect(plan.warnings).toEqual([]);
  const applied = await run(["apply", planFile, "--no-color"]);
  expect(applied.code, applied.stderr).toBe(0);
  expect(applied.stdout).toMatch(/^Apply complete: 0 added, 1 changed, 0 replaced, 0 destroyed\.$/m);
}

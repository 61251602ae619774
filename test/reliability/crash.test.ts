/**
 * kill -9 at many points of an apply of a generated fleet: afterwards the state is readable, plan and
 * apply succeed, the provisioning root equals a clean apply's byte for byte, and no temp file remains.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bin, figure, fleet, LONG, prng, runAndKill, SEED, tree } from "./campaign.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("crash campaign", () => {
  it("survives kill -9 at many points of an apply", async () => {
    const systems = Number(process.env.BOOTPLAN_CRASH_SYSTEMS ?? (LONG ? 1000 : 60));
    const kills = Number(process.env.BOOTPLAN_CRASH_KILLS ?? (LONG ? 40 : 5));
    const clean = fleet(systems, "crash-clean");
    dirs.push(clean);
    const t0 = Date.now();
    const ref = bin(["apply", clean, "--auto-approve"]);
    expect(ref.code, ref.stderr).toBe(0);
    const fullMs = Date.now() - t0;
    const expected = tree(join(clean, ".bootplan/root"));

    const victim = mkdtempSync(join(tmpdir(), "bootplan-crash-"));
    dirs.push(victim);
    cpSync(clean, victim, { recursive: true, filter: (s) => !s.includes(".bootplan") });
    const rand = prng(SEED);
    let survived = 0, completed = 0;
    for (let i = 0; survived < kills && i < kills * 4; i++) {
      // Kill points spread over the whole run, from process start to the end of a clean apply.
      const at = Math.floor(rand() * fullMs);
      const r = await runAndKill(["apply", victim, "--auto-approve", "--parallelism", String(1 + Math.floor(rand() * 10))], at);
      // After every kill: the state is readable; a lock left by the dead process is released by unlock.
      const list = bin(["state", "list", victim]);
      expect(list.code, `run ${i} killed at ${at} ms: ${list.stderr}`).toBe(0);
      bin(["state", "unlock", victim]);
      if (r.killed) {
        survived++;
        continue;
      }
      // The apply finished before the kill: check it, then start over so later kills land mid-run again.
      completed++;
      expect(bin(["plan", victim, "--detailed-exitcode"]).code).toBe(0);
      rmSync(join(victim, ".bootplan"), { recursive: true, force: true });
    }
    expect(survived).toBe(kills);
    const finish = bin(["apply", victim, "--auto-approve"]);
    expect(finish.code, finish.stderr).toBe(0);
    const plan = bin(["plan", victim, "--detailed-exitcode"]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const got = tree(join(victim, ".bootplan/root"));
    expect(Object.keys(got).filter((p) => p.includes(".bootplan-tmp-"))).toEqual([]);
    expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
    for (const p of Object.keys(expected)) expect(got[p], p).toBe(expected[p]);
    expect(Object.keys(tree(join(victim, ".bootplan"))).filter((p) => /state\.json\.(tmp|backup\.tmp)/.test(p))).toEqual([]);
    figure(`crash: ${survived} applies of ${systems} systems killed with SIGKILL mid-run, all survived (${completed} more finished before their kill); root identical to a clean apply, no temp files`);
  }, LONG ? 3_600_000 : 600_000);
});

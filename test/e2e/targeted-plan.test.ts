/**
 * A targeted plan builds only its targets' part of the stack (graph/scope.ts) yet plans exactly what the
 * whole plan would for them, and applying it leaves the rest for the next plan. The PostgreSQL tests run
 * the same check on a state read row by row.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempStacks } from "../helpers/stack.js";
import { applyTargetedWeb01, changeTwoSystems } from "../helpers/targeted.js";

const lab = tempStacks();

describe("targeted plan: --target on a file state", () => {
  it("plans and applies one system of two changed, as the whole plan has it, and leaves the other", async () => {
    const d = lab();
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    const whole = await changeTwoSystems(d, runCli);
    await applyTargetedWeb01(d, runCli, whole);
    const pxe = readFileSync(join(d, ".bootplan/root/tftp/pxelinux.cfg/01-52-54-00-12-34-01"), "utf8");
    expect(pxe).toMatch(/ quiet /);
    const rest = JSON.parse((await runCli(["plan", d, "--json"])).stdout) as { changes: { address: string }[] };
    expect(rest.changes.map((c) => c.address)).toContain("system.db01");
    expect(rest.changes.map((c) => c.address)).not.toContain("system.web01");
  });

  it("keeps the CM index and the server out of a system's plan, and builds everything to target them", async () => {
    const d = lab();
    const first = JSON.parse((await runCli(["plan", d, "--target", "cm.puppet-prod.web01", "--json"])).stdout) as { changes: { address: string }[] };
    expect(first.changes.map((c) => c.address)).toEqual(["cm.puppet-prod.web01", "distro.debian-12-amd64", "profile.base-debian", "profile.web", "repo.debian-security", "system.web01"]);
    const index = JSON.parse((await runCli(["plan", d, "--target", "cm.ansible-site", "--json"])).stdout) as { changes: { address: string }[] };
    // The index depends on every member handoff, and each handoff on its system.
    expect(index.changes.filter((c) => c.address.startsWith("system.")).length).toBe(5);
  });
});

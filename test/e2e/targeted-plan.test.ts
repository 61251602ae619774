/**
 * A targeted plan builds only its targets' part of the stack (graph/scope.ts) yet plans exactly what the
 * whole plan would for them, and applying it leaves the rest for the next plan. The PostgreSQL tests run
 * the same check on a state read row by row.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateLabFleet } from "../../bench/generate.js";
import { lookUpEncIndex, writeEncIndex } from "../../src/cm/enc-index.js";
import { REPO, runCli, tempStacks } from "../helpers/stack.js";
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

describe("targeted plan: a file state of more than a thousand records is read and written in part", () => {
  // 450 lab systems: about 1,300 records, past the size below which a state is read and written whole.
  const dir = mkdtempSync(join(tmpdir(), "bootplan-partial-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const statePath = join(dir, ".bootplan/state.json");
  const first = generateLabFleet(dir, 450, { labDir: join(REPO, "stacks/lab") });

  it("applies a handoff's change into the state and the ENC index, and the file is what a whole write gives", { timeout: 120_000 }, async () => {
    expect((await runCli(["apply", dir, "--auto-approve"])).code).toBe(0);
    // web01-000000 is the lab's web01: its own Puppet binding sets role::web's port.
    writeFileSync(first, readFileSync(first, "utf8").replace("port: 9090", "port: 9191"));
    const planFile = join(dir, "one.plan");
    const planned = await runCli(["plan", dir, "--target", "cm.puppet-prod.web01-000000", "--out", planFile, "--json"]);
    expect(JSON.parse(planned.stdout).changes.map((c: { address: string }) => c.address)).toEqual(["cm.puppet-prod.web01-000000"]);
    expect((await runCli(["apply", planFile])).code).toBe(0);

    const text = readFileSync(statePath, "utf8");
    const doc = JSON.parse(text) as { resources: Record<string, { outputs: Record<string, unknown> }> };
    expect(Object.keys(doc.resources).length).toBeGreaterThan(1000);
    expect(text).toBe(JSON.stringify(doc) + "\n");
    expect(JSON.stringify(doc.resources["cm.puppet-prod.web01-000000"].outputs.class)).toMatch(/"port":9191/);
    // The index vouches for the new state file and holds the new class: the same index, shard by
    // shard, as one written whole from the new state.
    expect(lookUpEncIndex(statePath, "web01-000000.lab.example")?.[0].enc).toMatch(/port: 9191/);
    const shards = (): unknown[] => readdirSync(`${statePath}.enc`).sort().map((f) => JSON.parse(readFileSync(join(`${statePath}.enc`, f), "utf8")));
    const patched = shards();
    expect(patched).toHaveLength(64);
    writeEncIndex(statePath, doc as unknown as Parameters<typeof writeEncIndex>[1]);
    expect(patched).toEqual(shards());
    expect((await runCli(["plan", dir, "--detailed-exitcode"])).code).toBe(0);
  });

  it("plans a target while a record it does not read is damaged; a whole plan names the file", async () => {
    const text = readFileSync(statePath, "utf8");
    const at = text.indexOf('"system.db01-000002":');
    writeFileSync(statePath, text.slice(0, at) + text.slice(at).replace('"netboot":true', '"netboot":tru'));
    const targeted = await runCli(["plan", dir, "--target", "system.web02-000001", "--detailed-exitcode"]);
    expect(targeted.stderr).toBe("");
    expect(targeted.code).toBe(0);
    const whole = await runCli(["plan", dir]);
    expect(whole.code).toBe(1);
    expect(whole.stderr).toMatch(/^Error: state file .*state\.json is corrupt: not valid JSON/);
  });
});

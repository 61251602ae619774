/**
 * CM handoff lifecycle through plan and apply: a changed class is an in-place update touching only
 * that node's artifact, a removed binding or system leaves that CM system's artifacts, and the
 * read-side commands report what the last apply handed over.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, editStackFile, EXECUTOR_CASES, tempStack, useExecutor, type ExecutorCase } from "../../helpers/stack.js";

let dir: string;
let runCli: ExecutorCase["cli"];
const cmDir = (): string => join(dir, ".bootplan/root/cm");

function mtimes(): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(cmDir(), p)] = statSync(p).mtimeMs;
    }
  };
  walk(cmDir());
  return out;
}

async function plan(): Promise<{ changes: { address: string; action: string; fields: { path: string; old?: unknown; new?: unknown }[]; files: { path: string; action: string }[] }[] }> {
  const r = await runCli(["plan", dir, "--json"]);
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout);
}

async function apply(): Promise<void> {
  const r = await runCli(["apply", dir, "--auto-approve"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

afterEach(() => cleanup(dir));

describe.each(EXECUTOR_CASES)("CM handoff lifecycle through the $executor executor", ({ executor, cli }) => {
  beforeEach(async () => {
    runCli = cli;
    dir = useExecutor(tempStack(), executor);
    await apply();
  });

  it("apply hands each bound machine to each CM system, after its system resource, and a second plan has no changes", async () => {
    const state = JSON.parse(readFileSync(join(dir, ".bootplan/state.json"), "utf8"));
    expect(state.resources["cm.puppet-prod.web01"].dependsOn).toEqual(["system.web01"]);
    expect(Object.keys(state.resources).filter((a) => a.startsWith("cm.")).sort()).toEqual([
      "cm.ansible-site", "cm.ansible-site.ci01", "cm.ansible-site.db01", "cm.ansible-site.legacy01", "cm.ansible-site.web01", "cm.ansible-site.web02",
      "cm.puppet-prod", "cm.puppet-prod.db01", "cm.puppet-prod.legacy01", "cm.puppet-prod.web01", "cm.puppet-prod.web02",
    ]);
    expect((await plan()).changes).toEqual([]);
  });

  it("renaming a class is an update of that node's handoff that rewrites only its ENC file", async () => {
    const before = mtimes();
    editStackFile(dir, "profiles.yaml", "classes: [profile::base, role::db]", "classes: [profile::base, role::database]");
    const p = await plan();
    expect(p.changes.map((c) => [c.address, c.action])).toEqual([["cm.puppet-prod.db01", "update"]]);
    const db = p.changes.find((c) => c.address === "cm.puppet-prod.db01")!;
    // profile::mdadm: the lab's raid-layout plugin adds it to db01 (two disks).
    expect(db.fields).toEqual([{ path: "class.classes", old: ["profile::base", "role::db", "profile::mdadm"], new: ["profile::base", "role::database", "profile::mdadm"] }]);
    expect(db.files.map((f) => [f.path, f.action])).toEqual([["cm/puppet-prod/nodes/db01.lab.example.yaml", "update"]]);
    await new Promise((r) => setTimeout(r, 20));
    await apply();
    const after = mtimes();
    const changed = Object.keys(after).filter((f) => after[f] !== before[f]);
    expect(changed).toEqual(["puppet-prod/nodes/db01.lab.example.yaml"]);
    expect((await runCli(["enc", "db01.lab.example", dir])).stdout).toContain('- "role::database"');
  });

  it("a changed class parameter shows as a field change old -> new with the ENC file's diff", async () => {
    editStackFile(dir, "systems.yaml", '{"role::web": {port: 9090}}', '{"role::web": {port: 9191}}');
    const c = (await plan()).changes.find((x) => x.address === "cm.puppet-prod.web01")!;
    expect(c.action).toBe("update");
    expect(c.fields).toEqual([{ path: "class.classes.role::web.port", old: 9090, new: 9191 }]);
    const text = (await runCli(["plan", dir])).stdout;
    expect(text).toMatch(/-    port: 9090\n\s*\+    port: 9191/);
  });

  it("removing a binding removes the machine from that CM system's inventory and host_vars, and from the dynamic inventory", async () => {
    editStackFile(dir, "systems.yaml", "    manage:\n      ansible-site: {groups: [ci_runners]}\n", "");
    const p = await plan();
    expect(p.changes.filter((c) => c.address.startsWith("cm.")).map((c) => [c.address, c.action])).toEqual([
      ["cm.ansible-site", "update"], ["cm.ansible-site.ci01", "delete"],
    ]);
    await apply();
    expect(readFileSync(join(cmDir(), "ansible-site/inventory.yaml"), "utf8")).not.toContain("ci01");
    expect(existsSync(join(cmDir(), "ansible-site/host_vars/ci01.lab.example.yml"))).toBe(false);
    const list = JSON.parse((await runCli(["inventory", dir, "--list"])).stdout);
    expect(Object.keys(list._meta.hostvars)).not.toContain("ci01.lab.example");
    expect(list.ci_runners).toBeUndefined();
  });

  it("deleting a system removes it from every CM system it was handed to", async () => {
    editStackFile(dir, "systems.yaml", /\n  web02:\n(    .*\n)+/, "\n");
    const p = await plan();
    expect(p.changes.filter((c) => c.address.startsWith("cm.")).map((c) => [c.address, c.action])).toEqual([
      ["cm.ansible-site", "update"], ["cm.ansible-site.web02", "delete"], ["cm.puppet-prod", "update"], ["cm.puppet-prod.web02", "delete"],
    ]);
    await apply();
    expect(existsSync(join(cmDir(), "puppet-prod/nodes/web02.lab.example.yaml"))).toBe(false);
    expect(existsSync(join(cmDir(), "ansible-site/host_vars/web02.lab.example.yml"))).toBe(false);
    expect(readFileSync(join(cmDir(), "ansible-site/inventory.yaml"), "utf8")).not.toContain("web02");
    const enc = await runCli(["enc", "web02.lab.example", dir]);
    expect(enc.code).toBe(1);
    expect(enc.stderr).toMatch(/^Error: web02\.lab\.example: not a node of puppet CM system puppet-prod in .*state\.json\n$/);
  });

  it("enc and inventory report the recorded state, not the stack: an unapplied change is not served", async () => {
    editStackFile(dir, "systems.yaml", '{"role::web": {port: 9090}}', '{"role::web": {port: 9191}}');
    expect((await runCli(["enc", "web01.lab.example", dir])).stdout).toContain("port: 9090");
  });

  it("explain --cm shows the merged bindings and the layer and position each value came from", async () => {
    const r = await runCli(["explain", "system.web01", dir, "--cm"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("system.web01: CM bindings (lists union in order, maps merge deeply, the system wins)");
    expect(r.stdout).toMatch(/merged: cm puppet-prod < profile base-debian < profile web < system web01/);
    expect(r.stdout).toMatch(/classes\.role::web\.port = 9090\s+system web01\s+\S*systems\.yaml:\d+:\d+/);
    expect(r.stdout).toMatch(/classes\.role::web\.vhost = www\.lab\.example\s+profile web\s+\S*profiles\.yaml:\d+:\d+/);
    expect(r.stdout).toMatch(/environment = production\s+cm puppet-prod\s+\S*cm\.yaml:\d+:\d+/);
    const j = JSON.parse((await runCli(["explain", "system.web01", dir, "--cm", "--json"])).stdout);
    expect(j.bindings.map((b: { address: string }) => b.address)).toEqual(["cm.ansible-site.web01", "cm.puppet-prod.web01"]);
    expect(j.bindings[0].values).toContainEqual(expect.objectContaining({ path: "groups[]", value: "debian", from: "profile base-debian" }));
  });
});

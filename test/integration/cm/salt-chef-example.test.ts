/**
 * Salt and Chef handoffs of stacks/cm-example through apply. Neither Salt nor Chef is packaged for
 * this machine, so instead of the real tools the artifacts are checked against the documented
 * formats: Salt's top file and pillar top (saltenv -> minion id -> SLS names) resolving to the pillar
 * files written, and Chef's node JSON as `knife node from file` reads it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, editStackFile, runCli, tempStack } from "../../helpers/stack.js";

let dir: string;
const art = (rel: string): string => readFileSync(join(dir, ".bootplan/root/cm", rel), "utf8");

describe("Salt and Chef handoffs (stacks/cm-example)", () => {
  beforeAll(async () => {
    dir = tempStack({}, "cm-example");
    const r = await runCli(["apply", dir, "--auto-approve"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
  afterAll(() => cleanup(dir));

  it("salt: top.sls gives each minion its merged states, and each pillar SLS the top assigns exists with the merged pillar", () => {
    expect(parse(art("salt/top.sls"))).toEqual({
      base: {
        "bastion01.site-b.example": ["base.users", "base.ntp", "bastion"],
        "cache01.site-b.example": ["base.users", "base.ntp", "memcached"],
        "cache02.site-b.example": ["base.users", "base.ntp", "memcached"],
      },
    });
    const pillarTop = parse(art("salt/pillar/top.sls")) as { base: Record<string, string[]> };
    for (const [minion, [sls]] of Object.entries(pillarTop.base)) {
      // Salt resolves an SLS name under pillar_roots by turning its dots into directories.
      const pillar = parse(art(`salt/pillar/${sls.replace(/\./g, "/")}.sls`));
      if (minion === "cache01.site-b.example") expect(pillar).toEqual({ ntp: { servers: ["10.0.3.3"] }, memcached: { max_memory_mb: 4096 } });
      if (minion === "cache02.site-b.example") expect(pillar).toEqual({ ntp: { servers: ["10.0.3.3"] }, memcached: { max_memory_mb: 1024 } });
    }
  });

  it("chef: a node JSON per system with name, chef_environment (system wins over the CM default), run_list and normal attributes", () => {
    const c1 = JSON.parse(art("chef/nodes/cache01.site-b.example.json"));
    expect(c1).toMatchObject({ name: "cache01.site-b.example", json_class: "Chef::Node", chef_type: "node", chef_environment: "staging", run_list: ["role[base]", "recipe[memcached::default]"], normal: { ntp: { servers: ["10.0.3.3"] }, memcached: { memory: 4096 } } });
    const b = JSON.parse(art("chef/nodes/bastion01.site-b.example.json"));
    expect(b).toMatchObject({ chef_environment: "production", run_list: ["role[base]"] });
  });

  it("a changed run list is an update of that node's handoff; removing a system removes its minion and node", async () => {
    editStackFile(dir, "profiles.yaml", '"recipe[memcached::default]"', '"recipe[memcached::server]"');
    editStackFile(dir, "systems.yaml", /\n  bastion01:\n(    .*\n)+/, "\n");
    const plan = JSON.parse((await runCli(["plan", dir, "--json"])).stdout) as { changes: { address: string; action: string }[] };
    expect(plan.changes.filter((c) => c.address.startsWith("cm.")).map((c) => [c.address, c.action])).toEqual([
      ["cm.chef", "update"], ["cm.chef.bastion01", "delete"], ["cm.chef.cache01", "update"], ["cm.chef.cache02", "update"],
      ["cm.salt", "update"], ["cm.salt.bastion01", "delete"],
    ]);
    expect((await runCli(["apply", dir, "--auto-approve"])).code).toBe(0);
    expect(Object.keys((parse(art("salt/top.sls")) as { base: object }).base)).toEqual(["cache01.site-b.example", "cache02.site-b.example"]);
    expect(() => art("chef/nodes/bastion01.site-b.example.json")).toThrow(/ENOENT/);
    expect(() => art("salt/pillar/minions/bastion01_site-b_example.sls")).toThrow(/ENOENT/);
    expect(JSON.parse(art("chef/nodes/cache02.site-b.example.json")).run_list).toEqual(["role[base]", "recipe[memcached::server]"]);
  });
});

/**
 * CM artifacts in each type's documented format. Puppet and Ansible output is also checked by the
 * real tools (test/integration/cm); Salt and Chef are not packaged for this machine, so their
 * artifacts are checked here against the documented formats: Salt's top file (saltenv -> target ->
 * list of SLS names) and pillar SLS (YAML map), Chef's node JSON (name, chef_environment, run_list,
 * normal, json_class Chef::Node, chef_type node) as `knife node from file` reads it.
 */
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { ansible } from "../../../src/cm/ansible.js";
import { chef } from "../../../src/cm/chef.js";
import { salt } from "../../../src/cm/salt.js";
import type { NodeIdentity } from "../../../src/cm/types.js";
import { toYaml } from "../../../src/cm/yaml-emit.js";

const node = (name: string, ips: string[] = []): NodeIdentity => ({ name, system: name.split(".")[0], hostname: name, ips, macs: [] });

describe("CM artifact formats", () => {
  it("writes YAML any YAML parser reads back to the same data, quoting what could read as another type", () => {
    const data = { classes: { "role::web": { port: 8080, on: "yes", empty: "", when: "2024-01-01", multi: "a\nb: c # d", nul: null } }, list: ["no", "1.0", "ok", true, 3.5], nested: [{ a: 1, b: [1] }, []] };
    const text = toYaml(data);
    expect(parse(text)).toEqual(data);
    expect(text).toContain('"on": "yes"');
    expect(text).toContain('- "no"');
  });

  it("salt: top.sls maps saltenv -> minion id -> states, pillar/top.sls assigns each minion its pillar file", () => {
    const members = [
      { node: node("web01.site.example"), class: { states: ["nginx", "base.users"], pillar: { port: 80 } } },
      { node: node("bare.site.example"), class: { states: [], pillar: {} } },
    ];
    const idx = salt.index({ name: "salt", settings: {} }, members);
    expect(parse(idx.files["top.sls"])).toEqual({ base: { "web01.site.example": ["nginx", "base.users"] } });
    expect(parse(idx.files["pillar/top.sls"])).toEqual({ base: { "bare.site.example": ["minions.bare_site_example"], "web01.site.example": ["minions.web01_site_example"] } });
    const h = salt.handoff({ name: "salt", settings: {} }, node("web01.site.example"), { states: ["nginx"], pillar: { nginx: { port: 80 } } });
    // The pillar SLS name minions.web01_site_example resolves to this file under pillar_roots.
    expect(Object.keys(h.files)).toEqual(["pillar/minions/web01_site_example.sls"]);
    expect(parse(h.files["pillar/minions/web01_site_example.sls"])).toEqual({ nginx: { port: 80 } });
  });

  it("chef: a node JSON with name, chef_environment, run_list and normal attributes", () => {
    const h = chef.handoff({ name: "chef", settings: {} }, node("db01.site.example"), { runList: ["role[db]", "recipe[postgresql::server@1.2.0]"], environment: "production", attributes: { postgresql: { version: "15" } } });
    const doc = JSON.parse(h.files["nodes/db01.site.example.json"]);
    expect(doc).toEqual({
      name: "db01.site.example", chef_type: "node", json_class: "Chef::Node", chef_environment: "production",
      run_list: ["role[db]", "recipe[postgresql::server@1.2.0]"], normal: { postgresql: { version: "15" } }, default: {}, override: {}, automatic: {},
    });
  });

  it("ansible: the inventory nests groups under all.children with group vars, ungrouped hosts under all.hosts", () => {
    const members = [
      { node: node("web01.x", ["10.0.0.1"]), class: { groups: ["web"], vars: {} } },
      { node: node("lone.x"), class: { groups: [], vars: {} } },
    ];
    const idx = ansible.index({ name: "a", settings: { vars: { ntp: "x" }, groupVars: { web: { port: 80 }, spare: { z: 1 } } } }, members);
    expect(parse(idx.files["inventory.yaml"])).toEqual({
      all: { hosts: { "lone.x": null }, vars: { ntp: "x" }, children: { spare: { vars: { z: 1 } }, web: { hosts: { "web01.x": null }, vars: { port: 80 } } } },
    });
    expect(parse(ansible.handoff({ name: "a", settings: {} }, node("web01.x", ["10.0.0.1"]), { groups: ["web"], vars: { k: "v" } }).files["host_vars/web01.x.yml"])).toEqual({ ansible_host: "10.0.0.1", k: "v" });
  });
});

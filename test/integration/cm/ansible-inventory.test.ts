/**
 * Ansible inventory handoff, checked by Ansible itself: `ansible-inventory --list` over the YAML
 * inventory bootplan writes and over `bootplan inventory` as a dynamic inventory script must agree
 * with each other and with the stack, group vars and host vars included.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanup, runBin, tempStack } from "../../helpers/stack.js";
import { bootplanScript, describeWithTool } from "./tools.js";

let dir: string;

function ansibleInventory(source: string, ...args: string[]): Record<string, any> {
  const r = spawnSync("ansible-inventory", ["-i", source, ...args], {
    encoding: "utf8", env: { ...process.env, HOME: dir, ANSIBLE_LOCAL_TEMP: join(dir, ".ansible-tmp"), ANSIBLE_INVENTORY_UNPARSED_FAILED: "true" },
  });
  if (r.status !== 0) throw new Error(`ansible-inventory -i ${source} ${args.join(" ")} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describeWithTool("ansible-inventory", "ansible-core", "Ansible inventory handoff: static inventory file and dynamic inventory script", () => {
  beforeAll(() => {
    dir = tempStack();
    const r = runBin(["apply", dir, "--auto-approve"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
  afterAll(() => cleanup(dir));

  const inventoryFile = (): string => join(dir, ".bootplan/root/cm/ansible-site/inventory.yaml");
  const script = (): string => bootplanScript(join(dir, "inventory.sh"), ["inventory", dir]);

  it("the inventory file and the dynamic inventory script give Ansible the same inventory", () => {
    expect(ansibleInventory(script(), "--list")).toEqual(ansibleInventory(inventoryFile(), "--list"));
  });

  it("the inventory matches the stack: groups from profiles and systems, group vars, all vars and host vars", () => {
    const inv = ansibleInventory(inventoryFile(), "--list");
    expect(inv.web.hosts).toEqual(["web01.lab.example", "web02.lab.example"]);
    expect(inv.debian.hosts).toEqual(["legacy01.lab.example", "web01.lab.example", "web02.lab.example"]);
    expect(inv.databases.hosts).toEqual(["db01.lab.example"]);
    expect(inv.ci_runners.hosts).toEqual(["ci01.lab.example"]);
    const hv = inv._meta.hostvars;
    // system web01 overrides profile web's nginx_worker_processes; http_port is group web's; ntp_server is all's
    expect(hv["web01.lab.example"]).toEqual({ ansible_host: "10.0.2.15", nginx_worker_processes: 4, http_port: 80, ntp_server: "10.0.2.3" });
    expect(hv["web02.lab.example"]).toEqual({ ansible_host: "10.0.2.16", nginx_worker_processes: 2, http_port: 80, ntp_server: "10.0.2.3" });
    expect(hv["db01.lab.example"]).toEqual({ ansible_host: "10.0.2.17", postgres_version: 15, ntp_server: "10.0.2.3" });
    expect(hv["ci01.lab.example"]).toEqual({ ntp_server: "10.0.2.3" });
  });

  it("keeps group vars at group level in both sources (ansible-inventory --export)", () => {
    const a = ansibleInventory(inventoryFile(), "--list", "--export");
    const b = ansibleInventory(script(), "--list", "--export");
    expect(b).toEqual(a);
    expect(a.web.vars).toEqual({ http_port: 80 });
    expect(a.all.vars).toEqual({ ntp_server: "10.0.2.3" });
  });

  it("answers --host for one host, as Ansible calls a script without _meta", () => {
    expect(ansibleInventory(script(), "--host", "web01.lab.example")).toEqual({ ansible_host: "10.0.2.15", nginx_worker_processes: 4, http_port: 80, ntp_server: "10.0.2.3" });
    const r = runBin(["inventory", dir, "--host", "nope.lab.example"]);
    expect([r.code, JSON.parse(r.stdout)]).toEqual([0, {}]);
  });
});

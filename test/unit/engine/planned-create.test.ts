/**
 * Planned creates (engine/planned-create.ts): a create's fields and files are worked out from its
 * inputs when read, not kept. What a reader relies on stays as it was: every input shows as a field
 * and every rendered file as added in the plan, in --json and in a saved plan, and a plugin's
 * apply-hook note keeps them. The provider is an
 * in-memory stand-in for the provider interface: what is under test is the plan's data.
 */
import { describe, expect, it } from "vitest";
import { computePlan } from "../../../src/engine/plan.js";
import { withApplyHooks } from "../../../src/plugins/apply-hooks.js";
import type { DesiredResource } from "../../../src/graph/resource.js";
import type { BootplanProvider } from "../../../src/providers/types.js";
import type { StateDocument } from "../../../src/state/types.js";
import type { LoadedPlugin } from "../../../src/plugins/load.js";

const state: StateDocument = { version: 1, lineage: "l", serial: 0, stack: "t", resources: {}, pending: [] };
const inputs = {
  name: "web01", hostname: "web01.lab.example", interfaces: [{ name: "eth0", mac: "52:54:00:12:34:01" }], kernelArgs: ["quiet"],
  files: { "http/answers/web01.cfg": "d-i netcfg/get_hostname string web01\nd-i time/zone string UTC\n" },
};
const desired: DesiredResource[] = [{ address: "system.web01", kind: "system", name: "web01", inputs, dependsOn: [], secretNames: [], declaredIn: "systems.yaml" }];

const provider: BootplanProvider = {
  check: async (_o, news) => ({ inputs: news }),
  diff: async () => ({ changes: false }),
  create: async (i) => ({ id: String(i.name), outs: i }),
  read: async (id, p) => ({ id, props: p }),
  update: async (_id, _o, n) => ({ outs: n }),
  delete: async () => {},
};

const expected = [
  { path: "hostname", new: "web01.lab.example" },
  { path: "interfaces[0].mac", new: "52:54:00:12:34:01" },
  { path: "interfaces[0].name", new: "eth0" },
  { path: "kernelArgs", new: ["quiet"] },
  { path: "name", new: "web01" },
];

const file = {
  path: "http/answers/web01.cfg", action: "create", added: 2, removed: 0,
  diff: "--- /dev/null\n+++ b/http/answers/web01.cfg\n@@ -0,0 +1,2 @@\n+d-i netcfg/get_hostname string web01\n+d-i time/zone string UTC\n",
};

describe("planned creates", () => {
  it("show every input as a field and every file as added, in the plan, its JSON and after a plugin's note is added", async () => {
    const plan = await computePlan(desired, state, { stack: "t", fingerprint: "f", providerFor: () => provider });
    const [create] = plan.changes;
    expect(create.action).toBe("create");
    expect(create.fields).toEqual(expected);
    expect(create.files.map((f) => ({ ...f, diff: f.diff }))).toEqual([file]);
    const json = JSON.parse(JSON.stringify(plan)) as typeof plan;
    expect(json.changes[0]).toEqual({ address: "system.web01", kind: "system", action: "create", declaredIn: "systems.yaml", fields: expected, files: [file], dependsOn: [] });

    const notify = { name: "notify", definition: { afterProvision: () => undefined }, options: {} } as unknown as LoadedPlugin;
    const hooked = withApplyHooks(plan, { name: "t" }, [notify], () => [notify]);
    expect(hooked.changes[0].notes).toEqual(["by plugin notify: runs afterProvision at apply"]);
    expect(hooked.changes[0].fields).toEqual(expected);
    expect(JSON.parse(JSON.stringify(hooked.changes[0]))).toMatchObject({ fields: expected, files: [file] });
  });

  it("keep the lists apply empties them to", async () => {
    const plan = await computePlan(desired, state, { stack: "t", fingerprint: "f", providerFor: () => provider });
    plan.changes[0].fields = [];
    plan.changes[0].files = [];
    expect(plan.changes[0]).toMatchObject({ fields: [], files: [] });
    expect(JSON.parse(JSON.stringify(plan.changes[0]))).toMatchObject({ fields: [], files: [] });
  });
});

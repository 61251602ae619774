/**
 * Reuse of recorded CM handoffs (graph/cm.ts): a handoff whose render key is unchanged takes its recorded
 * class and digests instead of running plugins' cm hooks and the adapter, and a CM system the size of a
 * 150,000-machine fleet builds (its index key is made from every member's identity and class, not from
 * call arguments). The index is rendered again only when what it shows of a member changed.
 */
import { describe, expect, it } from "vitest";
import { buildCmResources } from "../../../src/graph/cm.js";
import type { Stack, System } from "../../../src/model/stack.js";
import type { CmSystem } from "../../../src/cm/types.js";

const at = { file: "systems.yaml", line: 1, column: 1 };

function fleet(n: number): { stack: Stack; keys: Map<string, string> } {
  const systems: Record<string, System> = {};
  const members: CmSystem["members"] = {};
  const keys = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const name = `node${i}`;
    systems[name] = { name, hostname: `${name}.example`, interfaces: [{ mac: "52:54:00:00:00:01", ip: "10.0.0.1", prefix: 8, dns: [] }], source: at } as unknown as System;
    members[name] = { value: { classes: { "profile::base": {} }, parameters: {}, environment: "production" }, origins: {}, layers: [] } as unknown as CmSystem["members"][string];
    keys.set(name, `key-${i}`);
  }
  const cm: CmSystem = { name: "puppet", type: "puppet", settings: { environment: "production" }, output: "cm/puppet", members, source: at };
  return { stack: { systems, cm: { puppet: cm } } as unknown as Stack, keys };
}

describe("CM handoff reuse", () => {
  it("renders every handoff once, then reuses the recorded ones; a changed system key or binding renders that one again, the index only when a member's class or identity changed", () => {
    const { stack, keys } = fleet(3);
    let hooks = 0;
    const shape = () => (hooks++, undefined);
    const first = buildCmResources(stack, "root", { systemKeys: keys, shape });
    expect(hooks).toBe(3);
    // What apply records: the inputs with the files turned into digests.
    const recorded = new Map(first.map((r) => {
      const { files, ...rest } = r.inputs as Record<string, unknown>;
      return [r.address, { ...rest, fileDigests: Object.fromEntries(Object.keys(files as object).map((p) => [p, "d"])) }];
    }));
    const recordedMember = stack.cm.puppet.members.node2;
    hooks = 0;
    const again = buildCmResources(stack, "root", { systemKeys: keys, shape, recorded: (a) => recorded.get(a) });
    expect(hooks).toBe(0);
    expect(again.every((r) => r.inputs.files === undefined && r.inputs.fileDigests)).toBe(true);
    expect(again.find((r) => r.address === "cm.puppet.node0")!.inputs.class).toEqual(first.find((r) => r.address === "cm.puppet.node0")!.inputs.class);

    const rendered = (): string[] => buildCmResources(stack, "root", { systemKeys: keys, shape, recorded: (a) => recorded.get(a) }).filter((r) => r.inputs.files).map((r) => r.address);
    // Another boot option of node1: its handoff renders again (a plugin may look), the index shows nothing new.
    keys.set("node1", "key-1-changed");
    expect(rendered()).toEqual(["cm.puppet.node1"]);
    expect(hooks).toBe(1);
    // node2's class and node0's address are in the index.
    stack.cm.puppet.members.node2 = { ...stack.cm.puppet.members.node2, value: { classes: { "role::db": {} }, parameters: {}, environment: "production" } };
    expect(rendered()).toEqual(["cm.puppet.node1", "cm.puppet.node2", "cm.puppet"]);
    stack.cm.puppet.members.node2 = recordedMember;
    stack.systems.node0 = { ...stack.systems.node0, interfaces: [{ mac: "52:54:00:00:00:02", ip: "10.0.0.2", prefix: 8, dns: [] }] } as unknown as System;
    keys.set("node0", "key-0-changed");
    expect(rendered()).toEqual(["cm.puppet.node0", "cm.puppet.node1", "cm.puppet"]);
  });

  it("refuses two members with one node name, naming the same pair in a whole and a targeted build", () => {
    const { stack } = fleet(12);
    // node7 takes node3's hostname: in name order node3 comes first, so node7 is the one refused.
    stack.systems.node7 = { ...stack.systems.node7, hostname: "node3.example" };
    const refusal = (only?: Set<string>): unknown => {
      try {
        buildCmResources(stack, "root", { only });
      } catch (err) {
        return [(err as { code?: string }).code, (err as Error).message];
      }
      return "built";
    };
    const expected = ["cm.duplicate-node", expect.stringContaining('systems.node7: CM system puppet already receives node3 as "node3.example"')];
    expect(refusal()).toEqual(expected);
    // A targeted plan of a third system still may not build while two others clash.
    expect(refusal(new Set(["node10"]))).toEqual(expected);
    stack.systems.node7 = { ...stack.systems.node7, hostname: "node7.example" };
    expect(refusal(new Set(["node10"]))).toBe("built");
  });

  it("builds a CM system of 150,000 members", () => {
    const { stack, keys } = fleet(150_000);
    const built = buildCmResources(stack, "root", { systemKeys: keys });
    expect(built).toHaveLength(150_001);
    expect(built[built.length - 1].inputs.renderKey).toMatch(/^[\w-]{43}$/);
  });
});

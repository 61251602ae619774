/** The binding merge rule: lists union in order, maps merge deeply, the later layer (the system) wins; every value keeps its origin. */
import { describe, expect, it } from "vitest";
import { mergedBinding, mergeLayers } from "../../../src/cm/merge.js";
import { puppet } from "../../../src/cm/puppet.js";
import { pathKey, type Origin } from "../../../src/cm/types.js";

const origin = (layer: string): Origin => ({ layer, position: { file: `${layer}.yaml`, line: 1, column: 1 } });

describe("CM binding merge", () => {
  it("unions lists in order without repeats, merges maps deeply, and lets the later layer win for scalars", () => {
    const m = mergeLayers([
      { origin: origin("profile base"), value: { groups: ["debian", "base"], vars: { a: 1, nested: { x: 1, y: 1 } } } },
      { origin: origin("profile web"), value: { groups: ["web", "debian"], vars: { nested: { y: 2 } } } },
      { origin: origin("system web01"), value: { groups: ["canary"], vars: { a: 3 } } },
    ]);
    expect(m.value).toEqual({ groups: ["debian", "base", "web", "canary"], vars: { a: 3, nested: { x: 1, y: 2 } } });
    expect(m.origins[pathKey(["groups", { item: "debian" }])].layer).toBe("profile base");
    expect(m.origins[pathKey(["groups", { item: "canary" }])].layer).toBe("system web01");
    expect(m.origins[pathKey(["vars", "a"])].layer).toBe("system web01");
    expect(m.origins[pathKey(["vars", "nested", "x"])].layer).toBe("profile base");
    expect(m.origins[pathKey(["vars", "nested", "y"])].layer).toBe("profile web");
  });

  it("merges a Puppet class list with a map of class parameters: a listed class is a class without parameters", () => {
    const m = mergeLayers([
      { origin: origin("cm"), value: puppet.defaults({ settings: {} }) },
      { origin: origin("profile base"), value: puppet.normalize({ classes: ["profile::base", "role::web"] }) },
      { origin: origin("profile web"), value: puppet.normalize({ classes: { "role::web": { port: 8080 } } }) },
      { origin: origin("system web01"), value: puppet.normalize({ classes: { "role::web": { port: 9090 } }, environment: "staging" }) },
    ]);
    expect(m.value).toEqual({ environment: "staging", classes: { "profile::base": {}, "role::web": { port: 9090 } } });
    const h = puppet.handoff({ name: "p", settings: {} }, { name: "web01.x", system: "web01", hostname: "web01.x", ips: [], macs: [] }, m.value);
    expect(h.class).toEqual({ classes: { "profile::base": {}, "role::web": { port: 9090 } }, parameters: {}, environment: "staging" });
  });

  it("keeps a Puppet class list a list when no class has parameters, with the default environment", () => {
    const m = mergeLayers([
      { origin: origin("cm"), value: puppet.defaults({ settings: { environment: "prod" } }) },
      { origin: origin("profile"), value: puppet.normalize({ classes: ["a", "b::c"] }) },
    ]);
    const h = puppet.handoff({ name: "p", settings: {} }, { name: "n.x", system: "n", hostname: "n.x", ips: [], macs: [] }, m.value);
    expect(h.class).toEqual({ classes: ["a", "b::c"], parameters: {}, environment: "prod" });
    expect(h.files).toEqual({ "nodes/n.x.yaml": '---\nclasses:\n  - a\n  - "b::c"\nparameters: {}\nenvironment: prod\n' });
  });

  it("a resolved binding has the same value, and works out where each value came from only when explain asks", () => {
    const layers = [
      { origin: origin("profile web"), value: { groups: ["web"], vars: { port: 80 } } },
      { origin: origin("system web01"), value: { groups: ["canary"], vars: { port: 8080 } } },
    ];
    let asked = 0;
    const b = mergedBinding(layers.map((l) => l.value), layers.map((l) => l.origin.layer), () => (asked++, layers.map((l) => l.origin)));
    expect(b.value).toEqual(mergeLayers(layers).value);
    expect(b.layers).toEqual(["profile web", "system web01"]);
    expect(asked).toBe(0);
    expect(b.origins).toEqual(mergeLayers(layers).origins);
    expect(asked).toBe(1);
    expect(b.origins[pathKey(["vars", "port"])].layer).toBe("system web01");
    expect(b.origins).toBe(b.origins);
  });
});

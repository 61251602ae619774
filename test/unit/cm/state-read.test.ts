/** Reading recorded handoffs without loading the stack: the state path from stack.yaml, records found by address in compact and indented states. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { locateState, statePathFromStackYaml } from "../../../src/cm/state-locate.js";
import { chooseCm, RecordedState } from "../../../src/cm/state-read.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), "bootplan-cm-state-"));
  dirs.push(d);
  return d;
};

const doc = {
  version: 1, lineage: "l", serial: 3, stack: "s",
  resources: {
    "system.web01": { kind: "system", id: "web01", outputs: { name: "web01", note: 'a "cm.puppet-prod.web01": {} lookalike' }, dependsOn: [] },
    "cm.puppet-prod.web01": { kind: "cm", id: "puppet-prod.web01", outputs: { name: "puppet-prod.web01", files: { "cm/puppet-prod/nodes/web01.x.yaml": "---\nclasses: {}\n" } }, dependsOn: ["system.web01"] },
    "cm.puppet-prod": { kind: "cm-index", id: "puppet-prod", outputs: { name: "puppet-prod", type: "puppet", output: "cm/puppet-prod", nodes: { "web01.x": "web01" } }, dependsOn: ["cm.puppet-prod.web01"] },
    "cm.puppet-lab": { kind: "cm-index", id: "puppet-lab", outputs: { name: "puppet-lab", type: "puppet", output: "cm/puppet-lab", nodes: { "web01.x": "web01", "db.x": "db" } }, dependsOn: [] },
  },
  pending: [],
};

describe("reading recorded CM handoffs", () => {
  it("reads state.path from stack.yaml in flow and block form, quoted or not, and defers unusual YAML", () => {
    expect(statePathFromStackYaml("stack: a\nstate: {backend: file, path: .bootplan/s.json}  # c\n")).toBe(".bootplan/s.json");
    expect(statePathFromStackYaml("state:\n  backend: file\n  path: 'x y/state.json'\nserver: {}\n")).toBe("x y/state.json");
    expect(statePathFromStackYaml("stack: a\n")).toBeUndefined();
    expect(statePathFromStackYaml("state: &s {path: a}\n")).toBeNull();
    expect(statePathFromStackYaml("state:\n  path: *p\n")).toBeNull();
  });

  it("locates the state through stack.yaml (even unusual YAML) or --state", async () => {
    const d = tmp();
    writeFileSync(join(d, "stack.yaml"), "stack: a\nstate: !!map {path: other/state.json}\n");
    expect(await locateState(d)).toBe(join(d, "other/state.json"));
    expect(await locateState(d, join(d, "x.json"))).toBe(join(d, "x.json"));
    await expect(locateState(join(d, "nope"))).rejects.toThrow(/not a stack \(no stack\.yaml in it\)/);
  });

  it.each([["indented", 2], ["compact", undefined]])("finds records by address in a %s state, ignoring look-alikes inside strings", (_name, indent) => {
    const f = join(tmp(), "state.json");
    writeFileSync(f, JSON.stringify(doc, null, indent));
    const s = RecordedState.open(f);
    expect(s.record("cm.puppet-prod.web01")?.outputs.name).toBe("puppet-prod.web01");
    expect(s.record("cm.nope.web01")).toBeUndefined();
    expect(s.cmSystems("puppet").map((c) => c.name)).toEqual(["puppet-lab", "puppet-prod"]);
  });

  it("chooses the CM system that knows the node, and asks for --cm-system when several do", () => {
    const f = join(tmp(), "state.json");
    writeFileSync(f, JSON.stringify(doc));
    const s = RecordedState.open(f);
    expect(chooseCm(s, "puppet", "puppet", undefined, "db.x").name).toBe("puppet-lab");
    expect(() => chooseCm(s, "puppet", "puppet", undefined, "web01.x")).toThrow(/several puppet CM systems could answer \(puppet-lab, puppet-prod\); choose one with --cm-system NAME/);
    expect(chooseCm(s, "puppet", "puppet", "puppet-prod", "web01.x").name).toBe("puppet-prod");
    expect(() => chooseCm(s, "ansible", "ansible")).toThrow(/no ansible CM system is recorded/);
    expect(() => RecordedState.open(join(tmp(), "missing.json"))).toThrow(/no recorded state \(run bootplan apply first/);
  });
});

/** planMemoOf: which plans may be remembered, and what each record leaves to check. */
import { describe, expect, it } from "vitest";
import { asWholePlan, isPlanMemo, planMemoOf, sharedFilesTouched, type PlanMemoInputs } from "../../../src/engine/plan-memo.js";
import type { ExecutablePlan } from "../../../src/engine/types.js";
import { refreshReadsOnlyFiles } from "../../../src/providers/index.js";
import { loaderSourceOf } from "../../../src/graph/serve.js";
import type { StateDocument } from "../../../src/state/types.js";

const noop = (): ExecutablePlan => ({
  formatVersion: 1, stack: "lab", fingerprint: "f", state: { lineage: "l", serial: 3 }, targets: [], changes: [],
  summary: { add: 0, change: 0, replace: 0, destroy: 0, unchanged: 4 }, warnings: ["w", "root warning"], refreshed: "stat",
  inputs: {}, secretNames: {}, refresh: {},
});
const rec = (kind: string, outputs: Record<string, unknown>) => ({ kind, id: "x", outputs, dependsOn: [] });
const state = (): StateDocument => ({
  version: 1, lineage: "l", serial: 3, stack: "lab", pending: [],
  resources: {
    "system.web01": { ...rec("system", { root: "r", fileStat: "s1", fileDigests: { "http/answers/web01.cfg": "d" } }), declaredIn: "systems.yaml" },
    "system.metal01": rec("system", { root: "r", fileStat: "s2", power: { type: "ipmi" }, fileDigests: { "http/answers/metal01.cfg": "d" } }),
    "guest.vm01": rec("guest", { name: "vm01", exists: true }),
    "system.old01": rec("system", { root: "r", fileDigests: { "http/answers/old01.cfg": "d" } }),
    "loader.ipxe.efi": rec("loader", { root: "r", fileStat: "s3", loader: { source: "/usr/lib/ipxe/ipxe.efi", sha256: "h" }, fileDigests: { "tftp/ipxe.efi": "d" } }),
    "profile.web": { ...rec("profile", { name: "web" }), declaredIn: "profiles.yaml" },
  },
});
const inputs: PlanMemoInputs = {
  code: "c", stack: { name: "lab", inputs: [] }, secrets: { sources: {}, digests: {} }, root: ".bootplan/root", mixed: ["stack.yaml"],
  warnings: ["w"], readsOnlyFiles: refreshReadsOnlyFiles, hostFileOf: loaderSourceOf, filesId: "id1",
};

describe("plan memo: what a no-op plan leaves to check", () => {
  it("checks files by stat, and asks the provider of a guest, a powered system and a record without a stat digest", () => {
    const { memo, files } = planMemoOf(noop(), state(), inputs)!;
    expect(isPlanMemo(JSON.parse(JSON.stringify(memo)))).toBe(true);
    expect(files.id).toBe(memo.filesId);
    expect(memo.fileCount).toBe(4);
    expect(memo.live.sort()).toEqual(["guest.vm01", "system.metal01", "system.old01"]);
    // Every record's files are listed (leftovers are judged against them); live ones carry no stat to compare.
    expect(files.files).toEqual([
      ["r", "s1", "http/answers/web01.cfg"],
      ["r", "", "http/answers/metal01.cfg"],
      ["r", "", "http/answers/old01.cfg"],
      ["r", "s3", "tftp/ipxe.efi"],
    ]);
    expect(memo.hostFiles).toEqual([["/usr/lib/ipxe/ipxe.efi", "h"]]);
    expect(memo.plan.warnings).toEqual(["w"]);
    // What each file declared: a delta plan finds a changed file's systems, and their removal, here.
    // Systems recorded with no file are filed under "": a delta plan cannot tell which file dropped them, and plans in full.
    expect(memo.declared).toEqual({ "systems.yaml": ["system.web01"], "profiles.yaml": ["profile.web"], "": ["system.metal01", "system.old01"] });
    expect(memo.plan).not.toHaveProperty("inputs");
  });

  it("keeps no memo of a plan that changes anything or leaves apply something to record", () => {
    const change = { ...noop(), changes: [{ address: "system.web01" }] } as unknown as ExecutablePlan;
    expect(planMemoOf(change, state(), inputs)).toBeUndefined();
    expect(planMemoOf({ ...noop(), refresh: { "system.web01": {} } }, state(), inputs)).toBeUndefined();
    expect(planMemoOf(noop(), { ...state(), pending: [{ address: "system.web01" }] } as unknown as StateDocument, inputs)).toBeUndefined();
  });
});

describe("plan memo: what a plan of some systems may stand for", () => {
  const change = (address: string, action: string, paths: string[] = []) =>
    ({ address, kind: address.split(".")[0], action, fields: paths.map((path) => ({ path })), files: [], dependsOn: [] });
  const plan = (...changes: ReturnType<typeof change>[]) => ({ ...noop(), changes } as unknown as ExecutablePlan);

  it("a system's own fields and files, and a handoff's rendering, touch no shared file", () => {
    expect(sharedFilesTouched(plan(change("system.web01", "update", ["kernelArgs"]), change("cm.puppet-prod.web01", "update", ["files"])))).toBeUndefined();
    expect(sharedFilesTouched(plan(change("system.web01", "replace", ["distro"]), change("profile.web", "update", ["kernelArgs"])))).toBeUndefined();
  });

  it("a hostname, an interface, a handoff's node or class, or a system or handoff coming or going does", () => {
    expect(sharedFilesTouched(plan(change("system.web01", "update", ["hostname"])))).toMatch(/hostname/);
    expect(sharedFilesTouched(plan(change("system.web01", "update", ["interfaces[0].mac"])))).toMatch(/interfaces/);
    expect(sharedFilesTouched(plan(change("cm.puppet-prod.web01", "update", ["class.classes.role::web.port"])))).toMatch(/class/);
    expect(sharedFilesTouched(plan(change("cm.puppet-prod.web01", "update", ["node.ips"])))).toMatch(/node/);
    expect(sharedFilesTouched(plan(change("system.web03", "create")))).toMatch(/added/);
    expect(sharedFilesTouched(plan(change("cm.ansible-site.web02", "delete")))).toMatch(/removed/);
    expect(sharedFilesTouched(plan(change("server.lab", "update", ["files"])))).toMatch(/server\.lab/);
  });

  it("counts every resource outside it as unchanged, as the memo's plan did", () => {
    const p = { ...plan(change("system.web01", "update", ["kernelArgs"])), summary: { add: 0, change: 1, replace: 0, destroy: 0, unchanged: 3 }, targets: ["system.web01"] };
    const { memo } = planMemoOf(noop(), state(), inputs)!;
    const whole = asWholePlan(p, memo, ["root"]);
    expect(whole.summary).toEqual({ add: 0, change: 1, replace: 0, destroy: 0, unchanged: 3 });
    expect(whole.targets).toEqual([]);
    expect(whole.warnings).toEqual(["w", "root warning", "root"]);
  });
});
